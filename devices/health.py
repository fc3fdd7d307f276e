"""Device health as data: drivers report faults as values, never raise them.

The kiosk and the manager screen decide what to show; a driver only says what it
knows, as stable keys that UIs translate (see docs/devices.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceState(StrEnum):
    """How usable a device is right now."""

    OK = "ok"
    WARNING = "warning"  # still works, someone should look (paper near end)
    FAULT = "fault"  # answers but cannot do its job (paper out, cover open)
    OFFLINE = "offline"  # not reachable at all (unplugged, silent)


class Reason(StrEnum):
    """Closed set of reason keys; UIs translate these, logs keep them."""

    NONE = "none"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    NOT_ANSWERING = "not_answering"
    UNPLUGGED = "unplugged"
    PRINTER_ERROR = "printer_error"
    WRITE_FAILED = "write_failed"
    GARBAGE = "garbage"
    DECODER_CRASHED = "decoder_crashed"
    BACKEND_FAILED = "backend_failed"
    NOT_OPENED = "not_opened"


class Consequence(StrEnum):
    """What the fault means for the hall, so a screen can say what to do."""

    NONE = "none"
    CANNOT_PRINT = "cannot_print"
    PRINT_SOON_IMPOSSIBLE = "print_soon_impossible"
    CANNOT_SCAN = "cannot_scan"
    CANNOT_DISPLAY = "cannot_display"
    CANNOT_ANNOUNCE = "cannot_announce"


@dataclass(frozen=True)
class DeviceHealth:
    """One device's health at one moment, ready to publish on a status topic."""

    device_id: str
    state: DeviceState
    reason: Reason = Reason.NONE
    consequence: Consequence = Consequence.NONE

    @property
    def usable(self) -> bool:
        """True when the device can still do its job (ok or warning)."""
        return self.state in (DeviceState.OK, DeviceState.WARNING)

    def to_dict(self) -> dict[str, str]:
        """Wire form for the retained MQTT status message."""
        return {
            "device_id": self.device_id,
            "state": self.state.value,
            "reason": self.reason.value,
            "consequence": self.consequence.value,
        }

    @classmethod
    def ok(cls, device_id: str) -> "DeviceHealth":
        return cls(device_id, DeviceState.OK)
