"""The queue server's MQTT side: commands in, replies and retained state out.

paho's thread only decodes a message and puts it on a queue; one worker thread owns
the HallService (not thread-safe): it handles the command (durable commit), then
publishes the changed retained state, the call events, and finally the reply.  On every
(re)connect it republishes all retained state: the broker keeps nothing we can't rebuild.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import paho.mqtt.client as mqtt
from pydantic import BaseModel, ValidationError

from .. import clock
from ..cases import views as case_views
from ..cases.events import CaseEvent
from ..cases.model import OPEN_STATUSES as OPEN_CASE_STATUSES
from ..cases.roster import roster_for, roster_from_config
from ..config import HallConfig
from ..engine import commands as C
from ..engine.events import Event, TicketCalled, TicketRecalled
from ..engine.model import HallState, WindowState
from ..engine.rejections import MESSAGES, Rejected, RejectionCode
from ..hall import OpenHall, default_data_dir
from ..protocol import CommandError, check_command_id, parse_command
from ..views import queue_summary, recent_calls, recent_no_shows, window_view
from ..workdays import local
from . import schemas as S
from .auth import authorize
from .broker import Credentials, mqtt_devices
from .link import Link, LinkOptions, publish_props
from .topics import SERVER_ID, Topics

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0
REFRESH_DELAY = 0.05             # coalesce: repaint the whole hall this long after a change
REFRESH_MAX_DELAY = 0.5          # and finish the repaint within this, even under constant load
REPLY_EXPIRY_S = 120
REQUEST_FIELDS = frozenset({"v", "id", "kind", "args"})


@dataclass(frozen=True)
class _Cmd:
    device: str
    payload: bytes
    correlation: bytes | None


@dataclass(frozen=True)
class _Status:
    device: str
    payload: bytes
    presence: bool            # else a health report


@dataclass(frozen=True)
class _Connected:
    session_present: bool


_STOP = object()


class BadRequest(Exception):
    """A request that never reaches the service: answered with a code, logged without data."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


