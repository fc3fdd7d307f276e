"""Which call events the announcer says: each call and each recall once, never an old one.

The broker already expires call events after 30 s; this also guards against a clock
jump or a redelivery within a persistent session.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from queue_server.mqtt import schemas as S

from .common import parse_time


class CallFilter:
    def __init__(self, max_age_s: float = S.CALL_EXPIRY_S, remember: int = 200) -> None:
        self.max_age_s = max_age_s
        self._seen: deque[tuple[str, int, int, str]] = deque(maxlen=remember)

    def accept(self, call: S.CallEvent, now: datetime) -> bool:
        key = (call.number, call.window, call.recall, call.at)
        if key in self._seen:
            return False
        at = parse_time(call.at)
        if at is not None and (now - at).total_seconds() > self.max_age_s:
            return False
        self._seen.append(key)
        return True
