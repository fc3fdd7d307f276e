"""Kiosk issues, clerk calls; the window display and the board show it — also to mosquitto_sub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from queue_server.mqtt import schemas as S
from queue_server.mqtt.broker import Credentials, free_port
from queue_server.mqtt.client import HallClient
from queue_server.mqtt.topics import Topics

from .conftest import NOW, REPO, Inbox


def _sub(creds: Credentials, user: str, topic: str, count: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["mosquitto_sub", "-V", "mqttv5", "-h", creds.host, "-p", str(creds.port), "-u", user,
         "-P", creds.password(user), "-t", topic, "-C", str(count), "-W", "10", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kiosk_issues_clerk_calls_display_and_board_show_it(server, device, creds, cfg) -> None:
    kiosk, clerk, display, board = (device(d) for d in ("kiosk-01", "clerk-01", "display-01", "board-01"))
    window, boards, calls = Inbox(), Inbox(), Inbox()
    display.on_window(1, window)
    display.on_calls(calls, window=1)
    board.on_board(boards)

    issued = kiosk.request("IssueTicket", {"item": "SC-0101"})
    assert issued.ok and not issued.duplicate
    number = issued.result["ticket"]["number"]
    assert issued.result["ticket"]["windows"][0] == 1
    called = clerk.request("CallNext", {"window": 1})
    assert called.ok, called.error
    assert called.result["events"][0] == {**called.result["events"][0], "type": "TicketCalled", "number": number}

    shown = window.wait_for(lambda w: w.current == number)
    assert shown.current_status == "called" and shown.window == 1
    b = boards.wait_for(lambda b: any(c.number == number for c in b.recent_calls))
    assert any(w.window == 1 and w.current == number for w in b.windows)
    # 定岗定责 and the leader on duty: 17 working days after 2 Nov in a rotation of 5 -> the third.
    assert next(w for w in b.windows if w.window == 1).responsible == "王建国"
    assert b.duty_leader == "杨副县长"
    call = calls.wait_for(lambda c: c.number == number)
    assert call.window == 1 and call.recall == 0 and call.window_name == "食品经营许可窗口"

    # A client nobody here wrote reads the same retained state.
    t = Topics(cfg.hall.id)
    out = _sub(creds, "display-01", t.window(1), 1).communicate(timeout=15)[0]
    assert S.WindowDisplay.model_validate_json(out.strip()).current == number
    out = _sub(creds, "board-01", t.board, 1).communicate(timeout=15)[0]
    assert json.loads(out)["recent_calls"][0]["number"] == number


def test_call_events_carry_expiry_and_are_not_retained(server, device, creds, cfg) -> None:
    kiosk, clerk = device("kiosk-01"), device("clerk-01")
    t = Topics(cfg.hall.id)
    sub = _sub(creds, "display-01", t.call(1), 1, "-F", "%r %E %p")
    time.sleep(0.3)
    kiosk.request("IssueTicket", {"item": "SC-0101"})
    assert clerk.request("CallNext", {"window": 1}).ok
    out = sub.communicate(timeout=15)[0].strip()
    retained, expiry, payload = out.split(" ", 2)
    assert retained == "0" and 0 < int(expiry) <= S.CALL_EXPIRY_S
    assert S.CallEvent.model_validate_json(payload).window == 1
    # Nothing is retained on a call topic: a display coming later never announces it.
    late = _sub(creds, "display-01", t.call(1), 1, "-W", "1").communicate(timeout=15)[0]
    assert late == ""


def test_retained_state_repaints_a_new_screen(server, device) -> None:
    kiosk = device("kiosk-01")
    for _ in range(3):
        assert kiosk.request("IssueTicket", {"item": "WS-0201"}).ok
    time.sleep(0.2)
    queues = Inbox()
    device("board-01").on_queues(queues)
    q = queues.wait_for(lambda q: True)
    assert next(i for i in q.items if i.item == "WS-0201").waiting == 3


def test_presence_and_devices_summary(server, device) -> None:
    manager = device("manager-01")
    states = Inbox()
    manager.on_devices(states)
    kiosk = device("kiosk-02")
    states.wait_for(lambda s: next(d for d in s.devices if d.id == "kiosk-02").online is True)
    kiosk.report_health(False, [S.Fault(device="printer-02", reason="paper_out", consequence="cannot_print")])
    s = states.wait_for(lambda s: next(d for d in s.devices if d.id == "kiosk-02").ok is False)
    assert next(d for d in s.devices if d.id == "kiosk-02").faults[0].reason == "paper_out"
    # A device that vanishes without a goodbye: the broker publishes its last will.
    kiosk.link.client._sock.close()  # type: ignore[union-attr]  # simulate a pulled cable
    kiosk.link.client.loop_stop()
    states.wait_for(lambda s: next(d for d in s.devices if d.id == "kiosk-02").online is False, timeout=40)


def test_yimen_hall_command_runs_broker_and_server(tmp_path: Path, cfg) -> None:
    port = free_port()
    env = {**os.environ, "YIMEN_NOW": NOW}
    proc = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "hall", str(REPO / "config" / "county-hall.toml"),
                             "--data", str(tmp_path), "--broker-port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        creds_path = tmp_path / "broker" / "credentials.json"
        deadline = time.monotonic() + 15
        while not creds_path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with HallClient(cfg, "kiosk-01", creds_path) as kiosk:
            r = kiosk.request("IssueTicket", {"item": "SC-0101"}, timeout=15)
        assert r.ok and r.result["ticket"]["number"] == "A001"
        # Staff at a terminal: while the server owns the hall, the CLI goes through it.
        cli = [sys.executable, "-m", "queue_server.cli"]
        conf = str(REPO / "config" / "county-hall.toml")
        issued = subprocess.run([*cli, "issue", conf, "SC-0101", "--data", str(tmp_path)], env=env,
                                capture_output=True, text=True, timeout=30)
        assert issued.returncode == 0, issued.stderr
        assert "ticket A002" in issued.stdout
        shown = subprocess.run([*cli, "queues", conf, "--data", str(tmp_path), "--json"], env=env,
                               capture_output=True, text=True, timeout=30)
        items = {q["item"]: q for q in json.loads(shown.stdout)["items"]}
        assert items["SC-0101"]["waiting"] == 2 and items["SC-0101"]["issued_today"] == 2
        refused = subprocess.run([*cli, "call", conf, "77", "--data", str(tmp_path)], env=env,
                                 capture_output=True, text=True, timeout=30)
        assert refused.returncode == 1 and "unknown_window" in refused.stderr
        # A second hall on the same port says plainly what to do.
        again = subprocess.run([sys.executable, "-m", "queue_server.cli", "hall", str(REPO / "config" / "county-hall.toml"),
                                "--data", str(tmp_path / "other"), "--broker-port", str(port)],
                               env=env, capture_output=True, text=True, timeout=30)
        assert again.returncode == 4
        assert "already in use" in again.stderr and "--broker-port" in again.stderr and "已被占用" in again.stderr
    finally:
        proc.terminate()
        proc.wait(15)
    assert proc.returncode == 0
