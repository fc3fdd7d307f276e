"""Rating pad (评价器) app: after a ticket is finished, the citizen rates the service.

    python -m kiosk.rating --config CONFIG --device rating-01 --data var   # 800×480
"""

from __future__ import annotations

import logging
import time
from typing import Any

from queue_server.config import DeviceKind
from queue_server.mqtt import schemas as S
from queue_server.mqtt.client import HallClient

from kiosk.viewmodels.rating import RatingVM
from kiosk.viewmodels.runtime import CommandRunner, context, parser, size_of

log = logging.getLogger(__name__)
RETRY_SECONDS = 60.0


def main(argv: list[str] | None = None) -> None:
    args = parser("评价器 rating pad", "800x480").parse_args(argv)
    ctx = context(args, (DeviceKind.RATING_PAD,))
    from kiosk.screens.setup import configure_kivy
    configure_kivy(size_of(args.size), args.fullscreen)
    from kivy.clock import Clock
    from kiosk.screens.app import HallApp, on_ui
    from kiosk.screens.rating_screen import RatingScreen

    class RatingApp(HallApp):
        persistent_session = True

        def make_root(self) -> Any:
            self.vm = RatingVM(ctx.cfg, ctx.device.window or 0)
            self.sent_commands: list[dict[str, Any]] = []
            self.replies: list[dict[str, Any]] = []
            Clock.schedule_interval(lambda _dt: self.vm.tick(time.monotonic()), 1.0)
            Clock.schedule_interval(lambda _dt: self._retry(), RETRY_SECONDS)
            return RatingScreen(self.vm, self.tap, args.lang)

        def wire(self, client: HallClient) -> None:
            self.runner = CommandRunner(client, ctx.device.id).start()
            client.on_window(self.vm.window, on_ui(lambda w: self.vm.apply_window(w, time.monotonic())))

        def tap(self, level: str) -> None:
            cmd = self.vm.rate(level)
            if cmd is not None:
                self.vm.thanked(time.monotonic())
                self._send(*cmd)

        def _send(self, kind: str, cmd: dict[str, Any]) -> None:
            self.sent_commands.append({"kind": kind, "args": cmd})

            def done(reply: S.Reply | None, _err: str | None) -> None:
                if reply is not None:
                    self.replies.append({"ok": reply.ok, "code": reply.error.code if reply.error else None})
                Clock.schedule_once(lambda _dt: self.vm.sent(cmd, reply), 0)
            self.runner.submit(kind, cmd, done)

        def _retry(self) -> None:
            for kind, cmd in list(self.vm.outbox):
                self._send(kind, cmd)

        def probe_action(self, request: dict[str, Any]) -> None:
            if "tap" in request:
                self.tap(request["tap"])

        def probe_state(self) -> dict[str, Any]:
            return {"mode": self.vm.view.mode, "sent": self.sent_commands, "replies": self.replies,
                    "pending": self.vm.view.pending}

        def shutdown(self) -> None:
            self.runner.stop()

    RatingApp(ctx).run()


if __name__ == "__main__":
    main()
