"""(state, event) -> state.  Folding never refuses: the decision was made before storing.

For speed at start-up (a year of events) the fold updates the state in place and
returns it; callers that need the old state keep a snapshot.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Iterable

from .events import (
    ServiceRated, AppointmentBooked, CountersAdvanced, DailyCapChanged, DayEnded, DayStarted, Event,
    ItemAdded, ItemIssuePaused, ServiceFinished, ServiceStarted, TicketCalled, TicketHeld,
    TicketIssued, TicketNoShow, TicketRecalled, TicketReinstated, TicketResumed,
    TicketTransferred, TicketVoided, WindowItemsAssigned, WindowStatusChanged,
)
from .model import (
    RECENT_SERVICE_SAMPLES, Appointment, DayState, HallState, Ticket, TicketStatus, Tier,
    WindowStatus,
)


def apply_all(state: HallState, events: Iterable[Event]) -> HallState:
    for e in events:
        state = apply(state, e)
    return state


def apply(state: HallState, event: Event) -> HallState:
    """Fold one event into the state (in place) and return it."""
    _fold(event, state)
    return state


@singledispatch
def _fold(event: Event, state: HallState) -> None:
    raise TypeError(f"no fold for {type(event).__name__}")


def _free_window(state: HallState, ticket: Ticket) -> None:
    if ticket.window is not None:
        w = state.windows.get(ticket.window)
        if w is not None and w.current == ticket.number:
            w.current = None
            w.since = None


@_fold.register
def _(e: DayStarted, state: HallState) -> None:
    state.day = DayState(business_day=e.business_day)
    for w in state.windows.values():
        w.current = None
        w.since = None
        w.last_finished = None
        w.last_finished_at = None
    for code in [c for c, a in state.appointments.items() if a.day < e.business_day]:
        del state.appointments[code]


@_fold.register
def _(e: DayEnded, state: HallState) -> None:
    day = state.day
    assert day is not None
    for number in e.closed:
        t = day.tickets[number]
        _free_window(state, t)
        t.status = TicketStatus.CLOSED
        t.closed_reason = e.reason
        day.active.pop(number, None)
    day.ended = True


@_fold.register
def _(e: CountersAdvanced, state: HallState) -> None:
    assert state.day is not None
    state.day.counters.update(e.counters)


def new_ticket(e: TicketIssued, rank: int) -> Ticket:
    """The ticket a TicketIssued event creates (also used to build the issue reply)."""
    if e.priority:
        tier = Tier.PRIORITY
    elif e.appointment and not e.late:
        tier = Tier.APPOINTMENT
    else:
        tier = Tier.WALK_IN
    return Ticket(
        number=e.number, item=e.item, tier=tier, rank=rank, issued_at=e.at,
        more_items=list(e.more_items), priority=e.priority, appointment=e.appointment,
        id_hash=e.id_hash, source=e.source, people_ahead=e.people_ahead,
        wait_low=e.wait_low, wait_high=e.wait_high,
    )


@_fold.register
def _(e: TicketIssued, state: HallState) -> None:
    day = state.day
    assert day is not None
    day.next_rank += 1
    day.ended = False
    t = day.tickets[e.number] = new_ticket(e, day.next_rank)
    day.active[e.number] = t
    day.counters[e.prefix] = max(day.counters.get(e.prefix, 0), e.seq)
    day.issued_per_item[e.item] = day.issued_per_item.get(e.item, 0) + 1
    if e.id_hash:
        day.id_counts[e.id_hash] = day.id_counts.get(e.id_hash, 0) + 1
    if e.appointment and e.appointment in state.appointments:
        state.appointments[e.appointment].ticket = e.number


@_fold.register
def _(e: AppointmentBooked, state: HallState) -> None:
    state.appointments[e.code] = Appointment(code=e.code, item=e.item, day=e.day, start=e.start, end=e.end)


@_fold.register
def _(e: TicketCalled, state: HallState) -> None:
    day = state.day
    assert day is not None
    t = day.tickets[e.number]
    t.status = TicketStatus.CALLED
    t.window = e.window
    t.target_window = None
    t.called_at = e.at
    t.recalls = 0
    w = state.windows[e.window]
    w.current = t.number
    w.since = e.at
    # Anti-starvation bookkeeping: count priority calls in a row per item.
    if t.tier is Tier.WALK_IN:
        day.priority_streak[t.item] = 0
    else:
        day.priority_streak[t.item] = day.priority_streak.get(t.item, 0) + 1


@_fold.register
def _(e: TicketRecalled, state: HallState) -> None:
    assert state.day is not None
    state.day.tickets[e.number].recalls = e.count


@_fold.register
def _(e: TicketNoShow, state: HallState) -> None:
    assert state.day is not None
    t = state.day.tickets[e.number]
    _free_window(state, t)
    t.status = TicketStatus.NO_SHOW
    t.no_show_at = e.at


@_fold.register
def _(e: TicketReinstated, state: HallState) -> None:
    assert state.day is not None
    t = state.day.tickets[e.number]
    t.status = TicketStatus.WAITING
    t.window = None
    t.no_show_at = None


@_fold.register
def _(e: ServiceStarted, state: HallState) -> None:
    assert state.day is not None
    t = state.day.tickets[e.number]
    t.status = TicketStatus.SERVING
    t.started_at = e.at


@_fold.register
def _(e: ServiceFinished, state: HallState) -> None:
    day = state.day
    assert day is not None
    t = day.tickets[e.number]
    _free_window(state, t)
    if t.started_at is not None:
        minutes = (e.at - t.started_at).total_seconds() / 60.0
        recent = day.service_minutes.setdefault(e.item, [])
        recent.append(minutes)
        del recent[:-RECENT_SERVICE_SAMPLES]
    t.served_items.append(e.item)
    t.finished_at = e.at
    w = state.windows.get(e.window)
    if w is not None:
        w.last_finished, w.last_finished_at = t.number, e.at
    if e.next_item is not None:
        # The same visit goes on: back to the queue for the next matter, ahead of
        # later arrivals because it keeps its rank (one ticket, one wait).
        t.more_items.remove(e.next_item)
        t.item = e.next_item
        t.status = TicketStatus.WAITING
        t.window = None
        t.started_at = None
    else:
        t.status = TicketStatus.DONE
        day.active.pop(t.number, None)


@_fold.register
def _(e: TicketTransferred, state: HallState) -> None:
    day = state.day
    assert day is not None
    t = day.tickets[e.number]
    _free_window(state, t)
    if t.started_at is not None and e.to_item != t.item:
        t.served_items.append(t.item)
    t.item = e.to_item
    t.target_window = e.to_window
    t.status = TicketStatus.WAITING
    t.window = None
    t.started_at = None
    if e.front:
        day.next_front -= 1
        t.rank = day.next_front


@_fold.register
def _(e: TicketHeld, state: HallState) -> None:
    assert state.day is not None
    t = state.day.tickets[e.number]
    _free_window(state, t)
    t.status = TicketStatus.HELD
    t.window = e.window


@_fold.register
def _(e: TicketResumed, state: HallState) -> None:
    assert state.day is not None
    t = state.day.tickets[e.number]
    t.status = TicketStatus.SERVING
    t.window = e.window
    if t.started_at is None:
        t.started_at = e.at
    w = state.windows[e.window]
    w.current = t.number
    w.since = e.at


@_fold.register
def _(e: ItemAdded, state: HallState) -> None:
    assert state.day is not None
    state.day.tickets[e.number].more_items.append(e.item)


@_fold.register
def _(e: WindowStatusChanged, state: HallState) -> None:
    w = state.windows[e.window]
    w.status = WindowStatus(e.status)
    if e.clerk or w.status is WindowStatus.CLOSED:
        w.clerk = e.clerk


@_fold.register
def _(e: WindowItemsAssigned, state: HallState) -> None:
    state.windows[e.window].items = tuple(e.items)


@_fold.register
def _(e: ItemIssuePaused, state: HallState) -> None:
    if e.paused:
        state.paused_items.add(e.item)
    else:
        state.paused_items.discard(e.item)


@_fold.register
def _(e: DailyCapChanged, state: HallState) -> None:
    state.caps[e.item] = e.cap


@_fold.register
def _(e: ServiceRated, state: HallState) -> None:
    assert state.day is not None
    state.day.tickets[e.number].rating = e.level


@_fold.register
def _(e: TicketVoided, state: HallState) -> None:
    """Out of the queue, never called; what the ticket took from the day is given back
    (a place under the item's daily cap, one of the resident's tickets, the appointment)
    because nobody holds it.  The counter stays: the number is never reused."""
    day = state.day
    assert day is not None
    t = day.tickets[e.number]
    t.status = TicketStatus.VOIDED
    t.closed_reason = e.reason
    day.active.pop(e.number, None)
    if day.issued_per_item.get(t.item, 0) > 0:
        day.issued_per_item[t.item] -= 1
    if t.id_hash and day.id_counts.get(t.id_hash, 0) > 0:
        day.id_counts[t.id_hash] -= 1
    appt = state.appointments.get(t.appointment) if t.appointment else None
    if appt is not None and appt.ticket == e.number:
        appt.ticket = None
