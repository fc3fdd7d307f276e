"""What a kiosk is made of, chosen from the hall config (no Kivy here).

The printer, scanner and camera are the devices whose ``kiosk =`` names this kiosk;
``connection = "fake"`` gives devices' working fakes. The keyed-hash secret for ID
numbers is one file per hall (``<data>/kiosk-secret``), created on first start.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import threading
from pathlib import Path
from typing import Any, Callable

from devices.camera_source import CameraScanner, open_source
from devices.fakes import RecordingPrinter
from devices.health import DeviceHealth
from devices.printer import EscposPrinter, PrintResult
from devices.scanner import ScannerConfig, ScriptedScanner, SerialScanner
from devices.ticket import ConnectionKind, PrinterConfig, TextMode, TicketSlip
from queue_server.config import Device, DeviceKind, HallConfig

log = logging.getLogger(__name__)

SECRET_FILE = "kiosk-secret"


def load_secret(data_dir: str | Path) -> bytes:
    """The hall's secret for keyed ID hashes: every kiosk of a hall must share it.

    Created (32 random bytes, mode 0600) when missing. Kiosks on other machines get a
    copy of this file; the server never needs it, it only sees the hashes.
    """
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        log.info("created the hall's kiosk secret at %s", path)
    value = path.read_text().strip().encode()
    if len(value) < 16:
        raise ValueError(f"{path}: the kiosk secret is too short (at least 16 characters)")
    return value


STAFF_CARDS_FILE = "staff-cards"


def load_staff_cards(data_dir: str | Path) -> frozenset[str]:
    """The staff badges that unlock the green channel: ``<data>/staff-cards``, one keyed
    hash per line (``python -m kiosk.citizen --add-staff-card``), ``#`` comments. Missing
    file: no badges, the PIN still works."""
    path = Path(data_dir) / STAFF_CARDS_FILE
    if not path.exists():
        return frozenset()
    hashes = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            log.error("%s line %d: not a staff card hash (64 hex characters); ignored", path, n)
            continue
        hashes.add(value)
    return frozenset(hashes)


def _attached(cfg: HallConfig, kiosk_id: str, kind: DeviceKind) -> Device | None:
    return next((d for d in cfg.devices if d.kind is kind and d.kiosk == kiosk_id), None)


def printer_config(device: Device) -> PrinterConfig:
    """``connection``: fake, usb:VID:PID, serial:/dev/ttyUSB0, network:host[:port], file:/path."""
    scheme, _, rest = device.connection.partition(":")
    base: dict[str, Any] = {"device_id": device.id, "paper_width_mm": device.paper_mm,
                            "text_mode": TextMode(device.text_mode)}
    if scheme == "usb":
        vid, _, pid = rest.partition(":")
        return PrinterConfig(kind=ConnectionKind.USB, usb_vendor_id=int(vid, 16), usb_product_id=int(pid, 16), **base)
    if scheme == "serial":
        return PrinterConfig(kind=ConnectionKind.SERIAL, device=rest, **base)
    if scheme == "network":
        host, _, port = rest.partition(":")
        return PrinterConfig(kind=ConnectionKind.NETWORK, device=host, port=int(port or 9100), **base)
    if scheme == "file":
        return PrinterConfig(kind=ConnectionKind.FILE, device=rest, **base)
    return PrinterConfig(kind=ConnectionKind.DUMMY, **base)


class DemoPrinter(RecordingPrinter):
    """The fake printer of a hall without hardware: keeps only the last few tickets,
    so a kiosk running all day on the fake does not grow without bound, and puts in a
    new roll by itself (failures are still available through ``fail_with``)."""

    keep = 20

    def print_ticket(self, slip: TicketSlip, with_notice: bool = False) -> PrintResult:
        if self._counter.left_mm < self.config.near_end_mm:
            log.info("%s (fake): new paper roll", self.device_id)
            self.roll_changed()
        result = super().print_ticket(slip, with_notice)
        with self._lock:
            del self.jobs[:-self.keep]
            del self.slips[:-self.keep]
        return result


def make_printer(cfg: HallConfig, kiosk_id: str) -> RecordingPrinter | EscposPrinter:
    device = _attached(cfg, kiosk_id, DeviceKind.PRINTER)
    if device is None:
        log.warning("%s has no printer in the config: using a recording fake", kiosk_id)
        return DemoPrinter(PrinterConfig(device_id=f"{kiosk_id}-printer"))
    config = printer_config(device)
    if device.connection == "fake":
        return DemoPrinter(config)
    return EscposPrinter(config)


def make_scanner(cfg: HallConfig, kiosk_id: str) -> ScriptedScanner | SerialScanner:
    device = _attached(cfg, kiosk_id, DeviceKind.SCANNER)
    if device is not None and device.connection.startswith("serial:"):
        return SerialScanner(ScannerConfig(device_id=device.id, port=device.connection.partition(":")[2]))
    return ScriptedScanner(device.id if device else f"{kiosk_id}-scanner")


def make_camera(cfg: HallConfig, kiosk_id: str) -> CameraScanner | None:
    """The kiosk's camera scanner, or None when no camera names this kiosk.

    Nothing starts here: the zbar child process starts with the first frame.
    A connection string the config check missed is logged and the kiosk runs on
    without a camera rather than not at all.
    """
    device = _attached(cfg, kiosk_id, DeviceKind.CAMERA)
    if device is None:
        return None
    try:
        return CameraScanner(open_source(device.connection, device.id))
    except ValueError as exc:
        log.error("%s", exc)
        return None


def fault_of(health: DeviceHealth) -> dict[str, str]:
    """The wire fields of a Fault (device, reason, consequence)."""
    return {"device": health.device_id, "reason": str(health.reason), "consequence": str(health.consequence)}


class Worker:
    """One background thread for blocking work (request + print), results posted back.

    One thread, not one per tap: requests and prints are serialised and the thread is
    joined on stop, so nothing outlives the app.
    """

    def __init__(self, post: Callable[[Callable[[], None]], None]) -> None:
        self._post = post
        self._jobs: queue.Queue[tuple[Callable[[], Any], Callable[[Any], None]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="kiosk-worker", daemon=True)
        self._thread.start()

    def __call__(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self._jobs.put((work, done))

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            work, done = job
            try:
                value = work()
            except Exception:  # noqa: BLE001 - a bug in one job must not kill the kiosk
                log.exception("kiosk background job failed")
                continue
            self._post(lambda v=value, d=done: d(v))

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)
