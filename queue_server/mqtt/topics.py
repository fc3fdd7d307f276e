"""The topic tree of one hall, in one place, so the ACL, the server and clients agree."""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "yimen"
SERVER_ID = "yimen-server"


@dataclass(frozen=True)
class Topics:
    """Topic names under ``yimen/<hall>/``; devices are addressed by their config id."""

    hall: str

    @property
    def base(self) -> str:
        return f"{ROOT}/{self.hall}"

    def cmd(self, device: str) -> str:
        return f"{self.base}/cmd/{device}"

    def reply(self, device: str) -> str:
        return f"{self.base}/reply/{device}"

    def presence(self, device: str) -> str:
        return f"{self.base}/presence/{device}"

    def health(self, device: str) -> str:
        return f"{self.base}/state/device/{device}"

    def window(self, number: int) -> str:
        return f"{self.base}/state/window/{number}"

    def call(self, window: int) -> str:
        return f"{self.base}/event/call/{window}"

    @property
    def board(self) -> str:
        return f"{self.base}/state/board"

    @property
    def queues(self) -> str:
        return f"{self.base}/state/queues"

    @property
    def devices(self) -> str:
        return f"{self.base}/state/devices"

    @property
    def cases(self) -> str:
        return f"{self.base}/state/cases"

    # -- wildcard subscriptions (server, board, manager) --
    @property
    def all_cmds(self) -> str:
        return f"{self.base}/cmd/+"

    @property
    def all_presence(self) -> str:
        return f"{self.base}/presence/+"

    @property
    def all_health(self) -> str:
        return f"{self.base}/state/device/+"

    @property
    def all_windows(self) -> str:
        return f"{self.base}/state/window/+"

    @property
    def all_calls(self) -> str:
        return f"{self.base}/event/call/+"

    def last(self, topic: str) -> str:
        """The last level of a topic: the device id or window number it addresses."""
        return topic.rsplit("/", 1)[-1]
