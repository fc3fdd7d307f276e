"""A serial caller keypad standing in for a clerk console (no screen needed).

``python -m kiosk.keypad --config CONFIG --device clerk-03 --port /dev/ttyUSB0 --data var``

Key presses (protocol YKP-1, ``devices/keypad.py``) become the clerk console's commands
for its own window, sent with the console's identity; the keypad's LCD shows the answer.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from typing import Any

from devices.keypad import Key, KeyPress, SerialKeypad
from queue_server.config import load_config
from queue_server.mqtt.client import HallClient, RequestTimeout

log = logging.getLogger(__name__)

COMMANDS: dict[Key, str] = {
    Key.NEXT: "CallNext", Key.RECALL: "Recall", Key.NO_SHOW: "MarkNoShow", Key.START: "StartService",
    Key.FINISH: "FinishService", Key.HOLD: "Hold", Key.PAUSE: "PauseWindow", Key.OPEN: "OpenWindow",
}
DONE: dict[Key, str] = {
    Key.NEXT: "已叫号", Key.RECALL: "已重呼", Key.NO_SHOW: "已过号", Key.START: "办理中",
    Key.FINISH: "已办结", Key.HOLD: "已挂起", Key.PAUSE: "暂停服务", Key.OPEN: "开始服务",
}


def command_for(press: KeyPress) -> tuple[str, dict[str, Any]]:
    return COMMANDS[press.key], {"window": press.window}


def lcd_text(press: KeyPress, reply_ok: bool, number: str | None, message: str) -> str:
    """What the keypad's one-line LCD says after a key: short, Chinese."""
    if not reply_ok:
        return message[:14]
    return f"{number} {DONE[press.key]}" if number else DONE[press.key]


class KeypadBridge:
    def __init__(self, keypad: SerialKeypad, client: HallClient, window: int) -> None:
        self.keypad, self.client, self.window = keypad, client, window
        self.current: str | None = None
        client.on_window(window, self._on_window)

    def _on_window(self, w: Any) -> None:
        self.current = w.current

    def step(self, timeout_s: float = 0.1) -> list[str]:
        """Handle the key presses that arrived; return what the LCD was told."""
        shown = []
        for press in self.keypad.poll(timeout_s):
            if press.window != self.window:
                log.warning("keypad for window %d pressed for window %d: ignored", self.window, press.window)
                text = f"本机为{self.window}号窗口"
            else:
                kind, args = command_for(press)
                try:
                    reply = self.client.request(kind, args, timeout=5)
                except RequestTimeout:
                    text = "系统连接中断"
                else:
                    number = None
                    if reply.ok and reply.result:
                        number = next((e.get("number") for e in reply.result.get("events", []) if "number" in e), None)
                    text = lcd_text(press, reply.ok, number or self.current,
                                    reply.error.message if reply.error else "")
            self.keypad.show(press.window, text)
            shown.append(text)
        return shown


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", required=True, type=Path)
    ap.add_argument("--device", required=True, help="the clerk console identity this keypad acts as")
    ap.add_argument("--port", required=True, help="serial port of the keypad, e.g. /dev/ttyUSB0")
    ap.add_argument("--baud", type=int, default=9600)
    ap.add_argument("--data", type=Path, default=Path("var"))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    cfg = load_config(args.config)
    device = cfg.device(args.device)
    if device is None or device.kind != "clerk_console" or device.window is None:
        raise SystemExit(f"{args.device} is not a clerk console of this hall")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    keypad = SerialKeypad(f"keypad-{device.window}", args.port, args.baud)
    with HallClient(cfg, args.device, args.data / "broker" / "credentials.json") as client:
        bridge = KeypadBridge(keypad, client, device.window)
        while not stop.is_set():
            bridge.step(0.1)
    keypad.close()


if __name__ == "__main__":
    main()
