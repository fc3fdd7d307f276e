"""Fixtures for the citizen kiosk: the sample hall, and for the app tests a real
Mosquitto on a free port with the generated config and the MQTT server over a real
SQLite store (module-scoped: one Kivy app per process drives every flow)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest

from queue_server.config import HallConfig, load_config

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-25T09:30+08:00"      # a Wednesday morning: inside business hours


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIMEN_NOW", NOW)


@pytest.fixture(scope="session")
def cfg() -> HallConfig:
    return load_config(REPO / "config" / "county-hall.toml")


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for t in left:
        t.join(2)
    left = [t for t in left if t.is_alive()]
    assert not left, f"threads left running: {[t.name for t in left]}"
