"""Deadlines in working days: promised and legal limits, stopped clocks, extensions.

Rule (also in docs/cases.md): the clock starts on the intake day (not counted) and a
limit of N working days ends on the N-th working day after it.  A stop from day S to
day R moves the deadline by ``working_days_between(S, R)``: S still counts as used, R
does not.  So a case that waits for materials from intake to the day they arrive is due
N working days after that day, as the law wants (the clock runs from acceptance).
Extensions add their working days from the day they are granted.

All functions take ``as_of`` so figures can ask "what was the deadline at the end of
that period?" without a clock.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from ..workdays import WorkCalendar
from .model import DECIDED_STATUSES, OPEN_STATUSES, Case

DEFAULT_WARNING_DAYS = 2


class DeadlineStatus(StrEnum):
    OK = "ok"
    YELLOW = "yellow"   # due within the warning window
    RED = "red"         # overdue


def stopped_days(case: Case, cal: WorkCalendar, as_of: date) -> int:
    """Working days the clock has stood still up to ``as_of``."""
    total = 0
    for s in case.stops:
        if s.start > as_of:
            continue
        end = s.end if s.end is not None and s.end <= as_of else as_of
        total += cal.working_days_between(s.start, end)
    return total


def extension_days(case: Case, as_of: date) -> int:
    return sum(e.days for e in case.extensions if e.day <= as_of)


def _due(case: Case, limit: int, cal: WorkCalendar, as_of: date) -> date:
    return cal.add_working_days(case.intake_day, limit + extension_days(case, as_of)
                                + stopped_days(case, cal, as_of))


def promised_due(case: Case, cal: WorkCalendar, as_of: date) -> date:
    """The last working day of the promised limit, as it stands on ``as_of``."""
    return _due(case, case.promised_days, cal, as_of)


def legal_due(case: Case, cal: WorkCalendar, as_of: date) -> date | None:
    """The legal deadline, or None when the catalogue gives no legal limit."""
    if not case.legal_days:
        return None
    return _due(case, case.legal_days, cal, as_of)


def working_days_left(case: Case, cal: WorkCalendar, today: date) -> int:
    """Working days left after today (0: due today; negative: overdue by that many)."""
    return cal.working_days_between(today, promised_due(case, cal, today))


def is_overdue(case: Case, cal: WorkCalendar, today: date) -> bool:
    """Still open (not decided, not withdrawn) and past its promised deadline."""
    return case.status in OPEN_STATUSES and today > promised_due(case, cal, today)


def deadline_status(case: Case, today: date, cal: WorkCalendar,
                    warning_days: int = DEFAULT_WARNING_DAYS) -> DeadlineStatus:
    """The light the hall board shows.  Decided and withdrawn cases are never warned
    about; a stopped clock keeps the light it had when it stopped."""
    if case.status not in OPEN_STATUSES:
        return DeadlineStatus.OK
    due = promised_due(case, cal, today)
    if today > due:
        return DeadlineStatus.RED
    if cal.working_days_between(today, due) <= warning_days:
        return DeadlineStatus.YELLOW
    return DeadlineStatus.OK


def completed_on_time(case: Case, cal: WorkCalendar) -> bool | None:
    """On-time completion (限时办结): decided on or before the promised deadline.
    None while the case is undecided or if it was withdrawn."""
    if case.decided_day is None or case.status not in DECIDED_STATUSES:
        return None
    return case.decided_day <= promised_due(case, cal, case.decided_day)


def within_legal_limit(case: Case, cal: WorkCalendar) -> bool | None:
    if case.decided_day is None or case.status not in DECIDED_STATUSES:
        return None
    due = legal_due(case, cal, case.decided_day)
    return True if due is None else case.decided_day <= due
