"""The citizen kiosk as a Kivy app: the one place that wires client, devices and screens.

paho's callbacks and the scanner thread never touch the view-model: they hand the
value to the UI thread with ``Clock.schedule_once``. Blocking work (request + print)
runs on one worker thread whose results are posted back the same way.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from devices.health import DeviceHealth, DeviceState
from devices.scanner import ScanEvent, ScannerThread, WedgeDecoder
from kiosk.ui import register_fonts
from queue_server import clock
from queue_server.config import HallConfig
from queue_server.mqtt.client import HallClient
from queue_server.mqtt.schemas import Fault, Presence, QueuesState, Reply
from queue_server.workdays import local

from .catalogue import catalogue_from_config
from .journal import FileJournal, journal_path
from .screens import KioskRoot
from .texts import clock_text
from .viewmodel import KioskViewModel, Settings
from .wiring import Worker, fault_of, load_secret, load_staff_cards, make_camera, make_printer, make_scanner

log = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 6.0
PRINTER_CHECK_S = 30.0
SCANNER_CHECK_S = 5.0


@dataclass
class KioskOptions:
    cfg: HallConfig
    device_id: str
    credentials: Path
    data_dir: Path
    staff_pin: str = "2468"
    settings: dict[str, Any] = field(default_factory=dict)


def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


_LIBC = _libc()
M_ARENA_MAX = -8


def limit_malloc_arenas() -> None:
    """glibc gives each thread its own 64 MiB heap arena; the worker's print rasters
    would pin one. Two arenas keep a long-running kiosk's memory flat."""
    if _LIBC is not None:
        _LIBC.mallopt(M_ARENA_MAX, 2)


def release_free_memory() -> None:
    """Hand freed heap pages back to the system (glibc keeps them otherwise)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def on_ui(fn: Callable[[], None]) -> None:
    """Run ``fn`` on Kivy's thread at the next frame (safe from any thread)."""
    Clock.schedule_once(lambda _dt: fn(), 0)


