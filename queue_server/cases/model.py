"""Case state: plain data that a fold of the case events gives, and the transition tables.

The tables are the rules' skeleton: the tests check every state is reachable, every
non-final state has a way out, and no event ever moves a case along a missing edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class CaseStatus(StrEnum):
    INTAKE = "intake"                          # 收件: materials being checked (within one decision)
    AWAITING_MATERIALS = "awaiting_materials"  # 补正: one-time notice given, clock stopped
    ACCEPTED = "accepted"                      # 受理
    PROCESSING = "processing"                  # 办理 at the hall
    FORWARDED = "forwarded"                    # with a county department
    SUSPENDED = "suspended"                    # hearing / testing / expert review: clock stopped
    COMPLETED = "completed"                    # 办结, approved
    NOT_APPROVED = "not_approved"              # 办结, refused (a decision too)
    WITHDRAWN = "withdrawn"                    # 撤回 by the applicant
    DELIVERED = "delivered"                    # 出件: result handed over or posted


S = CaseStatus

INITIAL_STATUS = S.INTAKE
FINAL_STATUSES: frozenset[CaseStatus] = frozenset({S.DELIVERED, S.WITHDRAWN})
DECIDED_STATUSES: frozenset[CaseStatus] = frozenset({S.COMPLETED, S.NOT_APPROVED, S.DELIVERED})
CLOCK_STOPPED: frozenset[CaseStatus] = frozenset({S.AWAITING_MATERIALS, S.SUSPENDED})
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {S.INTAKE, S.AWAITING_MATERIALS, S.ACCEPTED, S.PROCESSING, S.FORWARDED, S.SUSPENDED})

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.INTAKE: frozenset({S.ACCEPTED, S.AWAITING_MATERIALS}),
    S.AWAITING_MATERIALS: frozenset({S.ACCEPTED, S.PROCESSING, S.FORWARDED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.PROCESSING, S.FORWARDED, S.AWAITING_MATERIALS, S.COMPLETED,
                           S.NOT_APPROVED, S.WITHDRAWN}),
    S.PROCESSING: frozenset({S.FORWARDED, S.AWAITING_MATERIALS, S.SUSPENDED, S.COMPLETED,
                             S.NOT_APPROVED, S.WITHDRAWN}),
    S.FORWARDED: frozenset({S.PROCESSING, S.AWAITING_MATERIALS, S.SUSPENDED, S.COMPLETED,
                            S.NOT_APPROVED, S.WITHDRAWN}),
    S.SUSPENDED: frozenset({S.PROCESSING, S.FORWARDED, S.WITHDRAWN}),
    S.COMPLETED: frozenset({S.DELIVERED}),
    S.NOT_APPROVED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


class ProxyStep(StrEnum):
    """The seven steps of full proxy service (全程代办), in order."""

    ENTRUST = "entrust"      # 委托: consent recorded
    ACCEPT = "accept"        # 受理: the hall has accepted the case
    PROCESS = "process"      # 办理: the case has been decided
    DELIVER = "deliver"      # 送达: the result is with the resident
    ARCHIVE = "archive"      # 归档
    REPORT = "report"        # 报告 to the hall
    FOLLOW_UP = "follow_up"  # 回访: call the resident


PROXY_STEPS: tuple[ProxyStep, ...] = tuple(ProxyStep)
PROXY_NAMES: dict[ProxyStep, tuple[str, str]] = {
    ProxyStep.ENTRUST: ("委托", "Entrusted"),
    ProxyStep.ACCEPT: ("受理", "Accepted"),
    ProxyStep.PROCESS: ("办理", "Processed"),
    ProxyStep.DELIVER: ("送达", "Delivered"),
    ProxyStep.ARCHIVE: ("归档", "Archived"),
    ProxyStep.REPORT: ("报告", "Reported"),
    ProxyStep.FOLLOW_UP: ("回访", "Followed up"),
}
PROXY_TRANSITIONS: dict[ProxyStep, frozenset[ProxyStep]] = {
    s: frozenset({PROXY_STEPS[i + 1]}) if i + 1 < len(PROXY_STEPS) else frozenset()
    for i, s in enumerate(PROXY_STEPS)
}


class RatingLevel(StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASIC = "basic"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"


RATING_NAMES: dict[RatingLevel, tuple[str, str]] = {
    RatingLevel.VERY_SATISFIED: ("非常满意", "Very satisfied"),
    RatingLevel.SATISFIED: ("满意", "Satisfied"),
    RatingLevel.BASIC: ("基本满意", "Basically satisfied"),
    RatingLevel.DISSATISFIED: ("不满意", "Dissatisfied"),
    RatingLevel.VERY_DISSATISFIED: ("非常不满意", "Very dissatisfied"),
}
BAD_RATINGS: frozenset[RatingLevel] = frozenset({RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED})


class FollowUpStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


FOLLOW_UP_TRANSITIONS: dict[FollowUpStatus, frozenset[FollowUpStatus]] = {
    FollowUpStatus.OPEN: frozenset({FollowUpStatus.ANSWERED}),
    FollowUpStatus.ANSWERED: frozenset({FollowUpStatus.CLOSED}),
    FollowUpStatus.CLOSED: frozenset(),
}


class FeedbackKind(StrEnum):
    COMMENT = "comment"      # 意见簿
    COMPLAINT = "complaint"  # 举报箱 / 投诉


class FeedbackSource(StrEnum):
    KIOSK = "kiosk"
    CLERK = "clerk"
    MANAGER = "manager"


class FeedbackStatus(StrEnum):
    RECEIVED = "received"
    ROUTED = "routed"
    REPLIED = "replied"


FEEDBACK_TRANSITIONS: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    FeedbackStatus.RECEIVED: frozenset({FeedbackStatus.ROUTED, FeedbackStatus.REPLIED}),
    FeedbackStatus.ROUTED: frozenset({FeedbackStatus.ROUTED, FeedbackStatus.REPLIED}),
    FeedbackStatus.REPLIED: frozenset(),
}


class DeliveryMethod(StrEnum):
    WINDOW = "window"  # 窗口领取
    POST = "post"      # 邮寄送达


class SuspendReason(StrEnum):
    """Time the law excludes from the limit (不计入办理时限)."""

    HEARING = "hearing"              # 听证
    TESTING = "testing"              # 检验检测
    EXPERT_REVIEW = "expert_review"  # 专家评审
    SITE_INSPECTION = "site_inspection"  # 现场核查 (where the item's rules exclude it)
    OTHER = "other"


@dataclass(slots=True)
class Stop:
    """One stretch of stopped clock: waiting for materials or a suspension."""

    kind: str            # "materials" or a SuspendReason value
    start: date
    end: date | None = None
    note: str = ""


@dataclass(slots=True)
class Extension:
    day: date
    days: int
    reason: str
    by: str


@dataclass(slots=True)
class HistoryEntry:
    """Who did what, when, and the status it left the case in."""

    at: datetime
    by: str
    event: str
    status: CaseStatus


@dataclass(slots=True)
class MaterialsNotice:
    """The one-time notice (一次性告知书): exactly what is missing and by when."""

    case: str
    item: str
    item_name: str
    missing: tuple[str, ...]
    issued_on: date
    supply_by: date
    by: str
    note: str = ""


@dataclass(slots=True)
class ProxyRecord:
    agent: str
    consent_by: str        # the resident (masked name) who agreed
    consent_at: datetime
    consent_day: date
    scope: str             # for what the resident entrusted the agent
    step: ProxyStep = ProxyStep.ENTRUST
    steps: list[tuple[ProxyStep, datetime, str, str]] = field(default_factory=list)  # (step, at, by, note)


@dataclass(slots=True)
class FollowUp:
    opened_on: date
    due: date
    status: FollowUpStatus = FollowUpStatus.OPEN
    answer: str = ""
    answered_on: date | None = None
    answered_by: str = ""
    closed_on: date | None = None
    closed_by: str = ""
    note: str = ""


@dataclass(slots=True)
class Rating:
    level: RatingLevel
    day: date
    attitude: int | None = None
    efficiency: int | None = None
    integrity: int | None = None
    comment: str = ""
    source: str = ""
    follow_up: FollowUp | None = None


@dataclass(slots=True)
class Case:
    number: str
    hall: str
    item: str
    item_name: str
    item_version: int
    category: str
    applicant: str                 # masked name, e.g. 张*丰
    id_hash: str | None
    id_ciphertext: str | None      # only where the item needs the full number; opaque here
    window: int | None
    clerk: str
    opened_at: datetime
    intake_day: date
    materials: tuple[str, ...]     # the item's checklist when the case opened
    received: tuple[str, ...]
    promised_days: int
    legal_days: int
    delegated_by: str | None = None
    ticket: str | None = None
    status: CaseStatus = CaseStatus.INTAKE
    resume_to: CaseStatus | None = None     # where a stopped clock goes back to
    department: str | None = None
    accepted_day: date | None = None
    decided_day: date | None = None
    approved: bool | None = None           # the decision, kept after delivery
    decision_note: str = ""
    withdrawn_day: date | None = None
    withdraw_reason: str = ""
    delivered_day: date | None = None
    delivery: DeliveryMethod | None = None
    tracking: str = ""
    notice: MaterialsNotice | None = None
    outstanding: tuple[str, ...] = ()      # materials in the notice not yet supplied
    stops: list[Stop] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    proxy: ProxyRecord | None = None
    rating: Rating | None = None
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def missing(self) -> tuple[str, ...]:
        """Checklist materials not yet received."""
        got = set(self.received)
        return tuple(m for m in self.materials if m not in got)


@dataclass(slots=True)
class Feedback:
    """A comment-book or complaint-box entry, tracked to a reply."""

    entry: str
    kind: FeedbackKind
    hall: str
    text: str
    source: FeedbackSource
    author: str | None             # None: anonymous
    contact: str
    about_window: int | None
    about_case: str | None
    received_at: datetime
    received_on: date
    reply_due: date
    status: FeedbackStatus = FeedbackStatus.RECEIVED
    routed_to: list[str] = field(default_factory=list)
    reply: str = ""
    replied_on: date | None = None
    replied_by: str = ""


@dataclass(slots=True)
class CasesState:
    cases: dict[str, Case] = field(default_factory=dict)
    case_seq: dict[date, int] = field(default_factory=dict)         # business day -> last number
    by_ticket: dict[tuple[date, str, str], str] = field(default_factory=dict)  # (day, ticket, item) -> case
    latest_for_ticket: dict[tuple[date, str], str] = field(default_factory=dict)  # (day, ticket) -> newest case
    feedback: dict[str, Feedback] = field(default_factory=dict)
    feedback_seq: dict[tuple[date, str], int] = field(default_factory=dict)


def initial_cases() -> CasesState:
    return CasesState()
