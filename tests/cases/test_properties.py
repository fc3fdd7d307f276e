"""The skeleton holds: the transition tables have no dead ends or unreachable states, no
sequence of commands moves anything along a missing edge, and replaying the stored
events (through the wire format) rebuilds exactly the same state."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Hashable, TypeVar

from hypothesis import given, settings, strategies as st

from queue_server.cases import (
    CASE_EVENTS, FEEDBACK_TRANSITIONS, FOLLOW_UP_TRANSITIONS, PROXY_STEPS, PROXY_TRANSITIONS,
    TRANSITIONS, AnswerFollowUp, CaseStatus, CloseFollowUp, CompleteCase, DeliverResult,
    EntrustCase, ExtendDeadline, FeedbackStatus, FollowUpStatus, ForwardCase, OpenCase, ProxyStep,
    RateCase, RecordProxyStep, ReplyFeedback, RequestMaterials, ResumeCase, ReturnCase,
    RouteFeedback, StartProcessing, SubmitFeedback, SupplyMaterials, SuspendCase, WithdrawCase,
    apply, decide, deadline_status, initial_cases,
)
from queue_server.cases.model import CLOCK_STOPPED, FINAL_STATUSES, INITIAL_STATUS, RatingLevel

from .desk import ADVICE, DIBAO, FOOD, HEALTH_CERT, MEDICAL, OLD_ITEM, TZ, CaseDesk, hall_config

K = TypeVar("K", bound=Hashable)


def reachable(table: dict[K, frozenset[K]], start: K) -> set[K]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in table[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def check_table(table: dict[K, frozenset[K]], start: K, finals: set[K]) -> None:
    assert reachable(table, start) == set(table), "unreachable states"
    for state, out in table.items():
        assert out <= set(table)
        assert (not out) == (state in finals), f"{state}: finals have no way out, others must"
        assert reachable(table, state) & finals, f"{state} cannot reach an end"


def test_case_table() -> None:
    check_table(TRANSITIONS, INITIAL_STATUS, set(FINAL_STATUSES))
    assert set(TRANSITIONS) == set(CaseStatus)


def test_proxy_follow_up_and_feedback_tables() -> None:
    check_table(PROXY_TRANSITIONS, ProxyStep.ENTRUST, {ProxyStep.FOLLOW_UP})
    assert [s.value for s in PROXY_STEPS] == ["entrust", "accept", "process", "deliver", "archive", "report", "follow_up"]
    check_table(FOLLOW_UP_TRANSITIONS, FollowUpStatus.OPEN, {FollowUpStatus.CLOSED})
    check_table(FEEDBACK_TRANSITIONS, FeedbackStatus.RECEIVED, {FeedbackStatus.REPLIED})


# ---------------------------------------------------------------------------
# Random hall days
# ---------------------------------------------------------------------------

ITEMS = (FOOD, FOOD, HEALTH_CERT, DIBAO, DIBAO, MEDICAL, ADVICE, OLD_ITEM)
MATERIALS = ("食品经营许可申请书", "营业执照复印件", "体检申请表", "身份证", "户口簿", "医疗费用发票", "出院小结", "低保申请书")
Build = Callable[[Any, list[str], list[str], int], Any]


def _pick(xs: list[str], i: int) -> str:
    """Mostly one of the newest three, so a case lives long enough to travel."""
    return xs[-1 - i % min(3, len(xs))] if xs else "XC01-20260101-0001"


def _next_step(state: Any, number: str, a: int) -> str:
    case = state.cases.get(number)
    step = case.proxy.step if case is not None and case.proxy is not None else ProxyStep.ENTRUST
    nxt = PROXY_TRANSITIONS[step]
    return next(iter(nxt)) if nxt and a & 3 else PROXY_STEPS[(a >> 2) % 7]


def _subset(xs: tuple[str, ...], bits: int) -> tuple[str, ...]:
    return tuple(x for i, x in enumerate(xs) if bits >> i & 1)


def _materials(state: Any, number: str) -> tuple[str, ...]:
    case = state.cases.get(number)
    return case.materials if case else MATERIALS


CFG = hall_config()


def _open(a: int) -> OpenCase:
    """Mostly valid intakes (all papers or some missing), now and then a wrong one."""
    item = CFG.item(ITEMS[a % len(ITEMS)])
    assert item is not None
    papers = tuple(item.materials)
    received = papers if a & 8 else _subset(papers, a >> 4)
    if a & 2048:
        received += ("村委会证明",)
    cipher = "enc:x" if item.needs_full_id != (a & 768 == 768) else None
    return OpenCase(item=item.code, applicant_name="张三", by="clerk", received=received,
                    ticket=f"A{a % 7:03d}" if a & 128 else None, id_ciphertext=cipher)


def _supply(state: Any, number: str, a: int) -> tuple[str, ...]:
    """Everything outstanding, some of it, or a paper nobody asked for."""
    case = state.cases.get(number)
    owed = case.outstanding if case is not None else ()
    if a & 16:
        return owed or MATERIALS[:1]
    return _subset(owed, a >> 5) or MATERIALS[a % len(MATERIALS):][:1]


BUILDERS: list[Build] = [
    lambda s, c, f, a: _open(a),
    lambda s, c, f, a: RequestMaterials(case=_pick(c, a), missing=_subset(_materials(s, _pick(c, a)), a >> 2) or ("x",),
                                        by="examiner"),
    lambda s, c, f, a: SupplyMaterials(case=_pick(c, a), by="clerk", supplied=_supply(s, _pick(c, a), a)),
    lambda s, c, f, a: StartProcessing(case=_pick(c, a), by="clerk"),
    lambda s, c, f, a: ForwardCase(case=_pick(c, a), department="县市场监管局" if a & 1 else "", by="clerk"),
    lambda s, c, f, a: ReturnCase(case=_pick(c, a), by="county"),
    lambda s, c, f, a: SuspendCase(case=_pick(c, a), reason=("testing", "hearing", "other", "nap")[a % 4],
                                   by="clerk", note="" if a & 4 else "因故"),
    lambda s, c, f, a: ResumeCase(case=_pick(c, a), by="clerk"),
    lambda s, c, f, a: ExtendDeadline(case=_pick(c, a), days=a % 4, reason="" if a & 4 else "批准延期", by="director"),
    lambda s, c, f, a: CompleteCase(case=_pick(c, a), approved=bool(a & 1), by="clerk", note="" if a & 2 else "理由"),
    lambda s, c, f, a: WithdrawCase(case=_pick(c, a), reason="" if a & 8 else "撤回", by="clerk"),
    lambda s, c, f, a: DeliverResult(case=_pick(c, a), method=("window", "post", "fax")[a % 3], by="clerk"),
    lambda s, c, f, a: EntrustCase(case=_pick(c, a), agent=("agent-liu", "agent-he", "nobody")[a % 3],
                                   consent_by="张三", by="clerk"),
    lambda s, c, f, a: RecordProxyStep(case=_pick(c, a), step=_next_step(s, _pick(c, a), a), by="agent"),
    lambda s, c, f, a: RateCase(case=_pick(c, a), level=tuple(RatingLevel)[a % 5], attitude=(a >> 3) % 7 or None),
    lambda s, c, f, a: AnswerFollowUp(case=_pick(c, a), answer="" if a & 8 else "已整改", by="manager"),
    lambda s, c, f, a: CloseFollowUp(case=_pick(c, a), by="manager"),
    lambda s, c, f, a: SubmitFeedback(kind=("comment", "complaint", "praise")[a % 3], text="意见", source="kiosk",
                                      author="李四" if a & 4 else None),
    lambda s, c, f, a: RouteFeedback(entry=_pick(f, a), to="办公室", by="manager"),
    lambda s, c, f, a: ReplyFeedback(entry=_pick(f, a), reply="已答复", by="manager"),
]

# Opening a case is drawn about a quarter of the time, so the other commands find cases.
ops = st.integers(0, len(BUILDERS) + 4).map(lambda i: max(0, i - 5))
steps = st.lists(st.tuples(ops, st.integers(0, 4095), st.integers(0, 3)), min_size=1, max_size=80)


def _snapshot(state: Any) -> dict[str, tuple[Any, ...]]:
    out: dict[str, tuple[Any, ...]] = {}
    for n, c in state.cases.items():
        fu = c.rating.follow_up if c.rating else None
        out[n] = (c.status, c.proxy.step if c.proxy else None, fu.status if fu else None)
    for n, fb in state.feedback.items():
        out[n] = (fb.status,)
    return out


def _moved_legally(before: tuple[Any, ...] | None, after: tuple[Any, ...]) -> bool:
    if before is None:  # just created
        return after[0] in (INITIAL_STATUS, FeedbackStatus.RECEIVED)
    tables = (TRANSITIONS, PROXY_TRANSITIONS, FOLLOW_UP_TRANSITIONS) if len(after) == 3 else (FEEDBACK_TRANSITIONS,)
    for old, new, table in zip(before, after, tables):
        if old != new and not (old is None and new in (ProxyStep.ENTRUST, FollowUpStatus.OPEN)) \
                and (old is None or new not in table[old]):
            return False
    return True


@settings(max_examples=200, deadline=None)
@given(steps)
def test_random_commands_stay_on_the_table_and_replay_to_the_same_state(plan: list[tuple[int, int, int]]) -> None:
    desk = CaseDesk()
    state, stored = initial_cases(), []
    day = date(2026, 9, 14)
    for op, arg, gap in plan:
        day += timedelta(days=gap)
        now = datetime.combine(day, time(10), TZ)
        cmd = BUILDERS[op](state, sorted(state.cases), sorted(state.feedback), arg)
        decision = decide(desk.ctx, state, cmd, now)
        assert decision.ok == (decision.rejected is None)
        if not decision.ok:
            continue
        for e in decision.events:  # every single event moves along an edge
            before = _snapshot(state)
            apply(state, e)
            for key, value in _snapshot(state).items():
                assert _moved_legally(before.get(key), value), f"{type(e).__name__}: {before.get(key)} -> {value}"
        stored.extend(decision.events)
        for case in state.cases.values():
            # Never left half-way through intake; a stopped clock exactly when the status says so.
            assert case.status in CaseStatus and case.status is not INITIAL_STATUS
            open_stop = bool(case.stops) and case.stops[-1].end is None
            assert open_stop == (case.status in CLOCK_STOPPED) == (case.resume_to is not None)
            assert case.history[-1].status == case.status
            deadline_status(case, day, desk.cal)  # total: never raises
    replayed = initial_cases()
    wire = json.loads(json.dumps([[type(e).__name__, CASE_EVENTS.to_dict(e)] for e in stored], ensure_ascii=False))
    for name, data in wire:
        apply(replayed, CASE_EVENTS.from_dict(name, data))
    assert replayed == state
