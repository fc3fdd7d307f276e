"""The clerk console's view-model: what is enabled, the commands presses send, replies."""

from __future__ import annotations

import pytest

from kiosk.viewmodels.clerk import ACTIONS, ClerkVM, RefusedLocally
from queue_server.mqtt import schemas as S

from .test_viewmodels import AT, window_state


def reply(ok: bool = True, number: str = "F003", code: str = "") -> S.Reply:
    if ok:
        return S.Reply(id="x", ok=True, result={"events": [{"type": "TicketCalled", "number": number}]})
    return S.Reply(id="x", ok=False, error=S.ErrorInfo(code=code, message="队列为空", message_en="Queue empty"))


def test_shortcuts_are_unique_and_cover_every_action() -> None:
    assert len({a.shortcut for a in ACTIONS}) == len(ACTIONS) == 12
    assert {a.kind for a in ACTIONS} >= {"CallNext", "Recall", "MarkNoShow", "StartService", "Transfer", "Hold",
                                        "Resume", "AddItem", "FinishService"}


def test_enabled_follows_the_window(cfg) -> None:
    vm = ClerkVM(cfg, 3)
    assert vm.view.enabled == frozenset()                       # nothing until the state arrives
    vm.apply_window(window_state())
    assert {"call_next", "pause", "close"} <= vm.view.enabled and "recall" not in vm.view.enabled
    vm.apply_window(window_state(current="F003", current_status="called"))
    assert {"recall", "no_show", "start", "hold", "transfer"} <= vm.view.enabled
    assert "call_next" not in vm.view.enabled and "finish" not in vm.view.enabled
    vm.apply_window(window_state(current="F003", current_status="serving"))
    assert {"finish", "add_item", "hold"} <= vm.view.enabled
    vm.apply_window(window_state(status="paused"))
    assert "open" in vm.view.enabled and "call_next" not in vm.view.enabled


def test_a_press_locks_until_the_reply(cfg) -> None:
    vm = ClerkVM(cfg, 3)
    vm.apply_window(window_state())
    assert vm.command("call_next") == ("CallNext", {"window": 3})
    assert vm.view.busy and vm.view.enabled == frozenset()
    with pytest.raises(RefusedLocally):
        vm.command("call_next")                                 # a double tap sends nothing
    vm.done("call_next", reply(number="F003"))
    assert not vm.view.busy and vm.view.message.zh == "已叫号 F003" and vm.view.message_ok
    vm.command("call_next")
    vm.done("call_next", reply(ok=False, code="queue_empty"))
    assert vm.view.message.zh == "队列为空" and vm.view.message.en == "Queue empty" and not vm.view.message_ok
    vm.command("call_next")
    vm.done("call_next", None, "服务器无响应，请稍后再试 / No answer from the hall server")
    assert not vm.view.message_ok and vm.view.message.en == "No answer from the hall server"


def test_transfer_add_item_and_resume_need_a_choice(cfg) -> None:
    vm = ClerkVM(cfg, 3)
    vm.apply_window(window_state(current="F003", current_status="serving", held=["F001"]))
    with pytest.raises(RefusedLocally):
        vm.command("transfer")
    vm.select(item="SF-0302")
    assert vm.command("transfer") == ("Transfer", {"window": 3, "to_item": "SF-0302"})
    vm.done("transfer", reply())
    vm.select(window=13)
    assert vm.view.selected_item is None
    assert vm.command("transfer") == ("Transfer", {"window": 3, "to_window": 13})
    vm.done("transfer", reply())
    vm.select(item="SF-0302")
    assert vm.command("add_item") == ("AddItem", {"window": 3, "item": "SF-0302"})
    vm.done("add_item", reply())
    vm.apply_window(window_state(held=["F001", "F002"]))
    assert vm.view.selected_held == "F001"
    vm.select(held="F002")
    assert vm.command("resume") == ("Resume", {"window": 3, "number": "F002"})


def test_queues_for_this_windows_items(cfg) -> None:
    vm = ClerkVM(cfg, 3)
    vm.apply_window(window_state(items=["SF-0302", "SF-0301"]))
    qi = dict(category="legal", longest_wait_minutes=12.4, wait_minutes=[5, 10], issued_today=3,
              daily_cap=None, full=False, paused=False, over_standard=False)
    vm.apply_queues(S.QueuesState(business_day="2026-11-25", at=AT, items=[
        S.QueueInfo(item="SF-0301", waiting=2, **qi), S.QueueInfo(item="SC-0101", waiting=5, **qi),
        S.QueueInfo(item="SF-0302", waiting=1, **qi)]))
    assert [q.item for q in vm.view.queues] == ["SF-0302", "SF-0301"]       # the window's priority order
    assert vm.view.queues[1].waiting == 2 and vm.view.queues[1].longest == 12
