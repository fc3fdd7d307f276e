"""Pure Pillow drawing of ticket layouts: used to print tickets as images on
printers without Chinese fonts, and by the ESC/POS reader to show what paper
would look like. Black ink is 0, paper is 255 (mode "1")."""

from __future__ import annotations

import logging

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.ticket import (
    CHAR_H,
    CHAR_W,
    CUT_FEED_LINES,
    LINE_PITCH,
    Cut,
    Feed,
    Layout,
    PrinterConfig,
    QrBlock,
    TextLine,
    char_cols,
)

log = logging.getLogger(__name__)

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


class FontBook:
    """Fonts by pixel size, loaded once per book (not at import time)."""

    def __init__(self, path: str, index: int = 1) -> None:
        self._path = path
        self._index = index
        self._fonts: dict[int, FontType] = {}

    def get(self, size: int) -> FontType:
        font = self._fonts.get(size)
        if font is None:
            try:
                font = ImageFont.truetype(self._path, size, index=self._index)
            except OSError:
                log.warning("font %s not found; Chinese will not render", self._path)
                font = ImageFont.load_default()
            self._fonts[size] = font
        return font


def line_height(height_mul: int) -> int:
    return max(LINE_PITCH, CHAR_H * height_mul)


def render_text_line(
    text: str,
    paper_dots: int,
    fonts: FontBook,
    width_mul: int = 1,
    height_mul: int = 1,
    bold: bool = False,
    align: str = "left",
) -> Image.Image:
    """One printed text line as the printer's font A would place it."""
    cols = sum(char_cols(c) for c in text)
    size = CHAR_H * height_mul
    natural_w = max(1, cols * CHAR_W * height_mul)
    canvas = Image.new("1", (natural_w + 1, size), 1)
    draw = ImageDraw.Draw(canvas)
    font = fonts.get(size)
    y = -(size // 8)  # WenQuanYi sits ~1/8 em low in its box
    draw.text((0, y), text, font=font, fill=0)
    if bold:
        draw.text((1, y), text, font=font, fill=0)
    target_w = max(1, cols * CHAR_W * width_mul)
    if target_w != natural_w:
        canvas = canvas.resize((target_w + 1, size), Image.Resampling.NEAREST)
    line = Image.new("1", (paper_dots, line_height(height_mul)), 1)
    x = 0
    if align == "center":
        x = (paper_dots - target_w) // 2
    elif align == "right":
        x = paper_dots - target_w
    line.paste(canvas.crop((0, 0, min(canvas.width, paper_dots - max(x, 0)), size)), (max(x, 0), 0))
    return line


def qr_image(payload: str, module_dots: int) -> Image.Image:
    """QR code (ECC M, quiet zone of 2 modules), black on white, mode "1"."""
    code = qrcode.QRCode(border=2, box_size=module_dots, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the border
    n = len(matrix)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if cell else 1 for row in matrix for cell in row])
    return small.resize((n * module_dots, n * module_dots), Image.Resampling.NEAREST)


def centered(img: Image.Image, paper_dots: int) -> Image.Image:
    """Pad an image to the paper width so it prints centred on any printer."""
    if img.width >= paper_dots:
        return img.crop((0, 0, paper_dots, img.height))
    out = Image.new("1", (paper_dots, img.height), 1)
    out.paste(img, ((paper_dots - img.width) // 2, 0))
    return out


def stack(images: list[Image.Image], paper_dots: int) -> Image.Image:
    total = sum(i.height for i in images)
    out = Image.new("1", (paper_dots, max(total, 1)), 1)
    y = 0
    for img in images:
        out.paste(img, (0, y))
        y += img.height
    return out


def render_layout(layout: Layout, config: PrinterConfig, fonts: FontBook) -> Image.Image:
    """The printable part of a layout as one image (feeds and cut excluded)."""
    parts: list[Image.Image] = []
    paper = config.width_dots
    for block in layout.blocks:
        if isinstance(block, TextLine):
            parts.append(
                render_text_line(block.text, paper, fonts, block.width, block.height, block.bold, block.align)
            )
        elif isinstance(block, QrBlock):
            parts.append(centered(qr_image(block.payload, block.module_dots), paper))
        elif isinstance(block, (Feed, Cut)):
            continue
    return stack(parts, paper)


__all__ = ["FontBook", "render_text_line", "qr_image", "centered", "stack", "render_layout", "CUT_FEED_LINES"]
