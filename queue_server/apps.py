"""Start the hall's screen apps next to the server (one machine demo or a small hall).

In a real hall each kiosk, display and console runs on its own box and is started by
that box; ``yimen hall --apps`` starts them here, as child processes that stop with
the hall.  Kivy is imported only by the children (``kiosk/``), never here.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .config import DeviceKind, HallConfig

log = logging.getLogger(__name__)

MODULES: dict[DeviceKind, str] = {
    DeviceKind.KIOSK: "kiosk.citizen",
    DeviceKind.BOARD: "kiosk.board",
    DeviceKind.DISPLAY: "kiosk.window_display",
    DeviceKind.CLERK_CONSOLE: "kiosk.clerk",
    DeviceKind.MANAGER_CONSOLE: "kiosk.manager",
    DeviceKind.RATING_PAD: "kiosk.rating",
    DeviceKind.LED: "kiosk.window_display",      # drives the window's LED strip, no screen
    DeviceKind.ANNOUNCER: "kiosk.announcer",
}


def demo_devices(cfg: HallConfig) -> list[str]:
    """One of each screen: first kiosk, board, first display, first clerk console, the
    manager console, first rating pad and the announcer."""
    chosen: list[str] = []
    for kind in MODULES:
        first = next((d.id for d in cfg.devices if d.kind is kind), None)
        if first:
            chosen.append(first)
    return chosen


def resolve(cfg: HallConfig, spec: str) -> list[str]:
    """``demo``, ``all`` or a comma-separated list of device ids."""
    if spec == "demo":
        return demo_devices(cfg)
    if spec == "all":
        return [d.id for d in cfg.devices if d.kind in MODULES]
    ids = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [i for i in ids if cfg.device(i) is None or cfg.device(i).kind not in MODULES]  # type: ignore[union-attr]
    if unknown:
        raise ValueError(f"not a screen or announcer device in this hall: {', '.join(unknown)}")
    return ids


# Many apps share one screen here, so none takes it over (a kiosk box runs full screen).
SHARED_SCREEN_ARGS: dict[DeviceKind, list[str]] = {
    DeviceKind.KIOSK: ["--windowed", "--size", "540x960"],
}


def command_for(cfg: HallConfig, device_id: str, config_path: Path, data_dir: Path) -> list[str]:
    device = cfg.device(device_id)
    assert device is not None
    return [sys.executable, "-m", MODULES[device.kind], "--config", str(config_path),
            "--device", device_id, "--data", str(data_dir), *SHARED_SCREEN_ARGS.get(device.kind, [])]


@dataclass
class AppProcesses:
    procs: dict[str, subprocess.Popen[bytes]]

    def stop(self, timeout: float = 5.0) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + timeout
        for p in self.procs.values():
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def check(self) -> list[str]:
        """Device ids whose app has exited (the hall keeps running; say so)."""
        return [d for d, p in self.procs.items() if p.poll() is not None]


def start_apps(cfg: HallConfig, device_ids: list[str], config_path: Path, data_dir: Path) -> AppProcesses:
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs = {}
    for d in device_ids:
        out = open(logs / f"{d}.log", "ab")  # noqa: SIM115 - the child owns it
        # Own session: Ctrl+C reaches the hall, which then stops each app in turn.
        procs[d] = subprocess.Popen(command_for(cfg, d, config_path, data_dir), stdout=out, stderr=subprocess.STDOUT,
                                    env={**os.environ, "KIVY_NO_ARGS": "1"}, start_new_session=True)
        log.warning("started %s (log: %s)", d, logs / f"{d}.log")
    return AppProcesses(procs)
