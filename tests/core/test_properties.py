"""Properties over random sequences of commands (hypothesis)."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from queue_server.config import load_config
from queue_server.engine import commands as C
from queue_server.engine.decide import Context, decide, roll_over
from queue_server.engine.events import DayStarted, TicketIssued
from queue_server.engine.evolve import apply_all
from queue_server.engine.model import TicketStatus, initial_state, state_from_dict, state_to_dict
from queue_server.service import HallService
from queue_server.store import EventStore, sqlite_url

from .halls import MORNING

CFG = load_config(Path(__file__).resolve().parents[2] / "config" / "county-hall.toml")
CFG = CFG.model_copy(update={"rules": CFG.rules.model_copy(update={"issue_outside_hours": True})})
ITEMS = ["SC-0101", "SC-0102", "WS-0201", "GA-0901", "SC-0199"]
WINDOWS = [1, 2, 9, 13, 14]

window = st.sampled_from(WINDOWS)
item = st.sampled_from(ITEMS)
commands = st.one_of(
    st.builds(C.IssueTicket, item=item, priority=st.sampled_from([None, None, "elderly"]),
              id_hash=st.sampled_from([None, "h1", "h2"]), more_items=st.sampled_from([(), ("WS-0201",)])),
    st.builds(C.CallNext, window=window),
    st.builds(C.CallNext, window=window),
    st.builds(C.CallTicket, window=window, number=st.sampled_from(["A001", "A002", "B001", "J001"])),
    st.builds(C.Recall, window=window),
    st.builds(C.MarkNoShow, window=window),
    st.builds(C.Reinstate, number=st.sampled_from(["A001", "A002", "B001"])),
    st.builds(C.StartService, window=window),
    st.builds(C.FinishService, window=window),
    st.builds(C.FinishService, window=window),
    st.builds(C.Transfer, window=window, to_item=st.sampled_from([None, *ITEMS]),
              to_window=st.sampled_from([None, None, *WINDOWS]), position=st.sampled_from([None, "keep", "front"])),
    st.builds(C.Hold, window=window),
    st.builds(C.Resume, window=window, number=st.sampled_from(["A001", "A002", "B001"])),
    st.builds(C.AddItem, window=window, item=item),
    st.builds(C.PauseWindow, window=window),
    st.builds(C.OpenWindow, window=window),
    st.builds(C.CloseWindow, window=window),
    st.builds(C.AssignItems, window=window, items=st.sampled_from([("SC-0101",), ("GA-0901", "SC-0102"), ()])),
    st.builds(C.SetDailyCap, item=item, cap=st.sampled_from([None, 1, 3])),
    st.builds(C.CloseDay),
    # The engine's half of VoidIssue (the service finds the number from the command id).
    st.builds(C.VoidTicket, number=st.sampled_from(["A001", "A002", "B001"]), business_day=st.just(MORNING.date())),
)
steps = st.lists(st.tuples(commands, st.integers(min_value=0, max_value=400)), min_size=1, max_size=60)


def _check_invariants(state, issued_per_day: Counter) -> None:
    dup = [k for k, v in issued_per_day.items() if v > 1]
    assert not dup, f"numbers issued twice: {dup}"
    if state.day is None:
        return
    from queue_server.engine.model import FINAL_STATUSES
    assert set(state.day.active) == {n for n, t in state.day.tickets.items() if t.status not in FINAL_STATUSES}
    at_windows = [w.current for w in state.windows.values() if w.current is not None]
    assert len(at_windows) == len(set(at_windows)), "one ticket at two windows"
    for t in state.day.tickets.values():
        if t.status in (TicketStatus.CALLED, TicketStatus.SERVING):
            assert state.windows[t.window].current == t.number
        else:
            assert t.number not in at_windows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_random_commands_never_issue_a_number_twice_nor_call_one_ticket_at_two_windows(seq):
    ctx = Context.of(CFG)
    state = initial_state(CFG)
    now = MORNING
    issued: Counter = Counter()
    events_all = []
    for cmd, minutes in seq:
        now += timedelta(minutes=minutes)
        pending = roll_over(ctx, state, now)
        d = decide(ctx, apply_all(state, pending), cmd, now)
        apply_all(state, d.events)
        events_all += pending + d.events
        day = state.day.business_day
        for e in d.events:
            if isinstance(e, TicketIssued):
                issued[(day, e.number)] += 1
        _check_invariants(state, issued)
    # Folding the same events from scratch gives the same state.
    again = apply_all(initial_state(CFG), events_all)
    assert state_to_dict(again) == state_to_dict(state)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps, st.integers(min_value=1, max_value=40))
def test_replaying_the_stored_events_rebuilds_exactly_the_live_state(seq, snapshot_every):
    with tempfile.TemporaryDirectory() as d:
        store = EventStore(sqlite_url(d, CFG.hall.id), CFG.hall.id)
        svc = HallService(CFG, store, snapshot_every=snapshot_every)
        now = MORNING
        svc.start(now)
        for i, (cmd, minutes) in enumerate(seq):
            now += timedelta(minutes=minutes)
            svc.handle(cmd, command_id=f"p{i}", now=now)
        live = state_to_dict(svc.state)
        # From the last snapshot plus what followed (what a restart does) ...
        svc.stop()
        store.close()
        store = EventStore(sqlite_url(d, CFG.hall.id), CFG.hall.id)
        svc2 = HallService(CFG, store, snapshot_every=snapshot_every)
        svc2.start(now)
        assert state_to_dict(svc2.state) == live
        # ... and from the very first event, ignoring snapshots.
        scratch = apply_all(initial_state(CFG), (e for _, e in store.events()))
        assert state_to_dict(scratch) == live
        # Snapshots round-trip exactly.
        assert state_to_dict(state_from_dict(live)) == live
        svc2.stop()
        store.close()


def test_ticket_status_transitions_have_no_dead_ends_and_every_state_is_reachable():
    from queue_server.engine.model import TRANSITIONS

    final = {s for s, nxt in TRANSITIONS.items() if not nxt}
    assert final == {TicketStatus.DONE, TicketStatus.CLOSED, TicketStatus.VOIDED}
    reachable = {TicketStatus.WAITING}
    frontier = [TicketStatus.WAITING]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(TicketStatus)
    # Every non-final state can still reach an end.
    for s in set(TicketStatus) - final:
        assert TicketStatus.CLOSED in TRANSITIONS[s]


@settings(max_examples=60, deadline=None)
@given(steps)
def test_every_observed_status_change_is_in_the_transition_table(seq):
    from queue_server.engine.model import TRANSITIONS

    ctx = Context.of(CFG)
    state = initial_state(CFG)
    now = MORNING
    for cmd, minutes in seq:
        now += timedelta(minutes=minutes)
        apply_all(state, roll_over(ctx, state, now))
        before = {n: t.status for n, t in state.day.tickets.items()}
        d = decide(ctx, state, cmd, now)
        apply_all(state, d.events)
        if any(isinstance(e, DayStarted) for e in d.events):
            continue
        for n, old in before.items():
            new = state.day.tickets[n].status
            if new != old:
                assert new in TRANSITIONS[old] or (old, new) == (TicketStatus.SERVING, TicketStatus.SERVING), (old, new)
