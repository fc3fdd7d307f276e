"""Benchmarks for the hall core (run them; they are not tests).

    python -m queue_server.bench [--quick]

1. tickets issued per second with durable commits (SQLite, WAL, synchronous=FULL);
2. start-up time to rebuild a county hall from a year of events (~500,000);
3. server resident memory with the county config and 5,000 tickets in one day.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import HallConfig, load_config
from .engine import commands as C
from .engine.decide import Context, decide, roll_over
from .engine.evolve import apply_all
from .engine.model import initial_state, state_to_dict
from .service import HallService
from .store import EventStore, sqlite_url
from .workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parents[1]
COUNTY = REPO / "config" / "county-hall.toml"


def _cfg() -> HallConfig:
    cfg = load_config(COUNTY)
    uncapped = [i.model_copy(update={"daily_cap": None}) for i in cfg.items]
    return cfg.model_copy(update={"items": uncapped,
                                  "rules": cfg.rules.model_copy(update={"issue_outside_hours": True})})


def bench_issue_rate(n: int) -> dict[str, float]:
    cfg = _cfg()
    items = [i.code for i in cfg.items if i.status == "active"]
    with tempfile.TemporaryDirectory(dir=os.environ.get("YIMEN_BENCH_DIR")) as d:
        store = EventStore(sqlite_url(d, cfg.hall.id), cfg.hall.id)
        svc = HallService(cfg, store)
        now = datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
        svc.start(now)
        lat = []
        t0 = time.perf_counter()
        for i in range(n):
            s = time.perf_counter()
            out = svc.handle(C.IssueTicket(item=items[i % len(items)]), command_id=f"b{i}", now=now)
            lat.append(time.perf_counter() - s)
            assert out.ok, out.result
        total = time.perf_counter() - t0
        svc.stop()
        store.close()
    lat.sort()
    return {"tickets": n, "per_second": n / total, "p50_ms": lat[len(lat) // 2] * 1e3,
            "p99_ms": lat[int(len(lat) * 0.99)] * 1e3}


def build_year(path: str, target_events: int) -> int:
    """A year of business days of a busy county hall, written like the service writes it
    (events in order, a snapshot at each day start), but in bulk for speed."""
    cfg = _cfg()
    ctx = Context.of(cfg)
    cal = WorkCalendar.from_config(cfg)
    items = [i.code for i in cfg.items if i.status == "active"]
    store = EventStore(path, cfg.hall.id)
    state = initial_state(cfg)
    day = datetime(2025, 11, 26, 9, 0, tzinfo=TZ)
    written = 0
    per_day = 4 * 500
    cmd_i = 0
    while written < target_events:
        if not cal.is_workday(day.date()):
            day += timedelta(days=1)
            continue
        now = day
        batch = roll_over(ctx, state, now)
        apply_all(state, batch)
        store.append(batch)
        store.save_snapshot(store.last_seq(), state_to_dict(state))
        batch = []
        for i in range(per_day // 4):
            now += timedelta(seconds=50)
            for cmd in (C.IssueTicket(item=items[(cmd_i + i) % len(items)]),):
                d = decide(ctx, state, cmd, now)
                apply_all(state, d.events)
                batch += d.events
            w = [13, 14, 1, 2, 5, 9][i % 6]
            for cmd in (C.CallNext(window=w), C.StartService(window=w), C.FinishService(window=w)):
                d = decide(ctx, state, cmd, now)
                apply_all(state, d.events)
                batch += d.events
        store.append(batch)
        written += len(batch) + 2
        cmd_i += 1
        day += timedelta(days=1)
    store.close()
    return written


def bench_startup(events: int) -> dict[str, float]:
    cfg = _cfg()
    with tempfile.TemporaryDirectory(dir=os.environ.get("YIMEN_BENCH_DIR")) as d:
        url = sqlite_url(d, cfg.hall.id)
        t0 = time.perf_counter()
        n = build_year(url, events)
        build_s = time.perf_counter() - t0
        # A fresh process, as after a power cut: import, open, migrate check, rebuild.
        code = (
            "import time,json; t0=time.perf_counter();"
            "from queue_server.bench import _cfg; from queue_server.store import EventStore;"
            "from queue_server.service import HallService; from datetime import datetime; from zoneinfo import ZoneInfo;"
            f"cfg=_cfg(); s=EventStore({url!r}, cfg.hall.id); svc=HallService(cfg, s);"
            "r=svc.start(datetime(2026,11,25,9,0,tzinfo=ZoneInfo('Asia/Shanghai')));"
            "print(json.dumps({'total_s': time.perf_counter()-t0, 'rebuild_s': r.seconds, 'replayed': r.replayed}))"
        )
        out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                        cwd=REPO).stdout)
        # Without snapshots: every event folded from the first.
        import sqlalchemy as sa
        st = EventStore(url, cfg.hall.id)
        with st.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM snapshots"))
            conn.execute(sa.text("UPDATE meta SET value='0' WHERE key='running'"))
        st.close()
        full = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                         cwd=REPO).stdout)
    return {"events": n, "build_s": build_s, "start_with_snapshots_s": out["total_s"],
            "rebuild_with_snapshots_s": out["rebuild_s"], "replayed_after_snapshot": out["replayed"],
            "start_full_replay_s": full["total_s"], "full_replayed": full["replayed"]}


def bench_memory(tickets: int) -> dict[str, float]:
    code = (
        "import json,os; from queue_server.bench import _cfg; from queue_server.store import EventStore, sqlite_url;"
        "from queue_server.service import HallService; from queue_server.engine import commands as C;"
        "from datetime import datetime; from zoneinfo import ZoneInfo; import tempfile;"
        "d=tempfile.mkdtemp(); cfg=_cfg(); s=EventStore(sqlite_url(d,cfg.hall.id),cfg.hall.id); svc=HallService(cfg,s);"
        "now=datetime(2026,11,25,9,0,tzinfo=ZoneInfo('Asia/Shanghai')); svc.start(now);"
        "items=[i.code for i in cfg.items if i.status=='active'];"
        f"[svc.handle(C.IssueTicket(item=items[i%len(items)]),command_id=f'm{{i}}',now=now) for i in range({tickets})];"
        "[ (svc.handle(C.CallNext(window=w),command_id=f'c{i}',now=now), svc.handle(C.FinishService(window=w),command_id=f'f{i}',now=now)) "
        " for i,w in enumerate([13,14]*1000)];"
        "rss=[l for l in open('/proc/self/status') if l.startswith(('VmRSS','VmHWM'))];"
        "print(json.dumps({l.split(':')[0]: int(l.split()[1])/1024 for l in rss}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    m = json.loads(out.stdout)
    return {"tickets": tickets, "rss_mb": m["VmRSS"], "peak_rss_mb": m["VmHWM"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    args = ap.parse_args()
    n_issue, n_events, n_mem = (300, 20_000, 500) if args.quick else (3000, 500_000, 5000)
    results = {
        "issue_rate": bench_issue_rate(n_issue),
        "memory": bench_memory(n_mem),
        "startup": bench_startup(n_events),
    }
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
