"""Shared look of the hall's screens: a CJK font and the palette.

Kivy's default font has no Chinese glyphs, so every app calls ``register_fonts()``
before building widgets.  Imported only by Kivy apps under ``kiosk/``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

# A calm government-hall palette (RGBA, 0..1): dark blue, hall red, white text.
BLUE = (0.05, 0.20, 0.45, 1)
DARK = (0.04, 0.07, 0.14, 1)
RED = (0.78, 0.10, 0.12, 1)
GOLD = (0.98, 0.80, 0.20, 1)
GREEN = (0.10, 0.55, 0.30, 1)
GREY = (0.45, 0.48, 0.52, 1)
WHITE = (1, 1, 1, 1)
LIGHT = (0.93, 0.95, 0.98, 1)


def find_cjk_font() -> Path | None:
    env = os.environ.get("YIMEN_FONT")
    for cand in ([env] if env else []) + list(FONT_CANDIDATES):
        if cand and Path(cand).is_file():
            return Path(cand)
    return None


def register_fonts() -> str:
    """Make a CJK font Kivy's default (Roboto is replaced); return the font path."""
    from kivy.core.text import LabelBase, DEFAULT_FONT

    font = find_cjk_font()
    if font is None:
        raise RuntimeError("no CJK font found: install fonts-wqy-zenhei (./run does) or set YIMEN_FONT")
    LabelBase.register(DEFAULT_FONT, str(font))
    LabelBase.register("CJK", str(font))
    log.info("using CJK font %s", font)
    return str(font)
