"""Test and benchmark hook (``--probe DIR``), off unless asked for.

The app looks into DIR ten times a second for ``<name>.req`` files (JSON) and answers
each with ``<name>.done``: ``{"shot": true}`` saves ``<name>.png`` (the real window's
pixels) and ``<name>.json`` (every text in the widget tree); ``{"press": "call_next"}``,
``{"key": "f1"}`` and other app requests go to ``App.probe_action``; ``{"quit": true}``
stops the app.  Tests drive the real apps in their own processes this way.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

from .widgets import texts_of

log = logging.getLogger(__name__)


class Probe:
    def __init__(self, folder: str, app: Any) -> None:
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.app = app
        self._ev = Clock.schedule_interval(self._poll, 0.1)
        (self.dir / "ready").write_text(str(os.getpid()))

    def repainted(self) -> None:
        """After a view-model change (the screen has already applied it: it subscribed
        first), note (monotonic time, marker) when the next frame reaches the screen: the
        benchmark measures button → repaint with it."""
        marker = self.app.repaint_marker()

        def note(*_: Any) -> None:
            Window.unbind(on_flip=note)
            with open(self.dir / "repaints.log", "a") as f:
                f.write(f"{time.monotonic():.6f} {marker}\n")
        Window.bind(on_flip=note)

    def stop(self) -> None:
        self._ev.cancel()

    def _poll(self, _dt: float) -> None:
        for req in sorted(self.dir.glob("*.req")):
            try:
                request = json.loads(req.read_text() or "{}")
            except (OSError, json.JSONDecodeError):
                continue                         # still being written
            req.unlink()
            self._handle(req.stem, request)

    def _handle(self, name: str, request: dict[str, Any]) -> None:
        if request.get("quit"):
            self._done(name, {})
            self.app.stop()
            return
        if request.get("shot"):
            # Two frames later the latest state is on screen.
            Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt2: self._shot(name), 0), 0.05)
            return
        try:
            self.app.probe_action(request)
            self._done(name, {"ok": True})
        except Exception as e:  # report to the test instead of crashing the app
            log.exception("probe request failed")
            self._done(name, {"ok": False, "error": repr(e)})

    def _shot(self, name: str) -> None:
        made = Window.screenshot(name=str(self.dir / f"{name}-.png"))
        if made:
            os.replace(made, self.dir / f"{name}.png")
        texts = texts_of(self.app.root)
        self._done(name, {"texts": texts, "state": self.app.probe_state(), "at": time.time()})

    def _done(self, name: str, payload: dict[str, Any]) -> None:
        tmp = self.dir / f"{name}.tmp"
        tmp.write_text(json.dumps(payload, ensure_ascii=False))
        os.replace(tmp, self.dir / f"{name}.done")