class MqttServer:
    """Serves one open hall over the hall's broker."""

    def __init__(self, hall: OpenHall, creds: Credentials, *, tick_seconds: float = TICK_SECONDS):
        self.hall = hall
        self.cfg = hall.cfg
        self._roster = roster_from_config(hall.cfg)
        self.svc = hall.service
        self.topics = Topics(self.cfg.hall.id)
        self.tick_seconds = tick_seconds
        self._q: queue.Queue[Any] = queue.Queue()
        self._calls: list[Event] = []
        self._cases_dirty = True
        self._touched: set[int] = set()                   # windows the last commands changed
        self._dirty_since: float | None = None            # full state not yet republished
        self._steps: Iterator[None] | None = None         # a repaint in progress, one view per step
        self._overdue_at = 0.0
        self._last: dict[str, str] = {}                   # topic -> last published body (no "at")
        self._presence: dict[str, S.Presence] = {}
        self._health: dict[str, S.DeviceHealth] = {}
        self._known = {d.id: d for d in mqtt_devices(self.cfg)}
        self._worker = threading.Thread(target=self._run, name="yimen-mqtt-worker", daemon=True)
        self.handled = 0
        t = self.topics
        self.link = Link(LinkOptions.of(
            creds, SERVER_ID, client_id=f"{SERVER_ID}-{self.cfg.hall.id}", session_expiry=86400,
            will=(t.presence(SERVER_ID), S.dump(S.Presence(device=SERVER_ID, online=False))),
            birth=lambda: (t.presence(SERVER_ID), S.dump(S.Presence(device=SERVER_ID, online=True, at=self._now_text()))),
            subscriptions=[(t.all_cmds, 1), (t.all_presence, 1), (t.all_health, 1)],
        ), on_message=self._on_message, on_connected=lambda sp: self._q.put(_Connected(sp)))

    # -- life cycle ---------------------------------------------------------------
    def start(self, wait: float | None = 10.0) -> None:
        self.svc.listeners.append(self._committed)
        self._worker.start()
        self.link.start(wait=wait)

    def stop(self) -> None:
        self._q.put(_STOP)
        self._worker.join(10)
        t = self.topics
        self.link.stop(offline=(t.presence(SERVER_ID), S.dump(S.Presence(device=SERVER_ID, online=False, at=self._now_text()))))
        if self._committed in self.svc.listeners:
            self.svc.listeners.remove(self._committed)

    def __enter__(self) -> "MqttServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- paho's thread: decode and hand on, nothing else -------------------------------
    def _on_message(self, msg: mqtt.MQTTMessage) -> None:
        parts = msg.topic.split("/")
        if len(parts) < 4:
            return
        device = parts[-1]
        if parts[2] == "cmd":
            corr = getattr(msg.properties, "CorrelationData", None) if msg.properties else None
            self._q.put(_Cmd(device, msg.payload, corr))
        elif parts[2] == "presence":
            self._q.put(_Status(device, msg.payload, True))
        elif parts[2] == "state" and parts[3] == "device":
            self._q.put(_Status(device, msg.payload, False))

    # -- the worker: owns the service ------------------------------------------------------
    def _run(self) -> None:
        next_tick = time.monotonic() + self.tick_seconds
        while True:
            if self._steps is not None:
                wait = 0.0
            elif self._dirty_since is not None:
                wait = self._dirty_since + REFRESH_DELAY - time.monotonic()
            else:
                wait = next_tick - time.monotonic()
            try:
                item = self._q.get(timeout=max(0.0, wait))
            except queue.Empty:
                item = None
            if item is _STOP:
                return
            try:
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self.tick_seconds
                    self._tick()
                if item is not None:
                    self._dispatch(item)
                self._refresh_if_due()
            except Exception:  # one bad message must never stop the hall
                log.exception("worker failed on %s", type(item).__name__)

    def _refresh_if_due(self) -> None:
        """Repaint the whole hall a view at a time between commands, so a command waits
        for at most one view; under constant load one step per command keeps it moving."""
        now = time.monotonic()
        if self._steps is None and self._dirty_since is not None and now >= self._dirty_since + REFRESH_DELAY:
            self._overdue_at = self._dirty_since + REFRESH_MAX_DELAY
            self._steps = self._state_steps()
        if self._steps is None:
            return
        if self._q.empty() or now >= self._overdue_at:
            if next(self._steps, StopIteration) is StopIteration:
                self._steps = None
            time.sleep(0)   # let paho's thread take the GIL: a waiting command goes first

    def _dispatch(self, item: Any) -> None:
        if isinstance(item, _Cmd):
            self._command(item)
        elif isinstance(item, _Status):
            self._status(item)
        elif isinstance(item, _Connected):
            self._connected(item)

    def _tick(self) -> None:
        self.svc.tick(clock.now())
        self._cases_dirty = True
        self._publish_state()

    def _connected(self, item: _Connected) -> None:
        """After any (re)connect: the broker may have lost everything; repaint it all."""
        if not item.session_present:
            self._presence.clear()
        self._last.clear()
        self._cases_dirty = True
        self._publish_state()
        self._publish_devices()

    # -- commands ------------------------------------------------------------------------------
    def _command(self, item: _Cmd) -> None:
        """Reply fast: the reply first (the command is committed), then the windows this
        command touched and the call-out; the board, queues and other windows follow,
        coalesced (a view costs about 0.5 ms)."""
        reply = self._answer(item.device, item.payload)
        self.handled += 1
        self.link.publish(self.topics.reply(item.device), S.dump(reply), qos=1,
                          props=publish_props(correlation=item.correlation, expiry=REPLY_EXPIRY_S))
        touched, self._touched = self._touched, set()
        self._publish_windows(touched)
        called = bool(self._calls)
        self._publish_calls()
        if called:
            # People watch the board for their number: a call repaints it at once (cheap:
            # it needs no per-window queue views); counts and waits follow, coalesced.
            self._publish_board(queue_summary(self.svc.ctx, self.svc.state, clock.now()))

    def _answer(self, device: str, payload: bytes) -> S.Reply:
        cid: str | None = None
        try:
            msg = _decode(payload)
            cid = msg.get("id") if isinstance(msg.get("id"), str) else None
            cmd, cid = _parse(msg)
        except BadRequest as exc:
            log.warning("refused a request from %s: %s (%s)", device, exc.code, _safe(exc.detail))
            return _error_reply(cid, exc.code, exc.detail)
        refused = authorize(self.cfg, device, cmd)
        if refused is not None:
            log.warning("refused %s from %s: not_authorized", type(cmd).__name__, device)
            return _rejected_reply(cid, refused)
        cmd = self._stamp_source(device, cmd)
        store_id = f"{device}/{cid}"
        if len(store_id) > 80:
            return _error_reply(cid, "invalid_command", "id: command id too long for this device")
        if isinstance(cmd, C.VoidIssue):
            # The id to void is the device's own, as it sent it: scope it like store_id.
            try:
                target = check_command_id(cmd.command_id)
            except CommandError:
                return _error_reply(cid, "invalid_command", "args.command_id: 1-80 printable characters")
            cmd = C.VoidIssue(command_id=f"{device}/{target}")
            if len(cmd.command_id) > 80:
                return _error_reply(cid, "invalid_command", "args.command_id: command id too long for this device")
        out = self.svc.handle(cmd, command_id=store_id, actor=device, now=clock.now())
        rejected = out.result.get("rejected") if not out.ok else None
        log.info("%s %s from %s: %s%s", type(cmd).__name__, cid, device,
                 "ok" if out.ok else (rejected or {}).get("code"), " (duplicate)" if out.duplicate else "")
        return S.Reply(id=cid, ok=out.ok, duplicate=out.duplicate, result=out.result,
                       error=S.ErrorInfo(**rejected) if rejected else None)

    def _stamp_source(self, device: str, cmd: C.Command) -> C.Command:
        """Tickets record which device issued them; a kiosk can't claim to be another."""
        if isinstance(cmd, (C.IssueTicket, C.CheckIn)):
            dev = self._known.get(device)
            if cmd.source == "" or (dev is not None and dev.kind == "kiosk"):
                return dataclasses.replace(cmd, source=device)
        return cmd

    def _committed(self, events: list[Event], _state: HallState) -> None:
        """Service listener (runs on the worker, after the commit): remember calls to announce."""
        self._calls.extend(e for e in events if isinstance(e, (TicketCalled, TicketRecalled)))
        if any(isinstance(e, CaseEvent) for e in events):
            self._cases_dirty = True
        for e in events:
            for attr in ("window", "to_window"):
                n = getattr(e, attr, None)
                if isinstance(n, int):
                    self._touched.add(n)
        if self._dirty_since is None:
            self._dirty_since = time.monotonic()

    # -- publishing -----------------------------------------------------------------------------
    def _now_text(self) -> str:
        return local(clock.now(), self.cfg.hall.timezone).isoformat(timespec="seconds")

    def _put_retained(self, topic: str, model: BaseModel) -> None:
        """Publish retained state only when it changed (ignoring its timestamp)."""
        body = model.model_dump_json(exclude={"at"})
        if self._last.get(topic) == body:
            return
        self._last[topic] = body
        self.link.publish(topic, S.dump(model), qos=1, retain=True)

    def _publish_windows(self, numbers: set[int]) -> None:
        state, at = self.svc.state, self._now_text()
        for n in sorted(numbers):
            if n in state.windows:
                self._put_retained(self.topics.window(n), S.WindowDisplay(**self._window(n), at=at))

    def _window(self, n: int) -> dict[str, Any]:
        """The window's view, with the case of the ticket just finished (for its rating pad)."""
        w = window_view(self.svc.ctx, self.svc.state, n)
        if w["last_finished"]:
            w["last_finished"]["case"] = self.svc.case_for_ticket(w["last_finished"]["number"])
        return w

    def _publish_state(self) -> None:
        """Every retained state topic at once (only those that changed are sent)."""
        self._steps = None
        for _ in self._state_steps():
            pass

    def _state_steps(self) -> Iterator[None]:
        self._dirty_since = None
        ctx, state, t = self.svc.ctx, self.svc.state, self.topics
        at = self._now_text()
        for n in sorted(state.windows):
            self._put_retained(t.window(n), S.WindowDisplay(**self._window(n), at=at))
            yield
        summary = queue_summary(ctx, state, clock.now())
        day = state.day.business_day.isoformat() if state.day else None
        self._put_retained(t.queues, S.QueuesState(business_day=day, at=at, items=summary))
        yield
        self._publish_board(summary)
        if self._cases_dirty:
            # Cases change rarely and scanning them all costs: only after case events,
            # on the clock's tick (lights change with the day) and after a reconnect.
            yield
            self._cases_dirty = False
            self._put_retained(t.cases, self._cases_overview(day, at))

    def _cases_overview(self, day: str | None, at: str) -> S.CasesOverview:
        """Deadline lights and proxied cases as of today (yellow/red change with the day)."""
        cases, svc = self.svc.cases, self.svc
        today = svc.state.day.business_day if svc.state.day else clock.now().date()
        warn_days = svc.case_ctx.rules.warning_days
        lights = case_views.warnings(cases, svc.ctx.cal, today, warn_days)
        proxied = case_views.proxy_board(cases, self.cfg, svc.ctx.cal, today, warn_days)
        open_cases = sum(1 for c in cases.cases.values() if c.status in OPEN_CASE_STATUSES)
        follow_ups = sum(1 for c in cases.cases.values()
                         if c.rating is not None and c.rating.follow_up is not None
                         and str(c.rating.follow_up.status) != "closed")
        return S.CasesOverview(
            business_day=day, at=at, open_cases=open_cases, open_follow_ups=follow_ups,
            warnings=[S.CaseLight(case=w.case, item_name=w.item_name, status=w.status, due=w.due.isoformat(),
                                  light=str(w.light)) for w in lights],
            proxied=[S.ProxiedCase(case=p.case, item_name=p.item_name, applicant=p.applicant, agent_name=p.agent_name,
                                   step=str(p.step), step_name=p.step_name, step_name_en=p.step_name_en,
                                   steps_done=p.steps_done, case_status=p.case_status, light=str(p.light))
                     for p in proxied])

    def _publish_board(self, summary: list[dict[str, Any]]) -> None:
        state = self.svc.state
        day = state.day.business_day.isoformat() if state.day else None
        self._put_retained(self.topics.board, self._board(day, self._now_text(), summary, state))

    def _board(self, day: str | None, at: str, summary: list[dict[str, Any]], state: HallState) -> S.BoardState:
        h = self.cfg.hall
        items = []
        for q in summary:
            item = self.cfg.item(q["item"])
            items.append(S.BoardItem(item=q["item"], name=item.name if item else q["item"],
                                     name_en=item.name_en if item else q["item"], waiting=q["waiting"],
                                     wait_minutes=q["wait_minutes"], paused=q["paused"], full=q["full"]))
        duty = roster_for(self.cfg, self._roster, self.svc.ctx.cal, state.day.business_day) if state.day else None
        staff = {d.window: list(d.staff) for d in duty.windows} if duty else {}
        return S.BoardState(
            hall=h.id, name=h.name, name_en=h.name_en, business_day=day, at=at,
            recent_calls=[S.RecentCall(**c) for c in recent_calls(state)],
            windows=[_board_window(self.cfg, w, staff.get(n, [])) for n, w in sorted(state.windows.items())],
            waiting=items, notices=list(h.notices), duty_leader=duty.duty_leader if duty else None,
            recent_no_shows=[S.RecentCall(**c) for c in recent_no_shows(state)])

    def _publish_calls(self) -> None:
        calls, self._calls = self._calls, []
        tz = self.cfg.hall.timezone
        for e in calls:
            assert isinstance(e, (TicketCalled, TicketRecalled))
            w = self.cfg.window(e.window)
            t = self.svc.state.ticket(e.number)
            ev = S.CallEvent(number=e.number, window=e.window, window_name=w.name if w else str(e.window),
                             window_name_en=w.name_en if w else str(e.window), item=t.item if t else None,
                             recall=e.count if isinstance(e, TicketRecalled) else 0,
                             at=local(e.at, tz).isoformat(timespec="seconds"))
            self.link.publish(self.topics.call(e.window), S.dump(ev), qos=1,
                              props=publish_props(expiry=S.CALL_EXPIRY_S))

    # -- presence and health ----------------------------------------------------------------------
    def _status(self, item: _Status) -> None:
        if item.device not in self._known:
            return
        try:
            if item.presence:
                p = S.Presence.model_validate_json(item.payload)
                if p.device == item.device:
                    self._presence[item.device] = p
            else:
                h = S.DeviceHealth.model_validate_json(item.payload)
                if h.device == item.device:
                    self._health[item.device] = h
        except ValidationError:
            log.warning("ignored a malformed %s message from %s", "presence" if item.presence else "health",
                        item.device)
            return
        self._publish_devices()

    def devices_state(self) -> S.DevicesState:
        rows = []
        for d in self._known.values():
            p, h = self._presence.get(d.id), self._health.get(d.id)
            rows.append(S.DeviceStatus(id=d.id, kind=str(d.kind), window=d.window,
                                       online=p.online if p else None, since=p.at if p else None,
                                       ok=h.ok if h else None, faults=list(h.faults) if h else []))
        online = sum(1 for r in rows if r.online)
        return S.DevicesState(at=self._now_text(), online=online, offline=len(rows) - online, devices=rows)

    def _publish_devices(self) -> None:
        self._put_retained(self.topics.devices, self.devices_state())


