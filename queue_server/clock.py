"""The one place that reads the wall clock (adapters only; the engine never does)."""

from __future__ import annotations

import os
from datetime import datetime, timezone


def now() -> datetime:
    """Aware current time; YIMEN_NOW (ISO, with offset) pins it for drills and tests."""
    pinned = os.environ.get("YIMEN_NOW")
    if pinned:
        t = datetime.fromisoformat(pinned)
        if t.tzinfo is None:
            raise ValueError("YIMEN_NOW must carry a UTC offset, e.g. 2026-11-25T09:00+08:00")
        return t
    return datetime.now(timezone.utc)
