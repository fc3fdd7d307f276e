"""The clerk console's screen, made for 800×600 beside the clerk's own PC."""

from __future__ import annotations

from typing import Any, Callable

from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.spinner import Spinner

from kiosk import ui
from kiosk.viewmodels.clerk import ACTIONS, ClerkVM

from .widgets import CmdButton, Panel, Text

MAX_QUEUES = 6
MAX_HELD = 4


class ClerkScreen(Panel):
    def __init__(self, vm: ClerkVM, press: Callable[[str], None], lang: str = "zh", **kw: Any) -> None:
        super().__init__(orientation="vertical", bg=ui.LIGHT, padding=6, spacing=6, **kw)
        self.vm, self.lang, self._press = vm, lang, press
        top = Panel(bg=ui.BLUE, size_hint_y=None, height=44, padding=(10, 0))
        self.title_lbl = Text(size=22, bold=True, size_hint_x=0.7)
        self.status = Text(size=20, halign="right", color=ui.GOLD)
        top.add_widget(self.title_lbl)
        top.add_widget(self.status)
        self.add_widget(top)

        cur = Panel(bg=ui.DARK, size_hint_y=None, height=104, padding=(10, 4), spacing=10)
        self.current = Text(size=56, bold=True, color=ui.GOLD, size_hint_x=0.36)
        self.current_info = Text(size=16)
        cur.add_widget(self.current)
        cur.add_widget(self.current_info)
        self.add_widget(cur)

        self.message = Text(size=18, color=ui.DARK, size_hint_y=None, height=30)
        self.add_widget(self.message)

        grid = GridLayout(cols=4, spacing=4, size_hint_y=None, height=186)
        self.buttons: dict[str, CmdButton] = {}
        for a in ACTIONS:
            b = CmdButton(f"{a.label.pick(lang)}\n{a.shortcut.upper()}", a.key, size=19)
            b.bind(on_release=lambda btn: self._press(btn.action))
            self.buttons[a.key] = b
            grid.add_widget(b)
        self.add_widget(grid)

        bottom = Panel(spacing=6)
        left = Panel(orientation="vertical", bg=(1, 1, 1, 1), padding=4)
        left.add_widget(Text("本窗口事项排队 Queues", size=17, bold=True, color=ui.BLUE, size_hint_y=None, height=24))
        self.queue_rows = [Text(size=15, color=ui.DARK) for _ in range(MAX_QUEUES)]
        for r in self.queue_rows:
            left.add_widget(r)
        right = Panel(orientation="vertical", bg=(1, 1, 1, 1), padding=4, spacing=3, size_hint_x=0.8)
        right.add_widget(Text("挂起 On hold", size=17, bold=True, color=ui.BLUE, size_hint_y=None, height=24))
        held_row = Panel(spacing=3, size_hint_y=None, height=34)
        self.held_buttons = []
        for _ in range(MAX_HELD):
            hb = Button(text="", font_size=16, background_normal="", background_color=ui.GREY)
            hb.bind(on_release=lambda btn: btn.text and self.vm.select(held=btn.text))
            self.held_buttons.append(hb)
            held_row.add_widget(hb)
        right.add_widget(held_row)
        right.add_widget(Text("转移或加办到 Transfer / add to", size=16, color=ui.BLUE, size_hint_y=None, height=24))
        self._items = vm.transfer_items()
        self._windows = vm.transfer_windows()
        self.item_pick = Spinner(text="选择事项 item", values=[f"{c} {t.pick(lang)}" for c, t in self._items],
                                 font_size=15, size_hint_y=None, height=34)
        self.item_pick.bind(text=self._item_chosen)
        self.window_pick = Spinner(text="选择窗口 window", values=[t.pick(lang) for _, t in self._windows],
                                   font_size=15, size_hint_y=None, height=34)
        self.window_pick.bind(text=self._window_chosen)
        right.add_widget(self.item_pick)
        right.add_widget(self.window_pick)
        bottom.add_widget(left)
        bottom.add_widget(right)
        self.add_widget(bottom)
        vm.subscribe(self.refresh)
        self.refresh()

    def _item_chosen(self, _sp: Any, text: str) -> None:
        code = text.split(" ", 1)[0]
        if any(c == code for c, _ in self._items) and self.vm.selected_item != code:
            self.vm.select(item=code)

    def _window_chosen(self, _sp: Any, text: str) -> None:
        for n, t in self._windows:
            if t.pick(self.lang) == text and self.vm.selected_window != n:
                self.vm.select(window=n)

    def refresh(self) -> None:
        v, lang = self.vm.view, self.lang
        self.title_lbl.set(v.title.pick(lang))
        online = "" if v.online else " · 离线 offline"
        self.status.set(v.status.pick(lang) + online)
        self.current.set(v.current or "—")
        info = [v.current_status.pick(lang) if v.current_status else "当前无号 no ticket"]
        if v.current_item:
            info.append(v.current_item.pick(lang))
        if v.since:
            info.append(f"叫号时间 {v.since}")
        info.append(f"本窗口等候 {v.waiting_here} 人" + (f" · 下一位 {v.next}" if v.next else ""))
        self.current_info.set("\n".join(info))
        self.message.set(v.message.pick(lang), ui.GREEN if v.message_ok else ui.RED)
        for key, b in self.buttons.items():
            b.disabled = key not in v.enabled
        for i, r in enumerate(self.queue_rows):
            if i < len(v.queues):
                q = v.queues[i]
                flag = " 暂停取号" if q.paused else (" 超标准" if q.over_standard else "")
                r.set(f"{q.item} {q.name.pick(lang)} 等候{q.waiting}人 最长{q.longest}分{flag}",
                      ui.RED if q.over_standard else ui.DARK)
            else:
                r.set("")
        for i, hb in enumerate(self.held_buttons):
            hb.text = v.held[i] if i < len(v.held) else ""
            hb.background_color = ui.GOLD if hb.text and hb.text == v.selected_held else ui.GREY
        if v.selected_item is None and not self.item_pick.text.startswith("选择"):
            self.item_pick.text = "选择事项 item"
        if v.selected_window is None and not self.window_pick.text.startswith("选择"):
            self.window_pick.text = "选择窗口 window"
