"""The ticket as data: the slip, the printer's config, and a paper-independent layout.

Pure module (no python-escpos): the layout is a tuple of small blocks that the
printer adapter turns into ESC/POS text or into one raster image, so both text
modes print the same ticket.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

DOTS_PER_MM = 8  # 203 dpi thermal heads
CHAR_W = 12  # font A half-width cell, dots
CHAR_H = 24
LINE_PITCH = 30  # default line spacing (ESC 2), dots
CUT_FEED_LINES = 6  # python-escpos feeds 6 lines before cutting


class ConnectionKind(StrEnum):
    USB = "usb"
    SERIAL = "serial"
    NETWORK = "network"
    FILE = "file"
    DUMMY = "dummy"


class TextMode(StrEnum):
    GB18030 = "gb18030"  # printer has Chinese fonts: send GB18030 bytes
    IMAGE = "image"  # render the whole ticket as a raster image


@dataclass(frozen=True)
class TicketSlip:
    """Everything printed on one queue ticket. Never holds an ID number."""

    hall_name: str
    hall_name_en: str
    ticket_number: str
    item_name: str
    item_name_en: str
    people_ahead: int
    wait_minutes: tuple[int, int]
    issued_at: datetime  # hall local time, aware
    windows: tuple[str, ...]
    qr_payload: str  # ASCII only
    priority: bool = False
    materials: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.qr_payload.isascii():
            raise ValueError("qr_payload must be ASCII (ZBar guesses charsets wrongly)")
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must be timezone-aware hall local time")
        low, high = self.wait_minutes
        if low < 0 or high < low:
            raise ValueError("wait_minutes must be a (low, high) range")
        if self.people_ahead < 0:
            raise ValueError("people_ahead must be >= 0")


@dataclass(frozen=True)
class PrinterConfig:
    """One printer, as the hall config describes it. Nothing is opened from here."""

    device_id: str = "printer-1"
    kind: ConnectionKind = ConnectionKind.DUMMY
    paper_width_mm: Literal[58, 80] = 80
    text_mode: TextMode = TextMode.GB18030
    profile: str = "default"  # python-escpos capability profile name
    device: str = ""  # serial devfile, file path, or network host
    port: int = 9100
    baudrate: int = 9600
    usb_vendor_id: int = 0
    usb_product_id: int = 0
    timeout_s: float = 0.5
    status_replies: bool = True  # False: printer never answers DLE EOT; count paper
    roll_length_mm: int = 30_000
    near_end_mm: int = 2_000
    paper_state_path: str = ""  # where the paper counter persists, "" = memory only
    qr_native: bool = False  # True: printer draws the QR itself (GS ( k)
    qr_module_dots: int = 0  # 0: chosen from paper width
    font_path: str = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
    font_index: int = 1  # WenQuanYi Zen Hei Mono: 12-dot Latin, 24-dot Han

    @property
    def width_dots(self) -> int:
        return 384 if self.paper_width_mm == 58 else 576

    @property
    def columns(self) -> int:
        return self.width_dots // CHAR_W

    @property
    def qr_module(self) -> int:
        return self.qr_module_dots or (6 if self.paper_width_mm == 58 else 8)

    @property
    def number_scale(self) -> int:
        return 4 if self.paper_width_mm == 58 else 5


# --- layout blocks -----------------------------------------------------------

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TextLine:
    text: str
    width: int = 1  # character width multiplier 1-8
    height: int = 1
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class QrBlock:
    payload: str
    module_dots: int


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


Block = TextLine | QrBlock | Feed | Cut


@dataclass(frozen=True)
class Layout:
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def char_cols(ch: str) -> int:
    """Columns a character takes in font A: Han and full-width forms take two."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_cols(text: str) -> int:
    return sum(char_cols(c) for c in text)


def wrap(text: str, cols: int) -> list[str]:
    """Greedy wrap by display columns; breaks Latin text at spaces when it can."""
    lines: list[str] = []
    line = ""
    for word in _tokens(text):
        if text_cols(line + word) <= cols:
            line += word
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = word.lstrip()
        while text_cols(line) > cols:  # a single over-long word: hard break
            cut = _fit(line, cols)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _fit(text: str, cols: int) -> int:
    used = 0
    for i, ch in enumerate(text):
        used += char_cols(ch)
        if used > cols:
            return max(i, 1)
    return len(text)


def _tokens(text: str) -> list[str]:
    """Split into wrap units: each Han character alone, Latin words with their space."""
    tokens: list[str] = []
    buf = ""
    for ch in text:
        if char_cols(ch) == 2:
            if buf:
                tokens.append(buf)
                buf = ""
            tokens.append(ch)
        elif ch == " ":
            buf += ch
            tokens.append(buf)
            buf = ""
        else:
            buf += ch
    if buf:
        tokens.append(buf)
    return tokens