# -- request decoding (pure) ------------------------------------------------------------------------


def _board_window(cfg: HallConfig, w: WindowState, staff: list[str]) -> S.BoardWindow:
    """A window as the board shows it: straight from state, no queue scan."""
    c = cfg.window(w.number)
    return S.BoardWindow(window=w.number, name=c.name if c else str(w.number), name_en=c.name_en if c else str(w.number),
                         status=str(w.status), current=w.current, responsible=c.responsible if c else "",
                         responsible_title=c.responsible_title if c else "", staff=staff)


def _decode(payload: bytes) -> dict[str, Any]:
    if len(payload) > S.MAX_PAYLOAD:
        raise BadRequest("invalid_command", f"payload: larger than {S.MAX_PAYLOAD} bytes")
    try:
        msg = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("invalid_command", "payload: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadRequest("invalid_command", f"payload: not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise BadRequest("invalid_command", "payload: nested too deeply") from None
    if not isinstance(msg, dict):
        raise BadRequest("invalid_command", "payload: a command must be a JSON object")
    return msg


def _parse(msg: dict[str, Any]) -> tuple[C.Command, str]:
    extra = sorted(str(k) for k in set(msg) - REQUEST_FIELDS)
    try:
        if msg.get("v") != S.VERSION:
            raise CommandError("invalid_command", f"unsupported message version; this server speaks v{S.VERSION}", "v")
        if extra:
            raise CommandError("invalid_command", "is not a known field", extra[0][:40])
        cid = check_command_id(msg.get("id"))
        cmd = parse_command(msg.get("kind"), msg.get("args", {}))
    except CommandError as exc:
        raise BadRequest(exc.code, f"{exc.where}: {exc.message}" if exc.where else exc.message) from None
    return cmd, cid


def _safe(detail: str) -> str:
    """Log only where the problem is, never a value (it could be an ID number)."""
    return detail.split(":", 1)[0][:60]


_UNKNOWN = ("未知指令", "Unknown command")
_INTERNAL = ("服务器内部错误", "Internal server error")


def _error_reply(cid: str | None, code: str, detail: str) -> S.Reply:
    zh, en = {"unknown_command": _UNKNOWN, "internal_error": _INTERNAL}.get(code) or MESSAGES[RejectionCode(code)]
    return S.Reply(id=cid, ok=False, error=S.ErrorInfo(code=code, message=zh, message_en=en, detail=detail))


def _rejected_reply(cid: str | None, r: Rejected) -> S.Reply:
    return S.Reply(id=cid, ok=False, error=S.ErrorInfo(**r.to_dict()))


# -- running ------------------------------------------------------------------------------------------


def credentials_path(hall: OpenHall) -> Path:
    """Where ``yimen hall`` wrote the broker identities: next to the SQLite store by default."""
    env = os.environ.get("YIMEN_BROKER_CREDENTIALS")
    if env:
        return Path(env)
    if hall.store.is_sqlite:
        return Path(hall.store.url.split("///", 1)[1]).parent / "broker" / "credentials.json"
    return default_data_dir() / "broker" / "credentials.json"


def tune_process() -> None:
    """The server process: hand the GIL over within 0.5 ms (default 5 ms), so paho's
    thread reads a request while the worker repaints instead of queueing it for 5 ms."""
    sys.setswitchinterval(0.0005)


def run(hall: OpenHall, creds: Credentials | None = None, stop: threading.Event | None = None) -> None:
    """Serve until SIGINT/SIGTERM (or ``stop`` is set)."""
    tune_process()
    creds = creds or Credentials.load(credentials_path(hall))
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    server = MqttServer(hall, creds)
    server.start(wait=None)
    log.warning("hall %s serving on mqtt://%s:%d", hall.cfg.hall.id, creds.host, creds.port)
    try:
        stop.wait()
    finally:
        server.stop()
