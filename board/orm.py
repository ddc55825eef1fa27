"""SQLAlchemy declarative base with a naming convention so constraint names match on SQLite and
PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_story_clock: ContextVar[datetime | None] = ContextVar("story_clock", default=None)


def utcnow() -> datetime:
    """Now, in UTC; inside `story_time(when)` (demo seeding only), that moment instead."""
    return _story_clock.get() or datetime.now(UTC)


@contextmanager
def story_time(when: datetime) -> Iterator[None]:
    """Run services as if at `when`: the demo writes its past stories with their own times
    (timeline, incident numbers, the append-only audit log) instead of rewriting them after."""
    token = _story_clock.set(when)
    try:
        yield
    finally:
        _story_clock.reset(token)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class BumpsBoardVersion:
    """Marker for the models whose writes change a page anonymous readers see (a board, its
    threads, their posts, photos, public timeline and rating). A flush or bulk write of one bumps
    its board's `version`, the stamp of every process's page cache (board/web/stamp_bumps.py);
    everything else (notifications, search jobs, reports, audit) leaves the cache alone."""
