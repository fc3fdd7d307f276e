"""The closed set of refusal codes, each with what staff and citizens read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RejectionCode(StrEnum):
    INVALID_COMMAND = "invalid_command"
    NOT_AUTHORIZED = "not_authorized"
    UNKNOWN_ITEM = "unknown_item"
    ITEM_WITHDRAWN = "item_withdrawn"
    ITEM_PAUSED = "item_paused"
    DAILY_CAP_REACHED = "daily_cap_reached"
    ID_LIMIT_REACHED = "id_limit_reached"
    ALREADY_QUEUING = "already_queuing"
    OUTSIDE_BUSINESS_HOURS = "outside_business_hours"
    UNKNOWN_PRIORITY_CLASS = "unknown_priority_class"
    UNKNOWN_WINDOW = "unknown_window"
    WINDOW_CLOSED = "window_closed"
    WINDOW_PAUSED = "window_paused"
    WINDOW_BUSY = "window_busy"
    QUEUE_EMPTY = "queue_empty"
    NO_CURRENT_TICKET = "no_current_ticket"
    TICKET_NOT_FOUND = "ticket_not_found"
    TICKET_NOT_WAITING = "ticket_not_waiting"
    ITEM_NOT_AT_WINDOW = "item_not_at_window"
    ALREADY_STARTED = "already_started"
    NOT_STARTED = "not_started"
    RECALL_LIMIT_REACHED = "recall_limit_reached"
    REINSTATE_EXPIRED = "reinstate_expired"
    NOT_HELD = "not_held"
    SAME_TARGET = "same_target"
    ITEM_ALREADY_IN_VISIT = "item_already_in_visit"
    UNKNOWN_APPOINTMENT = "unknown_appointment"
    APPOINTMENT_USED = "appointment_used"
    APPOINTMENT_TOO_EARLY = "appointment_too_early"
    APPOINTMENT_WRONG_DAY = "appointment_wrong_day"
    APPOINTMENT_EXISTS = "appointment_exists"
    DUPLICATE_COMMAND = "duplicate_command"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    ALREADY_RATED = "already_rated"
    NOT_SERVED_HERE = "not_served_here"
    ISSUE_VOIDED = "issue_voided"
    TICKET_ALREADY_CALLED = "ticket_already_called"


MESSAGES: dict[RejectionCode, tuple[str, str]] = {
    RejectionCode.INVALID_COMMAND: ("指令格式有误", "The command is not valid"),
    RejectionCode.NOT_AUTHORIZED: ("无权执行此操作", "Not allowed for this device or role"),
    RejectionCode.UNKNOWN_ITEM: ("没有这个事项", "No such service item"),
    RejectionCode.ITEM_WITHDRAWN: ("该事项已取消，不再受理", "This item has been withdrawn and is no longer offered"),
    RejectionCode.ITEM_PAUSED: ("该事项暂停取号", "Tickets for this item are paused"),
    RejectionCode.DAILY_CAP_REACHED: ("今日已满，请明天再来", "Fully booked today, please come back tomorrow"),
    RejectionCode.ID_LIMIT_REACHED: ("您今天的取号次数已达上限", "You have reached today's ticket limit"),
    RejectionCode.ALREADY_QUEUING: ("您已在排队办理该事项", "You are already queuing for this item"),
    RejectionCode.OUTSIDE_BUSINESS_HOURS: ("现在不是办公时间", "The hall is not open now"),
    RejectionCode.UNKNOWN_PRIORITY_CLASS: ("没有这种优先类别", "No such priority class"),
    RejectionCode.UNKNOWN_WINDOW: ("没有这个窗口", "No such window"),
    RejectionCode.WINDOW_CLOSED: ("窗口已关闭", "The window is closed"),
    RejectionCode.WINDOW_PAUSED: ("窗口暂停服务", "The window is paused"),
    RejectionCode.WINDOW_BUSY: ("请先办结或挂起当前号", "Finish, hold or mark no-show on the current ticket first"),
    RejectionCode.QUEUE_EMPTY: ("当前没有等候的号", "Nobody is waiting"),
    RejectionCode.NO_CURRENT_TICKET: ("窗口当前没有号", "The window has no current ticket"),
    RejectionCode.TICKET_NOT_FOUND: ("今天没有这个号", "No such ticket today"),
    RejectionCode.TICKET_NOT_WAITING: ("该号不在等候状态", "That ticket is not waiting"),
    RejectionCode.ITEM_NOT_AT_WINDOW: ("本窗口不办理该事项", "This window does not handle that item"),
    RejectionCode.ALREADY_STARTED: ("已开始办理", "Service has already started"),
    RejectionCode.NOT_STARTED: ("尚未开始办理", "Service has not started"),
    RejectionCode.RECALL_LIMIT_REACHED: ("重呼次数已达上限", "Recall limit reached"),
    RejectionCode.REINSTATE_EXPIRED: ("过号已超过恢复时限，请重新取号", "Too late to reinstate; please take a new ticket"),
    RejectionCode.NOT_HELD: ("该号未被挂起", "That ticket is not on hold"),
    RejectionCode.SAME_TARGET: ("不能转到当前事项或窗口", "Cannot transfer to the same item or window"),
    RejectionCode.ITEM_ALREADY_IN_VISIT: ("该事项已在本次办理中", "That item is already part of this visit"),
    RejectionCode.UNKNOWN_APPOINTMENT: ("没有找到该预约", "Appointment not found"),
    RejectionCode.APPOINTMENT_USED: ("该预约已签到", "This appointment has already checked in"),
    RejectionCode.APPOINTMENT_TOO_EARLY: ("预约时段未到，请稍后签到", "Too early for your appointment; check in closer to your slot"),
    RejectionCode.APPOINTMENT_WRONG_DAY: ("预约不是今天", "The appointment is not for today"),
    RejectionCode.APPOINTMENT_EXISTS: ("预约码已存在", "That appointment code already exists"),
    RejectionCode.DUPLICATE_COMMAND: ("该指令编号已用于另一条指令", "That command id was already used for a different command"),
    RejectionCode.ALREADY_RATED: ("已经评价过，谢谢", "Already rated, thank you"),
    RejectionCode.NOT_SERVED_HERE: ("该号未在本窗口办理", "That ticket was not served at this window"),
    RejectionCode.ISSUE_VOIDED: ("该取号请求已作废，没有出号；请重新取号", "This ticket request was voided and issued nothing; please take a new ticket"),
    RejectionCode.TICKET_ALREADY_CALLED: ("该号已叫号或已办理，不能作废", "That ticket has already been called or served and cannot be voided"),
    RejectionCode.STORAGE_UNAVAILABLE: ("系统暂时无法保存，请稍后重试或到咨询台", "The hall cannot save right now; try again or go to the help desk"),
}


@dataclass(frozen=True)
class Rejected:
    """A refusal: a code from the closed set, both languages, and an optional detail."""

    code: RejectionCode
    message: str
    message_en: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"code": str(self.code), "message": self.message, "message_en": self.message_en, "detail": self.detail}


def rejection(code: RejectionCode, detail: str = "") -> Rejected:
    zh, en = MESSAGES[code]
    return Rejected(code, zh, en, detail)
