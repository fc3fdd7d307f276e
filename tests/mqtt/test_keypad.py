"""A serial caller keypad on a pty works window 1 through the real broker and server."""

from __future__ import annotations

import os
import time

from devices.keypad import Key, KeyPress, SerialKeypad, encode_press
from kiosk.keypad import KeypadBridge


def _read_until(fd: int, end: bytes, timeout: float = 5.0) -> bytes:
    buf = b""
    deadline = time.monotonic() + timeout
    while not buf.endswith(end) and time.monotonic() < deadline:
        try:
            buf += os.read(fd, 256)
        except BlockingIOError:
            time.sleep(0.01)
    return buf


def test_given_a_keypad_at_window_1_when_next_is_pressed_then_A001_is_called_and_shown_on_its_lcd(server, device):
    import tty
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    os.set_blocking(master, False)
    keypad = SerialKeypad("keypad-1", os.ttyname(slave))
    try:
        kiosk = device("kiosk-01")
        assert kiosk.request("IssueTicket", {"item": "SC-0101"}).ok
        bridge = KeypadBridge(keypad, device("clerk-01"), window=1)
        keypad.poll(0.05)                                   # open the port
        os.write(master, encode_press(KeyPress(1, Key.NEXT)))
        shown = []
        deadline = time.monotonic() + 10
        while not shown and time.monotonic() < deadline:
            shown = bridge.step(0.1)
        assert shown == ["A001 已叫号"]
        assert _read_until(master, b"\r") == b"#001" + "A001 已叫号".encode("gb18030") + b"\r"
        # Another window's key, and line noise, change nothing and are answered plainly.
        os.write(master, b"\x00\xff garbage\r" + encode_press(KeyPress(5, Key.NEXT)))
        shown = []
        deadline = time.monotonic() + 5
        while not shown and time.monotonic() < deadline:
            shown = bridge.step(0.1)
        assert shown == ["本机为1号窗口"]
        # Nobody left: the LCD says so in words.
        os.write(master, encode_press(KeyPress(1, Key.FINISH)) + encode_press(KeyPress(1, Key.NEXT)))
        shown = []
        deadline = time.monotonic() + 10
        while len(shown) < 2 and time.monotonic() < deadline:
            shown += bridge.step(0.1)
        assert shown == ["A001 已办结", "当前没有等候的号"]
    finally:
        keypad.close()
        os.close(master)
        os.close(slave)
