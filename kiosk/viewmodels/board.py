"""The hall board (综合屏): latest calls, waiting per category, posts and duty, notices.

Retained ``state/board`` and ``state/queues`` are the truth and repaint everything after
a restart; a live ``event/call`` only pushes the new call to the top at once (the board's
retained state follows within the server's coalesced repaint) and never survives as the
truth — nothing is replayed from memory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from queue_server.cases.roster import roster_for, roster_from_config
from queue_server.config import HallConfig
from queue_server.mqtt import schemas as S
from queue_server.workdays import WorkCalendar

from .common import WINDOW_STATUS, Clock, Observable, Text, date_text, hhmm, mask_name

KEEP_CALLS = 10      # people miss calls when several windows call at once: keep the last 10


@dataclass(frozen=True)
class CallLine:
    number: str
    window: int
    window_name: str
    at: str            # HH:MM
    newest: bool
    recall: int = 0


@dataclass(frozen=True)
class CategoryLine:
    key: str
    name: Text
    waiting: int
    wait: Text          # "约 10–20 分钟"
    paused: bool
    over_standard: bool


@dataclass(frozen=True)
class PostLine:
    """A window's post (定岗定责): responsible person (public by policy) and status."""

    window: int
    name: Text
    responsible: str
    title: str
    staff: str          # who staffs it today (masked: not covered by the public post list)
    status: Text
    current: str | None


@dataclass(frozen=True)
class BoardView:
    hall: Text
    date: Text
    time: str
    calls: tuple[CallLine, ...]
    categories: tuple[CategoryLine, ...]
    posts: tuple[PostLine, ...]
    duty_leader: Text
    duty_leader_published: bool
    notices: tuple[str, ...]
    online: bool
    stale: Text | None   # shown when the hall server is unreachable
    missed: tuple[str, ...] = ()   # 过号: numbers marked no-show and not reinstated, newest first


def wait_text(low: int, high: int, waiting: int) -> Text:
    if waiting == 0:
        return Text("无需等候", "No wait")
    if high <= low:
        return Text(f"约 {low} 分钟", f"about {low} min")
    return Text(f"约 {low}–{high} 分钟", f"about {low}–{high} min")


class BoardVM(Observable):
    """Turns board/queue state and call events into a :class:`BoardView`."""

    def __init__(self, cfg: HallConfig, clock: Clock | None = None, keep: int = KEEP_CALLS) -> None:
        super().__init__()
        self.cfg = cfg
        self.clock = clock or Clock(cfg.hall.timezone)
        self.keep = keep
        self._board: S.BoardState | None = None
        self._queues: S.QueuesState | None = None
        self._calls: list[CallLine] = []
        self._online = True
        self._calendar = WorkCalendar.from_config(cfg)
        self._roster = roster_from_config(cfg)
        self.view = self._build(self.clock.now())

    # -- inputs (UI thread) ---------------------------------------------------------
    def apply_board(self, board: S.BoardState) -> None:
        self._board = board
        names = {w.window: w.name for w in board.windows}
        self._calls = [CallLine(c.number, c.window, names.get(c.window, ""), hhmm(c.at), i == 0)
                       for i, c in enumerate(board.recent_calls[: self.keep])]
        self._refresh()

    def apply_queues(self, queues: S.QueuesState) -> None:
        self._queues = queues
        self._refresh()

    def apply_call(self, call: S.CallEvent) -> None:
        """A live call goes to the top at once and is highlighted; a recall moves it up."""
        rest = [replace(c, newest=False) for c in self._calls
                if not (c.number == call.number and c.window == call.window)]
        line = CallLine(call.number, call.window, call.window_name, hhmm(call.at), True, call.recall)
        self._calls = [line, *rest][: self.keep]
        self._refresh()

    def set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self._refresh()

    def tick(self) -> bool:
        """Called every second; repaints only when the minute or date changed."""
        now = self.clock.now()
        new = self._build(now)
        if new.time != self.view.time or new.date != self.view.date:
            self.view = new
            self.changed()
            return True
        return False

    def _refresh(self) -> None:
        self.view = self._build(self.clock.now())
        self.changed()

    # -- building the view ------------------------------------------------------------
    def _build(self, now: datetime) -> BoardView:
        b = self._board
        hall = Text(b.name, b.name_en) if b else Text(self.cfg.hall.name, self.cfg.hall.name_en)
        notices = tuple(b.notices) if b else tuple(self.cfg.hall.notices)
        leader, published = self._duty_leader(now)
        return BoardView(
            hall=hall, date=date_text(now), time=now.strftime("%H:%M"),
            calls=tuple(self._calls), categories=self._categories(), posts=self._posts(now),
            duty_leader=leader, duty_leader_published=published, notices=notices, online=self._online,
            missed=tuple(c.number for c in b.recent_no_shows) if b else (),
            stale=None if self._online else Text("与服务器的连接中断，显示的可能不是最新信息",
                                                  "Connection to the hall server lost; this may be out of date"),
        )

    def _duty_leader(self, now: datetime) -> tuple[Text, bool]:
        """The server's published leader when there is one (a proposed ``duty_leader``
        field on BoardState), else today's rotation from the config's roster."""
        published = getattr(self._board, "duty_leader", None) if self._board else None
        if published:
            return Text(str(published), str(published)), True
        day = roster_for(self.cfg, self._roster, self._calendar, now.date())
        if day.duty_leader:
            return Text(day.duty_leader, day.duty_leader), False
        return Text("（待公布）", "(to be announced)"), False

    def _categories(self) -> tuple[CategoryLine, ...]:
        if self._queues is None:
            return ()
        by_cat: dict[str, list[S.QueueInfo]] = {}
        for q in self._queues.items:
            by_cat.setdefault(q.category, []).append(q)
        out = []
        for cat in self.cfg.categories:
            qs = by_cat.get(cat.key)
            if not qs:
                continue
            waiting = sum(q.waiting for q in qs)
            busy = [q for q in qs if q.waiting] or qs
            low = min(q.wait_minutes[0] for q in busy)
            high = max(q.wait_minutes[1] for q in busy)
            out.append(CategoryLine(cat.key, Text(cat.name, cat.name_en), waiting, wait_text(low, high, waiting),
                                    all(q.paused for q in qs), any(q.over_standard for q in qs)))
        return tuple(out)

    def _posts(self, now: datetime) -> tuple[PostLine, ...]:
        live = {w.window: w for w in self._board.windows} if self._board else {}
        day = roster_for(self.cfg, self._roster, self._calendar, now.date())
        staff = {d.window: d.staff for d in day.windows}
        out = []
        for w in self.cfg.windows:
            bw = live.get(w.number)
            status = WINDOW_STATUS.get(bw.status, Text(bw.status)) if bw else Text("—")
            out.append(PostLine(w.number, Text(w.name, w.name_en), w.responsible, w.responsible_title,
                                "、".join(mask_name(s) for s in staff.get(w.number, ())),
                                status, bw.current if bw else None))
        return tuple(out)
