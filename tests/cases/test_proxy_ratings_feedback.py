"""Proxy service through its seven steps; a bad rating answered and closed; comments and
complaints tracked to a reply."""

from __future__ import annotations

from queue_server.cases import (
    AnswerFollowUp, CloseFollowUp, CompleteCase, DeliverResult, EntrustCase, OpenCase,
    RateCase, RecordProxyStep, ReplyFeedback, RouteFeedback, StartProcessing, SubmitFeedback,
    SupplyMaterials,
)
from queue_server.cases.rejections import CaseRejectionCode as R
from queue_server.cases.views import proxy_board

from .desk import DIBAO, FOOD, FOOD_MATERIALS, CaseDesk, d

DIBAO_PAPERS = ("低保申请书", "户口簿", "身份证", "家庭收入及财产状况说明")


def open_dibao(desk: CaseDesk, day: str = "2026-11-02", received: tuple[str, ...] = DIBAO_PAPERS) -> str:
    return desk.do(OpenCase(item=DIBAO, applicant_name="孙大娘", by="agent-he", received=received),
                   day)[0].case  # type: ignore[attr-defined]


def step(desk: CaseDesk, number: str, name: str, day: str, note: str = "") -> None:
    desk.do(RecordProxyStep(case=number, step=name, by="agent-he", note=note), day)


def test_a_village_agent_takes_an_old_womans_dibao_case_through_all_seven_steps(desk: CaseDesk) -> None:
    # Given an elderly resident who cannot travel, whose papers lack the income statement,
    number = open_dibao(desk, received=DIBAO_PAPERS[:3])
    # when she entrusts the case to the village agent, her consent is recorded: who, when, for what,
    desk.do(EntrustCase(case=number, agent="agent-he", consent_by="孙大娘", by="clerk-li"), "2026-11-02")
    proxy = desk.case(number).proxy
    assert proxy is not None
    assert (proxy.agent, proxy.consent_by, proxy.scope, proxy.consent_at.date()) == (
        "agent-he", "孙*娘", "最低生活保障申请", d("2026-11-02"))
    # and the agent cannot report "accepted" before the hall has accepted it.
    assert desk.refuse(RecordProxyStep(case=number, step="accept", by="agent-he")) is R.PROXY_STEP_TOO_EARLY
    assert desk.refuse(RecordProxyStep(case=number, step="process", by="agent-he")) is R.PROXY_STEP_OUT_OF_ORDER
    desk.do(SupplyMaterials(case=number, supplied=("家庭收入及财产状况说明",), by="agent-he"), "2026-11-04")
    step(desk, number, "accept", "2026-11-04")
    desk.do(StartProcessing(case=number, by="clerk-li"), "2026-11-05")
    assert desk.refuse(RecordProxyStep(case=number, step="process", by="agent-he")) is R.PROXY_STEP_TOO_EARLY
    desk.do(CompleteCase(case=number, approved=True, by="clerk-li"), "2026-11-20")
    step(desk, number, "process", "2026-11-20")
    desk.do(DeliverResult(case=number, method="window", by="agent-he"), "2026-11-23")
    step(desk, number, "deliver", "2026-11-23", "送证上门")
    step(desk, number, "archive", "2026-11-24")
    step(desk, number, "report", "2026-11-24")
    # The board shows where it stands before the last step.
    view = proxy_board(desk.state, desk.ctx.cfg, desk.cal, d("2026-11-24"))[0]
    assert (view.agent_name, view.step_name, view.steps_done, view.next_step) == ("何代办", "报告", 6, "follow_up")
    step(desk, number, "follow_up", "2026-11-30", "电话回访，群众满意")
    proxy = desk.case(number).proxy
    assert proxy is not None
    assert [s for s, *_ in proxy.steps] == ["entrust", "accept", "process", "deliver", "archive", "report", "follow_up"]
    assert proxy.steps[-1][1].date() == d("2026-11-30") and proxy.steps[-1][3] == "电话回访，群众满意"
    assert desk.refuse(RecordProxyStep(case=number, step="follow_up", by="agent-he")) is R.PROXY_STEP_OUT_OF_ORDER


def test_entrusting_needs_a_known_agent_and_happens_once(desk: CaseDesk) -> None:
    number = open_dibao(desk)
    assert desk.refuse(EntrustCase(case=number, agent="agent-x", consent_by="孙大娘", by="c")) is R.UNKNOWN_AGENT
    assert desk.refuse(EntrustCase(case=number, agent="agent-he", consent_by=" ", by="c")) is R.INVALID_COMMAND
    desk.do(EntrustCase(case=number, agent="agent-he", consent_by="孙大娘", by="c", scope="低保申请及领证"), "2026-11-02")
    assert desk.refuse(EntrustCase(case=number, agent="agent-liu", consent_by="孙大娘", by="c")) is R.ALREADY_ENTRUSTED
    assert desk.refuse(RecordProxyStep(case=open_dibao(desk), step="accept", by="c")) is R.NOT_ENTRUSTED


