"""Camera scanning: the only module that imports pyzbar.

Frames are untrusted input. pyzbar 0.1.9 raises on some symbols' orientation
(upstream issue 139, worked around by disabling the orientation lookup) and zbar
itself can abort the process on some malformed QR codes, so the kiosk should
decode through :class:`IsolatedDecoder`, which runs zbar in a child process and
restarts it if it dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
from multiprocessing import shared_memory
from dataclasses import dataclass
from typing import Any, Protocol

from PIL import Image, ImageOps

from devices.health import Consequence, DeviceHealth, DeviceState, Reason

log = logging.getLogger(__name__)

SYMBOLOGIES = ("QRCODE", "CODE128")


@dataclass(frozen=True)
class Frame:
    """A grayscale camera frame (8 bits per pixel, row-major)."""

    width: int
    height: int
    gray: bytes

    @classmethod
    def from_image(cls, img: Image.Image) -> "Frame":
        g = img.convert("L")
        return cls(g.width, g.height, g.tobytes())

    def image(self) -> Image.Image:
        return Image.frombytes("L", (self.width, self.height), self.gray)


@dataclass(frozen=True)
class Symbol:
    symbology: str  # "QRCODE" or "CODE128"
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class DecodeOutcome:
    symbols: tuple[Symbol, ...]
    health: DeviceHealth


def _zbar() -> Any:
    """Import pyzbar with the orientation bug worked around (idempotent)."""
    import pyzbar.pyzbar as pz

    # pyzbar 0.1.9 turns zbar's "unknown" orientation (-1) into a ValueError and
    # loses the whole decode; with the lookup disabled it skips orientation.
    pz.zbar_symbol_get_orientation = None
    return pz


def _plausible(symbology: str, data: bytes) -> bool:
    """Reject reads that are almost always noise (short Code 128 from textures)."""
    if symbology == "CODE128":
        return len(data) >= 4
    return len(data) >= 1


def _scan(pz: Any, img: Image.Image) -> list[Symbol]:
    wanted = [pz.ZBarSymbol[name] for name in SYMBOLOGIES]
    found = []
    for d in pz.decode(img, symbols=wanted):
        name = d.type
        if _plausible(name, d.data):
            found.append(Symbol(name, d.data))
    return found


def decode_image(img: Image.Image, thorough: bool = True) -> tuple[Symbol, ...]:
    """Decode QR and Code 128 in one image, in this process.

    ``thorough`` (for still photos) tries the image as is, then a
    contrast-stretched copy, then a half-size copy when nothing was found. Live
    camera frames use one pass: the next frame is the retry, and an empty frame
    must stay cheap.
    """
    pz = _zbar()
    if img.mode == "P":
        img = img.convert("RGBA")
    gray = img.convert("L")
    variants = [gray]
    seen: dict[tuple[str, bytes], Symbol] = {}
    for attempt in range(3 if thorough else 1):
        if attempt == 1:
            variants = [ImageOps.autocontrast(gray, cutoff=2)]
        elif attempt == 2:
            if max(gray.size) < 640:
                break
            variants = [gray.reduce(2)]
        for v in variants:
            for s in _scan(pz, v):
                seen.setdefault((s.symbology, s.data), s)
        if seen:
            break
    return tuple(seen.values())


def decode_frame(frame: Frame) -> tuple[Symbol, ...]:
    return decode_image(frame.image(), thorough=False)


class FrameDecoder(Protocol):
    device_id: str

    def decode(self, frame: Frame) -> DecodeOutcome: ...

    def close(self) -> None: ...


class InProcessDecoder:
    """Decodes in the caller's process: for trusted images and benchmarks."""

    def __init__(self, device_id: str = "camera-1") -> None:
        self.device_id = device_id

    def decode(self, frame: Frame) -> DecodeOutcome:
        try:
            return DecodeOutcome(decode_frame(frame), DeviceHealth.ok(self.device_id))
        except Exception:  # noqa: BLE001 - a bad frame must not stop scanning
            log.warning("decode failed", exc_info=True)
            return DecodeOutcome((), DeviceHealth(self.device_id, DeviceState.WARNING, Reason.GARBAGE))

    def close(self) -> None:
        return None


