"""Events: what happened (past tense).  State is a fold of these; they are the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .codec import Registry

EVENTS = Registry()

__all__ = [
    "EVENTS", "Event", "DayStarted", "DayEnded", "CountersAdvanced", "TicketIssued",
    "AppointmentBooked", "TicketCalled", "TicketRecalled", "TicketNoShow", "TicketReinstated",
    "ServiceStarted", "ServiceFinished", "TicketTransferred", "TicketHeld", "TicketResumed",
    "ItemAdded", "WindowStatusChanged", "WindowItemsAssigned", "ItemIssuePaused",
    "DailyCapChanged", "ServiceRated", "TicketVoided",
]


@dataclass(frozen=True, kw_only=True)
class Event:
    at: datetime


def event(cls: type) -> type:
    return EVENTS.register(dataclass(frozen=True, kw_only=True)(cls))


@event
class DayStarted(Event):
    business_day: date


@event
class DayEnded(Event):
    business_day: date
    closed: tuple[str, ...]
    reason: str


@event
class CountersAdvanced(Event):
    """After an unclean shutdown: skip numbers that may have been printed but lost."""

    business_day: date
    counters: dict[str, int]


@event
class TicketIssued(Event):
    number: str
    prefix: str
    seq: int
    item: str
    more_items: tuple[str, ...] = ()
    priority: str | None = None
    appointment: str | None = None
    late: bool = False                  # checked in after the slot: served as a walk-in
    id_hash: str | None = None
    source: str = ""
    people_ahead: int = 0
    wait_low: int = 0
    wait_high: int = 0


@event
class AppointmentBooked(Event):
    code: str
    item: str
    day: date
    start: datetime
    end: datetime


@event
class TicketCalled(Event):
    number: str
    window: int


@event
class TicketRecalled(Event):
    number: str
    window: int
    count: int


@event
class TicketNoShow(Event):
    number: str
    window: int


@event
class TicketReinstated(Event):
    number: str


@event
class ServiceStarted(Event):
    number: str
    window: int


@event
class ServiceFinished(Event):
    number: str
    window: int
    item: str
    next_item: str | None = None


@event
class TicketTransferred(Event):
    number: str
    window: int
    to_item: str
    to_window: int | None
    front: bool


@event
class TicketHeld(Event):
    number: str
    window: int


@event
class TicketResumed(Event):
    number: str
    window: int


@event
class ItemAdded(Event):
    number: str
    item: str


@event
class WindowStatusChanged(Event):
    window: int
    status: str
    clerk: str = ""


@event
class WindowItemsAssigned(Event):
    window: int
    items: tuple[str, ...]


@event
class ItemIssuePaused(Event):
    item: str
    paused: bool


@event
class DailyCapChanged(Event):
    item: str
    cap: int | None = field(default=None)


@event
class ServiceRated(Event):
    """A rating for a ticket that opened no case (a consultation, say)."""

    number: str
    window: int
    level: str
    attitude: int | None = None
    efficiency: int | None = None
    integrity: int | None = None
    comment: str = ""


@event
class TicketVoided(Event):
    """A ticket its kiosk never handed over (the reply was lost): it leaves the queue and
    is never called; its number stays used."""

    number: str
    item: str
    reason: str = "not_handed_over"
    source: str = ""
