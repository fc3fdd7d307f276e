"""A case from intake to delivery: numbers, the one-time notice, forwarding, decisions,
and who did what when.  Privacy: no plain ID number ever reaches an event."""

from __future__ import annotations

from queue_server.cases import (
    CompleteCase, DeliverResult, ForwardCase, OpenCase, RequestMaterials, ReturnCase,
    StartProcessing, SupplyMaterials, WithdrawCase, contains_plain_id, mask_name,
)
from queue_server.cases.rejections import CaseRejectionCode as R
from queue_server.cases.views import one_time_notice

from .desk import ADVICE, DIBAO, FOOD, FOOD_MATERIALS, MEDICAL, OLD_ITEM, CaseDesk, d, hall_config

DIBAO_PAPERS = ("低保申请书", "户口簿", "身份证", "家庭收入及财产状况说明")
# A made-up number with a valid check digit (GB 11643).
PLAIN_ID = "11010519491231002X"


def food(ticket: str | None = "A012", received: tuple[str, ...] = tuple(FOOD_MATERIALS), **kw: object) -> OpenCase:
    fields: dict[str, object] = {"applicant_name": "张三丰", "by": "clerk-wang", "window": 1, **kw}
    return OpenCase(item=FOOD, ticket=ticket, received=received, **fields)  # type: ignore[arg-type]


def test_case_numbers_are_hall_code_date_and_sequence_and_unique_across_halls() -> None:
    xc, cg = CaseDesk(hall_config("XC01", "xc-town")), CaseDesk(hall_config("CG02", "cg-town"))
    first = xc.do(food("A001"), "2026-11-25")[0].case  # type: ignore[attr-defined]
    second = xc.do(food("A002"), "2026-11-25")[0].case  # type: ignore[attr-defined]
    next_day = xc.do(food("A001"), "2026-11-26")[0].case  # type: ignore[attr-defined]
    other_hall = cg.do(food("A001"), "2026-11-25")[0].case  # type: ignore[attr-defined]
    assert (first, second, next_day) == ("XC01-20261125-0001", "XC01-20261125-0002", "XC01-20261126-0001")
    assert other_hall == "CG02-20261125-0001" != first


def test_a_served_ticket_opens_one_case_per_item(desk: CaseDesk) -> None:
    number = desk.do(food("A012"), "2026-11-25")[0].case  # type: ignore[attr-defined]
    assert desk.refuse(food("A012"), "2026-11-25") is R.CASE_EXISTS
    # The same ticket number tomorrow is a different citizen.
    assert desk.do(food("A012"), "2026-11-26")[0].case != number  # type: ignore[attr-defined]


def test_what_the_case_records_at_intake(desk: CaseDesk) -> None:
    number = desk.do(food(id_hash="h:abc123"), "2026-11-25")[0].case  # type: ignore[attr-defined]
    case = desk.case(number)
    assert (case.item, case.item_version, case.category, case.window, case.clerk, case.ticket) == (
        FOOD, 3, "market", 1, "clerk-wang", "A012")
    assert case.applicant == "张*丰" and case.id_hash == "h:abc123" and case.id_ciphertext is None
    assert case.materials == tuple(FOOD_MATERIALS) and case.missing == ()
    assert case.status == "accepted" and case.accepted_day == d("2026-11-25")
    assert case.opened_at.isoformat() == "2026-11-25T10:00:00+08:00"


def test_consultations_and_withdrawn_items_do_not_open_cases(desk: CaseDesk) -> None:
    assert desk.refuse(OpenCase(item=ADVICE, applicant_name="李四", by="clerk")) is R.NOT_AN_APPLICATION
    assert desk.refuse(OpenCase(item=OLD_ITEM, applicant_name="李四", by="clerk")) is R.ITEM_WITHDRAWN
    assert desk.refuse(OpenCase(item="XX-999", applicant_name="李四", by="clerk")) is R.UNKNOWN_ITEM
    assert desk.refuse(food(window=42)) is R.UNKNOWN_WINDOW  # type: ignore[arg-type]
    assert desk.state.cases == {}


