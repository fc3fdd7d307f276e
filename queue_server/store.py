"""The durable event store: SQLite on a hall box, PostgreSQL for a county.

Durable first: a command's events and its result are committed in one transaction
before anything is folded, published, printed or announced.  SQLite runs in WAL mode
with ``synchronous=FULL`` because only FULL survives a power cut (see field notes).
Schema changes are Alembic migrations applied at open, so a hall box upgrades its
database together with the software.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig

from .cases.events import CASE_EVENTS, CaseEvent
from .engine.codec import Registry
from .engine.events import EVENTS, Event
from .workdays import business_day

log = logging.getLogger(__name__)

metadata = sa.MetaData()
events_t = sa.Table(
    "events", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("hall_id", sa.String(32), nullable=False),
    sa.Column("business_day", sa.String(10)),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("command_id", sa.String(80)),
)
commands_t = sa.Table(
    "commands", metadata,
    sa.Column("hall_id", sa.String(32), primary_key=True),
    sa.Column("command_id", sa.String(80), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(60), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("result", sa.Text, nullable=False),
)
snapshots_t = sa.Table(
    "snapshots", metadata,
    sa.Column("hall_id", sa.String(32), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
)
meta_t = sa.Table(
    "meta", metadata,
    sa.Column("hall_id", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

MIGRATIONS = Path(__file__).with_name("migrations")

# The kind of a command result that no command produced: a kiosk voided the command id
# (VoidIssue) before its IssueTicket or CheckIn arrived.  The result stored under that id
# is the refusal (issue_voided) the late original gets, so it issues nothing, and the id
# is taken for good: the commands table's primary key decides which came first.
VOIDED_KIND = "(voided)"

# Built once: the hot path (every command) should not rebuild statements.
_INSERT_EVENT = events_t.insert()
_INSERT_COMMAND = commands_t.insert()
_SELECT_COMMAND = sa.select(commands_t).where(commands_t.c.hall_id == sa.bindparam("h"),
                                              commands_t.c.command_id == sa.bindparam("c"))


def _registry(name: str) -> Registry:
    """Queue and case events share one ordered stream; their names never clash."""
    return EVENTS if name in EVENTS.by_name else CASE_EVENTS


def case_event_types() -> list[str]:
    return sorted(CASE_EVENTS.by_name)


class StoreBusy(RuntimeError):
    """Another process already writes this hall's store (one writer per hall)."""


@dataclass(frozen=True)
class CommandRecord:
    command_id: str
    kind: str
    digest: str
    actor: str
    at: str
    result: dict[str, Any]


