"""Window LED strip driver over a serial line, and a recording fake.

The strip speaks the YLED-1 frame protocol (devices/board_protocol.py). Health
comes from PING acknowledgements when the strip answers, like the printer's
status; a strip that never answers is configured with ``expect_ack=False``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from devices.board_protocol import (
    BoardFrame,
    Command,
    FrameParser,
    WindowDisplayState,
    encode_frame,
    frames_for,
)
from devices.health import Consequence, DeviceHealth, DeviceState, Reason
from devices.serial_port import LinkDown, SerialLink, open_serial

log = logging.getLogger(__name__)


class WindowBoard(Protocol):
    device_id: str

    def show(self, state: WindowDisplayState) -> DeviceHealth: ...

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class BoardConfig:
    device_id: str = "board-1"
    port: str = "/dev/ttyUSB1"
    baudrate: int = 9600
    address: int = 1
    timeout_s: float = 0.3
    expect_ack: bool = True


class SerialBoard:
    """One strip (or several on one RS-485 line, by address). Opens lazily."""

    def __init__(self, config: BoardConfig, opener: Callable[[str, int, float], SerialLink] = open_serial) -> None:
        self.config = config
        self.device_id = config.device_id
        self._opener = opener
        self._link: SerialLink | None = None
        self._lock = threading.Lock()
        self._last: DeviceHealth = DeviceHealth(self.device_id, DeviceState.OFFLINE, Reason.NOT_OPENED, Consequence.CANNOT_DISPLAY)

    def _fault(self, reason: Reason) -> DeviceHealth:
        return DeviceHealth(self.device_id, DeviceState.OFFLINE, reason, Consequence.CANNOT_DISPLAY)

    def _open(self) -> SerialLink:
        if self._link is None:
            self._link = self._opener(self.config.port, self.config.baudrate, self.config.timeout_s)
        return self._link

    def _drop(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            link.close()

    def _await_reply(self, link: SerialLink) -> BoardFrame | None:
        parser = FrameParser()
        deadline = time.monotonic() + self.config.timeout_s
        while time.monotonic() < deadline:
            for frame in parser.feed(link.read(64)):
                if frame.address == self.config.address and frame.command in (Command.ACK, Command.NAK):
                    return frame
        return None

    def _send(self, frames: list[BoardFrame]) -> DeviceHealth:
        try:
            link = self._open()
            for frame in frames:
                link.write(encode_frame(frame))
                if self.config.expect_ack:
                    reply = self._await_reply(link)
                    if reply is None:
                        self._drop()
                        return self._fault(Reason.NOT_ANSWERING)
                    if reply.command == Command.NAK:
                        return DeviceHealth(self.device_id, DeviceState.FAULT, Reason.GARBAGE, Consequence.CANNOT_DISPLAY)
        except LinkDown:
            log.warning("board %s unplugged", self.device_id)
            self._drop()
            return self._fault(Reason.UNPLUGGED)
        return DeviceHealth.ok(self.device_id)

    def show(self, state: WindowDisplayState) -> DeviceHealth:
        with self._lock:
            self._last = self._send(frames_for(self.config.address, state))
            return self._last

    def health(self) -> DeviceHealth:
        if not self.config.expect_ack:
            return self._last
        with self._lock:
            self._last = self._send([BoardFrame(self.config.address, Command.PING)])
            return self._last

    def close(self) -> None:
        with self._lock:
            self._drop()


class RecordingBoard:
    """Keeps every state and frame it was asked to show; can be unplugged."""

    def __init__(self, device_id: str = "board-fake", address: int = 1) -> None:
        self.device_id = device_id
        self.address = address
        self.states: list[WindowDisplayState] = []
        self.frames: list[bytes] = []
        self._fault: Reason | None = None

    def fail_with(self, reason: Reason) -> None:
        self._fault = reason

    def recover(self) -> None:
        self._fault = None

    def show(self, state: WindowDisplayState) -> DeviceHealth:
        if self._fault is not None:
            return self.health()
        self.states.append(state)
        self.frames += [encode_frame(f) for f in frames_for(self.address, state)]
        return self.health()

    def health(self) -> DeviceHealth:
        if self._fault is not None:
            return DeviceHealth(self.device_id, DeviceState.OFFLINE, self._fault, Consequence.CANNOT_DISPLAY)
        return DeviceHealth.ok(self.device_id)

    @property
    def shown(self) -> WindowDisplayState | None:
        return self.states[-1] if self.states else None

    def close(self) -> None:
        return None
