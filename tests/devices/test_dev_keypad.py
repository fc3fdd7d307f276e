"""YKP-1 keypad codec: key lines in, LCD lines out; garbage never crashes."""

from __future__ import annotations

from hypothesis import given, strategies as st

from devices.keypad import Key, KeyPress, MAX_LINE, encode_display, encode_press, parse_line
from devices.scanner import LineFramer


def test_given_window_3_presses_next_then_the_line_is_a_next_press_for_window_3():
    assert parse_line("@003N") == KeyPress(3, Key.NEXT)
    assert parse_line("@012f") == KeyPress(12, Key.FINISH)
    assert encode_press(KeyPress(3, Key.RECALL)) == b"@003R\r"


def test_malformed_lines_are_refused():
    for bad in ("", "@03N", "@000N", "@00AN", "#003N", "@003Z", "@003NN"):
        assert parse_line(bad) is None, bad


def test_the_lcd_line_is_gb18030_framed_and_cut_to_the_line_length():
    assert encode_display(3, "A012 已叫号") == b"#003" + "A012 已叫号".encode("gb18030") + b"\r"
    long = encode_display(3, "很长" * 100)
    assert len(long) <= MAX_LINE and long.endswith(b"\r")


@given(st.lists(st.binary(max_size=40), max_size=30))
def test_random_bytes_in_any_chunks_never_crash_the_framing(chunks):
    framer = LineFramer(b"\r", b"", MAX_LINE)
    for c in chunks:
        for line in framer.feed(c):
            press = parse_line(line.strip())
            assert press is None or 1 <= press.window <= 999
