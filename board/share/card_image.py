"""The card picture of a thread without a photo: the board's name and the question on the board's
blue, 1200 × 630 (the size chat apps and Open Graph expect), drawn with the vendored Noto Sans SC
subset (static/vendor/noto-sans-sc/) so a fresh machine without any CJK font draws it the same.

A character the subset lacks (a rare hanzi in a name) is drawn from a system CJK font when the
machine has one, else as 「·」: never the font's empty box. No Flask here.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent.parent
FONT = ROOT / "static/vendor/noto-sans-sc/NotoSansSC-Subset.otf"
SYSTEM_FONTS = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"))
SYSTEM_SC_INDEX = 2
WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BLUE, WHITE, PALE = (11, 61, 145), (255, 255, 255), (200, 214, 240)
MISSING = "·"
TITLE_LINES = 4


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


@lru_cache(maxsize=8)
def _system_font(size: int) -> ImageFont.FreeTypeFont | None:
    for path in SYSTEM_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size, index=SYSTEM_SC_INDEX)
    return None


@lru_cache(maxsize=4096)
def _has_glyph(system: bool, char: str) -> bool:
    """Does the font draw `char`? A missing one renders as the .notdef box, as U+FFFF does."""
    font = _system_font(40) if system else _font(40)
    if font is None:
        return False
    if char.isspace():
        return True
    return bytes(font.getmask(char)) != bytes(font.getmask("\uffff"))


def runs(text: str, size: int) -> list[tuple[str, ImageFont.FreeTypeFont]]:
    """The text cut into runs of one font each: the subset, the system font for what the subset
    lacks, or 「·」 when there is none."""
    out: list[tuple[str, ImageFont.FreeTypeFont]] = []
    main, fallback = _font(size), _system_font(size)
    for char in text:
        font = main
        if not _has_glyph(False, char):
            if _has_glyph(True, char):
                font = fallback
            else:
                char = MISSING
        if out and out[-1][1] is font:
            out[-1] = (out[-1][0] + char, font)
        else:
            out.append((char, font))
    return out


def _width(text: str, size: int) -> float:
    return sum(font.getlength(part) for part, font in runs(text, size))


def wrap(text: str, size: int, width: int, lines: int) -> list[str]:
    """Greedy wrapping by character (Chinese has no spaces), at most `lines`, the last cut 「…」."""
    out, line = [], ""
    for char in text:
        if _width(line + char, size) > width:
            out.append(line)
            line = char.lstrip()
            if len(out) == lines:
                break
        else:
            line += char
    else:
        if line:
            out.append(line)
        return out
    last = out[-1]
    while last and _width(last + "…", size) > width:
        last = last[:-1]
    out[-1] = last + "…"
    return out


def _draw(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, fill,
          bold: bool = False) -> None:
    x, y = xy
    for part, font in runs(text, size):
        draw.text((x, y), part, font=font, fill=fill, stroke_width=1 if bold else 0,
                  stroke_fill=fill)
        x += font.getlength(part)


def render(board_name: str, question: str, site_name: str) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BLUE)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((MARGIN, 70, MARGIN + 64, 134), radius=14, fill=WHITE)
    draw.text((MARGIN + 32, 102), "警", font=_font(40), fill=BLUE, anchor="mm")
    _draw(draw, (MARGIN + 88, 78), wrap(board_name, 40, WIDTH - 2 * MARGIN - 88, 1)[0]
          if board_name else "", 40, PALE)
    size = 64 if _width(question, 64) <= 2 * (WIDTH - 2 * MARGIN) else 52
    y = 190
    for line in wrap(question, size, WIDTH - 2 * MARGIN, TITLE_LINES):
        _draw(draw, (MARGIN, y), line, size, WHITE, bold=True)
        y += int(size * 1.45)
    draw.line((MARGIN, HEIGHT - 110, WIDTH - MARGIN, HEIGHT - 110), fill=PALE, width=2)
    _draw(draw, (MARGIN, HEIGHT - 90), site_name, 34, WHITE)
    out = io.BytesIO()
    image.save(out, "PNG")  # optimize=True: 3 % smaller for 5x the time
    return out.getvalue()
