"""A JSON-lines transport on stdin/stdout: one command per line, one reply per line.

Used for scripting and by the crash test; the hall's devices use MQTT.  A reply is
written only after the command's events are committed.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import IO, Any

from . import clock
from .protocol import CommandError, check_command_id, parse_command
from .service import HallService

log = logging.getLogger(__name__)
MAX_LINE = 64 * 1024


def handle_line(svc: HallService, line: str) -> dict[str, Any]:
    if len(line) > MAX_LINE:
        return {"ok": False, "error": CommandError("invalid_command", f"line longer than {MAX_LINE} bytes").to_dict()}
    try:
        msg = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"ok": False, "error": CommandError("invalid_command", f"not JSON: {exc.msg} at column {exc.colno}").to_dict()}
    if not isinstance(msg, dict):
        return {"ok": False, "error": CommandError("invalid_command", "a command must be a JSON object").to_dict()}
    try:
        command_id = check_command_id(msg.get("id"))
        cmd = parse_command(msg.get("kind"), msg.get("args", {}))
    except CommandError as exc:
        return {"ok": False, "id": msg.get("id") if isinstance(msg.get("id"), str) else None, "error": exc.to_dict()}
    out = svc.handle(cmd, command_id=command_id, actor=str(msg.get("actor", "stdio"))[:60], now=clock.now())
    return {**out.result, "duplicate": out.duplicate}


def serve(svc: HallService, inp: IO[str] = sys.stdin, out: IO[str] = sys.stdout) -> None:
    out.write(json.dumps({"ready": True, "hall": svc.cfg.hall.id}) + "\n")
    out.flush()
    for line in inp:
        if not line.strip():
            continue
        try:
            reply = handle_line(svc, line)
        except Exception as exc:  # keep serving: one bad command must not stop the hall
            log.exception("command failed")
            reply = {"ok": False, "error": {"code": "internal_error", "message": type(exc).__name__}}
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()
