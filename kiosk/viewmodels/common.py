"""Shared pieces of the view-models: bilingual text, masking, times, change listeners."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from queue_server import clock
from queue_server.workdays import local

log = logging.getLogger(__name__)

WEEKDAYS_ZH = "一二三四五六日"


@dataclass(frozen=True)
class Text:
    """A string in Simplified Chinese first, English available."""

    zh: str
    en: str = ""

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.zh


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: screens in public show at most a surname."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


WINDOW_STATUS: dict[str, Text] = {
    "open": Text("服务中", "Open"),
    "paused": Text("暂停服务", "Paused"),
    "closed": Text("窗口已关闭", "Closed"),
}

TICKET_STATUS: dict[str, Text] = {
    "waiting": Text("等候中", "Waiting"),
    "called": Text("已叫号", "Called"),
    "serving": Text("办理中", "Being served"),
    "held": Text("已挂起", "On hold"),
    "no_show": Text("过号", "No-show"),
    "done": Text("已办结", "Done"),
    "closed": Text("已结束", "Closed"),
}


def parse_time(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        log.warning("unreadable time %r", iso)
        return None


def hhmm(iso: str | None) -> str:
    t = parse_time(iso)
    return t.strftime("%H:%M") if t else ""


def minutes_between(start_iso: str | None, now: datetime) -> int | None:
    t = parse_time(start_iso)
    if t is None:
        return None
    return max(0, int((now - t).total_seconds() // 60))


def date_text(now: datetime) -> Text:
    return Text(f"{now.year}年{now.month}月{now.day}日 星期{WEEKDAYS_ZH[now.weekday()]}",
                now.strftime("%A %d %B %Y"))


class Clock:
    """The hall's local time (``YIMEN_NOW`` pins it for drills and screenshots)."""

    def __init__(self, tz: str, source: Callable[[], datetime] = clock.now) -> None:
        self.tz = tz
        self._source = source

    def now(self) -> datetime:
        return local(self._source(), self.tz)


class Observable:
    """Listeners called after every change; screens repaint from the snapshot then.

    View-models are only touched on the UI thread (apps hand MQTT values over with
    ``Clock.schedule_once``), so no locking is needed here.
    """

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, fn: Callable[[], None]) -> None:
        self._listeners.append(fn)

    def changed(self) -> None:
        for fn in list(self._listeners):
            try:
                fn()
            except Exception:  # a broken listener must not stop the others
                log.exception("listener failed")