class CitizenApp(App):
    title = "一门 取号机"

    def __init__(self, options: KioskOptions, **kw: Any) -> None:
        super().__init__(**kw)
        self.options = options
        self.printer = make_printer(options.cfg, options.device_id)
        self.scanner = make_scanner(options.cfg, options.device_id)
        self.camera = make_camera(options.cfg, options.device_id)     # None without a camera
        self.client: HallClient | None = None
        self.vm: KioskViewModel | None = None
        self.view: KioskRoot | None = None
        self._worker: Worker | None = None
        self._scan_thread: ScannerThread | None = None
        self._camera_thread: ScannerThread | None = None
        self._wedge = WedgeDecoder()
        self._health: dict[str, DeviceHealth] = {}       # printer, scanner, camera: last seen
        self._render = Clock.create_trigger(self._do_render, 0)

    # -- wiring ---------------------------------------------------------------------------
    def build(self) -> KioskRoot:
        register_fonts()
        limit_malloc_arenas()
        # The worker (request + print) must get the GIL quickly while Kivy draws.
        sys.setswitchinterval(0.001)
        o = self.options
        self._worker = Worker(on_ui)
        self.client = HallClient(o.cfg, o.device_id, o.credentials)
        settings = Settings(device_id=o.device_id, secret=load_secret(o.data_dir), staff_pin=o.staff_pin,
                            staff_cards=load_staff_cards(o.data_dir), **o.settings)
        self.vm = KioskViewModel(catalogue_from_config(o.cfg), settings, send=self._send, printer=self.printer,
                                 runner=self._worker, now=time.monotonic, today=self._today,
                                 report_printer=self._note_health,
                                 journal=FileJournal(journal_path(o.data_dir, o.device_id)))
        self.view = KioskRoot(self.vm, self._clock_text)
        self.vm.subscribe(self._render)
        self.client.on_queues(lambda q: on_ui(lambda: self._queues(q)))
        self.client.on_server_presence(lambda p: on_ui(lambda: self._presence(p)))
        self.client.start(wait=None)            # the kiosk shows "offline" until the broker answers
        self._scan_thread = ScannerThread(self.scanner, lambda e: on_ui(lambda: self._scanned(e))).start()
        if self.camera is not None:
            # Its own thread: a slow or failing camera never holds up the serial scanner.
            self._camera_thread = ScannerThread(self.camera, lambda e: on_ui(lambda: self._scanned(e))).start()
        Window.bind(on_touch_down=self._touched, on_key_down=self._key, size=lambda *_: self._render())
        Clock.schedule_interval(self._tick, 0.5)
        Clock.schedule_interval(lambda _dt: self.vm and self.vm.check_printer(), PRINTER_CHECK_S)
        Clock.schedule_interval(self._check_scanners, SCANNER_CHECK_S)
        self.vm.check_printer()
        return self.view

    def on_stop(self) -> None:
        if self._scan_thread is not None:
            self._scan_thread.stop()
        if self._camera_thread is not None:
            self._camera_thread.stop()          # also closes the camera and its zbar child
        if self._worker is not None:
            self._worker.stop()
        if self.client is not None:
            self.client.stop()
        self.printer.close()

    # -- the hall ----------------------------------------------------------------------------
    def _send(self, kind: str, args: dict[str, Any], command_id: str) -> Reply:
        """On the worker thread. Raises TimeoutError when no reply comes."""
        assert self.client is not None
        if not self.client.connected:
            raise TimeoutError("not connected to the hall's broker")
        return self.client.request(kind, args, timeout=REQUEST_TIMEOUT_S, retry_every=1.5, command_id=command_id)

    def _queues(self, q: QueuesState) -> None:
        if self.vm:
            self.vm.update_queues(q.items)

    def _presence(self, p: Presence) -> None:
        if self.vm:
            self.vm.set_server_online(p.online)

    def _note_health(self, health: DeviceHealth) -> None:
        """A device's health changed: log it and publish this kiosk's retained health, so
        a printer out of paper or an unplugged scanner or camera reaches the manager."""
        if self._health.get(health.device_id) == health:
            return
        self._health[health.device_id] = health
        log.log(logging.INFO if health.usable else logging.ERROR, "%s: %s", health.device_id, health.reason)
        if self.client is None:
            return
        faults = [Fault(**fault_of(h)) for h in self._health.values() if h.state is not DeviceState.OK]
        self.client.report_health(all(h.usable for h in self._health.values()), faults)

    def _check_scanners(self, _dt: float = 0) -> None:
        for device in (self.scanner, self.camera):
            if device is not None:
                self._note_health(device.health())

    # -- time and input -----------------------------------------------------------------------
    def _today(self) -> date:
        return local(clock.now(), self.options.cfg.hall.timezone).date()

    def _clock_text(self, lang: str) -> str:
        return clock_text(local(clock.now(), self.options.cfg.hall.timezone), lang)

    def _tick(self, _dt: float) -> None:
        if self.vm is None or self.client is None or self.view is None:
            return
        self.vm.set_link(self.client.connected)
        self.vm.tick()
        self.view.update_clock()
        for out in self._wedge.tick(time.monotonic()):
            if out.scan:
                self.vm.scanned_text(out.scan)

    def _touched(self, *_: Any) -> None:
        if self.vm:
            self.vm.touch()

    def _key(self, _window: Any, key: int, _scancode: int, codepoint: str | None, _mods: Any) -> bool:
        """A keyboard-wedge scanner types the code and Enter within milliseconds."""
        char = "\r" if key == 13 else codepoint
        if not char or self.vm is None:
            return False
        for out in self._wedge.key(char, time.monotonic()):
            if out.scan:
                self.vm.scanned_text(out.scan)
        return False

    def _scanned(self, event: ScanEvent) -> None:
        if self.vm:
            self.vm.scanned(event.result, event.text)

    def _do_render(self, *_: Any) -> None:
        if self.view is None or self.vm is None:
            return
        self.view.render()
        if self.vm.screen == "home":
            # Rebuilt screens leave widget cycles behind (bound callbacks): collect them
            # while nobody waits, so memory stays flat over a day of tickets.
            gc.collect()
            release_free_memory()
