"""Cases inside the hall: a served ticket opens a case through the same one writer."""

from __future__ import annotations

from queue_server.cases import commands as CC
from queue_server.cases.model import CaseStatus
from queue_server.engine import commands as C


def test_given_window_1_serving_A001_when_the_clerk_opens_a_case_then_it_carries_the_ticket_and_hash(county):
    n = county.issue("SC-0101", id_hash="h:resident-7")
    county.call(1)
    county.do(C.StartService(window=1))
    res = county.do(CC.OpenCase(item="SC-0101", applicant_name="张三丰", by="王建国", window=1, ticket=n,
                                received=("食品经营许可申请书", "营业执照复印件")))
    opened = res["events"][0]
    assert opened["type"] == "CaseOpened"
    assert opened["case"] == "XC01-20261125-0001"
    assert opened["applicant"] != "张三丰" and opened["applicant"].startswith("张")
    case = county.svc.cases.cases[opened["case"]]
    assert case.id_hash == "h:resident-7"
    # Three materials were missing: the one-time notice was given at once, clock stopped.
    assert res["events"][1]["type"] == "MaterialsRequested"
    assert case.status is CaseStatus.AWAITING_MATERIALS


def test_a_case_can_only_be_opened_for_the_ticket_at_that_window(county):
    n = county.issue("SC-0101")
    out = county.send(CC.OpenCase(item="SC-0101", applicant_name="李四", by="王建国", window=1, ticket=n))
    assert not out.ok and out.result["rejected"]["code"] == "ticket_not_at_window"
    county.call(1)
    out = county.send(CC.OpenCase(item="SC-0101", applicant_name="李四", by="周强", window=9, ticket=n))
    assert out.result["rejected"]["code"] == "ticket_not_at_window"


def test_consultations_and_withdrawn_items_open_no_case(county):
    for item, code in (("SF-0302", "not_an_application"), ("SC-0199", "item_withdrawn")):
        out = county.send(CC.OpenCase(item=item, applicant_name="王五", by="张海峰", window=3))
        assert out.result["rejected"]["code"] == code


def test_cases_and_a_bad_ratings_follow_up_survive_a_restart(county):
    res = county.do(CC.OpenCase(item="RS-0401", applicant_name="赵六", by="刘芳", window=4,
                                received=("本人身份证", "近期免冠照片一张")))
    number = res["events"][0]["case"]
    county.do(CC.StartProcessing(case=number, by="刘芳"))
    county.do(CC.CompleteCase(case=number, approved=True, by="刘芳"))
    county.do(CC.RateCase(case=number, level="very_dissatisfied", comment="等太久", source="rating-04"))
    assert county.svc.cases.cases[number].rating.follow_up is not None
    hall = county.restart(clean=False)
    try:
        case = hall.svc.cases.cases[number]
        assert case.status is CaseStatus.COMPLETED
        assert case.rating is not None and case.rating.follow_up is not None
        # Case numbers continue; queue numbers are not disturbed by case events.
        res2 = hall.do(CC.OpenCase(item="RS-0401", applicant_name="钱七", by="刘芳", window=4,
                                   received=("本人身份证", "近期免冠照片一张")))
        assert res2["events"][0]["case"] == "XC01-20261125-0002"
    finally:
        hall.close()


def test_a_retried_case_command_opens_one_case(county):
    cmd = CC.OpenCase(item="RS-0401", applicant_name="孙八", by="刘芳", window=4)
    a = county.send(cmd, command_id="clerk-04:77")
    b = county.send(cmd, command_id="clerk-04:77")
    assert b.duplicate and a.result == b.result
    assert len(county.svc.cases.cases) == 1


def test_a_rating_pad_rates_a_consultation_on_its_ticket_once(county):
    n = county.issue("SF-0302")                       # legal consultation: no case
    assert county.serve(3) == n
    assert county.display(3)["last_finished"]["number"] == n
    county.do(C.RateService(window=3, number=n, level="satisfied"))
    assert county.svc.state.ticket(n).rating == "satisfied"
    assert county.refused(C.RateService(window=3, number=n, level="basic")) == "already_rated"
    assert county.refused(C.RateService(window=9, number=n, level="basic")) == "not_served_here"
    assert county.refused(C.RateService(window=3, number=n, level="great")) == "invalid_command"


def test_when_the_ticket_opened_a_case_the_rating_goes_on_the_case_and_a_bad_one_opens_a_follow_up(county):
    n = county.issue("RS-0401")
    county.call(4)
    county.do(C.StartService(window=4))
    case = county.do(CC.OpenCase(item="RS-0401", applicant_name="周九", by="刘芳", window=4, ticket=n,
                                 received=("本人身份证", "近期免冠照片一张")))["events"][0]["case"]
    county.do(C.FinishService(window=4))
    assert county.svc.case_for_ticket(n) == case
    res = county.do(C.RateService(window=4, number=n, level="dissatisfied", attitude=2))
    assert res["events"][0]["type"] == "CaseRated"
    rating = county.svc.cases.cases[case].rating
    assert rating.level == "dissatisfied" and rating.follow_up is not None
    assert county.refused(C.RateService(window=4, number=n, level="satisfied")) == "already_rated"
