"""The kiosk's logic without Kivy: every flow, driven through the view-model's verbs."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

import pytest

from devices.codes import classify_scan, make_appointment_code, make_ticket_payload
from devices.escpos_reader import read_escpos
from devices.fakes import RecordingPrinter
from devices.health import DeviceHealth, Reason
from devices.id_number import keyed_hash
from devices.ticket import PrinterConfig, TextMode
from kiosk.citizen.catalogue import catalogue_from_config
from kiosk.citizen.journal import FileJournal, Journal
from kiosk.citizen.viewmodel import KioskViewModel, Screen, Settings
from queue_server.config import HallConfig
from queue_server.mqtt.schemas import ErrorInfo, QueueInfo

SECRET = b"test-hall-secret"
ID_OK = "11010519491231002X"
TODAY = date(2026, 11, 25)


@dataclass
class FakeReply:
    ok: bool
    result: dict[str, Any] | None = None
    error: ErrorInfo | None = None
    duplicate: bool = False


class FakeHall:
    """Answers like the server: a ticket per new command id, the same one for a reused id;
    VoidIssue voids what an id issued, or refuses that id when it comes later."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.answers: dict[str, FakeReply] = {}
        self.refuse: ErrorInfo | None = None
        self.refuse_void: ErrorInfo | None = None
        self.timeouts = 0
        self.down = False                   # nothing answers (server or broker gone)
        self.seq = 0
        self.voided: list[str] = []         # numbers taken out of the queue

    def send(self, kind: str, args: dict[str, Any], cid: str) -> FakeReply:
        self.calls.append((kind, dict(args), cid))
        if self.down:
            raise TimeoutError("no reply")
        if self.timeouts:
            self.timeouts -= 1
            raise TimeoutError("no reply")
        if cid in self.answers:
            a = self.answers[cid]
            return FakeReply(a.ok, a.result, a.error, duplicate=True)
        if kind == "VoidIssue":
            reply = self._void(args["command_id"])
        elif self.refuse:
            reply = FakeReply(False, error=self.refuse)
        else:
            self.seq += 1
            reply = FakeReply(True, {"ticket": _ticket(f"A{self.seq:03d}", args)})
        if not (reply.error and reply.error.code == "storage_unavailable"):   # not stored: decided afresh
            self.answers[cid] = reply
        return reply

    def _void(self, target: str) -> FakeReply:
        if self.refuse_void:
            return FakeReply(False, error=self.refuse_void)
        original = self.answers.get(target)
        if original is None:                # never arrived: it is refused when it does
            self.answers[target] = FakeReply(False, error=ErrorInfo(
                code="issue_voided", message="该取号请求已作废，没有出号；请重新取号",
                message_en="This ticket request was voided and issued nothing; please take a new ticket"))
            return FakeReply(True, {"voided": {"command_id": target, "number": None, "outcome": "tombstoned"}})
        number = original.result["ticket"]["number"] if original.ok and original.result else None
        if number:
            self.voided.append(number)
        return FakeReply(True, {"voided": {"command_id": target, "number": number, "outcome": "voided"}})

    def kinds(self) -> list[str]:
        return [k for k, _, _ in self.calls]

    @property
    def issued(self) -> int:
        return self.seq


def _ticket(number: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"number": number, "business_day": "2026-11-25", "item": args.get("item", "SC-0101"),
            "item_name": "食品经营许可证（新办）", "item_name_en": "Food business licence (new)",
            "status": "waiting", "priority": args.get("priority"), "appointment": "code" in args,
            "more_items": [], "people_ahead": 3, "wait_minutes": [20, 45],
            "issued_at": "2026-11-25T09:30:00+08:00", "windows": [1, 13, 14], "window": None,
            "qr": f"YM1|county|2026-11-25|{number}"}


