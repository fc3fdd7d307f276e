"""Kiosk benchmark: ``python -m kiosk.citizen.bench [--tickets 1000]`` (needs a display or Xvfb).

Against a real Mosquitto and the queue server in its own process (``yimen serve``):

* cold start: process start → first frame drawn (a fresh interpreter each run);
* tap on 取号 → ticket bytes handed to the printer, p50/p99/max over N taps on the
  real button, with Kivy's loop running as it does in the hall;
* resident memory after start and every 100 tickets (must not keep growing).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
PIN_NOW = "2026-11-25T09:30+08:00"    # a Wednesday morning: inside business hours
ITEMS = ("SC-0102", "SC-0103", "WS-0201", "RS-0401", "MZ-0701")   # no daily cap


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


# --- the child: one kiosk process -------------------------------------------------------------

def child(args: argparse.Namespace) -> None:
    """Runs in a fresh interpreter: measures its own cold start, then the taps."""
    started = float(os.environ["YIMEN_BENCH_T0"])
    from kiosk.citizen.__main__ import configure_kivy

    w, _, h = args.size.partition("x")
    configure_kivy((int(w), int(h)), fullscreen=False)
    from kivy.base import EventLoop
    from kivy.config import Config

    Config.set("graphics", "maxfps", "60")      # as in the hall: Kivy sleeps between frames
    from kiosk.citizen.app import CitizenApp, KioskOptions
    from kiosk.citizen.widgets import KButton, walk
    from queue_server.config import load_config

    cfg = load_config(args.config)
    app = CitizenApp(KioskOptions(cfg, "kiosk-01", Path(args.data) / "broker" / "credentials.json", Path(args.data),
                                  settings={"print_notice": True}))
    handed: list[float] = []
    original = app.printer.print_ticket

    def timed_print(slip: Any, with_notice: bool = False) -> Any:
        result = original(slip, with_notice)   # renders the bytes and hands them over
        handed.append(time.perf_counter())
        return result

    app.printer.print_ticket = timed_print  # type: ignore[method-assign]
    app._run_prepare()
    EventLoop.idle()
    first_frame = time.time() - started
    out: dict[str, Any] = {"first_frame_s": first_frame, "rss_start_mb": rss_mb()}
    vm = app.vm
    deadline = time.monotonic() + 15
    while not (vm.online and vm.queues):
        EventLoop.idle()
        assert time.monotonic() < deadline, "kiosk never saw the server"
    out["rss_ready_mb"] = rss_mb()

    def pump_until(pred: Any) -> None:
        limit = time.monotonic() + 15
        while not pred():
            EventLoop.idle()
            assert time.monotonic() < limit, f"stuck on {vm.screen}"

    latencies: list[float] = []
    rss: list[float] = []
    for i in range(args.tickets):
        vm.open_item(ITEMS[i % len(ITEMS)])
        shown = time.monotonic() + 0.2         # a person reads the page before tapping
        while time.monotonic() < shown:
            EventLoop.idle()
        take = next(b for b in walk(app.view) if isinstance(b, KButton) and b.key == "take")
        before = len(handed)
        tapped = time.perf_counter()
        take.dispatch("on_press")
        take.dispatch("on_release")
        pump_until(lambda: len(handed) > before and vm.screen == "result")
        latencies.append((handed[before] - tapped) * 1000)
        assert vm.result is not None and vm.result.printed
        vm.go_home()
        home = time.monotonic() + 0.1          # the home screen is drawn before the next person
        while time.monotonic() < home:
            EventLoop.idle()
        if (i + 1) % 100 == 0:
            rss.append(rss_mb())
    app.stop()
    if latencies:
        out.update(tap_to_bytes_ms={"n": len(latencies), "p50": statistics.median(latencies),
                                    "p99": pct(latencies, 0.99), "max": max(latencies)},
                   rss_every_100_mb=rss, issued=vm.issued)
    sys.stdout.write(json.dumps(out) + "\n")


# --- the parent: broker, server, children ---------------------------------------------------------

def run_child(args: argparse.Namespace, data: Path, tickets: int) -> dict[str, Any]:
    env = dict(os.environ, YIMEN_NOW=PIN_NOW, YIMEN_BENCH_T0=repr(time.time()))
    cmd = [sys.executable, "-m", "kiosk.citizen.bench", "--child", "--config", str(args.config), "--data", str(data),
           "--tickets", str(tickets), "--size", args.size]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"kiosk child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def parent(args: argparse.Namespace) -> None:
    from queue_server.config import load_config
    from queue_server.mqtt.broker import BrokerProcess, free_port, write_broker_config

    cfg = load_config(args.config)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        data = Path(tmp)
        files = write_broker_config(cfg, data / "broker", port=free_port())
        with BrokerProcess(files):
            env = dict(os.environ, YIMEN_NOW=PIN_NOW)
            server = subprocess.Popen([str(Path(sys.executable).with_name("yimen")), "serve", str(args.config),
                                       "--data", str(data)], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            try:
                time.sleep(1.5)
                starts = [run_child(args, data, 0)["first_frame_s"] for _ in range(args.starts)]
                result = run_child(args, data, args.tickets)
            finally:
                server.terminate()
                server.wait(10)
    report = {"cold_start_s": {"runs": starts, "max": max(starts)}, **result}
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m kiosk.citizen.bench")
    p.add_argument("--config", type=Path, default=REPO / "config" / "county-hall.toml")
    p.add_argument("--tickets", type=int, default=1000)
    p.add_argument("--starts", type=int, default=3, help="cold starts to time")
    p.add_argument("--size", default="1080x1920")
    p.add_argument("--data", type=Path)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