def test_the_full_id_number_is_kept_only_encrypted_and_only_where_needed(desk: CaseDesk) -> None:
    medical = OpenCase(item=MEDICAL, applicant_name="赵六", by="clerk", received=("身份证", "医疗费用发票", "出院小结"))
    assert desk.refuse(medical) is R.FULL_ID_REQUIRED
    assert desk.refuse(food(id_ciphertext="enc:v1:Zm9v")) is R.FULL_ID_NOT_NEEDED  # type: ignore[arg-type]
    number = desk.do(OpenCase(item=MEDICAL, applicant_name="赵六", by="clerk", id_ciphertext="enc:v1:q83v",
                              received=medical.received), "2026-11-25")[0].case  # type: ignore[attr-defined]
    assert desk.case(number).id_ciphertext == "enc:v1:q83v"


def test_a_plain_id_number_is_refused_wherever_it_is_typed(desk: CaseDesk) -> None:
    assert desk.refuse(OpenCase(item=FOOD, applicant_name=f"张三 {PLAIN_ID}", by="clerk")) is R.PLAIN_ID_NUMBER
    number = desk.do(food(), "2026-11-25")[0].case  # type: ignore[attr-defined]
    assert desk.refuse(WithdrawCase(case=number, reason=f"申请人{PLAIN_ID}撤回", by="clerk")) is R.PLAIN_ID_NUMBER
    # Phone numbers and ordinary digits pass; so does an 18-digit string with a wrong check digit.
    assert not contains_plain_id("联系电话13800138000，发票号 110105194912310021")
    assert contains_plain_id(PLAIN_ID.lower())
    assert PLAIN_ID not in desk.wire() and PLAIN_ID.lower() not in desk.wire()


def test_names_are_masked_once_and_masking_again_changes_nothing() -> None:
    assert [mask_name(n) for n in ("张三丰", "李四", "欧阳娜娜", "王")] == ["张*丰", "李*", "欧**娜", "王"]
    assert mask_name(mask_name("张三丰")) == "张*丰"


def test_missing_materials_get_one_complete_notice_and_only_one(desk: CaseDesk) -> None:
    have = ("食品经营许可申请书", "营业执照复印件", "食品安全管理制度文本")
    events = desk.do(food(received=have, note="平面图须标明功能区"), "2026-11-25")
    number = events[0].case  # type: ignore[attr-defined]
    assert [type(e).__name__ for e in events] == ["CaseOpened", "MaterialsRequested"]
    notice = one_time_notice(desk.case(number), desk.ctx.cfg)
    assert notice is not None
    assert notice.missing == ("法定代表人身份证明", "经营场所平面图")  # checklist order, nothing else
    assert (notice.item_name, notice.title, notice.supply_by, notice.case) == (
        "食品经营许可证（新办）", "一次性告知书", d("2026-12-02"), number)
    # Partly brought: still waiting, for exactly what is left.
    desk.do(SupplyMaterials(case=number, supplied=("经营场所平面图",), by="clerk-wang"), "2026-11-26")
    assert desk.case(number).status == "awaiting_materials"
    assert desk.case(number).outstanding == ("法定代表人身份证明",)
    assert desk.refuse(SupplyMaterials(case=number, supplied=("营业执照复印件",), by="c")) is R.UNKNOWN_MATERIAL
    desk.do(SupplyMaterials(case=number, supplied=("法定代表人身份证明",), by="clerk-wang"), "2026-11-27")
    case = desk.case(number)
    assert (case.status, case.accepted_day, case.missing) == ("accepted", d("2026-11-27"), ())
    # The one-time notice was given; the examiner cannot come back for more.
    desk.do(StartProcessing(case=number, by="examiner"), "2026-11-30")
    assert desk.refuse(RequestMaterials(case=number, missing=("营业执照复印件",), by="examiner")) is R.NOTICE_ALREADY_GIVEN


def test_a_notice_during_processing_asks_only_for_listed_materials_and_returns_to_processing(desk: CaseDesk) -> None:
    number = desk.do(food(), "2026-11-25")[0].case  # type: ignore[attr-defined]
    desk.do(StartProcessing(case=number, by="examiner"), "2026-11-25")
    assert desk.refuse(RequestMaterials(case=number, missing=("村委会证明",), by="examiner")) is R.UNKNOWN_MATERIAL
    desk.do(RequestMaterials(case=number, missing=("经营场所平面图",), by="examiner"), "2026-11-26")
    assert desk.case(number).status == "awaiting_materials"
    desk.do(SupplyMaterials(case=number, supplied=("经营场所平面图",), by="clerk-wang"), "2026-11-30")
    assert desk.case(number).status == "processing"
    assert desk.case(number).accepted_day == d("2026-11-25")  # still accepted on intake day


