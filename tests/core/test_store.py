"""The durable store: exactly-once commands, migrations, one writer, full disks, PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from queue_server.engine import commands as C
from queue_server.engine.model import state_to_dict
from queue_server.store import EventStore, StoreBusy, sqlite_url

from .halls import MORNING, forget_hall, load, postgres_url


def test_the_same_command_twice_returns_the_original_result_and_changes_nothing(county):
    first = county.send(C.IssueTicket(item="SC-0101"), command_id="kiosk-01:42")
    seq = county.store.last_seq()
    again = county.send(C.IssueTicket(item="SC-0101"), command_id="kiosk-01:42")
    assert again.duplicate and again.result == first.result
    assert county.store.last_seq() == seq
    assert county.issue("SC-0101") == "A002"


def test_a_refused_command_retried_gets_the_same_refusal(county):
    a = county.send(C.CallNext(window=1), command_id="c-1")
    county.issue("SC-0101")
    b = county.send(C.CallNext(window=1), command_id="c-1")
    assert b.duplicate and b.result == a.result and not b.ok


def test_a_command_id_reused_for_a_different_command_is_refused(county):
    county.send(C.IssueTicket(item="SC-0101"), command_id="same")
    out = county.send(C.IssueTicket(item="WS-0201"), command_id="same")
    assert not out.ok and out.result["rejected"]["code"] == "duplicate_command"


def test_the_store_is_migrated_to_the_latest_schema(county):
    with county.store.engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    assert version == "0001"
    assert mode == "wal" and sync == 2  # 2 = FULL


def test_only_one_process_may_write_a_hall(county):
    with pytest.raises(StoreBusy, match="already running"):
        EventStore(sqlite_url(county.data_dir, county.cfg.hall.id), county.cfg.hall.id)


def test_a_full_disk_refuses_the_command_loses_nothing_and_keeps_serving(county):
    kept = county.issue("SC-0101")
    with county.store.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
    issued = []
    for _ in range(2000):        # fill the allowed pages until a commit fails
        before = state_to_dict(county.svc.state)
        out = county.send(C.IssueTicket(item="WS-0201", source="k" * 2000))
        if not out.ok:
            break
        issued.append(out.result["ticket"]["number"])
    assert not out.ok and out.result["rejected"]["code"] == "storage_unavailable"
    assert state_to_dict(county.svc.state) == before          # nothing folded that was not stored
    assert not county.send(C.IssueTicket(item="WS-0201", source="k" * 2000)).ok
    with county.store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA max_page_count = 1073741823")
    assert county.issue("SC-0101") == "A002"
    nxt = county.issue("WS-0201")
    assert nxt == f"B{len(issued) + 1:03d}"                  # no number lost or reused
    hall = county.restart()
    try:
        assert all(hall.svc.state.ticket(n) for n in [kept, *issued, nxt])
    finally:
        county.store = hall.store
        county.svc = hall.svc


def test_a_restart_brings_back_called_tickets_to_their_window(county):
    county.issue("SC-0101")
    n = county.call(1)
    hall = county.restart(clean=False)
    try:
        assert hall.display(1)["current"] == n
        hall.do(C.StartService(window=1))
        hall.do(C.FinishService(window=1))
    finally:
        hall.close()


PG = postgres_url()


@pytest.mark.skipif(PG is None, reason="no PostgreSQL reachable (set YIMEN_TEST_PG)")
def test_a_county_deployment_runs_on_postgresql(county_config_path: Path, tmp_path: Path):
    from queue_server.service import HallService

    base = load(county_config_path)
    hall_id = f"pg-{uuid.uuid4().hex[:8]}"
    cfg = base.model_copy(update={"hall": base.hall.model_copy(update={"id": hall_id})})
    store = EventStore(PG, hall_id)
    try:
        svc = HallService(cfg, store)
        svc.start(MORNING)
        numbers = [svc.handle(C.IssueTicket(item="SC-0101"), command_id=f"{hall_id}-{i}", now=MORNING).result["ticket"]["number"]
                   for i in range(3)]
        assert numbers == ["A001", "A002", "A003"]
        with pytest.raises(StoreBusy):
            EventStore(PG, hall_id)
        live = state_to_dict(svc.state)
        svc.stop()
    finally:
        store.close()
    store = EventStore(PG, hall_id)
    try:
        svc = HallService(cfg, store)
        svc.start(MORNING)
        assert state_to_dict(svc.state) == live
        svc.stop()
    finally:
        forget_hall(store, hall_id)