def test_the_board_lists_only_proxied_cases_with_their_lights(desk: CaseDesk) -> None:
    a, b = open_dibao(desk, "2026-11-02"), open_dibao(desk, "2026-11-03")
    desk.do(EntrustCase(case=b, agent="agent-liu", consent_by="钱二", by="c"), "2026-11-03")
    # 20 working days from 3 Nov is 1 Dec; on 30 Nov one day is left: yellow.
    board = proxy_board(desk.state, desk.ctx.cfg, desk.cal, d("2026-11-30"))
    assert [(v.case, v.agent, v.light) for v in board] == [(b, "agent-liu", "yellow")]
    assert a not in {v.case for v in board}


def food_case(desk: CaseDesk) -> str:
    return desk.do(OpenCase(item=FOOD, applicant_name="周老板", by="clerk-wang", window=1,
                            received=tuple(FOOD_MATERIALS)), "2026-11-25")[0].case  # type: ignore[attr-defined]


def test_a_bad_rating_opens_a_follow_up_that_must_be_answered_then_closed(desk: CaseDesk) -> None:
    number = food_case(desk)
    assert desk.refuse(RateCase(case=number, level="dissatisfied", attitude=6)) is R.BAD_SCORE
    assert desk.refuse(RateCase(case=number, level="meh")) is R.INVALID_COMMAND
    desk.do(RateCase(case=number, level="dissatisfied", attitude=2, efficiency=1, integrity=5,
                     comment="等了很久", source="pad-w1"), "2026-11-25")
    rating = desk.case(number).rating
    assert rating is not None and rating.follow_up is not None
    # Five working days to answer: 26, 27, 30 Nov, 1, 2 Dec.
    assert (rating.level, rating.efficiency, rating.follow_up.due, rating.follow_up.status) == (
        "dissatisfied", 1, d("2026-12-02"), "open")
    assert desk.refuse(RateCase(case=number, level="very_satisfied")) is R.ALREADY_RATED
    assert desk.refuse(CloseFollowUp(case=number, by="manager")) is R.FOLLOW_UP_NOT_ANSWERED
    desk.do(AnswerFollowUp(case=number, answer="已电话致歉，窗口增派人手", by="manager-zhao"), "2026-11-27")
    assert desk.refuse(AnswerFollowUp(case=number, answer="again", by="m")) is R.FOLLOW_UP_ANSWERED
    desk.do(CloseFollowUp(case=number, by="manager-zhao", note="群众认可整改"), "2026-11-30")
    fu = rating.follow_up
    assert (fu.status, fu.answered_by, fu.answered_on, fu.closed_on) == (
        "closed", "manager-zhao", d("2026-11-27"), d("2026-11-30"))
    assert desk.refuse(CloseFollowUp(case=number, by="m")) is R.FOLLOW_UP_CLOSED


def test_a_good_rating_needs_no_follow_up(desk: CaseDesk) -> None:
    number = food_case(desk)
    desk.do(RateCase(case=number, level="basic"), "2026-11-25")
    rating = desk.case(number).rating
    assert rating is not None and rating.follow_up is None
    assert desk.refuse(AnswerFollowUp(case=number, answer="x", by="m")) is R.NO_FOLLOW_UP


def test_an_anonymous_complaint_from_the_kiosk_is_routed_and_answered(desk: CaseDesk) -> None:
    events = desk.do(SubmitFeedback(kind="complaint", text="3号窗口工作人员态度生硬", source="kiosk",
                                    by="kiosk-1", about_window=3), "2026-11-25")
    entry = events[0].entry  # type: ignore[attr-defined]
    fb = desk.state.feedback[entry]
    assert entry == "XC01-JB-20261125-0001"
    assert (fb.author, fb.status, fb.reply_due) == (None, "received", d("2026-12-02"))
    desk.do(RouteFeedback(entry=entry, to="纪检监察室", by="manager-zhao"), "2026-11-25")
    desk.do(ReplyFeedback(entry=entry, reply="经核实已批评教育，调整岗位", by="纪检监察室"), "2026-11-30")
    assert (fb.status, fb.routed_to, fb.replied_on) == ("replied", ["纪检监察室"], d("2026-11-30"))
    assert desk.refuse(ReplyFeedback(entry=entry, reply="again", by="m")) is R.FEEDBACK_REPLIED
    assert desk.refuse(RouteFeedback(entry=entry, to="x", by="m")) is R.FEEDBACK_REPLIED


def test_a_signed_comment_keeps_the_author_masked_and_gets_its_own_number(desk: CaseDesk) -> None:
    number = food_case(desk)
    desk.do(SubmitFeedback(kind="complaint", text="x", source="clerk", by="clerk-wang"), "2026-11-25")
    events = desk.do(SubmitFeedback(kind="comment", text="建议增加老年人座椅", source="manager", author="陈建国",
                                    contact="138****0000", about_case=number), "2026-11-25")
    fb = desk.state.feedback[events[0].entry]  # type: ignore[attr-defined]
    assert (fb.entry, fb.author, fb.about_case) == ("XC01-YJ-20261125-0001", "陈*国", number)
    assert "陈建国" not in desk.wire()
    assert desk.refuse(SubmitFeedback(kind="comment", text="x", source="sms")) is R.INVALID_COMMAND
    assert desk.refuse(SubmitFeedback(kind="comment", text=" ", source="kiosk")) is R.INVALID_COMMAND
    assert desk.refuse(SubmitFeedback(kind="comment", text="x", source="kiosk", about_case="nope")) is R.UNKNOWN_CASE
