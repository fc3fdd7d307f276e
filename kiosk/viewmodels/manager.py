"""The manager console: the whole hall live, alerts, and the actions that steer it.

Every action is a server command sent under the manager console's identity, so the
server records who did it.  Moving an item adds it to the new window *before* taking it
off the old one: the item is never left without a window in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from queue_server.config import HallConfig
from queue_server.mqtt import schemas as S

from .common import TICKET_STATUS, WINDOW_STATUS, Clock, Observable, Text, hhmm, minutes_between

Command = tuple[str, dict[str, Any]]

REASONS: dict[str, Text] = {
    "paper_near_end": Text("纸将用尽", "paper low"), "paper_out": Text("缺纸", "paper out"),
    "cover_open": Text("盖未合", "cover open"), "not_answering": Text("无响应", "not answering"),
    "unplugged": Text("未连接", "unplugged"), "printer_error": Text("打印机故障", "printer error"),
    "write_failed": Text("写入失败", "write failed"), "garbage": Text("数据错误", "garbled data"),
    "decoder_crashed": Text("识读故障", "decoder crashed"), "backend_failed": Text("语音故障", "voice failed"),
    "not_opened": Text("未打开", "not opened"),
}
KINDS: dict[str, Text] = {
    "kiosk": Text("取号机", "kiosk"), "display": Text("窗口屏", "display"), "board": Text("综合屏", "board"),
    "clerk_console": Text("叫号器", "clerk console"), "manager_console": Text("管理台", "manager"),
    "announcer": Text("语音", "announcer"), "rating_pad": Text("评价器", "rating pad"), "led": Text("LED条屏", "LED"),
    "printer": Text("打印机", "printer"), "scanner": Text("扫描器", "scanner"), "camera": Text("摄像头", "camera"),
}


@dataclass(frozen=True)
class WindowRow:
    window: int
    name: Text
    status: str
    status_text: Text
    clerk: str                 # staff names in full: this console is for staff only
    current: str | None
    current_status: Text | None
    since: str
    minutes: int | None
    items: tuple[str, ...]
    waiting_here: int


@dataclass(frozen=True)
class QueueRow:
    item: str
    name: Text
    waiting: int
    longest: int
    estimate: Text
    issued: int
    cap: int | None
    paused: bool
    full: bool
    over_standard: bool


@dataclass(frozen=True)
class DeviceRow:
    id: str
    kind: Text
    window: int | None
    online: bool | None
    problem: Text | None


@dataclass(frozen=True)
class Alert:
    severe: bool
    text: Text


@dataclass(frozen=True)
class ManagerView:
    time: str
    windows: tuple[WindowRow, ...]
    queues: tuple[QueueRow, ...]
    devices: tuple[DeviceRow, ...]
    devices_online: int
    devices_offline: int
    alerts: tuple[Alert, ...]
    selected_window: int | None
    selected_item: str | None
    busy: bool
    message: Text
    message_ok: bool
    online: bool


class ManagerVM(Observable):
    def __init__(self, cfg: HallConfig, clock: Clock | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.clock = clock or Clock(cfg.hall.timezone)
        self._windows: dict[int, S.WindowDisplay] = {}
        self._queues: S.QueuesState | None = None
        self._devices: S.DevicesState | None = None
        self._cases: S.CasesOverview | None = None
        self._online = True
        self._busy = False
        self._message, self._message_ok = Text("正在连接…", "Connecting…"), True
        self.selected_window: int | None = None
        self.selected_item: str | None = None
        self.view = self._build()

    # -- inputs -----------------------------------------------------------------------
    def apply_window(self, w: S.WindowDisplay) -> None:
        self._windows[w.window] = w
        self._refresh()

    def apply_queues(self, q: S.QueuesState) -> None:
        self._queues = q
        self._refresh()

    def apply_devices(self, d: S.DevicesState) -> None:
        self._devices = d
        self._refresh()

    def apply_cases(self, c: S.CasesOverview) -> None:
        self._cases = c
        self._refresh()

    def set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self._refresh()

    def tick(self) -> None:
        self._refresh()

    def select(self, window: int | None = None, item: str | None = None) -> None:
        if window is not None:
            self.selected_window = window or None
        if item is not None:
            self.selected_item = item or None
        self._refresh()

    # -- actions: each returns the commands to send, in order -------------------------
    def window_command(self, kind: str) -> list[Command]:
        """OpenWindow / PauseWindow / CloseWindow for the selected window."""
        if self.selected_window is None:
            raise ValueError("no window selected")
        return [(kind, {"window": self.selected_window})]

    def item_pause(self, pause: bool) -> list[Command]:
        return [("PauseItem" if pause else "ResumeItem", {"item": self._item()})]

    def set_cap(self, cap: int | None) -> list[Command]:
        if cap is not None and cap < 1:
            cap = None
        return [("SetDailyCap", {"item": self._item(), "cap": cap})]

    def change_cap(self, delta: int) -> list[Command]:
        row = next((q for q in self.view.queues if q.item == self._item()), None)
        base = row.cap if row and row.cap is not None else (row.issued if row else 0)
        return self.set_cap(max(1, base + delta))

    def move_item_here(self) -> list[Command]:
        """Serve the selected item at the selected window (first in its order) and no
        longer at the windows that served it before."""
        item, target = self._item(), self.selected_window
        if target is None:
            raise ValueError("no window selected")
        out: list[Command] = [("AssignItems", {"window": target, "items": [item, *[i for i in self._items_of(target) if i != item]]})]
        for n in sorted(self._windows):
            if n != target and item in self._items_of(n):
                out.append(("AssignItems", {"window": n, "items": [i for i in self._items_of(n) if i != item]}))
        return out

    def reorder(self, delta: int) -> list[Command]:
        """Move the selected item up (-1) or down (+1) in the selected window's order."""
        item, n = self._item(), self.selected_window
        if n is None:
            raise ValueError("no window selected")
        items = list(self._items_of(n))
        if item not in items:
            raise ValueError("the item is not served at that window")
        i = items.index(item)
        j = max(0, min(len(items) - 1, i + delta))
        items[i], items[j] = items[j], items[i]
        return [("AssignItems", {"window": n, "items": items})]

    def _item(self) -> str:
        if not self.selected_item:
            raise ValueError("no item selected")
        return self.selected_item

    def _items_of(self, n: int) -> tuple[str, ...]:
        w = self._windows.get(n)
        if w is not None:
            return tuple(w.items)
        cw = self.cfg.window(n)
        return tuple(cw.items) if cw else ()

    # -- command life cycle -------------------------------------------------------------------
    def sending(self, what: Text) -> None:
        self._busy = True
        self._message, self._message_ok = Text(f"{what.zh}…", f"{what.en}…"), True
        self._refresh()

    def done(self, what: Text, reply: S.Reply | None, error: str | None = None) -> None:
        self._busy = False
        if reply is None:
            zh, _, en = (error or "服务器无响应 / No answer").partition(" / ")
            self._message, self._message_ok = Text(zh, en or zh), False
        elif not reply.ok and reply.error:
            self._message, self._message_ok = Text(f"{what.zh}失败：{reply.error.message}",
                                                   f"{what.en} failed: {reply.error.message_en}"), False
        else:
            self._message, self._message_ok = Text(f"{what.zh}：已完成", f"{what.en}: done"), True
        self._refresh()

    def refused(self, text: Text) -> None:
        self._message, self._message_ok = text, False
        self._refresh()

    # -- view -----------------------------------------------------------------------------------
    def _refresh(self) -> None:
        self.view = self._build()
        self.changed()

    def _build(self) -> ManagerView:
        now = self.clock.now()
        windows = tuple(self._window_row(n, now) for n in sorted({*self._windows, *(w.number for w in self.cfg.windows)}))
        queues = self._queue_rows()
        devices = self._device_rows()
        return ManagerView(
            time=now.strftime("%H:%M"), windows=windows, queues=queues, devices=devices,
            devices_online=self._devices.online if self._devices else 0,
            devices_offline=self._devices.offline if self._devices else 0,
            alerts=self._alerts(queues, devices), selected_window=self.selected_window,
            selected_item=self.selected_item, busy=self._busy, message=self._message,
            message_ok=self._message_ok, online=self._online)

    def _window_row(self, n: int, now: datetime) -> WindowRow:
        w = self._windows.get(n)
        cw = self.cfg.window(n)
        name = Text(cw.name, cw.name_en) if cw else Text(str(n))
        if w is None:
            return WindowRow(n, name, "unknown", Text("—"), "", None, None, "", None, tuple(cw.items if cw else ()), 0)
        return WindowRow(n, name, w.status, WINDOW_STATUS.get(w.status, Text(w.status)), w.clerk, w.current,
                         TICKET_STATUS.get(w.current_status or "") if w.current else None,
                         hhmm(w.since) if w.current else "", minutes_between(w.since, now) if w.current else None,
                         tuple(w.items), w.waiting_here)

    def _queue_rows(self) -> tuple[QueueRow, ...]:
        if self._queues is None:
            return ()
        rows = []
        for q in self._queues.items:
            item = self.cfg.item(q.item)
            low, high = q.wait_minutes
            est = Text(f"{low}–{high}分", f"{low}–{high} min") if q.waiting else Text("—")
            rows.append(QueueRow(q.item, Text(item.name, item.name_en) if item else Text(q.item), q.waiting,
                                 int(q.longest_wait_minutes), est, q.issued_today, q.daily_cap, q.paused, q.full,
                                 q.over_standard))
        # What needs attention first: over standard, then the longest queues.
        return tuple(sorted(rows, key=lambda r: (not r.over_standard, -r.waiting, r.item)))

    def _device_rows(self) -> tuple[DeviceRow, ...]:
        if self._devices is None:
            return ()
        rows = []
        for d in self._devices.devices:
            problem = None
            if d.faults:
                f = d.faults[0]
                r = REASONS.get(f.reason, Text(f.reason, f.reason))
                problem = Text(f"{f.device} {r.zh}", f"{f.device} {r.en}")
            elif d.online is False:
                problem = Text("离线", "offline")
            rows.append(DeviceRow(d.id, KINDS.get(d.kind, Text(d.kind, d.kind)), d.window, d.online, problem))
        return tuple(sorted(rows, key=lambda r: (r.problem is None, r.id)))

    def _alerts(self, queues: tuple[QueueRow, ...], devices: tuple[DeviceRow, ...]) -> tuple[Alert, ...]:
        out = []
        for q in queues:
            if q.over_standard:
                out.append(Alert(True, Text(f"{q.name.zh}（{q.item}）超出服务标准：等候{q.waiting}人，最长{q.longest}分钟",
                                            f"{q.item} over its service standard: {q.waiting} waiting, longest {q.longest} min")))
        for d in devices:
            if d.problem is not None and d.online is not None:
                out.append(Alert(d.online is False or "缺纸" in d.problem.zh,
                                 Text(f"{d.kind.zh} {d.id}：{d.problem.zh}", f"{d.kind.en} {d.id}: {d.problem.en}")))
        out.extend(self._case_alerts())
        return tuple(out)

    def _case_alerts(self) -> list[Alert]:
        """限时办结: red for overdue cases, yellow for those due within the warning days."""
        c = self._cases
        if c is None:
            return []
        out = [Alert(w.light == "red",
                     Text(f"办件 {w.case}（{w.item_name}）{'已超期' if w.light == 'red' else '即将到期'}，期限 {w.due}",
                          f"Case {w.case} {'overdue' if w.light == 'red' else 'due soon'}, due {w.due}"))
               for w in c.warnings]
        if c.open_follow_ups:
            out.append(Alert(False, Text(f"差评回访待处理 {c.open_follow_ups} 件",
                                         f"{c.open_follow_ups} bad-rating follow-ups open")))
        return out


