"""A hall board's whole day, fast, in one process (no broker): does memory stay flat?

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m kiosk.bench_board_day

The real board (view-model and screen, drawn frame by frame) is fed what 8 hours bring:
3,600 notice changes (one every 8 s), 480 minute changes of the clock, and 2,880 calls
(one every 10 s), each with its board state (the latest calls, the 过号 line). The clock
is simulated, so the day takes minutes. Resident memory is printed as it goes.
``python -m kiosk.bench_displays`` measures the same board through the broker in real time.
"""

from __future__ import annotations

import gc
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
AT = "2026-11-25T09:30:00+08:00"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from kiosk.screens.setup import configure_kivy

    configure_kivy((1920, 1080))
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from kiosk import ui
    from kiosk.screens.board_screen import BoardScreen
    from kiosk.viewmodels.board import BoardVM
    from kiosk.viewmodels.common import Clock
    from queue_server.config import load_config
    from queue_server.mqtt import schemas as S

    ui.register_fonts()
    Window.clearcolor = ui.DARK
    cfg = load_config(REPO / "config" / "county-hall.toml")
    now = [datetime(2026, 11, 25, 8, 30, tzinfo=ZoneInfo(cfg.hall.timezone))]
    vm = BoardVM(cfg, Clock(cfg.hall.timezone, lambda: now[0]))
    screen = BoardScreen(vm)
    Window.add_widget(screen)
    for _ in range(10):
        EventLoop.idle()
    samples = [rss_mib()]
    print(f"start: {samples[0]:.1f} MiB", flush=True)
    recent: list[S.RecentCall] = []
    for second in range(0, 8 * 3600, 2):               # one step = 2 s of the hall's day
        if second % 8 == 0:
            screen.next_notice()
        if second % 60 == 0:
            now[0] += timedelta(minutes=1)
            vm.tick()
        if second % 10 == 0:
            n = second // 10 + 1
            number = f"A{n % 1000:03d}"
            vm.apply_call(S.CallEvent(number=number, window=1 + n % 15, window_name=f"{1 + n % 15}号",
                                      window_name_en="", item=None, recall=0, at=AT))
            EventLoop.idle()
            recent = [S.RecentCall(number=number, window=1 + n % 15, at=AT), *recent[:9]]
            vm.apply_board(S.BoardState(
                hall=cfg.hall.id, name=cfg.hall.name, name_en=cfg.hall.name_en, business_day="2026-11-25", at=AT,
                recent_calls=recent, windows=[], waiting=[], notices=list(cfg.hall.notices),
                recent_no_shows=[S.RecentCall(number=f"A{(n - 3) % 1000:03d}", window=1, at=AT)]))
        EventLoop.idle()
        if second % 3600 == 3598:
            gc.collect()
            samples.append(rss_mib())
            print(f"hour {len(samples) - 1}: {samples[-1]:.1f} MiB", flush=True)
    print(f"day: start {samples[0]:.1f}, after hour 1 {samples[1]:.1f}, end {samples[-1]:.1f} MiB "
          f"(hours 1→8: {samples[-1] - samples[1]:+.1f} MiB)")
    sys.exit(0)


if __name__ == "__main__":
    main()
