"""Where evidence photos live (PHOTO_STORE): "disk", files under UPLOAD_DIR (one machine, or a
folder every machine mounts), or "database", a `photo_blob` row per file in the database every
process already reaches (several machines, no shared disk; `pg_dump` backs them up with the rest).

The files are named by a random token (board/services/attachments.py decides the names and who
writes them; board/views/photos.py who may read them). On disk a file is written before the
attachment row is committed and removed again if it is not; in the database the blob is added to
the same transaction as the attachment row, so the two are committed or dropped together.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

from board.config import private_dir
from board.extensions import db
from board.models import PhotoBlob

STORES = ("disk", "database")


@dataclass(frozen=True)
class Stored:
    """One file found: its path on disk, or its bytes from the database."""

    path: Path | None = None
    data: bytes | None = None
    modified: datetime | None = None


def kind() -> str:
    name = current_app.config.get("PHOTO_STORE") or "disk"
    if name not in STORES:
        raise RuntimeError(f"unknown PHOTO_STORE {name!r} (use 'disk' or 'database')")
    return name


def in_database() -> bool:
    return kind() == "database"


def _folder() -> Path:
    return private_dir(Path(current_app.config["UPLOAD_DIR"]))


def path_of(name: str) -> Path:
    """Where the disk store keeps (or would keep) a file."""
    return _folder() / name[:2] / name


def write(name: str, data: bytes) -> None:
    if in_database():
        db.session.add(PhotoBlob(name=name, data=data, size=len(data)))
        return
    _write_file(name, data)


def _write_file(name: str, data: bytes) -> None:
    """Photos of police-only threads too: 0600 files in 0700 folders, whatever the umask."""
    target = path_of(name)
    private_dir(target.parent)
    tmp = target.with_suffix(".tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)
    os.replace(tmp, target)


def remove(name: str) -> None:
    """Drop a file (in the database: within the current transaction)."""
    if in_database():
        db.session.execute(delete(PhotoBlob).where(PhotoBlob.name == name))
        return
    path_of(name).unlink(missing_ok=True)


def find(name: str) -> Stored | None:
    if in_database():
        blob = db.session.scalar(select(PhotoBlob).where(PhotoBlob.name == name))
        return None if blob is None else Stored(data=blob.data, modified=blob.created_at)
    path = path_of(name)
    return Stored(path=path) if path.exists() else None


def copy(names: list[str], to: str) -> int:
    """Copy files from the other store into `to` (switching PHOTO_STORE); returns how many
    were copied; files already there are left alone. Commits."""
    copied = 0
    for name in names:
        have = db.session.get(PhotoBlob, name) is not None
        if to == "database":
            source = path_of(name)
            if not have and source.exists():
                data = source.read_bytes()
                db.session.add(PhotoBlob(name=name, data=data, size=len(data)))
                copied += 1
        elif have and not path_of(name).exists():
            _write_file(name, db.session.get(PhotoBlob, name).data)
            copied += 1
    db.session.commit()
    return copied
