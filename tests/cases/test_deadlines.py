"""Deadlines in working days across Spring Festival and National Day 2026, with
make-up workdays, stopped clocks and extensions; 2027 from the hall's overrides."""

from __future__ import annotations

import pytest

from queue_server.cases import (
    DeadlineStatus, ExtendDeadline, OpenCase, ResumeCase, StartProcessing, SupplyMaterials,
    SuspendCase, deadline_status, legal_due, promised_due, working_days_left,
)
from queue_server.cases.rejections import CaseRejectionCode as R
from queue_server.workdays import WorkCalendar

from .desk import DIBAO, FOOD, FOOD_MATERIALS, HEALTH_CERT, CaseDesk, d, hall_config


def open_food(desk: CaseDesk, day: str, received: list[str] | None = None) -> str:
    events = desk.do(OpenCase(item=FOOD, applicant_name="张三丰", by="clerk-wang", window=1,
                              received=tuple(FOOD_MATERIALS if received is None else received)), day)
    return events[0].case  # type: ignore[attr-defined]


def test_the_2026_schedule_is_the_one_the_counts_rely_on() -> None:
    cal = WorkCalendar()
    # Spring Festival: 15-23 Feb off, Saturdays 14 and 28 Feb are make-up workdays.
    assert [cal.is_make_up_workday(d(x)) for x in ("2026-02-14", "2026-02-28")] == [True, True]
    assert not any(cal.is_workday(d(f"2026-02-{n}")) for n in range(15, 24))
    # Mid-Autumn: Friday 25 Sep off.  National Day: 1-7 Oct off, Sun 20 Sep and Sat 10 Oct worked.
    assert cal.is_statutory_holiday(d("2026-09-25"))
    assert not any(cal.is_workday(d(f"2026-10-0{n}")) for n in range(1, 8))
    assert [cal.is_make_up_workday(d(x)) for x in ("2026-09-20", "2026-10-10")] == [True, True]


def test_food_licence_accepted_before_national_day_is_due_after_the_make_up_saturday(desk: CaseDesk) -> None:
    # Given a food licence case accepted on Monday 2026-09-28 with a 10-working-day promise,
    number = open_food(desk, "2026-09-28")
    case = desk.case(number)
    # when National Day passes (29, 30 Sep = 1, 2; 8, 9 Oct = 3, 4; Sat 10 Oct make-up = 5;
    # 12-16 Oct = 6..10), then it is due on Friday 16 October,
    assert promised_due(case, desk.cal, d("2026-09-28")) == d("2026-10-16")
    # and its 20-day legal limit runs on to 19-23 Oct (11..15) and 26-30 Oct (16..20).
    assert legal_due(case, desk.cal, d("2026-09-28")) == d("2026-10-30")


def test_health_certificate_taken_in_before_spring_festival(desk: CaseDesk) -> None:
    # Accepted Wed 2026-02-11 with a 5-day promise: 12, 13 Feb = 1, 2; Sat 14 Feb make-up = 3;
    # the festival; 24, 25 Feb = 4, 5.
    events = desk.do(OpenCase(item=HEALTH_CERT, applicant_name="李四", by="clerk-li", window=2,
                              received=("体检申请表", "身份证")), "2026-02-11")
    case = desk.case(events[0].case)  # type: ignore[attr-defined]
    assert promised_due(case, desk.cal, d("2026-02-11")) == d("2026-02-25")
    # Its 15-day legal limit: 26, 27 Feb = 6, 7; Sat 28 Feb make-up = 8; 2-6 Mar = 9..13; 9, 10 Mar = 14, 15.
    assert legal_due(case, desk.cal, d("2026-02-11")) == d("2026-03-10")


def test_a_dibao_case_spanning_the_whole_spring_festival(desk: CaseDesk) -> None:
    # Accepted Mon 2026-02-02, 20 working days: 3-6 Feb = 1..4, 9-13 Feb = 5..9, Sat 14 = 10,
    # 24-27 Feb = 11..14, Sat 28 = 15, 2-6 Mar = 16..20.
    events = desk.do(OpenCase(item=DIBAO, applicant_name="王五", by="clerk-li", window=2,
                              received=("低保申请书", "户口簿", "身份证", "家庭收入及财产状况说明")), "2026-02-02")
    case = desk.case(events[0].case)  # type: ignore[attr-defined]
    assert promised_due(case, desk.cal, d("2026-02-02")) == d("2026-03-06")


def test_testing_stops_the_clock_and_an_extension_moves_the_deadline(desk: CaseDesk) -> None:
    number = open_food(desk, "2026-09-28")
    desk.do(StartProcessing(case=number, by="clerk-wang"), "2026-09-29")
    # Samples go for testing on Mon 12 Oct and the report comes back Mon 19 Oct:
    # 13, 14, 15, 16 and 19 Oct are not counted, so 16 Oct + 5 working days = Fri 23 Oct.
    desk.do(SuspendCase(case=number, reason="testing", by="clerk-wang", note="抽样送检"), "2026-10-12")
    case = desk.case(number)
    # On the original due day the suspended case is not overdue: its light is frozen.
    assert deadline_status(case, d("2026-10-16"), desk.cal) is DeadlineStatus.OK
    assert working_days_left(case, desk.cal, d("2026-10-12")) == working_days_left(case, desk.cal, d("2026-10-16")) == 4
    desk.do(ResumeCase(case=number, by="clerk-wang"), "2026-10-19")
    assert case.status == "processing"
    assert promised_due(case, desk.cal, d("2026-10-19")) == d("2026-10-23")
    # The director approves 3 more working days on Tue 20 Oct: 26, 27, 28 Oct.
    assert desk.refuse(ExtendDeadline(case=number, days=3, reason=" ", by="director")) is R.REASON_REQUIRED
    desk.do(ExtendDeadline(case=number, days=3, reason="现场核查需补充检测", by="director"), "2026-10-20")
    assert promised_due(case, desk.cal, d("2026-10-20")) == d("2026-10-28")
    assert case.extensions[0].reason == "现场核查需补充检测" and case.extensions[0].by == "director"
    # The legal limit moves with the stop and the extension too: 30 Oct + 5 + 3 = 11 Nov.
    assert legal_due(case, desk.cal, d("2026-10-20")) == d("2026-11-11")
    # Asked about a day before the extension, the deadline is what it was then.
    assert promised_due(case, desk.cal, d("2026-10-19")) == d("2026-10-23")


