"""The broker is killed mid-session and the server is restarted: nothing lost, nothing twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from queue_server.engine.events import TicketCalled, TicketIssued
from queue_server.hall import open_hall
from queue_server.mqtt.server import MqttServer

from .conftest import Inbox


def _issue_many(kiosk, n: int, out: list, errors: list) -> None:
    for _ in range(n):
        try:
            out.append(kiosk.request("IssueTicket", {"item": "WS-0201"}, timeout=20, retry_every=0.5))
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)


def _events(hall, kind):
    return [e for _, e in hall.store.events() if isinstance(e, kind)]


def test_broker_killed_and_restarted_mid_session(server, broker, device, hall) -> None:
    kiosk, clerk, display = device("kiosk-01"), device("clerk-02"), device("display-02")
    window = Inbox()
    display.on_window(2, window)
    replies: list = []
    errors: list = []
    worker = threading.Thread(target=_issue_many, args=(kiosk, 40, replies, errors))
    worker.start()
    while len(replies) < 10:
        time.sleep(0.01)
    broker.kill()                       # SIGKILL: the broker's memory (sessions, retained) is gone
    time.sleep(0.5)
    broker.start()
    worker.join(60)
    assert not errors and len(replies) == 40 and all(r.ok for r in replies)
    numbers = [r.result["ticket"]["number"] for r in replies]
    assert len(set(numbers)) == 40, "a ticket number was handed out twice"
    issued = _events(hall, TicketIssued)
    assert len(issued) == 40 and Counter(e.number for e in issued) == Counter(numbers)

    # Displays repaint from the retained state the server republished after reconnecting.
    called = clerk.request("CallNext", {"window": 2}, timeout=20, retry_every=0.5)
    assert called.ok
    first = called.result["events"][0]["number"]
    shown = window.wait_for(lambda w: w.current == first, timeout=10)
    assert shown.waiting_here == 39
    fresh = Inbox()
    device("board-01").on_board(fresh)
    board = fresh.wait_for(lambda b: bool(b.recent_calls))   # the board repaint is coalesced (<0.5 s)
    assert board.recent_calls[0].number == first
    assert len(_events(hall, TicketCalled)) == 1


def test_clients_ride_through_a_server_restart(broker, cfg, creds, device, tmp_path: Path) -> None:
    kiosk = device("kiosk-01")
    data = tmp_path / "data"
    with open_hall(cfg, data_dir=data) as hall:
        s = MqttServer(hall, creds)
        s.start()
        assert kiosk.request("IssueTicket", {"item": "SC-0101"}).ok
        s.stop()
    replies: list = []
    errors: list = []
    worker = threading.Thread(target=_issue_many, args=(kiosk, 1, replies, errors))
    worker.start()
    time.sleep(1.0)                      # the command waits in the broker / is retried
    assert not replies
    with open_hall(cfg, data_dir=data) as hall:
        s = MqttServer(hall, creds)
        s.start()
        try:
            worker.join(30)
            assert not errors and replies[0].ok and replies[0].result["ticket"]["number"] == "B001"
            # The same command id once more: the original answer, nothing applied twice.
            again = kiosk.request("IssueTicket", {"item": "WS-0201"}, command_id=replies[0].id)
            assert again.duplicate and again.ok and again.result == replies[0].result
            # A different command under a used id is refused, not applied.
            other = kiosk.request("IssueTicket", {"item": "SC-0101"}, command_id=replies[0].id)
            assert other.duplicate and other.error.code == "duplicate_command"
            assert len(_events(hall, TicketIssued)) == 2
        finally:
            s.stop()
