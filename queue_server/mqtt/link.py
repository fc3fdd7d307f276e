"""One MQTT v5 connection done right for the hall (the only place that builds paho clients).

Fixed client id + ``clean_start=False`` + a session expiry, so the broker keeps the
session across drops; TCP_NODELAY on every socket (paho never sets it: the 88 ms trap);
automatic reconnect with subscriptions renewed on every connect; a retained presence
message with a last will.  Callbacks run on paho's thread: they must only hand work on.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from .broker import Credentials

log = logging.getLogger(__name__)

MessageHandler = Callable[[mqtt.MQTTMessage], None]


@dataclass
class LinkOptions:
    client_id: str
    username: str
    password: str
    host: str
    port: int
    tls_ca: str | None = None
    clean_start: bool = False
    session_expiry: int = 3600
    keepalive: int = 15
    will: tuple[str, bytes] | None = None       # retained last will (topic, payload)
    birth: Callable[[], tuple[str, bytes]] | None = None   # retained message on every connect
    subscriptions: list[tuple[str, int]] = field(default_factory=list)

    @classmethod
    def of(cls, creds: Credentials, identity: str, **kw: Any) -> "LinkOptions":
        return cls(client_id=kw.pop("client_id", identity), username=identity,
                   password=creds.password(identity), host=creds.host, port=creds.port,
                   tls_ca=creds.tls_ca, **kw)


def publish_props(*, correlation: bytes | None = None, response_topic: str | None = None,
                  expiry: int | None = None) -> Properties | None:
    if correlation is None and response_topic is None and expiry is None:
        return None
    p = Properties(PacketTypes.PUBLISH)
    if correlation is not None:
        p.CorrelationData = correlation
    if response_topic is not None:
        p.ResponseTopic = response_topic
    if expiry is not None:
        p.MessageExpiryInterval = expiry
    return p


def set_nodelay(sock: Any) -> None:
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass


class Link:
    """A self-healing paho v5 client; ``on_message`` and ``on_connected`` run on paho's thread."""

    def __init__(self, opts: LinkOptions, *, on_message: MessageHandler,
                 on_connected: Callable[[bool], None] | None = None):
        self.opts = opts
        self._on_msg = on_message
        self._on_connected = on_connected
        self.connected = threading.Event()
        self._subs = list(opts.subscriptions)
        self._lock = threading.Lock()
        self.refused: list[tuple[int, int]] = []   # (mid, reason code) of publishes the broker refused
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=opts.client_id, protocol=mqtt.MQTTv5)
        c.username_pw_set(opts.username, opts.password)
        if opts.tls_ca:
            c.tls_set(ca_certs=opts.tls_ca, cert_reqs=ssl.CERT_REQUIRED)
        if opts.will:
            c.will_set(opts.will[0], opts.will[1], qos=1, retain=True)
        c.reconnect_delay_set(min_delay=1, max_delay=4)
        c.on_socket_open = lambda _c, _u, sock: set_nodelay(sock)
        c.on_connect = self._connect_cb
        c.on_disconnect = self._disconnect_cb
        c.on_message = lambda _c, _u, msg: self._on_msg(msg)
        c.on_publish = self._publish_cb
        self.client = c

    # -- life cycle --------------------------------------------------------------
    def start(self, wait: float | None = 10.0) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = self.opts.session_expiry
        self.client.connect_async(self.opts.host, self.opts.port, keepalive=self.opts.keepalive,
                                  clean_start=self.opts.clean_start, properties=props)
        self.client.loop_start()
        if wait and not self.connected.wait(wait):
            self.stop()
            raise ConnectionError(f"{self.opts.username}: no connection to the broker at "
                                  f"{self.opts.host}:{self.opts.port} within {wait}s / 无法连接 MQTT 服务器")

    def stop(self, *, offline: tuple[str, bytes] | None = None) -> None:
        """Say goodbye (a clean disconnect does not fire the will, so publish it ourselves)."""
        if offline and self.connected.is_set():
            info = self.client.publish(offline[0], offline[1], qos=1, retain=True)
            try:
                info.wait_for_publish(1.0)
            except (RuntimeError, ValueError):
                pass
        self.client.disconnect()
        self.client.loop_stop()

    # -- operations (thread-safe; never call a *_and_wait from a callback) --------
    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False,
                props: Properties | None = None) -> mqtt.MQTTMessageInfo:
        return self.client.publish(topic, payload, qos=qos, retain=retain, properties=props)

    def subscribe(self, topic: str, qos: int = 1) -> None:
        with self._lock:
            if (topic, qos) not in self._subs:
                self._subs.append((topic, qos))
        if self.connected.is_set():
            self.client.subscribe(topic, qos)

    # -- paho callbacks (paho's thread) ----------------------------------------------
    def _connect_cb(self, client: mqtt.Client, _u: Any, flags: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            log.error("%s: broker refused the connection: %s", self.opts.username, rc)
            return
        with self._lock:
            subs = list(self._subs)
        if subs:
            client.subscribe(subs)
        if self.opts.birth:
            topic, payload = self.opts.birth()
            client.publish(topic, payload, qos=1, retain=True)
        for sock in (client.socket(),):
            if sock is not None:
                set_nodelay(sock)
        self.connected.set()
        log.info("%s connected (session present: %s)", self.opts.username, flags.session_present)
        if self._on_connected:
            self._on_connected(bool(flags.session_present))

    def _disconnect_cb(self, _c: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.connected.clear()
        log.info("%s disconnected: %s", self.opts.username, rc)

    def _publish_cb(self, _c: Any, _u: Any, mid: int, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            self.refused.append((mid, rc.value))
            log.warning("%s: broker refused publish %d: %s", self.opts.username, mid, rc)
