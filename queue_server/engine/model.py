"""The hall's state: what a fold of the events gives.  Plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from ..config import HallConfig, Window


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    HELD = "held"
    NO_SHOW = "no_show"
    DONE = "done"
    CLOSED = "closed"   # the business day ended before it was served
    VOIDED = "voided"   # never handed to anyone (the kiosk got no reply): out of the queue


class WindowStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class Tier(IntEnum):
    """Who goes first within an item (lower first)."""

    PRIORITY = 0
    APPOINTMENT = 1
    WALK_IN = 2


FINAL_STATUSES = frozenset({TicketStatus.DONE, TicketStatus.CLOSED, TicketStatus.VOIDED})

# How a ticket's status may change; checked by the tests for dead ends.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.WAITING: frozenset({TicketStatus.CALLED, TicketStatus.CLOSED, TicketStatus.VOIDED}),
    TicketStatus.CALLED: frozenset({TicketStatus.SERVING, TicketStatus.NO_SHOW, TicketStatus.WAITING,
                                    TicketStatus.HELD, TicketStatus.DONE, TicketStatus.CLOSED}),
    TicketStatus.SERVING: frozenset({TicketStatus.DONE, TicketStatus.WAITING, TicketStatus.HELD, TicketStatus.CLOSED}),
    TicketStatus.HELD: frozenset({TicketStatus.SERVING, TicketStatus.CLOSED}),
    TicketStatus.NO_SHOW: frozenset({TicketStatus.WAITING, TicketStatus.CLOSED}),
    TicketStatus.DONE: frozenset(),
    TicketStatus.CLOSED: frozenset(),
    TicketStatus.VOIDED: frozenset(),
}


@dataclass(slots=True)
class Ticket:
    number: str
    item: str
    tier: Tier
    rank: int                       # arrival order; a transfer to the front gets a negative rank
    issued_at: datetime
    more_items: list[str] = field(default_factory=list)
    served_items: list[str] = field(default_factory=list)
    priority: str | None = None
    appointment: str | None = None
    id_hash: str | None = None
    source: str = ""
    status: TicketStatus = TicketStatus.WAITING
    window: int | None = None       # where it is called / served / held
    target_window: int | None = None  # transferred to one window: only it may call
    recalls: int = 0
    called_at: datetime | None = None
    started_at: datetime | None = None
    no_show_at: datetime | None = None
    finished_at: datetime | None = None
    people_ahead: int = 0
    wait_low: int = 0
    wait_high: int = 0
    closed_reason: str = ""
    rating: str | None = None

    def sort_key(self) -> tuple[int, int]:
        return (int(self.tier), self.rank)


@dataclass(slots=True)
class WindowState:
    number: int
    status: WindowStatus
    items: tuple[str, ...]
    general: bool
    current: str | None = None      # ticket called or being served here
    clerk: str = ""
    since: datetime | None = None   # when the current ticket was called
    last_finished: str | None = None      # for the rating pad: who was just served here
    last_finished_at: datetime | None = None


@dataclass(slots=True)
class Appointment:
    code: str
    item: str
    day: date
    start: datetime
    end: datetime
    ticket: str | None = None


@dataclass(slots=True)
class DayState:
    business_day: date
    counters: dict[str, int] = field(default_factory=dict)      # prefix -> last number used
    tickets: dict[str, Ticket] = field(default_factory=dict)    # number -> ticket
    issued_per_item: dict[str, int] = field(default_factory=dict)
    id_counts: dict[str, int] = field(default_factory=dict)
    next_rank: int = 0
    next_front: int = 0
    priority_streak: dict[str, int] = field(default_factory=dict)
    service_minutes: dict[str, list[float]] = field(default_factory=dict)  # recent, per item
    ended: bool = False
    # Derived index of tickets not yet done or closed, so that choosing the next ticket
    # and painting displays scan the queue, not the whole day.  Not stored in snapshots.
    active: dict[str, Ticket] = field(default_factory=dict, repr=False, compare=False)

    def reindex(self) -> None:
        self.active = {n: t for n, t in self.tickets.items() if t.status not in FINAL_STATUSES}


@dataclass(slots=True)
class HallState:
    windows: dict[int, WindowState]
    day: DayState | None = None
    paused_items: set[str] = field(default_factory=set)
    caps: dict[str, int | None] = field(default_factory=dict)   # overrides of the config's caps
    appointments: dict[str, Appointment] = field(default_factory=dict)

    def ticket(self, number: str) -> Ticket | None:
        return self.day.tickets.get(number) if self.day else None


def window_state(w: Window) -> WindowState:
    """A configured window as it starts: open or closed, with its items."""
    return WindowState(number=w.number, status=WindowStatus.OPEN if w.open else WindowStatus.CLOSED,
                       items=tuple(w.items), general=w.general)


def initial_state(cfg: HallConfig) -> HallState:
    return HallState(windows={w.number: window_state(w) for w in cfg.windows})


RECENT_SERVICE_SAMPLES = 20


def state_to_dict(state: HallState) -> dict[str, Any]:
    """A snapshot, so start-up replays only what came after it."""
    from dataclasses import asdict

    def enc(v: Any) -> Any:
        if isinstance(v, (datetime, date)):
            return v.isoformat()
        if isinstance(v, dict):
            return {str(k): enc(x) for k, x in v.items()}
        if isinstance(v, (list, tuple, set)):
            return [enc(x) for x in (sorted(v) if isinstance(v, set) else v)]
        return v

    out = enc(asdict(state))
    if out.get("day"):
        out["day"].pop("active", None)
    return out


def state_from_dict(d: dict[str, Any]) -> HallState:
    def dt(v: Any) -> datetime | None:
        return datetime.fromisoformat(v) if v else None

    def ticket(t: dict[str, Any]) -> Ticket:
        t = dict(t)
        t["tier"] = Tier(t["tier"])
        t["status"] = TicketStatus(t["status"])
        for k in ("issued_at", "called_at", "started_at", "no_show_at", "finished_at"):
            t[k] = dt(t[k])
        return Ticket(**t)

    day = None
    if d.get("day"):
        dd = dict(d["day"])
        dd["business_day"] = date.fromisoformat(dd["business_day"])
        dd["tickets"] = {k: ticket(v) for k, v in dd["tickets"].items()}
        dd.pop("active", None)
        day = DayState(**dd)
        day.reindex()
    windows = {}
    for k, w in d["windows"].items():
        w = dict(w)
        w["status"] = WindowStatus(w["status"])
        w["items"] = tuple(w["items"])
        w["since"] = dt(w["since"])
        w["last_finished_at"] = dt(w.get("last_finished_at"))
        windows[int(k)] = WindowState(**w)
    appts = {}
    for k, a in d.get("appointments", {}).items():
        appts[k] = Appointment(code=a["code"], item=a["item"], day=date.fromisoformat(a["day"]),
                               start=datetime.fromisoformat(a["start"]), end=datetime.fromisoformat(a["end"]),
                               ticket=a["ticket"])
    return HallState(windows=windows, day=day, paused_items=set(d.get("paused_items", [])),
                     caps=dict(d.get("caps", {})), appointments=appts)
