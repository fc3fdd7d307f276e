"""The real clerk console: keyboard and buttons call, the window display follows."""

from __future__ import annotations

import shutil

import pytest

from .conftest import IMG, pixel_stats

pytestmark = pytest.mark.display


def test_clerk_calls_with_f1_and_buttons_display_follows(server, device, apps) -> None:
    kiosk = device("kiosk-01")
    for item in ("SF-0301", "SF-0301", "SF-0302"):
        assert kiosk.request("IssueTicket", {"item": item}).ok
    clerk = apps("clerk-03", "800x600")
    display = apps("display-03", "1280x720")
    clerk.shot_until("ready", lambda t: "本窗口事项排队" in t and "等候3人" in t.replace(" ", "") or "等候2人" in t)
    assert clerk.ask({"key": "f1"})["ok"]
    png, text = clerk.shot_until("called", lambda t: "已叫号 C001" in t)
    assert "C001" in text and "法律援助" in text
    png, _ = display.shot_until("called", lambda t: "请 C001 号" in t)
    clerk.ask({"press": "start"})
    clerk.shot_until("serving", lambda t: "开始办理 C001" in t)
    clerk.ask({"press": "hold"})
    clerk.shot_until("held", lambda t: "C001 已挂起" in t)
    assert clerk.state["held"] == ["C001"]
    clerk.ask({"press": "call_next"})
    png, text = clerk.shot_until("second", lambda t: "已叫号 C002" in t)
    size, var = pixel_stats(png)
    assert size == (800, 600) and var > 200
    assert "C001" in text                                   # on hold, shown for resuming
    shutil.copy(png, IMG / "clerk-console.png")
