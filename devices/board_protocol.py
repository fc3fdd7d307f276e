"""Frame codec for window LED strips ("YLED-1", documented in docs/devices.md).

    STX 0x02 | ADDR CMD LEN PAYLOAD[LEN] CHK | ETX 0x03

CHK is the XOR of ADDR, CMD, LEN and every payload byte. Between STX and ETX,
any 0x02, 0x03 or 0x10 byte is sent as 0x10 followed by the byte XOR 0x20, so
STX and ETX never appear inside a frame. Pure module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

STX, ETX, DLE = 0x02, 0x03, 0x10
BROADCAST = 0xFF
MAX_PAYLOAD = 255
MAX_TEXT_BYTES = 64


class Command(IntEnum):
    SHOW = 0x31  # payload: line (1|2), effect, text in GB2312/GB18030
    CLEAR = 0x32
    BRIGHTNESS = 0x33  # payload: level 0-15
    PING = 0x35
    ACK = 0x06  # board -> host; payload: status byte (0 = ok)
    NAK = 0x15  # board -> host; payload: error code


class Effect(IntEnum):
    STATIC = 0
    SCROLL = 1
    BLINK = 2


@dataclass(frozen=True)
class BoardFrame:
    address: int
    command: int
    payload: bytes = b""


def checksum(body: bytes) -> int:
    value = 0
    for b in body:
        value ^= b
    return value


def _escape(body: bytes) -> bytes:
    out = bytearray()
    for b in body:
        if b in (STX, ETX, DLE):
            out += bytes((DLE, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def encode_frame(frame: BoardFrame) -> bytes:
    if not 0 <= frame.address <= 0xFF:
        raise ValueError("address must be one byte")
    if len(frame.payload) > MAX_PAYLOAD:
        raise ValueError("payload too long")
    body = bytes((frame.address, frame.command, len(frame.payload))) + frame.payload
    return bytes((STX,)) + _escape(body + bytes((checksum(body),))) + bytes((ETX,))


def encode_text(text: str) -> bytes:
    """GB2312 when possible (every strip knows it), GB18030 otherwise; cut to fit."""
    try:
        data = text.encode("gb2312")
    except UnicodeEncodeError:
        data = text.encode("gb18030")
    if len(data) <= MAX_TEXT_BYTES:
        return data
    cut = ""
    for ch in text:  # never split a double-byte character
        if len((cut + ch).encode("gb18030")) > MAX_TEXT_BYTES:
            break
        cut += ch
    return encode_text(cut)


def show_frame(address: int, line: int, text: str, effect: Effect = Effect.STATIC) -> BoardFrame:
    if line not in (1, 2):
        raise ValueError("line must be 1 or 2")
    return BoardFrame(address, Command.SHOW, bytes((line, effect)) + encode_text(text))


class FrameParser:
    """Finds frames in a byte stream; bad checksums and stray bytes are counted, not raised."""

    def __init__(self, max_frame: int = 2 * (MAX_PAYLOAD + 4)) -> None:
        self._buf: bytearray | None = None
        self._escaped = False
        self.max_frame = max_frame
        self.bad_frames = 0

    def feed(self, data: bytes) -> list[BoardFrame]:
        frames: list[BoardFrame] = []
        for b in data:
            if b == STX:
                if self._buf is not None:
                    self.bad_frames += 1
                self._buf, self._escaped = bytearray(), False
            elif self._buf is None:
                continue
            elif b == ETX:
                frame = self._finish(bytes(self._buf))
                self._buf = None
                if frame is None:
                    self.bad_frames += 1
                else:
                    frames.append(frame)
            elif self._escaped:
                self._buf.append(b ^ 0x20)
                self._escaped = False
            elif b == DLE:
                self._escaped = True
            else:
                self._buf.append(b)
                if len(self._buf) > self.max_frame:
                    self._buf = None
                    self.bad_frames += 1
        return frames

    @staticmethod
    def _finish(body: bytes) -> BoardFrame | None:
        if len(body) < 4 or body[2] != len(body) - 4:
            return None
        if checksum(body[:-1]) != body[-1]:
            return None
        return BoardFrame(body[0], body[1], body[3:-1])


def decode_frames(data: bytes) -> list[BoardFrame]:
    return FrameParser().feed(data)


def decode_text(frame: BoardFrame) -> tuple[int, Effect, str]:
    """(line, effect, text) of a SHOW frame."""
    if frame.command != Command.SHOW or len(frame.payload) < 2:
        raise ValueError("not a SHOW frame")
    return frame.payload[0], Effect(frame.payload[1]), frame.payload[2:].decode("gb18030")


class WindowStatus(StrEnum):
    SERVING = "serving"
    IDLE = "idle"
    PAUSED = "paused"  # 暂停服务: clerk stepped away
    CLOSED = "closed"  # 已关闭: window closed for the day


@dataclass(frozen=True)
class WindowDisplayState:
    """What one window's strip should show."""

    window_number: str
    status: WindowStatus
    ticket_number: str | None = None


def board_lines(state: WindowDisplayState) -> tuple[tuple[str, Effect], tuple[str, Effect]]:
    """The two lines of a strip for a window state (Chinese; strips are small)."""
    top = (f"{state.window_number}号窗口", Effect.STATIC)
    if state.status is WindowStatus.SERVING and state.ticket_number:
        return top, (f"请{state.ticket_number}号办理", Effect.STATIC)
    if state.status is WindowStatus.PAUSED:
        return top, ("暂停服务", Effect.BLINK)
    if state.status is WindowStatus.CLOSED:
        return top, ("已关闭", Effect.STATIC)
    return top, ("欢迎光临", Effect.SCROLL)


def frames_for(address: int, state: WindowDisplayState) -> list[BoardFrame]:
    (l1, e1), (l2, e2) = board_lines(state)
    return [show_frame(address, 1, l1, e1), show_frame(address, 2, l2, e2)]
