"""Camera scanning end to end without a camera: fake and folder cameras, real QR images
(qrcode, as on tickets), the real zbar child process, and the V4L2 source failing
cleanly where there is no /dev/video node (this machine has no camera)."""

from __future__ import annotations

import logging
import os
import signal
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from devices.camera import Frame, InProcessDecoder, IsolatedDecoder
from devices.camera_source import (
    CameraScanner, FakeCamera, FolderCamera, InView, V4L2Camera, blank_frame, gray_from_packed, open_source,
)
from devices.codes import ScanKind, make_appointment_code
from devices.health import DeviceState, Reason
from devices.id_number import check_char
from devices.raster import qr_image
from devices.scanner import ScanEvent

TODAY = date(2026, 11, 25)
APPOINTMENT = make_appointment_code("3KQ7M2XB")
OTHER_APPOINTMENT = make_appointment_code("7HW2PQ4D")


def synthetic_id(area: str = "110101", born: date = date(1990, 3, 7), seq: int = 1) -> str:
    """A checksum-valid ID number made up for tests (not a real person's)."""
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


ID_VALID = synthetic_id(seq=3)
ID_BAD_CHECK = ID_VALID[:-1] + ("1" if ID_VALID[-1] != "1" else "2")


def scene(text: str, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """What the camera sees: a grey counter with a QR code (made like the ticket's) in it."""
    img = Image.new("L", size, 190)
    code = qr_image(text, 6).convert("L")
    img.paste(code, ((size[0] - code.width) // 2, (size[1] - code.height) // 2))
    return img


class FakeTime:
    """A monotonic clock that moves only when the scanner sleeps: tests of seconds run in milliseconds."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    def sleep(self, dt: float) -> None:
        self.t += max(dt, 0.001)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def camera() -> FakeCamera:
    return FakeCamera("camera-01")


@pytest.fixture
def scanner(camera: FakeCamera, fake_time: FakeTime):
    s = CameraScanner(camera, IsolatedDecoder("camera-01", timeout_s=10), today=lambda: TODAY,
                      clock=fake_time.now, sleep=fake_time.sleep)
    yield s
    s.close()


def run_for(scanner: CameraScanner, clock: FakeTime, seconds: float) -> list[ScanEvent]:
    """Poll as a ScannerThread would, for ``seconds`` of (fake) time."""
    end = clock.now() + seconds
    events: list[ScanEvent] = []
    while clock.now() < end:
        events += scanner.poll(0.05)
    return events


# --- one scan per code held up ---------------------------------------------------------------

def test_given_a_camera_when_a_citizen_holds_an_appointment_qr_code_up_for_seconds_then_one_scan_comes_through(
        camera: FakeCamera, scanner: CameraScanner, fake_time: FakeTime) -> None:
    camera.show(scene(APPOINTMENT))
    events = run_for(scanner, fake_time, 3.0)
    assert scanner.decodes >= 10                     # it kept looking: ~15 frames in 3 s
    assert len(events) == 1
    assert events[0].result.kind is ScanKind.APPOINTMENT
    assert events[0].result.appointment_code == APPOINTMENT
    assert events[0].device_id == "camera-01"


def test_given_a_code_was_read_when_it_leaves_briefly_then_no_new_scan_but_after_1_5_s_away_it_scans_again(
        camera: FakeCamera, scanner: CameraScanner, fake_time: FakeTime) -> None:
    camera.show(scene(APPOINTMENT))
    assert len(run_for(scanner, fake_time, 1.0)) == 1
    camera.blank()
    run_for(scanner, fake_time, 0.8)                 # a hand passing in front of it
    camera.show(scene(APPOINTMENT))
    assert run_for(scanner, fake_time, 1.0) == []
    camera.blank()
    run_for(scanner, fake_time, 2.0)                 # put away, then shown again
    camera.show(scene(APPOINTMENT))
    again = run_for(scanner, fake_time, 1.0)
    assert [e.result.appointment_code for e in again] == [APPOINTMENT]


def test_given_one_code_in_view_when_a_second_code_joins_it_then_only_the_new_one_is_a_new_scan(
        camera: FakeCamera, scanner: CameraScanner, fake_time: FakeTime) -> None:
    camera.show(scene(APPOINTMENT))
    run_for(scanner, fake_time, 1.0)
    both = Image.new("L", (900, 480), 190)
    both.paste(scene(APPOINTMENT, (450, 480)), (0, 0))
    both.paste(scene(OTHER_APPOINTMENT, (450, 480)), (450, 0))
    camera.show(both)
    events = run_for(scanner, fake_time, 1.0)
    assert [e.result.appointment_code for e in events] == [OTHER_APPOINTMENT]


def test_in_view_counts_a_code_once_until_it_has_been_gone_for_the_whole_gap() -> None:
    view = InView(gone_after_s=1.5)
    assert view.seen(["A", "A"], 0.0) == ["A"]
    assert view.seen(["A"], 1.4) == []
    assert view.seen([], 2.0) == []
    assert view.seen(["A"], 2.8) == []               # last seen at 1.4: gone only 1.4 s
    assert view.seen(["A"], 4.5) == ["A"]            # gone 1.7 s
    assert "A" not in repr(view)


# --- what a scan is ---------------------------------------------------------------------------

def test_given_a_camera_when_a_citizen_holds_up_an_id_number_then_it_is_an_id_scan_and_never_shown_in_full(
        camera: FakeCamera, scanner: CameraScanner, fake_time: FakeTime, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    camera.show(scene(ID_VALID))
    events = run_for(scanner, fake_time, 1.0)
    assert len(events) == 1
    result = events[0].result
    assert result.kind is ScanKind.ID_NUMBER and result.id_number is not None
    assert result.id_number.value == ID_VALID
    camera.unplug()
    run_for(scanner, fake_time, 0.5)                 # health changes are logged too
    shown = repr(events[0]) + repr(result) + repr(scanner) + repr(scanner._in_view) + caplog.text
    assert ID_VALID not in shown and ID_VALID[6:14] not in shown


def test_given_a_camera_when_an_id_with_a_wrong_check_digit_is_held_up_then_it_is_refused_with_that_reason(
        camera: FakeCamera, scanner: CameraScanner, fake_time: FakeTime) -> None:
    camera.show(scene(ID_BAD_CHECK))
    events = run_for(scanner, fake_time, 1.0)
    assert [(e.result.kind, e.result.reason) for e in events] == [(ScanKind.REFUSED, "id_bad_check_digit")]
    assert ID_BAD_CHECK not in repr(events[0])


# --- failures ------------------------------------------------------------------------------------

def test_given_the_camera_is_unplugged_then_health_says_unplugged_and_after_replug_it_scans_again(
        camera: FakeCamera, scanner: CameraScanner, fake_time: FakeTime) -> None:
    run_for(scanner, fake_time, 0.5)
    assert scanner.health().state is DeviceState.OK
    camera.unplug()
    camera.show(scene(APPOINTMENT))
    assert run_for(scanner, fake_time, 1.0) == []
    health = scanner.health()
    assert (health.state, health.reason, health.consequence.value) == (DeviceState.OFFLINE, Reason.UNPLUGGED, "cannot_scan")
    assert not health.usable and "unplugged" in camera.detail
    camera.replug()
    events = run_for(scanner, fake_time, 1.0)
    assert scanner.health().state is DeviceState.OK
    assert [e.result.appointment_code for e in events] == [APPOINTMENT]


def test_given_the_decoder_child_is_killed_mid_run_then_a_new_one_starts_and_scanning_continues(
        camera: FakeCamera, scanner: CameraScanner, fake_time: FakeTime) -> None:
    camera.show(scene(APPOINTMENT))
    assert len(run_for(scanner, fake_time, 1.0)) == 1
    decoder = scanner.decoder
    assert isinstance(decoder, IsolatedDecoder)
    first_pid = decoder.pid
    assert first_pid is not None and first_pid != os.getpid()
    os.kill(first_pid, signal.SIGKILL)               # what a zbar abort looks like from outside
    camera.show(scene(OTHER_APPOINTMENT))
    events = run_for(scanner, fake_time, 2.0)
    assert [e.result.appointment_code for e in events] == [OTHER_APPOINTMENT]
    assert decoder.pid not in (None, first_pid)
    assert scanner.health().state is DeviceState.OK


def test_given_a_decoder_child_slower_to_start_than_a_frame_may_take_then_its_first_frame_still_decodes() -> None:
    decoder = IsolatedDecoder("camera-01", timeout_s=0.1)  # spawning Python alone takes longer than this
    try:
        first = decoder.decode(Frame.from_image(scene(APPOINTMENT, (320, 240))))
        assert [s.text for s in first.symbols] == [APPOINTMENT]
        assert first.health.state is DeviceState.OK
    finally:
        decoder.close()


def test_given_a_camera_with_nothing_in_view_then_it_decodes_at_most_five_frames_a_second() -> None:
    camera = FakeCamera("camera-idle")
    scanner = CameraScanner(camera, InProcessDecoder("camera-idle"))
    try:
        start = time.monotonic()
        while time.monotonic() - start < 2.0:
            scanner.poll(0.05)
        assert 6 <= scanner.decodes <= 11, scanner.decodes
        assert camera.grabs == scanner.decodes
    finally:
        scanner.close()


def test_given_nothing_seen_for_a_while_then_the_camera_slows_to_its_idle_rate(fake_time: FakeTime) -> None:
    camera = FakeCamera("camera-idle")
    scanner = CameraScanner(camera, InProcessDecoder("camera-idle"), idle_after_s=5.0,
                            clock=fake_time.now, sleep=fake_time.sleep)
    run_for(scanner, fake_time, 5.0)
    busy = scanner.decodes
    run_for(scanner, fake_time, 10.0)
    assert 24 <= busy <= 26
    assert 19 <= scanner.decodes - busy <= 21        # 2 a second once idle
    scanner.close()


# --- folder camera (drills and demos) ------------------------------------------------------------

def test_given_a_drill_folder_then_its_images_play_in_name_order_each_for_a_while_and_loop(
        tmp_path: Path, fake_time: FakeTime) -> None:
    scene(ID_VALID).save(tmp_path / "03-id.png")
    scene(APPOINTMENT).save(tmp_path / "01-appointment.png")
    Image.new("L", (640, 480), 190).save(tmp_path / "02-nothing.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    source = FolderCamera(tmp_path, "camera-dir", hold_s=2.0, clock=fake_time.now)
    scanner = CameraScanner(source, IsolatedDecoder("camera-dir", timeout_s=10), today=lambda: TODAY,
                            clock=fake_time.now, sleep=fake_time.sleep)
    try:
        events = run_for(scanner, fake_time, 7.9)
        assert [e.result.kind for e in events] == [ScanKind.APPOINTMENT, ScanKind.ID_NUMBER, ScanKind.APPOINTMENT]
        assert source.health().state is DeviceState.OK
    finally:
        scanner.close()


def test_given_a_folder_camera_on_a_missing_folder_then_it_is_unhealthy_and_says_which_folder(tmp_path: Path) -> None:
    source = FolderCamera(tmp_path / "nowhere", "camera-dir")
    assert source.grab() is None
    assert source.health().state is DeviceState.OFFLINE and not source.health().usable
    assert "nowhere" in source.detail


def test_given_a_large_photo_in_the_folder_then_it_is_shrunk_to_a_camera_sized_frame(tmp_path: Path) -> None:
    scene(APPOINTMENT, (4000, 3000)).save(tmp_path / "photo.png")
    frame = FolderCamera(tmp_path).grab()
    assert frame is not None and max(frame.width, frame.height) == 1280
    assert [s.text for s in InProcessDecoder().decode(frame).symbols] == [APPOINTMENT]


# --- V4L2 (no camera on this machine) -------------------------------------------------------------

def test_given_a_v4l2_camera_whose_device_node_is_missing_then_it_is_unhealthy_with_a_clear_reason(
        fake_time: FakeTime) -> None:
    source = V4L2Camera("/dev/video-yimen-test-missing", "camera-usb", clock=fake_time.now)
    scanner = CameraScanner(source, InProcessDecoder("camera-usb"), clock=fake_time.now, sleep=fake_time.sleep)
    try:
        assert run_for(scanner, fake_time, 3.0) == []
        health = scanner.health()
        assert (health.state, health.reason, health.consequence.value) == (DeviceState.OFFLINE, Reason.UNPLUGGED, "cannot_scan")
        assert "/dev/video-yimen-test-missing" in source.detail and "missing" in source.detail
        assert scanner.decodes == 0
    finally:
        scanner.close()


def test_given_a_v4l2_path_that_is_not_a_camera_then_it_is_unhealthy_and_does_not_raise() -> None:
    pytest.importorskip("linuxpy.video.device", reason="the camera extra (linuxpy) is not installed")
    source = V4L2Camera("/dev/null", "camera-usb")
    assert source.grab() is None
    assert source.health().state is DeviceState.OFFLINE and source.health().reason is Reason.UNPLUGGED
    assert "could not be opened as a camera" in source.detail
    source.close()


def test_yuyv_and_grey_frames_keep_only_the_luma_and_skip_row_padding() -> None:
    yuyv = bytes([10, 128, 11, 128, 12, 128, 13, 128, 0, 0,       # row 0 (4 pixels) + 2 padding bytes
                  20, 128, 21, 128, 22, 128, 23, 128, 0, 0])
    assert gray_from_packed(yuyv, 4, 2, 10, 2) == bytes([10, 11, 12, 13, 20, 21, 22, 23])
    assert gray_from_packed(yuyv[:8] + yuyv[10:18], 4, 2, 8, 2) == bytes([10, 11, 12, 13, 20, 21, 22, 23])
    assert gray_from_packed(bytes(range(6)), 3, 2, 0, 1) == bytes(range(6))


def test_connection_strings_name_the_source() -> None:
    assert isinstance(open_source("fake", "c"), FakeCamera)
    assert isinstance(open_source("dir:/srv/drill", "c"), FolderCamera)
    v4l2 = open_source("v4l2:/dev/video2", "c")
    assert isinstance(v4l2, V4L2Camera) and v4l2.path == "/dev/video2"
    with pytest.raises(ValueError, match="fake, dir:/folder or v4l2:/dev/videoN"):
        open_source("usb:0", "c")


def test_a_fake_camera_shows_frames_and_pictures_and_a_blank_wall() -> None:
    cam = FakeCamera()
    frame = Frame.from_image(scene(APPOINTMENT))
    cam.show(frame)
    assert cam.grab() is frame
    cam.blank()
    assert cam.grab() == blank_frame()
