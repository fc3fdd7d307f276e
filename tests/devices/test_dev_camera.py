"""Camera scanning with pyzbar on real photographs, and isolation from crashes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from PIL import Image

from devices.camera import Frame, InProcessDecoder, IsolatedDecoder, decode_image
from devices.health import Reason
from devices.raster import qr_image

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

ZXING = SHARED / "testdata" / "barcodes" / "zxing"
needs_testdata = pytest.mark.skipif(not ZXING.is_dir(), reason=f"shared barcode photos not found at {ZXING} (clone shared/ beside the repo)")
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".gif"}


def _expected(img: Path) -> bytes:
    b = img.with_suffix(".bin")
    return b.read_bytes() if b.exists() else img.with_suffix(".txt").read_bytes()


def _rate(prefix: str, symbology: str) -> tuple[int, int]:
    ok = total = 0
    for folder in sorted(ZXING.glob(prefix + "-*")):
        for img in sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXT):
            total += 1
            want = _expected(img)
            if any(s.symbology == symbology and s.data == want for s in decode_image(Image.open(img))):
                ok += 1
    return ok, total


@needs_testdata
def test_real_qr_photographs_decode_at_least_at_the_reference_rate() -> None:
    ok, total = _rate("qrcode", "QRCODE")
    assert total == 179
    assert ok >= 147, f"{ok}/{total}"


@needs_testdata
def test_real_code128_photographs_decode_at_least_at_the_reference_rate() -> None:
    ok, total = _rate("code128", "CODE128")
    assert total == 49
    assert ok >= 46, f"{ok}/{total}"


@needs_testdata
def test_images_without_a_barcode_decode_to_nothing() -> None:
    images = [p for p in (ZXING / "falsepositives-2").iterdir() if p.suffix.lower() in IMAGE_EXT]
    assert len(images) > 10
    assert {p.name: decode_image(Image.open(p)) for p in images if decode_image(Image.open(p))} == {}


def _camera_frame(payload: str) -> Frame:
    frame = Image.new("L", (1280, 720), 200)
    frame.paste(qr_image(payload, 8).convert("L"), (500, 200))
    return Frame.from_image(frame)


def test_given_a_ticket_held_up_to_the_camera_then_its_payload_is_read() -> None:
    outcome = InProcessDecoder().decode(_camera_frame("YM1|county|2026-11-25|A012|t-8f3a01"))
    assert [s.text for s in outcome.symbols] == ["YM1|county|2026-11-25|A012|t-8f3a01"]


def test_given_the_decoder_process_dies_then_that_frame_fails_and_the_next_one_decodes() -> None:
    decoder = IsolatedDecoder(timeout_s=10)
    try:
        first = decoder.decode(_camera_frame("YM1|county|2026-11-25|A013|t-1"))
        assert [s.text for s in first.symbols] == ["YM1|county|2026-11-25|A013|t-1"]
        pid = decoder.pid
        assert pid is not None and pid != os.getpid()
        os.kill(pid, signal.SIGKILL)  # what a zbar abort looks like from outside
        after_crash = decoder.decode(_camera_frame("YM1|county|2026-11-25|A014|t-2"))
        assert after_crash.health.reason in (Reason.DECODER_CRASHED, Reason.NONE)
        again = decoder.decode(_camera_frame("YM1|county|2026-11-25|A015|t-3"))
        assert [s.text for s in again.symbols] == ["YM1|county|2026-11-25|A015|t-3"]
        assert decoder.pid != pid
    finally:
        decoder.close()


def test_given_the_decoder_hangs_then_the_frame_fails_fast_and_a_fresh_worker_takes_over() -> None:
    decoder = IsolatedDecoder(timeout_s=0.5)
    try:
        assert decoder.decode(_camera_frame("YM1|county|2026-11-25|A016|t-4")).symbols
        pid = decoder.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # a zbar loop that never returns
        hung = decoder.decode(_camera_frame("YM1|county|2026-11-25|A017|t-5"))
        assert hung.symbols == () and hung.health.reason is Reason.DECODER_CRASHED
        again = decoder.decode(_camera_frame("YM1|county|2026-11-25|A018|t-6"))
        assert [s.text for s in again.symbols] == ["YM1|county|2026-11-25|A018|t-6"]
        assert decoder.pid != pid
    finally:
        decoder.close()
