"""The board and window view-models, without Kivy: what a screen is told to show."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from devices.board import RecordingBoard
from devices.board_protocol import WindowStatus as Led
from kiosk.viewmodels.board import BoardVM
from kiosk.viewmodels.common import Clock, mask_name
from kiosk.viewmodels.window import LedWorker, WindowVM
from queue_server.mqtt import schemas as S

TZ = ZoneInfo("Asia/Shanghai")
AT = "2026-11-25T09:30:00+08:00"


def fixed(h: int = 9, m: int = 30) -> Clock:
    return Clock("Asia/Shanghai", lambda: datetime(2026, 11, 25, h, m, tzinfo=TZ))


def window_state(**kw: object) -> S.WindowDisplay:
    base = dict(window=3, name="法律援助窗口", name_en="Legal Aid", status="open", items=["SF-0301"], general=False,
                clerk="", responsible="张海峰", current=None, current_status=None, current_item=None, since=None,
                held=[], waiting_here=2, next=None, at=AT)
    base.update(kw)
    return S.WindowDisplay(**base)  # type: ignore[arg-type]


def board_state(calls: list[tuple[str, int]]) -> S.BoardState:
    return S.BoardState(hall="county", name="某某县政务服务中心", name_en="County", business_day="2026-11-25", at=AT,
                        recent_calls=[S.RecentCall(number=n, window=w, at=AT) for n, w in calls],
                        windows=[S.BoardWindow(window=1, name="食品经营许可窗口", name_en="Food", status="open", current="A001"),
                                 S.BoardWindow(window=3, name="法律援助窗口", name_en="Legal", status="paused", current=None)],
                        waiting=[], notices=["政务公开一", "政务公开二"])


def call(number: str, window: int, recall: int = 0) -> S.CallEvent:
    return S.CallEvent(number=number, window=window, window_name=f"{window}号", window_name_en="", item=None,
                       recall=recall, at=AT)


def test_view_models_load_without_kivy() -> None:
    """In a fresh interpreter (other tests in this process may have loaded Kivy)."""
    probe = ("import sys, kiosk.viewmodels.board, kiosk.viewmodels.window, kiosk.viewmodels.clerk, "
             "kiosk.viewmodels.manager, kiosk.viewmodels.rating, kiosk.citizen.viewmodel; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'kivy'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_mask_name() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"
    assert mask_name("  ") == ""


def test_board_keeps_ten_calls_newest_highlighted(cfg) -> None:
    vm = BoardVM(cfg, fixed())
    seen: list[int] = []
    vm.subscribe(lambda: seen.append(len(vm.view.calls)))
    vm.apply_board(board_state([(f"A{i:03d}", 1) for i in range(12, 0, -1)]))
    assert len(vm.view.calls) == 10 and vm.view.calls[0].number == "A012" and vm.view.calls[0].newest
    assert [c.newest for c in vm.view.calls].count(True) == 1
    # Several windows call at once: each goes on top, none is lost from the last ten.
    for n, w in (("B001", 2), ("C001", 3), ("D001", 4)):
        vm.apply_call(call(n, w))
    assert [c.number for c in vm.view.calls[:4]] == ["D001", "C001", "B001", "A012"]
    assert len(vm.view.calls) == 10 and seen
    # A recall moves the same call to the top again, once.
    vm.apply_call(call("B001", 2, recall=1))
    assert vm.view.calls[0].number == "B001" and vm.view.calls[0].recall == 1
    assert [c.number for c in vm.view.calls].count("B001") == 1


def test_board_retained_state_is_the_truth(cfg) -> None:
    vm = BoardVM(cfg, fixed())
    vm.apply_call(call("Z999", 9))
    vm.apply_board(board_state([("A001", 1)]))      # after a restart: only what the server says
    assert [c.number for c in vm.view.calls] == ["A001"]


def test_board_posts_leader_and_categories(cfg) -> None:
    vm = BoardVM(cfg, fixed())
    vm.apply_board(board_state([]))
    vm.apply_queues(S.QueuesState(business_day="2026-11-25", at=AT, items=[
        S.QueueInfo(item="SC-0101", category="market", waiting=40, longest_wait_minutes=50, wait_minutes=[30, 60],
                    issued_today=40, daily_cap=None, full=False, paused=False, over_standard=True)]))
    v = vm.view
    post3 = next(p for p in v.posts if p.window == 3)
    assert post3.responsible == "张海峰" and post3.status.zh == "暂停服务"   # public by policy (定岗定责)
    assert len(v.posts) == len(cfg.windows)
    assert v.duty_leader.zh and not v.duty_leader_published              # from the config's roster
    assert v.notices == ("政务公开一", "政务公开二")
    cats = {c.key: c for c in v.categories}
    market = next(c for c in v.categories if c.waiting == 40)
    assert market.over_standard and "30–60" in market.wait.zh
    assert v.date.zh == "2026年11月25日 星期三" and v.time == "09:30"
    assert cats


def test_board_marks_stale_and_ticks_only_on_minute_change(cfg) -> None:
    t = [datetime(2026, 11, 25, 9, 30, 5, tzinfo=TZ)]
    vm = BoardVM(cfg, Clock("Asia/Shanghai", lambda: t[0]))
    assert vm.tick() is False
    t[0] = datetime(2026, 11, 25, 9, 31, tzinfo=TZ)
    assert vm.tick() is True and vm.view.time == "09:31"
    vm.set_online(False)
    assert vm.view.stale is not None and "中断" in vm.view.stale.zh


def test_window_headlines(cfg) -> None:
    vm = WindowVM(cfg, 3)
    assert vm.view.headline.zh == "正在连接…"
    vm.apply_window(window_state(current="F003", current_status="called", clerk="张三"))
    v = vm.view
    assert v.headline.zh == "请 F003 号" and v.ticket == "F003" and v.title.zh == "3号窗口"
    assert v.staff.zh == "工作人员：张*" and "张海峰" in v.responsible.zh
    assert vm.led_state().status is Led.SERVING and vm.led_state().ticket_number == "F003"
    vm.apply_window(window_state(status="paused"))
    assert vm.view.headline.zh == "暂停服务" and vm.led_state().status is Led.PAUSED
    vm.apply_window(window_state(status="closed"))
    assert vm.view.headline.zh == "窗口已关闭" and vm.led_state().status is Led.CLOSED
    vm.apply_window(window_state(window=4, status="open"))        # another window: ignored
    assert vm.view.headline.zh == "窗口已关闭"


def test_window_flashes_on_call_and_recall_only_for_itself(cfg) -> None:
    vm = WindowVM(cfg, 3)
    vm.apply_call(call("F003", 3))
    vm.apply_call(call("F003", 3, recall=1))
    vm.apply_call(call("A001", 1))
    assert vm.view.flash == 2


def test_led_worker_shows_latest_state_once() -> None:
    board = RecordingBoard("led-05")
    led = LedWorker(board).start()
    vm_states = [Led.IDLE, Led.SERVING]
    from devices.board_protocol import WindowDisplayState
    led.show(WindowDisplayState("5", vm_states[1], "E007"))
    led.show(WindowDisplayState("5", vm_states[1], "E007"))     # unchanged: not sent again
    led.stop()
    assert board.states == [WindowDisplayState("5", Led.SERVING, "E007")]


def test_board_lists_the_missed_numbers_until_they_are_reinstated(cfg) -> None:
    vm = BoardVM(cfg, fixed())
    state = board_state([("A003", 1)])
    vm.apply_board(state.model_copy(update={"recent_no_shows": [S.RecentCall(number="A002", window=1, at=AT),
                                                                S.RecentCall(number="B001", window=2, at=AT)]}))
    assert vm.view.missed == ("A002", "B001")
    vm.apply_board(state)                       # reinstated (or a server without the field): gone
    assert vm.view.missed == ()
