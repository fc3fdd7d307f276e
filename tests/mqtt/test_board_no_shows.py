"""过号 on the board, through the real broker: a number marked no-show is listed until
it is reinstated."""

from __future__ import annotations

from .conftest import Inbox


def test_given_a_no_show_then_the_board_lists_it_until_it_is_reinstated(server, device) -> None:
    kiosk, clerk, manager = device("kiosk-01"), device("clerk-01"), device("manager-01")
    boards = Inbox()
    device("board-01").on_board(boards)
    for _ in range(2):
        assert kiosk.request("IssueTicket", {"item": "SC-0101"}).ok
    first = clerk.request("CallNext", {"window": 1}).result["events"][0]["number"]
    assert clerk.request("MarkNoShow", {"window": 1}).ok
    missed = boards.wait_for(lambda b: [c.number for c in b.recent_no_shows] == [first])
    assert missed.recent_no_shows[0].window == 1
    assert first not in [c.number for c in missed.recent_calls]
    boards.items.clear()                         # only boards published from here on count
    assert manager.request("Reinstate", {"number": first}).ok
    back = boards.wait_for(lambda b: b.recent_no_shows == [])
    assert back.waiting and sum(i.waiting for i in back.waiting) == 2
