"""Latency and load through a real Mosquitto on loopback: ``python -m queue_server.mqtt.bench``.

1. clerk "call next" -> the window display's retained state received (durable commit included)
2. kiosk "issue ticket" request -> reply
3. sustained load: 20 kiosks + 50 clerk consoles, 10 tickets/s; no error, no lost or
   duplicated ticket, server memory sampled.

The queue server runs in its own process (as in a hall), the simulated devices in this one.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ..config import Device, DeviceKind, HallConfig, Window, load_config
from ..engine.events import TicketIssued
from ..store import EventStore, sqlite_url
from . import schemas as S
from .broker import BrokerProcess, Credentials, free_port, write_broker_config
from .client import HallClient

CONFIG = Path(__file__).resolve().parents[2] / "config" / "county-hall.toml"
NOW = "2026-11-25T09:30+08:00"


def bench_config(kiosks: int, clerks: int) -> HallConfig:
    """The county hall grown to ``clerks`` windows (the extra ones general) and devices."""
    cfg = load_config(CONFIG)
    windows = list(cfg.windows)
    for n in range(len(windows) + 1, clerks + 1):
        windows.append(Window(number=n, name=f"综合窗口{n}", name_en=f"General {n}", general=True))
    devices = [Device(id=f"kiosk-{i:02d}", kind=DeviceKind.KIOSK) for i in range(1, kiosks + 1)]
    devices += [Device(id=f"clerk-{n:02d}", kind=DeviceKind.CLERK_CONSOLE, window=n) for n in range(1, clerks + 1)]
    devices += [Device(id="display-01", kind=DeviceKind.DISPLAY, window=1),
                Device(id="manager-01", kind=DeviceKind.MANAGER_CONSOLE)]
    items = [i.model_copy(update={"daily_cap": None}) for i in cfg.items]   # caps would end the run early
    return cfg.model_copy(update={"windows": windows, "devices": devices, "items": items})


def _serve(cfg: HallConfig, data: str, creds: Credentials, stop: Any) -> None:
    os.environ["YIMEN_NOW"] = NOW
    from ..hall import open_hall
    from .server import MqttServer, tune_process
    tune_process()
    with open_hall(cfg, data_dir=data) as hall:
        server = MqttServer(hall, creds)
        server.start()
        stop.wait()
        server.stop()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def fmt(name: str, xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (f"{name}: n={len(ms)} p50={pct(ms, 50):.2f} ms p99={pct(ms, 99):.2f} ms "
            f"max={max(ms):.2f} ms mean={statistics.fmean(ms):.2f} ms")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def latency(cfg: HallConfig, creds: Credentials, calls: int) -> list[str]:
    items = [i for i in cfg.window(1).items]  # type: ignore[union-attr]
    seen: dict[str, float] = {}
    with HallClient(cfg, "kiosk-01", creds) as kiosk, HallClient(cfg, "clerk-01", creds) as clerk, \
            HallClient(cfg, "display-01", creds) as display:
        display.on_window(1, lambda w: seen.setdefault(w.current or "", time.perf_counter()))
        issue: list[float] = []
        for i in range(calls):
            t0 = time.perf_counter()
            r = kiosk.request("IssueTicket", {"item": items[i % len(items)]})
            issue.append(time.perf_counter() - t0)
            assert r.ok, r.error
        call: list[float] = []
        for _ in range(calls):
            t0 = time.perf_counter()
            r = clerk.request("CallNext", {"window": 1})
            assert r.ok, r.error
            number = r.result["events"][0]["number"]
            while number not in seen:
                time.sleep(0.0001)
            call.append(seen[number] - t0)
            assert clerk.request("MarkNoShow", {"window": 1}).ok
    return [fmt("issue ticket -> reply", issue), fmt("call next -> window display state", call)]


class Load:
    """Kiosks issue at a fixed total rate; clerks call, start and finish service."""

    def __init__(self, cfg: HallConfig, creds: Credentials, kiosks: int, clerks: int, rate: float, seconds: float):
        self.cfg, self.creds, self.rate, self.seconds = cfg, creds, rate, seconds
        self.kiosk_ids = [f"kiosk-{i:02d}" for i in range(1, kiosks + 1)]
        self.clerk_windows = list(range(1, clerks + 1))
        self.items = [i.code for i in cfg.items if i.status == "active" and i.daily_cap is None]
        self.issued: list[str] = []
        self.errors: Counter[str] = Counter()
        self.served = 0
        self.issue_lat: list[float] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def run(self, server_pid: int) -> list[str]:
        kiosks = [HallClient(self.cfg, k, self.creds).start() for k in self.kiosk_ids]
        clerks = [HallClient(self.cfg, f"clerk-{n:02d}", self.creds).start() for n in self.clerk_windows]
        threads = [threading.Thread(target=self._clerk, args=(c, n)) for c, n in zip(clerks, self.clerk_windows)]
        threads += [threading.Thread(target=self._kiosk, args=(k, i, len(kiosks))) for i, k in enumerate(kiosks)]
        for t in threads:
            t.start()
        rss = [rss_kib(server_pid)]
        t_end = time.monotonic() + self.seconds
        while time.monotonic() < t_end:
            time.sleep(min(10.0, max(0.0, t_end - time.monotonic())))
            rss.append(rss_kib(server_pid))
        self.stop.set()
        for t in threads:
            t.join(30)
        for c in kiosks + clerks:
            c.stop()
        return [f"load: {len(self.issued)} tickets issued in {self.seconds:.0f}s "
                f"({len(self.issued) / self.seconds:.1f}/s), {self.served} served, errors: {dict(self.errors) or 'none'}",
                fmt("issue ticket under load", self.issue_lat),
                f"server RSS (MiB) every 10 s: {' '.join(f'{r / 1024:.1f}' for r in rss)}"]

    def _kiosk(self, client: HallClient, index: int, count: int) -> None:
        period = count / self.rate
        next_at = time.monotonic() + index * period / count
        rnd = random.Random(index)
        while not self.stop.is_set():
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += period
            t0 = time.perf_counter()
            try:
                r = client.request("IssueTicket", {"item": rnd.choice(self.items)}, timeout=10)
            except TimeoutError:
                self._error("timeout")
                continue
            with self.lock:
                self.issue_lat.append(time.perf_counter() - t0)
                if r.ok:
                    self.issued.append(r.result["ticket"]["number"] + "@" + r.result["ticket"]["item"])
                else:
                    self.errors[r.error.code if r.error else "?"] += 1

    def _clerk(self, client: HallClient, window: int) -> None:
        rnd = random.Random(1000 + window)
        while not self.stop.is_set():
            r = self._req(client, "CallNext", window)
            if r is None or not r.ok:
                if r is not None and r.error and r.error.code not in ("queue_empty",):
                    self._error(r.error.code)
                self.stop.wait(0.5)
                continue
            for kind in ("StartService", "FinishService"):
                self.stop.wait(rnd.uniform(1.0, 3.0))
                done = self._req(client, kind, window)
                if done is None or not done.ok:
                    self._error(f"{kind}:{done.error.code if done and done.error else 'timeout'}")
            with self.lock:
                self.served += 1

    def _req(self, client: HallClient, kind: str, window: int) -> S.Reply | None:
        try:
            return client.request(kind, {"window": window}, timeout=10)
        except TimeoutError:
            self._error("timeout")
            return None

    def _error(self, code: str) -> None:
        with self.lock:
            self.errors[code] += 1


def check_store(cfg: HallConfig, data: str, issued: list[str]) -> str:
    store = EventStore(sqlite_url(data, cfg.hall.id), cfg.hall.id, writer=False)
    try:
        events = [e for _, e in store.events() if isinstance(e, TicketIssued)]
    finally:
        store.close()
    numbers = Counter(e.number for e in events)
    dup = [n for n, c in numbers.items() if c > 1]
    replied = Counter(x.split("@")[0] for x in issued)
    lost = [n for n in replied if n not in numbers]
    return (f"store: {len(events)} TicketIssued events, {len(replied)} acknowledged tickets; "
            f"duplicated numbers: {len(dup)}, acknowledged but missing: {len(lost)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--load-seconds", type=float, default=120.0, help="600 for the full 10-minute run")
    ap.add_argument("--kiosks", type=int, default=20)
    ap.add_argument("--clerks", type=int, default=50)
    ap.add_argument("--rate", type=float, default=10.0, help="tickets per second, all kiosks together")
    args = ap.parse_args()
    os.environ["YIMEN_NOW"] = NOW
    cfg = bench_config(args.kiosks, args.clerks)
    with tempfile.TemporaryDirectory(prefix="yimen-bench-") as tmp:
        for phase in ("latency", "load"):
            data = str(Path(tmp) / phase)
            files = write_broker_config(cfg, Path(data) / "broker", port=free_port())
            creds = Credentials.load(files.credentials)
            with BrokerProcess(files):
                stop = mp.get_context("spawn").Event()
                proc = mp.get_context("spawn").Process(target=_serve, args=(cfg, data, creds, stop))
                proc.start()
                try:
                    HallClient(cfg, "manager-01", creds).start(wait=10).stop()
                    time.sleep(1.0)
                    if phase == "latency":
                        lines = latency(cfg, creds, args.calls)
                        issued: list[str] = []
                    else:
                        load = Load(cfg, creds, args.kiosks, args.clerks, args.rate, args.load_seconds)
                        lines = load.run(proc.pid or 0)
                        issued = load.issued
                finally:
                    stop.set()
                    proc.join(30)
            if phase == "load":
                lines.append(check_store(cfg, data, issued))
            for line in lines:
                print(line, flush=True)  # noqa: T201 (a command-line tool's output)


if __name__ == "__main__":
    main()
