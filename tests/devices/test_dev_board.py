"""Window LED strips: the exact frames a strip receives, over a pty pair."""

from __future__ import annotations

from functools import reduce
from pathlib import Path

from hypothesis import given, strategies as st

from devices.board import BoardConfig, RecordingBoard, SerialBoard
from devices.board_protocol import (
    BoardFrame,
    Command,
    Effect,
    FrameParser,
    WindowDisplayState,
    WindowStatus,
    decode_text,
    encode_frame,
    frames_for,
)
from devices.health import DeviceState, Reason
from devices.simulators import PtyBoardSimulator

SERVING_A012 = [
    bytes.fromhex("02 01 31 09 01 00 33 ba c5 b4 b0 bf da 15 03"),  # line 1 "3号窗口"
    bytes.fromhex("02 01 31 0e 10 22 00 c7 eb 41 30 31 32 ba c5 b0 ec c0 ed 6c 03"),  # line 2 "请A012号办理"
]


def test_the_frame_layout_is_stx_addr_cmd_len_gb2312_xor_etx() -> None:
    frame = SERVING_A012[0]
    assert frame[0] == 0x02 and frame[-1] == 0x03
    addr, cmd, length, payload, chk = frame[1], frame[2], frame[3], frame[4:-2], frame[-2]
    assert (addr, cmd, length) == (1, Command.SHOW, len(payload))
    assert payload[2:].decode("gb2312") == "3号窗口"
    assert chk == reduce(lambda a, b: a ^ b, frame[1:-2])


def test_bytes_that_look_like_stx_etx_or_dle_are_escaped() -> None:
    data = encode_frame(BoardFrame(2, Command.SHOW, bytes([1, 0]) + b"\x03\x10"))
    assert data == bytes.fromhex("02 10 22 31 04 01 00 10 23 10 30 25 03")
    assert data[1:-1].count(0x02) == 0 and data[1:-1].count(0x03) == 0


@given(st.integers(0, 255), st.sampled_from(list(Command)), st.binary(max_size=255), st.binary(max_size=40))
def test_any_frame_survives_encoding_and_noise_before_it(address, command, payload, noise) -> None:
    frame = BoardFrame(address, int(command), payload)
    noise = noise.replace(b"\x02", b"")
    assert FrameParser().feed(noise + encode_frame(frame)) == [frame]


def test_a_frame_with_a_flipped_bit_is_rejected() -> None:
    bad = bytearray(SERVING_A012[0])
    bad[7] ^= 0x01
    parser = FrameParser()
    assert parser.feed(bytes(bad)) == [] and parser.bad_frames == 1


def test_window_states_read_as_the_hall_expects() -> None:
    texts = {
        status: [decode_text(f)[2] for f in frames_for(1, WindowDisplayState("3", status, "A012"))]
        for status in WindowStatus
    }
    assert texts[WindowStatus.SERVING] == ["3号窗口", "请A012号办理"]
    assert texts[WindowStatus.PAUSED] == ["3号窗口", "暂停服务"]
    assert texts[WindowStatus.CLOSED] == ["3号窗口", "已关闭"]
    assert decode_text(frames_for(1, WindowDisplayState("3", WindowStatus.PAUSED))[1])[1] is Effect.BLINK


def test_given_a_strip_on_a_pty_when_a012_is_called_to_window_3_then_it_receives_these_exact_bytes() -> None:
    with PtyBoardSimulator(address=1) as sim:
        board = SerialBoard(BoardConfig(port=sim.port, address=1))
        health = board.show(WindowDisplayState("3", WindowStatus.SERVING, "A012"))
        board.close()
        received = sim.snapshot()
    assert health.state is DeviceState.OK
    assert received == b"".join(SERVING_A012)


def test_given_a_strip_that_never_answers_then_health_is_not_answering() -> None:
    with PtyBoardSimulator(address=1, answer=False) as sim:
        board = SerialBoard(BoardConfig(port=sim.port, address=1, timeout_s=0.1))
        assert board.show(WindowDisplayState("3", WindowStatus.CLOSED)).reason is Reason.NOT_ANSWERING
        board.close()


def test_given_the_strip_is_unplugged_then_health_says_so_and_it_reconnects(tmp_path: Path) -> None:
    link = tmp_path / "ttyBoard"
    board = SerialBoard(BoardConfig(port=str(link), address=1))
    assert board.health().reason is Reason.UNPLUGGED
    with PtyBoardSimulator(address=1) as sim:
        link.symlink_to(sim.port)
        assert board.health().state is DeviceState.OK
        assert board.show(WindowDisplayState("3", WindowStatus.PAUSED)).state is DeviceState.OK
        board.close()
    assert [f.command for f in sim.frames] == [Command.PING, Command.SHOW, Command.SHOW]


def test_the_recording_board_keeps_what_it_showed_and_can_fail() -> None:
    board = RecordingBoard()
    board.show(WindowDisplayState("3", WindowStatus.SERVING, "A012"))
    assert board.frames == SERVING_A012
    board.fail_with(Reason.UNPLUGGED)
    assert board.show(WindowDisplayState("3", WindowStatus.CLOSED)).reason is Reason.UNPLUGGED
    assert board.shown == WindowDisplayState("3", WindowStatus.SERVING, "A012")
