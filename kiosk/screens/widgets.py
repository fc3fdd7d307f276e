"""Small building blocks: coloured panels and labels that fit their box."""

from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk import ui


def paint(widget: Widget, rgba: tuple[float, ...]) -> None:
    """Give a widget a solid background that follows its size."""
    with widget.canvas.before:
        color = Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget._bg = (color, rect)  # type: ignore[attr-defined]

    def follow(*_: Any) -> None:
        rect.pos, rect.size = widget.pos, widget.size
    widget.bind(pos=follow, size=follow)


def recolor(widget: Widget, rgba: tuple[float, ...]) -> None:
    widget._bg[0].rgba = rgba  # type: ignore[attr-defined]


class Panel(BoxLayout):
    def __init__(self, bg: tuple[float, ...] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        if bg is not None:
            paint(self, bg)


class Text(Label):
    """A label that wraps inside its box, left-aligned unless told otherwise."""

    def __init__(self, text: str = "", size: float = 24, color: tuple[float, ...] = ui.WHITE,
                 halign: str = "left", bold: bool = False, **kw: Any) -> None:
        super().__init__(text=text, font_size=size, color=color, halign=halign, valign="middle",
                         bold=bold, **kw)
        self.bind(size=self._wrap)

    def _wrap(self, *_: Any) -> None:
        self.text_size = (self.width, self.height)

    def set(self, text: str, color: tuple[float, ...] | None = None) -> None:
        """Change only what changed: Kivy re-renders a label's texture on every set."""
        if self.text != text:
            self.text = text
        if color is not None and tuple(self.color) != tuple(color):
            self.color = color


class CmdButton(Button):
    def __init__(self, text: str, action: str, size: float = 20, bg: tuple[float, ...] = ui.BLUE, **kw: Any) -> None:
        super().__init__(text=text, font_size=size, background_normal="", background_color=bg,
                         halign="center", **kw)
        self.action = action
        self.bind(size=lambda *_: setattr(self, "text_size", (self.width - 8, None)))


def texts_of(root: Widget) -> list[str]:
    """Every text in a widget tree (tests check what a screen really shows)."""
    out = []
    for w in root.walk(restrict=True):
        t = getattr(w, "text", None)
        if isinstance(t, str) and t:
            out.append(t)
    return out
