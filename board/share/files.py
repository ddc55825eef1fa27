"""Drawn pictures kept under instance/share-cache/, named by a hash of everything they show: the
same card or QR code is drawn once per process group and machine, a changed title or address is
a new name (nothing to invalidate), and the name is the ETag.

Written to a temporary file and renamed into place, so two processes drawing the same picture at
once never serve half a file. The folder grows with the number of shared threads (a card is
~40 KB, a QR code ~1 KB); deleting it is always safe."""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app

from board import images

VERSION = "2"  # bump when the drawing changes: every picture is drawn anew


def key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join((VERSION, *parts)).encode()).hexdigest()[:32]


def folder() -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "share-cache"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def cached(name: str, draw: Callable[[], bytes]) -> Path:
    """The file `name` under the cache folder, drawn by `draw()` the first time, on the pixel
    workers (board/images.py off_loop): the serving loop never waits on Pillow."""
    path = folder() / name
    if path.exists():
        return path
    data = images.off_loop(draw)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".draw-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
