"""The hall board's screen (1920×1080): calls on the left, waiting and posts on the
right, duty leader and time on top, notices scrolling at the bottom."""

from __future__ import annotations

from typing import Any

from kivy.uix.gridlayout import GridLayout

from kiosk import ui
from kiosk.viewmodels.board import KEEP_CALLS, BoardVM

from .widgets import Panel, Text, paint, recolor

ROW_BG = (0.07, 0.11, 0.20, 1)
NEW_BG = (0.78, 0.10, 0.12, 1)
MAX_POSTS = 16
MAX_CATEGORIES = 10


def missed_text(numbers: tuple[str, ...], lang: str) -> str:
    if not numbers:
        return ""
    if lang == "zh":
        return f"  过号：{'  '.join(numbers)}  请到咨询台"
    return f"  Missed: {'  '.join(numbers)} (please see the help desk)"


class CallRow(Panel):
    def __init__(self, **kw: Any) -> None:
        super().__init__(bg=ROW_BG, padding=(20, 0), spacing=12, **kw)
        self.number = Text(size=56, bold=True, color=ui.GOLD, size_hint_x=0.32)
        self.window = Text(size=40, bold=True, size_hint_x=0.38)
        self.at = Text(size=28, color=ui.LIGHT, size_hint_x=0.15, halign="right")
        self.extra = Text(size=24, color=ui.LIGHT, size_hint_x=0.15, halign="right")
        for w in (self.number, self.window, self.extra, self.at):
            self.add_widget(w)


