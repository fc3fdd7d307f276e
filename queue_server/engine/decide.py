"""(config, state, command, now) -> events or a refusal.  Reads state, never changes it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import singledispatch
from typing import Iterable

from ..config import HallConfig, ItemStatus, TransferPosition
from ..workdays import WorkCalendar, business_day, is_open
from .commands import (
    AddItem, AssignItems, BookAppointment, CallNext, CallTicket, CheckIn, CloseDay,
    CloseWindow, Command, FinishService, Hold, IssueTicket, MarkNoShow, OpenWindow,
    PauseItem, PauseWindow, RateService, Recall, Reinstate, ResumeItem, Resume, SetDailyCap,
    StartService, Transfer, VoidIssue, VoidTicket,
)
from .estimate import mean_service_minutes, wait_range
from .events import (
    AppointmentBooked, CountersAdvanced, DailyCapChanged, DayEnded, DayStarted, Event,
    ItemAdded, ItemIssuePaused, ServiceFinished, ServiceRated, ServiceStarted, TicketCalled, TicketHeld,
    TicketIssued, TicketNoShow, TicketRecalled, TicketReinstated, TicketResumed,
    TicketTransferred, TicketVoided, WindowItemsAssigned, WindowStatusChanged,
)
from .model import HallState, Ticket, TicketStatus, Tier, WindowState, WindowStatus
from .rejections import Rejected, RejectionCode as R, rejection

OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING,
                 TicketStatus.HELD, TicketStatus.NO_SHOW)


@dataclass(frozen=True)
class Context:
    """What the rules read besides state: the hall's config and working calendar."""

    cfg: HallConfig
    cal: WorkCalendar

    @classmethod
    def of(cls, cfg: HallConfig) -> "Context":
        return cls(cfg, WorkCalendar.from_config(cfg))


@dataclass(frozen=True)
class Decision:
    events: list[Event] = field(default_factory=list)
    rejected: Rejected | None = None

    @property
    def ok(self) -> bool:
        return self.rejected is None


def _no(code: R, detail: str = "") -> Decision:
    return Decision(rejected=rejection(code, detail))


def _yes(*events: Event) -> Decision:
    return Decision(events=list(events))


# ---------------------------------------------------------------------------
# Day rollover and recovery
# ---------------------------------------------------------------------------


def roll_over(ctx: Context, state: HallState, now: datetime) -> list[Event]:
    """Events that bring the state to ``now``'s business day: end the old day (closing
    every unserved ticket with a reason) and start the new one."""
    today = business_day(now, ctx.cfg.hall.timezone)
    day = state.day
    if day is not None and day.business_day >= today:
        # Same day, or the clock went backwards (a hall box whose RTC lost its time
        # after a power cut): never reopen an earlier day, whose numbers are used.
        return []
    out: list[Event] = []
    if day is not None and not day.ended:
        out.append(DayEnded(at=now, business_day=day.business_day,
                            closed=tuple(open_tickets(state)), reason="business_day_ended"))
    out.append(DayStarted(at=now, business_day=today))
    return out


def open_tickets(state: HallState) -> list[str]:
    if state.day is None:
        return []
    return [n for n, t in state.day.active.items() if t.status in OPEN_STATUSES]


def advance_counters(ctx: Context, state: HallState, now: datetime) -> list[Event]:
    """After an unclean shutdown: move today's counters past any number that might have
    been printed but whose commit a lying disk lost."""
    margin = ctx.cfg.rules.unclean_shutdown_margin
    if state.day is None or margin == 0:
        return []
    prefixes = {it.prefix for it in ctx.cfg.items}
    counters = {p: state.day.counters.get(p, 0) + margin for p in sorted(prefixes)}
    return [CountersAdvanced(at=now, business_day=state.day.business_day, counters=counters)]


# ---------------------------------------------------------------------------
# Queue selection (pure helpers the views use too)
# ---------------------------------------------------------------------------


def serves(window: WindowState, item: str) -> bool:
    return window.general or item in window.items


def eligible(window: WindowState, t: Ticket) -> bool:
    if t.status is not TicketStatus.WAITING:
        return False
    if t.target_window is not None:
        return t.target_window == window.number
    return serves(window, t.item)


