"""Case events: what happened (past tense).  Every one says who and when, and the
hall's business day, so folds and figures never need a time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..engine.codec import Registry

CASE_EVENTS = Registry()

__all__ = [
    "CASE_EVENTS", "CaseEvent", "CaseOpened", "CaseAccepted", "MaterialsRequested",
    "MaterialsSupplied", "ProcessingStarted", "CaseForwarded", "CaseReturned",
    "CaseSuspended", "CaseResumed", "DeadlineExtended", "CaseCompleted", "CaseWithdrawn",
    "ResultDelivered", "CaseEntrusted", "ProxyStepRecorded", "CaseRated",
    "FollowUpAnswered", "FollowUpClosed", "FeedbackSubmitted", "FeedbackRouted",
    "FeedbackReplied",
]


@dataclass(frozen=True, kw_only=True)
class CaseEvent:
    at: datetime
    day: date          # the hall's business day of ``at``
    by: str = ""


def event(cls: type) -> type:
    return CASE_EVENTS.register(dataclass(frozen=True, kw_only=True)(cls))


@event
class CaseOpened(CaseEvent):
    case: str
    hall: str
    item: str
    item_name: str
    item_version: int
    category: str
    applicant: str
    window: int | None
    clerk: str
    materials: tuple[str, ...]
    received: tuple[str, ...]
    promised_days: int
    legal_days: int
    delegated_by: str | None = None
    ticket: str | None = None
    id_hash: str | None = None
    id_ciphertext: str | None = None


@event
class CaseAccepted(CaseEvent):
    case: str


@event
class MaterialsRequested(CaseEvent):
    case: str
    missing: tuple[str, ...]
    supply_by: date
    note: str = ""


@event
class MaterialsSupplied(CaseEvent):
    case: str
    supplied: tuple[str, ...]
    still_missing: tuple[str, ...]


@event
class ProcessingStarted(CaseEvent):
    case: str


@event
class CaseForwarded(CaseEvent):
    case: str
    department: str


@event
class CaseReturned(CaseEvent):
    case: str
    note: str = ""


@event
class CaseSuspended(CaseEvent):
    case: str
    reason: str
    note: str = ""


@event
class CaseResumed(CaseEvent):
    case: str


@event
class DeadlineExtended(CaseEvent):
    case: str
    days: int
    reason: str


@event
class CaseCompleted(CaseEvent):
    case: str
    approved: bool
    note: str = ""


@event
class CaseWithdrawn(CaseEvent):
    case: str
    reason: str


@event
class ResultDelivered(CaseEvent):
    case: str
    method: str
    tracking: str = ""


@event
class CaseEntrusted(CaseEvent):
    case: str
    agent: str
    consent_by: str
    scope: str


@event
class ProxyStepRecorded(CaseEvent):
    case: str
    step: str
    note: str = ""


@event
class CaseRated(CaseEvent):
    case: str
    level: str
    attitude: int | None = None
    efficiency: int | None = None
    integrity: int | None = None
    comment: str = ""
    source: str = ""
    follow_up_due: date | None = None   # set when the rating is bad


@event
class FollowUpAnswered(CaseEvent):
    case: str
    answer: str


@event
class FollowUpClosed(CaseEvent):
    case: str
    note: str = ""


@event
class FeedbackSubmitted(CaseEvent):
    entry: str
    kind: str
    hall: str
    text: str
    source: str
    reply_due: date
    author: str | None = None
    contact: str = ""
    about_window: int | None = None
    about_case: str | None = None


@event
class FeedbackRouted(CaseEvent):
    entry: str
    to: str


@event
class FeedbackReplied(CaseEvent):
    entry: str
    reply: str
