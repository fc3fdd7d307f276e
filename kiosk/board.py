"""Hall board (综合屏) app, landscape 1920×1080.

    python -m kiosk.board --config CONFIG --device board-01 --data var [--fullscreen]
"""

from __future__ import annotations

import logging
from typing import Any

from queue_server.config import DeviceKind
from queue_server.mqtt.client import HallClient

from kiosk.viewmodels.board import BoardVM
from kiosk.viewmodels.runtime import context, parser, size_of

log = logging.getLogger(__name__)

NOTICE_SECONDS = 8.0


def main(argv: list[str] | None = None) -> None:
    args = parser("综合屏 hall board", "1920x1080").parse_args(argv)
    ctx = context(args, (DeviceKind.BOARD,))
    from kiosk.screens.setup import configure_kivy
    configure_kivy(size_of(args.size), args.fullscreen)
    from kivy.clock import Clock
    from kiosk.screens.app import HallApp, on_ui
    from kiosk.screens.board_screen import BoardScreen

    class BoardApp(HallApp):
        def make_root(self) -> Any:
            self.vm = BoardVM(ctx.cfg)
            self.screen = BoardScreen(self.vm, args.lang)
            Clock.schedule_interval(lambda _dt: self.vm.tick(), 1.0)
            Clock.schedule_interval(lambda _dt: self.screen.next_notice(), NOTICE_SECONDS)
            return self.screen

        def wire(self, client: HallClient) -> None:
            client.on_board(on_ui(self.vm.apply_board))
            client.on_queues(on_ui(self.vm.apply_queues))
            client.on_calls(on_ui(self.vm.apply_call))

        def set_online(self, online: bool) -> None:
            self.vm.set_online(online)

        def repaint_marker(self) -> str:
            calls = self.vm.view.calls
            return calls[0].number if calls else "-"

        def probe_state(self) -> dict[str, Any]:
            return {"calls": [c.number for c in self.vm.view.calls]}

    BoardApp(ctx).run()


if __name__ == "__main__":
    main()