def waiting_for_item(state: HallState, item: str) -> list[Ticket]:
    if state.day is None:
        return []
    ts = [t for t in state.day.active.values()
          if t.status is TicketStatus.WAITING and t.item == item and t.target_window is None]
    ts.sort(key=Ticket.sort_key)
    return ts


def _best_within_item(state: HallState, ctx: Context, cands: list[Ticket]) -> Ticket:
    """Priority and appointments first; after ``priority_burst`` of them in a row the
    oldest walk-in goes next, so the green channel never starves everyone else."""
    cands = sorted(cands, key=Ticket.sort_key)
    first = cands[0]
    if first.tier is not Tier.WALK_IN:
        assert state.day is not None
        streak = state.day.priority_streak.get(first.item, 0)
        if streak >= ctx.cfg.rules.priority_burst:
            walk_ins = [t for t in cands if t.tier is Tier.WALK_IN]
            if walk_ins:
                return walk_ins[0]
    return first


def eligible_tickets(state: HallState, window: WindowState) -> list[Ticket]:
    return [t for t in state.day.active.values() if eligible(window, t)] if state.day else []


def choose_next(ctx: Context, state: HallState, window: WindowState,
                tickets: list[Ticket] | None = None) -> Ticket | None:
    """The window's own transfers first, then its items in priority order, then (for a
    general window) any item, oldest first within priority class.  ``tickets``: the
    window's eligible tickets when the caller already has them."""
    if tickets is None:
        tickets = eligible_tickets(state, window)
    if not tickets:
        return None
    by_item: dict[str, list[Ticket]] = {}
    targeted = []
    for t in tickets:
        if t.target_window == window.number:
            targeted.append(t)
        by_item.setdefault(t.item, []).append(t)
    if targeted:
        return min(targeted, key=Ticket.sort_key)
    for item in window.items:
        if item in by_item:
            return _best_within_item(state, ctx, by_item[item])
    # General window: any other item, priority class then arrival.
    best = min(tickets, key=Ticket.sort_key)
    return _best_within_item(state, ctx, by_item[best.item])


def open_servers(state: HallState, item: str) -> int:
    n_open = sum(1 for w in state.windows.values() if w.status is WindowStatus.OPEN and serves(w, item))
    return n_open or sum(1 for w in state.windows.values() if serves(w, item)) or 1


def estimate_for(ctx: Context, state: HallState, item: str, tier: Tier,
                 waiting: list[Ticket] | None = None) -> tuple[int, int, int]:
    """(people ahead, low, high) for a ticket about to join ``item``'s queue;
    ``waiting``: that queue when the caller already has it."""
    queue = waiting_for_item(state, item) if waiting is None else waiting
    ahead = sum(1 for t in queue if t.tier <= tier)
    cfg_item = ctx.cfg.item(item)
    configured = cfg_item.standard.avg_service_minutes if cfg_item else 10.0
    recent = state.day.service_minutes.get(item) if state.day else None
    low, high = wait_range(ahead, open_servers(state, item), mean_service_minutes(recent, configured))
    return ahead, low, high


# ---------------------------------------------------------------------------
# Deciding commands
# ---------------------------------------------------------------------------


def decide(ctx: Context, state: HallState, cmd: Command, now: datetime) -> Decision:
    """Decide one command against a state already rolled to ``now``'s business day."""
    if state.day is None or state.day.business_day < business_day(now, ctx.cfg.hall.timezone):
        raise ValueError("roll the state over to today's business day before deciding")
    try:
        return _decide(cmd, ctx, state, now)
    except _Refuse as refused:
        return Decision(rejected=refused.rejected)


@singledispatch
def _decide(cmd: Command, ctx: Context, state: HallState, now: datetime) -> Decision:
    return _no(R.INVALID_COMMAND, type(cmd).__name__)


def _check_item_issuable(ctx: Context, state: HallState, code: str) -> Rejected | None:
    item = ctx.cfg.item(code)
    if item is None:
        return rejection(R.UNKNOWN_ITEM, code)
    if item.status is ItemStatus.WITHDRAWN:
        return rejection(R.ITEM_WITHDRAWN, code)
    if code in state.paused_items:
        return rejection(R.ITEM_PAUSED, code)
    cap = state.caps[code] if code in state.caps else item.daily_cap
    assert state.day is not None
    if cap is not None and state.day.issued_per_item.get(code, 0) >= cap:
        return rejection(R.DAILY_CAP_REACHED, code)
    return None


