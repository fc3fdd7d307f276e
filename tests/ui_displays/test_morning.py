"""A whole morning with the real apps: the kiosk identity issues, clerks call at once,
the manager moves an item, a display restarts (retained state, no replayed call), a
ticket is finished and rated — with a screenshot of every app checked."""

from __future__ import annotations

import shutil

import pytest

from .conftest import IMG, pixel_stats
from .test_displays import called

pytestmark = pytest.mark.display


def keep(png, name: str, size: tuple[int, int]) -> None:
    got, var = pixel_stats(png)
    assert got == size and var > 200, f"{png}: {got}, variance {var:.0f}"
    shutil.copy(png, IMG / name)


def test_a_morning_in_the_hall(server, device, apps) -> None:
    kiosk = device("kiosk-01")
    clerks = {n: device(f"clerk-{n:02d}") for n in (2, 3)}
    for item in ["SC-0101"] * 4 + ["WS-0201"] * 3 + ["SF-0301"] * 2 + ["SC-0102"] * 2:
        assert kiosk.request("IssueTicket", {"item": item}).ok
    board = apps("board-01")
    display = apps("display-01", "1280x720")
    clerk = apps("clerk-01", "800x600")
    manager = apps("manager-01", "1280x800")
    rating = apps("rating-01", "800x480")

    # Three windows call within a moment: the board keeps every one of them.
    clerk.shot_until("clerk-ready", lambda t: "本窗口事项排队" in t and "等候" in t)
    assert clerk.ask({"key": "f1"})["ok"]
    n2 = called(clerks[2].request("CallNext", {"window": 2}))
    n3 = called(clerks[3].request("CallNext", {"window": 3}))
    _, text = clerk.shot_until("clerk-called", lambda t: "已叫号 A001" in t)
    png, text = board.shot_until("board", lambda t: all(n in t for n in ("A001", n2, n3)))
    keep(png, "board-morning.png", (1920, 1080))
    assert "今日值班领导" in text and "王建国" in text and "政务公开" in text
    png, text = display.shot_until("display", lambda t: "请 A001 号" in t)
    keep(png, "window-called.png", (1280, 720))

    # Served and finished at window 1: the rating pad asks, the citizen taps 满意.
    clerk.ask({"press": "start"})
    clerk.shot_until("clerk-serving", lambda t: "开始办理 A001" in t)
    clerk.ask({"press": "finish"})
    png, text = clerk.shot_until("clerk-finished", lambda t: "A001 已办结" in t)
    keep(png, "clerk-finished.png", (800, 600))
    png, text = rating.shot_until("rating-ask", lambda t: "请您对 A001 号的本次服务进行评价" in t)
    keep(png, "rating-ask.png", (800, 480))
    assert all(level in text for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"))
    rating.ask({"tap": "satisfied"})
    _, text = rating.shot_until("rating-thanks", lambda t: "感谢您的评价" in t)
    rating.shot_until("rating-sent", lambda t: bool(rating.state.get("replies")))
    sent = rating.state["sent"][0]
    assert sent == {"kind": "RateService", "args": {"window": 1, "number": "A001", "level": "satisfied",
                                                    "business_day": "2026-11-25"}}
    # The server took it (A001 opened no case, so the rating stays with the ticket): outbox empty.
    assert rating.state["replies"][0]["ok"] is True and rating.state["pending"] == 0

    # The manager moves SC-0102 to window 13 (first in its order) and pauses window 2.
    manager.shot_until("manager-ready", lambda t: "SC-0102" in t and "13号" in t)
    manager.ask({"select": {"item": "SC-0102", "window": 13}})
    manager.ask({"act": "move_here"})
    manager.shot_until("manager-moved", lambda t: "移动事项：已完成" in t)
    assert manager.state["items"]["13"][0] == "SC-0102" and "SC-0102" not in manager.state["items"]["1"]
    manager.ask({"select": {"window": 2}})
    manager.ask({"act": "pause"})
    png, text = manager.shot_until("manager", lambda t: "暂停窗口：已完成" in t and "暂停服务" in t)
    keep(png, "manager-overview.png", (1280, 800))
    assert "超出服务标准" in text or "暂无告警" in text

    # The window display restarts: the retained state repaints it, no call is replayed.
    display.stop()
    display = apps("display-01", "1280x720", "display-01-restarted")
    png, text = display.shot_until("display-restarted", lambda t: "欢迎光临" in t)
    assert display.state["flash"] == 0
    board.shot_until("board-paused", lambda t: "暂停服务" in t)
