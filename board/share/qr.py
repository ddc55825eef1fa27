"""QR codes of the board's addresses (segno), as SVG for print and PNG for chat apps. No Flask.

Error correction M (15 %): a poster on a station's notice board gets scuffed and sun-bleached;
segno raises the level further when the address leaves room for it (boost_error)."""
from __future__ import annotations

import io

import segno

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
DARK = "#0b3d91"  # the board's blue: dark enough for every scanner (contrast on white ≈ 10:1)


def render(url: str, fmt: str, scale: int = 10) -> bytes:
    """The QR code of `url` in `fmt` ("svg" or "png"), with the standard 4-module quiet zone."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if fmt == "svg":
        # No width/height, a viewBox: it scales to whatever box it is put in (poster, page).
        code.save(out, kind="svg", dark=DARK, xmldecl=False, omitsize=True,
                  title=url, svgclass="qr", lineclass=None)
    else:
        code.save(out, kind="png", scale=scale, dark=DARK)
    return out.getvalue()
