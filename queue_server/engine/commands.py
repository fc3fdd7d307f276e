"""Commands: what staff, kiosks and the clock ask the hall to do (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .codec import Registry

COMMANDS = Registry()

__all__ = [
    "COMMANDS", "Command", "IssueTicket", "BookAppointment", "CheckIn", "CallNext", "CallTicket",
    "Recall", "MarkNoShow", "Reinstate", "StartService", "FinishService", "Transfer", "Hold",
    "Resume", "AddItem", "OpenWindow", "PauseWindow", "CloseWindow", "AssignItems",
    "PauseItem", "ResumeItem", "SetDailyCap", "CloseDay", "RateService", "VoidIssue", "VoidTicket",
]


@dataclass(frozen=True)
class Command:
    pass


def command(cls: type) -> type:
    return COMMANDS.register(dataclass(frozen=True)(cls))


@command
class IssueTicket(Command):
    item: str
    more_items: tuple[str, ...] = ()     # further matters in the same visit
    priority: str | None = None          # a priority class key (green channel)
    id_hash: str | None = None           # keyed hash of the resident ID, never the number
    source: str = ""                     # kiosk or staff identity that issued it


@command
class BookAppointment(Command):
    code: str
    item: str
    day: date
    start: datetime
    end: datetime


@command
class CheckIn(Command):
    code: str
    id_hash: str | None = None
    source: str = ""


@command
class CallNext(Command):
    window: int


@command
class CallTicket(Command):
    """Call a particular waiting ticket out of order."""

    window: int
    number: str


@command
class Recall(Command):
    window: int


@command
class MarkNoShow(Command):
    window: int


@command
class Reinstate(Command):
    number: str


@command
class StartService(Command):
    window: int


@command
class FinishService(Command):
    window: int


@command
class Transfer(Command):
    window: int
    to_item: str | None = None
    to_window: int | None = None
    position: str | None = None          # "keep" or "front"; None = the hall's rule


@command
class Hold(Command):
    window: int


@command
class Resume(Command):
    window: int
    number: str


@command
class AddItem(Command):
    window: int
    item: str


@command
class OpenWindow(Command):
    window: int
    clerk: str = ""


@command
class PauseWindow(Command):
    window: int


@command
class CloseWindow(Command):
    window: int


@command
class AssignItems(Command):
    window: int
    items: tuple[str, ...]


@command
class PauseItem(Command):
    item: str


@command
class ResumeItem(Command):
    item: str


@command
class SetDailyCap(Command):
    item: str
    cap: int | None


@command
class CloseDay(Command):
    reason: str = "business_day_ended"


@command
class RateService(Command):
    """The citizen rates the service at a window's rating pad (好差评).  When the ticket
    opened a case the rating goes on the case; otherwise it stays with the ticket."""

    window: int
    number: str
    level: str                           # very_satisfied … very_dissatisfied
    attitude: int | None = None
    efficiency: int | None = None
    integrity: int | None = None
    comment: str = ""
    case: str | None = None
    business_day: date | None = None


@command
class VoidIssue(Command):
    """作废未交付的号: the IssueTicket or CheckIn this kiosk sent under command_id (its own
    id, as it sent it) was never handed to anyone: the kiosk got no reply and told the
    citizen so. A ticket still waiting, never called, is voided (TicketVoided); one already
    called is refused (ticket_already_called); an id never seen is recorded as voided, so
    the original arriving late is refused (issue_voided) and issues nothing. Kiosks only."""

    command_id: str


@dataclass(frozen=True)
class VoidTicket(Command):
    """The engine's half of ``VoidIssue``, once the service has found the ticket that the
    command id issued.  Not a wire command: nobody voids a ticket by its number."""

    number: str
    business_day: date
    reason: str = "not_handed_over"
    source: str = ""