class ManualRunner:
    """Holds background jobs until the test lets them finish (a request in flight)."""

    def __init__(self, hold: bool = False) -> None:
        self.hold = hold
        self.pending: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []

    def __call__(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.pending.append((work, done))
        if not self.hold:
            self.finish()

    def finish(self) -> None:
        while self.pending:
            work, done = self.pending.pop(0)
            done(work())


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Kiosk:
    vm: KioskViewModel
    hall: FakeHall
    printer: RecordingPrinter
    runner: ManualRunner
    clock: Clock
    reports: list[DeviceHealth]


@pytest.fixture
def kiosk(cfg: HallConfig) -> Kiosk:
    hall, clock, reports = FakeHall(), Clock(), []
    printer = RecordingPrinter(PrinterConfig(device_id="printer-01", text_mode=TextMode.GB18030, paper_width_mm=80))
    runner = ManualRunner()
    vm = KioskViewModel(catalogue_from_config(cfg), Settings(secret=SECRET), send=hall.send, printer=printer,
                        runner=runner, now=clock, today=lambda: TODAY, report_printer=reports.append)
    vm.set_link(True)
    vm.set_server_online(True)
    return Kiosk(vm, hall, printer, runner, clock, reports)


def queue(item: str, waiting: int = 2, full: bool = False, paused: bool = False) -> QueueInfo:
    return QueueInfo(item=item, category="market", waiting=waiting, longest_wait_minutes=3.0, wait_minutes=[10, 25],
                     issued_today=5, daily_cap=60, full=full, paused=paused, over_standard=False)


def to_item(vm: KioskViewModel, code: str = "SC-0101") -> None:
    vm.open_category(vm.cat.items[code].category)
    assert vm.screen is Screen.CATEGORY
    vm.open_item(code)
    assert vm.screen is Screen.ITEM


def paper_text(printer: RecordingPrinter) -> str:
    return read_escpos(printer.jobs[-1], printer.config.width_dots).text


# --- catalogue ---------------------------------------------------------------------------

def test_home_lists_categories_and_hides_withdrawn_items(kiosk: Kiosk) -> None:
    cat = kiosk.vm.cat
    assert "SC-0199" not in cat.items                       # 小作坊登记证（已取消）
    market = cat.category("market")
    assert market is not None and "SC-0199" not in market.items and "SC-0101" in market.items
    assert all(c.items for c in cat.categories)
    assert cat.items["SC-0101"].windows[0] == 1 and 13 in cat.items["SC-0101"].windows


# --- the main flow -------------------------------------------------------------------------

def test_take_a_ticket_prints_the_number_shown(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.update_queues([queue("SC-0101", waiting=4)])
    to_item(vm)
    assert vm.queue("SC-0101").waiting == 4 and vm.can_take("SC-0101")
    vm.take_ticket()
    assert vm.screen is Screen.RESULT and vm.result is not None and vm.result.printed
    assert kiosk.hall.calls[0][:2] == ("IssueTicket", {"item": "SC-0101"})
    assert "A001" in paper_text(kiosk.printer) and vm.result.number == "A001"
    assert "一次性告知单" in read_escpos(kiosk.printer.jobs[-1], 576).text  # materials slip
    assert vm.issued == 1


def test_double_tap_issues_one_ticket(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    kiosk.runner.hold = True
    to_item(vm)
    vm.take_ticket()
    vm.take_ticket()                                   # second tap while in flight
    assert vm.busy and len(kiosk.runner.pending) == 1
    vm.go_home()                                       # navigation is frozen too
    assert vm.screen is Screen.ITEM
    kiosk.runner.finish()
    assert kiosk.hall.issued == 1 and len(kiosk.printer.jobs) == 1 and vm.screen is Screen.RESULT


def test_given_a_request_that_got_no_reply_then_the_kiosk_voids_it_and_the_next_tap_uses_a_new_id(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    to_item(vm)
    kiosk.hall.timeouts = 1
    vm.take_ticket()
    assert vm.screen is Screen.MESSAGE and vm.message.title[0] == "系统连接中断，请到咨询台"
    assert kiosk.printer.jobs == [] and not vm.busy
    (k1, _, cid1), (k2, args2, void_id) = kiosk.hall.calls
    assert (k1, k2) == ("IssueTicket", "VoidIssue") and args2 == {"command_id": cid1}
    assert void_id not in (cid1, "") and vm.voids_pending == []
    vm.back()
    to_item(vm)
    vm.take_ticket()
    k3, _, cid3 = kiosk.hall.calls[2]
    assert k3 == "IssueTicket" and cid3 not in (cid1, void_id)
    assert vm.screen is Screen.RESULT and kiosk.hall.issued == 1
    vm.go_home()
    to_item(vm)
    vm.take_ticket()                                   # every new ticket gets a new id
    assert kiosk.hall.calls[3][2] not in (cid1, cid3) and kiosk.hall.issued == 2
    assert kiosk.hall.kinds().count("VoidIssue") == 1


def test_given_the_reply_was_lost_after_the_server_issued_then_the_ticket_is_voided(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    hall = kiosk.hall
    to_item(vm)
    real_send = hall.send

    def lose_the_issue_reply(kind: str, args: dict[str, Any], cid: str) -> FakeReply:
        reply = real_send(kind, args, cid)
        if kind == "IssueTicket":
            raise TimeoutError("reply lost")       # committed, but the kiosk never hears
        return reply

    vm._send = lose_the_issue_reply               # type: ignore[method-assign]
    vm.take_ticket()
    assert hall.issued == 1 and hall.voided == ["A001"] and kiosk.printer.jobs == []
    assert vm.screen is Screen.MESSAGE and vm.voids_pending == []


def test_given_the_server_is_down_then_the_void_waits_and_is_sent_when_it_is_back(kiosk: Kiosk) -> None:
    vm, hall, clock = kiosk.vm, kiosk.hall, kiosk.clock
    to_item(vm)
    hall.down = True
    vm.take_ticket()                                   # no reply: told so, void queued
    assert vm.screen is Screen.MESSAGE
    cid = hall.calls[0][2]
    assert vm.voids_pending == [cid]
    vm.set_link(False)                                 # the kiosk notices the link is gone
    tried = len(hall.calls)
    for _ in range(5):
        clock.t += vm.settings.void_retry_s + 1
        vm.tick()
    assert len(hall.calls) == tried                    # nothing is sent while offline
    hall.down = False
    vm.set_link(True)                                  # back: the void goes at once
    voids = [(args, vid) for kind, args, vid in hall.calls if kind == "VoidIssue"]
    assert voids and all(args == {"command_id": cid} for args, _ in voids)
    assert len({vid for _, vid in voids}) == 1         # always its own fixed command id
    assert vm.voids_pending == [] and hall.answers[cid].error.code == "issue_voided"
    clock.t += vm.settings.void_retry_s + 1
    vm.tick()
    assert hall.kinds().count("VoidIssue") == len(voids)   # answered: never sent again


def test_given_a_void_that_gets_no_answer_then_it_is_retried_with_the_same_id_until_answered(kiosk: Kiosk) -> None:
    vm, hall, clock = kiosk.vm, kiosk.hall, kiosk.clock
    to_item(vm)
    hall.timeouts = 3                                  # the issue and the next two voids
    vm.take_ticket()
    assert hall.kinds() == ["IssueTicket", "VoidIssue"]
    vm.tick()
    assert len(hall.calls) == 2                        # not before void_retry_s
    clock.t += vm.settings.void_retry_s
    vm.tick()
    clock.t += vm.settings.void_retry_s
    vm.tick()
    assert hall.kinds() == ["IssueTicket", "VoidIssue", "VoidIssue", "VoidIssue"]
    assert len({cid for _, _, cid in hall.calls[1:]}) == 1 and vm.voids_pending == []


def test_given_a_void_owed_when_the_citizen_taps_again_then_the_void_goes_first(kiosk: Kiosk) -> None:
    vm, hall = kiosk.vm, kiosk.hall
    to_item(vm)
    hall.timeouts = 2                                  # the issue and its first void
    vm.take_ticket()
    vm.dismiss()
    kiosk.runner.hold = True
    vm.take_ticket()                                   # the same person tries again at once
    assert [w for w, _ in kiosk.runner.pending] and len(kiosk.runner.pending) == 2
    kiosk.runner.finish()
    assert hall.kinds() == ["IssueTicket", "VoidIssue", "VoidIssue", "IssueTicket"]
    assert vm.screen is Screen.RESULT and vm.voids_pending == []


def test_given_a_void_in_flight_then_the_kiosk_stays_usable(kiosk: Kiosk) -> None:
    vm, hall = kiosk.vm, kiosk.hall
    to_item(vm)
    hall.timeouts = 1
    kiosk.runner.hold = True
    vm.take_ticket()
    hall_job = kiosk.runner.pending.pop(0)
    hall_job[1](hall_job[0]())                         # the issue times out; its void is queued
    assert len(kiosk.runner.pending) == 1 and not vm.busy
    vm.dismiss()
    assert vm.screen is Screen.ITEM                    # navigation is not frozen by a void
    kiosk.runner.finish()
    assert hall.kinds() == ["IssueTicket", "VoidIssue"] and vm.voids_pending == []


def test_given_a_check_in_without_reply_then_its_command_id_is_voided(kiosk: Kiosk) -> None:
    vm, hall = kiosk.vm, kiosk.hall
    code = make_appointment_code("3KQ7M2XB")
    hall.timeouts = 1
    vm.open_scan()
    vm.scanned(classify_scan(code, TODAY))
    (k1, _, cid), (k2, args, _) = hall.calls
    assert (k1, k2) == ("CheckIn", "VoidIssue") and args == {"command_id": cid}


def test_given_the_ticket_was_called_meanwhile_then_a_refused_void_is_not_retried(kiosk: Kiosk) -> None:
    vm, hall, clock = kiosk.vm, kiosk.hall, kiosk.clock
    hall.refuse_void = ErrorInfo(code="ticket_already_called", message="该号已叫号或已办理，不能作废",
                                 message_en="That ticket has already been called or served and cannot be voided")
    to_item(vm)
    hall.timeouts = 1
    vm.take_ticket()
    assert vm.voids_pending == []
    clock.t += vm.settings.void_retry_s + 1
    vm.tick()
    assert hall.kinds() == ["IssueTicket", "VoidIssue"]


def test_given_the_store_is_full_then_a_void_is_tried_again(kiosk: Kiosk) -> None:
    vm, hall, clock = kiosk.vm, kiosk.hall, kiosk.clock
    hall.refuse_void = ErrorInfo(code="storage_unavailable", message="系统暂时无法保存，请稍后重试或到咨询台",
                                 message_en="The hall cannot save right now")
    to_item(vm)
    hall.timeouts = 1
    vm.take_ticket()
    assert len(vm.voids_pending) == 1
    hall.refuse_void = None
    clock.t += vm.settings.void_retry_s
    vm.tick()
    assert vm.voids_pending == [] and hall.kinds().count("VoidIssue") == 2


def test_given_an_id_was_read_then_nothing_about_it_is_logged_while_voiding(kiosk: Kiosk, caplog) -> None:
    vm, hall = kiosk.vm, kiosk.hall
    caplog.set_level(logging.DEBUG)
    vm.scanned(classify_scan(ID_OK, TODAY))
    to_item(vm)
    hall.down = True
    vm.take_ticket()
    vm.set_server_online(False)
    hall.down = False
    vm.set_server_online(True)
    assert hall.kinds() == ["IssueTicket", "VoidIssue", "VoidIssue"] and vm.voids_pending == []
    secret_hash = keyed_hash(ID_OK, SECRET)
    assert ID_OK not in caplog.text and "19491231" not in caplog.text and secret_hash not in caplog.text
    assert "void" in caplog.text                       # the voiding itself is logged


def test_server_down_issues_nothing(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    to_item(vm)
    vm.set_server_online(False)
    vm.take_ticket()
    assert vm.screen is Screen.MESSAGE and vm.t("offline") == "系统连接中断，请到咨询台"
    assert vm.message.title[0] == "系统连接中断，请到咨询台"
    assert kiosk.hall.calls == [] and kiosk.printer.jobs == []
    vm.set_server_online(True)
    vm.set_link(False)                                 # broker link down counts too
    vm.back()
    to_item(vm)
    vm.take_ticket()
    assert kiosk.hall.calls == []


def test_full_item_cannot_be_taken(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.update_queues([queue("SC-0101", full=True)])
    to_item(vm)
    assert not vm.can_take("SC-0101")
    vm.take_ticket()
    assert vm.screen is Screen.MESSAGE and vm.message.title[0] == "今日已满"
    assert kiosk.hall.calls == []


def test_server_refusal_is_shown_in_plain_words(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    kiosk.hall.refuse = ErrorInfo(code="already_queuing", message="您已在排队办理该事项",
                                  message_en="You are already queuing for this item")
    to_item(vm)
    vm.take_ticket()
    assert vm.screen is Screen.MESSAGE and vm.message.body[0] == "您已在排队办理该事项"
    assert "不必重复取号" in vm.message.hint[0] and kiosk.printer.jobs == []


# --- printer failure --------------------------------------------------------------------------

def test_printer_failure_shows_the_number_and_reports_the_fault(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    kiosk.printer.fail_with(Reason.PAPER_OUT)
    to_item(vm)
    vm.take_ticket()
    assert vm.screen is Screen.RESULT and vm.result is not None
    assert not vm.result.printed and vm.result.number == "A001" and vm.result.printer_reason == "paper_out"
    assert vm.printer_reason_text() == "打印机缺纸"
    assert kiosk.reports[-1].reason is Reason.PAPER_OUT and not kiosk.reports[-1].usable
    assert not vm.printer_ok
    # the screen stays up longer than a printed result, then goes home
    kiosk.clock.t += vm.settings.result_s + 1
    vm.tick()
    assert vm.screen is Screen.RESULT
    kiosk.clock.t += vm.settings.print_failed_s
    vm.tick()
    assert vm.screen is Screen.HOME
    kiosk.printer.recover()
    vm.check_printer()
    assert kiosk.reports[-1].usable and vm.printer_ok


# --- time ----------------------------------------------------------------------------------------

def test_idle_timeout_returns_home_and_forgets_the_person(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.toggle_lang()
    vm.toggle_large()
    vm.scanned(classify_scan(ID_OK, TODAY))
    to_item(vm)
    kiosk.clock.t += vm.settings.idle_s - 1
    vm.tick()
    assert vm.screen is Screen.ITEM
    vm.touch()
    kiosk.clock.t += vm.settings.idle_s - 1
    vm.tick()
    assert vm.screen is Screen.ITEM
    kiosk.clock.t += 2
    vm.tick()
    assert vm.screen is Screen.HOME and vm.lang == "zh" and not vm.large and vm.person.id_hash is None


def test_result_returns_home_after_a_few_seconds(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    to_item(vm)
    vm.take_ticket()
    kiosk.clock.t += vm.settings.result_s
    vm.tick()
    assert vm.screen is Screen.HOME and vm.result is None


def test_no_timeout_while_a_request_is_in_flight(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    kiosk.runner.hold = True
    to_item(vm)
    vm.take_ticket()
    kiosk.clock.t += 1000
    vm.tick()
    assert vm.busy and vm.screen is Screen.ITEM
    kiosk.runner.finish()
    assert vm.screen is Screen.RESULT


# --- language and large text ---------------------------------------------------------------------

def test_language_switch_and_large_text(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    to_item(vm)
    assert vm.t("take_ticket") == "取 号" and vm.font_scale == 1.0
    vm.toggle_lang()
    assert vm.t("take_ticket") == "Take a ticket" and vm.screen is Screen.ITEM
    assert vm.t("lang_switch") == "中文"
    vm.toggle_large()
    assert vm.font_scale > 1.3
    vm.toggle_lang()
    assert vm.t("take_ticket") == "取 号" and vm.large


# --- scanning ---------------------------------------------------------------------------------------

def test_id_scan_sends_only_the_keyed_hash(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.open_scan()
    vm.scanned(classify_scan(ID_OK, TODAY))
    assert vm.screen is Screen.HOME and vm.person.id_mask == "**************002X"
    to_item(vm)
    vm.take_ticket()
    _, args, _ = kiosk.hall.calls[0]
    assert args["id_hash"] == keyed_hash(ID_OK, SECRET)
    assert ID_OK not in repr(kiosk.hall.calls) and "19491231" not in repr(kiosk.hall.calls)
    assert ID_OK not in paper_text(kiosk.printer)
    assert vm.person.id_hash is None                          # one identification, one ticket


def test_wedge_text_scan_is_classified(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.scanned_text("110101199003070011")
    assert vm.person.id_mask == "**************0011"


@pytest.mark.parametrize(("text", "words"), [
    ("110101199003070012", "校验不对"),            # bad check digit
    ("110101199002300014", "出生日期不对"),         # 30 February
    ("hello-world", "不是预约码或身份证号"),
    ("YY3KQ7M2XBA", "预约码有误"),
])
def test_invalid_scan_says_why(kiosk: Kiosk, text: str, words: str) -> None:
    vm = kiosk.vm
    vm.open_scan()
    vm.scanned(classify_scan(text, TODAY))
    assert vm.screen is Screen.MESSAGE and words in vm.message.body[0]
    assert vm.person.id_hash is None and kiosk.hall.calls == []


def test_appointment_code_checks_in(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    code = make_appointment_code("3KQ7M2XB")
    vm.open_scan()
    vm.scanned(classify_scan(code, TODAY))
    assert kiosk.hall.calls[0][:2] == ("CheckIn", {"code": code})
    assert vm.screen is Screen.RESULT and vm.result.checked_in and vm.result.printed


def test_ticket_qr_scan_reminds_of_the_number(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.scanned(classify_scan(make_ticket_payload("county", TODAY, "A012", "t1"), TODAY))
    assert vm.screen is Screen.MESSAGE and "A012" in vm.message.body[0] and kiosk.hall.calls == []


# --- staff PIN and priority ------------------------------------------------------------------------------

def test_staff_pin_unlocks_priority_tickets(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.open_staff()
    for d in "2468":
        vm.pin_digit(d)
    vm.pin_submit()
    assert vm.screen is Screen.PRIORITY and vm.person.staff
    vm.choose_priority("elderly")
    assert vm.screen is Screen.HOME and vm.priority_name() == "老年人"
    to_item(vm)
    vm.take_ticket()
    assert kiosk.hall.calls[0][1] == {"item": "SC-0101", "priority": "elderly"}
    assert "绿色通道" in paper_text(kiosk.printer)
    assert not vm.person.staff and vm.person.priority is None  # staff mode ends with the ticket


def test_given_a_listed_staff_badge_when_it_is_scanned_then_the_green_channel_opens(cfg, tmp_path, caplog) -> None:
    from kiosk.citizen.__main__ import add_staff_cards
    from kiosk.citizen.wiring import load_secret, load_staff_cards

    assert add_staff_cards(tmp_path, "窗口13 马晓燕", ["STAFF-000123", ""]) == 1
    assert "STAFF-000123" not in (tmp_path / "staff-cards").read_text()      # only its keyed hash
    hall = FakeHall()
    printer = RecordingPrinter(PrinterConfig(device_id="printer-01", text_mode=TextMode.GB18030, paper_width_mm=80))
    settings = Settings(secret=load_secret(tmp_path), staff_cards=load_staff_cards(tmp_path))
    vm = KioskViewModel(catalogue_from_config(cfg), settings, send=hall.send, printer=printer,
                        runner=ManualRunner(), now=Clock(), today=lambda: TODAY)
    vm.set_link(True)
    vm.set_server_online(True)
    caplog.set_level(logging.INFO)

    vm.scanned_text("STAFF-000124")                     # not listed: an unknown code, nothing unlocked
    assert not vm.person.staff and vm.screen is Screen.MESSAGE
    vm.go_home()
    vm.scanned_text("STAFF-000123")
    assert vm.screen is Screen.PRIORITY and vm.person.staff
    vm.choose_priority("military")
    to_item(vm)
    vm.take_ticket()
    assert hall.calls[0][1] == {"item": "SC-0101", "priority": "military"}
    assert "STAFF-00012" not in caplog.text


def test_a_staff_cards_file_with_a_bad_line_keeps_the_good_ones(tmp_path, caplog) -> None:
    from kiosk.citizen.wiring import load_staff_cards

    good = "ab" * 32
    (tmp_path / "staff-cards").write_text(f"# badges\n{good}  # 13号窗口\nnot-a-hash\n\n")
    assert load_staff_cards(tmp_path) == frozenset({good})
    assert "line 3" in caplog.text
    assert load_staff_cards(tmp_path / "elsewhere") == frozenset()


def test_wrong_pin_refuses_and_locks(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.choose_priority("elderly")                   # not unlocked: ignored
    assert vm.person.priority is None
    for _ in range(vm.settings.pin_attempts):
        vm.open_staff()
        vm.pin_digit("1")
        vm.pin_submit()
        assert vm.screen is Screen.MESSAGE and not vm.person.staff
    assert vm.message.title[0] == "密码错误次数过多，请稍后再试"
    vm.open_staff()
    for d in "2468":
        vm.pin_digit(d)
    vm.pin_submit()
    assert not vm.person.staff                      # locked even with the right PIN
    kiosk.clock.t += vm.settings.pin_lock_s + 1
    vm.open_staff()
    for d in "2468":
        vm.pin_digit(d)
    vm.pin_submit()
    assert vm.person.staff


def test_message_ok_returns_to_the_item_page(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    vm.update_queues([queue("SC-0101", full=True)])
    to_item(vm)
    vm.take_ticket()
    assert vm.screen is Screen.MESSAGE
    vm.dismiss()
    assert vm.screen is Screen.ITEM and vm.message is None


def test_slow_request_shows_taking_on_the_next_tick(kiosk: Kiosk) -> None:
    vm = kiosk.vm
    kiosk.runner.hold = True
    to_item(vm)
    seen: list[bool] = []
    vm.subscribe(lambda: seen.append(vm.busy))
    vm.take_ticket()
    assert seen == []                 # no repaint competing with the request
    vm.tick()
    assert seen == [True]
    kiosk.runner.finish()
    assert seen[-1] is False and vm.screen is Screen.RESULT


# --- the journal: a kiosk that dies mid-request ----------------------------------------------------

def new_kiosk(cfg: HallConfig, hall: FakeHall, journal: Journal, printer: RecordingPrinter | None = None) -> KioskViewModel:
    printer = printer or RecordingPrinter(PrinterConfig(device_id="printer-01", text_mode=TextMode.GB18030,
                                                        paper_width_mm=80))
    vm = KioskViewModel(catalogue_from_config(cfg), Settings(secret=SECRET), send=hall.send, printer=printer,
                        runner=ManualRunner(), now=Clock(), today=lambda: TODAY, journal=journal)
    vm.set_link(True)
    vm.set_server_online(True)
    return vm


def test_given_the_kiosk_died_after_the_server_issued_then_the_next_start_voids_that_ticket(cfg, tmp_path) -> None:
    hall = FakeHall()
    path = tmp_path / "kiosk-unsettled.json"
    vm = new_kiosk(cfg, hall, FileJournal(path))
    to_item(vm)

    def power_cut(slip: Any, with_notice: bool = False) -> Any:
        raise SystemExit("power cut while printing")      # the ticket is committed, never printed

    vm._printer.print_ticket = power_cut                  # type: ignore[attr-defined]
    with pytest.raises(SystemExit):
        vm.take_ticket()
    cid = hall.calls[0][2]
    assert hall.issued == 1 and FileJournal(path).unsettled() == [cid]

    restarted = new_kiosk(cfg, hall, FileJournal(path))   # the kiosk comes back
    assert hall.calls[-1][0] == "VoidIssue" and hall.calls[-1][1] == {"command_id": cid}
    assert hall.voided == ["A001"] and restarted.voids_pending == []
    assert FileJournal(path).unsettled() == []


def test_given_tickets_handed_over_or_refused_then_the_journal_keeps_nothing(cfg, tmp_path) -> None:
    hall = FakeHall()
    journal = FileJournal(tmp_path / "j.json")
    vm = new_kiosk(cfg, hall, journal)
    for _ in range(3):
        to_item(vm)
        vm.take_ticket()
        assert vm.screen is Screen.RESULT
        vm.go_home()
    hall.refuse = ErrorInfo(code="item_paused", message="暂停取号", message_en="paused")
    to_item(vm)
    vm.take_ticket()
    assert journal.unsettled() == [] and json.loads((tmp_path / "j.json").read_text()) == []
    new_kiosk(cfg, hall, FileJournal(tmp_path / "j.json"))
    assert "VoidIssue" not in hall.kinds(), "a ticket somebody holds was voided"


def test_given_a_void_still_owed_when_the_kiosk_restarts_offline_then_it_is_sent_once_back_online(cfg, tmp_path) -> None:
    hall = FakeHall()
    path = tmp_path / "j.json"
    vm = new_kiosk(cfg, hall, FileJournal(path))
    to_item(vm)
    hall.down = True
    vm.take_ticket()
    cid = hall.calls[0][2]
    assert vm.voids_pending == [cid] and FileJournal(path).unsettled() == [cid]
    hall.calls.clear()
    printer = RecordingPrinter(PrinterConfig(device_id="printer-01", text_mode=TextMode.GB18030, paper_width_mm=80))
    again = KioskViewModel(catalogue_from_config(cfg), Settings(secret=SECRET), send=hall.send, printer=printer,
                           runner=ManualRunner(), now=Clock(), today=lambda: TODAY, journal=FileJournal(path))
    assert again.voids_pending == [cid] and hall.calls == []      # offline: nothing sent yet
    hall.down = False
    again.set_link(True)
    again.set_server_online(True)
    assert [(k, a) for k, a, _ in hall.calls] == [("VoidIssue", {"command_id": cid})]
    assert again.voids_pending == [] and FileJournal(path).unsettled() == []


def test_a_damaged_journal_is_kept_aside_and_the_kiosk_starts(tmp_path, caplog) -> None:
    path = tmp_path / "kiosk-unsettled.json"
    path.write_text('["kiosk-01-abc", ')
    journal = FileJournal(path)
    assert journal.unsettled() == []
    assert (tmp_path / "kiosk-unsettled.damaged").read_text() == '["kiosk-01-abc", '
    assert "unreadable" in caplog.text
    journal.record("kiosk-01-def")
    assert FileJournal(path).unsettled() == ["kiosk-01-def"]
