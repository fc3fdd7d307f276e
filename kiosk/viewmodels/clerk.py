"""The clerk console (叫号器): actions with shortcuts, this window's queues and holds.

Buttons are enabled from the window's retained state, a press becomes one command, and
while it is in flight every button is locked (a double tap can't call twice; the
server's command ids make a retry harmless anyway).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from queue_server.config import HallConfig
from queue_server.mqtt import schemas as S

from .common import TICKET_STATUS, WINDOW_STATUS, Observable, Text, hhmm


@dataclass(frozen=True)
class Action:
    key: str
    label: Text
    shortcut: str         # Kivy key name, e.g. "f1"
    kind: str             # the server command
    needs: str | None = None   # "held", "target" (item or window), "item"


ACTIONS: tuple[Action, ...] = (
    Action("call_next", Text("叫号", "Call next"), "f1", "CallNext"),
    Action("recall", Text("重呼", "Recall"), "f2", "Recall"),
    Action("no_show", Text("过号", "No-show"), "f3", "MarkNoShow"),
    Action("start", Text("开始办理", "Start"), "f4", "StartService"),
    Action("finish", Text("办结", "Finish"), "f5", "FinishService"),
    Action("hold", Text("挂起", "Hold"), "f6", "Hold"),
    Action("resume", Text("恢复挂起", "Resume"), "f7", "Resume", "held"),
    Action("transfer", Text("转移", "Transfer"), "f8", "Transfer", "target"),
    Action("add_item", Text("加办事项", "Add item"), "f9", "AddItem", "item"),
    Action("pause", Text("暂停服务", "Pause"), "f10", "PauseWindow"),
    Action("open", Text("开始服务", "Open"), "f11", "OpenWindow"),
    Action("close", Text("关闭窗口", "Close"), "f12", "CloseWindow"),
)
BY_KEY = {a.key: a for a in ACTIONS}
BY_SHORTCUT = {a.shortcut: a for a in ACTIONS}

DONE_TEXT = {
    "call_next": Text("已叫号 {n}", "Called {n}"), "recall": Text("已重呼 {n}", "Recalled {n}"),
    "no_show": Text("{n} 已过号", "{n} marked no-show"), "start": Text("开始办理 {n}", "Serving {n}"),
    "finish": Text("{n} 已办结，请市民评价", "{n} finished; the citizen may rate now"),
    "hold": Text("{n} 已挂起", "{n} on hold"), "resume": Text("{n} 已恢复", "{n} resumed"),
    "transfer": Text("{n} 已转移", "{n} transferred"), "add_item": Text("{n} 已加办事项", "Item added to {n}"),
    "pause": Text("窗口已暂停", "Window paused"), "open": Text("窗口已开始服务", "Window open"),
    "close": Text("窗口已关闭", "Window closed"),
}


@dataclass(frozen=True)
class QueueLine:
    item: str
    name: Text
    waiting: int
    longest: int
    paused: bool
    over_standard: bool


@dataclass(frozen=True)
class ClerkView:
    title: Text
    status: Text
    current: str | None
    current_status: Text | None
    current_item: Text | None
    since: str
    held: tuple[str, ...]
    waiting_here: int
    next: str | None
    queues: tuple[QueueLine, ...]
    enabled: frozenset[str]
    busy: bool
    message: Text
    message_ok: bool
    online: bool
    selected_item: str | None
    selected_window: int | None
    selected_held: str | None


class RefusedLocally(ValueError):
    """The press can't become a command yet (nothing selected, not enabled)."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class ClerkVM(Observable):
    def __init__(self, cfg: HallConfig, window: int) -> None:
        super().__init__()
        self.cfg = cfg
        self.window = window
        self._w: S.WindowDisplay | None = None
        self._queues: S.QueuesState | None = None
        self._busy = False
        self._online = True
        self._message, self._message_ok = Text("正在连接…", "Connecting…"), True
        self.selected_item: str | None = None
        self.selected_window: int | None = None
        self.selected_held: str | None = None
        self.view = self._build()

    # -- inputs -----------------------------------------------------------------------
    def apply_window(self, w: S.WindowDisplay) -> None:
        if w.window == self.window:
            if self._w is None:
                self._message = Text("就绪", "Ready")
            self._w = w
            if self.selected_held not in w.held:
                self.selected_held = w.held[0] if w.held else None
            self._refresh()

    def apply_queues(self, q: S.QueuesState) -> None:
        self._queues = q
        self._refresh()

    def set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self._refresh()

    def select(self, item: str | None = None, window: int | None = None, held: str | None = None) -> None:
        """Pick a target for transfer / add item, or which held ticket to resume."""
        if item is not None:
            self.selected_item, self.selected_window = (item or None), None
        if window is not None:
            self.selected_window, self.selected_item = (window or None), None
        if held is not None:
            self.selected_held = held or None
        self._refresh()

    # -- presses ----------------------------------------------------------------------------
    def command(self, key: str) -> tuple[str, dict[str, Any]]:
        """The command a press sends; marks the console busy until :meth:`done`."""
        action = BY_KEY[key]
        if self._busy:
            raise RefusedLocally(Text("上一个操作尚未完成", "Still sending the previous action"))
        if key not in self.view.enabled:
            raise RefusedLocally(Text(f"现在不能{action.label.zh}", f"{action.label.en} is not possible now"))
        args: dict[str, Any] = {"window": self.window}
        if action.needs == "held":
            if not self.selected_held:
                raise RefusedLocally(Text("请先选择挂起的号", "Choose a held ticket first"))
            args["number"] = self.selected_held
        elif action.needs == "target":
            if self.selected_item:
                args["to_item"] = self.selected_item
            elif self.selected_window and self.selected_window != self.window:
                args["to_window"] = self.selected_window
            else:
                raise RefusedLocally(Text("请先选择转往的事项或窗口", "Choose an item or a window to transfer to"))
        elif action.needs == "item":
            if not self.selected_item:
                raise RefusedLocally(Text("请先选择事项", "Choose an item first"))
            args["item"] = self.selected_item
        self._busy = True
        self._message, self._message_ok = Text(f"{action.label.zh}…", f"{action.label.en}…"), True
        self._refresh()
        return action.kind, args

    def refused(self, error: RefusedLocally) -> None:
        self._message, self._message_ok = error.text, False
        self._refresh()

    def done(self, key: str, reply: S.Reply | None, error: str | None = None) -> None:
        """The reply (or no reply) to the last press."""
        self._busy = False
        if reply is None:
            zh, _, en = (error or "服务器无响应 / No answer").partition(" / ")
            self._message, self._message_ok = Text(zh, en or zh), False
        elif not reply.ok and reply.error is not None:
            self._message, self._message_ok = Text(reply.error.message, reply.error.message_en), False
        else:
            number = _number_of(reply) or (self._w.current if self._w else "") or ""
            t = DONE_TEXT[key]
            self._message, self._message_ok = Text(t.zh.format(n=number), t.en.format(n=number)), True
        self._refresh()

    # -- view -------------------------------------------------------------------------
    def _refresh(self) -> None:
        self.view = self._build()
        self.changed()

    def _enabled(self) -> frozenset[str]:
        w = self._w
        if w is None or self._busy or not self._online:
            return frozenset()
        cur = w.current_status if w.current else None
        on: set[str] = set()
        if w.status == "open":
            on.add("pause")
            if cur is None:
                on.add("call_next")
                if w.held:
                    on.add("resume")
        else:
            on.add("open")
        if w.status != "closed" and cur is None:
            on.add("close")
        if cur == "called":
            on |= {"recall", "no_show", "start"}
        if cur in ("called", "serving"):
            on |= {"hold", "transfer"}
        if cur == "serving":
            on |= {"finish", "add_item"}
        return frozenset(on)

    def _queue_lines(self) -> tuple[QueueLine, ...]:
        if self._queues is None or self._w is None:
            return ()
        mine = set(self._w.items)
        out = []
        for q in self._queues.items:
            if q.item in mine or (self._w.general and q.waiting):
                item = self.cfg.item(q.item)
                name = Text(item.name, item.name_en) if item else Text(q.item)
                out.append(QueueLine(q.item, name, q.waiting, int(q.longest_wait_minutes), q.paused, q.over_standard))
        order = {code: i for i, code in enumerate(self._w.items)}
        return tuple(sorted(out, key=lambda x: order.get(x.item, len(order))))

    def _build(self) -> ClerkView:
        w = self._w
        cfg_w = self.cfg.window(self.window)
        title = Text(f"{self.window}号窗口 {cfg_w.name if cfg_w else ''}", f"Window {self.window} {cfg_w.name_en if cfg_w else ''}")
        item = self.cfg.item(w.current_item) if w and w.current_item else None
        return ClerkView(
            title=title,
            status=WINDOW_STATUS.get(w.status, Text(w.status)) if w else Text("未连接", "Not connected"),
            current=w.current if w else None,
            current_status=TICKET_STATUS.get(w.current_status or "") if w and w.current else None,
            current_item=Text(item.name, item.name_en) if item else None,
            since=hhmm(w.since) if w else "",
            held=tuple(w.held) if w else (), waiting_here=w.waiting_here if w else 0, next=w.next if w else None,
            queues=self._queue_lines(), enabled=self._enabled(), busy=self._busy,
            message=self._message, message_ok=self._message_ok, online=self._online,
            selected_item=self.selected_item, selected_window=self.selected_window, selected_held=self.selected_held,
        )

    def transfer_items(self) -> list[tuple[str, Text]]:
        """Every active item, for the transfer / add-item picker."""
        return [(i.code, Text(i.name, i.name_en)) for i in self.cfg.items if i.status == "active"]

    def transfer_windows(self) -> list[tuple[int, Text]]:
        return [(w.number, Text(f"{w.number}号 {w.name}", f"{w.number} {w.name_en}"))
                for w in self.cfg.windows if w.number != self.window]


def _number_of(reply: S.Reply) -> str | None:
    for e in (reply.result or {}).get("events", []):
        if isinstance(e, dict) and e.get("number"):
            return str(e["number"])
    return None
