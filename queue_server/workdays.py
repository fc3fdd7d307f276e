"""Business days and working days in the hall's own time zone (never UTC offsets).

Working days follow the national holiday calendar (statutory holidays and make-up
workdays, 调休) from the ``chinese_calendar`` library, with the hall's own overrides
for days the library does not know yet (next year's schedule is published late).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from .config import BusinessHours, HallConfig, Period

log = logging.getLogger(__name__)


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def business_day(now: datetime, tz: str) -> date:
    """The hall's local calendar date of an aware instant."""
    if now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return now.astimezone(_zone(tz)).date()


def local(now: datetime, tz: str) -> datetime:
    return now.astimezone(_zone(tz))


@dataclass(frozen=True)
class WorkCalendar:
    """Is a date a working day?  Library first, then the hall's overrides."""

    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    @classmethod
    def from_config(cls, cfg: HallConfig) -> "WorkCalendar":
        return cls(frozenset(cfg.calendar.holidays), frozenset(cfg.calendar.workdays))

    def is_workday(self, d: date) -> bool:
        if d in self.extra_holidays:
            return False
        if d in self.extra_workdays:
            return True
        return _library_workday(d)

    def is_make_up_workday(self, d: date) -> bool:
        return d.weekday() >= 5 and self.is_workday(d)

    def is_statutory_holiday(self, d: date) -> bool:
        return d.weekday() < 5 and not self.is_workday(d)

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (start itself not counted)."""
        d = start
        left = days
        while left > 0:
            d += timedelta(days=1)
            if self.is_workday(d):
                left -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative if end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        n = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_workday(d):
                n += 1
        return n


@lru_cache(maxsize=4096)
def _library_workday(d: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        # The library does not know this year yet: weekends off, and say so once.
        _warn_unknown_year(d.year)
        return d.weekday() < 5


@lru_cache(maxsize=64)
def _warn_unknown_year(year: int) -> None:
    log.warning("holiday calendar has no data for %s; counting Mon-Fri only until "
                "the hall config's [calendar] lists that year's holidays", year)


def hours_on(hours: BusinessHours, cal: WorkCalendar, d: date) -> list[Period]:
    """Opening periods on a date: none on statutory holidays; a make-up workday on a
    weekend keeps Monday's hours (the hall opens as on a working day)."""
    if cal.is_statutory_holiday(d):
        return []
    if cal.is_make_up_workday(d):
        return hours.for_weekday(0)
    return hours.for_weekday(d.weekday())


def is_open(cfg: HallConfig, cal: WorkCalendar, now: datetime) -> bool:
    t = local(now, cfg.hall.timezone)
    return any(p.start <= t.time() < p.end for p in hours_on(cfg.hall.business_hours, cal, t.date()))
