"""Benchmarks of the displays, against a real broker and server (own temp folder).

    python -m kiosk.bench_displays                       # latency + 10 min soak at 1 call/s
    python -m kiosk.bench_displays --soak-seconds 28800 --call-every 10 --samples soak.csv   # the 8-hour day

1. Clerk's button → window display and hall board repainted (both real apps in their
   own processes, each noting when the next frame after the change was drawn).
2. A hall board under a steady stream of calls: resident memory and CPU, then idle CPU.
Run it under Xvfb (``xvfb-run -a -s "-screen 0 1920x1080x24" ...``) when there is no display.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)
NOW = "2026-11-25T09:30+08:00"
REPO = Path(__file__).resolve().parents[1]


def _app(module: str, device: str, creds: Path, folder: Path, config: Path, size: str) -> subprocess.Popen[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    # The screens keep the real clock (it ticks on screen as in the hall); only the
    # server's clock is pinned inside business hours.
    env = {k: v for k, v in os.environ.items() if k != "YIMEN_NOW"}
    proc = subprocess.Popen([sys.executable, "-m", module, "--config", str(config), "--device", device,
                             "--credentials", str(creds), "--probe", str(folder), "--size", size],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (folder / "ready").exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"{device} did not start")
        time.sleep(0.05)
    return proc


def _quit(proc: subprocess.Popen[bytes], folder: Path) -> None:
    (folder / "quit.req").write_text('{"quit": true}')
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _seen(log_file: Path, marker: str, after: float) -> float | None:
    """The first repaint at or after ``after`` that shows ``marker``."""
    if not log_file.exists():
        return None
    for line in log_file.read_text().splitlines():
        t, _, m = line.partition(" ")
        if float(t) >= after and m == marker:
            return float(t)
    return None


def _called(reply: object) -> str:
    if not reply.ok:  # type: ignore[attr-defined]
        raise RuntimeError(f"refused: {reply.error}")  # type: ignore[attr-defined]
    return next(e["number"] for e in reply.result["events"] if e["type"] == "TicketCalled")  # type: ignore[attr-defined]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default=str(REPO / "config" / "county-hall.toml"))
    p.add_argument("--calls", type=int, default=200, help="timed calls for the latency figure")
    p.add_argument("--soak-seconds", type=float, default=600)
    p.add_argument("--call-every", type=float, default=1.0)
    p.add_argument("--idle-seconds", type=float, default=60)
    p.add_argument("--samples", type=Path, help="write the soak's samples (CSV: seconds, calls, RSS MiB, CPU s) here as it runs")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("YIMEN_NOW", NOW)          # inside business hours, whatever the real time

    from queue_server.config import load_config
    from queue_server.hall import open_hall
    from queue_server.mqtt.broker import BrokerProcess, Credentials, free_port, write_broker_config
    from queue_server.mqtt.client import HallClient
    from queue_server.mqtt.server import MqttServer

    cfg = load_config(args.config)
    with tempfile.TemporaryDirectory(prefix="yimen-bench-") as tmp_s:
        tmp = Path(tmp_s)
        files = write_broker_config(cfg, tmp / "broker", port=free_port())
        broker = BrokerProcess(files)
        broker.start()
        creds = Credentials.load(files.credentials)
        try:
            with open_hall(cfg, data_dir=tmp / "data") as hall:
                server = MqttServer(hall, creds)
                server.start()
                kiosk = HallClient(cfg, "kiosk-01", creds).start()
                clerk = HallClient(cfg, "clerk-01", creds).start()
                with HallClient(cfg, "manager-01", creds) as manager:     # the catalogue caps SC-0101 at 60 a day
                    manager.request("SetDailyCap", {"item": "SC-0101", "cap": None})
                try:
                    board_dir, disp_dir = tmp / "board", tmp / "display"
                    board = _app("kiosk.board", "board-01", files.credentials, board_dir, Path(args.config), "1920x1080")
                    disp = _app("kiosk.window_display", "display-01", files.credentials, disp_dir, Path(args.config), "1280x720")
                    time.sleep(2)
                    lat = latency(kiosk, clerk, board_dir / "repaints.log", disp_dir / "repaints.log", args.calls)
                    _quit(disp, disp_dir)
                    print(f"clerk button → display and board repainted ({len(lat)} calls): "
                          f"p50 {statistics.median(lat):.1f} ms, p99 {pct(lat, 99):.1f} ms, max {max(lat):.1f} ms")
                    for name, part in PARTS.items():
                        if part:
                            print(f"  {name} alone: p50 {statistics.median(part):.1f} ms, p99 {pct(part, 99):.1f} ms")
                    soak(kiosk, clerk, board.pid, args.soak_seconds, args.call_every, args.idle_seconds, args.samples)
                    _quit(board, board_dir)
                finally:
                    kiosk.stop()
                    clerk.stop()
                    server.stop()
        finally:
            broker.stop()


def _one_call(kiosk: object, clerk: object) -> tuple[float, str]:
    kiosk.request("IssueTicket", {"item": "SC-0101"})  # type: ignore[attr-defined]
    t0 = time.monotonic()
    number = _called(clerk.request("CallNext", {"window": 1}))  # type: ignore[attr-defined]
    return t0, number


PARTS: dict[str, list[float]] = {"board": [], "display": []}


def latency(kiosk: object, clerk: object, board_log: Path, disp_log: Path, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0, number = _one_call(kiosk, clerk)
        deadline = t0 + 5
        tb = td = None
        while (tb is None or td is None) and time.monotonic() < deadline:
            tb = tb or _seen(board_log, number, t0)
            td = td or _seen(disp_log, number, t0)
            time.sleep(0.002)
        if tb is None or td is None:
            log.warning("%s was not repainted within 5 s", number)
            out.append(5000.0)
        else:
            out.append((max(tb, td) - t0) * 1000)
            PARTS["board"].append((tb - t0) * 1000)
            PARTS["display"].append((td - t0) * 1000)
        clerk.request("MarkNoShow", {"window": 1})  # type: ignore[attr-defined]
        time.sleep(0.1)
    return out


def soak(kiosk: object, clerk: object, pid: int, seconds: float, every: float, idle: float,
         samples: Path | None = None) -> None:
    start_cpu, start = _cpu_seconds(pid), time.monotonic()
    rss = [_rss_mib(pid)]
    calls = 0
    next_sample = start + 10
    out = open(samples, "w", buffering=1) if samples else None     # line-buffered: readable mid-run
    if out:
        out.write("seconds,calls,rss_mib,cpu_s\n")
    while time.monotonic() - start < seconds:
        _one_call(kiosk, clerk)
        clerk.request("MarkNoShow", {"window": 1})  # type: ignore[attr-defined]
        calls += 1
        if time.monotonic() >= next_sample:
            rss.append(_rss_mib(pid))
            next_sample += 10
            if out:
                out.write(f"{time.monotonic() - start:.0f},{calls},{rss[-1]:.1f},{_cpu_seconds(pid) - start_cpu:.2f}\n")
        time.sleep(max(0.0, start + calls * every - time.monotonic()))
    if out:
        out.close()
    busy = (_cpu_seconds(pid) - start_cpu) / (time.monotonic() - start) * 100
    rss.append(_rss_mib(pid))
    third = max(1, len(rss) // 3)
    print(f"board soak: {calls} calls in {seconds:.0f} s; RSS start {rss[0]:.1f} MiB, end {rss[-1]:.1f} MiB, "
          f"max {max(rss):.1f} MiB; mean of first third {statistics.mean(rss[:third]):.1f} vs last third "
          f"{statistics.mean(rss[-third:]):.1f} MiB; CPU {busy:.1f} % of a core")
    c0, t0 = _cpu_seconds(pid), time.monotonic()
    time.sleep(idle)
    print(f"board idle {idle:.0f} s: CPU {(_cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100:.1f} % of a core")


if __name__ == "__main__":
    main()
