"""Duty roster (值班表): who staffs which window on a date, the responsible person per
window (定岗定责) and the leader on duty (领导轮流坐班), for the hall board.

Pure: the roster is data, the date comes in, the answer goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import HallConfig
from ..workdays import WorkCalendar, hours_on


@dataclass(frozen=True)
class Shift:
    """A clerk's regular place: a window on some weekdays (0 = Monday), between dates."""

    window: int
    clerk: str
    weekdays: frozenset[int] = frozenset(range(5))
    start: date | None = None
    end: date | None = None

    def covers(self, day: date, weekday: int) -> bool:
        return (weekday in self.weekdays and (self.start is None or day >= self.start)
                and (self.end is None or day <= self.end))


@dataclass(frozen=True)
class RosterChange:
    """One day's exception for a window (leave, swap): who staffs it that day instead."""

    day: date
    window: int
    staff: tuple[str, ...]        # empty: the window is unstaffed that day


@dataclass(frozen=True)
class Roster:
    shifts: tuple[Shift, ...] = ()
    changes: tuple[RosterChange, ...] = ()
    leaders: tuple[str, ...] = ()             # rotation order, one leader per working day
    leader_start: date | None = None          # the working day leaders[0] sits
    leader_changes: tuple[tuple[date, str], ...] = ()   # swaps: (day, leader)


@dataclass(frozen=True)
class WindowDuty:
    window: int
    name: str
    responsible: str
    responsible_title: str
    staff: tuple[str, ...]


@dataclass(frozen=True)
class DayRoster:
    day: date
    open: bool
    make_up_workday: bool
    duty_leader: str | None
    windows: tuple[WindowDuty, ...]


def duty_leader(roster: Roster, cal: WorkCalendar, day: date) -> str | None:
    """The leader on duty: a swap if one is recorded, else the rotation over working
    days (make-up workdays take their turn; holidays and weekends do not)."""
    if not cal.is_workday(day):
        return None
    for d, leader in roster.leader_changes:
        if d == day:
            return leader
    if not roster.leaders or roster.leader_start is None:
        return None
    turn = cal.working_days_between(roster.leader_start, day)
    return roster.leaders[turn % len(roster.leaders)]


def roster_for(cfg: HallConfig, roster: Roster, cal: WorkCalendar, day: date) -> DayRoster:
    """The board's roster for a date.  A make-up workday on a weekend follows Monday's
    shifts, as it follows Monday's hours."""
    is_open = bool(hours_on(cfg.hall.business_hours, cal, day))
    make_up = cal.is_make_up_workday(day)
    weekday = 0 if make_up else day.weekday()
    changes = {c.window: c.staff for c in roster.changes if c.day == day}
    duties = []
    for w in cfg.windows:
        if not is_open:
            staff: tuple[str, ...] = ()
        elif w.number in changes:
            staff = changes[w.number]
        else:
            staff = tuple(s.clerk for s in roster.shifts if s.window == w.number and s.covers(day, weekday))
        duties.append(WindowDuty(w.number, w.name, w.responsible, w.responsible_title, staff))
    return DayRoster(day=day, open=is_open, make_up_workday=make_up,
                     duty_leader=duty_leader(roster, cal, day) if is_open else None,
                     windows=tuple(duties))


_WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def roster_from_config(cfg: HallConfig) -> Roster:
    """The hall config's [roster] section as the pure roster data."""
    r = cfg.roster
    return Roster(
        shifts=tuple(Shift(s.window, s.clerk, frozenset(_WEEKDAY[d] for d in s.weekdays), s.start, s.end)
                     for s in r.shifts),
        changes=tuple(RosterChange(c.day, c.window, tuple(c.staff)) for c in r.changes),
        leaders=tuple(r.leaders),
        leader_start=r.leader_start,
        leader_changes=tuple((x.day, x.leader) for x in r.leader_swaps),
    )
