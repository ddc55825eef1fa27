"""Evidence photos as pixels: checked by content (Pillow), never by name, then re-encoded from the
pixels alone so no EXIF, GPS, comment or trailing byte of the original survives; thumbnails.

No Flask here: the limits come in as arguments (board/services/attachments.py reads the config).
The dimensions are read from the header (`probe`) before anything is decoded, and the pixel work
runs on a small pool of native threads (`off_loop`), never in the serving loop.
"""
from __future__ import annotations

import concurrent.futures
import io
import os
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
TOO_LARGE = "图片尺寸过大"
NOT_AN_IMAGE = "文件不是有效的图片(仅支持 JPG、PNG、WebP、GIF)"


class Rejected(Exception):
    """One image refused, with the reason shown to the citizen."""


def probe(data: bytes, max_pixels: int) -> tuple[int, int]:
    """The width and height from the header alone, before a single pixel is decoded.

    `Image.open` only parses the header: a decompression bomb (a small file that declares
    30000×30000 pixels) is refused here, without the gigabytes its pixels would take.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            header = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected(TOO_LARGE) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Rejected(NOT_AN_IMAGE) from None
    if header.format not in ACCEPTED_FORMATS:
        raise Rejected("不是支持的图片格式(仅支持 JPG、PNG、WebP、GIF)")
    width, height = header.size
    if not width or not height or width * height > max_pixels:
        raise Rejected(TOO_LARGE)
    return width, height


def decode(data: bytes, max_pixels: int, draft_edge: int | None = None) -> Image.Image:
    """Open by content, whatever the file was called; refuse bombs and non-images.

    With `draft_edge`, a JPEG is decoded straight at the smallest scale (1/2, 1/4, 1/8) that
    still covers it: a 48-megapixel phone photo then costs a quarter of the memory and time.
    """
    probe(data, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.open(io.BytesIO(data)).verify()
            image = Image.open(io.BytesIO(data))
            if draft_edge:
                image.draft(None, (draft_edge, draft_edge))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError):
        raise Rejected(NOT_AN_IMAGE) from None
    return image


def clean(data: bytes, max_pixels: int, max_edge: int) -> tuple[bytes, str, tuple[int, int]]:
    """decode + encode in one call, so the whole pixel job can run on a worker thread."""
    return encode(decode(data, max_pixels, draft_edge=max_edge), max_edge)


def encode(image: Image.Image, max_edge: int) -> tuple[bytes, str, tuple[int, int]]:
    """A fresh file from the pixels only: no EXIF, GPS, comments or trailing bytes survive."""
    image = ImageOps.exif_transpose(image)  # keep the photo upright once the EXIF tag is gone
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((max_edge, max_edge))
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png", clean.size
    clean.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "image/jpeg", clean.size


def thumbnail(data: bytes, edge: int) -> bytes:
    """A small JPEG of an already re-encoded file, for the thread page's photo strip."""
    return off_loop(_thumbnail, data, edge)


def _thumbnail(data: bytes, edge: int) -> bytes:
    thumb = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    thumb.thumbnail((edge, edge))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


WORKERS = 2  # images decoded at once per process: the memory a burst of uploads takes is capped
_pools: dict[int, object] = {}  # by process id: a forked worker builds its own


def off_loop(fn, *args):
    """Run one pixel job on a native worker thread and wait for its result (or exception).

    Under gevent (app.py, gunicorn's gevent workers) only the uploading request's greenlet
    waits: Pillow releases the GIL while it decodes, resizes and encodes, so the other
    greenlets (pages, live readers) keep being served. Under plain threads the request was
    already off any loop; the pool still caps how many images are in memory at once.
    """
    pool = _pools.get(os.getpid())
    if pool is None:
        pool = _pools[os.getpid()] = _new_pool()
    if isinstance(pool, concurrent.futures.Executor):
        return pool.submit(fn, *args).result()
    return pool.apply(fn, args)


def _new_pool():
    if _gevent_patched():
        from gevent.threadpool import ThreadPool  # gevent is optional: only when patched

        return ThreadPool(WORKERS)
    return concurrent.futures.ThreadPoolExecutor(WORKERS, thread_name_prefix="pixels")


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("threading")
