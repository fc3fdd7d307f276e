"""Camera scanning end to end: frame sources in, scans out.

A :class:`FrameSource` hands over grayscale frames: :class:`FakeCamera` (tests,
demos; fails on demand), :class:`FolderCamera` (``dir:`` — image files played in
name order, for drills) and :class:`V4L2Camera` (``v4l2:/dev/video0``, a USB
camera through linuxpy, imported only when such a camera is opened).
:class:`CameraScanner` is a :class:`devices.scanner.Scanner`: it grabs a few
frames a second, decodes them through :class:`devices.camera.IsolatedDecoder`
(zbar in a child process) and turns each code that comes into view into the
same :class:`devices.scanner.ScanEvent` a serial scanner gives — once per code
held up, not once per frame.

No Kivy here, and no pyzbar in this process. A read may be a full resident ID
number: it is never logged, and no repr or exception here contains it.
"""

from __future__ import annotations

import logging
import os
import select
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from devices.camera import Frame, FrameDecoder, IsolatedDecoder
from devices.codes import classify_scan
from devices.health import Consequence, DeviceHealth, DeviceState, Reason
from devices.scanner import ScanEvent

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm", ".ppm", ".webp"})
MAX_FOLDER_FRAME = 1280          # longer side of a dir: frame; big photos are shrunk to this


class FrameSource(Protocol):
    """Where camera frames come from. ``grab`` never raises for a device fault:
    it returns None and ``health`` (with ``detail`` in words) says why."""

    device_id: str
    detail: str

    def grab(self) -> Frame | None: ...

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


def _offline(device_id: str, reason: Reason) -> DeviceHealth:
    return DeviceHealth(device_id, DeviceState.OFFLINE, reason, Consequence.CANNOT_SCAN)


def blank_frame(width: int = 640, height: int = 480, level: int = 200) -> Frame:
    """A frame with nothing in view (an even grey wall)."""
    return Frame(width, height, bytes([level]) * (width * height))


# --- fake ------------------------------------------------------------------------------------

class FakeCamera:
    """A camera for tests and demos: shows whatever it is given, and fails on demand.

    ``show(image)`` puts a picture (PIL image or :class:`Frame`) in front of it
    until ``blank()``; ``unplug()`` makes ``grab`` return nothing and ``health``
    say ``unplugged`` until ``replug()``. Safe to drive from another thread.
    """

    def __init__(self, device_id: str = "camera-fake") -> None:
        self.device_id = device_id
        self.detail = ""
        self.grabs = 0
        self._frame: Frame = blank_frame()
        self._unplugged = False

    def show(self, image: Any) -> None:
        self._frame = image if isinstance(image, Frame) else Frame.from_image(image)

    def blank(self) -> None:
        self._frame = blank_frame()

    def unplug(self) -> None:
        self._unplugged = True
        self.detail = "the fake camera was unplugged"

    def replug(self) -> None:
        self._unplugged = False
        self.detail = ""

    def grab(self) -> Frame | None:
        if self._unplugged:
            return None
        self.grabs += 1
        return self._frame

    def health(self) -> DeviceHealth:
        return _offline(self.device_id, Reason.UNPLUGGED) if self._unplugged else DeviceHealth.ok(self.device_id)

    def close(self) -> None:
        return None


# --- folder ----------------------------------------------------------------------------------

