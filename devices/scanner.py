"""Barcode and ID scanners: serial line framing, keyboard-wedge decoding, and a
scripted fake. Every scan is classified by :func:`devices.codes.classify_scan`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Protocol

from devices.codes import ScanResult, classify_scan
from devices.health import Consequence, DeviceHealth, DeviceState, Reason
from devices.serial_port import LinkDown, SerialLink, open_serial

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanEvent:
    """One scan: the text read and what it was classified as."""

    device_id: str
    text: str
    result: ScanResult

    def __repr__(self) -> str:  # never log a full ID number
        return f"ScanEvent({self.device_id!r}, kind={self.result.kind.value}, reason={self.result.reason})"


class Scanner(Protocol):
    device_id: str

    def poll(self, timeout_s: float = 0.1) -> list[ScanEvent]: ...

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


# --- line framing --------------------------------------------------------------

class LineFramer:
    """Splits a byte stream into scan lines: ``prefix`` + text + ``suffix``.

    Buffers are bounded: a line longer than ``max_line`` is dropped whole (up to
    its suffix), and so is a line with bytes outside printable ASCII.
    """

    def __init__(self, suffix: bytes = b"\r", prefix: bytes = b"", max_line: int = 128) -> None:
        if not suffix:
            raise ValueError("a suffix is required to frame lines")
        self.suffix = suffix
        self.prefix = prefix
        self.max_line = max_line
        self._buf = bytearray()
        self._overflow = False
        self.dropped_garbage = 0
        self.dropped_overlong = 0

    def feed(self, chunk: bytes) -> list[str]:
        lines: list[str] = []
        self._buf += chunk
        while True:
            end = self._buf.find(self.suffix)
            if end < 0:
                break
            raw = bytes(self._buf[:end])
            del self._buf[: end + len(self.suffix)]
            if self._overflow:
                self._overflow = False
                self.dropped_overlong += 1
                continue
            line = self._accept(raw)
            if line is not None:
                lines.append(line)
        limit = self.max_line + len(self.prefix) + len(self.suffix)
        if len(self._buf) > limit:
            # Keep a tail that may be the start of the suffix; drop the rest.
            keep = len(self.suffix) - 1
            self._buf = self._buf[len(self._buf) - keep :] if keep else bytearray()
            self._overflow = True
        return lines

    def _accept(self, raw: bytes) -> str | None:
        if self.prefix:
            start = raw.rfind(self.prefix)
            if start < 0:
                if raw.strip():
                    self.dropped_garbage += 1
                return None
            raw = raw[start + len(self.prefix) :]
        raw = raw.strip(b"\r\n\t ")
        if not raw:
            return None
        if len(raw) > self.max_line:
            self.dropped_overlong += 1
            return None
        if any(b < 0x20 or b > 0x7E for b in raw):
            self.dropped_garbage += 1
            return None
        return raw.decode("ascii")


# --- serial scanner --------------------------------------------------------------

@dataclass(frozen=True)
class ScannerConfig:
    device_id: str = "scanner-1"
    port: str = "/dev/ttyACM0"
    baudrate: int = 9600
    prefix: bytes = b""
    suffix: bytes = b"\r"
    max_line: int = 128
    reconnect_interval_s: float = 1.0


class SerialScanner:
    """A serial (or USB-CDC) scanner. ``poll`` from one thread; reconnects by itself."""

    def __init__(
        self,
        config: ScannerConfig,
        opener: Callable[[str, int, float], SerialLink] = open_serial,
        today: Callable[[], date] = date.today,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.device_id = config.device_id
        self._opener = opener
        self._today = today
        self._clock = clock
        self._link: SerialLink | None = None
        self._next_attempt = 0.0
        self._framer = self._new_framer()
        self._health = DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.NOT_OPENED, Consequence.CANNOT_SCAN)

    def _new_framer(self) -> LineFramer:
        c = self.config
        return LineFramer(c.suffix, c.prefix, c.max_line)

    @property
    def framer(self) -> LineFramer:
        return self._framer

    def _ensure_link(self, timeout_s: float) -> SerialLink | None:
        if self._link is not None:
            return self._link
        now = self._clock()
        if now < self._next_attempt:
            return None
        self._next_attempt = now + self.config.reconnect_interval_s
        try:
            self._link = self._opener(self.config.port, self.config.baudrate, timeout_s)
        except LinkDown:
            self._health = DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.UNPLUGGED, Consequence.CANNOT_SCAN)
            return None
        log.info("scanner %s connected", self.device_id)
        self._framer = self._new_framer()
        self._health = DeviceHealth.ok(self.device_id)
        return self._link

    def poll(self, timeout_s: float = 0.1) -> list[ScanEvent]:
        """Scans that completed since the last poll; waits at most about ``timeout_s``."""
        link = self._ensure_link(timeout_s)
        if link is None:
            time.sleep(min(timeout_s, 0.05))
            return []
        try:
            chunk = link.read(4096)
        except LinkDown:
            log.warning("scanner %s unplugged", self.device_id)
            self._drop()
            return []
        lines = self._framer.feed(chunk) if chunk else []
        today = self._today()
        return [ScanEvent(self.device_id, line, classify_scan(line, today)) for line in lines]

    def _drop(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            link.close()
        self._health = DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.UNPLUGGED, Consequence.CANNOT_SCAN)

    def health(self) -> DeviceHealth:
        return self._health

    def close(self) -> None:
        self._drop()
        self._health = DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.NOT_OPENED, Consequence.CANNOT_SCAN)


class ScannerThread:
    """Runs ``scanner.poll`` on its own thread and hands each scan to ``on_scan``.

    ``on_scan`` runs on this thread: in Kivy, forward with ``Clock.schedule_once``.
    """

    def __init__(self, scanner: Scanner, on_scan: Callable[[ScanEvent], None]) -> None:
        self._scanner = scanner
        self._on_scan = on_scan
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"scanner-{scanner.device_id}", daemon=True)

    def start(self) -> "ScannerThread":
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for event in self._scanner.poll(0.05):
                    self._on_scan(event)
            except Exception:  # noqa: BLE001 - keep scanning whatever a handler does
                log.exception("scan handling failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        self._scanner.close()


# --- keyboard wedge --------------------------------------------------------------

@dataclass(frozen=True)
class WedgeOutput:
    """Either a scan or keys a person typed, to pass on to the focused field."""

    scan: str | None = None
    typed: str = ""


class WedgeDecoder:
    """Tells a keyboard-wedge scan from typing by inter-key timing and terminator.

    A scanner types a whole code within a few milliseconds per key and ends with
    Enter (or Tab); people type slower than ``max_gap_s`` per key. Pure: the
    caller passes each key with its timestamp.
    """

    def __init__(self, max_gap_s: float = 0.035, min_length: int = 6, terminators: Iterable[str] = ("\r", "\n", "\t")) -> None:
        self.max_gap_s = max_gap_s
        self.min_length = min_length
        self.terminators = frozenset(terminators)
        self._keys: list[tuple[str, float]] = []

    def key(self, char: str, at: float) -> list[WedgeOutput]:
        out: list[WedgeOutput] = []
        if self._keys and at - self._keys[-1][1] > self.max_gap_s:
            out.append(self._flush_typed())
        if char in self.terminators:
            if len(self._keys) >= self.min_length and self._fast(at):
                text = "".join(c for c, _ in self._keys)
                self._keys.clear()
                out.append(WedgeOutput(scan=text))
            else:
                out.append(WedgeOutput(typed=self._flush_typed().typed + char))
            return [o for o in out if o.scan is not None or o.typed]
        self._keys.append((char, at))
        return [o for o in out if o.scan is not None or o.typed]

    def tick(self, now: float) -> list[WedgeOutput]:
        """Call from a timer: keys left waiting too long were typed by a person."""
        if self._keys and now - self._keys[-1][1] > self.max_gap_s:
            return [self._flush_typed()]
        return []

    def _fast(self, at: float) -> bool:
        times = [t for _, t in self._keys] + [at]
        return all(b - a <= self.max_gap_s for a, b in zip(times, times[1:]))

    def _flush_typed(self) -> WedgeOutput:
        text = "".join(c for c, _ in self._keys)
        self._keys.clear()
        return WedgeOutput(typed=text)


# --- scripted fake ---------------------------------------------------------------

class ScriptedScanner:
    """A scanner that plays back scripted scans, garbage, silence or an unplug.

    ``script(b"11010519491231002X\\r")`` queues raw bytes as if sent by the
    device; they go through the same framing and classification as a real one.
    """

    def __init__(self, device_id: str = "scanner-fake", suffix: bytes = b"\r", today: Callable[[], date] = date.today) -> None:
        self.device_id = device_id
        self._framer = LineFramer(suffix)
        self._chunks: deque[bytes] = deque()
        self._unplugged = False
        self._today = today
        self._arrived = threading.Event()

    def script(self, *chunks: bytes) -> None:
        self._chunks.extend(chunks)
        self._arrived.set()

    def scan(self, text: str) -> None:
        self._chunks.append(text.encode("ascii", errors="replace") + self._framer.suffix)
        self._arrived.set()

    def unplug(self) -> None:
        self._unplugged = True

    def replug(self) -> None:
        self._unplugged = False

    def poll(self, timeout_s: float = 0.1) -> list[ScanEvent]:
        """Waits up to ``timeout_s`` like a real port does when nothing comes (a poll
        that returned at once would spin its reader thread at a whole core)."""
        if self._unplugged or not self._chunks:
            self._arrived.clear()
            if self._unplugged or not self._chunks:
                self._arrived.wait(timeout_s)
            return []
        lines = self._framer.feed(self._chunks.popleft())
        return [ScanEvent(self.device_id, line, classify_scan(line, self._today())) for line in lines]

    def health(self) -> DeviceHealth:
        if self._unplugged:
            return DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.UNPLUGGED, Consequence.CANNOT_SCAN)
        return DeviceHealth.ok(self.device_id)

    def close(self) -> None:
        self._chunks.clear()
