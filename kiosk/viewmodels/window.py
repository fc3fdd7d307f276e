"""The window display (窗口屏) and the window's LED strip.

Retained ``state/window/<n>`` is the truth: a display that restarts or reconnects paints
from it.  A live ``event/call/<n>`` only makes the number flash (and a recall flash
again); the broker expires call events, so a display that was away replays nothing.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Callable

from devices.board import WindowBoard
from devices.board_protocol import WindowDisplayState, WindowStatus as LedStatus
from devices.health import DeviceHealth
from queue_server.config import HallConfig
from queue_server.mqtt import schemas as S

from .common import TICKET_STATUS, Observable, Text, mask_name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowView:
    number: int
    title: Text             # "3号窗口"
    name: Text
    status: str             # open / paused / closed / unknown
    headline: Text          # 请 A012 号 / 暂停服务 / 窗口已关闭 / 欢迎光临
    ticket: str | None
    ticket_status: Text | None
    staff: Text             # 工作人员：王*
    responsible: Text       # 首问负责人：张海峰（司法局 律师） — public by policy (定岗定责)
    waiting: Text
    flash: int              # bumps on every live call/recall: the screen flashes the number
    online: bool


def headline(w: S.WindowDisplay | None) -> Text:
    if w is None:
        return Text("正在连接…", "Connecting…")
    if w.status == "closed":
        return Text("窗口已关闭", "Window closed")
    if w.current and w.current_status in ("called", "serving"):
        return Text(f"请 {w.current} 号", f"Number {w.current}, please")
    if w.status == "paused":
        return Text("暂停服务", "Service paused")
    return Text("欢迎光临", "Welcome")


class WindowVM(Observable):
    def __init__(self, cfg: HallConfig, window: int) -> None:
        super().__init__()
        self.cfg = cfg
        self.window = window
        self._state: S.WindowDisplay | None = None
        self._flash = 0
        self._online = True
        self.view = self._build()

    def apply_window(self, w: S.WindowDisplay) -> None:
        if w.window != self.window:
            return
        self._state = w
        self._refresh()

    def apply_call(self, call: S.CallEvent) -> None:
        if call.window != self.window:
            return
        self._flash += 1
        self._refresh()

    def set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self._refresh()

    def led_state(self) -> WindowDisplayState:
        w = self._state
        if w is None or w.status == "closed":
            return WindowDisplayState(str(self.window), LedStatus.CLOSED if w else LedStatus.IDLE)
        if w.current and w.current_status in ("called", "serving"):
            return WindowDisplayState(str(self.window), LedStatus.SERVING, w.current)
        if w.status == "paused":
            return WindowDisplayState(str(self.window), LedStatus.PAUSED)
        return WindowDisplayState(str(self.window), LedStatus.IDLE)

    def _refresh(self) -> None:
        self.view = self._build()
        self.changed()

    def _build(self) -> WindowView:
        w = self._state
        cfg_w = self.cfg.window(self.window)
        name = Text(cfg_w.name, cfg_w.name_en) if cfg_w else Text("")
        resp = Text("")
        if cfg_w and cfg_w.responsible:
            title = f"（{cfg_w.responsible_title}）" if cfg_w.responsible_title else ""
            resp = Text(f"首问负责人：{cfg_w.responsible}{title}", f"Responsible: {cfg_w.responsible}")
        staff = Text("")
        if w and w.clerk:
            staff = Text(f"工作人员：{mask_name(w.clerk)}", f"On duty: {mask_name(w.clerk)}")
        waiting = Text("")
        if w and w.status != "closed":
            waiting = Text(f"本窗口等候 {w.waiting_here} 人", f"{w.waiting_here} waiting here")
        show_ticket = bool(w and w.current and w.current_status in ("called", "serving"))
        return WindowView(
            number=self.window, title=Text(f"{self.window}号窗口", f"Window {self.window}"), name=name,
            status=w.status if w else "unknown", headline=headline(w),
            ticket=w.current if show_ticket and w else None,
            ticket_status=(Text("暂停服务", "Service paused") if w and w.status == "paused"
                           else TICKET_STATUS.get(w.current_status or "")) if show_ticket and w else None,
            staff=staff, responsible=resp, waiting=waiting, flash=self._flash, online=self._online,
        )


class LedWorker:
    """Drives the window's LED strip off the UI and network threads (serial writes wait
    for acks).  Only the latest state matters: older pending ones are dropped."""

    def __init__(self, board: WindowBoard, on_health: Callable[[DeviceHealth], None] | None = None) -> None:
        self.board = board
        self._on_health = on_health
        self._queue: queue.Queue[WindowDisplayState | None] = queue.Queue()
        self._last: WindowDisplayState | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "LedWorker":
        self._thread = threading.Thread(target=self._run, name=f"led-{self.board.device_id}", daemon=True)
        self._thread.start()
        return self

    def show(self, state: WindowDisplayState) -> None:
        if state != self._last:
            self._last = state
            self._queue.put(state)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            while not self._queue.empty():          # coalesce: only the newest counts
                nxt = self._queue.get()
                if nxt is None:
                    stopping = True
                else:
                    item = nxt
            if item is None:
                return
            health = self.board.show(item)
            if self._on_health:
                self._on_health(health)

    def stop(self, timeout: float = 2.0) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None
        self.board.close()