def sqlite_url(data_dir: str | Path, hall_id: str) -> str:
    return f"sqlite:///{Path(data_dir) / f'{hall_id}.db'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class EventStore:
    """Append-only events plus command results (for exactly-once) and snapshots."""

    def __init__(self, url: str, hall_id: str, *, writer: bool = True, timezone: str = "Asia/Shanghai"):
        self.url = url
        self.hall_id = hall_id
        self.timezone = timezone      # to file every event under the hall's business day
        self.is_sqlite = url.startswith("sqlite")
        self._lock_fd: int | None = None
        self._lease_conn: sa.Connection | None = None
        if self.is_sqlite:
            path = url.split("///", 1)[1]
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            if writer:
                self._take_file_lease(path + ".writer.lock")
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True)
            if writer:
                self._take_pg_lease()
        self._migrate()

    # -- one writer per hall --------------------------------------------------
    def _take_file_lease(self, lock_path: str) -> None:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreBusy(f"hall {self.hall_id}: another yimen process is already running on {lock_path[:-17]}") from None
        self._lock_fd = fd

    def _take_pg_lease(self) -> None:
        conn = self.engine.connect()
        key = zlib.crc32(f"yimen:{self.hall_id}".encode())
        ok = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        conn.commit()
        if not ok:
            conn.close()
            raise StoreBusy(f"hall {self.hall_id}: another yimen server already writes this database")
        self._lease_conn = conn

    def _migrate(self) -> None:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            alembic_command.upgrade(cfg, "head")

    def close(self) -> None:
        if self._lease_conn is not None:
            self._lease_conn.close()
            self._lease_conn = None
        self.engine.dispose()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- writing --------------------------------------------------------------
    def append(self, events: list[Event] | list[CaseEvent], record: CommandRecord | None = None,
               more: Sequence[CommandRecord] = ()) -> int:
        """Commit events (and the command's result, and ``more`` results stored under
        other ids: a VoidIssue's tombstone) atomically; return the last seq."""
        rows = [self._row(e, record.command_id if record else None) for e in events]
        with self.engine.begin() as conn:
            last = 0
            for row in rows:       # one statement each: we need every row's seq
                last = conn.execute(_INSERT_EVENT, row).inserted_primary_key[0]
            for rec in ([record] if record is not None else []) + list(more):
                conn.execute(_INSERT_COMMAND, {
                    "hall_id": self.hall_id, "command_id": rec.command_id, "kind": rec.kind,
                    "digest": rec.digest, "actor": rec.actor, "at": rec.at,
                    "result": json.dumps(rec.result, ensure_ascii=False)})
        return last

    def _row(self, e: Event | CaseEvent, command_id: str | None) -> dict[str, Any]:
        data = _registry(type(e).__name__).to_dict(e)
        day = data.get("business_day") or data.get("day") or business_day(e.at, self.timezone).isoformat()
        return {"hall_id": self.hall_id, "business_day": day, "at": data.pop("at"),
                "type": type(e).__name__, "data": json.dumps(data, ensure_ascii=False),
                "command_id": command_id}

    def save_snapshot(self, seq: int, state: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(snapshots_t.insert().values(hall_id=self.hall_id, seq=seq,
                                                     state=json.dumps(state, ensure_ascii=False)))
            # Keep a few in case the newest is from a version we cannot read.
            old = conn.execute(sa.select(snapshots_t.c.seq).where(snapshots_t.c.hall_id == self.hall_id)
                               .order_by(snapshots_t.c.seq.desc()).offset(3)).scalars().all()
            if old:
                conn.execute(snapshots_t.delete().where(snapshots_t.c.hall_id == self.hall_id,
                                                        snapshots_t.c.seq.in_(old)))

    def set_meta(self, key: str, value: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(meta_t.delete().where(meta_t.c.hall_id == self.hall_id, meta_t.c.key == key))
            conn.execute(meta_t.insert().values(hall_id=self.hall_id, key=key, value=value))

    # -- reading --------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(meta_t.c.value).where(
                meta_t.c.hall_id == self.hall_id, meta_t.c.key == key)).scalar()

    def command(self, command_id: str) -> CommandRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(_SELECT_COMMAND, {"h": self.hall_id, "c": command_id}).first()
        if row is None:
            return None
        return CommandRecord(row.command_id, row.kind, row.digest, row.actor, row.at, json.loads(row.result))

    def latest_snapshot(self) -> tuple[int, dict[str, Any]] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(snapshots_t.c.seq, snapshots_t.c.state)
                               .where(snapshots_t.c.hall_id == self.hall_id)
                               .order_by(snapshots_t.c.seq.desc()).limit(1)).first()
        return (row.seq, json.loads(row.state)) if row else None

    def events(self, after: int = 0, batch: int = 20000,
               types: list[str] | None = None) -> Iterator[tuple[int, Any]]:
        """Events in order (optionally only some types), streamed in batches so a year
        of them needs little memory."""
        last = after
        while True:
            query = (sa.select(events_t.c.seq, events_t.c.at, events_t.c.type, events_t.c.data)
                     .where(events_t.c.hall_id == self.hall_id, events_t.c.seq > last))
            if types is not None:
                query = query.where(events_t.c.type.in_(types))
            with self.engine.connect() as conn:
                rows = conn.execute(query.order_by(events_t.c.seq).limit(batch)).all()
            if not rows:
                return
            for seq, at, kind, data in rows:
                d = json.loads(data)
                d["at"] = at
                yield seq, _registry(kind).from_dict(kind, d)
            last = rows[-1][0]

    def last_seq(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.coalesce(sa.func.max(events_t.c.seq), 0))
                                .where(events_t.c.hall_id == self.hall_id)).scalar_one()
