"""Scanners at the kiosk: serial scanners over a pty, keyboard-wedge scanners,
and the scripted fake."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from devices.codes import ScanKind
from devices.health import DeviceState, Reason
from devices.scanner import LineFramer, ScannerConfig, ScannerThread, ScriptedScanner, SerialScanner, WedgeDecoder
from devices.simulators import PtyDevice

VALID = ["11010519491231002X", "110101199003070011", "440305198511110022", "510104200002290038", "620102201012310044"]
WRONG_CHECK = ["110101199003070012", "440305198511110023"]
BAD_DATE = ["110101199002300014"]
TODAY = date(2026, 11, 25)

frames = st.one_of(
    st.sampled_from(VALID).map(lambda v: ("valid", v.encode())),
    st.sampled_from(WRONG_CHECK).map(lambda v: ("wrong", v.encode())),
    st.sampled_from(BAD_DATE).map(lambda v: ("date", v.encode())),
    st.binary(min_size=1, max_size=300).map(lambda b: ("garbage", b.replace(b"\r", b""))),
)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:])]


@given(st.lists(frames, max_size=12), st.lists(st.integers(0, 10_000), max_size=20))
def test_framing_finds_every_valid_id_in_any_chunking_and_never_crashes(items, cuts) -> None:
    stream = b"".join(payload + b"\r" for _, payload in items)
    scanner = ScriptedScanner(today=lambda: TODAY)
    scanner.script(*_chunks(stream, cuts))
    events = []
    for _ in range(len(stream) + 1):
        events += scanner.poll(0)
    accepted = [e.text for e in events if e.result.kind is ScanKind.ID_NUMBER]
    assert accepted == [p.decode() for kind, p in items if kind == "valid"]
    reasons = [e.result.reason for e in events if e.result.reason and e.result.reason.startswith("id_")]
    assert reasons.count("id_bad_birth_date") == sum(1 for k, _ in items if k == "date")
    assert reasons.count("id_bad_check_digit") >= sum(1 for k, _ in items if k == "wrong")


def test_an_over_long_line_is_dropped_whole_and_the_next_scan_still_reads() -> None:
    framer = LineFramer(b"\r", max_line=32)
    lines = framer.feed(b"A" * 500) + framer.feed(b"BBBB\r" + VALID[0].encode() + b"\r")
    assert lines == [VALID[0]]
    assert framer.dropped_overlong == 1


def test_a_prefix_marks_where_a_scan_starts() -> None:
    framer = LineFramer(b"\r\n", prefix=b"\x02")
    assert framer.feed(b"noise\x02" + VALID[1].encode() + b"\r\nstray\r\n") == [VALID[1]]
    assert framer.dropped_garbage == 1


def _poll_until(scanner, count: int, timeout: float = 3.0):
    events = []
    deadline = time.monotonic() + timeout
    while len(events) < count and time.monotonic() < deadline:
        events += scanner.poll(0.02)
    return events


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(frames, min_size=1, max_size=6), st.lists(st.integers(0, 5000), max_size=8))
def test_given_a_serial_scanner_on_a_pty_when_ids_and_garbage_arrive_in_chunks_then_valid_ids_come_through(items, cuts) -> None:
    stream = b"".join(payload + b"\r" for _, payload in items) + VALID[0].encode() + b"\r"  # sentinel
    with PtyDevice() as dev:
        scanner = SerialScanner(ScannerConfig(port=dev.port, max_line=64), today=lambda: TODAY)
        scanner.poll(0.01)  # connect
        for chunk in _chunks(stream, cuts):
            dev.send(chunk)
        events = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            events += scanner.poll(0.02)
            ids = [e.text for e in events if e.result.kind is ScanKind.ID_NUMBER]
            if len(ids) == sum(1 for k, _ in items if k == "valid") + 1:
                break
        scanner.close()
    assert ids == [p.decode() for k, p in items if k == "valid"] + [VALID[0]]


def test_given_the_scanner_is_unplugged_then_health_says_so_and_it_reconnects(tmp_path: Path) -> None:
    link = tmp_path / "ttyScanner"
    first = PtyDevice().start()
    os.symlink(first.port, link)
    scanner = SerialScanner(ScannerConfig(port=str(link), reconnect_interval_s=0.05), today=lambda: TODAY)
    scanner.poll(0.01)  # connect
    first.send(VALID[2].encode() + b"\r")
    assert [e.text for e in _poll_until(scanner, 1)] == [VALID[2]]
    assert scanner.health().state is DeviceState.OK
    first.stop()  # unplugged
    link.unlink()
    _poll_until(scanner, 1, timeout=0.3)
    assert scanner.health().reason is Reason.UNPLUGGED
    with PtyDevice() as second:
        os.symlink(second.port, link)
        _poll_until(scanner, 1, timeout=0.2)  # reconnect
        second.send(VALID[3].encode() + b"\r")
        events = _poll_until(scanner, 1)
        scanner.close()
    assert [e.text for e in events] == [VALID[3]]


def test_a_scanner_thread_delivers_scans_and_stops_cleanly() -> None:
    fake = ScriptedScanner(today=lambda: TODAY)
    fake.scan(VALID[4])
    got = []
    worker = ScannerThread(fake, got.append).start()
    deadline = time.monotonic() + 2
    while not got and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.stop()
    assert [e.result.kind for e in got] == [ScanKind.ID_NUMBER]
    assert "1949" not in repr(got[0])


def test_an_idle_fake_scanner_waits_instead_of_spinning_and_a_late_scan_still_arrives_at_once() -> None:
    fake = ScriptedScanner(today=lambda: TODAY)
    got = []
    worker = ScannerThread(fake, got.append).start()
    try:
        cpu0, t0 = time.process_time(), time.monotonic()
        time.sleep(0.6)
        busy = (time.process_time() - cpu0) / (time.monotonic() - t0)
        assert busy < 0.2, f"an idle scanner thread used {busy:.0%} of a core"
        sent = time.monotonic()
        fake.scan(VALID[1])
        while not got and time.monotonic() - sent < 2:
            time.sleep(0.005)
        assert got and time.monotonic() - sent < 0.1, "the scan waited for the poll timeout"
    finally:
        worker.stop()


def test_the_scripted_scanner_can_be_unplugged() -> None:
    fake = ScriptedScanner()
    fake.scan(VALID[0])
    fake.unplug()
    assert fake.poll() == [] and fake.health().reason is Reason.UNPLUGGED
    fake.replug()
    assert len(fake.poll()) == 1


# --- keyboard wedge ------------------------------------------------------------

def _type(decoder: WedgeDecoder, text: str, start: float, gap: float):
    out = []
    for i, ch in enumerate(text):
        out += decoder.key(ch, start + i * gap)
    return out


def test_a_wedge_scanner_burst_ending_in_enter_is_a_scan() -> None:
    out = _type(WedgeDecoder(), VALID[0] + "\r", 10.0, 0.004)
    assert [o.scan for o in out] == [VALID[0]]


def test_a_person_typing_the_same_keys_is_typing_not_a_scan() -> None:
    decoder = WedgeDecoder()
    out = _type(decoder, VALID[0] + "\r", 10.0, 0.15)
    assert all(o.scan is None for o in out)
    assert "".join(o.typed for o in out) == VALID[0] + "\r"


def test_fast_keys_without_a_terminator_are_released_as_typing_after_a_pause() -> None:
    decoder = WedgeDecoder()
    assert _type(decoder, "A012", 1.0, 0.004) == []
    assert [o.typed for o in decoder.tick(2.0)] == ["A012"]


def test_a_short_burst_with_enter_is_typing() -> None:
    out = _type(WedgeDecoder(min_length=6), "ok\r", 1.0, 0.004)
    assert [o.scan for o in out] == [None] and out[0].typed == "ok\r"
