"""Figures for the hall, the county and the year-end assessment: pure functions over
cases and feedback, per hall, category or item, over a period of business days.

Definitions (docs/cases.md has them in full): everything is judged "as at the end of
the period", so the figures of a closed period never change afterwards.

* completed in P: decided (approved or not) on a day in P.
* due in P: completed in P, plus cases accepted by the end of P, neither decided nor
  withdrawn by then, whose promised deadline (as it stood at the end of P) falls in P.
* completion rate = completed in P / due in P; on-time rate = completed in P on or
  before their promised deadline / completed in P.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Literal

from ..workdays import WorkCalendar
from .deadlines import promised_due
from .model import BAD_RATINGS, Case, Feedback, FeedbackKind, RatingLevel

GroupBy = Literal["hall", "category", "item"] | None
ALL = "all"


@dataclass(frozen=True)
class CaseFigures:
    opened: int = 0
    accepted: int = 0
    proxied: int = 0
    withdrawn: int = 0
    extended: int = 0
    due: int = 0
    completed: int = 0
    approved: int = 0
    not_approved: int = 0
    on_time: int = 0
    overdue: int = 0                       # open and past the deadline at the end of P
    rated: int = 0
    ratings: dict[str, int] = field(default_factory=dict)
    bad_ratings: int = 0
    follow_ups_answered: int = 0
    follow_ups_answered_on_time: int = 0
    follow_ups_closed: int = 0
    follow_ups_open: int = 0               # opened by the end of P, not closed by then

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of ratings that are not bad (基本满意 and above)."""
        return (self.rated - self.bad_ratings) / self.rated if self.rated else None


def _in(d: date | None, start: date, end: date) -> bool:
    return d is not None and start <= d <= end


def _by(d: date | None, end: date) -> bool:
    return d is not None and d <= end


def is_completed_in(case: Case, start: date, end: date) -> bool:
    return _in(case.decided_day, start, end)


def is_due_in(case: Case, cal: WorkCalendar, start: date, end: date) -> bool:
    """Due in P: completed in P, or still open at the end of P with its deadline in P."""
    if is_completed_in(case, start, end):
        return True
    if not _by(case.accepted_day, end) or _by(case.decided_day, end) or _by(case.withdrawn_day, end):
        return False
    return start <= promised_due(case, cal, end) <= end


def is_overdue_at(case: Case, cal: WorkCalendar, end: date) -> bool:
    if not _by(case.accepted_day, end) or _by(case.decided_day, end) or _by(case.withdrawn_day, end):
        return False
    return end > promised_due(case, cal, end)


def figures_for(cases: Iterable[Case], cal: WorkCalendar, start: date, end: date) -> CaseFigures:
    """All the case figures for one group of cases over [start, end]."""
    n: dict[str, int] = defaultdict(int)
    levels = {str(level): 0 for level in RatingLevel}
    for c in cases:
        n["opened"] += _in(c.intake_day, start, end)
        n["accepted"] += _in(c.accepted_day, start, end)
        n["proxied"] += c.proxy is not None and _in(c.proxy.consent_day, start, end)
        n["withdrawn"] += _in(c.withdrawn_day, start, end)
        n["extended"] += any(_in(e.day, start, end) for e in c.extensions)
        n["due"] += is_due_in(c, cal, start, end)
        if is_completed_in(c, start, end):
            assert c.decided_day is not None
            n["completed"] += 1
            n["approved" if c.approved else "not_approved"] += 1
            n["on_time"] += c.decided_day <= promised_due(c, cal, c.decided_day)
        n["overdue"] += is_overdue_at(c, cal, end)
        r = c.rating
        if r is not None and _in(r.day, start, end):
            n["rated"] += 1
            levels[str(r.level)] += 1
            n["bad_ratings"] += r.level in BAD_RATINGS
        fu = r.follow_up if r is not None else None
        if fu is not None:
            if _in(fu.answered_on, start, end):
                n["follow_ups_answered"] += 1
                n["follow_ups_answered_on_time"] += fu.answered_on is not None and fu.answered_on <= fu.due
            n["follow_ups_closed"] += _in(fu.closed_on, start, end)
            n["follow_ups_open"] += fu.opened_on <= end and not _by(fu.closed_on, end)
    return CaseFigures(ratings=levels, **n)


def case_figures(cases: Iterable[Case], cal: WorkCalendar, start: date, end: date,
                 by: GroupBy = None) -> dict[str, CaseFigures]:
    """Figures per hall, category or item (or one ``"all"`` row), sorted by key."""
    groups: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        groups[getattr(c, by) if by else ALL].append(c)
    return {k: figures_for(groups[k], cal, start, end) for k in sorted(groups)}


@dataclass(frozen=True)
class FeedbackFigures:
    comments: int = 0
    complaints: int = 0
    comments_replied: int = 0
    complaints_replied: int = 0
    complaints_replied_on_time: int = 0
    complaints_open: int = 0               # received by the end of P, not replied by then

    @property
    def complaint_reply_rate(self) -> float | None:
        return self.complaints_replied / self.complaints if self.complaints else None


def feedback_figures(entries: Iterable[Feedback], start: date, end: date,
                     hall: str | None = None) -> FeedbackFigures:
    """Comment-book and complaint-box figures for a hall (or all halls) over [start, end]."""
    n: dict[str, int] = defaultdict(int)
    for f in entries:
        if hall is not None and f.hall != hall:
            continue
        kind = "complaints" if f.kind is FeedbackKind.COMPLAINT else "comments"
        n[kind] += _in(f.received_on, start, end)
        if _in(f.replied_on, start, end):
            n[f"{kind}_replied"] += 1
            if f.kind is FeedbackKind.COMPLAINT:
                n["complaints_replied_on_time"] += f.replied_on is not None and f.replied_on <= f.reply_due
        if f.kind is FeedbackKind.COMPLAINT:
            n["complaints_open"] += f.received_on <= end and not _by(f.replied_on, end)
    return FeedbackFigures(**n)
