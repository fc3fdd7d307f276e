"""Manager, rating and announcer view-models, without Kivy."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.viewmodels.announce import CallFilter
from kiosk.viewmodels.manager import ManagerVM, device_lines
from kiosk.viewmodels.rating import RatingVM
from queue_server.mqtt import schemas as S

from .test_viewmodels import AT, call, fixed, window_state

TZ = ZoneInfo("Asia/Shanghai")


def queues(**over: object) -> S.QueuesState:
    qi = dict(item="SC-0101", category="market", waiting=35, longest_wait_minutes=41.0, wait_minutes=[30, 50],
              issued_today=50, daily_cap=60, full=False, paused=False, over_standard=True)
    qi.update(over)
    return S.QueuesState(business_day="2026-11-25", at=AT, items=[S.QueueInfo(**qi)])  # type: ignore[arg-type]


def test_manager_rows_alerts_and_actions(cfg) -> None:
    vm = ManagerVM(cfg, fixed(9, 45))
    vm.apply_window(window_state(window=1, items=["SC-0101", "SC-0102"], current="A001", current_status="serving",
                                 since="2026-11-25T09:30:00+08:00", clerk="王建国"))
    vm.apply_window(window_state(window=13, items=["WH-1301"]))
    vm.apply_queues(queues())
    vm.apply_devices(S.DevicesState(at=AT, online=1, offline=1, devices=[
        S.DeviceStatus(id="kiosk-01", kind="kiosk", window=None, online=True, since=AT, ok=False,
                       faults=[S.Fault(device="printer-01", reason="paper_out", consequence="cannot_print")]),
        S.DeviceStatus(id="display-02", kind="display", window=2, online=False, since=AT, ok=None, faults=[])]))
    v = vm.view
    w1 = next(w for w in v.windows if w.window == 1)
    assert w1.minutes == 15 and w1.since == "09:30" and w1.clerk == "王建国"
    assert len(v.windows) == len(cfg.windows)
    texts = [a.text.zh for a in v.alerts]
    assert any("超出服务标准" in t for t in texts) and any("缺纸" in t for t in texts) and any("离线" in t for t in texts)
    with pytest.raises(ValueError):
        vm.move_item_here()
    vm.select(item="SC-0102", window=13)
    assert vm.move_item_here() == [("AssignItems", {"window": 13, "items": ["SC-0102", "WH-1301"]}),
                                   ("AssignItems", {"window": 1, "items": ["SC-0101"]})]
    vm.select(item="SC-0102", window=1)
    assert vm.reorder(-1) == [("AssignItems", {"window": 1, "items": ["SC-0102", "SC-0101"]})]
    vm.select(item="SC-0101")
    assert vm.item_pause(True) == [("PauseItem", {"item": "SC-0101"})]
    assert vm.change_cap(10) == [("SetDailyCap", {"item": "SC-0101", "cap": 70})]
    assert vm.set_cap(None) == [("SetDailyCap", {"item": "SC-0101", "cap": None})]
    assert vm.window_command("PauseWindow") == [("PauseWindow", {"window": 1})]


def test_rating_asks_after_finish_not_after_hold(cfg) -> None:
    vm = RatingVM(cfg, 1)
    vm.apply_window(window_state(window=1, current="A001", current_status="serving"), 0)
    vm.apply_window(window_state(window=1, held=["A001"]), 1)
    assert vm.view.mode == "idle"
    assert vm.rate("satisfied") is None
    vm.apply_window(window_state(window=1, current="A001", current_status="serving"), 2)
    vm.apply_window(window_state(window=1, current="A002", current_status="called"), 3)
    assert vm.view.mode == "ask" and vm.view.number == "A001"
    assert [lvl for lvl, _ in vm.view.levels] == ["very_satisfied", "satisfied", "basic", "dissatisfied",
                                                   "very_dissatisfied"]
    with pytest.raises(ValueError):
        vm.rate("great")
    kind, cmd = vm.rate("very_dissatisfied")  # type: ignore[misc]
    assert kind == "RateService" and cmd == {"window": 1, "number": "A001", "level": "very_dissatisfied",
                                              "business_day": "2026-11-25"}
    assert vm.view.mode == "thanks" and vm.view.pending == 1
    vm.sent(cmd, S.Reply(id="x", ok=False, error=S.ErrorInfo(code="unknown_command", message="", message_en="")))
    assert vm.view.pending == 1                                   # kept for a retry
    vm.sent(cmd, S.Reply(id="x", ok=True, result={}))
    assert vm.view.pending == 0
    vm.thanked(10)
    vm.tick(20)
    assert vm.view.mode == "idle"


def test_announcer_filter_says_each_call_and_recall_once_never_stale() -> None:
    f = CallFilter()
    now = datetime(2026, 11, 25, 9, 30, 10, tzinfo=TZ)
    c = call("A001", 1)
    assert f.accept(c, now) and not f.accept(c, now)
    assert f.accept(call("A001", 1, recall=1), now)
    assert not f.accept(call("A009", 2), now + timedelta(seconds=60))


def test_manager_sees_overdue_and_due_soon_cases_and_open_follow_ups(cfg) -> None:
    vm = ManagerVM(cfg, fixed(9, 45))
    vm.apply_cases(S.CasesOverview(business_day="2026-11-25", at=AT, open_cases=3, open_follow_ups=1, proxied=[],
                                   warnings=[S.CaseLight(case="XC01-20261101-0001", item_name="最低生活保障申请",
                                                         status="processing", due="2026-11-24", light="red"),
                                             S.CaseLight(case="XC01-20261120-0003", item_name="失业登记",
                                                         status="accepted", due="2026-11-26", light="yellow")]))
    texts = [(a.severe, a.text.zh) for a in vm.view.alerts]
    assert (True, "办件 XC01-20261101-0001（最低生活保障申请）已超期，期限 2026-11-24") in texts
    assert (False, "办件 XC01-20261120-0003（失业登记）即将到期，期限 2026-11-26") in texts
    assert (False, "差评回访待处理 1 件") in texts


def test_manager_device_panel_tells_offline_from_never_seen(cfg) -> None:
    """Given 2 devices that went wrong and 9 configured ones never seen since the server
    started, the panel names the broken ones in red and sums up the unseen on one line;
    it says "all devices OK" only when there are neither."""
    vm = ManagerVM(cfg, fixed(9, 45))
    seen = [S.DeviceStatus(id="kiosk-01", kind="kiosk", window=None, online=True, since=AT, ok=False,
                           faults=[S.Fault(device="printer-01", reason="paper_out", consequence="cannot_print")]),
            S.DeviceStatus(id="display-02", kind="display", window=2, online=False, since=AT, ok=None, faults=[]),
            S.DeviceStatus(id="board-01", kind="board", window=None, online=True, since=AT, ok=True, faults=[])]
    unseen = [S.DeviceStatus(id=f"clerk-{n:02d}", kind="clerk_console", window=n, online=None, since=None, ok=None,
                             faults=[]) for n in range(4, 13)]
    vm.apply_devices(S.DevicesState(at=AT, online=2, offline=10, devices=seen + unseen))
    lines = device_lines(vm.view.devices, "zh", 5)
    assert [tone for _, tone in lines] == ["bad", "bad", "unseen"]
    assert "缺纸" in lines[0][0] + lines[1][0] and "display-02" in lines[0][0] + lines[1][0]
    assert lines[2][0].startswith("未上线 9 台：clerk-04") and lines[2][0].endswith("…")
    assert not any("全部设备正常" in t for t, _ in lines)
    assert device_lines(vm.view.devices, "zh", 2)[0][1] == "bad" and len(device_lines(vm.view.devices, "zh", 2)) == 2

    vm.apply_devices(S.DevicesState(at=AT, online=1, offline=0, devices=seen[2:]))
    assert device_lines(vm.view.devices, "en", 5) == [("All devices OK", "ok")]