def _issue(ctx: Context, state: HallState, now: datetime, item: str, more: tuple[str, ...],
           priority: str | None, appointment: str | None, id_hash: str | None,
           source: str) -> Decision:
    day = state.day
    assert day is not None
    for code in (item, *more):
        if (bad := _check_item_issuable(ctx, state, code)) is not None:
            return Decision(rejected=bad)
    if len(set((item, *more))) != 1 + len(more):
        return _no(R.ITEM_ALREADY_IN_VISIT, item)
    if priority is not None and priority not in {p.key for p in ctx.cfg.rules.priority_classes}:
        return _no(R.UNKNOWN_PRIORITY_CLASS, priority)
    if not ctx.cfg.rules.issue_outside_hours and not is_open(ctx.cfg, ctx.cal, now):
        return _no(R.OUTSIDE_BUSINESS_HOURS)
    if id_hash is not None:
        if day.id_counts.get(id_hash, 0) >= ctx.cfg.rules.max_tickets_per_id_per_day:
            return _no(R.ID_LIMIT_REACHED)
        for t in day.active.values():
            if t.id_hash == id_hash and t.status in OPEN_STATUSES and (t.item == item or item in t.more_items):
                return _no(R.ALREADY_QUEUING, t.number)
    cfg_item = ctx.cfg.item(item)
    assert cfg_item is not None
    seq = day.counters.get(cfg_item.prefix, 0) + 1
    tier = Tier.PRIORITY if priority else Tier.APPOINTMENT if appointment else Tier.WALK_IN
    ahead, low, high = estimate_for(ctx, state, item, tier)
    return _yes(TicketIssued(
        at=now, number=f"{cfg_item.prefix}{seq:03d}", prefix=cfg_item.prefix, seq=seq,
        item=item, more_items=tuple(more), priority=priority, appointment=appointment,
        id_hash=id_hash, source=source, people_ahead=ahead, wait_low=low, wait_high=high,
    ))


@_decide.register
def _(cmd: IssueTicket, ctx: Context, state: HallState, now: datetime) -> Decision:
    return _issue(ctx, state, now, cmd.item, tuple(cmd.more_items), cmd.priority, None, cmd.id_hash, cmd.source)


@_decide.register
def _(cmd: BookAppointment, ctx: Context, state: HallState, now: datetime) -> Decision:
    if cmd.code in state.appointments:
        return _no(R.APPOINTMENT_EXISTS, cmd.code)
    item = ctx.cfg.item(cmd.item)
    if item is None:
        return _no(R.UNKNOWN_ITEM, cmd.item)
    if item.status is ItemStatus.WITHDRAWN:
        return _no(R.ITEM_WITHDRAWN, cmd.item)
    if cmd.end <= cmd.start or not cmd.code.strip():
        return _no(R.INVALID_COMMAND, "appointment slot must end after it starts")
    return _yes(AppointmentBooked(at=now, code=cmd.code, item=cmd.item, day=cmd.day, start=cmd.start, end=cmd.end))


@_decide.register
def _(cmd: CheckIn, ctx: Context, state: HallState, now: datetime) -> Decision:
    appt = state.appointments.get(cmd.code)
    if appt is None:
        return _no(R.UNKNOWN_APPOINTMENT, cmd.code)
    if appt.ticket is not None:
        return _no(R.APPOINTMENT_USED, appt.ticket)
    assert state.day is not None
    if appt.day != state.day.business_day:
        return _no(R.APPOINTMENT_WRONG_DAY, appt.day.isoformat())
    rules = ctx.cfg.rules
    if now < appt.start - timedelta(minutes=rules.appointment_early_minutes):
        return _no(R.APPOINTMENT_TOO_EARLY, appt.start.isoformat())
    late = now > appt.end + timedelta(minutes=rules.appointment_late_minutes)
    d = _issue(ctx, state, now, appt.item, (), None, cmd.code, cmd.id_hash, cmd.source)
    if late and d.ok:
        # A late arrival still gets a ticket, as a walk-in: the slot is gone, not the visit.
        return Decision(events=[replace(d.events[0], late=True)])  # type: ignore[type-var]
    return d


class _Refuse(Exception):
    """Raised by the lookups below; ``decide`` turns it into a refusal."""

    def __init__(self, code: R, detail: str = "") -> None:
        super().__init__(code)
        self.rejected = rejection(code, detail)


