"""A real Mosquitto on a free port, the MQTT server on a real SQLite store, device
clients — and the real Kivy apps, each in its own process under Xvfb, driven through
their ``--probe`` folder (shared fixtures: tests/hall_support.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from queue_server.mqtt.broker import BrokerFiles

from hall_support import (  # noqa: F401  (fixtures are found by name)
    NOW, REPO, Inbox, broker, broker_files, cfg, creds, device, hall, no_leaked_threads, pinned_clock, server,
)

CONFIG = REPO / "config" / "county-hall.toml"


# -- the real apps, one process each -------------------------------------------------------

MODULES = {"board": "kiosk.board", "display": "kiosk.window_display", "led": "kiosk.window_display",
           "clerk": "kiosk.clerk", "manager": "kiosk.manager", "rating": "kiosk.rating"}


class AppProcess:
    """``python -m kiosk.<app> --device ...`` with a probe folder; shots and presses."""

    def __init__(self, device_id: str, creds_path: Path, folder: Path, size: str | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        kind = device_id.rsplit("-", 1)[0]
        self.device_id = device_id
        self.dir = folder
        self.dir.mkdir(parents=True, exist_ok=True)
        for f in self.dir.glob("*"):
            f.unlink()
        cmd = [sys.executable, "-m", MODULES[kind], "--config", str(CONFIG), "--device", device_id,
               "--credentials", str(creds_path), "--probe", str(self.dir), *extra]
        if size:
            cmd += ["--size", size]
        self.log = open(folder.parent / f"{folder.name}.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        self._n = 0

    def wait_ready(self, timeout: float = 30.0) -> "AppProcess":
        deadline = time.monotonic() + timeout
        while not (self.dir / "ready").exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.device_id} exited: {self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.device_id} not ready: {self.output()}")
            time.sleep(0.05)
        return self

    def output(self) -> str:
        self.log.flush()
        return (self.dir.parent / f"{self.dir.name}.log").read_text()[-3000:]

    def ask(self, request: dict[str, Any], timeout: float = 15.0, name: str | None = None) -> dict[str, Any]:
        self._n += 1
        name = name or f"r{self._n:03d}"
        tmp = self.dir / f"{name}.tmp-req"
        tmp.write_text(json.dumps(request))
        os.replace(tmp, self.dir / f"{name}.req")
        done = self.dir / f"{name}.done"
        deadline = time.monotonic() + timeout
        while not done.exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.device_id} exited: {self.output()}")
            assert time.monotonic() < deadline, f"{self.device_id} did not answer {request}: {self.output()}"
            time.sleep(0.03)
        return json.loads(done.read_text())

    def shot(self, name: str) -> tuple[Path, list[str]]:
        out = self.ask({"shot": True}, name=name)
        self.state = out.get("state", {})
        return self.dir / f"{name}.png", out["texts"]

    def shot_until(self, name: str, pred: Callable[[str], bool], timeout: float = 10.0) -> tuple[Path, str]:
        """Screenshots until the joined texts satisfy ``pred`` (state arrives async)."""
        deadline = time.monotonic() + timeout
        i = 0
        while True:
            i += 1
            png, texts = self.shot(f"{name}" if i == 1 else f"{name}-{i}")
            joined = "\n".join(texts)
            if pred(joined):
                if png.name != f"{name}.png":
                    os.replace(png, self.dir / f"{name}.png")
                return self.dir / f"{name}.png", joined
            assert time.monotonic() < deadline, f"{self.device_id}: never showed it; texts: {joined[:1500]}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.ask({"quit": True}, timeout=10)
            except AssertionError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        self.log.close()


@pytest.fixture
def apps(broker_files: BrokerFiles, tmp_path: Path) -> Iterator[Callable[..., AppProcess]]:
    made: list[AppProcess] = []

    def start(device_id: str, size: str | None = None, folder: str | None = None, *extra: str) -> AppProcess:
        a = AppProcess(device_id, broker_files.credentials, tmp_path / "apps" / (folder or device_id), size, extra)
        made.append(a)
        return a.wait_ready()

    yield start
    for a in made:
        a.stop()


def pixel_stats(png: Path) -> tuple[tuple[int, int], float]:
    """(size, variance of the grey levels): a blank or single-colour screen has ~0."""
    from PIL import Image, ImageStat
    with Image.open(png) as im:
        grey = im.convert("L")
        return im.size, ImageStat.Stat(grey).var[0]


# Screenshots go to a scratch folder; set YIMEN_SCREENSHOTS=docs/img to refresh the docs.
IMG = Path(os.environ.get("YIMEN_SCREENSHOTS") or Path(tempfile.gettempdir()) / "yimen-screens")
IMG.mkdir(parents=True, exist_ok=True)
