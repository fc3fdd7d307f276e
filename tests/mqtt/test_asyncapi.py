"""docs/asyncapi.yaml cannot drift from the code: same schemas, same topics, real payloads valid."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
import yaml

from queue_server.engine.commands import COMMANDS
from queue_server.mqtt import asyncapi, schemas as S
from queue_server.mqtt.topics import Topics

from .conftest import REPO, Inbox

DOC = REPO / "docs" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return yaml.safe_load(DOC.read_text(encoding="utf-8"))


def test_document_is_what_the_code_generates(doc) -> None:
    assert doc == asyncapi.document(), "regenerate: python -m queue_server.mqtt.asyncapi > docs/asyncapi.yaml"


def test_document_covers_every_payload_command_and_topic(doc) -> None:
    schemas = doc["components"]["schemas"]
    assert doc["asyncapi"] == "3.0.0"
    assert set(S.PAYLOADS) <= set(schemas)
    assert {f"{k}Args" for k in COMMANDS.by_name} <= set(schemas)
    t = Topics("{hall}")
    addresses = {c["address"] for c in doc["channels"].values()}
    for topic in (t.cmd("{device}"), t.reply("{device}"), t.board, t.queues, t.devices, t.window("{window}"),  # type: ignore[arg-type]
                  t.call("{window}"), t.presence("{device}"), t.health("{device}")):  # type: ignore[arg-type]
        assert topic in addresses
    for c in doc["channels"].values():           # every $ref resolves
        for m in c["messages"].values():
            name = m["$ref"].rsplit("/", 1)[-1]
            assert doc["components"]["messages"][name]["payload"]["$ref"] == f"#/components/schemas/{name}"
    refs = re.findall(r"#/components/schemas/(\w+)", DOC.read_text(encoding="utf-8"))
    assert set(refs) <= set(schemas)


def _validate(doc: dict[str, Any], name: str, value: Any) -> None:
    jsonschema.validate(value, {"$ref": f"#/components/schemas/{name}", "components": doc["components"]})


def test_live_payloads_validate_against_the_document(doc, server, device) -> None:
    kiosk, clerk, board = device("kiosk-01"), device("clerk-01"), device("board-01")
    seen: dict[str, Inbox] = {n: Inbox() for n in ("board", "queues", "window", "call")}
    board.on_board(seen["board"])
    board.on_queues(seen["queues"])
    board.on_calls(seen["call"])
    clerk.on_window(1, seen["window"])
    issued = kiosk.request("IssueTicket", {"item": "SC-0101", "priority": "elderly"})
    called = clerk.request("CallNext", {"window": 1})
    refused = kiosk.request("CallNext", {"window": 1})
    for r in (issued, called, refused):
        _validate(doc, "Reply", r.model_dump(mode="json"))
    _validate(doc, "CommandRequest", S.CommandRequest(id="x", kind="CallNext", args={"window": 1}).model_dump())
    _validate(doc, "CallNextArgs", {"window": 1})
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, "CallNextArgs", {"window": "one"})
    for name, model in (("board", "BoardState"), ("queues", "QueuesState"), ("window", "WindowDisplay"),
                        ("call", "CallEvent")):
        value = seen[name].wait_for(lambda _v: True)
        _validate(doc, model, value.model_dump(mode="json"))  # type: ignore[attr-defined]
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc, "WindowDisplay", {"v": 1, "window": 1})
