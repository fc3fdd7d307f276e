"""A small typed client for the hall's apps (kiosk, clerk and manager consoles, displays).

``request`` sends a command as an MQTT v5 request (response topic + correlation data,
QoS 1) and waits for the reply; if none comes it re-sends the *same* command id, so a
retry after a lost reply or a server restart gets the original answer and changes
nothing.  Subscription callbacks run on paho's network thread: hand the value to your
UI thread (Kivy: ``Clock.schedule_once``) and never call ``request`` from them.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, TypeVar

import paho.mqtt.client as mqtt
from pydantic import BaseModel, ValidationError

from ..config import HallConfig
from ..workdays import local
from .. import clock
from . import schemas as S
from .broker import Credentials
from .link import Link, LinkOptions, publish_props
from .topics import SERVER_ID, Topics

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class RequestTimeout(TimeoutError):
    """No reply within the timeout (the server or the broker is down)."""


class HallClient:
    """One device's connection to the hall: ``HallClient(cfg, "kiosk-01", creds)``."""

    def __init__(self, hall: HallConfig | str, device_id: str, credentials: Credentials | str | Path, *,
                 persistent: bool = True, session_expiry: int = 3600, client_id: str | None = None):
        creds = credentials if isinstance(credentials, Credentials) else Credentials.load(credentials)
        hall_id = hall.hall.id if isinstance(hall, HallConfig) else hall
        self._tz = hall.hall.timezone if isinstance(hall, HallConfig) else "Asia/Shanghai"
        self.device_id = device_id
        self.topics = t = Topics(hall_id)
        self._pending: dict[bytes, list[S.Reply]] = {}
        self._waiters: dict[bytes, threading.Event] = {}
        self._handlers: dict[str, list[Callable[[str, bytes], None]]] = {}
        self._lock = threading.Lock()
        self.link = Link(LinkOptions.of(
            creds, device_id, client_id=client_id or device_id, clean_start=not persistent,
            session_expiry=session_expiry if persistent else 0,
            will=(t.presence(device_id), S.dump(S.Presence(device=device_id, online=False))),
            birth=lambda: (t.presence(device_id), S.dump(S.Presence(device=device_id, online=True, at=self._now()))),
            subscriptions=[(t.reply(device_id), 1)],
        ), on_message=self._on_message)

    # -- life cycle -------------------------------------------------------------------
    def start(self, wait: float | None = 10.0) -> "HallClient":
        self.link.start(wait=wait)
        return self

    def stop(self) -> None:
        t = self.topics
        self.link.stop(offline=(t.presence(self.device_id),
                                S.dump(S.Presence(device=self.device_id, online=False, at=self._now()))))

    def __enter__(self) -> "HallClient":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def connected(self) -> bool:
        return self.link.connected.is_set()

    def _now(self) -> str:
        return local(clock.now(), self._tz).isoformat(timespec="seconds")

    # -- requests -------------------------------------------------------------------------
    def request(self, kind: str, args: dict[str, Any] | None = None, *, timeout: float = 10.0,
                retry_every: float = 2.0, command_id: str | None = None) -> S.Reply:
        """Send a command and wait for its reply; retries keep the same command id."""
        cid = command_id or uuid.uuid4().hex
        # Unique per call (same for its retries): a late reply to an earlier call that
        # reused this command id can't be taken for this call's answer.
        corr = f"{cid}|{uuid.uuid4().hex[:12]}".encode()
        body = S.dump(S.CommandRequest(id=cid, kind=kind, args=args or {}))
        return self.request_raw(body, corr, timeout=timeout, retry_every=retry_every)

    def request_raw(self, body: bytes, corr: bytes, *, timeout: float = 10.0, retry_every: float = 2.0) -> S.Reply:
        """Send pre-built bytes as a request (tests use it for malformed payloads)."""
        done = threading.Event()
        with self._lock:
            self._waiters[corr] = done
        deadline = time.monotonic() + timeout
        # The request expires in the broker when we stop waiting for it: no stale commands.
        props = publish_props(correlation=corr, response_topic=self.topics.reply(self.device_id),
                              expiry=max(1, int(timeout + 0.999)))
        try:
            while True:
                self.link.publish(self.topics.cmd(self.device_id), body, qos=1, props=props)
                left = deadline - time.monotonic()
                if done.wait(min(retry_every, max(0.0, left))):
                    with self._lock:
                        return self._pending.pop(corr)[0]
                if time.monotonic() >= deadline:
                    raise RequestTimeout(f"no reply from the hall server within {timeout}s / 服务器无响应")
                log.info("%s: no reply yet, re-sending the same command", self.device_id)
        finally:
            with self._lock:
                self._waiters.pop(corr, None)
                self._pending.pop(corr, None)

    # -- state subscriptions -------------------------------------------------------------------
    def subscribe(self, topic: str, model: type[M], callback: Callable[[M], None]) -> None:
        """Call ``callback(model)`` for every valid message on ``topic`` (wildcards allowed)."""
        def handle(_topic: str, payload: bytes) -> None:
            try:
                value = model.model_validate_json(payload)
            except ValidationError:
                log.warning("%s: ignored a malformed message on %s", self.device_id, _topic)
                return
            callback(value)
        with self._lock:
            self._handlers.setdefault(topic, []).append(handle)
        self.link.subscribe(topic, 1)

    def on_window(self, window: int, cb: Callable[[S.WindowDisplay], None]) -> None:
        self.subscribe(self.topics.window(window), S.WindowDisplay, cb)

    def on_board(self, cb: Callable[[S.BoardState], None]) -> None:
        self.subscribe(self.topics.board, S.BoardState, cb)

    def on_queues(self, cb: Callable[[S.QueuesState], None]) -> None:
        self.subscribe(self.topics.queues, S.QueuesState, cb)

    def on_cases(self, cb: Callable[[S.CasesOverview], None]) -> None:
        """Deadline warnings and proxied cases (managers only, by the broker's ACL)."""
        self.subscribe(self.topics.cases, S.CasesOverview, cb)

    def on_calls(self, cb: Callable[[S.CallEvent], None], window: int | None = None) -> None:
        self.subscribe(self.topics.call(window) if window is not None else self.topics.all_calls, S.CallEvent, cb)

    def on_devices(self, cb: Callable[[S.DevicesState], None]) -> None:
        self.subscribe(self.topics.devices, S.DevicesState, cb)

    def on_server_presence(self, cb: Callable[[S.Presence], None]) -> None:
        self.subscribe(self.topics.presence(SERVER_ID), S.Presence, cb)

    def report_health(self, ok: bool, faults: list[S.Fault] | None = None) -> None:
        """Retained health of this device and its parts (printer, scanner)."""
        h = S.DeviceHealth(device=self.device_id, ok=ok, faults=faults or [], at=self._now())
        self.link.publish(self.topics.health(self.device_id), S.dump(h), qos=1, retain=True)

    # -- paho's thread ----------------------------------------------------------------------------
    def _on_message(self, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == self.topics.reply(self.device_id):
            self._on_reply(msg)
            return
        with self._lock:
            handlers = [h for pat, hs in self._handlers.items() if mqtt.topic_matches_sub(pat, msg.topic) for h in hs]
        for h in handlers:
            try:
                h(msg.topic, msg.payload)
            except Exception:
                log.exception("%s: subscription callback failed", self.device_id)

    def _on_reply(self, msg: mqtt.MQTTMessage) -> None:
        corr = getattr(msg.properties, "CorrelationData", None) if msg.properties else None
        if corr is None:
            return
        try:
            reply = S.Reply.model_validate_json(msg.payload)
        except ValidationError:
            log.warning("%s: malformed reply", self.device_id)
            return
        with self._lock:
            done = self._waiters.get(bytes(corr))
            if done is None or done.is_set():
                return
            self._pending[bytes(corr)] = [reply]
            done.set()
