"""Hall configuration: typed, checked at start-up, every problem reported at once.

A hall is described by a TOML file that may ``include`` other TOML files (the county
catalogue is long).  Lists (categories, items, windows, devices, ...) from included
files are appended; tables are merged.  Every problem carries the file and the key it
came from, so a hall manager can find and fix it.
"""

from __future__ import annotations

import logging
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Level(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class ItemStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class ItemKind(StrEnum):
    APPLICATION = "application"      # opens a case when served
    CONSULTATION = "consultation"    # advice only, no case


class TransferPosition(StrEnum):
    KEEP = "keep"     # keeps its original place in the target queue
    FRONT = "front"   # goes to the front of the target queue


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Model):
    start: time
    end: time


def _parse_periods(value: Any) -> list[Period]:
    """Accept ``["08:30-12:00", "14:00-17:30"]``, the way a manager writes hours."""
    if not isinstance(value, list):
        raise ValueError("must be a list like [\"08:30-12:00\", \"14:00-17:30\"]")
    periods: list[Period] = []
    for text in value:
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", str(text))
        if not m:
            raise ValueError(f"{text!r} is not a period like \"08:30-12:00\"")
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60):
            raise ValueError(f"{text!r} has an impossible time")
        start, end = time(h1, m1), time(h2, m2)
        if end <= start:
            raise ValueError(f"{text!r} ends before it starts")
        if periods and start < periods[-1].end:
            raise ValueError(f"{text!r} overlaps the period before it")
        periods.append(Period(start=start, end=end))
    return periods


class BusinessHours(_Model):
    """Opening periods per weekday; a missing weekday means closed."""

    mon: list[Period] = []
    tue: list[Period] = []
    wed: list[Period] = []
    thu: list[Period] = []
    fri: list[Period] = []
    sat: list[Period] = []
    sun: list[Period] = []

    @field_validator(*WEEKDAYS, mode="before")
    @classmethod
    def _periods(cls, v: Any) -> list[Period]:
        if v and isinstance(v[0], Period):
            return v
        return _parse_periods(v)

    def for_weekday(self, weekday: int) -> list[Period]:
        return getattr(self, WEEKDAYS[weekday])