def image_files(folder: Path) -> list[Path]:
    """The folder's images in name order (what a ``dir:`` camera plays)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def load_frame(path: Path, max_side: int = MAX_FOLDER_FRAME) -> Frame:
    """An image file as a grey frame, shrunk so a phone photo decodes as fast as a camera frame."""
    from PIL import Image

    with Image.open(path) as img:
        gray = img.convert("RGBA").convert("L") if img.mode == "P" else img.convert("L")
    gray.thumbnail((max_side, max_side))
    return Frame.from_image(gray)


class FolderCamera:
    """``dir:/path``: plays the folder's images in name order, each for ``hold_s``, looping.

    For drills and demos: ``01-appointment.png``, ``02-nothing.png``, ``03-id.png``
    show an appointment, then nothing, then an ID. The folder is listed again every
    pass, so files can be added while it runs.
    """

    def __init__(self, folder: str | Path, device_id: str = "camera-dir", hold_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.device_id = device_id
        self.folder = Path(folder)
        self.hold_s = hold_s
        self.detail = ""
        self._clock = clock
        self._start: float | None = None
        self._files: list[Path] = []
        self._listed_pass = -1
        self._current: tuple[Path, Frame] | None = None
        self._health = _offline(device_id, Reason.NOT_OPENED)

    def _fail(self, reason: Reason, detail: str) -> None:
        self._health, self.detail, self._current = _offline(self.device_id, reason), detail, None

    def grab(self) -> Frame | None:
        now = self._clock()
        if self._start is None:
            self._start = now
        slot = int((now - self._start) // self.hold_s)
        try:
            if not self._files or slot // len(self._files) != self._listed_pass:
                self._files = image_files(self.folder)
                self._listed_pass = slot // len(self._files) if self._files else -1
        except OSError:
            self._fail(Reason.UNPLUGGED, f"folder {self.folder} cannot be read")
            return None
        if not self._files:
            self._fail(Reason.NOT_OPENED, f"folder {self.folder} has no images")
            return None
        path = self._files[slot % len(self._files)]
        if self._current is None or self._current[0] != path:
            try:
                self._current = (path, load_frame(path))
            except Exception:  # noqa: BLE001 - a bad file in a demo folder must not stop scanning
                self._fail(Reason.GARBAGE, f"{path.name} is not a readable image")
                return None
        self._health, self.detail = DeviceHealth.ok(self.device_id), ""
        return self._current[1]

    def health(self) -> DeviceHealth:
        return self._health

    def close(self) -> None:
        self._current = None


# --- V4L2 (a real USB camera) -------------------------------------------------------------------

def gray_from_packed(data: bytes | memoryview, width: int, height: int, bytes_per_line: int,
                     bytes_per_pixel: int) -> bytes:
    """The luma of a packed frame: YUYV (2 bytes a pixel, Y first) or GREY (1 byte).

    Pure and cheap (slicing, no per-pixel Python), so a USB camera needs no
    image library in the kiosk for its usual formats.
    """
    row = width * bytes_per_pixel
    buf = memoryview(data)
    if bytes_per_line in (0, row):
        return bytes(buf[: row * height : bytes_per_pixel])
    return b"".join(bytes(buf[y * bytes_per_line : y * bytes_per_line + row : bytes_per_pixel]) for y in range(height))


def gray_from_jpeg(data: bytes | memoryview) -> Frame:
    """An MJPEG frame (cameras that offer nothing else) decoded with PIL."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(bytes(data))) as img:
        return Frame.from_image(img)


