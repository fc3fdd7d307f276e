"""The figures a county reports, checked number by number against a hand count.

The period is October 2026 (National Day 1-7 Oct; Sunday 20 Sep and Saturday 10 Oct are
make-up workdays; Friday 25 Sep is Mid-Autumn).
Promised limits: food licence 10, health certificate 5, dibao 20 working days.

  case  item    accepted  promised due        what happens                        in October
  J     food    15 Sep    29 Sep (Sun 20 in)  completed 8 Oct (late)                    completed, due, late
  E     health  21 Sep    29 Sep              completed 29 Sep; rated 8 Oct       a rating only
  A     food    28 Sep    16 Oct              completed 15 Oct; very satisfied    completed, due, on time
  B     food    29 Sep    19 Oct              completed 21 Oct; dissatisfied      completed, due, late; follow-up
  C     food    8 Oct     21 Oct              proxied; still open on 31 Oct       due, not completed, overdue
  G     food    8 Oct     21 Oct              withdrawn 14 Oct                    not due
  I     food    9 Oct     22 Oct -> 4 Nov     suspended for testing from 19 Oct   not due (clock stopped)
  F     dibao   12 Oct    9 Nov -> 11 Nov     extended 2 days on 20 Oct           not due
  K     health  12 Oct    19 Oct              refused 16 Oct, delivered 19 Oct    completed, due, on time
  D     food    20 Oct    3 Nov               completed 30 Oct (early)            completed, due, on time
  H     food    (opened 26 Oct, papers missing, never brought)                    opened only

  due = completed {J, A, B, K, D} + open with deadline in October {C} = 6
  completion rate = 5 / 6; on-time = {A, K, D} = 3 / 5; overdue on 31 Oct = {C}
"""

from __future__ import annotations

from queue_server.cases import (
    AnswerFollowUp, CloseFollowUp, CompleteCase, DeliverResult, EntrustCase, ExtendDeadline,
    OpenCase, RateCase, ReplyFeedback, StartProcessing, SubmitFeedback, SuspendCase, WithdrawCase,
)
from queue_server.cases.figures import CaseFigures, case_figures, feedback_figures, figures_for

from .desk import DIBAO, FOOD, FOOD_MATERIALS, HEALTH_CERT, CaseDesk, d, hall_config

PAPERS = {FOOD: tuple(FOOD_MATERIALS), HEALTH_CERT: ("体检申请表", "身份证"),
          DIBAO: ("低保申请书", "户口簿", "身份证", "家庭收入及财产状况说明")}
OCT = (d("2026-10-01"), d("2026-10-31"))
SEP = (d("2026-09-01"), d("2026-09-30"))


