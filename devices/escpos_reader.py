"""A small ESC/POS interpreter: printed bytes back into text and a raster image.

It exists so tests can check what the paper would show (text, layout, a QR code
that a scanner can read) rather than trusting byte strings alone. It knows the
commands yimen sends plus a few common ones; anything else is skipped and counted
in ``unknown`` so a test can insist on zero.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from PIL import Image

from devices.raster import FontBook, centered, qr_image, render_text_line, stack
from devices.ticket import LINE_PITCH, char_cols

log = logging.getLogger(__name__)

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


@dataclass
class PrintedSlip:
    """One piece of paper between cuts."""

    lines: list[str] = field(default_factory=list)
    parts: list[Image.Image] = field(default_factory=list)
    cut: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def image(self, paper_dots: int) -> Image.Image:
        return stack(self.parts, paper_dots)


@dataclass
class Paper:
    slips: list[PrintedSlip]
    paper_dots: int
    unknown: list[str]
    status_queries: int = 0

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.slips)

    def image(self) -> Image.Image:
        """All slips one after another, with a grey tear line at each cut."""
        parts: list[Image.Image] = []
        for slip in self.slips:
            parts.extend(slip.parts)
            if slip.cut:
                tear = Image.new("1", (self.paper_dots, 6), 1)
                for x in range(0, self.paper_dots, 8):
                    tear.paste(0, (x, 2, x + 4, 3))
                parts.append(tear)
        return stack(parts, self.paper_dots)


@dataclass
class _Run:
    text: str
    width: int
    height: int
    bold: bool


class _State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.width = 1
        self.height = 1
        self.bold = False
        self.align = "left"
        self.chinese = False
        self.spacing = LINE_PITCH
        self.qr_module = 3
        self.qr_data = b""


def _u16(data: bytes, i: int) -> int:
    return data[i] | (data[i + 1] << 8)


class EscposReader:
    """Interprets a byte stream the way a 203 dpi printer with Chinese fonts would."""

    def __init__(self, paper_dots: int = 576, font_path: str = DEFAULT_FONT) -> None:
        self.paper_dots = paper_dots
        self.fonts = FontBook(font_path, 1)

    def read(self, data: bytes) -> Paper:
        st = _State()
        slips = [PrintedSlip()]
        unknown: list[str] = []
        runs: list[_Run] = []
        pending = bytearray()
        queries = 0
        line_align = "left"

        def flush_text() -> None:
            if pending:
                enc = "gb18030" if st.chinese else "cp437"
                text = bytes(pending).decode(enc, errors="replace")
                runs.append(_Run(text, st.width, st.height, st.bold))
                pending.clear()

        def print_line(feed_empty: bool = True) -> None:
            nonlocal line_align
            flush_text()
            slip = slips[-1]
            if runs:
                slip.lines.append("".join(r.text for r in runs))
                slip.parts.append(self._render_runs(runs, line_align))
                runs.clear()
            elif feed_empty:
                slip.parts.append(Image.new("1", (self.paper_dots, st.spacing), 1))
            line_align = st.align

        i = 0
        n = len(data)
        while i < n:
            b = data[i]
            try:
                if b == 0x0A:  # LF
                    print_line()
                    i += 1
                elif b == 0x0D:
                    i += 1
                elif b == 0x1B:  # ESC
                    cmd = data[i + 1]
                    if cmd == 0x40:
                        flush_text()
                        st.reset()
                        i += 2
                    elif cmd == 0x45:
                        flush_text()
                        st.bold = bool(data[i + 2] & 1)
                        i += 3
                    elif cmd == 0x61:
                        st.align = {0: "left", 1: "center", 2: "right"}.get(data[i + 2] % 48 if data[i + 2] >= 48 else data[i + 2], "left")
                        if not runs and not pending:
                            line_align = st.align
                        i += 3
                    elif cmd == 0x64:  # ESC d n: print and feed n lines
                        print_line(feed_empty=False)
                        for _ in range(data[i + 2]):
                            slips[-1].parts.append(Image.new("1", (self.paper_dots, st.spacing), 1))
                        i += 3
                    elif cmd == 0x32:
                        st.spacing = LINE_PITCH
                        i += 2
                    elif cmd == 0x33:
                        st.spacing = data[i + 2]
                        i += 3
                    elif cmd in (0x74, 0x2D, 0x21, 0x4D, 0x47, 0x7B, 0x56):  # one-arg styles we ignore
                        flush_text()
                        i += 3
                    else:
                        unknown.append(f"ESC {cmd:#04x}")
                        i += 2
                elif b == 0x1C:  # FS
                    cmd = data[i + 1]
                    if cmd == 0x26:
                        flush_text()
                        st.chinese = True
                    elif cmd == 0x2E:
                        flush_text()
                        st.chinese = False
                    else:
                        unknown.append(f"FS {cmd:#04x}")
                    i += 2
                elif b == 0x1D:  # GS
                    i = self._gs(data, i, st, slips, unknown, flush_text, print_line)
                elif b == 0x10 and data[i + 1] == 0x04:  # DLE EOT n: real-time status
                    queries += 1
                    i += 3
                elif b < 0x20:
                    unknown.append(f"ctrl {b:#04x}")
                    i += 1
                else:
                    if st.chinese and b >= 0x81:
                        size = 4 if i + 1 < n and 0x30 <= data[i + 1] <= 0x39 else 2
                        pending += data[i : i + size]
                        i += size
                    else:
                        pending.append(b)
                        i += 1
            except IndexError:
                unknown.append("truncated")
                break
        print_line(feed_empty=False)
        if not slips[-1].parts and not slips[-1].lines and len(slips) > 1:
            slips.pop()
        return Paper(slips, self.paper_dots, unknown, queries)

    def _gs(self, data: bytes, i: int, st: _State, slips: list[PrintedSlip], unknown: list[str], flush_text, print_line) -> int:  # type: ignore[no-untyped-def]
        cmd = data[i + 1]
        if cmd == 0x21:  # GS ! n: character size
            flush_text()
            st.width = (data[i + 2] >> 4) + 1
            st.height = (data[i + 2] & 0x0F) + 1
            return i + 3
        if cmd == 0x76 and data[i + 2] == 0x30:  # GS v 0: raster image
            print_line(feed_empty=False)
            wb, rows = _u16(data, i + 4), _u16(data, i + 6)
            raw = data[i + 8 : i + 8 + wb * rows]
            if len(raw) < wb * rows:
                raise IndexError
            img = Image.frombytes("1", (wb * 8, rows), bytes(x ^ 0xFF for x in raw))
            slips[-1].parts.append(centered(img, self.paper_dots) if img.width != self.paper_dots else img)
            return i + 8 + wb * rows
        if cmd == 0x28 and data[i + 2] == 0x6B:  # GS ( k: 2D code
            length = _u16(data, i + 3)
            body = data[i + 5 : i + 5 + length]
            cn, fn = body[0], body[1]
            if cn == 0x31 and fn == 0x43:
                st.qr_module = body[2]
            elif cn == 0x31 and fn == 0x50:
                st.qr_data = bytes(body[3:])
            elif cn == 0x31 and fn == 0x51:
                print_line(feed_empty=False)
                qr = qr_image(st.qr_data.decode("ascii", errors="replace"), st.qr_module)
                slips[-1].parts.append(centered(qr, self.paper_dots))
            return i + 5 + length
        if cmd == 0x56:  # GS V: cut
            print_line(feed_empty=False)
            slips[-1].cut = True
            slips.append(PrintedSlip())
            return i + (4 if data[i + 2] in (0x41, 0x42, 65, 66) else 3)
        if cmd in (0x42, 0x48, 0x68, 0x77, 0x66):  # one-arg settings we ignore
            return i + 3
        unknown.append(f"GS {cmd:#04x}")
        return i + 2

    def _render_runs(self, runs: list[_Run], align: str) -> Image.Image:
        images = []
        for r in runs:
            cols = sum(char_cols(c) for c in r.text)
            run_w = max(1, cols * 12 * r.width)
            images.append(render_text_line(r.text, run_w, self.fonts, r.width, r.height, r.bold, "left"))
        total_w = sum(im.width for im in images)
        height = max(im.height for im in images)
        line = Image.new("1", (self.paper_dots, height), 1)
        x = {"center": (self.paper_dots - total_w) // 2, "right": self.paper_dots - total_w}.get(align, 0)
        x = max(0, x)
        for im in images:
            line.paste(im, (x, height - im.height))
            x += im.width
        return line


def read_escpos(data: bytes, paper_dots: int = 576) -> Paper:
    return EscposReader(paper_dots).read(data)
