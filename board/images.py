"""Evidence photos as pixels: checked by content (Pillow), never by name, then re-encoded from the
pixels alone so no EXIF, GPS, comment or trailing byte of the original survives; thumbnails.

No Flask here: the limits come in as arguments (board/services/attachments.py reads the config).
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


class Rejected(Exception):
    """One image refused, with the reason shown to the citizen."""


def decode(data: bytes, max_pixels: int) -> Image.Image:
    """Open by content, whatever the file was called; refuse bombs and non-images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise Rejected("不是支持的图片格式(仅支持 JPG、PNG、WebP、GIF)")
            width, height = probe.size
            if width * height > max_pixels or not width or not height:
                raise Rejected("图片尺寸过大")
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except Rejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError):
        raise Rejected("文件不是有效的图片(仅支持 JPG、PNG、WebP、GIF)") from None
    return image


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
    thumb = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    thumb.thumbnail((edge, edge))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()
