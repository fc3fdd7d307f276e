"""The kiosk's journal of issue requests not yet settled (no Kivy here).

A kiosk may die between sending IssueTicket and printing what the server committed
(power cut, crash). The ticket would then sit in the queue with nobody holding it.
So the command id is written down *before* the request is sent and crossed out only
once the ticket is printed (or the request refused, or its VoidIssue answered). On
start, whatever is still written down is voided.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

def journal_path(data_dir: Path, device_id: str) -> Path:
    """One journal per kiosk: kiosks sharing a data folder must not void each other's."""
    return Path(data_dir) / f"{device_id}-unsettled.json"


class Journal(Protocol):
    def unsettled(self) -> list[str]: ...

    def record(self, command_id: str) -> None: ...

    def settle(self, command_id: str) -> None: ...


class MemoryJournal:
    """Forgets everything when the process ends (tests, and kiosks without a data folder)."""

    def __init__(self, ids: list[str] | None = None) -> None:
        self._ids = list(ids or [])
        self._lock = threading.Lock()

    def unsettled(self) -> list[str]:
        with self._lock:
            return list(self._ids)

    def record(self, command_id: str) -> None:
        with self._lock:
            if command_id not in self._ids:
                self._ids.append(command_id)

    def settle(self, command_id: str) -> None:
        with self._lock:
            if command_id in self._ids:
                self._ids.remove(command_id)


class FileJournal(MemoryJournal):
    """A small JSON list, replaced atomically and synced on every change: a few
    hundred bytes per tap, so the kiosk's SD card wears little."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        super().__init__(self._load())

    def _load(self) -> list[str]:
        try:
            ids = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as e:
            # Unreadable: keep it for a person to look at, start a fresh one. The ids in
            # it are lost, which at worst leaves a ticket for the clerk to mark no-show.
            damaged = self.path.with_suffix(".damaged")
            log.error("kiosk journal %s unreadable (%s); kept as %s", self.path, e, damaged)
            os.replace(self.path, damaged)
            return []
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            log.error("kiosk journal %s is not a list of command ids; ignored", self.path)
            return []
        return ids

    def record(self, command_id: str) -> None:
        with self._lock:
            if command_id not in self._ids:
                self._ids.append(command_id)
                self._save()

    def settle(self, command_id: str) -> None:
        with self._lock:
            if command_id in self._ids:
                self._ids.remove(command_id)
                self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self._ids, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
