"""Serial caller keypad (叫号器) for clerks without a screen console: protocol YKP-1.

Each key press arrives as one ASCII line, ``@`` + three-digit window + key + ``\\r``
(``@003N\\r``: window 3 pressed "next").  The hall answers with a display line for the
keypad's small LCD, ``#`` + three-digit window + text in GB18030 + ``\\r``
(``#003A012 办理中\\r``).  Lines longer than 64 bytes, with an unknown key or a
malformed window, are dropped; a keypad never brings the hall down.

Keys: N next, R recall, X no-show, S start, F finish, H hold, P pause window, O open window.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from .health import Consequence, DeviceHealth, DeviceState, Reason
from .scanner import LineFramer
from .serial_port import LinkDown, SerialLink, open_serial

log = logging.getLogger(__name__)

MAX_LINE = 64


class Key(StrEnum):
    NEXT = "N"
    RECALL = "R"
    NO_SHOW = "X"
    START = "S"
    FINISH = "F"
    HOLD = "H"
    PAUSE = "P"
    OPEN = "O"


@dataclass(frozen=True)
class KeyPress:
    window: int
    key: Key


def parse_line(line: str) -> KeyPress | None:
    """One framed line (without ``\\r``) to a key press, or None when it is not one."""
    if len(line) != 5 or line[0] != "@" or not line[1:4].isdigit():
        return None
    try:
        key = Key(line[4].upper())
    except ValueError:
        return None
    window = int(line[1:4])
    return KeyPress(window, key) if window > 0 else None


def encode_display(window: int, text: str) -> bytes:
    """The LCD line for a window: GB18030, cut to what the line may carry."""
    if not 1 <= window <= 999:
        raise ValueError(f"window {window} is out of range 1-999")
    body = text.replace("\r", " ").replace("\n", " ").encode("gb18030", errors="replace")
    return b"#" + f"{window:03d}".encode() + body[: MAX_LINE - 5] + b"\r"


def encode_press(press: KeyPress) -> bytes:
    """What a keypad sends (used by simulators and tests)."""
    return f"@{press.window:03d}{press.key.value}\r".encode()


class SerialKeypad:
    """A keypad on a serial line: ``poll`` from one thread; reconnects by itself."""

    def __init__(self, device_id: str, port: str, baudrate: int = 9600,
                 opener: Callable[[str, int, float], SerialLink] = open_serial,
                 reconnect_interval_s: float = 2.0) -> None:
        self.device_id = device_id
        self.port = port
        self.baudrate = baudrate
        self._opener = opener
        self._reconnect = reconnect_interval_s
        self._next_attempt = 0.0
        self._link: SerialLink | None = None
        self._framer = LineFramer(b"\r", b"", MAX_LINE)
        self.health = DeviceHealth(device_id, DeviceState.OFFLINE, Reason.NOT_OPENED, Consequence.CANNOT_SCAN)

    def _ensure(self, timeout_s: float) -> SerialLink | None:
        if self._link is not None:
            return self._link
        now = time.monotonic()
        if now < self._next_attempt:
            return None
        self._next_attempt = now + self._reconnect
        try:
            self._link = self._opener(self.port, self.baudrate, timeout_s)
        except LinkDown:
            self.health = DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.UNPLUGGED, Consequence.CANNOT_SCAN)
            return None
        self._framer = LineFramer(b"\r", b"", MAX_LINE)
        self.health = DeviceHealth.ok(self.device_id)
        return self._link

    def poll(self, timeout_s: float = 0.1) -> list[KeyPress]:
        link = self._ensure(timeout_s)
        if link is None:
            time.sleep(min(timeout_s, 0.05))
            return []
        try:
            chunk = link.read(256)
        except LinkDown:
            self._drop()
            return []
        presses = []
        for line in self._framer.feed(chunk) if chunk else []:
            press = parse_line(line.strip())
            if press is None:
                log.warning("keypad %s: dropped a malformed line (%d bytes)", self.device_id, len(line))
            else:
                presses.append(press)
        return presses

    def show(self, window: int, text: str) -> None:
        if self._link is None:
            return
        try:
            self._link.write(encode_display(window, text))
        except LinkDown:
            self._drop()

    def _drop(self) -> None:
        log.warning("keypad %s unplugged", self.device_id)
        if self._link is not None:
            try:
                self._link.close()
            except Exception:  # closing a vanished port may fail; it is gone either way
                pass
        self._link = None
        self.health = DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.UNPLUGGED, Consequence.CANNOT_SCAN)

    def close(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None