def test_waiting_for_materials_starts_the_clock_on_the_day_they_arrive(desk: CaseDesk) -> None:
    # Opened Thu 24 Sep without the floor plan; the resident has 5 working days to bring it:
    # 25 Sep is Mid-Autumn, then 28, 29, 30 Sep, 8, 9 Oct -> Fri 9 Oct.
    missing = "经营场所平面图"
    number = open_food(desk, "2026-09-24", [m for m in FOOD_MATERIALS if m != missing])
    case = desk.case(number)
    assert case.status == "awaiting_materials"
    assert case.notice is not None and case.notice.missing == (missing,)
    assert case.notice.supply_by == d("2026-10-09")
    # Waiting does not turn the light yellow or red, however long it lasts.
    assert deadline_status(case, d("2026-12-01"), desk.cal) is DeadlineStatus.OK
    # Brought on Wed 30 Sep: accepted that day, due 10 working days later:
    # 8, 9 Oct = 1, 2; Sat 10 = 3; 12-16 Oct = 4..8; 19, 20 Oct = 9, 10.
    desk.do(SupplyMaterials(case=number, supplied=(missing,), by="clerk-wang"), "2026-09-30")
    assert case.status == "accepted" and case.accepted_day == d("2026-09-30")
    assert promised_due(case, desk.cal, d("2026-09-30")) == d("2026-10-20")


@pytest.mark.parametrize("today, light", [
    ("2026-10-10", DeadlineStatus.OK),      # make-up Saturday: 12-16 Oct still ahead (5)
    ("2026-10-13", DeadlineStatus.OK),      # 3 working days left
    ("2026-10-14", DeadlineStatus.YELLOW),  # 2 left: the warning window
    ("2026-10-16", DeadlineStatus.YELLOW),  # due today
    ("2026-10-17", DeadlineStatus.RED),     # Saturday after: overdue
])
def test_the_board_warns_two_working_days_ahead(desk: CaseDesk, today: str, light: DeadlineStatus) -> None:
    number = open_food(desk, "2026-09-28")
    assert deadline_status(desk.case(number), d(today), desk.cal, warning_days=2) is light


def test_a_wider_warning_window_turns_yellow_earlier(desk: CaseDesk) -> None:
    number = open_food(desk, "2026-09-28")
    assert deadline_status(desk.case(number), d("2026-10-13"), desk.cal, warning_days=3) is DeadlineStatus.YELLOW


def test_2027_comes_from_the_halls_calendar_overrides() -> None:
    # The library stops at 2026.  A hall lists next year's Spring Festival as published:
    # Mon 8 - Fri 12 Feb 2027 off, Saturday 20 Feb worked.
    overrides = {"holidays": [f"2027-02-{n:02d}" for n in range(8, 13)], "workdays": ["2027-02-20"]}
    with_cal = CaseDesk(hall_config(**overrides))
    without = CaseDesk(hall_config())
    for desk in (with_cal, without):
        open_food(desk, "2027-02-03")
    # Accepted Wed 3 Feb 2027: 4, 5 Feb = 1, 2; 15-19 Feb = 3..7; Sat 20 = 8; 22, 23 Feb = 9, 10.
    case = next(iter(with_cal.state.cases.values()))
    assert promised_due(case, with_cal.cal, d("2027-02-03")) == d("2027-02-23")
    # Without the overrides only weekends are skipped, and it would be due on 17 Feb.
    case = next(iter(without.state.cases.values()))
    assert promised_due(case, without.cal, d("2027-02-03")) == d("2027-02-17")


def test_a_case_opened_at_new_year_2027_skips_the_configured_holiday() -> None:
    desk = CaseDesk(hall_config(holidays=["2027-01-01"]))
    # Accepted Mon 28 Dec 2026, 10 days: 29-31 Dec = 1..3; Fri 1 Jan off; 4-8 Jan = 4..8; 11, 12 Jan = 9, 10.
    number = open_food(desk, "2026-12-28")
    assert promised_due(desk.case(number), desk.cal, d("2026-12-28")) == d("2027-01-12")


def test_the_managers_warning_list_puts_overdue_first(desk: CaseDesk) -> None:
    from queue_server.cases.views import warnings
    late = open_food(desk, "2026-09-28")          # due 16 Oct
    soon = open_food(desk, "2026-10-08")          # due 21 Oct
    open_food(desk, "2026-10-16")                 # due 30 Oct: fine on the 19th
    lights = warnings(desk.state, desk.cal, d("2026-10-19"))
    assert [(w.case, w.light, w.due) for w in lights] == [
        (late, DeadlineStatus.RED, d("2026-10-16")), (soon, DeadlineStatus.YELLOW, d("2026-10-21"))]
