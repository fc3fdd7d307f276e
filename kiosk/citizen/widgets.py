"""Small Kivy building blocks for the kiosk: coloured panels, wrapping labels, big buttons.

Every button carries a ``key`` (e.g. ``item:SC-0101``, ``take``) so tests and the
benchmark find real widgets by meaning, not by position.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from kivy.graphics import Color, Rectangle, RoundedRectangle
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

RGBA = Sequence[float]


class Panel(BoxLayout):
    """A BoxLayout with a flat background colour."""

    def __init__(self, bg: RGBA, radius: float = 0, **kw: Any) -> None:
        super().__init__(**kw)
        with self.canvas.before:
            Color(*bg)
            self._bg = RoundedRectangle(radius=[radius]) if radius else Rectangle()
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_: Any) -> None:
        self._bg.pos = self.pos
        self._bg.size = self.size


class KButton(Button):
    """A big flat button; ``key`` names what it does."""

    key = StringProperty("")

    def __init__(self, text: str, key: str, on_tap: Callable[[], None], *, bg: RGBA, fg: RGBA = (1, 1, 1, 1),
                 font_size: float, **kw: Any) -> None:
        super().__init__(text=text, key=key, font_size=font_size, color=fg, background_normal="",
                         background_down="", background_color=bg, halign="center", valign="middle", **kw)
        self.bind(size=self._wrap)
        self.bind(on_release=lambda *_: on_tap())

    def _wrap(self, *_: Any) -> None:
        self.text_size = (self.width * 0.92, None)


def label(text: str, font_size: float, color: RGBA, *, halign: str = "left", bold: bool = False,
          fill: bool = False, **kw: Any) -> Label:
    """A wrapping label: by default as tall as its text; ``fill=True`` takes the space given."""
    lab = Label(text=text, font_size=font_size, color=color, halign=halign, valign="middle", bold=bold, **kw)
    if fill:
        lab.bind(size=lambda w, v: setattr(w, "text_size", v))
    else:
        lab.size_hint_y = None
        lab.bind(width=lambda w, v: setattr(w, "text_size", (v, None)),
                 texture_size=lambda w, v: setattr(w, "height", v[1] + font_size * 0.3))
    return lab


def spacer(**kw: Any) -> Widget:
    return Widget(**kw)


def walk(widget: Widget) -> Iterator[Widget]:
    """Every widget under ``widget``, itself included."""
    yield widget
    for child in widget.children:
        yield from walk(child)
