"""Announcer (语音播报): says every call, one at a time, offline; no window needed.

    python -m kiosk.announcer --config CONFIG --device announcer-01 --data var \
        [--voice espeak|clips --clips DIR] [--player aplay|play|none] [--record DIR]

A recall is said again.  The announcer keeps a persistent MQTT session so a call made
during a short network blip is still said — unless it is older than 30 s (call events
expire in the broker, and the filter drops stale ones).
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

from devices.voice import (Announcer, ClipBackend, CommandPlayer, EspeakBackend, FolderRecorder, NullPlayer, Player,
                           SpeechBackend)
from queue_server import clock
from queue_server.config import DeviceKind
from queue_server.mqtt import schemas as S
from queue_server.mqtt.client import HallClient
from queue_server.workdays import local

from kiosk.viewmodels.announce import CallFilter
from kiosk.viewmodels.runtime import AppContext, context, faults_of, parser

log = logging.getLogger(__name__)


def make_backend(kind: str, clips: str | None) -> SpeechBackend:
    if kind == "clips":
        if not clips:
            raise SystemExit("--voice clips needs --clips DIR")
        return ClipBackend(Path(clips))
    return EspeakBackend()


def make_player(kind: str, record: str | None = None) -> Player:
    player: Player = NullPlayer() if kind == "none" else CommandPlayer(("play", "-q") if kind == "play" else ("aplay", "-q"))
    return FolderRecorder(player, Path(record)) if record else player


class AnnouncerService:
    """Call events → the announcer; health published as the device's retained state."""

    def __init__(self, ctx: AppContext, announcer: Announcer) -> None:
        self.ctx = ctx
        self.announcer = announcer
        self.filter = CallFilter()
        self.said: list[str] = []
        self._lock = threading.Lock()
        self.client = HallClient(ctx.cfg, ctx.device.id, ctx.credentials, persistent=True)

    def on_call(self, call: S.CallEvent) -> None:
        """paho's thread: only filters and queues (the announcer has its own worker)."""
        with self._lock:
            if not self.filter.accept(call, local(clock.now(), self.ctx.cfg.hall.timezone)):
                return
            try:
                queued = (self.announcer.recall if call.recall else self.announcer.call)(call.number, str(call.window))
            except ValueError:
                log.warning("not a speakable call: %s at window %s", call.number, call.window)
                return
            if queued:
                self.said.append(f"{call.number}@{call.window}#{call.recall}")
                log.info("announcing %s to window %d (recall %d)", call.number, call.window, call.recall)

    def start(self) -> "AnnouncerService":
        self.announcer.start()
        self.client.on_calls(self.on_call)
        self.client.start(wait=None)
        return self

    def report(self) -> None:
        h = self.announcer.health()
        self.client.report_health(h.usable, faults_of(h))

    def stop(self) -> None:
        self.client.stop()
        self.announcer.stop()


def main(argv: list[str] | None = None) -> None:
    p = parser("语音播报 announcer", "0x0")
    p.add_argument("--voice", choices=("espeak", "clips"), default="espeak")
    p.add_argument("--clips", default=None, help="folder of recorded clips (see docs/devices.md)")
    p.add_argument("--player", choices=("aplay", "play", "none"), default="aplay")
    p.add_argument("--repeat", type=int, default=2, help="how many times each call is said")
    p.add_argument("--record", default=None, metavar="DIR",
                   help="also keep each announcement as a WAV in DIR (the newest 500)")
    args = p.parse_args(argv)
    ctx = context(args, (DeviceKind.ANNOUNCER,))
    announcer = Announcer(make_backend(args.voice, args.clips), make_player(args.player, args.record), ctx.device.id, repeat=args.repeat)
    service = AnnouncerService(ctx, announcer).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(30):
            service.report()
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()


if __name__ == "__main__":
    main()
