"""The manager console's screen (1280×800): windows, queues, devices, alerts, actions."""

from __future__ import annotations

from typing import Any, Callable

from kiosk import ui
from kiosk.viewmodels.manager import ManagerVM, device_lines

from .widgets import CmdButton, Panel, Text

MAX_WINDOWS = 16
MAX_QUEUES = 12
MAX_DEVICES = 5
MAX_ALERTS = 3
ROW = (0.90, 0.92, 0.96, 1)
SEL = ui.GOLD

# (action key, label) — the app maps keys to view-model commands
WINDOW_ACTIONS = (("open", "开窗 Open"), ("pause", "暂停 Pause"), ("close", "关窗 Close"))
ITEM_ACTIONS = (("pause_item", "暂停取号 Pause issuing"), ("resume_item", "恢复取号 Resume"),
                ("cap_up", "限额+10 Cap+10"), ("cap_down", "限额-10 Cap-10"), ("cap_off", "取消限额 No cap"),
                ("move_here", "移到所选窗口 Move to window"), ("up", "优先↑ Up"), ("down", "优先↓ Down"))


def _row(on_press: Callable[[Any], None]) -> CmdButton:
    b = CmdButton("", "", size=15, bg=ROW, color=ui.DARK)
    b.halign = "left"
    b.bind(size=lambda *_: setattr(b, "text_size", (b.width - 10, b.height)), on_release=on_press)
    b.valign = "middle"
    return b


class ManagerScreen(Panel):
    def __init__(self, vm: ManagerVM, act: Callable[[str], None], lang: str = "zh", **kw: Any) -> None:
        super().__init__(orientation="vertical", bg=ui.LIGHT, padding=6, spacing=4, **kw)
        self.vm, self.lang = vm, lang
        top = Panel(bg=ui.BLUE, size_hint_y=None, height=44, padding=(10, 0))
        self.title_lbl = Text(f"{vm.cfg.hall.name} 管理台 Manager console", size=22, bold=True)
        self.time = Text(size=22, halign="right", size_hint_x=0.25)
        top.add_widget(self.title_lbl)
        top.add_widget(self.time)
        self.add_widget(top)
        self.message = Text(size=17, color=ui.DARK, size_hint_y=None, height=26)
        self.add_widget(self.message)
        alerts = Panel(orientation="vertical", bg=(1, 0.92, 0.92, 1), size_hint_y=None, height=80, padding=(8, 2))
        self.alert_rows = [Text(size=16, color=ui.RED) for _ in range(MAX_ALERTS)]
        for a in self.alert_rows:
            alerts.add_widget(a)
        self.add_widget(alerts)

        body = Panel(spacing=6)
        left = Panel(orientation="vertical", spacing=2, size_hint_x=0.52)
        left.add_widget(Text("窗口 Windows（点选）", size=17, bold=True, color=ui.BLUE, size_hint_y=None, height=24))
        self.window_rows = [_row(lambda b: self.vm.select(window=b.action)) for _ in range(MAX_WINDOWS)]
        for r in self.window_rows:
            left.add_widget(r)
        right = Panel(orientation="vertical", spacing=2)
        right.add_widget(Text("事项排队 Queues（点选）", size=17, bold=True, color=ui.BLUE, size_hint_y=None, height=24))
        self.queue_rows = [_row(lambda b: self.vm.select(item=b.action)) for _ in range(MAX_QUEUES)]
        for r in self.queue_rows:
            right.add_widget(r)
        self.device_title = Text(size=17, bold=True, color=ui.BLUE, size_hint_y=None, height=24)
        right.add_widget(self.device_title)
        self.device_rows = [Text(size=15, color=ui.DARK, size_hint_y=None, height=20) for _ in range(MAX_DEVICES)]
        for r in self.device_rows:
            right.add_widget(r)
        body.add_widget(left)
        body.add_widget(right)
        self.add_widget(body)

        bar = Panel(size_hint_y=None, height=52, spacing=4)
        self.action_buttons: dict[str, CmdButton] = {}
        for key, label in WINDOW_ACTIONS + ITEM_ACTIONS:
            b = CmdButton(label.replace(" ", "\n", 1), key, size=14, bg=ui.GREEN if key in dict(WINDOW_ACTIONS) else ui.BLUE)
            b.bind(on_release=lambda btn: act(btn.action))
            self.action_buttons[key] = b
            bar.add_widget(b)
        self.add_widget(bar)
        vm.subscribe(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        v, lang = self.vm.view, self.lang
        self.time.set(v.time + ("" if v.online else "  离线 offline"))
        self.message.set(v.message.pick(lang), ui.GREEN if v.message_ok else ui.RED)
        for i, a in enumerate(self.alert_rows):
            a.set("● " + v.alerts[i].text.pick(lang) if i < len(v.alerts) else
                  ("" if i else "暂无告警 No alerts"), ui.RED if i < len(v.alerts) else ui.GREEN)
        for i, b in enumerate(self.window_rows):
            if i < len(v.windows):
                w = v.windows[i]
                cur = f"{w.current} {w.current_status.pick(lang) if w.current_status else ''} {w.since}({w.minutes}分)" if w.current else "空闲"
                clerk = f" {w.clerk}" if w.clerk else ""
                b.text = f"{w.window:\u2007>2}号 {w.name.pick(lang)[:8]} [{w.status_text.pick(lang)}]{clerk} {cur} 等候{w.waiting_here}"
                b.action = w.window
                b.background_color = SEL if w.window == v.selected_window else (ROW if w.status == "open" else (0.8, 0.8, 0.8, 1))
            else:
                b.text, b.action = "", 0
        for i, b in enumerate(self.queue_rows):
            if i < len(v.queues):
                q = v.queues[i]
                cap = f" 限额{q.issued}/{q.cap}" if q.cap else ""
                flags = ("  暂停取号" if q.paused else "") + ("  已满" if q.full else "") + ("  超标准" if q.over_standard else "")
                b.text = f"{q.item} {q.name.pick(lang)} 等候{q.waiting} 最长{q.longest}分 预计{q.estimate.pick(lang)}{cap}{flags}"
                b.action = q.item
                b.color = ui.RED if q.over_standard else ui.DARK
                b.background_color = SEL if q.item == v.selected_item else ROW
            else:
                b.text, b.action = "", ""
        offline = sum(1 for d in v.devices if d.online is False)
        unseen = sum(1 for d in v.devices if d.online is None)
        self.device_title.set(f"设备 Devices  在线 {v.devices_online} · 离线 {offline} · 未上线 {unseen}")
        lines = device_lines(v.devices, lang, len(self.device_rows))
        for i, r in enumerate(self.device_rows):
            text, tone = lines[i] if i < len(lines) else ("", "ok")
            r.set(text, {"bad": ui.RED, "unseen": ui.GREY}.get(tone, ui.GREEN))
        for b in self.action_buttons.values():
            b.disabled = v.busy
