"""Every role tries every other role's topics and commands: the broker (reason code 135,
or no delivery) or the server (not_authorized) refuses each one.

The policy is written out here independently of the code that generates the ACL.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from queue_server.mqtt.broker import Credentials
from queue_server.mqtt.link import Link, LinkOptions
from queue_server.mqtt.topics import SERVER_ID, Topics

ROLES = ["kiosk-01", "clerk-01", "clerk-03", "display-01", "led-05", "rating-01", "board-01",
         "announcer-01", "manager-01"]
NOT_AUTHORIZED = 135


def may_read(t: Topics, who: str) -> list[str]:
    """The read policy, per identity (besides its own reply/presence/health)."""
    srv = t.presence(SERVER_ID)
    return {
        "kiosk-01": [t.queues, t.board, srv],
        "clerk-01": [t.all_windows, t.queues, t.board, t.all_calls, srv],
        "clerk-03": [t.all_windows, t.queues, t.board, t.all_calls, srv],
        "display-01": [t.window(1), t.call(1), srv],
        "led-05": [t.window(5), t.call(5), srv],
        "rating-01": [t.window(1), srv],
        "board-01": [t.board, t.queues, t.all_calls, srv],
        "announcer-01": [t.board, t.all_calls, srv],
        "manager-01": [f"{t.base}/state/#", t.all_presence, f"{t.base}/event/#"],
    }[who]


def may_write(t: Topics, who: str) -> list[str]:
    return [t.cmd(who), t.presence(who), t.health(who)]


def every_topic(t: Topics) -> list[str]:
    topics = [t.board, t.queues, t.devices, t.window(1), t.window(3), t.window(5), t.call(1), t.call(3),
              t.call(5), t.presence(SERVER_ID), t.reply(SERVER_ID), t.cmd(SERVER_ID)]
    for who in ROLES:
        topics += [t.cmd(who), t.reply(who), t.presence(who), t.health(who)]
    return topics


class Probe:
    """A raw connection as one identity, recording SUBACK/PUBACK reason codes and deliveries."""

    def __init__(self, creds: Credentials, who: str):
        self.got: list[str] = []
        self.suback: dict[int, list[int]] = {}
        self.link = Link(LinkOptions.of(creds, who, client_id=f"{who}-probe", clean_start=True, session_expiry=0),
                         on_message=lambda m: self.got.append(m.topic))
        self.link.client.on_subscribe = self._on_sub
        self.done = threading.Event()

    def _on_sub(self, _c: Any, _u: Any, mid: int, codes: list[Any], _p: Any) -> None:
        self.suback[mid] = [c.value for c in codes]


def _topic_matches(pattern: str, topic: str) -> bool:
    return mqtt.topic_matches_sub(pattern, topic)


def test_broker_refuses_every_foreign_publish(server, creds: Credentials, cfg) -> None:
    t = Topics(cfg.hall.id)
    for who in ROLES:
        p = Probe(creds, who)
        p.link.start()
        try:
            sent = []
            for topic in every_topic(t):
                info = p.link.publish(topic, b'{"v":1}', qos=1)
                sent.append((topic, info))
            for _, info in sent:
                info.wait_for_publish(5)
            refused = {mid for mid, code in p.link.refused if code == NOT_AUTHORIZED}
            allowed = may_write(t, who)
            for topic, info in sent:
                if topic in allowed:
                    assert info.mid not in refused, f"{who} was refused its own {topic}"
                else:
                    assert info.mid in refused, f"{who} could publish on {topic}"
        finally:
            p.link.stop()


def test_broker_delivers_nothing_a_role_may_not_read(server, device, creds: Credentials, cfg) -> None:
    t = Topics(cfg.hall.id)
    probes = {who: Probe(creds, who) for who in ROLES}
    for p in probes.values():
        p.link.start()
    try:
        for who, p in probes.items():
            p.link.client.subscribe([(topic, 1) for topic in every_topic(t)])
        time.sleep(0.3)
        # Live traffic on every kind of topic while they listen (retained state is already there).
        kiosk, clerk = device("kiosk-01"), device("clerk-01")
        kiosk.request("IssueTicket", {"item": "SC-0101"})
        clerk.request("CallNext", {"window": 1})
        device("clerk-03").request("CallNext", {"window": 3})
        device("manager-01").request("PauseItem", {"item": "SF-0301"})
        time.sleep(0.8)
        for who, p in probes.items():
            readable = may_read(t, who) + [t.reply(who), t.presence(who), t.health(who)]
            leaked = [topic for topic in p.got if not any(_topic_matches(r, topic) for r in readable)]
            assert not leaked, f"{who} received {sorted(set(leaked))}"
            assert p.got, f"{who} received nothing at all (its allowed retained state is missing)"
    finally:
        for p in probes.values():
            p.link.stop()


# One representative request per command kind (window 1 is clerk-01's, 3 is clerk-03's).
COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("IssueTicket", {"item": "SC-0101"}), ("CheckIn", {"code": "X1"}),
    ("BookAppointment", {"code": "B1", "item": "SC-0101", "day": "2026-11-26",
                         "start": "2026-11-26T09:00+08:00", "end": "2026-11-26T09:30+08:00"}),
    ("CallNext", {"window": 1}), ("CallNext", {"window": 3}), ("CallTicket", {"window": 1, "number": "A001"}),
    ("Recall", {"window": 1}), ("MarkNoShow", {"window": 3}), ("Reinstate", {"number": "A001"}),
    ("StartService", {"window": 1}), ("FinishService", {"window": 3}), ("Transfer", {"window": 1, "to_window": 2}),
    ("Hold", {"window": 3}), ("Resume", {"window": 1, "number": "A001"}), ("AddItem", {"window": 3, "item": "SF-0302"}),
    ("OpenWindow", {"window": 1}), ("PauseWindow", {"window": 3}), ("CloseWindow", {"window": 5}),
    ("AssignItems", {"window": 1, "items": ["SC-0101"]}), ("PauseItem", {"item": "SC-0103"}),
    ("ResumeItem", {"item": "SC-0103"}), ("SetDailyCap", {"item": "SC-0103", "cap": 50}),
    ("CloseDay", {}),
    ("VoidIssue", {"command_id": "never-sent"}),
    # Case commands (issue 7): opening is bound to the clerk's own window.
    ("OpenCase", {"item": "SC-0101", "applicant_name": "张三", "by": "王建国", "window": 1}),
    ("OpenCase", {"item": "SF-0301", "applicant_name": "李四", "by": "张海峰", "window": 3}),
    ("CompleteCase", {"case": "XC01-20261125-0001", "approved": True, "by": "王建国"}),
    ("RateCase", {"case": "XC01-20261125-0001", "level": "satisfied"}),
    ("SubmitFeedback", {"kind": "comment", "text": "大厅很整洁", "source": "kiosk"}),
    ("RouteFeedback", {"entry": "X", "to": "办公室", "by": "主任"}),
    ("RateService", {"window": 1, "number": "A001", "level": "satisfied"}),
    ("RateService", {"window": 3, "number": "C001", "level": "satisfied"}),
]
CLERK_CASE = {"CompleteCase", "SubmitFeedback"}
CLERK_WINDOW = {"CallNext", "CallTicket", "Recall", "MarkNoShow", "StartService", "FinishService", "Transfer",
                "Hold", "Resume", "AddItem", "OpenWindow", "PauseWindow", "CloseWindow", "OpenCase"}


def allowed(who: str, kind: str, args: dict[str, Any]) -> bool:
    if kind == "VoidIssue":            # a kiosk's own undelivered issue: kiosks only
        return who.startswith("kiosk")
    if who.startswith("manager"):
        return True
    if who.startswith("kiosk"):
        return kind in {"IssueTicket", "CheckIn", "SubmitFeedback", "VoidIssue"}
    if who.startswith("rating"):       # rating-01 belongs to window 1
        return kind in {"RateCase", "SubmitFeedback"} or (kind == "RateService" and args.get("window") == 1)
    if who.startswith("clerk"):
        own = int(who.split("-")[1])
        return kind == "Reinstate" or kind in CLERK_CASE or (kind in CLERK_WINDOW and args.get("window") == own)
    return False


@pytest.mark.parametrize("who", ROLES)
def test_server_refuses_commands_outside_a_role(who: str, server, device) -> None:
    client = device(who)
    for kind, args in COMMANDS:
        if kind == "CloseDay" and who.startswith("manager"):
            continue  # would end the day for the rest of the matrix; covered by allowed() anyway
        reply = client.request(kind, args)
        code = reply.error.code if reply.error else None
        if allowed(who, kind, args):
            assert code != "not_authorized", f"{who} was refused {kind} {args}"
        else:
            assert code == "not_authorized", f"{who} could send {kind} {args}: {reply}"
            assert reply.error and reply.error.message == "无权执行此操作"
