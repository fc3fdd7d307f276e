"""The hall service: the one writer of a hall's state.

decide -> store the events durably -> fold them into state -> tell listeners.
Nothing is announced, printed or displayed that is not already committed.  A command
id seen before returns the stored original result and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy.exc import SQLAlchemyError

from .cases import commands as CC
from .cases.commands import CASE_COMMANDS, CaseCommand
from .cases.decide import CaseContext, CaseRules
from .cases.decide import Decision as CaseDecision
from .cases.decide import decide as decide_case
from .cases.events import CASE_EVENTS, CaseEvent
from .cases.evolve import apply as apply_case
from .cases.model import CasesState, initial_cases
from .cases.rejections import CaseRejectionCode
from .cases.rejections import rejection as case_rejection
from .config import HallConfig
from .engine.commands import COMMANDS, CheckIn, CloseDay, Command, IssueTicket, RateService, VoidIssue, VoidTicket
from .engine.decide import Context, Decision, advance_counters, decide, roll_over
from .engine.events import EVENTS, DayStarted, Event, TicketIssued
from .engine.evolve import apply, new_ticket
from .engine.model import HallState, TicketStatus, initial_state, state_from_dict, state_to_dict, window_state
from .engine.rejections import RejectionCode, rejection
from .store import VOIDED_KIND, CommandRecord, EventStore, case_event_types
from .views import ticket_view
from .workdays import hours_on, local

log = logging.getLogger(__name__)

Listener = Callable[[list[Any], HallState], None]
AnyCommand = Command | CaseCommand


@dataclass(frozen=True)
class Outcome:
    ok: bool
    result: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    duplicate: bool = False


@dataclass(frozen=True)
class StartReport:
    unclean: bool
    snapshot_seq: int
    replayed: int
    seconds: float


def command_digest(cmd: AnyCommand) -> str:
    reg = CASE_COMMANDS if isinstance(cmd, CaseCommand) else COMMANDS
    body = json.dumps([type(cmd).__name__, reg.to_dict(cmd)], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(body.encode()).hexdigest()


class HallService:
    def __init__(self, cfg: HallConfig, store: EventStore, *, snapshot_every: int = 5000):
        self.ctx = Context.of(cfg)
        self.case_ctx = CaseContext.of(cfg, CaseRules(**cfg.cases.model_dump()))
        self.cfg = cfg
        self.cases: CasesState = initial_cases()
        self.store = store
        self.snapshot_every = snapshot_every
        self.state: HallState = initial_state(cfg)
        self.listeners: list[Listener] = []
        self._seq = 0
        self._snap_seq = 0
        self._started = False

    # -- life cycle -----------------------------------------------------------
    def start(self, now: datetime) -> StartReport:
        """Rebuild state from the store; after an unclean stop, skip possibly-printed numbers."""
        t0 = time.perf_counter()
        replayed = self.rebuild()
        unclean = self.store.get_meta("running") == "1"
        self.store.set_meta("running", "1")
        self._started = True
        rolled = roll_over(self.ctx, self.state, now)
        if rolled:
            self._commit(rolled, None)
        elif unclean:
            log.warning("hall %s: unclean shutdown detected; moving today's counters forward by %d",
                        self.cfg.hall.id, self.cfg.rules.unclean_shutdown_margin)
            self._commit(advance_counters(self.ctx, self.state, now), None)
        return StartReport(unclean, self._snap_seq, replayed, time.perf_counter() - t0)

    def rebuild(self) -> int:
        """Fold the store into memory (latest snapshot + what followed); writes nothing,
        so a reader (``yimen queues``, reports) may do it while the server runs."""
        snap = self.store.latest_snapshot()
        if snap is not None:
            self._snap_seq, data = snap
            self.state = state_from_dict(data)
        else:
            self._snap_seq, self.state = 0, initial_state(self.cfg)
        self._reconcile_windows()
        self._seq = self._snap_seq
        replayed = 0
        # Cases live for months, so they are rebuilt from their own events (a few per
        # case); the queue state from the latest snapshot plus what followed.
        self.cases = initial_cases()
        for _, e in self.store.events(types=case_event_types()):
            apply_case(self.cases, e)
        for seq, e in self.store.events(after=self._snap_seq):
            if not isinstance(e, CaseEvent):
                apply(self.state, e)
            self._seq = seq
            replayed += 1
        return replayed

    def stop(self) -> None:
        if self._started:
            self.store.set_meta("running", "0")
            self._started = False

    def _reconcile_windows(self) -> None:
        """Windows added to the config since the snapshot join the state."""
        for w in self.cfg.windows:
            if w.number not in self.state.windows:
                self.state.windows[w.number] = window_state(w)

    # -- commands ---------------------------------------------------------------
    def handle(self, cmd: AnyCommand, *, command_id: str, actor: str = "", now: datetime) -> Outcome:
        if not self._started:
            raise RuntimeError("start() the service before handling commands")
        digest = command_digest(cmd)
        seen = self.store.command(command_id)
        if seen is not None:
            if seen.kind == VOIDED_KIND:
                # The kiosk voided this id before the command got here (a late QoS 1
                # redelivery): it issues nothing.  Not a duplicate: nothing ran under it.
                return Outcome(False, seen.result)
            if seen.digest != digest:
                return Outcome(False, {"ok": False, "command_id": command_id,
                                       "rejected": rejection(RejectionCode.DUPLICATE_COMMAND, command_id).to_dict()},
                               duplicate=True)
            return Outcome(bool(seen.result.get("ok")), seen.result, duplicate=True)
        try:
            return self._handle_new(cmd, command_id, digest, actor, now)
        except SQLAlchemyError as exc:
            # Nothing was committed, so nothing was folded or announced: refuse plainly and
            # keep serving; a retry with the same id will be decided afresh.
            log.error("store failed for command %s (%s): %s", command_id, type(cmd).__name__, type(exc).__name__)
            return Outcome(False, {"ok": False, "command_id": command_id,
                                   "rejected": rejection(RejectionCode.STORAGE_UNAVAILABLE, type(exc).__name__).to_dict()})

    def _handle_new(self, cmd: AnyCommand, command_id: str, digest: str, actor: str, now: datetime) -> Outcome:
        rolled = roll_over(self.ctx, self.state, now)
        if rolled:
            self._commit(rolled, None)
        if isinstance(cmd, VoidIssue):
            return self._void_issue(cmd, command_id, digest, actor, now)
        decision: Decision | CaseDecision
        if isinstance(cmd, CaseCommand):
            decision = self._decide_case(cmd, now)
        else:
            decision = decide(self.ctx, self.state, cmd, now)
            if isinstance(cmd, RateService) and decision.ok:
                # The ticket was served here; when it opened a case the rating belongs to
                # the case (好差评 per case, with its follow-up), not to the ticket.
                case = cmd.case or self.case_for_ticket(cmd.number)
                if case is not None:
                    decision = decide_case(self.case_ctx, self.cases, CC.RateCase(
                        case=case, level=cmd.level, attitude=cmd.attitude, efficiency=cmd.efficiency,
                        integrity=cmd.integrity, comment=cmd.comment, source=actor, by=actor), now)
        result = self._result(command_id, decision)
        record = CommandRecord(command_id, type(cmd).__name__, digest, actor, now.isoformat(), result)
        if decision.ok and _needs_ticket(cmd):
            result = self._with_ticket(result, decision.events)
            record = CommandRecord(command_id, type(cmd).__name__, digest, actor, now.isoformat(), result)
        self._commit(decision.events, record)
        return Outcome(decision.ok, result, decision.events)

    def _void_issue(self, cmd: VoidIssue, command_id: str, digest: str, actor: str, now: datetime) -> Outcome:
        """Void what ``cmd.command_id`` issued, found through the stored command results:

        * a ticket still waiting, never called: ``TicketVoided`` takes it out of the queue;
        * already called or served: refused (``ticket_already_called``);
        * never seen: a tombstone result under that id, so the late original is refused
          (``issue_voided``) and issues nothing;
        * seen but it issued nothing (refused), or already voided: nothing to do.

        Only the device that sent the original may void it."""
        target_id = cmd.command_id
        decision = Decision()
        tomb: list[CommandRecord] = []
        outcome, number = "", None
        target = self.store.command(target_id) if target_id and target_id != command_id else None
        if not target_id or target_id == command_id:
            decision = Decision(rejected=rejection(RejectionCode.INVALID_COMMAND, "command_id: not another command's id"))
        elif target is None:
            outcome = "tombstoned"
            tomb.append(CommandRecord(target_id, VOIDED_KIND, "", actor, now.isoformat(), {
                "ok": False, "command_id": target_id, "voided_by": command_id,
                "rejected": rejection(RejectionCode.ISSUE_VOIDED).to_dict()}))
        elif target.actor != actor:
            decision = Decision(rejected=rejection(RejectionCode.NOT_AUTHORIZED, "command_id: sent by another device"))
        elif target.kind == VOIDED_KIND:
            outcome = "tombstoned"                  # voided before, under another VoidIssue id
        elif target.kind not in ("IssueTicket", "CheckIn"):
            decision = Decision(rejected=rejection(RejectionCode.INVALID_COMMAND,
                                                   f"command_id: a {target.kind}, not a ticket issue"))
        elif not target.result.get("ok") or "ticket" not in target.result:
            outcome = "nothing_issued"              # it was refused: no ticket to void
        else:
            ticket = target.result["ticket"]
            number = ticket["number"]
            decision = decide(self.ctx, self.state, VoidTicket(
                number=number, business_day=date.fromisoformat(ticket["business_day"]), source=actor), now)
            outcome = "voided" if decision.events else "already_voided"
        result = self._result(command_id, decision)
        if decision.ok:
            result["voided"] = {"command_id": target_id, "number": number, "outcome": outcome}
        self._commit(decision.events, CommandRecord(command_id, type(cmd).__name__, digest, actor, now.isoformat(),
                                                    result), tomb)
        return Outcome(decision.ok, result, decision.events)

    def tick(self, now: datetime) -> list[Event]:
        """Called by the server's clock: end the day after hours, start a new one."""
        if not self._started:
            return []
        out = roll_over(self.ctx, self.state, now)
        if out:
            self._commit(out, None)
            return out
        day = self.state.day
        if day is None or day.ended:
            return []
        t = local(now, self.cfg.hall.timezone)
        periods = hours_on(self.cfg.hall.business_hours, self.ctx.cal, t.date())
        if periods and t.time() >= periods[-1].end and not self.cfg.rules.issue_outside_hours:
            d = decide(self.ctx, self.state, CloseDay(), now)
            self._commit(d.events, None)
            return d.events
        return []

    def case_for_ticket(self, number: str) -> str | None:
        """The latest case opened today from this ticket, if any."""
        if self.state.day is None:
            return None
        return self.cases.latest_for_ticket.get((self.state.day.business_day, number))

    def _decide_case(self, cmd: CaseCommand, now: datetime) -> CaseDecision:
        """Case rules, plus the one check that needs the queue: a case opened from a
        ticket must be for the ticket being served at that window."""
        if isinstance(cmd, CC.OpenCase) and cmd.ticket is not None:
            t = self.state.ticket(cmd.ticket)
            if t is None or t.window != cmd.window or t.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
                return CaseDecision(rejected=case_rejection(CaseRejectionCode.TICKET_NOT_AT_WINDOW, cmd.ticket))
            if cmd.id_hash is None and t.id_hash is not None:
                cmd = replace(cmd, id_hash=t.id_hash)
        return decide_case(self.case_ctx, self.cases, cmd, now)

    # -- internals -----------------------------------------------------------------
    def _commit(self, events: list[Any], record: CommandRecord | None, more: list[CommandRecord] | None = None) -> None:
        if not events and record is None:
            return
        last = self.store.append(events, record, more or ())
        if events:
            self._seq = last
            for e in events:
                if isinstance(e, CaseEvent):
                    apply_case(self.cases, e)
                else:
                    apply(self.state, e)
            if any(isinstance(e, DayStarted) for e in events) or self._seq - self._snap_seq >= self.snapshot_every:
                self.snapshot()
            for listener in self.listeners:
                try:
                    listener(events, self.state)
                except Exception:  # a listener must never undo a committed command
                    log.exception("listener failed after commit")

    def snapshot(self) -> None:
        self.store.save_snapshot(self._seq, state_to_dict(self.state))
        self._snap_seq = self._seq

    def _result(self, command_id: str, d: Decision | CaseDecision) -> dict[str, Any]:
        if d.rejected is not None:
            return {"ok": False, "command_id": command_id, "rejected": d.rejected.to_dict()}
        return {"ok": True, "command_id": command_id,
                "events": [{"type": type(e).__name__,
                            **(CASE_EVENTS if isinstance(e, CaseEvent) else EVENTS).to_dict(e)} for e in d.events]}

    def _with_ticket(self, result: dict[str, Any], events: list[Event]) -> dict[str, Any]:
        issued = next(e for e in events if isinstance(e, TicketIssued))
        return {**result, "ticket": ticket_view(self.ctx, self.state, new_ticket(issued, 0))}


def _needs_ticket(cmd: Command) -> bool:
    return isinstance(cmd, (IssueTicket, CheckIn))

