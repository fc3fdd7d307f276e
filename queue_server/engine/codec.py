"""Turn engine dataclasses into plain JSON-able dicts and back, fast and strictly.

Events are read back hundreds of thousands of times at start-up, so decoding is a
precomputed per-class plan, not a generic validator.  Untrusted input (commands off
the wire) is checked by pydantic in the transport layer before it gets here.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, datetime
from typing import Any, Callable

_Conv = Callable[[Any], Any]


def _decoder_for(tp: Any) -> _Conv | None:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is datetime:
        return datetime.fromisoformat
    if tp is date:
        return date.fromisoformat
    if origin is tuple:
        inner = _decoder_for(args[0]) if args else None
        return (lambda v: tuple(inner(x) for x in v)) if inner else tuple
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 1:
            inner = _decoder_for(non_none[0])
            if inner:
                return lambda v: None if v is None else inner(v)
    return None


def _encode(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, tuple):
        return [_encode(x) for x in v]
    if isinstance(v, dict):
        return {k: _encode(x) for k, x in v.items()}
    return v


class Registry:
    """Name <-> dataclass registry for one family (commands or events)."""

    def __init__(self) -> None:
        self.by_name: dict[str, type] = {}
        self._plans: dict[type, list[tuple[str, _Conv | None]]] = {}

    def register(self, cls: type) -> type:
        self.by_name[cls.__name__] = cls
        hints = typing.get_type_hints(cls)
        self._plans[cls] = [(f.name, _decoder_for(hints[f.name])) for f in dataclasses.fields(cls)]
        return cls

    def to_dict(self, obj: Any) -> dict[str, Any]:
        return {f.name: _encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}

    def from_dict(self, name: str, data: dict[str, Any]) -> Any:
        cls = self.by_name[name]
        kwargs = {}
        for fname, conv in self._plans[cls]:
            if fname in data:
                v = data[fname]
                kwargs[fname] = conv(v) if conv is not None and v is not None else v
        return cls(**kwargs)
