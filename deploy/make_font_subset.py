"""Rebuild static/vendor/noto-sans-sc/NotoSansSC-Subset.otf: the share card's font (board/share/).

The card image is drawn on the server, so its font must ship with the board (a fresh machine has
no CJK font). Noto Sans CJK SC (SIL OFL 1.1) is 16 MB; the card needs the common characters only:
GB 2312 level 1 (3,755 most frequent hanzi), ASCII, CJK and full-width punctuation, and every
character of boards_config.yaml (board and station names). A character outside the subset is
drawn from a system CJK font when there is one, else as 「·」 (board/share/card_image.py).

Needs fontTools (`pip install fonttools`, a build tool, not a runtime dependency) and the Debian
package fonts-noto-cjk:

    python deploy/make_font_subset.py
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = ROOT / "static/vendor/noto-sans-sc/NotoSansSC-Subset.otf"
SC_INDEX = 2  # the collection's faces: JP, KR, SC, TC, HK, then the Mono ones


def gb2312_level1() -> str:
    """Rows 16–55 of GB 2312: the 3,755 level-1 hanzi, ordered by pinyin."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def characters() -> str:
    ascii_ = "".join(chr(c) for c in range(0x20, 0x7F))
    punctuation = "".join(chr(c) for c in range(0x3000, 0x3040))  # 、。「」『』【】〔〕…
    fullwidth = "".join(chr(c) for c in range(0xFF01, 0xFF5F))  # ，：；！？（）
    general = "—–‘’“”…·•※→←↑↓√×÷℃№"
    config = (ROOT / "boards_config.yaml").read_text(encoding="utf-8")
    return "".join(sorted(set(ascii_ + punctuation + fullwidth + general + gb2312_level1()
                              + config)))


def main() -> int:
    font = TTCollection(str(SOURCE)).fonts[SC_INDEX]
    options = subset.Options()
    options.layout_features = ["kern", "palt", "vert"]
    options.name_IDs = ["*"]  # keep the copyright and licence names
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(TARGET)
    print(f"{TARGET}: {TARGET.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
