"""Build ``docs/asyncapi.yaml`` (AsyncAPI 3.0) from the code's own topics and schemas.

Run ``python -m queue_server.mqtt.asyncapi > docs/asyncapi.yaml`` after changing a
payload; a test fails while the document and the code disagree.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import TypeAdapter

from ..cases.commands import CASE_COMMANDS
from ..engine.commands import COMMANDS
from . import schemas as S
from .topics import ROOT, SERVER_ID

REF = "#/components/schemas/{model}"

# channel key -> (address, message, description, retained)
CHANNELS: dict[str, tuple[str, str, str, bool]] = {
    "command": ("cmd/{device}", "CommandRequest",
                "A device's commands (only that device may publish; QoS 1, response topic + correlation data).", False),
    "reply": ("reply/{device}", "Reply",
              "Answers to that device's commands, with the request's correlation data (only that device reads).", False),
    "board": ("state/board", "BoardState", "The hall board (retained).", True),
    "window": ("state/window/{window}", "WindowDisplay", "One window's display (retained).", True),
    "queues": ("state/queues", "QueuesState", "Queue lengths and wait estimates per item (retained).", True),
    "devices": ("state/devices", "DevicesState", "Every device's presence and health, for managers (retained).", True),
    "cases": ("state/cases", "CasesOverview",
              "Case deadline warnings and proxied cases, for managers (retained).", True),
    "deviceHealth": ("state/device/{device}", "DeviceHealth", "A device's own health report (retained).", True),
    "presence": ("presence/{device}", "Presence",
                 "Online on connect, offline as the last will (retained). The server is device yimen-server.", True),
    "call": ("event/call/{window}", "CallEvent",
             f"A ticket called to a window: not retained, message expiry {S.CALL_EXPIRY_S} s.", False),
}

PARAMS = {
    "hall": {"description": "the hall id from [hall] id"},
    "device": {"description": f"a device id from [[devices]], or {SERVER_ID}"},
    "window": {"description": "a window number"},
}


def _schemas() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, schema in S.json_schemas().items():
        out.update(schema.pop("$defs", {}))
        out[name] = schema
    for kind, cls in sorted({**COMMANDS.by_name, **CASE_COMMANDS.by_name}.items()):
        schema = TypeAdapter(cls).json_schema(ref_template=REF)
        out.update(schema.pop("$defs", {}))
        out[f"{kind}Args"] = schema
    return dict(sorted(out.items()))


def _channel(key: str) -> dict[str, Any]:
    address, message, description, _ = CHANNELS[key]
    full = f"{ROOT}/{{hall}}/{address}"
    params = {p: dict(PARAMS[p]) for p in PARAMS if "{" + p + "}" in full}
    return {"address": full, "description": description, "parameters": params,
            "messages": {message: {"$ref": f"#/components/messages/{message}"}}}


def _operation(key: str, action: str) -> dict[str, Any]:
    retained = CHANNELS[key][3]
    op: dict[str, Any] = {"action": action, "channel": {"$ref": f"#/channels/{key}"},
                          "bindings": {"mqtt": {"qos": 1, "retain": retained}}}
    if key == "command":
        op["reply"] = {"channel": {"$ref": "#/channels/reply"},
                       "address": {"location": "$message.header#/responseTopic"}}
    return op


def _messages() -> dict[str, Any]:
    msgs: dict[str, Any] = {}
    for key, (_, message, description, _) in CHANNELS.items():
        m: dict[str, Any] = {"name": message, "contentType": "application/json", "summary": description,
                             "payload": {"$ref": f"#/components/schemas/{message}"}}
        if key in ("command", "reply"):
            m["correlationId"] = {"location": "$message.header#/correlationData"}
        if key == "call":
            m["bindings"] = {"mqtt": {"messageExpiryInterval": S.CALL_EXPIRY_S}}
        msgs[message] = m
    return msgs


def document() -> dict[str, Any]:
    commands = ", ".join(sorted({**COMMANDS.by_name, **CASE_COMMANDS.by_name}))
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "yimen hall MQTT API / 一门 大厅消息接口",
            "version": f"{S.VERSION}.0.0",
            "description": (
                "Every device talks to the hall's queue server through the hall's Mosquitto broker, MQTT v5 only. "
                "Every payload is JSON with \"v\": 1. Commands: " + commands + ". Each command's arguments are the "
                "schema <Kind>Args. Refusal codes are the closed set in queue_server/engine/rejections.py plus "
                "unknown_command. Generated from the code by `python -m queue_server.mqtt.asyncapi`."),
        },
        "defaultContentType": "application/json",
        "servers": {"hall": {"host": "127.0.0.1:1883", "protocol": "mqtt", "protocolVersion": "5",
                             "description": "the hall's own broker ([broker] host/port; TLS when configured)",
                             "security": [{"$ref": "#/components/securitySchemes/deviceIdentity"}]}},
        "channels": {key: _channel(key) for key in CHANNELS},
        "operations": {
            "sendCommand": _operation("command", "send"),
            "receiveReply": _operation("reply", "receive"),
            "receiveBoard": _operation("board", "receive"),
            "receiveWindow": _operation("window", "receive"),
            "receiveQueues": _operation("queues", "receive"),
            "receiveDevices": _operation("devices", "receive"),
            "sendDeviceHealth": _operation("deviceHealth", "send"),
            "sendPresence": _operation("presence", "send"),
            "receiveCall": _operation("call", "receive"),
        },
        "components": {
            "securitySchemes": {"deviceIdentity": {
                "type": "userPassword",
                "description": "one identity per device (username = device id), passwords in the hall's "
                               "credentials.json (0600); an ACL file grants each identity only its own topics"}},
            "messages": _messages(),
            "schemas": _schemas(),
        },
    }


def render() -> str:
    import yaml  # a documentation tool only; not needed to run the hall

    header = "# Generated by `python -m queue_server.mqtt.asyncapi`; do not edit by hand.\n"
    return header + yaml.safe_dump(document(), allow_unicode=True, sort_keys=False, width=100)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
