"""Issue #5 over the real broker: a kiosk voids an issue whose reply it never got, and the
hall's retained state stops counting the ticket; nobody else may send VoidIssue."""

from __future__ import annotations

from queue_server.mqtt import schemas as S

from .conftest import Inbox


def _waiting(q: object, item: str) -> int:
    assert isinstance(q, S.QueuesState)
    return next(i for i in q.items if i.item == item).waiting


def test_given_a_ticket_the_kiosk_never_handed_over_when_it_voids_it_then_the_queues_no_longer_count_it(
        server, device) -> None:
    kiosk, board = device("kiosk-01"), device("board-01")
    queues = Inbox()
    board.on_queues(queues)
    held = kiosk.request("IssueTicket", {"item": "WS-0201"})
    ghost = kiosk.request("IssueTicket", {"item": "WS-0201"}, command_id="tap-7")   # the reply "was lost"
    assert held.ok and ghost.ok
    queues.wait_for(lambda q: _waiting(q, "WS-0201") == 2)

    void = kiosk.request("VoidIssue", {"command_id": "tap-7"}, command_id="tap-7-void")
    assert void.ok and not void.duplicate, void.error
    assert void.result["voided"] == {"command_id": "kiosk-01/tap-7", "number": ghost.result["ticket"]["number"],
                                     "outcome": "voided"}
    q = queues.wait_for(lambda q: _waiting(q, "WS-0201") == 1)
    assert next(i for i in q.items if i.item == "WS-0201").issued_today == 1
    # The kiosk retrying its void (it never saw this reply either) gets the same answer.
    again = kiosk.request("VoidIssue", {"command_id": "tap-7"}, command_id="tap-7-void")
    assert again.ok and again.duplicate and again.result == void.result
    # The hall's next call is the ticket the citizen holds.
    called = device("clerk-02").request("CallNext", {"window": 2})
    assert called.ok and called.result["events"][0]["number"] == held.result["ticket"]["number"]


def test_given_a_void_that_overtakes_its_issue_then_the_late_issue_is_refused_and_issues_nothing(
        server, device) -> None:
    kiosk = device("kiosk-01")
    void = kiosk.request("VoidIssue", {"command_id": "tap-9"}, command_id="tap-9-void")
    assert void.ok and void.result["voided"]["outcome"] == "tombstoned"
    late = kiosk.request("IssueTicket", {"item": "SC-0101"}, command_id="tap-9")
    assert not late.ok and late.error.code == "issue_voided"
    assert late.error.message == "该取号请求已作废，没有出号；请重新取号"
    assert kiosk.request("IssueTicket", {"item": "SC-0101"}).result["ticket"]["number"] == "A001"


def test_given_another_kiosk_voiding_the_same_id_then_it_voids_only_its_own(server, device) -> None:
    mine = device("kiosk-01").request("IssueTicket", {"item": "SC-0101"}, command_id="tap-1")
    other = device("kiosk-02").request("VoidIssue", {"command_id": "tap-1"}, command_id="v-1")
    assert other.ok and other.result["voided"] == {"command_id": "kiosk-02/tap-1", "number": None,
                                                   "outcome": "tombstoned"}
    called = device("clerk-01").request("CallNext", {"window": 1})
    assert called.result["events"][0]["number"] == mine.result["ticket"]["number"]


def test_given_a_clerk_console_or_a_manager_when_it_sends_void_issue_then_it_is_refused(server, device) -> None:
    kiosk = device("kiosk-01")
    issued = kiosk.request("IssueTicket", {"item": "SC-0101"}, command_id="tap-2")
    for who in ("clerk-01", "manager-01"):
        reply = device(who).request("VoidIssue", {"command_id": "kiosk-01/tap-2"})
        assert not reply.ok and reply.error.code == "not_authorized", who
        assert reply.error.message == "无权执行此操作"
    called = device("clerk-01").request("CallNext", {"window": 1})
    assert called.result["events"][0]["number"] == issued.result["ticket"]["number"]


def test_given_a_malformed_void_then_it_is_refused_as_invalid(server, device) -> None:
    kiosk = device("kiosk-01")
    assert kiosk.request("VoidIssue", {}).error.code == "invalid_command"
    assert kiosk.request("VoidIssue", {"command_id": ""}).error.code == "invalid_command"
    assert kiosk.request("VoidIssue", {"command_id": "x" * 75}).error.code == "invalid_command"
