"""Simulated serial devices on a pty pair, for demos and tests without hardware.

The driver opens ``sim.port`` (the pty's slave side) like any serial port; the
simulator reads what was sent on the master side and answers like the device
would, or stays silent.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import tty
from enum import StrEnum

from devices.board_protocol import BoardFrame, Command, FrameParser, encode_frame

log = logging.getLogger(__name__)


class PtyDevice:
    """A pty pair with a reader thread; subclasses answer what they receive."""

    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self.received = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "PtyDevice":
        self._thread = threading.Thread(target=self._run, name=f"pty-{type(self).__name__}", daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> "PtyDevice":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def send(self, data: bytes) -> None:
        """Bytes the device sends to the host (a scan, a status reply)."""
        os.write(self._master, data)

    def snapshot(self) -> bytes:
        with self._lock:
            return bytes(self.received)

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            with self._lock:
                self.received += chunk
            self.on_bytes(chunk)

    def on_bytes(self, chunk: bytes) -> None:
        return None


class PrinterMode(StrEnum):
    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    SILENT = "silent"
    GARBAGE = "garbage"


# (DLE EOT 1, DLE EOT 2, DLE EOT 4) replies per mode
_REPLIES: dict[PrinterMode, tuple[int, int, int]] = {
    PrinterMode.OK: (0x12, 0x12, 0x12),
    PrinterMode.PAPER_NEAR_END: (0x12, 0x12, 0x1E),
    PrinterMode.PAPER_OUT: (0x1A, 0x32, 0x7E),
    PrinterMode.COVER_OPEN: (0x1A, 0x16, 0x12),
}


class PtyPrinterSimulator(PtyDevice):
    """An ESC/POS printer that answers DLE EOT 1/2/4 according to ``mode``."""

    def __init__(self, mode: PrinterMode = PrinterMode.OK) -> None:
        super().__init__()
        self.mode = mode

    def on_bytes(self, chunk: bytes) -> None:
        start = 0
        while True:
            i = chunk.find(b"\x10\x04", start)
            if i < 0 or i + 2 >= len(chunk):
                return
            n = chunk[i + 2]
            start = i + 3
            if self.mode is PrinterMode.SILENT:
                continue
            if self.mode is PrinterMode.GARBAGE:
                self.send(b"\xff")
                continue
            replies = _REPLIES[self.mode]
            index = {1: 0, 2: 1, 4: 2}.get(n)
            if index is not None:
                self.send(bytes([replies[index]]))

    def printed(self) -> bytes:
        """What was sent, without the status queries."""
        data = self.snapshot()
        for q in (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04"):
            data = data.replace(q, b"")
        return data


class PtyBoardSimulator(PtyDevice):
    """A YLED-1 LED strip: decodes frames and ACKs those for its address."""

    def __init__(self, address: int = 1, answer: bool = True) -> None:
        super().__init__()
        self.address = address
        self.answer = answer
        self.frames: list[BoardFrame] = []
        self._parser = FrameParser()

    def on_bytes(self, chunk: bytes) -> None:
        for frame in self._parser.feed(chunk):
            self.frames.append(frame)
            if self.answer and frame.address == self.address:
                self.send(encode_frame(BoardFrame(self.address, Command.ACK, b"\x00")))