def _window(state: HallState, number: int, need_open: bool = False) -> WindowState:
    w = state.windows.get(number)
    if w is None:
        raise _Refuse(R.UNKNOWN_WINDOW, str(number))
    if need_open and w.status is WindowStatus.CLOSED:
        raise _Refuse(R.WINDOW_CLOSED, str(number))
    if need_open and w.status is WindowStatus.PAUSED:
        raise _Refuse(R.WINDOW_PAUSED, str(number))
    return w


def _current(state: HallState, number: int) -> tuple[WindowState, Ticket]:
    """The window and the ticket at it, or a refusal when the window is empty."""
    w = _window(state, number)
    if w.current is None:
        raise _Refuse(R.NO_CURRENT_TICKET, str(number))
    t = state.ticket(w.current)
    assert t is not None
    return w, t


@_decide.register
def _(cmd: CallNext, ctx: Context, state: HallState, now: datetime) -> Decision:
    w = _window(state, cmd.window, need_open=True)
    if w.current is not None:
        return _no(R.WINDOW_BUSY, w.current)
    t = choose_next(ctx, state, w)
    if t is None:
        return _no(R.QUEUE_EMPTY)
    return _yes(TicketCalled(at=now, number=t.number, window=w.number))


@_decide.register
def _(cmd: CallTicket, ctx: Context, state: HallState, now: datetime) -> Decision:
    w = _window(state, cmd.window, need_open=True)
    if w.current is not None:
        return _no(R.WINDOW_BUSY, w.current)
    t = state.ticket(cmd.number.strip().upper())
    if t is None:
        return _no(R.TICKET_NOT_FOUND, cmd.number)
    if t.status is not TicketStatus.WAITING:
        return _no(R.TICKET_NOT_WAITING, t.number)
    if not eligible(w, t):
        return _no(R.ITEM_NOT_AT_WINDOW, t.item)
    return _yes(TicketCalled(at=now, number=t.number, window=w.number))


@_decide.register
def _(cmd: Recall, ctx: Context, state: HallState, now: datetime) -> Decision:
    _, t = _current(state, cmd.window)
    if t.status is not TicketStatus.CALLED:
        return _no(R.ALREADY_STARTED, t.number)
    if t.recalls >= ctx.cfg.rules.recall_limit:
        return _no(R.RECALL_LIMIT_REACHED, t.number)
    return _yes(TicketRecalled(at=now, number=t.number, window=cmd.window, count=t.recalls + 1))


@_decide.register
def _(cmd: MarkNoShow, ctx: Context, state: HallState, now: datetime) -> Decision:
    _, t = _current(state, cmd.window)
    if t.status is not TicketStatus.CALLED:
        return _no(R.ALREADY_STARTED, t.number)
    return _yes(TicketNoShow(at=now, number=t.number, window=cmd.window))


@_decide.register
def _(cmd: Reinstate, ctx: Context, state: HallState, now: datetime) -> Decision:
    t = state.ticket(cmd.number.strip().upper())
    if t is None:
        return _no(R.TICKET_NOT_FOUND, cmd.number)
    if t.status is not TicketStatus.NO_SHOW:
        return _no(R.TICKET_NOT_WAITING, t.number)
    assert t.no_show_at is not None
    if now - t.no_show_at > timedelta(minutes=ctx.cfg.rules.reinstate_minutes):
        return _no(R.REINSTATE_EXPIRED, t.number)
    return _yes(TicketReinstated(at=now, number=t.number))


@_decide.register
def _(cmd: StartService, ctx: Context, state: HallState, now: datetime) -> Decision:
    _, t = _current(state, cmd.window)
    if t.status is not TicketStatus.CALLED:
        return _no(R.ALREADY_STARTED, t.number)
    return _yes(ServiceStarted(at=now, number=t.number, window=cmd.window))


@_decide.register
def _(cmd: FinishService, ctx: Context, state: HallState, now: datetime) -> Decision:
    _, t = _current(state, cmd.window)
    events: list[Event] = []
    if t.status is TicketStatus.CALLED:
        # Finishing straight from "called" is common for quick matters: record the start.
        events.append(ServiceStarted(at=now, number=t.number, window=cmd.window))
    next_item = t.more_items[0] if t.more_items else None
    events.append(ServiceFinished(at=now, number=t.number, window=cmd.window, item=t.item, next_item=next_item))
    return Decision(events=events)


