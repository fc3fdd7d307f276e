"""Wiring shared by the apps' ``__main__``s, without Kivy: arguments, the hall
connection, a command runner off the UI thread, LED boards from config."""

from __future__ import annotations

import argparse
import logging
import os
import queue
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from devices.board import BoardConfig, RecordingBoard, SerialBoard, WindowBoard
from devices.health import DeviceHealth
from queue_server.config import Device, DeviceKind, HallConfig, load_config
from queue_server.mqtt import schemas as S

log = logging.getLogger(__name__)


def parser(description: str, default_size: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--config", default="config/county-hall.toml", help="the hall's config file")
    p.add_argument("--device", required=True, help="this device's id in the config, e.g. clerk-03")
    p.add_argument("--data", default=os.environ.get("YIMEN_DATA", "var"),
                   help="data folder; credentials are read from <data>/broker/credentials.json")
    p.add_argument("--credentials", default=os.environ.get("YIMEN_BROKER_CREDENTIALS"),
                   help="credentials.json (default: <data>/broker/credentials.json)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="screen language (zh first)")
    p.add_argument("--size", default=default_size, help="window size WxH when not full screen")
    p.add_argument("--fullscreen", action="store_true", help="take the whole screen (production)")
    p.add_argument("--probe", default=None, help=argparse.SUPPRESS)  # test hook: see kiosk/screens/probe.py
    p.add_argument("-v", "--verbose", action="store_true")
    return p


@dataclass(frozen=True)
class AppContext:
    cfg: HallConfig
    device: Device
    credentials: Path
    args: argparse.Namespace


class BadDevice(SystemExit):
    """The device id is unknown or of the wrong kind: say so plainly and stop."""


def context(args: argparse.Namespace, kinds: tuple[DeviceKind, ...]) -> AppContext:
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = load_config(args.config)
    device = cfg.device(args.device)
    if device is None:
        raise BadDevice(f"设备 {args.device} 不在配置中 / device {args.device} is not in {args.config}")
    if device.kind not in kinds:
        raise BadDevice(f"设备 {args.device} 的类型是 {device.kind}，不是 {'/'.join(kinds)} / wrong device kind")
    creds = Path(args.credentials) if args.credentials else Path(args.data) / "broker" / "credentials.json"
    check_credentials(creds, device.id)
    return AppContext(cfg, device, creds, args)


def check_credentials(path: Path, device_id: str) -> None:
    """Stop with a plain message (not a traceback) when this device cannot log in."""
    from queue_server.mqtt.broker import Credentials, CredentialsError

    try:
        Credentials.load(path).password(device_id)
    except CredentialsError as e:
        raise BadDevice(str(e)) from None
    except KeyError:
        raise BadDevice(f"凭据文件 {path} 中没有设备 {device_id} 的账号 / no broker identity for {device_id} "
                        f"in {path} (regenerate it with the current config)") from None


def size_of(text: str) -> tuple[int, int]:
    w, _, h = text.lower().partition("x")
    return int(w), int(h)


# -- commands off the UI thread -------------------------------------------------------

class Requester(Protocol):
    def request(self, kind: str, args: dict[str, Any] | None = None, *, timeout: float = 10.0,
                retry_every: float = 2.0, command_id: str | None = None) -> S.Reply: ...


Done = Callable[[S.Reply | None, str | None], None]   # (reply, error text when no reply)


class CommandRunner:
    """One worker thread sends commands in order; ``done`` runs on that thread (the app
    wraps it with ``Clock.schedule_once``).  A request blocks until its reply, so it
    must never run on the UI thread or inside a paho callback."""

    def __init__(self, client: Requester, device_id: str, timeout: float = 8.0) -> None:
        self._client = client
        self._device = device_id
        self._timeout = timeout
        self._queue: queue.Queue[tuple[str, dict[str, Any], Done] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=f"commands-{device_id}", daemon=True)

    def start(self) -> "CommandRunner":
        self._thread.start()
        return self

    def submit(self, kind: str, args: dict[str, Any], done: Done) -> None:
        self._queue.put((kind, args, done))

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            kind, args, done = job
            cid = f"{self._device}-{uuid.uuid4().hex[:16]}"
            try:
                reply: S.Reply | None = self._client.request(kind, args, timeout=self._timeout, command_id=cid)
                err = None
            except TimeoutError:
                reply, err = None, "服务器无响应，请稍后再试 / No answer from the hall server"
            except Exception as e:  # noqa: BLE001 - a failed send must not end the worker
                log.exception("%s %s failed", kind, args)
                reply, err = None, f"发送失败 / Send failed: {type(e).__name__}"
            try:
                done(reply, err)
            except Exception:
                log.exception("command callback failed")

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)


# -- LED strips ------------------------------------------------------------------------

def led_for_window(cfg: HallConfig, window: int) -> Device | None:
    return next((d for d in cfg.devices if d.kind == DeviceKind.LED and d.window == window), None)


def make_led(device: Device) -> WindowBoard:
    """``connection = "fake"`` → a recording board; ``serial:/dev/ttyUSB1[@9600][#addr]``
    → the YLED-1 serial driver (devices/board.py)."""
    conn = device.connection
    if conn == "fake" or not conn.startswith("serial:"):
        if conn != "fake":
            log.warning("LED %s: connection %r not supported, using the fake", device.id, conn)
        return RecordingBoard(device.id)
    spec = conn.removeprefix("serial:")
    spec, _, addr = spec.partition("#")
    port, _, baud = spec.partition("@")
    return SerialBoard(BoardConfig(device_id=device.id, port=port, baudrate=int(baud or 9600),
                                   address=int(addr or 1)))


def faults_of(health: DeviceHealth) -> list[S.Fault]:
    if health.usable and health.reason.value == "none":
        return []
    return [S.Fault(device=health.device_id, reason=health.reason.value, consequence=health.consequence.value)]
