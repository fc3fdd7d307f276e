"""Versioned payloads (``"v": 1``) of every MQTT message, as pydantic models.

These models are the single source of the wire format: the server builds its payloads
through them, the client library parses with them, and ``docs/asyncapi.yaml`` is
checked against their JSON Schemas so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VERSION = 1
MAX_PAYLOAD = 64 * 1024          # larger requests are refused with invalid_command
CALL_EXPIRY_S = 30               # a call older than this is never announced


class _Msg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = VERSION


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests and replies --------------------------------------------------------------


class CommandRequest(_Msg):
    """A command to the hall, published on ``cmd/<device>`` with a response topic and
    correlation data; ``id`` makes a retried command apply once."""

    id: str = Field(min_length=1, max_length=80, description="command id, unique per device; reuse it when retrying")
    kind: str = Field(description="command name, e.g. IssueTicket, CallNext")
    args: dict[str, Any] = Field(default_factory=dict, description="the command's fields")


class ErrorInfo(_Part):
    code: str = Field(description="a refusal code from the closed set (rejections.py) or unknown_command")
    message: str = Field(description="Chinese text for staff and citizens")
    message_en: str
    detail: str = ""


class Reply(_Msg):
    """The answer to a command, on ``reply/<device>`` with the request's correlation data."""

    id: str | None = Field(description="the command id, or null when the request had none")
    ok: bool
    duplicate: bool = Field(default=False, description="true when this answers a command seen before")
    result: dict[str, Any] | None = Field(default=None, description="the service's result (events, ticket)")
    error: ErrorInfo | None = None


# -- retained state --------------------------------------------------------------------


class FinishedTicket(_Part):
    """The ticket last finished at a window: what its rating pad asks about."""

    number: str
    at: str
    case: str | None = None


class WindowDisplay(_Msg):
    """What a window's display shows (retained on ``state/window/<n>``)."""

    window: int
    name: str
    name_en: str
    status: str
    items: list[str]
    general: bool
    clerk: str
    responsible: str
    current: str | None
    current_status: str | None
    current_item: str | None
    since: str | None
    held: list[str]
    waiting_here: int
    next: str | None
    at: str
    last_finished: FinishedTicket | None = None


class QueueInfo(_Part):
    item: str
    category: str
    waiting: int
    longest_wait_minutes: float
    wait_minutes: list[int]
    issued_today: int
    daily_cap: int | None
    full: bool
    paused: bool
    over_standard: bool


class QueuesState(_Msg):
    """Queue lengths and wait estimates per item (retained on ``state/queues``)."""

    business_day: str | None
    at: str
    items: list[QueueInfo]


class RecentCall(_Part):
    number: str
    window: int
    at: str


class BoardItem(_Part):
    item: str
    name: str
    name_en: str
    waiting: int
    wait_minutes: list[int]
    paused: bool
    full: bool


class BoardWindow(_Part):
    window: int
    name: str
    name_en: str
    status: str
    current: str | None
    responsible: str = ""           # 定岗定责: public by policy
    responsible_title: str = ""
    staff: list[str] = []           # today's roster for this window


class BoardState(_Msg):
    """The hall board: recent calls, every window, waiting per item (retained)."""

    hall: str
    name: str
    name_en: str
    business_day: str | None
    at: str
    recent_calls: list[RecentCall]
    windows: list[BoardWindow]
    waiting: list[BoardItem]
    notices: list[str]
    duty_leader: str | None = None  # 今日带班领导 from the roster, None when not set
    recent_no_shows: list[RecentCall] = Field(
        default_factory=list, description="过号: tickets marked no-show and not reinstated, newest first (at = when)")


class CallEvent(_Msg):
    """A ticket called to a window (``event/call/<n>``): not retained, expires."""

    number: str
    window: int
    window_name: str
    window_name_en: str
    item: str | None
    recall: int = Field(description="0 for the first call, then the recall count")
    at: str


class Fault(_Part):
    device: str = Field(description="the faulty part, e.g. printer-01")
    reason: str = Field(description="a reason key, e.g. paper_out")
    consequence: str = Field(description="a consequence key, e.g. cannot_print")


class Presence(_Msg):
    """Retained on ``presence/<device>``; the last will publishes online=false."""

    device: str
    online: bool
    at: str | None = None


class DeviceHealth(_Msg):
    """A device's own health report, retained on ``state/device/<device>``."""

    device: str
    ok: bool
    faults: list[Fault] = []
    at: str | None = None


class DeviceStatus(_Part):
    id: str
    kind: str
    window: int | None
    online: bool | None = Field(description="null until the device has ever been seen")
    since: str | None
    ok: bool | None
    faults: list[Fault]


class DevicesState(_Msg):
    """Every device's presence and health, for the manager console (retained)."""

    at: str
    online: int
    offline: int
    devices: list[DeviceStatus]


class CaseLight(_Part):
    case: str
    item_name: str
    status: str
    due: str
    light: str                      # yellow (due soon) or red (overdue)


class ProxiedCase(_Part):
    case: str
    item_name: str
    applicant: str                  # masked (张*)
    agent_name: str
    step: str
    step_name: str
    step_name_en: str
    steps_done: int                 # of 7
    case_status: str
    light: str


class CasesOverview(_Msg):
    """Cases for managers (retained on ``state/cases``): deadline warnings and where every
    proxied case stands.  Applicants appear masked; never an ID number."""

    business_day: str | None
    at: str
    open_cases: int
    warnings: list[CaseLight]
    proxied: list[ProxiedCase]
    open_follow_ups: int


PAYLOADS: dict[str, type[BaseModel]] = {
    m.__name__: m for m in (CommandRequest, Reply, WindowDisplay, QueuesState, BoardState,
                            CallEvent, Presence, DeviceHealth, DevicesState, CasesOverview)
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every payload, keyed by model name (what asyncapi.yaml embeds)."""
    return {name: model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, model in PAYLOADS.items()}


def dump(model: BaseModel) -> bytes:
    return model.model_dump_json().encode("utf-8")