def _row(label: str, value: str, cols: int) -> list[TextLine]:
    """Label left, value right on one line, or value on its own line if too long."""
    gap = cols - text_cols(label) - text_cols(value)
    if gap >= 1:
        return [TextLine(label + " " * gap + value)]
    return [TextLine(line) for line in wrap(label, cols)] + [
        TextLine(line, align="right") for line in wrap(value, cols)
    ]


def _centered(text: str, cols: int, **style: object) -> list[TextLine]:
    width = int(style.get("width", 1))  # type: ignore[arg-type]
    return [TextLine(line, align="center", **style) for line in wrap(text, cols // width)]  # type: ignore[arg-type]


def ticket_layout(slip: TicketSlip, config: PrinterConfig) -> Layout:
    """The queue ticket, top to bottom; Chinese first, English beside or below."""
    cols = config.columns
    rule = TextLine("-" * cols)
    low, high = slip.wait_minutes
    blocks: list[Block] = []
    blocks += _centered(slip.hall_name, cols, width=2, height=2, bold=True)
    blocks += _centered(slip.hall_name_en, cols)
    blocks.append(rule)
    if slip.priority:
        blocks += _centered("【绿色通道】Priority", cols, bold=True)
    blocks += _centered("您的号码 Your number", cols)
    scale = config.number_scale
    blocks.append(TextLine(slip.ticket_number, width=scale, height=scale, bold=True, align="center"))
    blocks += _centered(slip.item_name, cols, width=2, height=2, bold=True)
    blocks += _centered(slip.item_name_en, cols)
    blocks.append(rule)
    blocks += _row("前面等候 Ahead", f"{slip.people_ahead} 人", cols)
    blocks += _row("预计等候 Wait", f"{low}-{high} 分钟/min", cols)
    blocks += _row("办理窗口 Window", "、".join(slip.windows) + " 号", cols)
    blocks += _row("取号时间 Issued", slip.issued_at.strftime("%Y-%m-%d %H:%M"), cols)
    blocks.append(QrBlock(slip.qr_payload, config.qr_module))
    blocks += _centered("请留意叫号，过号请及时到窗口说明", cols)
    blocks += _centered("Please listen for your number", cols)
    blocks += [Feed(1), Cut()]
    return Layout(tuple(blocks))


def notice_layout(slip: TicketSlip, config: PrinterConfig) -> Layout:
    """The one-time notice of required materials (一次性告知单), a second slip."""
    cols = config.columns
    rule = TextLine("-" * cols)
    blocks: list[Block] = []
    blocks += _centered("一次性告知单", cols, height=2, bold=True)
    blocks += _centered("One-time notice of required materials", cols)
    blocks.append(rule)
    blocks += _centered(slip.item_name, cols, bold=True)
    blocks += _centered(slip.item_name_en, cols)
    blocks.append(rule)
    blocks += [TextLine(line) for line in wrap("请准备以下材料 Please bring:", cols)]
    for i, material in enumerate(slip.materials, start=1):
        prefix = f"{i}. "
        for j, line in enumerate(wrap(material, cols - len(prefix))):
            blocks.append(TextLine((prefix if j == 0 else " " * len(prefix)) + line))
    blocks.append(rule)
    blocks += _centered(f"{slip.hall_name} {slip.ticket_number}", cols)
    blocks += [Feed(1), Cut()]
    return Layout(tuple(blocks))


def slip_layouts(slip: TicketSlip, config: PrinterConfig, with_notice: bool) -> tuple[Layout, ...]:
    if with_notice and slip.materials:
        return (ticket_layout(slip, config), notice_layout(slip, config))
    return (ticket_layout(slip, config),)


def qr_side_dots(payload: str, module_dots: int) -> int:
    """Side of the printed QR image, quiet zone included (for paper counting)."""
    import qrcode  # local: only needed when counting paper

    code = qrcode.QRCode(border=2, box_size=module_dots, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    return (code.modules_count + 4) * module_dots


def layout_length_mm(layout: Layout) -> float:
    """Paper a layout uses, for printers that never report paper status."""
    dots = 0
    for block in layout.blocks:
        if isinstance(block, TextLine):
            dots += max(LINE_PITCH, CHAR_H * block.height)
        elif isinstance(block, QrBlock):
            dots += qr_side_dots(block.payload, block.module_dots)
        elif isinstance(block, Feed):
            dots += LINE_PITCH * block.lines
        elif isinstance(block, Cut):
            dots += LINE_PITCH * CUT_FEED_LINES
    return dots / DOTS_PER_MM
