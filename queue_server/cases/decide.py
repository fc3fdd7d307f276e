"""(context, cases state, command, now) -> case events or a refusal.  Reads, never writes."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import singledispatch

from ..config import HallConfig, ItemKind, ItemStatus
from ..workdays import WorkCalendar, business_day
from .commands import (
    AnswerFollowUp, CaseCommand, CloseFollowUp, CompleteCase, DeliverResult, EntrustCase,
    ExtendDeadline, ForwardCase, OpenCase, RateCase, RecordProxyStep, ReplyFeedback,
    RequestMaterials, ResumeCase, ReturnCase, RouteFeedback, StartProcessing, SubmitFeedback,
    SupplyMaterials, SuspendCase, WithdrawCase,
)
from .events import (
    CaseAccepted, CaseCompleted, CaseEntrusted, CaseEvent, CaseForwarded, CaseOpened,
    CaseRated, CaseResumed, CaseReturned, CaseSuspended, CaseWithdrawn, DeadlineExtended,
    FeedbackReplied, FeedbackRouted, FeedbackSubmitted, FollowUpAnswered, FollowUpClosed,
    MaterialsRequested, MaterialsSupplied, ProcessingStarted, ProxyStepRecorded,
    ResultDelivered,
)
from .model import (
    BAD_RATINGS, DECIDED_STATUSES, FINAL_STATUSES, OPEN_STATUSES, PROXY_TRANSITIONS,
    TRANSITIONS, Case, CasesState, CaseStatus as S, DeliveryMethod, FeedbackKind,
    FeedbackSource, FeedbackStatus, FollowUpStatus, ProxyStep, RatingLevel, SuspendReason,
)
from .rejections import CaseRejectionCode as R, Rejected, rejection


@dataclass(frozen=True)
class CaseRules:
    """Case settings a hall may tune (defaults until config carries a [cases] section)."""

    warning_days: int = 2            # yellow this many working days before the deadline
    supply_days: int = 5             # working days the resident has to bring missing materials
    follow_up_days: int = 5          # working days to answer a bad rating
    complaint_reply_days: int = 5    # working days to reply to a complaint
    comment_reply_days: int = 10     # working days to reply to a comment-book entry


@dataclass(frozen=True)
class CaseContext:
    cfg: HallConfig
    cal: WorkCalendar
    rules: CaseRules = CaseRules()

    @classmethod
    def of(cls, cfg: HallConfig, rules: CaseRules | None = None) -> "CaseContext":
        return cls(cfg, WorkCalendar.from_config(cfg), rules or CaseRules())


@dataclass(frozen=True)
class Decision:
    events: list[CaseEvent] = field(default_factory=list)
    rejected: Rejected | None = None

    @property
    def ok(self) -> bool:
        return self.rejected is None


def _no(code: R, detail: str = "") -> Decision:
    return Decision(rejected=rejection(code, detail))


def _yes(*events: CaseEvent) -> Decision:
    return Decision(events=list(events))


# ---------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_OPAQUE_FIELDS = frozenset({"id_hash", "id_ciphertext"})


def _valid_id(number: str) -> bool:
    total = sum(int(c) * w for c, w in zip(number[:17], _WEIGHTS))
    return _CHECK[total % 11] == number[17].upper()


def contains_plain_id(text: str) -> bool:
    """True if the text holds an 18-character resident ID number with a valid check digit."""
    return any(_valid_id(m.group(1)) for m in _ID18.finditer(text))


def _plain_id_field(cmd: CaseCommand) -> str | None:
    for f in dataclasses.fields(cmd):  # type: ignore[arg-type]
        if f.name in _OPAQUE_FIELDS:
            continue
        v = getattr(cmd, f.name)
        texts = v if isinstance(v, tuple) else (v,)
        if any(isinstance(t, str) and contains_plain_id(t) for t in texts):
            return f.name
    return None


def mask_name(name: str) -> str:
    """张三丰 -> 张*丰, 李四 -> 李*; masking twice changes nothing."""
    n = name.strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def decide(ctx: CaseContext, state: CasesState, cmd: CaseCommand, now: datetime) -> Decision:
    """Decide one case command.  No plain ID number gets past this door."""
    if (name := _plain_id_field(cmd)) is not None:
        return _no(R.PLAIN_ID_NUMBER, name)
    return _decide(cmd, ctx, state, now)


@singledispatch
def _decide(cmd: CaseCommand, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    return _no(R.INVALID_COMMAND, type(cmd).__name__)


def _today(ctx: CaseContext, now: datetime) -> date:
    return business_day(now, ctx.cfg.hall.timezone)


def _case(state: CasesState, number: str) -> Case | Rejected:
    case = state.cases.get(number)
    return case if case is not None else rejection(R.UNKNOWN_CASE, number)


def _can_move(case: Case, to: S) -> Rejected | None:
    if to not in TRANSITIONS[case.status]:
        return rejection(R.WRONG_CASE_STATUS, f"{case.status} -> {to}")
    return None


def _blank(text: str) -> bool:
    return not text.strip()


# ---------------------------------------------------------------------------
# Intake and materials
# ---------------------------------------------------------------------------


def case_number(hall_code: str, day: date, seq: int) -> str:
    """XC01-20261125-0007: hall code, business day, sequence of the day."""
    return f"{hall_code}-{day:%Y%m%d}-{seq:04d}"


@_decide.register
def _(cmd: OpenCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    item = ctx.cfg.item(cmd.item)
    if item is None:
        return _no(R.UNKNOWN_ITEM, cmd.item)
    if item.status is ItemStatus.WITHDRAWN:
        return _no(R.ITEM_WITHDRAWN, cmd.item)
    if item.kind is not ItemKind.APPLICATION:
        return _no(R.NOT_AN_APPLICATION, cmd.item)
    if cmd.window is not None and ctx.cfg.window(cmd.window) is None:
        return _no(R.UNKNOWN_WINDOW, str(cmd.window))
    if _blank(cmd.applicant_name) or _blank(cmd.by):
        return _no(R.INVALID_COMMAND, "applicant_name and by are required")
    if item.needs_full_id and not cmd.id_ciphertext:
        return _no(R.FULL_ID_REQUIRED, cmd.item)
    if not item.needs_full_id and cmd.id_ciphertext:
        return _no(R.FULL_ID_NOT_NEEDED, cmd.item)
    unknown = [m for m in cmd.received if m not in item.materials]
    if unknown:
        return _no(R.UNKNOWN_MATERIAL, "、".join(unknown))
    day = _today(ctx, now)
    if cmd.ticket is not None and (day, cmd.ticket, item.code) in state.by_ticket:
        return _no(R.CASE_EXISTS, state.by_ticket[(day, cmd.ticket, item.code)])
    number = case_number(ctx.cfg.hall.code, day, state.case_seq.get(day, 0) + 1)
    received = tuple(m for m in item.materials if m in set(cmd.received))
    missing = tuple(m for m in item.materials if m not in set(cmd.received))
    opened = CaseOpened(
        at=now, day=day, by=cmd.by, case=number, hall=ctx.cfg.hall.id, item=item.code,
        item_name=item.name, item_version=item.version, category=item.category,
        applicant=mask_name(cmd.applicant_name), window=cmd.window, clerk=cmd.by,
        materials=tuple(item.materials), received=received, promised_days=item.promised_days,
        legal_days=item.legal_days, delegated_by=item.delegated_by, ticket=cmd.ticket,
        id_hash=cmd.id_hash, id_ciphertext=cmd.id_ciphertext,
    )
    if missing:
        supply_by = ctx.cal.add_working_days(day, ctx.rules.supply_days)
        return _yes(opened, MaterialsRequested(at=now, day=day, by=cmd.by, case=number,
                                               missing=missing, supply_by=supply_by, note=cmd.note))
    return _yes(opened, CaseAccepted(at=now, day=day, by=cmd.by, case=number))


@_decide.register
def _(cmd: RequestMaterials, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if (bad := _can_move(case, S.AWAITING_MATERIALS)) is not None:
        return Decision(rejected=bad)
    if case.notice is not None:
        return _no(R.NOTICE_ALREADY_GIVEN, cmd.case)
    if not cmd.missing or len(set(cmd.missing)) != len(cmd.missing):
        return _no(R.INVALID_COMMAND, "list each missing material once")
    unknown = [m for m in cmd.missing if m not in case.materials]
    if unknown:
        return _no(R.UNKNOWN_MATERIAL, "、".join(unknown))
    day = _today(ctx, now)
    return _yes(MaterialsRequested(at=now, day=day, by=cmd.by, case=case.number, missing=tuple(cmd.missing),
                                   supply_by=ctx.cal.add_working_days(day, ctx.rules.supply_days),
                                   note=cmd.note))


@_decide.register
def _(cmd: SupplyMaterials, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.status is not S.AWAITING_MATERIALS:
        return _no(R.NOT_AWAITING_MATERIALS, cmd.case)
    if not cmd.supplied:
        return _no(R.INVALID_COMMAND, "nothing supplied")
    unknown = [m for m in cmd.supplied if m not in case.outstanding]
    if unknown:
        return _no(R.UNKNOWN_MATERIAL, "、".join(unknown))
    day = _today(ctx, now)
    still = tuple(m for m in case.outstanding if m not in set(cmd.supplied))
    supplied = MaterialsSupplied(at=now, day=day, by=cmd.by, case=case.number,
                                 supplied=tuple(cmd.supplied), still_missing=still)
    if not still and case.accepted_day is None:
        return _yes(supplied, CaseAccepted(at=now, day=day, by=cmd.by, case=case.number))
    return _yes(supplied)


# ---------------------------------------------------------------------------
# Processing
# ---------------------------------------------------------------------------


def _simple_move(state: CasesState, number: str, to: S) -> Case | Rejected:
    case = _case(state, number)
    if isinstance(case, Rejected):
        return case
    return _can_move(case, to) or case


@_decide.register
def _(cmd: StartProcessing, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _simple_move(state, cmd.case, S.PROCESSING)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.status is not S.ACCEPTED:
        return _no(R.WRONG_CASE_STATUS, f"{case.status} -> {S.PROCESSING}")
    return _yes(ProcessingStarted(at=now, day=_today(ctx, now), by=cmd.by, case=case.number))


@_decide.register
def _(cmd: ForwardCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _simple_move(state, cmd.case, S.FORWARDED)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.status not in (S.ACCEPTED, S.PROCESSING):
        return _no(R.WRONG_CASE_STATUS, f"{case.status} -> {S.FORWARDED}")
    if _blank(cmd.department):
        return _no(R.INVALID_COMMAND, "department is required")
    return _yes(CaseForwarded(at=now, day=_today(ctx, now), by=cmd.by, case=case.number,
                              department=cmd.department))


@_decide.register
def _(cmd: ReturnCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _simple_move(state, cmd.case, S.PROCESSING)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.status is not S.FORWARDED:
        return _no(R.WRONG_CASE_STATUS, f"{case.status} -> {S.PROCESSING}")
    return _yes(CaseReturned(at=now, day=_today(ctx, now), by=cmd.by, case=case.number, note=cmd.note))


@_decide.register
def _(cmd: SuspendCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _simple_move(state, cmd.case, S.SUSPENDED)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if cmd.reason not in SuspendReason.__members__.values():
        return _no(R.INVALID_COMMAND, f"reason must be one of {', '.join(SuspendReason)}")
    if cmd.reason == SuspendReason.OTHER and _blank(cmd.note):
        return _no(R.REASON_REQUIRED, "say why the clock stops")
    return _yes(CaseSuspended(at=now, day=_today(ctx, now), by=cmd.by, case=case.number,
                              reason=cmd.reason, note=cmd.note))


@_decide.register
def _(cmd: ResumeCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.status is not S.SUSPENDED:
        return _no(R.WRONG_CASE_STATUS, f"{case.status} is not suspended")
    return _yes(CaseResumed(at=now, day=_today(ctx, now), by=cmd.by, case=case.number))


@_decide.register
def _(cmd: ExtendDeadline, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.status not in OPEN_STATUSES:
        return _no(R.WRONG_CASE_STATUS, f"{case.status} cannot be extended")
    if _blank(cmd.reason):
        return _no(R.REASON_REQUIRED, "an extension needs a recorded reason")
    if cmd.days < 1:
        return _no(R.INVALID_COMMAND, "extend by at least one working day")
    return _yes(DeadlineExtended(at=now, day=_today(ctx, now), by=cmd.by, case=case.number,
                                 days=cmd.days, reason=cmd.reason))


@_decide.register
def _(cmd: CompleteCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _simple_move(state, cmd.case, S.COMPLETED if cmd.approved else S.NOT_APPROVED)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if not cmd.approved and _blank(cmd.note):
        return _no(R.REASON_REQUIRED, "a refusal must state its reasons")
    return _yes(CaseCompleted(at=now, day=_today(ctx, now), by=cmd.by, case=case.number,
                              approved=cmd.approved, note=cmd.note))


@_decide.register
def _(cmd: WithdrawCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _simple_move(state, cmd.case, S.WITHDRAWN)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if _blank(cmd.reason):
        return _no(R.REASON_REQUIRED, "record why the case was withdrawn")
    return _yes(CaseWithdrawn(at=now, day=_today(ctx, now), by=cmd.by, case=case.number, reason=cmd.reason))


@_decide.register
def _(cmd: DeliverResult, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _simple_move(state, cmd.case, S.DELIVERED)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if cmd.method not in DeliveryMethod.__members__.values():
        return _no(R.INVALID_COMMAND, "method must be window or post")
    return _yes(ResultDelivered(at=now, day=_today(ctx, now), by=cmd.by, case=case.number,
                                method=cmd.method, tracking=cmd.tracking))


# ---------------------------------------------------------------------------
# Proxy service
# ---------------------------------------------------------------------------


@_decide.register
def _(cmd: EntrustCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.status in FINAL_STATUSES:
        return _no(R.WRONG_CASE_STATUS, f"{case.status} cannot be entrusted")
    if case.proxy is not None:
        return _no(R.ALREADY_ENTRUSTED, case.proxy.agent)
    if cmd.agent not in {a.id for a in ctx.cfg.agents}:
        return _no(R.UNKNOWN_AGENT, cmd.agent)
    if _blank(cmd.consent_by):
        return _no(R.INVALID_COMMAND, "record who consented")
    return _yes(CaseEntrusted(at=now, day=_today(ctx, now), by=cmd.by, case=case.number, agent=cmd.agent,
                              consent_by=mask_name(cmd.consent_by), scope=cmd.scope.strip() or case.item_name))


def _proxy_ready(case: Case, step: ProxyStep) -> bool:
    """A step reports what happened to the case; it cannot run ahead of it."""
    if step is ProxyStep.ACCEPT:
        return case.accepted_day is not None
    if step is ProxyStep.PROCESS:
        return case.status in DECIDED_STATUSES
    if step is ProxyStep.DELIVER:
        return case.status is S.DELIVERED
    return True


@_decide.register
def _(cmd: RecordProxyStep, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.proxy is None:
        return _no(R.NOT_ENTRUSTED, cmd.case)
    if cmd.step not in ProxyStep.__members__.values():
        return _no(R.INVALID_COMMAND, f"step must be one of {', '.join(ProxyStep)}")
    step = ProxyStep(cmd.step)
    if step not in PROXY_TRANSITIONS[case.proxy.step]:
        return _no(R.PROXY_STEP_OUT_OF_ORDER, f"{case.proxy.step} -> {step}")
    if not _proxy_ready(case, step):
        return _no(R.PROXY_STEP_TOO_EARLY, f"{step} while the case is {case.status}")
    return _yes(ProxyStepRecorded(at=now, day=_today(ctx, now), by=cmd.by, case=case.number,
                                  step=step, note=cmd.note))


# ---------------------------------------------------------------------------
# Ratings and follow-ups
# ---------------------------------------------------------------------------


@_decide.register
def _(cmd: RateCase, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    if case.rating is not None:
        return _no(R.ALREADY_RATED, cmd.case)
    if cmd.level not in RatingLevel.__members__.values():
        return _no(R.INVALID_COMMAND, f"level must be one of {', '.join(RatingLevel)}")
    for score in (cmd.attitude, cmd.efficiency, cmd.integrity):
        if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
            return _no(R.BAD_SCORE, str(score))
    day = _today(ctx, now)
    due = ctx.cal.add_working_days(day, ctx.rules.follow_up_days) if cmd.level in BAD_RATINGS else None
    return _yes(CaseRated(at=now, day=day, by=cmd.by, case=case.number, level=cmd.level,
                          attitude=cmd.attitude, efficiency=cmd.efficiency, integrity=cmd.integrity,
                          comment=cmd.comment, source=cmd.source, follow_up_due=due))


@_decide.register
def _(cmd: AnswerFollowUp, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    fu = case.rating.follow_up if case.rating else None
    if fu is None:
        return _no(R.NO_FOLLOW_UP, cmd.case)
    if fu.status is FollowUpStatus.ANSWERED:
        return _no(R.FOLLOW_UP_ANSWERED, cmd.case)
    if fu.status is FollowUpStatus.CLOSED:
        return _no(R.FOLLOW_UP_CLOSED, cmd.case)
    if _blank(cmd.answer):
        return _no(R.INVALID_COMMAND, "the answer is empty")
    return _yes(FollowUpAnswered(at=now, day=_today(ctx, now), by=cmd.by, case=case.number, answer=cmd.answer))


@_decide.register
def _(cmd: CloseFollowUp, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    case = _case(state, cmd.case)
    if isinstance(case, Rejected):
        return Decision(rejected=case)
    fu = case.rating.follow_up if case.rating else None
    if fu is None:
        return _no(R.NO_FOLLOW_UP, cmd.case)
    if fu.status is FollowUpStatus.OPEN:
        return _no(R.FOLLOW_UP_NOT_ANSWERED, cmd.case)
    if fu.status is FollowUpStatus.CLOSED:
        return _no(R.FOLLOW_UP_CLOSED, cmd.case)
    return _yes(FollowUpClosed(at=now, day=_today(ctx, now), by=cmd.by, case=case.number, note=cmd.note))


# ---------------------------------------------------------------------------
# Comment book and complaint box
# ---------------------------------------------------------------------------


def feedback_number(hall_code: str, kind: FeedbackKind, day: date, seq: int) -> str:
    """XC01-YJ-20261125-0001 (意见) or XC01-JB-20261125-0001 (举报)."""
    tag = "YJ" if kind is FeedbackKind.COMMENT else "JB"
    return f"{hall_code}-{tag}-{day:%Y%m%d}-{seq:04d}"


@_decide.register
def _(cmd: SubmitFeedback, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    if cmd.kind not in FeedbackKind.__members__.values():
        return _no(R.INVALID_COMMAND, "kind must be comment or complaint")
    if cmd.source not in FeedbackSource.__members__.values():
        return _no(R.INVALID_COMMAND, "source must be kiosk, clerk or manager")
    if _blank(cmd.text):
        return _no(R.INVALID_COMMAND, "the entry is empty")
    if cmd.about_case is not None and cmd.about_case not in state.cases:
        return _no(R.UNKNOWN_CASE, cmd.about_case)
    if cmd.about_window is not None and ctx.cfg.window(cmd.about_window) is None:
        return _no(R.UNKNOWN_WINDOW, str(cmd.about_window))
    kind = FeedbackKind(cmd.kind)
    day = _today(ctx, now)
    seq = state.feedback_seq.get((day, kind.value), 0) + 1
    days = ctx.rules.complaint_reply_days if kind is FeedbackKind.COMPLAINT else ctx.rules.comment_reply_days
    author = mask_name(cmd.author) if cmd.author and cmd.author.strip() else None
    return _yes(FeedbackSubmitted(
        at=now, day=day, by=cmd.by, entry=feedback_number(ctx.cfg.hall.code, kind, day, seq),
        kind=kind, hall=ctx.cfg.hall.id, text=cmd.text, source=cmd.source,
        reply_due=ctx.cal.add_working_days(day, days), author=author, contact=cmd.contact,
        about_window=cmd.about_window, about_case=cmd.about_case,
    ))


@_decide.register
def _(cmd: RouteFeedback, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    fb = state.feedback.get(cmd.entry)
    if fb is None:
        return _no(R.UNKNOWN_FEEDBACK, cmd.entry)
    if fb.status is FeedbackStatus.REPLIED:
        return _no(R.FEEDBACK_REPLIED, cmd.entry)
    if _blank(cmd.to):
        return _no(R.INVALID_COMMAND, "route to whom?")
    return _yes(FeedbackRouted(at=now, day=_today(ctx, now), by=cmd.by, entry=fb.entry, to=cmd.to))


@_decide.register
def _(cmd: ReplyFeedback, ctx: CaseContext, state: CasesState, now: datetime) -> Decision:
    fb = state.feedback.get(cmd.entry)
    if fb is None:
        return _no(R.UNKNOWN_FEEDBACK, cmd.entry)
    if fb.status is FeedbackStatus.REPLIED:
        return _no(R.FEEDBACK_REPLIED, cmd.entry)
    if _blank(cmd.reply):
        return _no(R.INVALID_COMMAND, "the reply is empty")
    return _yes(FeedbackReplied(at=now, day=_today(ctx, now), by=cmd.by, entry=fb.entry, reply=cmd.reply))