class V4L2Camera:
    """``v4l2:/dev/video0``: a UVC (USB) camera through linuxpy, asked for YUYV 640×480.

    Opens on the first grab and again every ``reconnect_interval_s`` after a
    failure; a missing device node, a node that is not a camera, a missing linuxpy
    or a camera that stops sending all come back as health (``detail`` says which
    in words), never as an exception. Only the newest queued frame is decoded.

    Untested on real hardware: the machine this was written on has no camera.
    """

    def __init__(self, path: str, device_id: str = "camera-v4l2", width: int = 640, height: int = 480,
                 frame_timeout_s: float = 1.0, reconnect_interval_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.device_id = device_id
        self.path = path
        self.width, self.height = width, height
        self.frame_timeout_s = frame_timeout_s
        self.reconnect_interval_s = reconnect_interval_s
        self.detail = ""
        self._clock = clock
        self._device: Any = None
        self._capture: Any = None
        self._format: Any = None
        self._next_attempt = 0.0
        self._health = _offline(device_id, Reason.NOT_OPENED)

    def _fail(self, reason: Reason, detail: str) -> None:
        self._health, self.detail = _offline(self.device_id, reason), detail
        self._close_device()
        self._next_attempt = self._clock() + self.reconnect_interval_s

    def _open(self) -> bool:
        if self._capture is not None:
            return True
        if self._clock() < self._next_attempt:
            return False
        if not os.path.exists(self.path):
            self._fail(Reason.UNPLUGGED, f"no camera at {self.path} (device node missing: is it plugged in?)")
            return False
        try:
            from linuxpy.video.device import Device, VideoCapture
        except ImportError:
            self._fail(Reason.NOT_OPENED, "linuxpy is not installed: pip install 'yimen[camera]'")
            return False
        try:
            self._device = Device(self.path)
            self._device.open()
            capture = VideoCapture(self._device)
            capture.set_format(self.width, self.height, "YUYV")
            self._format = capture.get_format()
            capture.open()
            self._capture = capture
        except Exception as exc:  # noqa: BLE001 - any driver failure is health, not a crash
            self._fail(Reason.UNPLUGGED, f"{self.path} could not be opened as a camera ({type(exc).__name__}: {exc})")
            return False
        log.info("camera %s: %s open, %dx%d %s", self.device_id, self.path, self._format.width,
                 self._format.height, getattr(self._format.pixel_format, "name", self._format.pixel_format))
        self._health, self.detail = DeviceHealth.ok(self.device_id), ""
        return True

    def grab(self) -> Frame | None:
        if not self._open():
            return None
        try:
            ready, _, _ = select.select([self._device], [], [], self.frame_timeout_s)
            if not ready:
                self._fail(Reason.NOT_ANSWERING, f"{self.path} sent no frame for {self.frame_timeout_s:.1f} s")
                return None
            raw = self._capture.buffer.raw_read()
            while select.select([self._device], [], [], 0)[0]:   # keep only the newest frame
                raw = self._capture.buffer.raw_read()
            return self._to_frame(raw.data)
        except Exception as exc:  # noqa: BLE001
            self._fail(Reason.UNPLUGGED, f"{self.path} stopped ({type(exc).__name__})")
            return None

    def _to_frame(self, data: bytes) -> Frame | None:
        f = self._format
        name = getattr(f.pixel_format, "name", "")
        if name == "YUYV":
            return Frame(f.width, f.height, gray_from_packed(data, f.width, f.height, f.bytes_per_line, 2))
        if name == "GREY":
            return Frame(f.width, f.height, gray_from_packed(data, f.width, f.height, f.bytes_per_line, 1))
        if name in ("MJPEG", "JPEG"):
            return gray_from_jpeg(data)
        self._fail(Reason.GARBAGE, f"{self.path} sends {name or f.pixel_format}, which yimen cannot read")
        return None

    def health(self) -> DeviceHealth:
        return self._health

    def _close_device(self) -> None:
        capture, device, self._capture, self._device = self._capture, self._device, None, None
        for part in (capture, device):
            if part is not None:
                try:
                    part.close()
                except Exception:  # noqa: BLE001 - closing a vanished camera may fail; it is gone anyway
                    pass

    def close(self) -> None:
        self._close_device()
        self._health = _offline(self.device_id, Reason.NOT_OPENED)


def open_source(connection: str, device_id: str) -> FrameSource:
    """The frame source a config's ``connection`` names: ``fake``, ``dir:/folder`` or ``v4l2:/dev/videoN``."""
    scheme, _, rest = connection.partition(":")
    if scheme == "dir" and rest:
        return FolderCamera(rest, device_id)
    if scheme == "v4l2" and rest:
        return V4L2Camera(rest, device_id)
    if connection == "fake":
        return FakeCamera(device_id)
    raise ValueError(f"camera {device_id}: connection must be fake, dir:/folder or v4l2:/dev/videoN")


# --- scanning ---------------------------------------------------------------------------------

class InView:
    """Which codes are in front of the camera: each counts once while it stays.

    A code is new when it was not seen in the last ``gone_after_s``; a code held up
    for a minute is one scan, and the same code gives a new scan only after it has
    been out of view that long. Keeps read texts in memory only (never in a repr).
    """

    def __init__(self, gone_after_s: float = 1.5) -> None:
        self.gone_after_s = gone_after_s
        self._last_seen: dict[str, float] = {}

    def seen(self, texts: Iterable[str], now: float) -> list[str]:
        """Record the texts read in one frame at ``now``; return those that just came into view."""
        self._last_seen = {t: at for t, at in self._last_seen.items() if now - at <= self.gone_after_s}
        new = [t for t in dict.fromkeys(texts) if t not in self._last_seen]
        for t in dict.fromkeys(texts):
            self._last_seen[t] = now
        return new

    def __len__(self) -> int:
        return len(self._last_seen)

    def __repr__(self) -> str:
        return f"InView({len(self._last_seen)} codes)"


class CameraScanner:
    """A :class:`devices.scanner.Scanner` that reads codes held up to a camera.

    At most ``rate_hz`` decodes a second (``idle_rate_hz`` after ``idle_after_s``
    with nothing in view, so an idle kiosk stays cool); decoding runs in the
    isolated zbar child, started with the first frame and closed with the scanner.
    A failing camera or decoder only changes ``health`` (logged once per change).
    """

    def __init__(self, source: FrameSource, decoder: FrameDecoder | None = None, *, rate_hz: float = 5.0,
                 idle_rate_hz: float = 2.0, idle_after_s: float = 30.0, gone_after_s: float = 1.5,
                 today: Callable[[], date] = date.today, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.device_id = source.device_id
        self.source = source
        self.decoder: FrameDecoder = decoder if decoder is not None else IsolatedDecoder(source.device_id)
        self.rate_hz = min(rate_hz, 5.0)
        self.idle_rate_hz = min(idle_rate_hz, self.rate_hz)
        self.idle_after_s = idle_after_s
        self.decodes = 0
        self._in_view = InView(gone_after_s)
        self._today, self._clock, self._sleep = today, clock, sleep
        self._next_decode = 0.0
        self._last_code = clock()
        self._decoder_health = DeviceHealth.ok(self.device_id)
        self._reported = DeviceHealth.ok(self.device_id)

    def _interval(self, now: float) -> float:
        idle = now - self._last_code > self.idle_after_s
        return 1.0 / (self.idle_rate_hz if idle else self.rate_hz)

    def poll(self, timeout_s: float = 0.1) -> list[ScanEvent]:
        """Codes that came into view; waits at most about ``timeout_s`` (or one frame's read)."""
        now = self._clock()
        if now < self._next_decode:
            self._sleep(min(timeout_s, self._next_decode - now))
            return []
        self._next_decode = now + self._interval(now)
        frame = self.source.grab()
        events: list[ScanEvent] = []
        if frame is not None:
            outcome = self.decoder.decode(frame)
            self.decodes += 1
            self._decoder_health = outcome.health
            seen_at = self._clock()
            texts = [s.text for s in outcome.symbols]
            if texts:
                self._last_code = seen_at
            today = self._today()
            events = [ScanEvent(self.device_id, t, classify_scan(t, today)) for t in self._in_view.seen(texts, seen_at)]
        self._note_health()
        return events

    def health(self) -> DeviceHealth:
        source = self.source.health()
        if not source.usable:
            return source
        return self._decoder_health if self._decoder_health.state is not DeviceState.OK else source

    def _note_health(self) -> None:
        """Log each change of health once, with the source's words (never a read text)."""
        now = self.health()
        if now == self._reported:
            return
        self._reported = now
        if now.state is DeviceState.OK:
            log.info("camera %s: working", self.device_id)
            return
        detail = f" ({self.source.detail})" if self.source.detail and not self.source.health().usable else ""
        log.warning("camera %s: %s, %s%s", self.device_id, now.state.value, now.reason.value, detail)

    def close(self) -> None:
        self.source.close()
        self.decoder.close()

    def __repr__(self) -> str:
        return f"CameraScanner({self.device_id!r}, {type(self.source).__name__})"
