"""The common shell of every hall app: connection, hand-over to the UI thread,
online/offline, the test probe."""

from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.widget import Widget

from kiosk import ui
from kiosk.viewmodels.runtime import AppContext
from queue_server.mqtt import schemas as S
from queue_server.mqtt.client import HallClient

log = logging.getLogger(__name__)

V = TypeVar("V")


def on_ui(fn: Callable[[V], None]) -> Callable[[V], None]:
    """Wrap a view-model input so paho's thread only schedules it on Kivy's thread."""
    def handler(value: V) -> None:
        Clock.schedule_once(lambda _dt: fn(value), 0)
    return handler


class HallApp(App):
    """Subclasses build ``self.root_widget`` from their view-model and subscribe in
    ``wire(client)``.  Displays use a clean session: after a restart or a network loss
    they paint from retained state only and are never handed old calls."""

    persistent_session = False

    def __init__(self, ctx: AppContext, **kw: Any) -> None:
        super().__init__(**kw)
        self.ctx = ctx
        self.client: HallClient | None = None
        self._server_online = True
        self._probe: Any = None

    # -- subclass hooks ---------------------------------------------------------------
    def make_root(self) -> Widget:
        raise NotImplementedError

    def wire(self, client: HallClient) -> None:
        raise NotImplementedError

    def set_online(self, online: bool) -> None:
        """Tell the view-model whether what it shows is live."""

    def probe_action(self, request: dict[str, Any]) -> None:
        """Test hook: press a button, type a key (see probe.py)."""

    def probe_state(self) -> dict[str, Any]:
        """Test hook: facts a screenshot can't show (e.g. how many calls flashed)."""
        return {}

    def repaint_marker(self) -> str:
        """Benchmark hook: what the screen shows now, in one word (e.g. the top call)."""
        return ""

    def shutdown(self) -> None:
        """Stop app-specific workers (before the MQTT client stops)."""

    # -- Kivy -------------------------------------------------------------------------------
    def build(self) -> Widget:
        ui.register_fonts()
        Window.clearcolor = ui.DARK
        self.title = f"yimen {self.ctx.device.id}"
        root = self.make_root()
        self.client = HallClient(self.ctx.cfg, self.ctx.device.id, self.ctx.credentials,
                                 persistent=self.persistent_session)
        self.client.on_server_presence(on_ui(self._server_presence))
        self.wire(self.client)
        self.client.start(wait=None)          # paint now; connect (and reconnect) in the background
        Clock.schedule_interval(self._check_link, 1.0)
        if self.ctx.args.probe:
            from .probe import Probe
            self._probe = Probe(self.ctx.args.probe, self)
            vm = getattr(self, "vm", None)
            if vm is not None:
                vm.subscribe(self._probe.repainted)
        return root

    def _server_presence(self, p: S.Presence) -> None:
        self._server_online = p.online
        self._check_link(0)

    def _check_link(self, _dt: float) -> None:
        connected = self.client is not None and self.client.connected
        self.set_online(connected and self._server_online)

    def on_stop(self) -> None:
        if self._probe is not None:
            self._probe.stop()
        self.shutdown()
        if self.client is not None:
            self.client.stop()
            self.client = None
