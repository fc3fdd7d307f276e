"""Case commands: what clerks, agents, rating pads and managers ask for (imperative).

Every command says who asks (``by``); the time comes with the decision, never from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.codec import Registry

CASE_COMMANDS = Registry()

__all__ = [
    "CASE_COMMANDS", "CaseCommand", "OpenCase", "RequestMaterials", "SupplyMaterials",
    "StartProcessing", "ForwardCase", "ReturnCase", "SuspendCase", "ResumeCase",
    "ExtendDeadline", "CompleteCase", "WithdrawCase", "DeliverResult", "EntrustCase",
    "RecordProxyStep", "RateCase", "AnswerFollowUp", "CloseFollowUp", "SubmitFeedback",
    "RouteFeedback", "ReplyFeedback",
]


@dataclass(frozen=True)
class CaseCommand:
    pass


def command(cls: type) -> type:
    return CASE_COMMANDS.register(dataclass(frozen=True, kw_only=True)(cls))


@command
class OpenCase(CaseCommand):
    """A clerk (or agent) takes in an application; ``received`` are the checklist
    materials handed over.  Anything missing gets the one-time notice at once."""

    item: str
    applicant_name: str                  # masked by the engine before it is stored
    by: str                              # the clerk or agent taking it in
    window: int | None = None
    ticket: str | None = None            # the ticket being served, if any
    received: tuple[str, ...] = ()
    id_hash: str | None = None           # keyed hash of the ID number
    id_ciphertext: str | None = None     # only for items with needs_full_id
    note: str = ""


@command
class RequestMaterials(CaseCommand):
    """Give the one-time notice during processing (at most one notice per case)."""

    case: str
    missing: tuple[str, ...]
    by: str
    note: str = ""


@command
class SupplyMaterials(CaseCommand):
    case: str
    supplied: tuple[str, ...]
    by: str


@command
class StartProcessing(CaseCommand):
    case: str
    by: str


@command
class ForwardCase(CaseCommand):
    """Send to a county department (delegated or back-office items)."""

    case: str
    department: str
    by: str


@command
class ReturnCase(CaseCommand):
    """The department hands the case back to the hall."""

    case: str
    by: str
    note: str = ""


@command
class SuspendCase(CaseCommand):
    case: str
    reason: str                          # a SuspendReason value
    by: str
    note: str = ""


@command
class ResumeCase(CaseCommand):
    case: str
    by: str


@command
class ExtendDeadline(CaseCommand):
    case: str
    days: int                            # working days
    reason: str
    by: str


@command
class CompleteCase(CaseCommand):
    case: str
    approved: bool
    by: str
    note: str = ""


@command
class WithdrawCase(CaseCommand):
    case: str
    reason: str
    by: str


@command
class DeliverResult(CaseCommand):
    case: str
    method: str                          # "window" or "post"
    by: str
    tracking: str = ""                   # postal tracking number


@command
class EntrustCase(CaseCommand):
    """The resident entrusts the case to an agent (全程代办), with consent recorded."""

    case: str
    agent: str
    consent_by: str                      # the resident who agreed (masked by the engine)
    by: str
    scope: str = ""                      # for what; defaults to the item's name


@command
class RecordProxyStep(CaseCommand):
    case: str
    step: str                            # a ProxyStep value: the next one in order
    by: str
    note: str = ""


@command
class RateCase(CaseCommand):
    case: str
    level: str                           # a RatingLevel value
    attitude: int | None = None
    efficiency: int | None = None
    integrity: int | None = None
    comment: str = ""
    source: str = ""                     # rating pad id, kiosk, SMS ...
    by: str = ""


@command
class AnswerFollowUp(CaseCommand):
    case: str
    answer: str
    by: str


@command
class CloseFollowUp(CaseCommand):
    case: str
    by: str
    note: str = ""


@command
class SubmitFeedback(CaseCommand):
    kind: str                            # "comment" or "complaint"
    text: str
    source: str                          # "kiosk", "clerk" or "manager"
    by: str = ""                         # device or staff that recorded it
    author: str | None = None            # None: anonymous
    contact: str = ""
    about_window: int | None = None
    about_case: str | None = None


@command
class RouteFeedback(CaseCommand):
    entry: str
    to: str
    by: str


@command
class ReplyFeedback(CaseCommand):
    entry: str
    reply: str
    by: str
