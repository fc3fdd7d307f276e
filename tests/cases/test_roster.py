"""The roster on the hall board: who staffs each window, who answers for it, which
leader sits today — across weekends, holidays and make-up workdays."""

from __future__ import annotations

from queue_server.cases.roster import Roster, RosterChange, Shift, duty_leader, roster_for

from .desk import CaseDesk, d

ROSTER = Roster(
    shifts=(
        Shift(window=1, clerk="小王"),                                   # Mon-Fri
        Shift(window=2, clerk="小李", weekdays=frozenset({0, 1, 2})),    # Mon-Wed
        Shift(window=2, clerk="小陈", weekdays=frozenset({3, 4})),       # Thu-Fri
        Shift(window=3, clerk="小赵", end=d("2026-10-31")),              # leaves at the end of October
    ),
    changes=(RosterChange(day=d("2026-10-09"), window=1, staff=("小周",)),),  # 小王 on leave
    leaders=("镇长张某", "副镇长李某", "副镇长王某"),
    leader_start=d("2026-09-28"),
    leader_changes=((d("2026-10-12"), "党委书记刘某"),),
)


def staff(day: str) -> dict[int, tuple[str, ...]]:
    r = roster_for(CaseDesk().ctx.cfg, ROSTER, CaseDesk().cal, d(day))
    return {w.window: w.staff for w in r.windows}


def test_a_thursday_shows_the_thursday_clerks_and_the_post_responsible() -> None:
    desk = CaseDesk()
    r = roster_for(desk.ctx.cfg, ROSTER, desk.cal, d("2026-09-24"))
    assert r.open and not r.make_up_workday
    assert [(w.window, w.staff, w.responsible, w.responsible_title) for w in r.windows] == [
        (1, ("小王",), "王芳", "市场监管所副所长"),
        (2, ("小陈",), "李强", "民政办主任"),
        (3, ("小赵",), "赵敏", "便民服务中心主任"),
    ]


def test_leaders_take_turns_on_working_days_only() -> None:
    cal = CaseDesk().cal
    # Mon 28 Sep: 张; Tue 29: 李; Wed 30: 王; 1-7 Oct holiday: nobody; Thu 8 Oct: 张 again;
    # Fri 9: 李; make-up Sat 10 Oct takes its turn: 王; Mon 12 Oct: the swap, 刘.
    days = ["2026-09-28", "2026-09-29", "2026-09-30", "2026-10-01", "2026-10-08", "2026-10-09",
            "2026-10-10", "2026-10-11", "2026-10-12", "2026-10-13"]
    assert [duty_leader(ROSTER, cal, d(x)) for x in days] == [
        "镇长张某", "副镇长李某", "副镇长王某", None, "镇长张某", "副镇长李某", "副镇长王某", None,
        "党委书记刘某", "副镇长李某"]


def test_a_make_up_saturday_is_staffed_like_a_monday() -> None:
    desk = CaseDesk()
    r = roster_for(desk.ctx.cfg, ROSTER, desk.cal, d("2026-10-10"))
    assert r.open and r.make_up_workday
    assert staff("2026-10-10") == {1: ("小王",), 2: ("小李",), 3: ("小赵",)}


def test_holidays_close_the_board_and_day_changes_and_end_dates_apply() -> None:
    desk = CaseDesk()
    holiday = roster_for(desk.ctx.cfg, ROSTER, desk.cal, d("2026-10-05"))
    assert (holiday.open, holiday.duty_leader, {w.staff for w in holiday.windows}) == (False, None, {()})
    assert staff("2026-10-09")[1] == ("小周",)
    assert staff("2026-11-02")[3] == ()
