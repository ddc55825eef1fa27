"""reply_count_visible: Thread.reply_count counts only the replies the public can see

Revision ID: f1b2c3d4e5a6
Revises: e6a4c2f8b913
Create Date: 2026-12-01 12:00:00

Issue 15, item 18: the count shown to every reader included hidden and held replies, so it
told outsiders that something was hidden. From now on posting and moderation keep it to the
replies that are not hidden; this recounts the rows written before. Data only: no schema change.
"""
import sqlalchemy as sa
from alembic import op

revision = 'f1b2c3d4e5a6'
down_revision = 'e6a4c2f8b913'
branch_labels = None
depends_on = None

_THREAD = sa.table("thread", sa.column("id", sa.Integer), sa.column("reply_count", sa.Integer))
_POST = sa.table("post", sa.column("thread_id", sa.Integer), sa.column("hidden", sa.Boolean))


def _recount(*where) -> None:
    replies = (sa.select(sa.func.count()).select_from(_POST)
               .where(_POST.c.thread_id == _THREAD.c.id, *where).scalar_subquery())
    op.execute(_THREAD.update().values(reply_count=replies))


def upgrade():
    _recount(_POST.c.hidden.is_(False))


def downgrade():
    _recount()