class Hall(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    code: str = Field(pattern=r"^[0-9A-Z]{2,12}$", description="short code used in case numbers")
    name: str
    name_en: str
    level: Level
    timezone: str = "Asia/Shanghai"
    business_hours: BusinessHours
    notices: list[str] = []

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not a known time zone (use e.g. \"Asia/Shanghai\")") from None
        return v


class Category(_Model):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    name_en: str


class ServiceStandard(_Model):
    """Service standards as data: what counts as too long a wait or queue."""

    avg_service_minutes: float = Field(default=10.0, gt=0)
    max_wait_minutes: int = Field(default=30, gt=0)
    max_queue_length: int = Field(default=30, gt=0)


class Item(_Model):
    code: str = Field(pattern=r"^[A-Z]{2,4}-\d{3,5}$")
    name: str
    name_en: str
    category: str
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    kind: ItemKind = ItemKind.APPLICATION
    promised_days: int = Field(default=0, ge=0, description="promised limit in working days")
    legal_days: int = Field(default=0, ge=0, description="legal limit in working days")
    materials: list[str] = []
    fee: str = "免费"
    legal_basis: str = ""
    conditions: str = ""
    procedure: str = ""
    delegated_by: str | None = None
    status: ItemStatus = ItemStatus.ACTIVE
    version: int = Field(default=1, ge=1)
    daily_cap: int | None = Field(default=None, ge=1)
    needs_full_id: bool = False
    standard: ServiceStandard = ServiceStandard()


class Window(_Model):
    number: int = Field(ge=1, le=999)
    name: str
    name_en: str
    items: list[str] = Field(default=[], description="item codes in priority order")
    general: bool = False
    responsible: str = ""
    responsible_title: str = ""
    open: bool = True


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    PRINTER = "printer"
    SCANNER = "scanner"
    CAMERA = "camera"
    DISPLAY = "display"
    BOARD = "board"
    CLERK_CONSOLE = "clerk_console"
    MANAGER_CONSOLE = "manager_console"
    ANNOUNCER = "announcer"
    RATING_PAD = "rating_pad"
    LED = "led"


class Device(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    kind: DeviceKind
    window: int | None = None
    kiosk: str | None = Field(default=None, description="for printers/scanners: the kiosk they belong to")
    connection: str = Field(default="fake", description="fake, usb:VID:PID, serial:/dev/ttyUSB0, network:host:port, file:/path")
    text_mode: Literal["gb18030", "image"] = "image"
    paper_mm: Literal[58, 80] = 80


class PriorityClass(_Model):
    key: str = Field(pattern=r"^[a-z_]+$")
    name: str
    name_en: str
    min_age: int | None = None


class Rules(_Model):
    max_tickets_per_id_per_day: int = Field(default=5, ge=1)
    recall_limit: int = Field(default=3, ge=0)
    reinstate_minutes: int = Field(default=30, ge=0)
    transfer_position: TransferPosition = TransferPosition.FRONT
    issue_outside_hours: bool = False
    priority_burst: int = Field(
        default=3, ge=1,
        description="after this many priority calls in a row on an item, the oldest walk-in goes next",
    )
    appointment_early_minutes: int = Field(default=15, ge=0)
    appointment_late_minutes: int = Field(default=10, ge=0)
    unclean_shutdown_margin: int = Field(default=10, ge=0)
    priority_classes: list[PriorityClass] = [
        PriorityClass(key="elderly", name="老年人", name_en="Elderly (70+)", min_age=70),
        PriorityClass(key="disabled", name="残疾人", name_en="Disabled"),
        PriorityClass(key="military", name="军人", name_en="Military"),
        PriorityClass(key="pregnant", name="孕妇", name_en="Pregnant"),
    ]


class Agent(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    name: str
    level: Level
    area: str = ""
    phone: str = ""


class Broker(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    manage: bool = Field(default=True, description="yimen starts its own Mosquitto with a generated config")
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca: str | None = None


class Calendar(_Model):
    """Days the holiday library does not know yet (e.g. next year's schedule)."""

    holidays: list[date] = []
    workdays: list[date] = []


class CaseSettings(_Model):
    """Case deadlines a hall may tune (working days)."""

    warning_days: int = Field(default=2, ge=0, description="yellow this many working days before the deadline")
    supply_days: int = Field(default=5, ge=1, description="to bring missing materials after the one-time notice")
    follow_up_days: int = Field(default=5, ge=1, description="to answer a bad rating")
    complaint_reply_days: int = Field(default=5, ge=1)
    comment_reply_days: int = Field(default=10, ge=1)


class RosterShift(_Model):
    window: int
    clerk: str
    weekdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = ["mon", "tue", "wed", "thu", "fri"]
    start: date | None = None
    end: date | None = None


class RosterChange(_Model):
    day: date
    window: int
    staff: list[str] = []


class LeaderSwap(_Model):
    day: date
    leader: str


class RosterSettings(_Model):
    """Who staffs which window (值班表) and the leaders taking turns on duty (领导轮流坐班)."""

    shifts: list[RosterShift] = []
    changes: list[RosterChange] = []
    leaders: list[str] = []
    leader_start: date | None = None
    leader_swaps: list[LeaderSwap] = []


class HallConfig(_Model):
    hall: Hall
    categories: list[Category]
    items: list[Item]
    windows: list[Window]
    devices: list[Device] = []
    rules: Rules = Rules()
    agents: list[Agent] = []
    broker: Broker = Broker()
    calendar: Calendar = Calendar()
    cases: CaseSettings = CaseSettings()
    roster: RosterSettings = RosterSettings()

    # -- lookups (the config is frozen, so each index is built once) --
    @cached_property
    def _items_by_code(self) -> dict[str, Item]:
        return _index(self.items, "code")

    @cached_property
    def _windows_by_number(self) -> dict[int, Window]:
        return _index(self.windows, "number")

    @cached_property
    def _devices_by_id(self) -> dict[str, Device]:
        return _index(self.devices, "id")

    def item(self, code: str) -> Item | None:
        return self._items_by_code.get(code)

    def window(self, number: int) -> Window | None:
        return self._windows_by_number.get(number)

    def device(self, device_id: str) -> Device | None:
        return self._devices_by_id.get(device_id)


def _index(seq: list[Any], attr: str) -> dict[Any, Any]:
    return {getattr(x, attr): x for x in seq}


# ---------------------------------------------------------------------------
# Loading with file-and-key problems
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class ConfigError(Exception):
    """Raised with every problem found, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


LIST_SECTIONS = ("categories", "items", "windows", "devices", "agents")


@dataclass
class _Raw:
    data: dict[str, Any] = field(default_factory=dict)
    # origin[(section, merged_index)] = (file, index in that file)
    origin: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    table_origin: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _read_toml(path: Path, raw: _Raw, seen: tuple[Path, ...], root: Path) -> None:
    name = _display(path, root)
    if path in seen:
        raw.problems.append(Problem(name, "include", "includes itself (a loop of includes)"))
        return
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raw.problems.append(Problem(name, "-", "file not found"))
        return
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raw.problems.append(Problem(name, "-", f"not valid TOML: {exc}"))
        return
    includes = doc.pop("include", [])
    if not isinstance(includes, list):
        raw.problems.append(Problem(name, "include", "must be a list of file names"))
        includes = []
    for key, value in doc.items():
        if key in LIST_SECTIONS:
            if not isinstance(value, list):
                raw.problems.append(Problem(name, key, "must be a list ([[...]] tables)"))
                continue
            target = raw.data.setdefault(key, [])
            for i, entry in enumerate(value):
                raw.origin[(key, len(target))] = (name, i)
                target.append(entry)
        elif isinstance(value, dict) and isinstance(raw.data.get(key), dict):
            raw.data[key] = {**raw.data[key], **value}
            raw.table_origin.setdefault(key, name)
        else:
            if key in raw.data:
                raw.problems.append(Problem(name, key, f"also set in {raw.table_origin.get(key, '?')}"))
            raw.data[key] = value
            raw.table_origin[key] = name
    for inc in includes:
        _read_toml((path.parent / str(inc)).resolve(), raw, (*seen, path), root)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _where(raw: _Raw, loc: tuple[Any, ...], main: str) -> tuple[str, str]:
    """Map a pydantic error location back to (file, key) as the manager wrote it."""
    if not loc:
        return main, "-"
    section = str(loc[0])
    if section in LIST_SECTIONS and len(loc) > 1 and isinstance(loc[1], int):
        file, idx = raw.origin.get((section, loc[1]), (main, loc[1]))
        entry = raw.data.get(section, [])[loc[1]]
        label = _entry_label(section, entry, idx)
        rest = ".".join(str(p) for p in loc[2:])
        return file, f"{label}{'.' + rest if rest else ''}"
    return raw.table_origin.get(section, main), ".".join(str(p) for p in loc)


def _entry_label(section: str, entry: Any, idx: int) -> str:
    keyname = {"categories": "key", "items": "code", "windows": "number", "devices": "id", "agents": "id"}[section]
    if isinstance(entry, dict) and keyname in entry:
        return f"{section}[{keyname}={entry[keyname]}]"
    return f"{section}[{idx}]"


def _friendly(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known setting (check the spelling)"
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


def load_config(path: str | Path) -> HallConfig:
    """Load and check a hall's configuration; raise ConfigError with every problem."""
    path = Path(path).resolve()
    root = path.parent
    main = _display(path, root)
    raw = _Raw()
    _read_toml(path, raw, (), root)
    problems = list(raw.problems)
    if problems and not raw.data:
        raise ConfigError(problems)
    unknown_top = set(raw.data) - set(HallConfig.model_fields)
    for key in sorted(unknown_top):
        problems.append(Problem(raw.table_origin.get(key, main), key, "is not a known section"))
    data = {k: v for k, v in raw.data.items() if k not in unknown_top}

    # Validate list entries one by one so that one bad entry doesn't hide the others
    # and the cross-checks below can still run over the good ones.
    clean: dict[str, Any] = {}
    for section, model in (("categories", Category), ("items", Item), ("windows", Window),
                           ("devices", Device), ("agents", Agent)):
        good = []
        for i, entry in enumerate(data.get(section, [])):
            try:
                good.append(model.model_validate(entry))
            except ValidationError as exc:
                for err in exc.errors():
                    file, key = _where(raw, (section, i, *err["loc"]), main)
                    problems.append(Problem(file, key, _friendly(err)))
        clean[section] = good
    for section in ("hall", "rules", "broker", "calendar", "cases", "roster"):
        if section in data:
            clean[section] = data[section]
    try:
        cfg = HallConfig.model_validate(clean)
    except ValidationError as exc:
        for err in exc.errors():
            file, key = _where(raw, tuple(err["loc"]), main)
            problems.append(Problem(file, key, _friendly(err)))
        raise ConfigError(problems) from None
    problems.extend(cross_check(cfg, raw, main))
    if problems:
        raise ConfigError(problems)
    return cfg


def cross_check(cfg: HallConfig, raw: _Raw | None = None, main: str = "config") -> list[Problem]:
    """Rules that span entries: references, duplicates, reachability."""
    raw = raw or _Raw()
    out: list[Problem] = []

    def at(section: str, i: int, key: str, message: str) -> None:
        file, label = _where(raw, (section, i), main) if raw.data else (main, f"{section}[{i}]")
        out.append(Problem(file, f"{label}{'.' + key if key else ''}", message))

    def dupes(section: str, attr: str, noun: str) -> None:
        seen: dict[Any, int] = {}
        for i, x in enumerate(getattr(cfg, section)):
            v = getattr(x, attr)
            if v in seen:
                at(section, i, attr, f"{noun} {v} is defined twice")
            seen[v] = i

    dupes("categories", "key", "category")
    dupes("items", "code", "item")
    dupes("windows", "number", "window")
    dupes("devices", "id", "device")
    dupes("agents", "id", "agent")

    cats = {c.key for c in cfg.categories}
    items = {it.code: it for it in cfg.items}
    windows = {w.number for w in cfg.windows}
    kiosks = {d.id for d in cfg.devices if d.kind == "kiosk"}
    for i, it in enumerate(cfg.items):
        if it.category not in cats:
            at("items", i, "category", f"item {it.code} is in category {it.category!r}, which is not in the categories list")
        if it.legal_days and it.promised_days > it.legal_days:
            at("items", i, "promised_days", f"item {it.code} promises {it.promised_days} working days, more than its legal limit of {it.legal_days}")
    for i, w in enumerate(cfg.windows):
        for code in w.items:
            if code not in items:
                at("windows", i, "items", f"window {w.number} lists item {code}, which is not in the catalogue")
        if len(set(w.items)) != len(w.items):
            at("windows", i, "items", f"window {w.number} lists an item twice")
        if not w.items and not w.general:
            at("windows", i, "items", f"window {w.number} serves no item; list its items or mark it general = true")
    has_general = any(w.general for w in cfg.windows)
    served = {c for w in cfg.windows for c in w.items}
    for i, it in enumerate(cfg.items):
        if it.status == "active" and it.code not in served and not has_general:
            at("items", i, "", f"item {it.code} ({it.name}) is offered but no window serves it; citizens would wait forever")
    for i, d in enumerate(cfg.devices):
        if d.window is not None and d.window not in windows:
            at("devices", i, "window", f"device {d.id} belongs to window {d.window}, which does not exist")
        if d.kind in ("clerk_console", "display", "led", "rating_pad") and d.window is None:
            at("devices", i, "window", f"device {d.id} is a {d.kind} and must say which window it belongs to")
        if d.kiosk is not None and d.kiosk not in kiosks:
            at("devices", i, "kiosk", f"device {d.id} belongs to kiosk {d.kiosk}, which is not a kiosk in this hall")
        if d.kind == "camera" and not re.fullmatch(r"fake|(dir|v4l2):.+", d.connection):
            at("devices", i, "connection", f"camera {d.id}: connection must be fake, dir:/folder or v4l2:/dev/videoN, not {d.connection!r}")
    hours = cfg.hall.business_hours
    if not any(hours.for_weekday(d) for d in range(7)):
        out.append(Problem(raw.table_origin.get("hall", main), "hall.business_hours", "the hall is never open; give at least one weekday's hours"))
    roster_file = raw.table_origin.get("roster", main)
    for i, shift in enumerate(cfg.roster.shifts):
        if shift.window not in windows:
            out.append(Problem(roster_file, f"roster.shifts[{i}].window", f"the roster puts {shift.clerk} at window {shift.window}, which does not exist"))
    for i, change in enumerate(cfg.roster.changes):
        if change.window not in windows:
            out.append(Problem(roster_file, f"roster.changes[{i}].window", f"a roster change names window {change.window}, which does not exist"))
    if cfg.roster.leaders and cfg.roster.leader_start is None:
        out.append(Problem(roster_file, "roster.leader_start", "leaders are listed but leader_start (the day the first one sits) is missing"))
    keys = [p.key for p in cfg.rules.priority_classes]
    if len(set(keys)) != len(keys):
        out.append(Problem(raw.table_origin.get("rules", main), "rules.priority_classes", "a priority class is defined twice"))
    return out
