"""The queue in the hall's words: given / when / then, on both sample halls."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from queue_server.engine import commands as C
from queue_server.engine.model import TicketStatus, WindowStatus
from queue_server.engine.rejections import MESSAGES, RejectionCode

from .halls import MORNING, TZ, ScenarioHall, load

# ---------------------------------------------------------------- numbering


def test_given_a_county_hall_when_three_food_licence_tickets_are_issued_then_they_are_A001_to_A003(county):
    assert [county.issue("SC-0101") for _ in range(3)] == ["A001", "A002", "A003"]


def test_items_sharing_a_prefix_share_one_counter_so_no_number_repeats(county):
    # SC-0101 and SC-0102 both print as "A"
    assert county.issue("SC-0101") == "A001"
    assert county.issue("SC-0102") == "A002"
    assert county.issue("WS-0201") == "B001"
    assert county.issue("SC-0103") == "A003"


def test_numbers_continue_after_a_clean_restart_on_the_same_business_day(county):
    county.issue("SC-0101")
    county.issue("SC-0101")
    hall = county.restart()
    try:
        assert hall.issue("SC-0101") == "A003"
    finally:
        hall.close()


def test_numbers_restart_at_001_on_the_next_business_day_and_yesterdays_waiting_tickets_are_closed(county):
    a1 = county.issue("SC-0101")
    county.issue("SC-0101")
    county.now = MORNING + timedelta(days=1)
    assert county.issue("SC-0101") == "A001"
    yesterday = county.svc.store  # the closed tickets are recorded as events
    closed = [e for _, e in yesterday.events() if type(e).__name__ == "DayEnded"]
    assert closed and a1 in closed[0].closed and closed[0].reason == "business_day_ended"


def test_the_business_day_follows_the_hall_clock_not_utc(county):
    # 17:20 in the hall is 09:20 UTC; 00:30 next day in the hall is still the previous day in UTC.
    county.now = datetime(2026, 11, 25, 17, 20, tzinfo=TZ)
    county.issue("SC-0101")
    county.now = datetime(2026, 11, 26, 8, 45, tzinfo=TZ)
    county.cfg  # unchanged
    hall_day = county.ticket_reply("SC-0101")
    assert hall_day["business_day"] == "2026-11-26" and hall_day["number"] == "A001"


def test_a_clock_that_jumps_back_a_day_never_reopens_used_numbers(county):
    county.issue("SC-0101")
    county.issue("SC-0101")
    county.now = MORNING - timedelta(days=1)        # the box's clock lost a day
    assert county.issue("SC-0101") == "A003"
    assert county.svc.state.day.business_day == MORNING.date()


def test_an_unclean_shutdown_moves_todays_counters_past_possibly_printed_numbers(county):
    county.issue("SC-0101")                       # A001
    hall = county.restart(clean=False)            # power cut: no clean stop recorded
    try:
        assert hall.report.unclean
        margin = hall.cfg.rules.unclean_shutdown_margin
        assert hall.issue("SC-0101") == f"A{1 + margin + 1:03d}"
        assert hall.issue("WS-0201") == f"B{margin + 1:03d}"
    finally:
        hall.close()


# ---------------------------------------------------------------- calling order


def test_a_window_calls_its_items_in_its_priority_order(county):
    later_item = county.issue("SC-0103")   # window 1's third item, issued first
    first_item = county.issue("SC-0101")   # window 1's first item, issued later
    assert county.call(1) == first_item
    county.do(C.FinishService(window=1))
    assert county.call(1) == later_item


def test_a_general_window_takes_any_item_oldest_first(county):
    first = county.issue("GA-0901")
    county.issue("SC-0101")
    assert county.call(14) == first


def test_one_ticket_is_never_called_at_two_windows(county):
    only = county.issue("SC-0101")
    assert county.call(1) == only
    assert county.refused(C.CallNext(window=13)) == "queue_empty"
    assert county.refused(C.CallTicket(window=13, number=only)) == "ticket_not_waiting"


def test_a_window_that_does_not_serve_an_item_cannot_call_it_out_of_order(county):
    n = county.issue("SC-0101")
    assert county.refused(C.CallTicket(window=9, number=n)) == "item_not_at_window"
    county.do(C.CallTicket(window=13, number=n))
    assert county.display(13)["current"] == n


def test_given_elderly_priority_when_window_calls_then_the_green_channel_goes_first(county):
    county.issue("SC-0101")
    county.issue("SC-0101")
    elderly = county.issue("SC-0101", priority="elderly")
    assert county.call(1) == elderly


def test_the_green_channel_never_starves_walk_ins(county):
    """After `priority_burst` (3) priority calls in a row, the oldest walk-in goes next."""
    walk_in = county.issue("SC-0101")
    prio = [county.issue("SC-0101", priority="elderly") for _ in range(5)]
    order = [county.serve(1) for _ in range(6)]
    assert order[:3] == prio[:3]
    assert order[3] == walk_in
    assert order[4:] == prio[3:5]


def test_a_booked_citizen_checking_in_within_the_slot_goes_ahead_of_walk_ins(county):
    county.do(C.BookAppointment(code="YY7K3M9Q2P", item="SC-0101", day=MORNING.date(),
                                start=MORNING, end=MORNING + timedelta(minutes=30)))
    county.issue("SC-0101")
    county.issue("SC-0101")
    appt = county.do(C.CheckIn(code="YY7K3M9Q2P"))["ticket"]
    assert appt["appointment"] is True
    assert county.call(1) == appt["number"]
    assert county.refused(C.CheckIn(code="YY7K3M9Q2P")) == "appointment_used"


def test_appointment_check_in_edge_cases(county):
    slot = MORNING + timedelta(hours=2)
    county.do(C.BookAppointment(code="EARLY", item="SC-0101", day=MORNING.date(), start=slot, end=slot + timedelta(minutes=30)))
    county.do(C.BookAppointment(code="LATE", item="SC-0101", day=MORNING.date(),
                                start=MORNING - timedelta(hours=1), end=MORNING - timedelta(minutes=30)))
    county.do(C.BookAppointment(code="TOMORROW", item="SC-0101", day=MORNING.date() + timedelta(days=1),
                                start=slot + timedelta(days=1), end=slot + timedelta(days=1, minutes=30)))
    assert county.refused(C.CheckIn(code="EARLY")) == "appointment_too_early"
    assert county.refused(C.CheckIn(code="TOMORROW")) == "appointment_wrong_day"
    assert county.refused(C.CheckIn(code="NOPE")) == "unknown_appointment"
    walk_in = county.issue("SC-0101")
    late = county.do(C.CheckIn(code="LATE"))["ticket"]
    assert late["appointment"] is False          # missed slot: served as a walk-in
    assert county.call(1) == walk_in


# ---------------------------------------------------------------- clerk actions


def test_recall_repeats_the_call_until_the_limit(county):
    county.issue("SC-0101")
    county.call(1)
    for _ in range(county.cfg.rules.recall_limit):
        county.do(C.Recall(window=1))
    assert county.refused(C.Recall(window=1)) == "recall_limit_reached"


def test_a_no_show_leaves_the_queue_and_can_be_reinstated_within_the_limit(county):
    n = county.issue("SC-0101")
    other = county.issue("SC-0101")
    county.call(1)
    county.do(C.MarkNoShow(window=1))
    assert county.status(n) is TicketStatus.NO_SHOW
    assert county.display(1)["current"] is None
    county.later(minutes=10)
    county.do(C.Reinstate(number=n))
    assert county.call(1) == n          # keeps its place: ahead of later arrivals
    county.do(C.MarkNoShow(window=1))
    county.later(minutes=county.cfg.rules.reinstate_minutes + 1)
    assert county.refused(C.Reinstate(number=n)) == "reinstate_expired"
    assert county.call(1) == other


def test_transfer_to_another_item_goes_to_the_front_of_that_queue_by_default(county):
    county.issue("SC-0102")
    county.issue("SC-0102")
    n = county.issue("SC-0101")
    assert county.call(1) == n
    county.do(C.StartService(window=1))
    county.do(C.Transfer(window=1, to_item="SC-0102"))
    assert county.status(n) is TicketStatus.WAITING
    assert county.call(1) == n          # front of SC-0102 (hall rule: front)


def test_transfer_keeping_its_place_goes_behind_earlier_arrivals(county):
    first = county.issue("SC-0102")
    n = county.issue("SC-0101")
    county.do(C.CallTicket(window=1, number=n))
    county.do(C.Transfer(window=1, to_item="SC-0102", position="keep"))
    assert county.call(1) == first


def test_transfer_to_a_window_only_that_window_may_call_it(county):
    n = county.issue("SC-0101")
    county.call(1)
    county.do(C.Transfer(window=1, to_window=13))
    assert county.refused(C.CallNext(window=1)) == "queue_empty"
    assert county.call(13) == n
    assert county.refused(C.Transfer(window=13, to_window=13)) == "same_target"
    assert county.refused(C.Transfer(window=13, to_window=9)) == "item_not_at_window"


def test_hold_and_resume_lets_the_clerk_serve_someone_else_meanwhile(county):
    fetching = county.issue("SC-0101")
    nxt = county.issue("SC-0101")
    county.call(1)
    county.do(C.StartService(window=1))
    county.do(C.Hold(window=1))
    assert county.display(1)["held"] == [fetching]
    assert county.serve(1) == nxt
    county.do(C.Resume(window=1, number=fetching))
    assert county.display(1)["current"] == fetching
    assert county.status(fetching) is TicketStatus.SERVING
    assert county.refused(C.Resume(window=2, number=fetching)) == "not_held"


def test_a_citizen_with_three_matters_queues_once(county):
    n = county.issue("SC-0101", more_items=("WS-0201", "RS-0401"))
    county.issue("WS-0201")
    county.issue("WS-0201")
    assert county.serve(1) == n
    assert county.status(n) is TicketStatus.WAITING
    assert county.call(2) == n                       # keeps its rank: ahead of later WS tickets
    county.do(C.FinishService(window=2))
    assert county.serve(4) == n
    assert county.status(n) is TicketStatus.DONE


def test_a_clerk_adds_another_item_to_the_visit(county):
    n = county.issue("SC-0101")
    county.call(1)
    county.do(C.AddItem(window=1, item="WS-0201"))
    assert county.refused(C.AddItem(window=1, item="WS-0201")) == "item_already_in_visit"
    assert county.refused(C.AddItem(window=1, item="SC-0199")) == "item_withdrawn"
    county.do(C.FinishService(window=1))
    assert county.call(2) == n


def test_calling_while_a_ticket_is_at_the_window_is_refused(county):
    county.issue("SC-0101")
    county.issue("SC-0101")
    county.call(1)
    assert county.refused(C.CallNext(window=1)) == "window_busy"
    assert county.refused(C.CloseWindow(window=1)) == "window_busy"


def test_actions_on_an_empty_window_are_refused_with_a_code(county):
    for cmd in (C.Recall(window=3), C.MarkNoShow(window=3), C.StartService(window=3),
                C.FinishService(window=3), C.Hold(window=3), C.Transfer(window=3, to_item="SF-0302")):
        assert county.refused(cmd) == "no_current_ticket"
    assert county.refused(C.CallNext(window=3)) == "queue_empty"
    assert county.refused(C.CallNext(window=77)) == "unknown_window"
    assert county.refused(C.Reinstate(number="Z999")) == "ticket_not_found"


# ---------------------------------------------------------------- windows and managers


def test_windows_open_pause_and_close(county):
    county.issue("SC-0101")
    county.do(C.PauseWindow(window=1))
    assert county.refused(C.CallNext(window=1)) == "window_paused"
    county.do(C.CloseWindow(window=1))
    assert county.svc.state.windows[1].status is WindowStatus.CLOSED
    assert county.refused(C.CallNext(window=1)) == "window_closed"
    county.do(C.OpenWindow(window=1, clerk="王建国"))
    assert county.display(1)["clerk"] == "王建国"
    assert county.call(1) == "A001"


def test_a_manager_moves_an_item_to_another_window_effective_from_the_next_call(county):
    n = county.issue("GA-0901")
    assert county.refused(C.CallNext(window=3)) == "queue_empty"
    county.do(C.AssignItems(window=3, items=("GA-0901", "SF-0301", "SF-0302")))
    assert county.call(3) == n
    assert county.refused(C.AssignItems(window=3, items=("XX-0000",))) == "unknown_item"
    assert county.refused(C.AssignItems(window=3, items=())) == "invalid_command"


def test_a_manager_reorders_a_windows_priority_live(county):
    a = county.issue("SC-0101")
    c = county.issue("SC-0103")
    county.do(C.AssignItems(window=1, items=("SC-0103", "SC-0101", "SC-0102")))
    assert county.call(1) == c
    county.do(C.FinishService(window=1))
    assert county.call(1) == a


# ---------------------------------------------------------------- issuing rules


def test_an_item_at_its_daily_cap_is_full_today(county):
    county.do(C.SetDailyCap(item="SC-0101", cap=2))
    county.issue("SC-0101")
    county.issue("SC-0101")
    assert county.refused(C.IssueTicket(item="SC-0101")) == "daily_cap_reached"
    county.do(C.SetDailyCap(item="SC-0101", cap=None))
    assert county.issue("SC-0101") == "A003"


def test_the_per_id_limit_and_already_queuing(township):
    me = "h:resident-1"
    township.issue("MZ-0701", id_hash=me)
    assert township.refused(C.IssueTicket(item="MZ-0701", id_hash=me)) == "already_queuing"
    township.issue("YB-0501", id_hash=me)
    township.issue("NM-1103", id_hash=me)
    assert township.refused(C.IssueTicket(item="WS-0203", id_hash=me)) == "id_limit_reached"
    assert township.issue("WS-0203", id_hash="h:someone-else").startswith("C")


def test_a_withdrawn_item_is_refused_and_unknown_items_too(county):
    assert county.refused(C.IssueTicket(item="SC-0199")) == "item_withdrawn"
    assert county.refused(C.IssueTicket(item="XX-9999")) == "unknown_item"
    assert county.refused(C.IssueTicket(item="SC-0101", priority="vip")) == "unknown_priority_class"


def test_a_paused_item_issues_nothing_until_resumed(county):
    county.do(C.PauseItem(item="YB-0501"))
    assert county.refused(C.IssueTicket(item="YB-0501")) == "item_paused"
    county.do(C.ResumeItem(item="YB-0501"))
    assert county.issue("YB-0501") == "E001"


@pytest.mark.parametrize("when, why", [
    (datetime(2026, 11, 25, 12, 30, tzinfo=TZ), "lunch break"),
    (datetime(2026, 11, 25, 7, 59, tzinfo=TZ), "before opening"),
    (datetime(2026, 11, 29, 10, 0, tzinfo=TZ), "Sunday"),
    (datetime(2026, 10, 2, 10, 0, tzinfo=TZ), "National Day holiday"),
])
def test_issuing_outside_business_hours_is_refused(county, when, why):
    county.now = when
    assert county.refused(C.IssueTicket(item="SC-0101")) == "outside_business_hours", why


def test_issuing_outside_hours_can_be_allowed_by_the_hall(tmp_path: Path, county_config_path: Path):
    hall = ScenarioHall(load(county_config_path, issue_outside_hours=True), tmp_path,
                        now=datetime(2026, 11, 29, 10, 0, tzinfo=TZ))
    try:
        assert hall.issue("SC-0101") == "A001"
    finally:
        hall.close()


def test_a_make_up_workday_on_a_weekend_opens_the_hall(county):
    # Sunday 2026-09-20 is a make-up workday (调休) before the National Day holiday.
    county.now = datetime(2026, 9, 20, 10, 0, tzinfo=TZ)
    assert county.issue("SC-0101") == "A001"


# ---------------------------------------------------------------- estimate and day end


def test_each_ticket_gets_people_ahead_and_a_wait_range(county):
    first = county.ticket_reply("WS-0201")
    assert first["people_ahead"] == 0
    for _ in range(8):
        county.issue("WS-0201")
    t = county.ticket_reply("WS-0201")
    # 9 ahead, 3 windows (2, 13, 14) at 5 minutes each: point (9+1)*5/3 = 16.7 min, spread 1/sqrt(10)
    assert t["people_ahead"] == 9
    assert t["wait_minutes"] == [11, 22]
    assert t["wait_minutes"][0] < t["wait_minutes"][1]


def test_closing_the_business_day_closes_every_unserved_ticket_with_a_reason(county):
    waiting = county.issue("SC-0101")
    called = county.issue("SC-0101")
    county.do(C.CallTicket(window=1, number=called))
    county.do(C.CloseDay())
    for n in (waiting, called):
        t = county.svc.state.ticket(n)
        assert t.status is TicketStatus.CLOSED and t.closed_reason == "business_day_ended"
    assert county.display(1)["current"] is None


def test_the_server_clock_closes_the_day_after_the_last_period(county):
    n = county.issue("SC-0101")
    county.svc.tick(datetime(2026, 11, 25, 17, 0, tzinfo=TZ))
    assert county.status(n) is TicketStatus.WAITING
    county.svc.tick(datetime(2026, 11, 25, 17, 31, tzinfo=TZ))
    assert county.status(n) is TicketStatus.CLOSED


def test_every_refusal_code_speaks_chinese_and_english():
    for code in RejectionCode:
        zh, en = MESSAGES[code]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
        assert en and en.isascii(), code


# ---------------------------------------------------------------- township hall


def test_township_delegated_items_are_served_at_the_delegated_window(township):
    n = township.issue("NM-1103")
    assert n == "C001"
    assert township.call(2) == n


def test_township_general_window_serves_civil_affairs_when_window_3_is_closed(township):
    township.do(C.CloseWindow(window=3))
    n = township.issue("MZ-0702")
    assert township.refused(C.CallNext(window=3)) == "window_closed"
    assert township.call(1) == n


def test_the_ticket_qr_payload_is_ascii_and_reads_back_as_this_ticket(county):
    from devices.codes import parse_ticket_payload

    t = county.ticket_reply("SC-0101")
    assert t["qr"].isascii()
    ref = parse_ticket_payload(t["qr"])
    assert ref is not None and ref.ticket_number == t["number"] and ref.hall_id == "county"
    assert ref.business_day.isoformat() == "2026-11-25" and ref.token == "t093000"
