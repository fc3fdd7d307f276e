"""Ticket printer adapter: the only module that imports python-escpos.

A print call returns a :class:`PrintResult`; a ticket counts as issued only when
``result.ok``. Health comes from the printer's real-time status replies taken
together (DLE EOT 1, 2 and 4; no answer is a fault, because python-escpos's
``paper_status()`` reports a silent printer as having paper), or, for printers
that never answer, from the paper length printed since the last roll change.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from escpos.printer import Dummy, File, Network, Serial, Usb
from PIL import Image

from devices.health import Consequence, DeviceHealth, DeviceState, Reason
from devices.raster import FontBook, render_layout
from devices.ticket import (
    CUT_FEED_LINES,
    ConnectionKind,
    Cut,
    Feed,
    Layout,
    PrinterConfig,
    QrBlock,
    TextLine,
    TextMode,
    TicketSlip,
    layout_length_mm,
    slip_layouts,
)
from devices import raster

log = logging.getLogger(__name__)

DLE_EOT_ONLINE = b"\x10\x04\x01"
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
DLE_EOT_PAPER = b"\x10\x04\x04"
FS_CHINESE_ON = b"\x1c\x26"
RASTER_FRAGMENT_ROWS = 480


# --- bytes -------------------------------------------------------------------

def raster_command(img: Image.Image) -> bytes:
    """GS v 0 raster bit image, split into fragments small printers can buffer."""
    mono = img.convert("1")
    width_bytes = (mono.width + 7) // 8
    padded = Image.new("1", (width_bytes * 8, mono.height), 1)
    padded.paste(mono, (0, 0))
    # Mode "1" packs 1 = white; ESC/POS wants 1 = black dot.
    data = bytes(b ^ 0xFF for b in padded.tobytes())
    out = bytearray()
    for top in range(0, mono.height, RASTER_FRAGMENT_ROWS):
        rows = min(RASTER_FRAGMENT_ROWS, mono.height - top)
        out += b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little")
        out += data[top * width_bytes : (top + rows) * width_bytes]
    return bytes(out)


def _text_mode_bytes(layout: Layout, config: PrinterConfig, p: Dummy) -> None:
    for block in layout.blocks:
        if isinstance(block, TextLine):
            p.set(align=block.align, bold=block.bold, custom_size=True, width=block.width, height=block.height)
            p._raw(block.text.encode("gb18030") + b"\n")
        elif isinstance(block, QrBlock):
            p.set(align="center", bold=False, custom_size=True, width=1, height=1)
            if config.qr_native:
                p.qr(block.payload, size=block.module_dots, native=True)
                p._raw(b"\n")
            else:
                p._raw(raster_command(raster.centered(raster.qr_image(block.payload, block.module_dots), config.width_dots)))
        elif isinstance(block, Feed):
            p.print_and_feed(block.lines)
        elif isinstance(block, Cut):
            p.set(align="left", bold=False, custom_size=True, width=1, height=1)
            p.cut(mode="PART")


def _image_mode_bytes(layout: Layout, config: PrinterConfig, p: Dummy, fonts: FontBook) -> None:
    p._raw(raster_command(render_layout(layout, config, fonts)))
    for block in layout.blocks:
        if isinstance(block, Feed):
            p.print_and_feed(block.lines)
        elif isinstance(block, Cut):
            p.cut(mode="PART")


def render_escpos(layouts: tuple[Layout, ...], config: PrinterConfig, fonts: FontBook | None = None) -> bytes:
    """The exact bytes a printer receives for these slips (pure, deterministic)."""
    p = Dummy(profile=config.profile)
    p.hw("INIT")
    if config.text_mode is TextMode.GB18030:
        p._raw(FS_CHINESE_ON)
        for layout in layouts:
            _text_mode_bytes(layout, config, p)
    else:
        book = fonts or FontBook(config.font_path, config.font_index)
        for layout in layouts:
            _image_mode_bytes(layout, config, p, book)
    return p.output


def render_ticket(slip: TicketSlip, config: PrinterConfig, with_notice: bool = False, fonts: FontBook | None = None) -> bytes:
    return render_escpos(slip_layouts(slip, config, with_notice), config, fonts)


# --- health ------------------------------------------------------------------

def _valid_status(byte: int | None) -> bool:
    """Real-time status bytes have bits 1 and 4 set and bits 0 and 7 clear."""
    return byte is not None and byte & 0x93 == 0x12


def health_from_status(device_id: str, online: int | None, cause: int | None, paper: int | None) -> DeviceHealth:
    """Decide health from DLE EOT 1 / 2 / 4 replies; a missing or malformed reply is a fault."""
    if not (_valid_status(online) and _valid_status(cause) and _valid_status(paper)):
        return DeviceHealth(device_id, DeviceState.OFFLINE, Reason.NOT_ANSWERING, Consequence.CANNOT_PRINT)
    assert online is not None and cause is not None and paper is not None
    if cause & 0x04:
        return DeviceHealth(device_id, DeviceState.FAULT, Reason.COVER_OPEN, Consequence.CANNOT_PRINT)
    if paper & 0x60 or cause & 0x20:
        return DeviceHealth(device_id, DeviceState.FAULT, Reason.PAPER_OUT, Consequence.CANNOT_PRINT)
    if cause & 0x40 or online & 0x08:
        return DeviceHealth(device_id, DeviceState.FAULT, Reason.PRINTER_ERROR, Consequence.CANNOT_PRINT)
    if paper & 0x0C:
        return DeviceHealth(device_id, DeviceState.WARNING, Reason.PAPER_NEAR_END, Consequence.PRINT_SOON_IMPOSSIBLE)
    return DeviceHealth.ok(device_id)


class PaperCounter:
    """Paper left on the roll, counted by length printed since the last roll change.

    With ``state_path`` the count survives restarts (written atomically after each
    ticket); without it a restart assumes a full roll.
    """

    def __init__(self, roll_length_mm: int, near_end_mm: int, printed_mm: float = 0.0, state_path: Path | None = None) -> None:
        self.roll_length_mm = roll_length_mm
        self.near_end_mm = near_end_mm
        self._printed_mm = printed_mm
        self._state_path = state_path
        self._loaded = state_path is None

    @property
    def printed_mm(self) -> float:
        self._load()
        return self._printed_mm

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        assert self._state_path is not None
        try:
            self._printed_mm = float(json.loads(self._state_path.read_text())["printed_mm"])
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("paper counter state %s unreadable; assuming a full roll", self._state_path)

    def _save(self) -> None:
        if self._state_path is None:
            return
        try:
            tmp = self._state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"printed_mm": round(self._printed_mm, 1)}))
            os.replace(tmp, self._state_path)
        except OSError:
            log.warning("paper counter state %s not saved", self._state_path, exc_info=True)

    @property
    def left_mm(self) -> float:
        return max(0.0, self.roll_length_mm - self.printed_mm)

    def add(self, mm: float) -> None:
        self._load()
        self._printed_mm += mm
        self._save()

    def roll_changed(self) -> None:
        self._loaded = True
        self._printed_mm = 0.0
        self._save()

    def health(self, device_id: str, next_job_mm: float = 0.0) -> DeviceHealth:
        if self.left_mm <= next_job_mm:
            return DeviceHealth(device_id, DeviceState.FAULT, Reason.PAPER_OUT, Consequence.CANNOT_PRINT)
        if self.left_mm <= self.near_end_mm:
            return DeviceHealth(device_id, DeviceState.WARNING, Reason.PAPER_NEAR_END, Consequence.PRINT_SOON_IMPOSSIBLE)
        return DeviceHealth.ok(device_id)


# --- the interface -----------------------------------------------------------

@dataclass(frozen=True)
class PrintResult:
    """Whether the ticket is on paper. The kiosk shows the number on screen if not."""

    ok: bool
    health: DeviceHealth
    slips: int = 0
    bytes_sent: int = 0

    @property
    def reason(self) -> Reason:
        return self.health.reason


class TicketPrinter(Protocol):
    device_id: str

    def print_ticket(self, slip: TicketSlip, with_notice: bool = False) -> PrintResult: ...

    def health(self) -> DeviceHealth: ...

    def roll_changed(self) -> None: ...

    def close(self) -> None: ...


class EscposPrinter:
    """A real printer over python-escpos. Opens lazily, reconnects after a failure.

    Thread-safe: one lock serialises printing and status queries.
    """

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        self.device_id = config.device_id
        self._conn: Any = None
        self._lock = threading.Lock()
        self._fonts = FontBook(config.font_path, config.font_index)
        self._counter = PaperCounter(
            config.roll_length_mm, config.near_end_mm, state_path=Path(config.paper_state_path) if config.paper_state_path else None
        )

    # connection --------------------------------------------------------------
    def _make(self) -> Any:
        c = self.config
        if c.kind is ConnectionKind.SERIAL:
            return Serial(devfile=c.device, baudrate=c.baudrate, timeout=c.timeout_s, dsrdtr=False, profile=c.profile)
        if c.kind is ConnectionKind.NETWORK:
            return Network(host=c.device, port=c.port, timeout=c.timeout_s, profile=c.profile)
        if c.kind is ConnectionKind.USB:
            return Usb(idVendor=c.usb_vendor_id, idProduct=c.usb_product_id, timeout=int(c.timeout_s * 1000), profile=c.profile)
        if c.kind is ConnectionKind.FILE:
            return File(devfile=c.device, profile=c.profile)
        return Dummy(profile=c.profile)

    def _open(self) -> Any:
        if self._conn is None:
            conn = self._make()
            conn.open()  # raises DeviceNotFoundError and friends
            self._conn = conn
        return self._conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a dying device may fail to close
                log.debug("close failed for %s", self.device_id, exc_info=True)

    def _unplugged(self) -> DeviceHealth:
        return DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.UNPLUGGED, Consequence.CANNOT_PRINT)

    # status ------------------------------------------------------------------
    def _query(self, conn: Any, command: bytes) -> int | None:
        dev = getattr(conn, "device", None)
        if hasattr(dev, "reset_input_buffer"):  # serial: read one byte, don't wait for 16
            dev.reset_input_buffer()
            dev.write(command)
            reply = dev.read(1)
        else:
            conn._raw(command)
            reply = conn._read()
        return reply[-1] if reply else None

    def _health_locked(self, next_job_mm: float = 0.0) -> DeviceHealth:
        c = self.config
        try:
            conn = self._open()
        except Exception:  # noqa: BLE001 - any open failure means we can't reach it
            log.warning("printer %s cannot be opened", self.device_id, exc_info=True)
            self._drop()
            return self._unplugged()
        if c.kind in (ConnectionKind.DUMMY, ConnectionKind.FILE) or not c.status_replies:
            return self._counter.health(self.device_id, next_job_mm)
        try:
            replies = [self._query(conn, cmd) for cmd in (DLE_EOT_ONLINE, DLE_EOT_OFFLINE_CAUSE, DLE_EOT_PAPER)]
        except Exception:  # noqa: BLE001
            log.warning("printer %s status query failed", self.device_id, exc_info=True)
            self._drop()
            return self._unplugged()
        health = health_from_status(self.device_id, *replies)
        if health.reason is Reason.NOT_ANSWERING:
            self._drop()  # reopen next time: the port may have been replugged
        return health

    def health(self) -> DeviceHealth:
        with self._lock:
            return self._health_locked()

    # printing ----------------------------------------------------------------
    def print_ticket(self, slip: TicketSlip, with_notice: bool = False) -> PrintResult:
        layouts = slip_layouts(slip, self.config, with_notice)
        length = sum(layout_length_mm(layout) for layout in layouts)
        with self._lock:
            before = self._health_locked(length)
            if not before.usable:
                return PrintResult(False, before)
            try:
                data = render_escpos(layouts, self.config, self._fonts)
                self._open()._raw(data)
            except Exception:  # noqa: BLE001 - never let a printer kill the kiosk
                log.warning("printer %s write failed", self.device_id, exc_info=True)
                self._drop()
                return PrintResult(False, DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.WRITE_FAILED, Consequence.CANNOT_PRINT))
            self._counter.add(length)
            after = self._health_locked() if self.config.status_replies else before
            # A printer that ran out or opened mid-ticket did not print it whole.
            ok = after.usable or after.reason is Reason.PAPER_NEAR_END
            return PrintResult(ok, after if not ok else before, len(layouts), len(data))

    def roll_changed(self) -> None:
        with self._lock:
            self._counter.roll_changed()

    def close(self) -> None:
        with self._lock:
            self._drop()


__all__ = [
    "EscposPrinter",
    "PaperCounter",
    "PrintResult",
    "TicketPrinter",
    "health_from_status",
    "raster_command",
    "render_escpos",
    "render_ticket",
    "CUT_FEED_LINES",
]