def _worker(conn: multiprocessing.connection.Connection) -> None:
    """Child process loop: frame announcements in, symbols out, until the pipe closes.

    Frames travel through shared memory so the pipe only carries small messages
    and the parent never blocks writing to a hung child.
    """
    shm: shared_memory.SharedMemory | None = None
    try:
        decode_frame(Frame(16, 16, bytes(256)))   # load zbar before saying ready: no slow first frame
        conn.send("ready")
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                return
            if msg is None:
                return
            name, width, height = msg
            try:
                if shm is None or shm.name != name:
                    if shm is not None:
                        shm.close()
                    shm = shared_memory.SharedMemory(name=name)
                gray = bytes(shm.buf[: width * height])
                symbols = decode_frame(Frame(width, height, gray))
                conn.send([(s.symbology, s.data) for s in symbols])
            except Exception:  # noqa: BLE001
                conn.send([])
    finally:
        if shm is not None:
            shm.close()


class IsolatedDecoder:
    """Decodes in a child process so a zbar crash can't take the kiosk down.

    The child starts on first use; if it dies or hangs, the frame is reported as
    ``decoder_crashed`` and a fresh child starts with the next frame. ``timeout_s``
    bounds one frame's decode; a starting child gets ``start_timeout_s`` to import
    zbar and say it is ready (a loaded kiosk box can take seconds to spawn Python:
    counting that against a frame's timeout would kill every new child in turn).
    """

    def __init__(self, device_id: str = "camera-1", timeout_s: float = 2.0, start_timeout_s: float = 20.0) -> None:
        self.device_id = device_id
        self.timeout_s = timeout_s
        self.start_timeout_s = start_timeout_s
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._shm: shared_memory.SharedMemory | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> multiprocessing.connection.Connection:
        if self._conn is None or self._proc is None or not self._proc.is_alive():
            self._stop_child()
            parent, child = self._ctx.Pipe()
            self._proc = self._ctx.Process(target=_worker, args=(child,), daemon=True, name="yimen-zbar")
            self._proc.start()
            child.close()
            self._conn = parent
            if not parent.poll(self.start_timeout_s) or parent.recv() != "ready":
                log.warning("zbar worker did not start within %.0f s", self.start_timeout_s)
                raise OSError("zbar worker did not start")
        return self._conn

    def decode(self, frame: Frame) -> DecodeOutcome:
        crashed = DecodeOutcome((), DeviceHealth(self.device_id, DeviceState.WARNING, Reason.DECODER_CRASHED, Consequence.NONE))
        try:
            size = frame.width * frame.height
            if self._shm is None or self._shm.size < size:
                self._stop_child(kill=True)  # the child holds the old segment
                self._free_shm()
                self._shm = shared_memory.SharedMemory(create=True, size=size)
            self._shm.buf[:size] = frame.gray[:size]
            conn = self._start()
            conn.send((self._shm.name, frame.width, frame.height))
            if not conn.poll(self.timeout_s):
                log.warning("zbar worker hung; restarting")
                self._stop_child(kill=True)
                return crashed
            found = conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            log.warning("zbar worker died; restarting", exc_info=True)
            self._stop_child(kill=True)
            return crashed
        return DecodeOutcome(tuple(Symbol(t, d) for t, d in found), DeviceHealth.ok(self.device_id))

    def _stop_child(self, kill: bool = False) -> None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        if kill and proc is not None and proc.is_alive():
            proc.kill()
        if conn is not None:
            if not kill:
                try:
                    conn.send(None)
                except (OSError, BrokenPipeError):
                    pass
            conn.close()
        if proc is not None:
            proc.join(timeout=1.0)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=1.0)
            proc.close()

    def _free_shm(self) -> None:
        shm, self._shm = self._shm, None
        if shm is not None:
            shm.close()
            shm.unlink()

    def close(self) -> None:
        self._stop_child()
        self._free_shm()
