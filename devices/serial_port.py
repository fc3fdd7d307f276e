"""Serial adapter: the only module that imports pyserial.

Other modules get a :class:`SerialLink` and a single exception type,
:class:`LinkDown`, so they never depend on pyserial's classes.
"""

from __future__ import annotations

import logging
from typing import Protocol

import serial

log = logging.getLogger(__name__)


class LinkDown(Exception):
    """The port is missing, was unplugged, or failed mid-transfer."""


class SerialLink(Protocol):
    def read(self, max_bytes: int) -> bytes: ...

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class PySerialLink:
    """A pyserial port whose errors all become :class:`LinkDown`."""

    def __init__(self, port: serial.Serial) -> None:
        self._port = port

    def read(self, max_bytes: int) -> bytes:
        """Wait up to the port timeout for a first byte, then take what is there."""
        try:
            first = self._port.read(1)
            if not first:
                return b""
            waiting = self._port.in_waiting
            rest = self._port.read(min(waiting, max_bytes - 1)) if waiting else b""
            return first + rest
        except (serial.SerialException, OSError) as e:
            raise LinkDown(str(e)) from e

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
            self._port.flush()
        except (serial.SerialException, OSError) as e:
            raise LinkDown(str(e)) from e

    def read_exact(self, count: int) -> bytes:
        try:
            return self._port.read(count)
        except (serial.SerialException, OSError) as e:
            raise LinkDown(str(e)) from e

    def reset_input(self) -> None:
        try:
            self._port.reset_input_buffer()
        except (serial.SerialException, OSError) as e:
            raise LinkDown(str(e)) from e

    def close(self) -> None:
        try:
            self._port.close()
        except (serial.SerialException, OSError):
            log.debug("close failed", exc_info=True)


def open_serial(port: str, baudrate: int = 9600, timeout_s: float = 0.1) -> PySerialLink:
    """Open a serial port (8N1, no flow control) or raise :class:`LinkDown`."""
    try:
        return PySerialLink(serial.Serial(port=port, baudrate=baudrate, timeout=timeout_s, write_timeout=timeout_s * 10))
    except (serial.SerialException, OSError, ValueError) as e:
        raise LinkDown(str(e)) from e