def device_lines(devices: tuple[DeviceRow, ...], lang: str, limit: int) -> list[tuple[str, str]]:
    """The manager's device panel in ``limit`` lines of (text, tone): each device that
    was seen and is now offline or faulty on its own line (tone "bad"), the configured
    ones never seen since the server started summed up on one line ("unseen"), and
    "all devices OK" only when neither exists."""
    bad = [d for d in devices if d.problem is not None and d.online is not None]
    unseen = [d for d in devices if d.online is None]
    room = limit - 1 if unseen else limit
    lines = [(f"{d.kind.pick(lang)} {d.id}：{d.problem.pick(lang)}", "bad") for d in bad[:room]]  # type: ignore[union-attr]
    if len(bad) > room:
        lines[-1] = (f"……另有 {len(bad) - room + 1} 台设备异常" if lang == "zh"
                     else f"… {len(bad) - room + 1} more devices with problems", "bad")
    if unseen:
        ids = "、".join(d.id for d in unseen[:6]) + ("…" if len(unseen) > 6 else "")
        lines.append((f"未上线 {len(unseen)} 台：{ids}" if lang == "zh" else f"{len(unseen)} not connected yet: {ids}", "unseen"))
    return lines or [("全部设备正常 All devices OK" if lang == "zh" else "All devices OK", "ok")]
