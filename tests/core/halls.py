"""A hall you can talk to in the hall's words, backed by a real SQLite file."""

from __future__ import annotations

import itertools
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.config import HallConfig, load_config
from queue_server.engine import commands as C
from queue_server.engine.model import TicketStatus
from queue_server.service import HallService, Outcome
from queue_server.store import EventStore, sqlite_url
from queue_server.views import window_view

TZ = ZoneInfo("Asia/Shanghai")
# A Wednesday, inside business hours in both sample halls.
MORNING = datetime(2026, 11, 25, 9, 30, tzinfo=TZ)

_ids = itertools.count(1)


class Refused(AssertionError):
    def __init__(self, result: dict[str, Any]):
        self.code = result["rejected"]["code"]
        super().__init__(f"refused: {self.code} ({result['rejected'].get('detail')})")


class ScenarioHall:
    """Wraps a HallService with a clock the test moves by hand."""

    def __init__(self, cfg: HallConfig, data_dir: Path, now: datetime = MORNING, snapshot_every: int = 5000):
        self.cfg = cfg
        self.data_dir = data_dir
        self.now = now
        self.snapshot_every = snapshot_every
        self.store = EventStore(sqlite_url(data_dir, cfg.hall.id), cfg.hall.id)
        self.svc = HallService(cfg, self.store, snapshot_every=snapshot_every)
        self.report = self.svc.start(now)

    # -- time --
    def later(self, **kw: float) -> None:
        self.now = self.now + timedelta(**kw)

    # -- raw --
    def send(self, cmd: C.Command, command_id: str | None = None) -> Outcome:
        return self.svc.handle(cmd, command_id=command_id or f"t-{next(_ids)}", actor="test", now=self.now)

    def do(self, cmd: C.Command) -> dict[str, Any]:
        out = self.send(cmd)
        if not out.ok:
            raise Refused(out.result)
        return out.result

    def refused(self, cmd: C.Command) -> str:
        out = self.send(cmd)
        assert not out.ok, f"expected a refusal, got {out.result}"
        return out.result["rejected"]["code"]

    # -- hall words --
    def issue(self, item: str, **kw: Any) -> str:
        return self.do(C.IssueTicket(item=item, **kw))["ticket"]["number"]

    def ticket_reply(self, item: str, **kw: Any) -> dict[str, Any]:
        return self.do(C.IssueTicket(item=item, **kw))["ticket"]

    def call(self, window: int) -> str:
        events = self.do(C.CallNext(window=window))["events"]
        return events[-1]["number"]

    def serve(self, window: int) -> str:
        """Call, start and finish: the citizen is done at this window."""
        number = self.call(window)
        self.do(C.StartService(window=window))
        self.do(C.FinishService(window=window))
        return number

    def status(self, number: str) -> TicketStatus:
        t = self.svc.state.ticket(number)
        assert t is not None, f"no ticket {number}"
        return t.status

    def display(self, window: int) -> dict[str, Any]:
        return window_view(self.svc.ctx, self.svc.state, window)

    def restart(self, clean: bool = True, now: datetime | None = None) -> "ScenarioHall":
        if clean:
            self.svc.stop()
        self.store.close()
        return ScenarioHall(self.cfg, self.data_dir, now or self.now, self.snapshot_every)

    def close(self) -> None:
        self.svc.stop()
        self.store.close()


def load(path: Path, **rule_overrides: Any) -> HallConfig:
    cfg = load_config(path)
    if rule_overrides:
        cfg = cfg.model_copy(update={"rules": cfg.rules.model_copy(update=rule_overrides)})
    return cfg


def postgres_url() -> str | None:
    """The county test database (``$YIMEN_TEST_PG``, else the machine's local one), or
    None when none answers: PostgreSQL tests are skipped then."""
    import sqlalchemy as sa

    url = os.environ.get("YIMEN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        eng = sa.create_engine(url)
        with eng.connect():
            pass
        eng.dispose()
        return url
    except Exception:
        return None


def forget_hall(store: EventStore, hall_id: str) -> None:
    """Remove a test hall's rows from a shared (PostgreSQL) database, then close."""
    import sqlalchemy as sa

    with store.engine.begin() as conn:
        for table in ("events", "commands", "snapshots", "meta"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE hall_id = :h"), {"h": hall_id})
    store.close()
