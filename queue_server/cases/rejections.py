"""The closed set of refusal codes for cases, each with what staff and citizens read.

Codes shared with the queue engine (``unknown_item``, ``item_withdrawn``,
``invalid_command``) keep the same wire value and wording, so a UI translates them once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CaseRejectionCode(StrEnum):
    INVALID_COMMAND = "invalid_command"
    UNKNOWN_ITEM = "unknown_item"
    ITEM_WITHDRAWN = "item_withdrawn"
    NOT_AN_APPLICATION = "not_an_application"
    UNKNOWN_WINDOW = "unknown_window"
    FULL_ID_REQUIRED = "full_id_required"
    FULL_ID_NOT_NEEDED = "full_id_not_needed"
    PLAIN_ID_NUMBER = "plain_id_number"
    CASE_EXISTS = "case_exists"
    UNKNOWN_CASE = "unknown_case"
    WRONG_CASE_STATUS = "wrong_case_status"
    UNKNOWN_MATERIAL = "unknown_material"
    NOTICE_ALREADY_GIVEN = "notice_already_given"
    NOT_AWAITING_MATERIALS = "not_awaiting_materials"
    REASON_REQUIRED = "reason_required"
    UNKNOWN_AGENT = "unknown_agent"
    ALREADY_ENTRUSTED = "already_entrusted"
    TICKET_NOT_AT_WINDOW = "ticket_not_at_window"
    NOT_ENTRUSTED = "not_entrusted"
    PROXY_STEP_OUT_OF_ORDER = "proxy_step_out_of_order"
    PROXY_STEP_TOO_EARLY = "proxy_step_too_early"
    ALREADY_RATED = "already_rated"
    BAD_SCORE = "bad_score"
    NO_FOLLOW_UP = "no_follow_up"
    FOLLOW_UP_NOT_ANSWERED = "follow_up_not_answered"
    FOLLOW_UP_ANSWERED = "follow_up_answered"
    FOLLOW_UP_CLOSED = "follow_up_closed"
    UNKNOWN_FEEDBACK = "unknown_feedback"
    FEEDBACK_REPLIED = "feedback_replied"


C = CaseRejectionCode

MESSAGES: dict[CaseRejectionCode, tuple[str, str]] = {
    C.INVALID_COMMAND: ("指令格式有误", "The command is not valid"),
    C.UNKNOWN_ITEM: ("没有这个事项", "No such service item"),
    C.ITEM_WITHDRAWN: ("该事项已取消，不再受理", "This item has been withdrawn and is no longer offered"),
    C.NOT_AN_APPLICATION: ("咨询类事项不生成办件", "Consultations do not open a case"),
    C.UNKNOWN_WINDOW: ("没有这个窗口", "No such window"),
    C.FULL_ID_REQUIRED: ("该事项需要完整身份证号（加密保存）", "This item needs the full ID number (stored encrypted)"),
    C.FULL_ID_NOT_NEEDED: ("该事项不需要完整身份证号，请勿录入", "This item does not need the full ID number; do not record it"),
    C.PLAIN_ID_NUMBER: ("请勿录入明文身份证号", "Do not enter a plain resident ID number"),
    C.CASE_EXISTS: ("该号的此事项已生成办件", "This ticket already has a case for this item"),
    C.UNKNOWN_CASE: ("没有这个办件", "No such case"),
    C.WRONG_CASE_STATUS: ("办件当前状态不能进行此操作", "The case is not in a state that allows this"),
    C.UNKNOWN_MATERIAL: ("该材料不在事项的申报材料清单中", "That material is not on the item's published checklist"),
    C.NOTICE_ALREADY_GIVEN: ("已一次性告知过补正材料，不得再次要求", "The one-time notice was already given; no second request"),
    C.NOT_AWAITING_MATERIALS: ("办件未在等待补正", "The case is not waiting for materials"),
    C.REASON_REQUIRED: ("请填写原因", "A reason is required"),
    C.UNKNOWN_AGENT: ("没有这个代办员", "No such agent"),
    C.ALREADY_ENTRUSTED: ("该办件已委托代办", "The case is already entrusted to an agent"),
    C.TICKET_NOT_AT_WINDOW: ("该号不在本窗口办理中", "That ticket is not being served at this window"),
    C.NOT_ENTRUSTED: ("该办件未委托代办", "The case is not entrusted to an agent"),
    C.PROXY_STEP_OUT_OF_ORDER: ("代办环节须按顺序进行", "Proxy steps must follow in order"),
    C.PROXY_STEP_TOO_EARLY: ("办件尚未到达该代办环节", "The case has not reached that proxy step yet"),
    C.ALREADY_RATED: ("该办件已评价", "The case has already been rated"),
    C.BAD_SCORE: ("评分须为1至5分", "Scores must be from 1 to 5"),
    C.NO_FOLLOW_UP: ("该办件没有待回访的差评", "The case has no follow-up"),
    C.FOLLOW_UP_NOT_ANSWERED: ("差评尚未答复，不能关闭", "Answer the follow-up before closing it"),
    C.FOLLOW_UP_ANSWERED: ("差评已答复，待关闭", "The follow-up is already answered; close it"),
    C.FOLLOW_UP_CLOSED: ("差评回访已关闭", "The follow-up is already closed"),
    C.UNKNOWN_FEEDBACK: ("没有这条意见或举报", "No such comment or complaint"),
    C.FEEDBACK_REPLIED: ("已答复", "Already replied"),
}


@dataclass(frozen=True)
class Rejected:
    """A refusal: a code from the closed set, both languages, and an optional detail."""

    code: CaseRejectionCode
    message: str
    message_en: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message, "message_en": self.message_en, "detail": self.detail}


def rejection(code: CaseRejectionCode, detail: str = "") -> Rejected:
    zh, en = MESSAGES[code]
    return Rejected(code, zh, en, detail)
