"""Open a hall for writing: config, store and service wired together (one place)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .config import HallConfig, load_config
from .service import HallService, StartReport
from .store import EventStore, sqlite_url
from . import clock


def default_data_dir() -> Path:
    return Path(os.environ.get("YIMEN_DATA", "var"))


def store_url(cfg: HallConfig, data_dir: str | Path | None, db_url: str | None) -> str:
    return db_url or os.environ.get("YIMEN_DB") or sqlite_url(data_dir or default_data_dir(), cfg.hall.id)


@dataclass
class OpenHall:
    cfg: HallConfig
    service: HallService
    store: EventStore
    report: StartReport


@contextmanager
def open_hall(config: str | Path | HallConfig, *, data_dir: str | Path | None = None,
              db_url: str | None = None, snapshot_every: int = 5000) -> Iterator[OpenHall]:
    cfg = config if isinstance(config, HallConfig) else load_config(config)
    store = EventStore(store_url(cfg, data_dir, db_url), cfg.hall.id, timezone=cfg.hall.timezone)
    try:
        svc = HallService(cfg, store, snapshot_every=snapshot_every)
        report = svc.start(clock.now())
        try:
            yield OpenHall(cfg, svc, store, report)
        finally:
            svc.stop()
    finally:
        store.close()
