"""Kivy settings that must be made before Kivy's window is imported."""

from __future__ import annotations

import os


def configure_kivy(size: tuple[int, int], fullscreen: bool = False, maxfps: int = 30,
                   resizable: bool = False) -> None:
    """Size, no argv parsing by Kivy, no multitouch dots, a modest frame cap: a hall
    screen changes a few times a minute, so 30 fps is plenty and keeps the CPU idle.

    No multisampling: every shape on these screens is an axis-aligned rectangle or
    text, which MSAA does not improve, and hall PCs often draw in software (Mesa
    llvmpipe), where Kivy's default of 2 samples made each 1920×1080 frame cost
    35 ms instead of 5 ms and held extra full-screen buffers in memory.
    """
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "1" if resizable else "0")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "maxfps", str(maxfps))
    Config.set("graphics", "multisamples", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")