def test_a_delegated_case_goes_to_the_county_and_comes_back_refused_then_posted(desk: CaseDesk) -> None:
    number = desk.do(OpenCase(item=DIBAO, applicant_name="王五", by="clerk-li", window=2, received=DIBAO_PAPERS),
                     "2026-11-25")[0].case  # type: ignore[attr-defined]
    assert desk.case(number).delegated_by == "县民政局"
    desk.do(StartProcessing(case=number, by="clerk-li"), "2026-11-25")
    desk.do(ForwardCase(case=number, department="县民政局", by="clerk-li"), "2026-11-26")
    assert (desk.case(number).status, desk.case(number).department) == ("forwarded", "县民政局")
    desk.do(ReturnCase(case=number, by="county-civil", note="入户调查完成"), "2026-12-03")
    assert desk.refuse(CompleteCase(case=number, approved=False, by="clerk-li")) is R.REASON_REQUIRED
    desk.do(CompleteCase(case=number, approved=False, by="clerk-li", note="家庭人均收入高于当地低保标准"), "2026-12-04")
    assert desk.refuse(DeliverResult(case=number, method="drone", by="clerk-li")) is R.INVALID_COMMAND
    desk.do(DeliverResult(case=number, method="post", by="clerk-li", tracking="EMS1234567890"), "2026-12-07")
    case = desk.case(number)
    assert (case.status, case.approved, case.delivery, case.tracking) == ("delivered", False, "post", "EMS1234567890")
    # Every step, who and when.
    assert [(h.event, h.by, h.at.date().isoformat(), h.status) for h in case.history] == [
        ("CaseOpened", "clerk-li", "2026-11-25", "intake"),
        ("CaseAccepted", "clerk-li", "2026-11-25", "accepted"),
        ("ProcessingStarted", "clerk-li", "2026-11-25", "processing"),
        ("CaseForwarded", "clerk-li", "2026-11-26", "forwarded"),
        ("CaseReturned", "county-civil", "2026-12-03", "processing"),
        ("CaseCompleted", "clerk-li", "2026-12-04", "not_approved"),
        ("ResultDelivered", "clerk-li", "2026-12-07", "delivered"),
    ]


def test_nothing_moves_a_case_along_a_missing_edge(desk: CaseDesk) -> None:
    number = desk.do(food(), "2026-11-25")[0].case  # type: ignore[attr-defined]
    assert desk.refuse(DeliverResult(case=number, method="window", by="c")) is R.WRONG_CASE_STATUS
    assert desk.refuse(ReturnCase(case=number, by="c")) is R.WRONG_CASE_STATUS
    desk.do(CompleteCase(case=number, approved=True, by="clerk-wang"), "2026-11-25")  # 即办: done at once
    assert desk.refuse(WithdrawCase(case=number, reason="不办了", by="c")) is R.WRONG_CASE_STATUS
    desk.do(DeliverResult(case=number, method="window", by="clerk-wang"), "2026-11-25")
    assert desk.refuse(StartProcessing(case=number, by="c")) is R.WRONG_CASE_STATUS
    assert desk.refuse(StartProcessing(case="XC01-20991231-0001", by="c")) is R.UNKNOWN_CASE


def test_a_waiting_case_can_be_withdrawn_and_its_clock_stops_for_good(desk: CaseDesk) -> None:
    number = desk.do(food(received=()), "2026-11-25")[0].case  # type: ignore[attr-defined]
    assert desk.refuse(WithdrawCase(case=number, reason="", by="c")) is R.REASON_REQUIRED
    desk.do(WithdrawCase(case=number, reason="申请人放弃申请", by="clerk-wang"), "2026-12-01")
    case = desk.case(number)
    assert (case.status, case.withdrawn_day, case.stops[-1].end) == ("withdrawn", d("2026-12-01"), d("2026-12-01"))