@_decide.register
def _(cmd: Transfer, ctx: Context, state: HallState, now: datetime) -> Decision:
    w, t = _current(state, cmd.window)
    if cmd.to_item is None and cmd.to_window is None:
        return _no(R.INVALID_COMMAND, "transfer needs to_item or to_window")
    to_item = cmd.to_item or t.item
    target_item = ctx.cfg.item(to_item)
    if target_item is None:
        return _no(R.UNKNOWN_ITEM, to_item)
    if target_item.status is ItemStatus.WITHDRAWN:
        return _no(R.ITEM_WITHDRAWN, to_item)
    if cmd.to_window is not None:
        target = _window(state, cmd.to_window)
        if target.number == w.number:
            return _no(R.SAME_TARGET, str(target.number))
        if not serves(target, to_item):
            return _no(R.ITEM_NOT_AT_WINDOW, to_item)
    elif to_item == t.item:
        return _no(R.SAME_TARGET, to_item)
    position = cmd.position or ctx.cfg.rules.transfer_position
    if position not in (TransferPosition.KEEP, TransferPosition.FRONT):
        return _no(R.INVALID_COMMAND, f"position must be keep or front, not {position!r}")
    return _yes(TicketTransferred(at=now, number=t.number, window=w.number, to_item=to_item,
                                  to_window=cmd.to_window, front=position == TransferPosition.FRONT))


@_decide.register
def _(cmd: Hold, ctx: Context, state: HallState, now: datetime) -> Decision:
    _, t = _current(state, cmd.window)
    return _yes(TicketHeld(at=now, number=t.number, window=cmd.window))


@_decide.register
def _(cmd: Resume, ctx: Context, state: HallState, now: datetime) -> Decision:
    w = _window(state, cmd.window)
    if w.current is not None:
        return _no(R.WINDOW_BUSY, w.current)
    t = state.ticket(cmd.number.strip().upper())
    if t is None:
        return _no(R.TICKET_NOT_FOUND, cmd.number)
    if t.status is not TicketStatus.HELD or t.window != cmd.window:
        return _no(R.NOT_HELD, t.number)
    return _yes(TicketResumed(at=now, number=t.number, window=cmd.window))


@_decide.register
def _(cmd: AddItem, ctx: Context, state: HallState, now: datetime) -> Decision:
    _, t = _current(state, cmd.window)
    item = ctx.cfg.item(cmd.item)
    if item is None:
        return _no(R.UNKNOWN_ITEM, cmd.item)
    if item.status is ItemStatus.WITHDRAWN:
        return _no(R.ITEM_WITHDRAWN, cmd.item)
    if cmd.item == t.item or cmd.item in t.more_items:
        return _no(R.ITEM_ALREADY_IN_VISIT, cmd.item)
    return _yes(ItemAdded(at=now, number=t.number, item=cmd.item))


@_decide.register
def _(cmd: OpenWindow, ctx: Context, state: HallState, now: datetime) -> Decision:
    w = _window(state, cmd.window)
    return _yes(WindowStatusChanged(at=now, window=w.number, status=WindowStatus.OPEN, clerk=cmd.clerk))


@_decide.register
def _(cmd: PauseWindow, ctx: Context, state: HallState, now: datetime) -> Decision:
    w = _window(state, cmd.window)
    return _yes(WindowStatusChanged(at=now, window=w.number, status=WindowStatus.PAUSED, clerk=w.clerk))


@_decide.register
def _(cmd: CloseWindow, ctx: Context, state: HallState, now: datetime) -> Decision:
    w = _window(state, cmd.window)
    if w.current is not None:
        return _no(R.WINDOW_BUSY, w.current)
    return _yes(WindowStatusChanged(at=now, window=w.number, status=WindowStatus.CLOSED))


@_decide.register
def _(cmd: AssignItems, ctx: Context, state: HallState, now: datetime) -> Decision:
    w = _window(state, cmd.window)
    unknown = [c for c in cmd.items if ctx.cfg.item(c) is None]
    if unknown:
        return _no(R.UNKNOWN_ITEM, ",".join(unknown))
    if len(set(cmd.items)) != len(cmd.items):
        return _no(R.INVALID_COMMAND, "an item is listed twice")
    if not cmd.items and not w.general:
        return _no(R.INVALID_COMMAND, "a window that is not general must serve at least one item")
    return _yes(WindowItemsAssigned(at=now, window=w.number, items=tuple(cmd.items)))


