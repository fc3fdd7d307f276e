"""Clerk console (叫号器) app: logs in as a window through its device id.

    python -m kiosk.clerk --config CONFIG --device clerk-03 --data var   # window 3, 800×600

Keyboard: F1 call next, F2 recall, F3 no-show, F4 start, F5 finish, F6 hold, F7 resume,
F8 transfer, F9 add item, F10 pause, F11 open, F12 close.
"""

from __future__ import annotations

import logging
from typing import Any

from queue_server.config import DeviceKind
from queue_server.mqtt import schemas as S
from queue_server.mqtt.client import HallClient

from kiosk.viewmodels.clerk import BY_SHORTCUT, ClerkVM, RefusedLocally
from kiosk.viewmodels.runtime import CommandRunner, context, parser, size_of

log = logging.getLogger(__name__)

# Kivy key codes of F1..F12
FKEYS = {282 + i: f"f{i + 1}" for i in range(12)}


def main(argv: list[str] | None = None) -> None:
    args = parser("叫号器 clerk console", "800x600").parse_args(argv)
    ctx = context(args, (DeviceKind.CLERK_CONSOLE,))
    from kiosk.screens.setup import configure_kivy
    configure_kivy(size_of(args.size), args.fullscreen)
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kiosk.screens.app import HallApp, on_ui
    from kiosk.screens.clerk_screen import ClerkScreen

    class ClerkApp(HallApp):
        persistent_session = True

        def make_root(self) -> Any:
            self.vm = ClerkVM(ctx.cfg, ctx.device.window or 0)
            Window.bind(on_key_down=self._key)
            return ClerkScreen(self.vm, self.press, args.lang)

        def wire(self, client: HallClient) -> None:
            self.runner = CommandRunner(client, ctx.device.id).start()
            client.on_window(self.vm.window, on_ui(self.vm.apply_window))
            client.on_queues(on_ui(self.vm.apply_queues))

        def press(self, key: str) -> None:
            try:
                kind, cmd = self.vm.command(key)
            except RefusedLocally as e:
                self.vm.refused(e)
                return

            def done(reply: S.Reply | None, err: str | None) -> None:
                Clock.schedule_once(lambda _dt: self.vm.done(key, reply, err), 0)
            self.runner.submit(kind, cmd, done)

        def _key(self, _win: Any, key: int, _scancode: int, _text: Any, _mods: Any) -> bool:
            name = FKEYS.get(key)
            if name and name in BY_SHORTCUT:
                self.press(BY_SHORTCUT[name].key)
                return True
            return False

        def set_online(self, online: bool) -> None:
            self.vm.set_online(online)

        def probe_action(self, request: dict[str, Any]) -> None:
            if "press" in request:
                self.press(request["press"])
            if "key" in request:
                code = next(c for c, n in FKEYS.items() if n == request["key"])
                Window.dispatch("on_key_down", code, 0, None, [])
            if "select" in request:
                self.vm.select(**request["select"])

        def probe_state(self) -> dict[str, Any]:
            v = self.vm.view
            return {"busy": v.busy, "enabled": sorted(v.enabled), "current": v.current, "held": list(v.held)}

        def shutdown(self) -> None:
            self.runner.stop()

    ClerkApp(ctx).run()


if __name__ == "__main__":
    main()
