"""Issue #5: a kiosk that got no reply voids what it asked for (VoidIssue), so the queue
never counts a ticket that nobody holds.  Given / when / then, in the hall's words."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from queue_server.engine import commands as C
from queue_server.engine.events import TicketVoided
from queue_server.engine.evolve import apply_all
from queue_server.engine.model import TicketStatus, initial_state, state_to_dict
from queue_server.report import build_report
from queue_server.service import HallService, Outcome
from queue_server.store import EventStore
from queue_server.views import queue_summary, window_view

from .halls import MORNING, ScenarioHall, forget_hall, load, postgres_url

KIOSK = "kiosk-01"


def issue_from_kiosk(hall: ScenarioHall, cid: str, item: str = "SC-0101", **kw: object) -> Outcome:
    """An IssueTicket as the MQTT server hands it on: the id scoped to the kiosk, the kiosk as actor."""
    return hall.svc.handle(C.IssueTicket(item=item, source=KIOSK, **kw), command_id=f"{KIOSK}/{cid}", actor=KIOSK,
                           now=hall.now)


def void_from_kiosk(hall: ScenarioHall, target: str, void_id: str, actor: str = KIOSK) -> Outcome:
    return hall.svc.handle(C.VoidIssue(command_id=f"{KIOSK}/{target}"), command_id=f"{actor}/{void_id}",
                           actor=actor, now=hall.now)


def waiting(hall: ScenarioHall, item: str = "SC-0101") -> int:
    return next(q for q in queue_summary(hall.svc.ctx, hall.svc.state, hall.now) if q["item"] == item)["waiting"]


def test_given_a_ticket_whose_reply_was_lost_when_the_kiosk_voids_it_then_it_leaves_the_queue(county):
    ahead = county.issue("SC-0101")                                   # A001, a citizen holds it
    ghost = issue_from_kiosk(county, "lost-1").result["ticket"]["number"]   # A002, reply lost
    behind = county.issue("SC-0101")                                  # A003
    assert waiting(county) == 3 and county.display(1)["waiting_here"] == 3

    out = void_from_kiosk(county, "lost-1", "lost-1-void")
    assert out.ok and out.result["voided"] == {"command_id": f"{KIOSK}/lost-1", "number": ghost, "outcome": "voided"}
    assert [e["type"] for e in out.result["events"]] == ["TicketVoided"]
    assert out.result["events"][0]["reason"] == "not_handed_over"
    assert county.status(ghost) is TicketStatus.VOIDED
    assert waiting(county) == 2 and county.display(1)["waiting_here"] == 2
    # Nobody is ever called to the window for it: the window goes from A001 to A003.
    assert county.call(1) == ahead
    county.do(C.FinishService(window=1))
    assert county.call(1) == behind
    assert county.refused(C.CallTicket(window=2, number=ghost)) == "ticket_not_waiting"


def test_given_a_voided_ticket_then_a_newcomers_wait_estimate_no_longer_counts_it(county):
    for i in range(4):
        issue_from_kiosk(county, f"k{i}")
    before = county.ticket_reply("SC-0101")                           # 4 ahead
    void_from_kiosk(county, "k1", "k1-void")
    void_from_kiosk(county, "k2", "k2-void")
    after = county.ticket_reply("SC-0101")
    assert (before["people_ahead"], after["people_ahead"]) == (4, 4 - 2 + 1)
    assert after["wait_minutes"][1] < before["wait_minutes"][1]


def test_given_a_voided_number_then_it_is_never_issued_again_not_even_after_a_restart(county):
    ghost = issue_from_kiosk(county, "lost").result["ticket"]["number"]
    void_from_kiosk(county, "lost", "lost-void")
    assert (ghost, county.issue("SC-0101")) == ("A001", "A002")
    hall = county.restart()
    try:
        assert hall.issue("SC-0101") == "A003"
    finally:
        hall.close()


def test_given_a_ticket_already_called_when_its_kiosk_voids_it_then_the_void_is_refused(county):
    number = issue_from_kiosk(county, "slow").result["ticket"]["number"]
    assert county.call(1) == number                                   # the citizen came anyway
    out = void_from_kiosk(county, "slow", "slow-void")
    assert not out.ok and out.result["rejected"]["code"] == "ticket_already_called"
    assert out.result["rejected"]["message"] == "该号已叫号或已办理，不能作废"
    assert county.status(number) is TicketStatus.CALLED and county.display(1)["current"] == number


def test_given_a_ticket_served_and_back_for_its_next_item_then_it_cannot_be_voided(county):
    number = issue_from_kiosk(county, "visit", more_items=("WS-0201",)).result["ticket"]["number"]
    county.serve(1)
    assert county.status(number) is TicketStatus.WAITING                # waiting again, for WS-0201
    out = void_from_kiosk(county, "visit", "visit-void")
    assert not out.ok and out.result["rejected"]["code"] == "ticket_already_called"
    assert county.status(number) is TicketStatus.WAITING


def test_given_an_issue_never_seen_when_it_is_voided_then_the_late_original_issues_nothing(county):
    out = void_from_kiosk(county, "in-flight", "in-flight-void")
    assert out.ok and out.result["voided"]["outcome"] == "tombstoned" and out.result["events"] == []
    seq = county.store.last_seq()
    late = issue_from_kiosk(county, "in-flight")                      # QoS 1 redelivery, minutes later
    assert not late.ok and late.result["rejected"]["code"] == "issue_voided"
    assert late.result["rejected"]["message_en"].startswith("This ticket request was voided")
    assert county.store.last_seq() == seq and waiting(county) == 0
    assert county.issue("SC-0101") == "A001"                          # no number was spent on it
    again = issue_from_kiosk(county, "in-flight")                     # and so for every redelivery
    assert not again.ok and again.result == late.result


def test_given_a_late_check_in_that_was_voided_then_the_appointment_stays_free(county):
    county.do(C.BookAppointment(code="YY7K3M9Q2P", item="SC-0101", day=MORNING.date(),
                                start=MORNING, end=MORNING + timedelta(minutes=30)))
    void_from_kiosk(county, "checkin", "checkin-void")
    late = county.svc.handle(C.CheckIn(code="YY7K3M9Q2P", source=KIOSK), command_id=f"{KIOSK}/checkin",
                             actor=KIOSK, now=county.now)
    assert late.result["rejected"]["code"] == "issue_voided"
    assert county.do(C.CheckIn(code="YY7K3M9Q2P"))["ticket"]["appointment"] is True


def test_given_a_voided_check_in_then_the_citizen_can_check_in_again(county):
    county.do(C.BookAppointment(code="YY7K3M9Q2P", item="SC-0101", day=MORNING.date(),
                                start=MORNING, end=MORNING + timedelta(minutes=30)))
    ghost = county.svc.handle(C.CheckIn(code="YY7K3M9Q2P", source=KIOSK), command_id=f"{KIOSK}/ci",
                              actor=KIOSK, now=county.now).result["ticket"]["number"]
    assert county.refused(C.CheckIn(code="YY7K3M9Q2P")) == "appointment_used"
    assert void_from_kiosk(county, "ci", "ci-void").result["voided"]["number"] == ghost
    again = county.do(C.CheckIn(code="YY7K3M9Q2P"))["ticket"]
    assert again["appointment"] is True and again["number"] != ghost


def test_given_a_voided_ticket_then_the_resident_and_the_daily_cap_get_their_place_back(county):
    county.do(C.SetDailyCap(item="SC-0101", cap=1))
    issue_from_kiosk(county, "only", id_hash="h-resident")
    assert county.refused(C.IssueTicket(item="SC-0101", id_hash="h-resident")) == "daily_cap_reached"
    void_from_kiosk(county, "only", "only-void")
    summary = next(q for q in queue_summary(county.svc.ctx, county.svc.state, county.now) if q["item"] == "SC-0101")
    assert summary["issued_today"] == 0 and not summary["full"]
    assert county.issue("SC-0101", id_hash="h-resident") == "A002"
    assert county.svc.state.day.id_counts["h-resident"] == 1


def test_given_the_same_void_sent_twice_then_the_second_gets_the_first_answer_and_changes_nothing(county):
    issue_from_kiosk(county, "twice")
    first = void_from_kiosk(county, "twice", "twice-void")
    seq = county.store.last_seq()
    again = void_from_kiosk(county, "twice", "twice-void")
    assert again.duplicate and again.result == first.result and county.store.last_seq() == seq
    # A second VoidIssue under another id (the kiosk restarted) finds it already voided.
    other = void_from_kiosk(county, "twice", "twice-void-2")
    assert other.ok and other.result["voided"]["outcome"] == "already_voided" and other.result["events"] == []
    assert county.store.last_seq() == seq
    # Voiding a tombstone again is as harmless.
    void_from_kiosk(county, "ghost", "ghost-void")
    assert void_from_kiosk(county, "ghost", "ghost-void-2").result["voided"]["outcome"] == "tombstoned"


def test_given_a_void_and_a_tombstone_when_the_server_restarts_then_both_hold(county):
    ghost = issue_from_kiosk(county, "before").result["ticket"]["number"]
    county.issue("SC-0101")
    first = void_from_kiosk(county, "before", "before-void")
    void_from_kiosk(county, "never", "never-void")
    live = state_to_dict(county.svc.state)
    for clean in (True, False):
        hall = county.restart(clean=clean)
        try:
            assert hall.status(ghost) is TicketStatus.VOIDED
            if clean:
                assert state_to_dict(hall.svc.state) == live
            # From the first event, ignoring snapshots: the same queue.
            scratch = apply_all(initial_state(hall.cfg), (e for _, e in hall.store.events()))
            assert state_to_dict(scratch) == state_to_dict(hall.svc.state)
            retried = void_from_kiosk(hall, "before", "before-void")
            assert retried.duplicate and retried.result == first.result
            assert issue_from_kiosk(hall, "never").result["rejected"]["code"] == "issue_voided"
            assert waiting(hall) == 1
        finally:
            county.store, county.svc = hall.store, hall.svc


def test_given_an_issue_by_another_device_then_a_kiosk_cannot_void_it(county):
    issue_from_kiosk(county, "mine")
    out = void_from_kiosk(county, "mine", "theirs-void", actor="kiosk-02")
    assert not out.ok and out.result["rejected"]["code"] == "not_authorized"
    assert waiting(county) == 1


def test_given_an_issue_that_was_refused_then_voiding_it_finds_nothing_to_do(county):
    county.do(C.PauseItem(item="SC-0101"))
    assert not issue_from_kiosk(county, "paused").ok
    out = void_from_kiosk(county, "paused", "paused-void")
    assert out.ok and out.result["voided"] == {"command_id": f"{KIOSK}/paused", "number": None,
                                               "outcome": "nothing_issued"}


def test_given_a_command_that_issues_nothing_then_it_cannot_be_voided(county):
    county.svc.handle(C.CallNext(window=1), command_id=f"{KIOSK}/call", actor=KIOSK, now=county.now)
    out = void_from_kiosk(county, "call", "call-void")
    assert not out.ok and out.result["rejected"]["code"] == "invalid_command"


def test_given_yesterdays_ticket_then_a_void_today_leaves_todays_same_number_alone(county):
    issue_from_kiosk(county, "yesterday")                             # A001 of the 25th
    county.now = MORNING + timedelta(days=1)
    today = county.issue("SC-0101")                                   # A001 of the 26th
    out = void_from_kiosk(county, "yesterday", "yesterday-void")
    assert not out.ok and out.result["rejected"]["code"] == "ticket_not_waiting"
    assert county.status(today) is TicketStatus.WAITING


def test_given_a_voided_ticket_then_the_report_counts_it_as_voided_only(county):
    issue_from_kiosk(county, "ghost")                                 # A001: nobody holds it
    county.issue("SC-0101")                                           # A002: no-show
    county.issue("SC-0101")                                           # A003: still waiting at closing
    void_from_kiosk(county, "ghost", "ghost-void")
    county.call(1)
    county.do(C.MarkNoShow(window=1))
    county.do(C.CloseDay())
    report = build_report(county.cfg, county.store, MORNING.date(), MORNING.date())
    sc = report.tickets["SC-0101"]
    assert (sc.issued, sc.voided, sc.no_shows, sc.closed_unserved, sc.called) == (2, 1, 1, 2, 1)
    assert len(sc.waits) == 1
    assert report.total.opened == 0                                   # and it is no case
    closed = next(e for _, e in county.store.events() if type(e).__name__ == "DayEnded").closed
    assert "A001" not in closed


def test_the_ticket_voided_event_is_stored_with_the_void_command(county):
    issue_from_kiosk(county, "x")
    void_from_kiosk(county, "x", "x-void")
    with county.store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT type, command_id FROM events ORDER BY seq DESC LIMIT 1")).one()
    assert tuple(row) == ("TicketVoided", f"{KIOSK}/x-void")
    assert isinstance(list(county.store.events(types=["TicketVoided"]))[0][1], TicketVoided)


PG = postgres_url()


@pytest.mark.skipif(PG is None, reason="no PostgreSQL reachable (set YIMEN_TEST_PG)")
def test_given_a_county_on_postgresql_then_a_void_and_a_tombstone_survive_a_restart(county_config_path: Path):
    base = load(county_config_path)
    hall_id = f"pg-{uuid.uuid4().hex[:8]}"
    cfg = base.model_copy(update={"hall": base.hall.model_copy(update={"id": hall_id})})

    def start() -> tuple[EventStore, HallService]:
        store = EventStore(PG, hall_id)
        svc = HallService(cfg, store)
        svc.start(MORNING)
        return store, svc

    store, svc = start()
    try:
        ghost = svc.handle(C.IssueTicket(item="SC-0101", source=KIOSK), command_id=f"{KIOSK}/a", actor=KIOSK,
                           now=MORNING).result["ticket"]["number"]
        assert svc.handle(C.VoidIssue(command_id=f"{KIOSK}/a"), command_id=f"{KIOSK}/a-void", actor=KIOSK,
                          now=MORNING).ok
        assert svc.handle(C.VoidIssue(command_id=f"{KIOSK}/b"), command_id=f"{KIOSK}/b-void", actor=KIOSK,
                          now=MORNING).ok
        svc.stop()
        store.close()
        store, svc = start()
        assert svc.state.ticket(ghost).status is TicketStatus.VOIDED
        late = svc.handle(C.IssueTicket(item="SC-0101", source=KIOSK), command_id=f"{KIOSK}/b", actor=KIOSK,
                          now=MORNING)
        assert late.result["rejected"]["code"] == "issue_voided"
        assert window_view(svc.ctx, svc.state, 1)["waiting_here"] == 0
        svc.stop()
    finally:
        forget_hall(store, hall_id)
