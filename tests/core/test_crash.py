"""Power-cut drill: a real server process issuing a burst is killed with SIGKILL at
random moments; after each restart every acknowledged ticket is there with the same
number, and no number is ever issued twice."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from queue_server.config import load_config
from queue_server.engine.events import TicketIssued
from queue_server.store import EventStore, sqlite_url

KILLS = 22


def _start(config: Path, data: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "YIMEN_NOW": "2026-11-25T09:30+08:00"}
    p = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "serve", str(config), "--data", str(data), "--stdio"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert p.stdout is not None
    ready = json.loads(p.stdout.readline())
    assert ready["ready"]
    return p


@pytest.mark.slow
def test_sigkill_during_a_burst_never_loses_an_acknowledged_ticket_nor_reuses_a_number(tmp_path: Path, county_config_path: Path):
    rng = random.Random(20261125)
    acked: dict[str, str] = {}   # command id -> number the citizen holds
    sent = 0
    for round_no in range(KILLS):
        p = _start(county_config_path, tmp_path)
        replies: list[dict] = []

        def reader() -> None:
            assert p.stdout is not None
            for line in p.stdout:
                replies.append(json.loads(line))

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        assert p.stdin is not None
        # Resend a few earlier commands: a retry must get the original answer.
        retries = rng.sample(sorted(acked), min(3, len(acked)))
        lines = [json.dumps({"id": cid, "kind": "IssueTicket", "args": {"item": "SC-0101", "source": "kiosk-01"}})
                 for cid in retries]
        for i in range(200):
            sent += 1
            lines.append(json.dumps({"id": f"r{round_no}-{i}", "kind": "IssueTicket",
                                     "args": {"item": rng.choice(["SC-0101", "WS-0201"]), "source": "kiosk-01"}}))
        try:
            p.stdin.write("\n".join(lines) + "\n")
            p.stdin.flush()
        except BrokenPipeError:
            pass
        time.sleep(rng.uniform(0.02, 0.4))
        p.send_signal(signal.SIGKILL)
        p.wait()
        th.join(timeout=5)
        for r in replies:
            if r.get("ok"):
                number = r["ticket"]["number"]
                if r["command_id"] in acked:
                    assert acked[r["command_id"]] == number, "a retried command changed its number"
                acked[r["command_id"]] = number
    assert len(acked) > KILLS  # the bursts really acknowledged tickets between kills

    cfg = load_config(county_config_path)
    store = EventStore(sqlite_url(tmp_path, cfg.hall.id), cfg.hall.id)
    try:
        issued = {}
        numbers: Counter = Counter()
        for _, e in store.events():
            if isinstance(e, TicketIssued):
                numbers[e.number] += 1
        with store.engine.connect() as conn:
            import sqlalchemy as sa
            rows = conn.execute(sa.text("SELECT command_id, data FROM events WHERE type = 'TicketIssued'")).all()
        for cid, data in rows:
            issued[cid] = json.loads(data)["number"]
    finally:
        store.close()
    assert [n for n, c in numbers.items() if c > 1] == []
    missing = {cid: n for cid, n in acked.items() if issued.get(cid) != n}
    assert missing == {}
