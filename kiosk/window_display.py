"""Window display (窗口屏) app, and the headless LED-strip runner.

    python -m kiosk.window_display --config CONFIG --device display-01 --data var
    python -m kiosk.window_display --config CONFIG --device led-05 --data var   # no screen

A display also drives its window's LED strip when one is configured (a ``led`` device
with the same window).  A ``led`` device run on its own needs no screen.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from devices.health import DeviceHealth
from queue_server.config import DeviceKind
from queue_server.mqtt.client import HallClient

from kiosk.viewmodels.runtime import AppContext, context, faults_of, led_for_window, make_led, parser, size_of
from kiosk.viewmodels.window import LedWorker, WindowVM

log = logging.getLogger(__name__)


def _health_reporter(client: HallClient) -> Any:
    last: list[DeviceHealth | None] = [None]

    def report(h: DeviceHealth) -> None:
        if h != last[0]:
            last[0] = h
            client.report_health(h.usable, faults_of(h))
    return report


def run_led(ctx: AppContext) -> None:
    """Headless: an LED strip with its own identity, for a window without a screen."""
    window = ctx.device.window or 0
    vm = WindowVM(ctx.cfg, window)
    client = HallClient(ctx.cfg, ctx.device.id, ctx.credentials, persistent=False)
    led = LedWorker(make_led(ctx.device), _health_reporter(client)).start()
    lock = threading.Lock()

    def on_window(w: Any) -> None:       # paho's thread: the worker does the serial I/O
        with lock:
            vm.apply_window(w)
            led.show(vm.led_state())
    client.on_window(window, on_window)
    client.start(wait=None)
    log.info("LED %s for window %d running", ctx.device.id, window)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        led.stop()
        client.stop()


def run_display(ctx: AppContext) -> None:
    from kiosk.screens.setup import configure_kivy
    configure_kivy(size_of(ctx.args.size), ctx.args.fullscreen)
    from kiosk.screens.app import HallApp, on_ui
    from kiosk.screens.window_screen import WindowScreen

    class WindowDisplayApp(HallApp):
        def make_root(self) -> Any:
            self.vm = WindowVM(ctx.cfg, ctx.device.window or 0)
            self.led: LedWorker | None = None
            return WindowScreen(self.vm, ctx.args.lang)

        def wire(self, client: HallClient) -> None:
            n = self.vm.window
            led_dev = led_for_window(ctx.cfg, n)
            if led_dev is not None:
                self.led = LedWorker(make_led(led_dev), _health_reporter(client)).start()
                self.vm.subscribe(lambda: self.led.show(self.vm.led_state()) if self.led else None)
            client.on_window(n, on_ui(self.vm.apply_window))
            client.on_calls(on_ui(self.vm.apply_call), window=n)

        def set_online(self, online: bool) -> None:
            self.vm.set_online(online)

        def repaint_marker(self) -> str:
            return self.vm.view.ticket or "-"

        def probe_state(self) -> dict[str, Any]:
            led = self.led.board if self.led else None
            shown = getattr(led, "shown", None)
            return {"flash": self.vm.view.flash, "online": self.vm.view.online,
                    "led": [shown.status.value, shown.ticket_number] if shown else None}

        def shutdown(self) -> None:
            if self.led is not None:
                self.led.stop()

    WindowDisplayApp(ctx).run()


def main(argv: list[str] | None = None) -> None:
    args = parser("窗口屏 window display", "1280x720").parse_args(argv)
    ctx = context(args, (DeviceKind.DISPLAY, DeviceKind.LED))
    if ctx.device.kind == DeviceKind.LED:
        run_led(ctx)
    else:
        run_display(ctx)


if __name__ == "__main__":
    main()
