"""Device benchmarks (not tests): ``python -m devices.bench``.

Targets: a ticket with its QR code rendered to printer bytes, p99 <= 50 ms in both
text modes; one 1280x720 camera frame decoded, median <= 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from PIL import Image, ImageFilter

from devices.camera import Frame, InProcessDecoder, IsolatedDecoder
from devices.printer import render_ticket
from devices.raster import FontBook, qr_image
from devices.ticket import PrinterConfig, TextMode, TicketSlip

TARGET_MS = 50.0


def _slip(i: int) -> TicketSlip:
    return TicketSlip(
        hall_name="XX县政务服务中心",
        hall_name_en="XX County Government Service Center",
        ticket_number=f"A{i % 1000:03d}",
        item_name="食品经营许可证",
        item_name_en="Food Business License",
        people_ahead=i % 40,
        wait_minutes=(10, 25),
        issued_at=datetime(2026, 11, 25, 9, 32, tzinfo=timezone(timedelta(hours=8))),
        windows=("3", "5"),
        qr_payload=f"YM1|county|2026-11-25|A{i % 1000:03d}|t-{i:08x}",
    )


def _timings(fn: Callable[[int], object], runs: int, warmup: int = 5) -> list[float]:
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def _p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _line(name: str, values: list[float], stat: str, value: float) -> str:
    verdict = "ok" if value <= TARGET_MS else "OVER TARGET"
    return f"{name:<48} {stat}={value:7.2f} ms  median={statistics.median(values):6.2f}  max={values[-1]:6.2f}  n={len(values)}  [{verdict}]"


def main(runs: int = 200) -> int:
    lines = []
    for width in (58, 80):
        for mode in TextMode:
            config = PrinterConfig(paper_width_mm=width, text_mode=mode)
            fonts = FontBook(config.font_path, config.font_index)
            t = _timings(lambda i: render_ticket(_slip(i), config, fonts=fonts), runs)
            lines.append(_line(f"ticket -> bytes, {width} mm, {mode.value}", t, "p99", _p(t, 0.99)))
    frame_img = Image.new("L", (1280, 720), 180)
    frame_img.paste(qr_image("YM1|county|2026-11-25|A012|t-8f3a01", 6).convert("L"), (560, 260))
    frame = Frame.from_image(frame_img)
    scene = Frame.from_image(Image.effect_noise((1280, 720), 60).filter(ImageFilter.GaussianBlur(4)))
    noise = Frame.from_image(Image.effect_noise((1280, 720), 40))
    decoder = InProcessDecoder()
    t = _timings(lambda i: decoder.decode(frame), max(50, runs // 4))
    lines.append(_line("camera 1280x720 frame with QR, decode", t, "median", statistics.median(t)))
    t = _timings(lambda i: decoder.decode(scene), max(50, runs // 4))
    lines.append(_line("camera 1280x720 frame, no code (scene), decode", t, "median", statistics.median(t)))
    t = _timings(lambda i: decoder.decode(noise), max(50, runs // 4))
    lines.append(_line("camera 1280x720 frame, sensor noise (worst)", t, "median", statistics.median(t)))
    isolated = IsolatedDecoder(timeout_s=10)
    try:
        t = _timings(lambda i: isolated.decode(frame), max(50, runs // 4))
    finally:
        isolated.close()
    lines.append(_line("camera frame with QR, isolated worker process", t, "median", statistics.median(t)))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
