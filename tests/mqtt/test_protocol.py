"""Duplicates, replays and malformed requests: each gets an answer; the hall keeps serving."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from queue_server.engine.events import TicketIssued
from queue_server.mqtt import schemas as S

ID_NUMBER = "110101199003070011"   # a computed test number (field notes), never a real person


def _raw(client, body: bytes) -> S.Reply:
    return client.request_raw(body, uuid.uuid4().bytes, timeout=5, retry_every=5)


def _count(hall) -> int:
    return sum(1 for _, e in hall.store.events() if isinstance(e, TicketIssued))


def test_replayed_command_gets_the_original_answer_and_changes_nothing(server, device, hall) -> None:
    kiosk = device("kiosk-01")
    first = kiosk.request("IssueTicket", {"item": "SC-0101"}, command_id="visit-42")
    for _ in range(3):
        again = kiosk.request("IssueTicket", {"item": "SC-0101"}, command_id="visit-42")
        assert again.duplicate and again.ok and again.result == first.result
    assert _count(hall) == 1
    # The same raw message published five times at once (a redelivery storm).
    body = S.dump(S.CommandRequest(id="visit-43", kind="IssueTicket", args={"item": "SC-0101"}))
    for _ in range(5):
        kiosk.link.publish(kiosk.topics.cmd("kiosk-01"), body)
    assert kiosk.request("IssueTicket", {"item": "SC-0101"}, command_id="visit-43").duplicate
    assert _count(hall) == 2


def test_command_ids_belong_to_their_device(server, device, hall) -> None:
    """kiosk-02 reusing kiosk-01's id gets its own ticket, never kiosk-01's answer."""
    a = device("kiosk-01").request("IssueTicket", {"item": "SC-0101"}, command_id="same")
    b = device("kiosk-02").request("IssueTicket", {"item": "SC-0101"}, command_id="same")
    assert a.ok and b.ok and not b.duplicate
    assert a.result["ticket"]["number"] != b.result["ticket"]["number"]
    assert b.result["ticket"]["number"] and _count(hall) == 2


def test_kiosk_cannot_claim_another_source(server, device) -> None:
    r = device("kiosk-01").request("IssueTicket", {"item": "SC-0101", "source": "kiosk-02"})
    assert r.result["events"][0]["source"] == "kiosk-01"


@pytest.mark.parametrize("body, code, where", [
    (b"not json", "invalid_command", "payload"),
    (b"[1, 2]", "invalid_command", "payload"),
    (b"\xff\xfe", "invalid_command", "payload"),
    (b'{"v": 2, "id": "x", "kind": "CallNext", "args": {"window": 1}}', "invalid_command", "v"),
    (b'{"v": 1, "kind": "CallNext", "args": {"window": 1}}', "invalid_command", "id"),
    (b'{"v": 1, "id": "", "kind": "CallNext", "args": {"window": 1}}', "invalid_command", "id"),
    (b'{"v": 1, "id": "x", "kind": "FlyToMoon", "args": {}}', "unknown_command", "kind"),
    (b'{"v": 1, "id": "x", "kind": "CallNext", "args": {}}', "invalid_command", "args.window"),
    (b'{"v": 1, "id": "x", "kind": "CallNext", "args": {"window": "one"}}', "invalid_command", "args.window"),
    (b'{"v": 1, "id": "x", "kind": "CallNext", "args": [1]}', "invalid_command", "args"),
    (b'{"v": 1, "id": "x", "kind": "CallNext", "args": {"window": 1, "extra": 1}}', "invalid_command", "args.extra"),
    (b'{"v": 1, "id": "x", "kind": "CallNext", "args": {"window": 1}, "more": 1}', "invalid_command", "more"),
    (b'{"v": 1, "id": "x", "kind": "IssueTicket", "args": {"item": "SC-0101", "junk": "' + b"x" * 70000 + b'"}}',
     "invalid_command", "payload"),
    (b"[" * 100000 + b"]" * 100000, "invalid_command", "payload"),
    (b"[" * 20000 + b"]" * 20000, "invalid_command", "payload"),
])
def test_malformed_requests_get_a_code_and_a_message(server, device, body: bytes, code: str, where: str) -> None:
    clerk = device("clerk-01")
    r = _raw(clerk, body)
    assert not r.ok and r.error is not None
    assert r.error.code == code and r.error.message and r.error.message_en
    assert r.error.detail.startswith(where), r.error.detail
    still = clerk.request("CallNext", {"window": 1})          # and the hall keeps serving
    assert still.ok or still.error.code == "queue_empty"


def test_logs_carry_no_personal_data(server, device, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    kiosk = device("kiosk-01")
    secret_hash = "f" * 64
    kiosk.request("IssueTicket", {"item": "SC-0101", "id_number": ID_NUMBER})
    kiosk.request("IssueTicket", {"item": "SC-0101", "id_hash": 110101199003070011})
    kiosk.request("IssueTicket", {"item": "SC-0101", "id_hash": secret_hash})
    _raw(kiosk, json.dumps({"v": 1, "id": ID_NUMBER[:4], "kind": ID_NUMBER, "args": {"id": ID_NUMBER}}).encode())
    text = caplog.text
    assert ID_NUMBER not in text and secret_hash not in text
    assert "refused" in text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
requests = st.fixed_dictionaries(
    {}, optional={"v": st.sampled_from([1, 2, "1", None]), "id": st.text(max_size=90) | st.integers(),
                  "kind": st.sampled_from(["CallNext", "IssueTicket", "Transfer", "SetDailyCap"]) | st.text(max_size=12),
                  "args": json_values | st.fixed_dictionaries({}, optional={
                      "window": json_values, "item": json_values, "cap": json_values, "number": json_values})})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=200) | requests.map(lambda d: json.dumps(d).encode()))
def test_fuzzed_payloads_always_get_an_answer(server, device, payload: bytes) -> None:
    manager = _manager(device)
    r = _raw(manager, payload)
    assert r.ok or (r.error is not None and r.error.code and r.error.message)


_MANAGERS: dict[int, object] = {}


def _manager(device):
    """One client across hypothesis examples (the fixture is function-scoped)."""
    key = id(device)
    if key not in _MANAGERS:
        _MANAGERS.clear()
        _MANAGERS[key] = device("manager-01")
    return _MANAGERS[key]


def test_server_still_serves_after_the_fuzzing(server, device) -> None:
    assert device("kiosk-01").request("IssueTicket", {"item": "SC-0101"}).ok