class October:
    """Runs the table above in date order on one hall, with a second hall alongside."""

    def __init__(self) -> None:
        self.desk = CaseDesk()
        self.other = CaseDesk(hall_config("CG02", "cg-town"))
        self.c: dict[str, str] = {}
        self.fb: dict[str, str] = {}
        self.september: dict[str, CaseFigures] = {}

    def open(self, name: str, item: str, day: str, complete: bool = True) -> None:
        papers = PAPERS[item] if complete else PAPERS[item][:1]
        self.c[name] = self.desk.do(OpenCase(item=item, applicant_name="群众", by="clerk", received=papers),
                                    day)[0].case  # type: ignore[attr-defined]

    def do(self, cmd: object, day: str) -> None:
        self.desk.do(cmd, day)  # type: ignore[arg-type]

    def feedback(self, name: str, kind: str, day: str) -> None:
        self.fb[name] = self.desk.do(SubmitFeedback(kind=kind, text="意见", source="kiosk"),
                                     day)[0].entry  # type: ignore[attr-defined]

    def run(self) -> "October":
        c = self.c
        self.open("J", FOOD, "2026-09-15")
        self.open("E", HEALTH_CERT, "2026-09-21")
        self.open("A", FOOD, "2026-09-28")
        self.open("B", FOOD, "2026-09-29")
        self.do(CompleteCase(case=c["E"], approved=True, by="clerk"), "2026-09-29")
        self.september = case_figures(self.cases(), self.desk.cal, *SEP)
        self.open("C", FOOD, "2026-10-08")
        self.do(EntrustCase(case=c["C"], agent="agent-liu", consent_by="群众", by="clerk"), "2026-10-08")
        self.open("G", FOOD, "2026-10-08")
        self.do(CompleteCase(case=c["J"], approved=True, by="clerk"), "2026-10-08")
        self.do(RateCase(case=c["E"], level="satisfied"), "2026-10-08")
        self.feedback("complaint1", "complaint", "2026-10-08")
        self.open("I", FOOD, "2026-10-09")
        self.open("F", DIBAO, "2026-10-12")
        self.open("K", HEALTH_CERT, "2026-10-12")
        self.feedback("comment1", "comment", "2026-10-12")
        self.do(ReplyFeedback(entry=self.fb["complaint1"], reply="已处理", by="m"), "2026-10-13")
        self.do(WithdrawCase(case=c["G"], reason="申请人撤回", by="clerk"), "2026-10-14")
        self.do(CompleteCase(case=c["A"], approved=True, by="clerk"), "2026-10-15")
        self.do(RateCase(case=c["A"], level="very_satisfied"), "2026-10-15")
        self.do(CompleteCase(case=c["K"], approved=False, by="clerk", note="体检不合格"), "2026-10-16")
        self.do(StartProcessing(case=c["I"], by="clerk"), "2026-10-19")
        self.do(SuspendCase(case=c["I"], reason="testing", by="clerk"), "2026-10-19")
        self.do(DeliverResult(case=c["K"], method="window", by="clerk"), "2026-10-19")
        self.open("D", FOOD, "2026-10-20")
        self.do(ExtendDeadline(case=c["F"], days=2, reason="入户调查", by="director"), "2026-10-20")
        self.do(ReplyFeedback(entry=self.fb["comment1"], reply="已采纳", by="m"), "2026-10-20")
        self.do(CompleteCase(case=c["B"], approved=True, by="clerk"), "2026-10-21")
        self.do(RateCase(case=c["B"], level="dissatisfied"), "2026-10-21")
        self.do(AnswerFollowUp(case=c["B"], answer="已致歉", by="m"), "2026-10-23")
        self.do(CloseFollowUp(case=c["B"], by="m"), "2026-10-26")
        self.open("H", FOOD, "2026-10-26", complete=False)
        self.feedback("complaint2", "complaint", "2026-10-26")
        self.do(CompleteCase(case=c["D"], approved=True, by="clerk"), "2026-10-30")
        self.do(ReplyFeedback(entry=self.fb["complaint2"], reply="已处理", by="m"), "2026-11-03")
        # The other hall: one food case accepted 12 Oct (due 23 Oct), completed 22 Oct.
        n = self.other.do(OpenCase(item=FOOD, applicant_name="群众", by="clerk", received=PAPERS[FOOD]),
                          "2026-10-12")[0].case  # type: ignore[attr-defined]
        self.other.do(CompleteCase(case=n, approved=True, by="clerk"), "2026-10-22")
        return self

    def cases(self) -> list:  # type: ignore[type-arg]
        return list(self.desk.state.cases.values())


def test_the_deadlines_in_the_table_are_what_the_engine_computes() -> None:
    from queue_server.cases import promised_due
    s = October().run()
    got = {k: promised_due(s.desk.case(v), s.desk.cal, d("2026-10-31")) for k, v in s.c.items() if k != "H"}
    assert got == {"J": d("2026-09-29"), "E": d("2026-09-29"), "A": d("2026-10-16"), "B": d("2026-10-19"),
                   "C": d("2026-10-21"), "G": d("2026-10-21"), "I": d("2026-11-04"), "F": d("2026-11-11"),
                   "K": d("2026-10-19"), "D": d("2026-11-03")}