@_decide.register(PauseItem)
@_decide.register(ResumeItem)
def _(cmd: PauseItem | ResumeItem, ctx: Context, state: HallState, now: datetime) -> Decision:
    if ctx.cfg.item(cmd.item) is None:
        return _no(R.UNKNOWN_ITEM, cmd.item)
    return _yes(ItemIssuePaused(at=now, item=cmd.item, paused=isinstance(cmd, PauseItem)))


@_decide.register
def _(cmd: SetDailyCap, ctx: Context, state: HallState, now: datetime) -> Decision:
    if ctx.cfg.item(cmd.item) is None:
        return _no(R.UNKNOWN_ITEM, cmd.item)
    if cmd.cap is not None and cmd.cap < 0:
        return _no(R.INVALID_COMMAND, "cap must be 0 or more")
    return _yes(DailyCapChanged(at=now, item=cmd.item, cap=cmd.cap))


@_decide.register
def _(cmd: CloseDay, ctx: Context, state: HallState, now: datetime) -> Decision:
    assert state.day is not None
    if state.day.ended:
        return _yes()
    return _yes(DayEnded(at=now, business_day=state.day.business_day,
                         closed=tuple(open_tickets(state)), reason=cmd.reason or "business_day_ended"))


RATING_LEVELS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")


@_decide.register
def _(cmd: RateService, ctx: Context, state: HallState, now: datetime) -> Decision:
    """A rating for a ticket served at this window today (one per ticket)."""
    if cmd.level not in RATING_LEVELS:
        return _no(R.INVALID_COMMAND, f"level must be one of {', '.join(RATING_LEVELS)}")
    for score in (cmd.attitude, cmd.efficiency, cmd.integrity):
        if score is not None and not 1 <= score <= 5:
            return _no(R.INVALID_COMMAND, "sub-scores are 1 to 5")
    t = state.ticket(cmd.number.strip().upper())
    if t is None:
        return _no(R.TICKET_NOT_FOUND, cmd.number)
    w = state.windows.get(cmd.window)
    if w is None:
        return _no(R.UNKNOWN_WINDOW, str(cmd.window))
    if not t.served_items or (t.window != cmd.window and w.last_finished != t.number):
        return _no(R.NOT_SERVED_HERE, t.number)
    if t.rating is not None:
        return _no(R.ALREADY_RATED, t.number)
    return _yes(ServiceRated(at=now, number=t.number, window=cmd.window, level=cmd.level, attitude=cmd.attitude,
                             efficiency=cmd.efficiency, integrity=cmd.integrity, comment=cmd.comment[:500]))


@_decide.register
def _(cmd: VoidIssue, ctx: Context, state: HallState, now: datetime) -> Decision:
    # Which ticket a command id issued is in the store's command results, not in the
    # state: the service resolves it and decides a VoidTicket.
    return _no(R.INVALID_COMMAND, "VoidIssue is resolved by the hall service")


@_decide.register
def _(cmd: VoidTicket, ctx: Context, state: HallState, now: datetime) -> Decision:
    """Void a ticket nobody holds: only while it waits and was never called."""
    assert state.day is not None
    if cmd.business_day != state.day.business_day:
        # An earlier day's ticket was closed when that day ended; today's same number
        # is somebody else's.
        return _no(R.TICKET_NOT_WAITING, f"{cmd.number} of {cmd.business_day.isoformat()}")
    t = state.ticket(cmd.number)
    if t is None:
        return _no(R.TICKET_NOT_FOUND, cmd.number)
    if t.status is TicketStatus.VOIDED:
        return _yes()                        # already voided: nothing more to do
    if t.called_at is not None or t.status in (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.HELD,
                                               TicketStatus.NO_SHOW, TicketStatus.DONE):
        return _no(R.TICKET_ALREADY_CALLED, t.number)
    if t.status is not TicketStatus.WAITING:
        return _no(R.TICKET_NOT_WAITING, t.number)
    return _yes(TicketVoided(at=now, number=t.number, item=t.item, reason=cmd.reason, source=cmd.source))


def all_events(decisions: Iterable[Decision]) -> list[Event]:
    return [e for d in decisions for e in d.events]