class BoardScreen(Panel):
    def __init__(self, vm: BoardVM, lang: str = "zh", **kw: Any) -> None:
        super().__init__(orientation="vertical", padding=12, spacing=10, **kw)
        self.vm, self.lang = vm, lang
        self._build_top()
        self.stale = Text(size=26, halign="center", size_hint_y=None, height=0)
        paint(self.stale, ui.RED)
        self.add_widget(self.stale)
        body = Panel(spacing=12)
        body.add_widget(self._build_calls())
        body.add_widget(self._build_right())
        self.add_widget(body)
        self.notice = Text(size=28, color=ui.GOLD, size_hint_y=None, height=56)
        paint(self.notice, ui.BLUE)
        self.add_widget(self.notice)
        self._notice_i = 0
        vm.subscribe(self.refresh)
        self.refresh()

    # -- layout -------------------------------------------------------------------------
    def _build_top(self) -> None:
        top = Panel(bg=ui.BLUE, size_hint_y=None, height=110, padding=(24, 6), spacing=20)
        self.hall = Text(size=52, bold=True, size_hint_x=0.45)
        self.leader = Text(size=30, color=ui.GOLD, size_hint_x=0.3)
        clock = Panel(orientation="vertical", size_hint_x=0.25)
        self.time = Text(size=52, bold=True, halign="right")
        self.date = Text(size=24, halign="right", color=ui.LIGHT)
        clock.add_widget(self.time)
        clock.add_widget(self.date)
        for w in (self.hall, self.leader, clock):
            top.add_widget(w)
        self.add_widget(top)

    def _build_calls(self) -> Panel:
        col = Panel(orientation="vertical", size_hint_x=0.48, spacing=6)
        col.add_widget(Text("最新叫号  Latest calls", size=34, bold=True, size_hint_y=None, height=54))
        self.call_rows = [CallRow() for _ in range(KEEP_CALLS)]
        self._row_keys: dict[int, tuple[str, int, str] | None] = {id(r): None for r in self.call_rows}
        for r in self.call_rows:
            col.add_widget(r)
        # Always there (a line that came and went would resize every row's text).
        self.missed = Text(size=26, color=ui.GOLD, size_hint_y=None, height=48)
        col.add_widget(self.missed)
        self.calls_col = col
        return col

    def _build_right(self) -> Panel:
        col = Panel(orientation="vertical", spacing=8)
        col.add_widget(Text("等候人数  Waiting", size=34, bold=True, size_hint_y=None, height=54))
        self.cat_grid = GridLayout(cols=2, spacing=6, size_hint_y=0.42)
        self.cat_cells = []
        for _ in range(MAX_CATEGORIES):
            cell = Text(size=26)
            paint(cell, ROW_BG)
            self.cat_cells.append(cell)
            self.cat_grid.add_widget(cell)
        col.add_widget(self.cat_grid)
        col.add_widget(Text("窗口与首问负责人（定岗定责）  Windows and responsible staff", size=28, bold=True,
                            size_hint_y=None, height=48))
        self.post_grid = GridLayout(cols=2, spacing=4, size_hint_y=0.58)
        self.post_cells = []
        for _ in range(MAX_POSTS):
            cell = Text(size=21)
            self.post_cells.append(cell)
            self.post_grid.add_widget(cell)
        col.add_widget(self.post_grid)
        return col

    # -- painting ----------------------------------------------------------------------------
    def refresh(self) -> None:
        v, lang = self.vm.view, self.lang
        self.hall.set(v.hall.pick(lang))
        mark = "" if v.duty_leader_published else "（按值班表）"
        self.leader.set(f"今日值班领导：{v.duty_leader.pick(lang)}{mark}\nLeader on duty")
        self.time.set(v.time)
        self.date.set(v.date.pick(lang))
        self.stale.set(v.stale.pick(lang) if v.stale else "")
        self.stale.height = 44 if v.stale else 0
        self._paint_calls()
        self.missed.set(missed_text(v.missed, self.lang))
        self._paint_categories()
        self._paint_posts()
        if v.notices:
            self.notice.set("  政务公开：" + v.notices[self._notice_i % len(v.notices)])

    def next_notice(self) -> None:
        """The board cycles notices (called by the app every few seconds)."""
        self._notice_i += 1
        v = self.vm.view
        if v.notices:
            self.notice.set("  政务公开：" + v.notices[self._notice_i % len(v.notices)])

    def _paint_calls(self) -> None:
        """A new call shifts every line down.  Rendering Chinese text is the costly part of
        a frame in software, so the rows move instead: each call keeps its row (and its
        rendered text), and only the new line's labels are drawn afresh."""
        calls = self.vm.view.calls[: len(self.call_rows)]
        shown = {self._row_keys[id(r)]: r for r in self.call_rows if self._row_keys[id(r)] is not None}
        order: list[CallRow | None] = []
        pending = []
        for c in calls:
            order.append(shown.pop((c.number, c.window, c.at), None))
            pending.append(c)
        kept = {id(r) for r in order if r is not None}
        spares = [r for r in self.call_rows if id(r) not in kept]
        for i, (row, c) in enumerate(zip(order, pending)):
            if row is None:
                row = order[i] = spares.pop()
                row.number.set(c.number)
                row.window.set(f"{c.window}号窗口" if self.lang == "zh" else f"Window {c.window}")
                row.at.set(c.at)
                self._row_keys[id(row)] = (c.number, c.window, c.at)
            row.extra.set(f"重呼{c.recall}" if c.recall else ("最新" if c.newest else ""))
            recolor(row, NEW_BG if c.newest else ROW_BG)
        for row in spares:
            for t in (row.number, row.window, row.at, row.extra):
                t.set("")
            recolor(row, ROW_BG)
            self._row_keys[id(row)] = None
        rows = [r for r in order if r is not None] + spares
        assert len(rows) == len(self.call_rows)
        if [r for r in self.calls_col.children[::-1] if isinstance(r, CallRow)] != rows:
            for r in self.call_rows:
                self.calls_col.remove_widget(r)
            for r in rows:
                self.calls_col.add_widget(r, index=1)     # above the 过号 line

    def _paint_categories(self) -> None:
        cats = self.vm.view.categories
        for i, cell in enumerate(self.cat_cells):
            if i < len(cats):
                c = cats[i]
                flag = "  暂停取号" if c.paused else ("  超出服务标准" if c.over_standard else "")
                cell.set(f"  {c.name.pick(self.lang)}  等候 {c.waiting} 人  {c.wait.pick(self.lang)}{flag}",
                         ui.RED if c.over_standard else ui.WHITE)
            else:
                cell.set("")

    def _paint_posts(self) -> None:
        posts = self.vm.view.posts
        for i, cell in enumerate(self.post_cells):
            if i < len(posts):
                p = posts[i]
                cur = f" {p.current}" if p.current else ""
                staff = f" 在岗:{p.staff}" if p.staff else ""
                # A figure space (U+2007) is as wide as a digit: window numbers line up.
                cell.set(f"{p.window:\u2007>2}号 {p.name.pick(self.lang)} · {p.responsible} · {p.status.pick(self.lang)}{cur}{staff}",
                         ui.LIGHT if p.status.zh == "服务中" else ui.GREY)
            else:
                cell.set("")
