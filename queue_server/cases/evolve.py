"""(cases state, case event) -> cases state.  Folding never refuses: the decision was made
before the events were stored.  Updates in place and returns the state, like the queue."""

from __future__ import annotations

from functools import singledispatch
from typing import Iterable

from .events import (
    CaseAccepted, CaseCompleted, CaseEntrusted, CaseEvent, CaseForwarded, CaseOpened,
    CaseRated, CaseResumed, CaseReturned, CaseSuspended, CaseWithdrawn, DeadlineExtended,
    FeedbackReplied, FeedbackRouted, FeedbackSubmitted, FollowUpAnswered, FollowUpClosed,
    MaterialsRequested, MaterialsSupplied, ProcessingStarted, ProxyStepRecorded,
    ResultDelivered,
)
from .model import (
    Case, CasesState, CaseStatus as S, DeliveryMethod, Extension, Feedback, FeedbackKind,
    FeedbackSource, FeedbackStatus, FollowUp, FollowUpStatus, HistoryEntry, MaterialsNotice,
    ProxyRecord, ProxyStep, Rating, RatingLevel, Stop,
)


def apply_all(state: CasesState, events: Iterable[CaseEvent]) -> CasesState:
    for e in events:
        state = apply(state, e)
    return state


def apply(state: CasesState, event: CaseEvent) -> CasesState:
    """Fold one event into the state (in place) and return it."""
    _fold(event, state)
    return state


@singledispatch
def _fold(event: CaseEvent, state: CasesState) -> None:
    raise TypeError(f"no fold for {type(event).__name__}")


def _touch(state: CasesState, e: CaseEvent, number: str, status: S | None = None) -> Case:
    """Move the case (if ``status``) and record who did what, when."""
    case = state.cases[number]
    if status is not None:
        case.status = status
    case.history.append(HistoryEntry(at=e.at, by=e.by, event=type(e).__name__, status=case.status))
    return case


def _close_stop(case: Case, e: CaseEvent) -> None:
    if case.stops and case.stops[-1].end is None:
        case.stops[-1].end = e.day


@_fold.register
def _(e: CaseOpened, state: CasesState) -> None:
    state.cases[e.case] = Case(
        number=e.case, hall=e.hall, item=e.item, item_name=e.item_name, item_version=e.item_version,
        category=e.category, applicant=e.applicant, id_hash=e.id_hash, id_ciphertext=e.id_ciphertext,
        window=e.window, clerk=e.clerk, opened_at=e.at, intake_day=e.day, materials=tuple(e.materials),
        received=tuple(e.received), promised_days=e.promised_days, legal_days=e.legal_days,
        delegated_by=e.delegated_by, ticket=e.ticket, status=S.INTAKE,
    )
    state.case_seq[e.day] = state.case_seq.get(e.day, 0) + 1
    if e.ticket is not None:
        state.by_ticket[(e.day, e.ticket, e.item)] = e.case
        state.latest_for_ticket[(e.day, e.ticket)] = e.case
    _touch(state, e, e.case)


@_fold.register
def _(e: CaseAccepted, state: CasesState) -> None:
    case = state.cases[e.case]
    case.accepted_day = e.day
    _touch(state, e, e.case, S.ACCEPTED)


@_fold.register
def _(e: MaterialsRequested, state: CasesState) -> None:
    case = state.cases[e.case]
    case.resume_to = S.ACCEPTED if case.status is S.INTAKE else case.status
    case.notice = MaterialsNotice(case=case.number, item=case.item, item_name=case.item_name,
                                  missing=tuple(e.missing), issued_on=e.day, supply_by=e.supply_by,
                                  by=e.by, note=e.note)
    case.outstanding = tuple(e.missing)
    case.stops.append(Stop(kind="materials", start=e.day))
    _touch(state, e, e.case, S.AWAITING_MATERIALS)


@_fold.register
def _(e: MaterialsSupplied, state: CasesState) -> None:
    case = state.cases[e.case]
    got = set(case.received) | set(e.supplied)
    case.received = tuple(m for m in case.materials if m in got)
    case.outstanding = tuple(e.still_missing)
    if e.still_missing:
        _touch(state, e, e.case)
        return
    _close_stop(case, e)
    back, case.resume_to = case.resume_to or S.ACCEPTED, None
    _touch(state, e, e.case, back)


@_fold.register
def _(e: ProcessingStarted, state: CasesState) -> None:
    _touch(state, e, e.case, S.PROCESSING)


@_fold.register
def _(e: CaseForwarded, state: CasesState) -> None:
    state.cases[e.case].department = e.department
    _touch(state, e, e.case, S.FORWARDED)


@_fold.register
def _(e: CaseReturned, state: CasesState) -> None:
    _touch(state, e, e.case, S.PROCESSING)


