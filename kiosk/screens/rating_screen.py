"""The rating pad's screen: the ticket and five big buttons (800×480)."""

from __future__ import annotations

from typing import Any, Callable

from kiosk import ui
from kiosk.viewmodels.rating import RatingVM

from .widgets import CmdButton, Panel, Text

COLORS = {"very_satisfied": (0.05, 0.55, 0.25, 1), "satisfied": (0.25, 0.65, 0.30, 1),
          "basic": (0.75, 0.60, 0.10, 1), "dissatisfied": (0.85, 0.40, 0.10, 1),
          "very_dissatisfied": (0.78, 0.10, 0.12, 1)}


class RatingScreen(Panel):
    def __init__(self, vm: RatingVM, tap: Callable[[str], None], lang: str = "zh", **kw: Any) -> None:
        super().__init__(orientation="vertical", bg=ui.LIGHT, padding=12, spacing=10, **kw)
        self.vm, self.lang = vm, lang
        head = Panel(bg=ui.BLUE, size_hint_y=None, height=60, padding=(12, 0))
        head.add_widget(Text(f"{vm.window}号窗口 服务评价（好差评） Rate our service", size=24, bold=True))
        self.add_widget(head)
        self.prompt = Text(size=34, bold=True, color=ui.DARK, halign="center", size_hint_y=0.35)
        self.add_widget(self.prompt)
        row = Panel(spacing=8, size_hint_y=0.5)
        self.buttons = []
        for key, label in vm.view.levels:
            b = CmdButton(label.pick(lang) + ("" if lang == "en" else f"\n{label.en}"), key, size=22, bg=COLORS[key])
            b.bind(on_release=lambda btn: tap(btn.action))
            self.buttons.append(b)
            row.add_widget(b)
        self.add_widget(row)
        self.footer = Text(size=16, color=ui.GREY, halign="center", size_hint_y=None, height=28)
        self.add_widget(self.footer)
        vm.subscribe(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        v = self.vm.view
        self.prompt.set(v.prompt.pick(self.lang) + ("" if self.lang == "en" else f"\n{v.prompt.en}"))
        for b in self.buttons:
            b.disabled = v.mode != "ask"
            b.opacity = 1 if v.mode == "ask" else 0.35
        self.footer.set("评价结果将用于改进服务，并与办件关联 · Ratings are tied to the ticket and its case")
