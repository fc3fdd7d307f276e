"""The window display's screen: number and name, the ticket called, status, staff."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock

from kiosk import ui
from kiosk.viewmodels.window import WindowVM

from .widgets import Panel, Text, paint, recolor

FLASH_SECONDS = 4.0


class WindowScreen(Panel):
    def __init__(self, vm: WindowVM, lang: str = "zh", **kw: Any) -> None:
        super().__init__(orientation="vertical", bg=ui.DARK, **kw)      # flashes red on a call
        self.vm, self.lang = vm, lang
        top = Panel(bg=ui.BLUE, size_hint_y=0.2, padding=(24, 8), spacing=24)
        self.number = Text(size=72, bold=True, color=ui.GOLD, size_hint_x=0.35)
        self.name = Text(size=44, bold=True)
        top.add_widget(self.number)
        top.add_widget(self.name)
        self.stale = Text(size=22, color=ui.WHITE, halign="center", size_hint_y=None, height=0)
        paint(self.stale, ui.RED)
        self.headline = Text(size=150, bold=True, halign="center", size_hint_y=0.45)
        self.status = Text(size=40, halign="center", color=ui.LIGHT, size_hint_y=0.1)
        bottom = Panel(orientation="vertical", bg=(0.08, 0.12, 0.22, 1), size_hint_y=0.25, padding=(24, 8))
        self.staff = Text(size=32)
        self.responsible = Text(size=28, color=ui.LIGHT)
        self.waiting = Text(size=28, color=ui.GOLD)
        for w in (self.staff, self.responsible, self.waiting):
            bottom.add_widget(w)
        for w in (top, self.stale, self.headline, self.status, bottom):
            self.add_widget(w)
        self._flash_seen = 0
        self._flash_ev: Any = None
        vm.subscribe(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        v, lang = self.vm.view, self.lang
        self.number.set(v.title.pick(lang))
        self.name.set(v.name.pick(lang))
        self.headline.set(v.headline.pick(lang), ui.GOLD if v.ticket else (ui.RED if v.status == "paused" else ui.WHITE))
        self.headline.font_size = 150 if v.ticket else 110
        self.status.set(v.ticket_status.pick(lang) if v.ticket_status else "")
        self.staff.set(v.staff.pick(lang))
        self.responsible.set(v.responsible.pick(lang))
        self.waiting.set(v.waiting.pick(lang))
        self.stale.set("" if v.online else "与服务器的连接中断，正在重连… / Reconnecting to the hall server…")
        self.stale.height = 0 if v.online else 40
        if v.flash != self._flash_seen:
            self._flash_seen = v.flash
            self._start_flash()

    def _start_flash(self) -> None:
        """A new call or a recall: the number blinks for a few seconds."""
        if self._flash_ev is not None:
            self._flash_ev.cancel()
        state = {"n": 0}

        def step(_dt: float) -> bool:
            state["n"] += 1
            on = state["n"] % 2 == 1
            recolor(self, ui.RED if on else ui.DARK)
            if state["n"] >= int(FLASH_SECONDS * 2):
                recolor(self, ui.DARK)
                return False
            return True
        self._flash_ev = Clock.schedule_interval(step, 0.5)
