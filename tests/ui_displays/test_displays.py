"""The real board and window display apps (own processes, Xvfb) against a real broker
and server: they show calls, repaint from retained state after a restart, replay nothing."""

from __future__ import annotations

import shutil

import pytest

from .conftest import IMG, pixel_stats

pytestmark = pytest.mark.display


def called(reply) -> str:
    assert reply.ok, reply.error
    return next(e["number"] for e in reply.result["events"] if e["type"] == "TicketCalled")


def check_png(png, size) -> None:
    got, var = pixel_stats(png)
    assert got == size
    assert var > 200, f"{png} looks blank (variance {var:.0f})"


def test_display_and_board_show_calls_and_repaint_after_restart(server, device, apps) -> None:
    kiosk, clerk1, clerk3 = device("kiosk-01"), device("clerk-01"), device("clerk-03")
    for item in ("SC-0101", "SC-0101", "SF-0301"):
        assert kiosk.request("IssueTicket", {"item": item}).ok
    board = apps("board-01")
    display = apps("display-01", "1280x720")
    # Connected and subscribed: the retained state has arrived (two waiting for window 1),
    # so the call event that follows cannot slip past before the subscription.
    display.shot_until("connected", lambda t: "本窗口等候 2 人" in t)
    board.shot_until("connected", lambda t: "王建国" in t and "等候 2 人" in t)
    first = called(clerk1.request("CallNext", {"window": 1}))
    legal = called(clerk3.request("CallNext", {"window": 3}))

    png, text = display.shot_until("call", lambda t: f"请 {first} 号" in t)
    check_png(png, (1280, 720))
    assert "1号窗口" in text and "食品经营许可窗口" in text and "王建国" in text
    assert display.state["flash"] == 1
    png, text = board.shot_until("calls", lambda t: first in t and legal in t)
    check_png(png, (1920, 1080))
    assert "今日值班领导" in text and "政务公开" in text and "张海峰" in text

    # The display restarts while nobody calls: it paints the retained state, no flash.
    display.stop()
    display = apps("display-01", "1280x720", "display-01-again")
    png, text = display.shot_until("restart", lambda t: f"请 {first} 号" in t)
    assert display.state["flash"] == 0, "an old call was replayed after the restart"

    # Served, finished, paused: the display says so.
    for kind in ("StartService", "FinishService", "PauseWindow"):
        assert clerk1.request(kind, {"window": 1}).ok
    png, text = display.shot_until("paused", lambda t: "暂停服务" in t)
    check_png(png, (1280, 720))
    shutil.copy(board.dir / "calls.png", IMG / "board-calls.png")
    shutil.copy(display.dir / "paused.png", IMG / "window-paused.png")


def test_after_a_network_loss_the_display_and_board_say_so_then_repaint_without_replaying(server, broker, device, apps) -> None:
    """Given window 1's display and the board showing a call, when the broker dies (its
    memory gone) and comes back, then both say the link is lost meanwhile, recover by
    themselves, show the next call, and the old call does not flash again."""
    kiosk, clerk = device("kiosk-01"), device("clerk-01")
    for _ in range(3):
        assert kiosk.request("IssueTicket", {"item": "SC-0101"}).ok
    board = apps("board-01")
    display = apps("display-01", "1280x720")
    display.shot_until("before", lambda t: "本窗口等候 3 人" in t)
    board.shot_until("before", lambda t: "等候 3 人" in t)
    first = called(clerk.request("CallNext", {"window": 1}))
    display.shot_until("first", lambda t: f"请 {first} 号" in t)
    assert display.state["flash"] == 1

    broker.kill()                                   # SIGKILL: sessions and retained messages gone
    png, _ = display.shot_until("lost", lambda t: "与服务器的连接中断" in t)
    check_png(png, (1280, 720))
    board.shot_until("lost", lambda t: "与服务器的连接中断" in t)
    broker.start()

    # Back without a restart: the server republishes its retained state.
    display.shot_until("back", lambda t: "与服务器的连接中断" not in t and f"请 {first} 号" in t, timeout=30)
    assert display.state["flash"] == 1, "the old call flashed again after the network came back"
    assert clerk.request("MarkNoShow", {"window": 1}, timeout=20, retry_every=0.5).ok
    second = called(clerk.request("CallNext", {"window": 1}))
    png, text = display.shot_until("second", lambda t: f"请 {second} 号" in t)
    assert display.state["flash"] == 2 and "本窗口等候 1 人" in text
    # The no-show leaves the calls and is listed as missed (过号) instead.
    png, text = board.shot_until("second", lambda t: second in t and f"过号：{first}" in t
                                 and "与服务器的连接中断" not in t, timeout=20)
    check_png(png, (1920, 1080))
