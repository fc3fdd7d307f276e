"""The rating pad (评价器, 好差评): after a ticket is finished at this window, the
citizen rates the service on the national five-level scale.

The pad only reads its window's retained state.  A ticket that was being served and
leaves the window without going on hold counts as finished (see docs/screens.md for why
a ``last_finished`` field on the window state would be better).  The rating is sent as
the proposed ``RateService`` command; one that can't be sent stays in the outbox and is
retried, and the citizen is thanked either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from queue_server.cases.model import RATING_NAMES, RatingLevel
from queue_server.config import HallConfig
from queue_server.mqtt import schemas as S

from .common import Observable, Text

ASK_SECONDS = 60.0
THANKS_SECONDS = 5.0
LEVELS: tuple[tuple[RatingLevel, Text], ...] = tuple((lvl, Text(*RATING_NAMES[lvl])) for lvl in RatingLevel)
RATE_KIND = "RateService"


@dataclass(frozen=True)
class RatingView:
    mode: str                # "idle" | "ask" | "thanks"
    number: str | None
    prompt: Text
    levels: tuple[tuple[str, Text], ...]
    pending: int             # ratings not yet accepted by the server


class RatingVM(Observable):
    def __init__(self, cfg: HallConfig, window: int) -> None:
        super().__init__()
        self.cfg = cfg
        self.window = window
        self._prev: S.WindowDisplay | None = None
        self._mode, self._number, self._case = "idle", None, None
        self._business_day: str | None = None
        self._since = 0.0
        self.outbox: list[tuple[str, dict[str, Any]]] = []
        self.view = self._build()

    def apply_window(self, w: S.WindowDisplay, now: float) -> None:
        if w.window != self.window:
            return
        finished = w.last_finished                             # the server says who was just served
        number = finished.number if finished is not None else self._finished_number(w)
        self._prev = w
        if number and number != self._number:
            self._mode, self._number, self._since = "ask", number, now
            self._case = finished.case if finished is not None else None
            self._business_day = w.at[:10]
            self._refresh()

    def _finished_number(self, w: S.WindowDisplay) -> str | None:
        p = self._prev
        if p is None or not p.current or p.current_status != "serving":
            return None
        if w.current == p.current or p.current in w.held:
            return None
        return p.current

    def rate(self, level: str) -> tuple[str, dict[str, Any]] | None:
        """The command for a tap on a level, or None when nothing is being rated."""
        if self._mode != "ask" or self._number is None:
            return None
        RatingLevel(level)                                     # only the five levels
        cmd: dict[str, Any] = {"window": self.window, "number": self._number, "level": level,
                               "business_day": self._business_day}
        if self._case:
            cmd["case"] = self._case
        self._mode, self._since = "thanks", self._since
        self.outbox.append((RATE_KIND, cmd))
        self._refresh()
        return RATE_KIND, cmd

    def sent(self, cmd: dict[str, Any], reply: S.Reply | None) -> None:
        """Drop a rating from the outbox once the server took it (or refused it for good)."""
        if reply is not None and (reply.ok or (reply.error and reply.error.code not in ("unknown_command", "not_authorized"))):
            self.outbox = [(k, c) for k, c in self.outbox if c != cmd]
            self._refresh()

    def tick(self, now: float) -> None:
        limit = ASK_SECONDS if self._mode == "ask" else THANKS_SECONDS
        if self._mode != "idle" and now - self._since > limit:
            self._mode = "idle"
            self._refresh()

    def thanked(self, now: float) -> None:
        self._since = now

    def _refresh(self) -> None:
        self.view = self._build()
        self.changed()

    def _build(self) -> RatingView:
        prompts = {
            "idle": Text("欢迎您对我们的服务进行监督", "Your opinion on our service is welcome"),
            "ask": Text(f"请您对 {self._number} 号的本次服务进行评价", f"Please rate the service for number {self._number}"),
            "thanks": Text("感谢您的评价！", "Thank you for your rating!"),
        }
        return RatingView(self._mode, self._number, prompts[self._mode],
                          tuple((lvl.value, t) for lvl, t in LEVELS), len(self.outbox))