def test_october_for_the_whole_hall() -> None:
    s = October().run()
    f = case_figures(s.cases(), s.desk.cal, *OCT)["all"]
    assert (f.opened, f.accepted, f.proxied, f.withdrawn, f.extended) == (7, 6, 1, 1, 1)
    assert (f.completed, f.approved, f.not_approved, f.on_time, f.due, f.overdue) == (5, 4, 1, 3, 6, 1)
    assert (f.completion_rate, f.on_time_rate) == (5 / 6, 3 / 5)
    assert (f.rated, f.bad_ratings, f.satisfaction_rate) == (3, 1, 2 / 3)
    assert f.ratings == {"very_satisfied": 1, "satisfied": 1, "basic": 0, "dissatisfied": 1, "very_dissatisfied": 0}
    assert (f.follow_ups_answered, f.follow_ups_answered_on_time, f.follow_ups_closed, f.follow_ups_open) == (1, 1, 1, 0)


def test_october_per_category() -> None:
    s = October().run()
    by_cat = case_figures(s.cases(), s.desk.cal, *OCT, by="category")
    market, health, civil = by_cat["market"], by_cat["health"], by_cat["civil"]
    assert (market.opened, market.accepted, market.completed, market.on_time, market.due, market.overdue) == (5, 4, 4, 2, 5, 1)
    assert (market.completion_rate, market.on_time_rate, market.rated, market.bad_ratings) == (4 / 5, 2 / 4, 2, 1)
    assert (health.completed, health.not_approved, health.due, health.completion_rate, health.rated) == (1, 1, 1, 1.0, 1)
    assert (civil.accepted, civil.extended, civil.due, civil.completion_rate) == (1, 1, 0, None)


def test_per_item_and_per_hall() -> None:
    s = October().run()
    cases = s.cases() + list(s.other.state.cases.values())
    by_hall = case_figures(cases, s.desk.cal, *OCT, by="hall")
    assert sorted(by_hall) == ["cg-town", "xc-town"]
    assert (by_hall["cg-town"].completed, by_hall["cg-town"].due, by_hall["cg-town"].on_time) == (1, 1, 1)
    assert by_hall["xc-town"].completion_rate == 5 / 6
    by_item = case_figures(cases, s.desk.cal, *OCT, by="item")
    assert (by_item[FOOD].completed, by_item[FOOD].due) == (5, 6)   # 4 here + 1 there; 5 + 1 there


def test_a_closed_periods_figures_never_change_afterwards() -> None:
    s = October().run()
    sep = case_figures(s.cases(), s.desk.cal, *SEP)
    assert sep == s.september
    # September by hand: E completed 29 Sep; J due 29 Sep (16-18, Sunday 20, 21-24, 28, 29 Sep)
    # and still open on the 30th, so overdue then: 1 of 2 completed.
    f = sep["all"]
    assert (f.completed, f.due, f.completion_rate, f.overdue) == (1, 2, 1 / 2, 1)
    # On its last day a case is due, not yet overdue.
    assert figures_for(s.cases(), s.desk.cal, d("2026-09-01"), d("2026-09-29")).overdue == 0


def test_complaints_answered_per_hall() -> None:
    s = October().run()
    s.other.do(SubmitFeedback(kind="complaint", text="x", source="kiosk"), "2026-10-09")
    entries = list(s.desk.state.feedback.values()) + list(s.other.state.feedback.values())
    f = feedback_figures(entries, *OCT, hall="xc-town")
    assert (f.comments, f.complaints, f.comments_replied, f.complaints_replied) == (1, 2, 1, 1)
    assert (f.complaints_replied_on_time, f.complaints_open, f.complaint_reply_rate) == (1, 1, 1 / 2)
    assert feedback_figures(entries, *OCT).complaints == 3


def test_an_empty_period_has_no_rates_rather_than_zero() -> None:
    f = figures_for([], CaseDesk().cal, *OCT)
    assert (f.due, f.completion_rate, f.on_time_rate, f.satisfaction_rate) == (0, None, None, None)