@_fold.register
def _(e: CaseSuspended, state: CasesState) -> None:
    case = state.cases[e.case]
    case.resume_to = case.status
    case.stops.append(Stop(kind=e.reason, start=e.day, note=e.note))
    _touch(state, e, e.case, S.SUSPENDED)


@_fold.register
def _(e: CaseResumed, state: CasesState) -> None:
    case = state.cases[e.case]
    _close_stop(case, e)
    back, case.resume_to = case.resume_to or S.PROCESSING, None
    _touch(state, e, e.case, back)


@_fold.register
def _(e: DeadlineExtended, state: CasesState) -> None:
    state.cases[e.case].extensions.append(Extension(day=e.day, days=e.days, reason=e.reason, by=e.by))
    _touch(state, e, e.case)


@_fold.register
def _(e: CaseCompleted, state: CasesState) -> None:
    case = state.cases[e.case]
    case.decided_day = e.day
    case.approved = e.approved
    case.decision_note = e.note
    _touch(state, e, e.case, S.COMPLETED if e.approved else S.NOT_APPROVED)


@_fold.register
def _(e: CaseWithdrawn, state: CasesState) -> None:
    case = state.cases[e.case]
    _close_stop(case, e)
    case.resume_to = None
    case.withdrawn_day = e.day
    case.withdraw_reason = e.reason
    _touch(state, e, e.case, S.WITHDRAWN)


@_fold.register
def _(e: ResultDelivered, state: CasesState) -> None:
    case = state.cases[e.case]
    case.delivered_day = e.day
    case.delivery = DeliveryMethod(e.method)
    case.tracking = e.tracking
    _touch(state, e, e.case, S.DELIVERED)


@_fold.register
def _(e: CaseEntrusted, state: CasesState) -> None:
    case = state.cases[e.case]
    case.proxy = ProxyRecord(agent=e.agent, consent_by=e.consent_by, consent_at=e.at, consent_day=e.day,
                             scope=e.scope,
                             step=ProxyStep.ENTRUST, steps=[(ProxyStep.ENTRUST, e.at, e.by, "")])
    _touch(state, e, e.case)


@_fold.register
def _(e: ProxyStepRecorded, state: CasesState) -> None:
    proxy = state.cases[e.case].proxy
    assert proxy is not None
    proxy.step = ProxyStep(e.step)
    proxy.steps.append((proxy.step, e.at, e.by, e.note))
    _touch(state, e, e.case)


@_fold.register
def _(e: CaseRated, state: CasesState) -> None:
    follow_up = FollowUp(opened_on=e.day, due=e.follow_up_due) if e.follow_up_due is not None else None
    state.cases[e.case].rating = Rating(
        level=RatingLevel(e.level), day=e.day, attitude=e.attitude, efficiency=e.efficiency,
        integrity=e.integrity, comment=e.comment, source=e.source, follow_up=follow_up)
    _touch(state, e, e.case)


def _follow_up(state: CasesState, number: str) -> FollowUp:
    rating = state.cases[number].rating
    assert rating is not None and rating.follow_up is not None
    return rating.follow_up


@_fold.register
def _(e: FollowUpAnswered, state: CasesState) -> None:
    fu = _follow_up(state, e.case)
    fu.status, fu.answer, fu.answered_on, fu.answered_by = FollowUpStatus.ANSWERED, e.answer, e.day, e.by
    _touch(state, e, e.case)


@_fold.register
def _(e: FollowUpClosed, state: CasesState) -> None:
    fu = _follow_up(state, e.case)
    fu.status, fu.closed_on, fu.closed_by, fu.note = FollowUpStatus.CLOSED, e.day, e.by, e.note
    _touch(state, e, e.case)


@_fold.register
def _(e: FeedbackSubmitted, state: CasesState) -> None:
    kind = FeedbackKind(e.kind)
    state.feedback[e.entry] = Feedback(
        entry=e.entry, kind=kind, hall=e.hall, text=e.text, source=FeedbackSource(e.source),
        author=e.author, contact=e.contact, about_window=e.about_window, about_case=e.about_case,
        received_at=e.at, received_on=e.day, reply_due=e.reply_due)
    key = (e.day, kind.value)
    state.feedback_seq[key] = state.feedback_seq.get(key, 0) + 1


@_fold.register
def _(e: FeedbackRouted, state: CasesState) -> None:
    fb = state.feedback[e.entry]
    fb.status = FeedbackStatus.ROUTED
    fb.routed_to.append(e.to)


@_fold.register
def _(e: FeedbackReplied, state: CasesState) -> None:
    fb = state.feedback[e.entry]
    fb.status, fb.reply, fb.replied_on, fb.replied_by = FeedbackStatus.REPLIED, e.reply, e.day, e.by
