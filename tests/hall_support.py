"""What the MQTT, display and kiosk tests share: a real Mosquitto on a free port with the
project's generated config, the MQTT server on a real SQLite store, device clients, a
pinned clock inside business hours, and a check that no test leaks a thread.

A conftest imports the fixtures it wants (``from hall_support import broker, ...``);
autouse ones apply only where imported.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

from queue_server.config import HallConfig, load_config
from queue_server.hall import OpenHall, open_hall
from queue_server.mqtt.broker import BrokerFiles, BrokerProcess, Credentials, free_port, write_broker_config
from queue_server.mqtt.client import HallClient
from queue_server.mqtt.server import MqttServer

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "county-hall.toml"
NOW = "2026-11-25T09:30+08:00"      # a Wednesday morning: inside business hours


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIMEN_NOW", NOW)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in left:
        t.join(2)
    left = [t for t in left if t.is_alive()]
    assert not left, f"threads left running: {[t.name for t in left]}"


@pytest.fixture(scope="session")
def cfg() -> HallConfig:
    return load_config(CONFIG)


@pytest.fixture
def broker_files(cfg: HallConfig, tmp_path: Path) -> BrokerFiles:
    return write_broker_config(cfg, tmp_path / "broker", port=free_port())


@pytest.fixture
def creds(broker_files: BrokerFiles) -> Credentials:
    return Credentials.load(broker_files.credentials)


@pytest.fixture
def broker(broker_files: BrokerFiles) -> Iterator[BrokerProcess]:
    b = BrokerProcess(broker_files)
    b.start()
    yield b
    b.stop()


@pytest.fixture
def hall(cfg: HallConfig, tmp_path: Path) -> Iterator[OpenHall]:
    with open_hall(cfg, data_dir=tmp_path / "data") as h:
        yield h


@pytest.fixture
def server(broker: BrokerProcess, hall: OpenHall, creds: Credentials) -> Iterator[MqttServer]:
    s = MqttServer(hall, creds)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def device(cfg: HallConfig, creds: Credentials, broker: BrokerProcess) -> Iterator[Callable[..., HallClient]]:
    """``device("kiosk-01")`` → a started client, stopped at teardown."""
    made: list[HallClient] = []

    def make(device_id: str, **kw: object) -> HallClient:
        c = HallClient(cfg, device_id, creds, **kw)  # type: ignore[arg-type]
        c.start()
        made.append(c)
        return c

    yield make
    for c in made:
        c.stop()


class Inbox:
    """Collects subscription values; wait for one that matches."""

    def __init__(self) -> None:
        self.items: list[object] = []
        self._cv = threading.Condition()

    def __call__(self, value: object) -> None:
        with self._cv:
            self.items.append(value)
            self._cv.notify_all()

    def wait_for(self, pred: Callable[[object], bool], timeout: float = 5.0) -> object:
        with self._cv:
            ok = self._cv.wait_for(lambda: any(pred(v) for v in self.items), timeout)
            assert ok, f"nothing matched within {timeout}s; got {self.items[-3:]}"
            return next(v for v in reversed(self.items) if pred(v))
