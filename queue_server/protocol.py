"""Commands from outside (MQTT, stdio, CLI): strict parsing with clear errors.

Every transport goes through ``parse_command`` so a wrong type or a missing field is
answered the same way everywhere: a code from the closed set and a message that says
which field was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import dataclasses

from pydantic import TypeAdapter, ValidationError

from .cases.commands import CASE_COMMANDS, CaseCommand
from .engine.codec import Registry
from .engine.commands import COMMANDS, Command

MAX_COMMAND_ID = 80


@dataclass(frozen=True)
class CommandError(Exception):
    code: str          # from the closed set: invalid_command, unknown_command
    message: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "where": self.where}


def registry_for(kind: str) -> Registry | None:
    """Queue and case commands travel the same way; their names never clash."""
    if kind in COMMANDS.by_name:
        return COMMANDS
    if kind in CASE_COMMANDS.by_name:
        return CASE_COMMANDS
    return None


@lru_cache(maxsize=None)
def _adapter(kind: str) -> TypeAdapter[Any]:
    reg = registry_for(kind)
    assert reg is not None
    return TypeAdapter(reg.by_name[kind])


def command_kinds() -> list[str]:
    return sorted([*COMMANDS.by_name, *CASE_COMMANDS.by_name])


def parse_command(kind: Any, args: Any) -> Command | CaseCommand:
    """Turn a kind name and its arguments into a command, or raise CommandError."""
    if not isinstance(kind, str) or registry_for(kind) is None:
        raise CommandError("unknown_command", f"unknown command {kind!r}; known: {', '.join(command_kinds())}", "kind")
    if not isinstance(args, dict):
        raise CommandError("invalid_command", "arguments must be an object", "args")
    known = {f.name for f in dataclasses.fields(registry_for(kind).by_name[kind])}  # type: ignore[union-attr]
    extra = sorted(set(args) - known)
    if extra:
        raise CommandError("invalid_command", f"{kind}: is not a known field", f"args.{extra[0]}")
    try:
        return _adapter(kind).validate_python(args)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = "args." + ".".join(str(p) for p in err["loc"]) if err["loc"] else "args"
        msg = "is required" if err["type"] == "missing" else (
            "is not a known field" if err["type"] == "extra_forbidden" else err["msg"])
        raise CommandError("invalid_command", f"{kind}: {msg}", where) from None


def check_command_id(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_COMMAND_ID or not value.isprintable():
        raise CommandError("invalid_command", f"command id must be 1-{MAX_COMMAND_ID} printable characters", "id")
    return value


def command_to_wire(cmd: Command | CaseCommand) -> tuple[str, dict[str, Any]]:
    kind = type(cmd).__name__
    reg = registry_for(kind)
    assert reg is not None
    return kind, reg.to_dict(cmd)
