"""Manager console app: the live hall and the actions that steer it.

    python -m kiosk.manager --config CONFIG --device manager-01 --data var   # 1280×800
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from queue_server.config import DeviceKind
from queue_server.mqtt import schemas as S
from queue_server.mqtt.client import HallClient

from kiosk.viewmodels.common import Text
from kiosk.viewmodels.manager import Command, ManagerVM
from kiosk.viewmodels.runtime import CommandRunner, context, parser, size_of

log = logging.getLogger(__name__)


def actions(vm: ManagerVM) -> dict[str, tuple[Text, Callable[[], list[Command]]]]:
    """Button keys → (what it does, the commands it sends)."""
    return {
        "open": (Text("开窗", "Open window"), lambda: vm.window_command("OpenWindow")),
        "pause": (Text("暂停窗口", "Pause window"), lambda: vm.window_command("PauseWindow")),
        "close": (Text("关闭窗口", "Close window"), lambda: vm.window_command("CloseWindow")),
        "pause_item": (Text("暂停取号", "Pause issuing"), lambda: vm.item_pause(True)),
        "resume_item": (Text("恢复取号", "Resume issuing"), lambda: vm.item_pause(False)),
        "cap_up": (Text("提高限额", "Raise cap"), lambda: vm.change_cap(10)),
        "cap_down": (Text("降低限额", "Lower cap"), lambda: vm.change_cap(-10)),
        "cap_off": (Text("取消限额", "Remove cap"), lambda: vm.set_cap(None)),
        "move_here": (Text("移动事项", "Move item"), vm.move_item_here),
        "up": (Text("提高优先", "Raise priority"), lambda: vm.reorder(-1)),
        "down": (Text("降低优先", "Lower priority"), lambda: vm.reorder(1)),
    }


def main(argv: list[str] | None = None) -> None:
    args = parser("管理台 manager console", "1280x800").parse_args(argv)
    ctx = context(args, (DeviceKind.MANAGER_CONSOLE,))
    from kiosk.screens.setup import configure_kivy
    configure_kivy(size_of(args.size), args.fullscreen)
    from kivy.clock import Clock
    from kiosk.screens.app import HallApp, on_ui
    from kiosk.screens.manager_screen import ManagerScreen

    class ManagerApp(HallApp):
        persistent_session = True

        def make_root(self) -> Any:
            self.vm = ManagerVM(ctx.cfg)
            self.table = actions(self.vm)
            Clock.schedule_interval(lambda _dt: self.vm.tick(), 30.0)
            return ManagerScreen(self.vm, self.act, args.lang)

        def wire(self, client: HallClient) -> None:
            self.runner = CommandRunner(client, ctx.device.id).start()
            client.subscribe(client.topics.all_windows, S.WindowDisplay, on_ui(self.vm.apply_window))
            client.on_queues(on_ui(self.vm.apply_queues))
            client.on_devices(on_ui(self.vm.apply_devices))
            client.on_cases(on_ui(self.vm.apply_cases))

        def act(self, key: str) -> None:
            what, build = self.table[key]
            try:
                commands = build()
            except ValueError:
                self.vm.refused(Text("请先点选窗口或事项", "Select a window or an item first"))
                return
            self.vm.sending(what)
            self._send(what, commands)

        def _send(self, what: Text, commands: list[Command]) -> None:
            """Commands of one action go one after another; the first refusal stops it."""
            kind, cmd = commands[0]

            def done(reply: S.Reply | None, err: str | None) -> None:
                if reply is not None and reply.ok and len(commands) > 1:
                    self._send(what, commands[1:])
                    return
                Clock.schedule_once(lambda _dt: self.vm.done(what, reply, err), 0)
            self.runner.submit(kind, cmd, done)

        def set_online(self, online: bool) -> None:
            self.vm.set_online(online)

        def probe_action(self, request: dict[str, Any]) -> None:
            if "select" in request:
                self.vm.select(**request["select"])
            if "act" in request:
                self.act(request["act"])

        def probe_state(self) -> dict[str, Any]:
            v = self.vm.view
            return {"busy": v.busy, "message": v.message.zh,
                    "items": {w.window: list(w.items) for w in v.windows}}

        def shutdown(self) -> None:
            self.runner.stop()

    ManagerApp(ctx).run()


if __name__ == "__main__":
    main()
