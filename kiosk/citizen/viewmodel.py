"""The citizen kiosk's logic, free of Kivy: screens only read this and call its verbs.

Everything that can go wrong at a kiosk is decided here and tested without a display:
a double tap (ignored while a request is in flight), the idle timeout, the server being
unreachable (nothing is issued: a request that got no reply is voided with VoidIssue,
retried in the background until the server answers), a printer fault (the number is
shown on screen and the fault reported), invalid scans, the staff PIN.

Blocking work (the MQTT request and the print) runs through an injected ``runner``
that calls ``done`` back on the UI thread; time comes from an injected monotonic
clock, so tests step it by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Callable, Iterable, Protocol, TypeVar

from devices.codes import ScanKind, ScanResult, classify_scan
from devices.health import DeviceHealth
from devices.id_number import keyed_hash
from devices.printer import PrintResult
from devices.ticket import TicketSlip

from .journal import Journal, MemoryJournal
from .catalogue import Catalogue, ItemInfo, slip_from_ticket
from .texts import PRINTER_REASONS, REFUSAL_HINTS, SCAN_REASONS, TEXTS, Text, pick, tr

log = logging.getLogger(__name__)

T = TypeVar("T")
Runner = Callable[[Callable[[], T], Callable[[T], None]], None]


class Screen(StrEnum):
    HOME = "home"
    CATEGORY = "category"
    ITEM = "item"
    SCAN = "scan"
    PIN = "pin"
    PRIORITY = "priority"
    RESULT = "result"
    MESSAGE = "message"


class Printer(Protocol):
    device_id: str

    def print_ticket(self, slip: TicketSlip, with_notice: bool = False) -> PrintResult: ...

    def health(self) -> DeviceHealth: ...


class ReplyLike(Protocol):
    ok: bool
    result: dict[str, Any] | None
    error: Any
    duplicate: bool


Send = Callable[[str, dict[str, Any], str], ReplyLike]
"""``send(kind, args, command_id)``: the reply, or raises TimeoutError."""


@dataclass(frozen=True)
class Settings:
    device_id: str = "kiosk-01"
    secret: bytes = b""
    staff_pin: str = "2468"
    idle_s: float = 60.0
    result_s: float = 12.0
    print_failed_s: float = 60.0
    message_s: float = 20.0
    pin_attempts: int = 5
    pin_lock_s: float = 300.0
    print_notice: bool = True     # one-time notice of materials on a second slip
    large_scale: float = 1.4
    void_retry_s: float = 15.0    # a VoidIssue that got no answer is sent again after this
    staff_cards: frozenset[str] = frozenset()    # staff_card_hash() of each staff badge's code


def staff_card_hash(code: str, secret: bytes) -> str:
    """A staff badge's code, keyed with the hall secret: the list of badges on the kiosk
    reveals no code (badge codes are short enough to guess from a plain hash)."""
    return hmac.new(secret, ("staff-card:" + code.strip()).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Queue:
    """The live figures for one item, from the retained ``state/queues`` topic."""

    waiting: int
    wait_minutes: tuple[int, int]
    full: bool
    paused: bool


@dataclass(frozen=True)
class Message:
    title: Text
    body: Text
    hint: Text | None = None
    error: bool = True


@dataclass(frozen=True)
class Result:
    """A ticket the citizen holds: on paper, or (printer fault) on screen only."""

    ticket: dict[str, Any]
    printed: bool
    printer_reason: str = "none"
    checked_in: bool = False

    @property
    def number(self) -> str:
        return str(self.ticket["number"])


@dataclass(frozen=True)
class _Outcome:
    reply: ReplyLike | None          # None: no reply (timeout, broker down)
    printed: PrintResult | None = None


@dataclass
class _Person:
    """What belongs to the person at the kiosk; dropped when they leave."""

    id_hash: str | None = None
    id_mask: str | None = None
    staff: bool = False
    priority: str | None = None


class KioskViewModel:
    """State and verbs of one kiosk. Call verbs on the UI thread only."""

    def __init__(self, catalogue: Catalogue, settings: Settings, *, send: Send, printer: Printer,
                 runner: Runner[Any], now: Callable[[], float], today: Callable[[], date],
                 report_printer: Callable[[DeviceHealth], None] = lambda h: None,
                 journal: Journal | None = None) -> None:
        self.cat = catalogue
        self.settings = settings
        self._send = send
        self._printer = printer
        self._run = runner
        self._now = now
        self._today = today
        self._report_printer = report_printer
        self._listeners: list[Callable[[], None]] = []
        self._outbox: dict[str, str] = {}
        # Issues that got no reply: command id -> the VoidIssue's own (fixed) command id.
        # Sent in the background until the server answers; nobody waits for them.
        # Requests left unsettled by an earlier run (it died mid-request) are owed too.
        self._journal: Journal = journal or MemoryJournal()
        self._voids: dict[str, str] = {cid: f"{cid}-void" for cid in self._journal.unsettled()}
        if self._voids:
            log.warning("%d issue request(s) left unsettled by the last run: voiding them", len(self._voids))
        self._voids_in_flight: set[str] = set()
        self._void_retry_at = 0.0
        self._last_touch = now()
        self._pin_failures = 0
        self._pin_locked_until = 0.0
        self._printer_health: DeviceHealth | None = None
        self.screen = Screen.HOME
        self.lang = "zh"
        self.large = False
        self.category: str | None = None
        self.item: str | None = None
        self.queues: dict[str, Queue] = {}
        self.server_online = False
        self.link_online = False
        self.busy = False
        self.result: Result | None = None
        self.message: Message | None = None
        self.person = _Person()
        self.pin_entry = ""
        self.issued = 0
        self._before_message = Screen.HOME
        self._busy_shown = False

    # -- observation -------------------------------------------------------------------
    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def t(self, key: str, **fmt: object) -> str:
        return tr(key, self.lang, **fmt)

    def pick(self, text: Text) -> str:
        return pick(text, self.lang)

    @property
    def online(self) -> bool:
        return self.server_online and self.link_online

    @property
    def font_scale(self) -> float:
        return self.settings.large_scale if self.large else 1.0

    @property
    def printer_ok(self) -> bool:
        return self._printer_health is None or self._printer_health.usable

    # -- things the hall tells us (already on the UI thread) -----------------------------
    def update_queues(self, items: Iterable[Any]) -> None:
        """Take the QueueInfo list of a ``state/queues`` message."""
        self.queues = {q.item: Queue(q.waiting, (q.wait_minutes[0], q.wait_minutes[1]), q.full, q.paused)
                       for q in items}
        self._changed()

    def set_server_online(self, online: bool) -> None:
        if online != self.server_online:
            log.info("server presence: %s", "online" if online else "offline")
            self.server_online = online
            self._pump_voids(force=True)
            self._changed()

    def set_link(self, connected: bool) -> None:
        if connected != self.link_online:
            log.info("broker link: %s", "up" if connected else "down")
            self.link_online = connected
            self._pump_voids(force=True)
            self._changed()

    # -- navigation ---------------------------------------------------------------------
    def touch(self) -> None:
        """Any touch on the screen: the person is still there."""
        self._last_touch = self._now()

    def _go(self, screen: Screen) -> None:
        self.touch()
        self.screen = screen
        self._changed()

    def go_home(self) -> None:
        """Home button: the same person may go on (language, text size, ID kept)."""
        if self.busy:
            return
        self.category = self.item = None
        self.message = self.result = None
        self._go(Screen.HOME)

    def _reset(self) -> None:
        """The person has left: forget them entirely."""
        self.person = _Person()
        self.lang = "zh"
        self.large = False
        self.pin_entry = ""
        self.category = self.item = None
        self.message = self.result = None
        self.screen = Screen.HOME
        self._changed()

    def back(self) -> None:
        if self.busy:
            return
        if self.screen is Screen.ITEM and self.category:
            self._go(Screen.CATEGORY)
        else:
            self.go_home()

    def open_category(self, key: str) -> None:
        if self.cat.category(key) is None or self.busy:
            return
        self.category = key
        self._go(Screen.CATEGORY)

    def open_item(self, code: str) -> None:
        if code not in self.cat.items or self.busy:
            return
        self.item = code
        self.category = self.cat.items[code].category
        self._go(Screen.ITEM)

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self._go(self.screen)

    def toggle_large(self) -> None:
        self.large = not self.large
        self._go(self.screen)

    def tick(self) -> None:
        """Called about twice a second: idle and result screens return home by themselves."""
        self._pump_voids()
        if self.busy and not self._busy_shown:
            self._busy_shown = True
            self._changed()
        if self.busy or self.screen is Screen.HOME and self.person == _Person() and not self.large and self.lang == "zh":
            return
        if self._now() - self._last_touch >= self._timeout():
            log.info("idle on %s: back to home", self.screen)
            self._reset()

    def _timeout(self) -> float:
        s = self.settings
        if self.screen is Screen.RESULT:
            return s.result_s if self.result and self.result.printed else s.print_failed_s
        if self.screen is Screen.MESSAGE:
            return s.message_s
        return s.idle_s

    # -- item figures for the screens ---------------------------------------------------------
    def item_info(self, code: str) -> ItemInfo:
        return self.cat.items[code]

    def queue(self, code: str) -> Queue | None:
        return self.queues.get(code)

    def can_take(self, code: str) -> bool:
        q = self.queues.get(code)
        return not (q and (q.full or q.paused))

    # -- issuing ------------------------------------------------------------------------------
    def take_ticket(self) -> None:
        """The big 取号 button. A second tap while the first is in flight does nothing."""
        self.touch()
        if self.busy:
            log.info("tap ignored: a request is already in flight")
            return
        if self.item is None or self.screen is not Screen.ITEM:
            return
        q = self.queues.get(self.item)
        if q and q.full:
            self._show(Message(TEXTS["full_today"], TEXTS["full_today_hint"]))
            return
        if q and q.paused:
            self._show(Message(TEXTS["paused"], TEXTS["paused_hint"]))
            return
        args: dict[str, Any] = {"item": self.item}
        if self.person.priority:
            args["priority"] = self.person.priority
        if self.person.id_hash:
            args["id_hash"] = self.person.id_hash
        self._request("IssueTicket", args)

    def _request(self, kind: str, args: dict[str, Any]) -> None:
        if not self.online:
            log.warning("%s not sent: the hall server is not reachable", kind)
            self._show(Message(TEXTS["offline"], TEXTS["help_desk"]))
            return
        # Voids still owed go first (the runner keeps order): the server then frees what a
        # lost issue took (the resident's place in the item's queue) before this request.
        self._pump_voids(force=True)
        key = json.dumps([kind, args], sort_keys=True)
        cid = self._outbox.setdefault(key, f"{self.settings.device_id}-{uuid.uuid4().hex[:16]}")
        # No repaint now: a reply usually comes well before the next frame would matter,
        # and a full repaint would compete with the request and the print for the GIL.
        # tick() shows "taking your ticket…" if it takes longer.
        self.busy = True
        self._busy_shown = False
        self._run(lambda: self._work(kind, args, cid), lambda out: self._done(key, kind, cid, out))

    def _work(self, kind: str, args: dict[str, Any], cid: str) -> _Outcome:
        """Off the UI thread: ask the server, then print what it committed.  The command id
        is in the journal from before the send until the ticket is in the citizen's hand
        (or refused): if the kiosk dies in between, the next start voids it."""
        self._journal.record(cid)
        try:
            reply = self._send(kind, args, cid)
        except TimeoutError:
            return _Outcome(None)                 # stays in the journal: owed a void
        if not reply.ok or not reply.result or "ticket" not in reply.result:
            self._journal.settle(cid)
            return _Outcome(reply)
        slip = slip_from_ticket(reply.result["ticket"], self.cat)
        printed = self._printer.print_ticket(slip, with_notice=self.settings.print_notice)
        self._journal.settle(cid)                 # on paper, or on screen to photograph
        return _Outcome(reply, printed)

    def _done(self, key: str, kind: str, cid: str, out: _Outcome) -> None:
        self.busy = False
        self._outbox.pop(key, None)
        if out.reply is None:
            # The citizen is told nothing was issued, so nothing may stay issued: the server
            # may have committed it (the reply was lost) or may get it late (QoS 1
            # redelivery).  Void that command id; a later tap is a new request, new id.
            log.warning("%s %s: no reply from the hall server; voiding it", kind, cid)
            self._show(Message(TEXTS["offline"], TEXTS["help_desk"]))
            self._voids[cid] = f"{cid}-void"
            self._pump_voids(force=True)
            return
        if not out.reply.ok or out.printed is None:
            self._refused(out.reply.error)
            return
        self._issued(out.reply.result["ticket"], out.printed, kind == "CheckIn")  # type: ignore[index]

    # -- voiding issues nobody holds ---------------------------------------------------------------
    @property
    def voids_pending(self) -> list[str]:
        """Command ids of issues still to be voided (for tests and the health of the kiosk)."""
        return list(self._voids)

    def _pump_voids(self, force: bool = False) -> None:
        """Send every owed VoidIssue not already in flight, when the hall can be reached;
        after a void got no answer, again only after ``void_retry_s`` unless ``force``
        (the link or the server came back, or the citizen taps)."""
        if not self._voids or not self.online:
            return
        if not force and self._now() < self._void_retry_at:
            return
        for target, void_id in list(self._voids.items()):
            if target in self._voids_in_flight:
                continue
            self._voids_in_flight.add(target)
            self._run(lambda t=target, v=void_id: self._void_work(t, v),   # type: ignore[misc]
                      lambda reply, t=target: self._void_done(t, reply))   # type: ignore[misc]

    def _void_work(self, target: str, void_id: str) -> ReplyLike | None:
        """Off the UI thread, like every request."""
        try:
            return self._send("VoidIssue", {"command_id": target}, void_id)
        except TimeoutError:
            return None

    def _void_done(self, target: str, reply: ReplyLike | None) -> None:
        self._voids_in_flight.discard(target)
        code = getattr(reply.error, "code", "") if reply is not None and not reply.ok else ""
        if reply is None or code == "storage_unavailable":
            self._void_retry_at = self._now() + self.settings.void_retry_s
            log.warning("void of %s: %s; will retry", target, code or "no reply")
            return
        del self._voids[target]
        self._journal.settle(target)
        if reply.ok:
            voided = (reply.result or {}).get("voided") or {}
            log.info("void of %s: %s %s", target, voided.get("outcome", "ok"), voided.get("number") or "")
        else:
            # Refused for good (e.g. ticket_already_called: the citizen came anyway).
            log.warning("void of %s refused: %s", target, code)

    def _refused(self, error: Any) -> None:
        code = getattr(error, "code", "")
        log.info("refused: %s", code)
        body = (getattr(error, "message", "") or TEXTS["help_desk"][0], getattr(error, "message_en", "") or TEXTS["help_desk"][1])
        self._show(Message(TEXTS["refused_title"], body, REFUSAL_HINTS.get(code, TEXTS["help_desk"])))

    def _issued(self, ticket: dict[str, Any], printed: PrintResult, checked_in: bool) -> None:
        self.issued += 1
        self._note_printer(printed.health)
        reason = "none" if printed.ok else str(printed.health.reason)
        if not printed.ok:
            log.error("ticket %s committed but not printed (%s): shown on screen", ticket.get("number"), reason)
        self.result = Result(ticket, printed.ok, reason, checked_in)
        self.person = _Person()   # one ticket per identification
        self.message = None
        self._go(Screen.RESULT)

    def _show(self, message: Message) -> None:
        if self.screen is not Screen.MESSAGE:
            self._before_message = self.screen
        self.message = message
        self._go(Screen.MESSAGE)

    def dismiss(self) -> None:
        """The message's OK button: back to where the person was (item page, home...)."""
        back = self._before_message if self._before_message in (Screen.ITEM, Screen.CATEGORY, Screen.SCAN) else Screen.HOME
        self.message = None
        if back is Screen.HOME:
            self.go_home()
        else:
            self._go(back)

    # -- printer health ----------------------------------------------------------------------------
    def _note_printer(self, health: DeviceHealth) -> None:
        """Report the printer's health when it changes (a fault reaches the manager)."""
        if self._printer_health is None or health.state != self._printer_health.state \
                or health.reason != self._printer_health.reason:
            self._printer_health = health
            self._report_printer(health)

    def check_printer(self) -> None:
        """Poll the printer now and then, off the UI thread (a serial status query waits)."""
        self._run(self._printer.health, self._printer_checked)

    def _printer_checked(self, health: DeviceHealth) -> None:
        was = self.printer_ok
        self._note_printer(health)
        if was != self.printer_ok:
            self._changed()

    def printer_reason_text(self) -> str:
        reason = self.result.printer_reason if self.result else "none"
        return self.pick(PRINTER_REASONS.get(reason, PRINTER_REASONS["printer_error"]))

    # -- scanning ---------------------------------------------------------------------------------
    def open_scan(self) -> None:
        if not self.busy:
            self._go(Screen.SCAN)

    def scanned_text(self, text: str) -> None:
        """A scan from a keyboard-wedge scanner or the camera: classify it here."""
        self.scanned(classify_scan(text, self._today()), text)

    def scanned(self, scan: ScanResult, text: str | None = None) -> None:
        """A classified scan (from devices' scanner thread, already on the UI thread);
        ``text``, the raw code, lets a staff badge unlock the green channel."""
        self.touch()
        if self.busy or self.screen is Screen.RESULT:
            return
        if text and self._staff_card(text):
            return
        if scan.kind is ScanKind.REFUSED:
            log.info("scan refused: %s", scan.reason)
            why = SCAN_REASONS.get(scan.reason or "", SCAN_REASONS["scan_unknown_format"])
            self._show(Message(TEXTS["refused_title"], why, TEXTS["help_desk"]))
        elif scan.kind is ScanKind.ID_NUMBER and scan.id_number is not None:
            self._identified(scan.id_number.value, scan.id_number.public_masked)
        elif scan.kind is ScanKind.APPOINTMENT and scan.appointment_code:
            args: dict[str, Any] = {"code": scan.appointment_code}
            if self.person.id_hash:
                args["id_hash"] = self.person.id_hash
            self._request("CheckIn", args)
        elif scan.kind is ScanKind.TICKET and scan.ticket is not None:
            text = TEXTS["scan_ticket"]
            number = scan.ticket.ticket_number
            self._show(Message(TEXTS["scan_title"], (text[0].format(number=number), text[1].format(number=number)),
                               error=False))

    def _identified(self, id_number: str, public_mask: str) -> None:
        """Keep only the keyed hash (for the server) and the public mask (for the screen)."""
        if not self.settings.secret:
            log.error("no hall secret: an ID cannot be used for per-person limits")
            self._show(Message(TEXTS["refused_title"], TEXTS["help_desk"]))
            return
        self.person.id_hash = keyed_hash(id_number, self.settings.secret)
        self.person.id_mask = public_mask
        log.info("ID read (%s)", public_mask)
        if self.screen in (Screen.SCAN, Screen.MESSAGE, Screen.PIN, Screen.PRIORITY):
            self.message = None
            self._go(Screen.HOME)
        else:
            self._go(self.screen)

    # -- staff-assisted priority tickets -------------------------------------------------------------
    def open_staff(self) -> None:
        if not self.busy:
            self.pin_entry = ""
            self._go(Screen.PIN)

    def pin_digit(self, digit: str) -> None:
        if digit.isdigit() and len(self.pin_entry) < 12:
            self.pin_entry += digit
            self._go(Screen.PIN)

    def pin_clear(self) -> None:
        self.pin_entry = ""
        self._go(Screen.PIN)

    def _staff_card(self, text: str) -> bool:
        """A listed staff badge works like the right PIN (and is never logged)."""
        if not self.settings.staff_cards or not self.settings.secret:
            return False
        if staff_card_hash(text, self.settings.secret) not in self.settings.staff_cards:
            return False
        self._pin_failures = 0
        self.person.staff = True
        log.info("staff mode unlocked by a staff card")
        self._go(Screen.PRIORITY)
        return True

    def pin_submit(self) -> None:
        entered, self.pin_entry = self.pin_entry, ""
        if self._now() < self._pin_locked_until:
            self._show(Message(TEXTS["pin_locked"], TEXTS["help_desk"]))
            return
        if entered != self.settings.staff_pin:
            self._pin_failures += 1
            log.warning("wrong staff PIN (%d in a row)", self._pin_failures)
            if self._pin_failures >= self.settings.pin_attempts:
                self._pin_failures = 0
                self._pin_locked_until = self._now() + self.settings.pin_lock_s
                self._show(Message(TEXTS["pin_locked"], TEXTS["help_desk"]))
            else:
                self._show(Message(TEXTS["pin_wrong"], TEXTS["pin_title"]))
            return
        self._pin_failures = 0
        self.person.staff = True
        log.info("staff mode unlocked")
        self._go(Screen.PRIORITY)

    def choose_priority(self, key: str) -> None:
        if not self.person.staff or self.cat.priority(key) is None:
            return
        self.person.priority = key
        self.go_home()

    def leave_staff(self) -> None:
        self.person.staff = False
        self.person.priority = None
        self.go_home()

    def priority_name(self) -> str | None:
        p = self.cat.priority(self.person.priority) if self.person.priority else None
        return (p.name_en if self.lang == "en" else p.name) if p else None
