"""The ticket printer, as the hall sees it: what is on the paper, and whether a
ticket counts as issued."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from devices.camera import decode_image
from devices.escpos_reader import read_escpos
from devices.fakes import RecordingPrinter
from devices.health import DeviceState, Reason
from devices.printer import EscposPrinter, PaperCounter, health_from_status, render_ticket
from devices.simulators import PrinterMode, PtyPrinterSimulator
from devices.ticket import ConnectionKind, PrinterConfig, TextMode, TicketSlip, wrap, text_cols

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("YIMEN_UPDATE_GOLDEN") == "1"


def _golden(name: str, data: bytes) -> bytes:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_bytes(data)
    return path.read_bytes()


@pytest.mark.parametrize("width", [58, 80])
def test_given_a_chinese_font_printer_the_ticket_bytes_match_the_golden_ticket(slip: TicketSlip, width: int) -> None:
    data = render_ticket(slip, PrinterConfig(paper_width_mm=width, text_mode=TextMode.GB18030), with_notice=True)
    assert data == _golden(f"ticket-{width}mm-gb18030.bin", data)


@pytest.mark.parametrize("width", [58, 80])
@pytest.mark.parametrize("mode", list(TextMode))
def test_the_paper_shows_number_item_wait_windows_time_and_a_readable_qr(slip: TicketSlip, width: int, mode: TextMode) -> None:
    config = PrinterConfig(paper_width_mm=width, text_mode=mode)
    paper = read_escpos(render_ticket(slip, config), config.width_dots)
    assert paper.unknown == []
    assert len(paper.slips) == 1 and paper.slips[0].cut
    image = paper.image()
    assert image.width == config.width_dots
    symbols = decode_image(image.convert("L"))
    assert [s.text for s in symbols] == [slip.qr_payload]
    if mode is TextMode.GB18030:
        text = paper.text
        for expected in ("XX县政务服务中心", "A012", "食品经营许可证", "5 人", "10-20 分钟", "3、5 号", "2026-11-25 09:32"):
            assert expected in text
        assert all(text_cols(line) <= config.columns for line in paper.slips[0].lines if "A012" not in line)


def test_the_ticket_number_is_printed_in_large_type(slip: TicketSlip) -> None:
    config = PrinterConfig(paper_width_mm=58)
    data = render_ticket(slip, config)
    assert b"\x1d!\x33\x1bE\x01\x1ba\x01A012\n" in data  # GS ! 4x4, bold, centred


def test_the_one_time_notice_is_a_second_slip_listing_every_material(slip: TicketSlip) -> None:
    config = PrinterConfig(paper_width_mm=80)
    paper = read_escpos(render_ticket(slip, config, with_notice=True), config.width_dots)
    assert len(paper.slips) == 2 and all(s.cut for s in paper.slips)
    notice = paper.slips[1].text
    assert "一次性告知单" in notice
    for i, m in enumerate(slip.materials, 1):
        assert f"{i}. {m}" in notice


def test_a_ticket_never_carries_an_id_number(slip: TicketSlip) -> None:
    with pytest.raises(ValueError):
        replace(slip, qr_payload="YM1|county|2026-11-25|A012|身份证")
    config = PrinterConfig(paper_width_mm=80)
    paper = read_escpos(render_ticket(slip, config), config.width_dots)
    assert not any(len(tok) == 18 and tok[:17].isdigit() for tok in paper.text.split())


def test_green_channel_tickets_say_so(slip: TicketSlip) -> None:
    config = PrinterConfig(paper_width_mm=58)
    assert "绿色通道" in read_escpos(render_ticket(replace(slip, priority=True), config), 384).text
    assert "绿色通道" not in read_escpos(render_ticket(slip, config), 384).text


def test_native_qr_printers_get_gs_k_and_the_code_still_reads(slip: TicketSlip) -> None:
    config = PrinterConfig(paper_width_mm=80, qr_native=True)
    data = render_ticket(slip, config)
    assert b"\x1d(k" in data
    paper = read_escpos(data, 576)
    assert [s.text for s in decode_image(paper.image().convert("L"))] == [slip.qr_payload]


def test_long_item_names_wrap_within_the_paper() -> None:
    lines = wrap("建设工程消防设计审查验收及备案 Fire protection design review and acceptance", 32)
    assert all(text_cols(x) <= 32 for x in lines)
    assert "".join(lines).replace(" ", "") == "建设工程消防设计审查验收及备案Fireprotectiondesignreviewandacceptance"


# --- health from real-time status --------------------------------------------

@pytest.mark.parametrize(
    "replies, state, reason",
    [
        ((0x12, 0x12, 0x12), DeviceState.OK, Reason.NONE),
        ((0x12, 0x12, 0x1E), DeviceState.WARNING, Reason.PAPER_NEAR_END),
        ((0x1A, 0x32, 0x7E), DeviceState.FAULT, Reason.PAPER_OUT),
        ((0x1A, 0x16, 0x12), DeviceState.FAULT, Reason.COVER_OPEN),
        ((0x1A, 0x52, 0x12), DeviceState.FAULT, Reason.PRINTER_ERROR),
        ((None, None, None), DeviceState.OFFLINE, Reason.NOT_ANSWERING),
        ((0x12, 0x12, None), DeviceState.OFFLINE, Reason.NOT_ANSWERING),
        ((0xFF, 0x12, 0x12), DeviceState.OFFLINE, Reason.NOT_ANSWERING),
    ],
)
def test_health_is_decided_from_all_three_status_replies(replies, state, reason) -> None:
    health = health_from_status("printer-1", *replies)
    assert (health.state, health.reason) == (state, reason)


def test_a_printer_that_never_answers_counts_paper_since_the_roll_change() -> None:
    counter = PaperCounter(roll_length_mm=1000, near_end_mm=300)
    assert counter.health("p").state is DeviceState.OK
    counter.add(750)
    assert counter.health("p").reason is Reason.PAPER_NEAR_END
    counter.add(250)
    assert counter.health("p").reason is Reason.PAPER_OUT
    counter.roll_changed()
    assert counter.health("p").state is DeviceState.OK


# --- real adapter on a pty ---------------------------------------------------

def _serial_config(port: str, width: int = 58) -> PrinterConfig:
    return PrinterConfig(kind=ConnectionKind.SERIAL, device=port, paper_width_mm=width, timeout_s=0.2)


def test_given_a_58mm_serial_printer_with_paper_when_a_ticket_prints_then_it_succeeds(slip: TicketSlip) -> None:
    with PtyPrinterSimulator(PrinterMode.OK) as sim:
        printer = EscposPrinter(_serial_config(sim.port))
        result = printer.print_ticket(slip)
        printer.close()
        expected = render_ticket(slip, _serial_config(sim.port))
        assert result.ok and result.reason is Reason.NONE
        assert sim.printed().endswith(expected)


@pytest.mark.parametrize(
    "mode, reason",
    [(PrinterMode.PAPER_OUT, Reason.PAPER_OUT), (PrinterMode.COVER_OPEN, Reason.COVER_OPEN),
     (PrinterMode.SILENT, Reason.NOT_ANSWERING), (PrinterMode.GARBAGE, Reason.NOT_ANSWERING)],
)
def test_given_a_58mm_printer_in_trouble_when_a_ticket_is_printed_then_it_fails_with_the_reason(slip: TicketSlip, mode: PrinterMode, reason: Reason) -> None:
    with PtyPrinterSimulator(mode) as sim:
        printer = EscposPrinter(_serial_config(sim.port))
        result = printer.print_ticket(slip)
        printer.close()
        assert not result.ok
        assert result.reason is reason
        assert result.health.consequence.value == "cannot_print"
        assert b"A012" not in sim.printed()  # nothing half-printed


def test_given_paper_near_end_the_ticket_still_prints_with_a_warning(slip: TicketSlip) -> None:
    with PtyPrinterSimulator(PrinterMode.PAPER_NEAR_END) as sim:
        printer = EscposPrinter(_serial_config(sim.port))
        result = printer.print_ticket(slip)
        printer.close()
    assert result.ok and result.health.state is DeviceState.WARNING


def test_given_an_unplugged_printer_the_result_is_unplugged_and_it_recovers_when_plugged_back(slip: TicketSlip, tmp_path: Path) -> None:
    printer = EscposPrinter(_serial_config(str(tmp_path / "ttyUSB-missing")))
    result = printer.print_ticket(slip)
    assert not result.ok and result.reason is Reason.UNPLUGGED
    with PtyPrinterSimulator(PrinterMode.OK) as sim:
        printer.config = _serial_config(sim.port)  # the port came back
        assert printer.print_ticket(slip).ok
        printer.close()


def test_a_printer_that_goes_silent_mid_shift_is_reopened(slip: TicketSlip) -> None:
    with PtyPrinterSimulator(PrinterMode.OK) as sim:
        printer = EscposPrinter(_serial_config(sim.port))
        assert printer.health().state is DeviceState.OK
        sim.mode = PrinterMode.SILENT
        assert printer.health().reason is Reason.NOT_ANSWERING
        sim.mode = PrinterMode.OK
        assert printer.health().state is DeviceState.OK
        printer.close()


def test_a_file_printer_without_status_counts_paper_and_refuses_when_the_roll_is_used_up(slip: TicketSlip, tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    out.write_bytes(b"")
    config = PrinterConfig(kind=ConnectionKind.FILE, device=str(out), status_replies=False, roll_length_mm=400, near_end_mm=100)
    printer = EscposPrinter(config)
    results = [printer.print_ticket(slip) for _ in range(4)]
    printer.close()
    assert [r.ok for r in results][:2] == [True, True]
    assert not results[-1].ok and results[-1].reason is Reason.PAPER_OUT
    printer.roll_changed()
    assert printer.print_ticket(slip).ok
    printer.close()
    assert b"A012" in out.read_bytes()


def test_the_recording_printer_can_be_told_to_run_out_of_paper(slip: TicketSlip) -> None:
    printer = RecordingPrinter(PrinterConfig(paper_width_mm=58))
    assert printer.print_ticket(slip).ok
    printer.fail_with(Reason.PAPER_OUT)
    result = printer.print_ticket(slip)
    assert not result.ok and result.reason is Reason.PAPER_OUT
    assert len(printer.jobs) == 1
    printer.recover()
    assert printer.print_ticket(slip, with_notice=True).slips == 2


def test_the_paper_count_survives_a_restart_of_the_kiosk(tmp_path: Path) -> None:
    state = tmp_path / "paper.json"
    first = PaperCounter(1000, 300, state_path=state)
    first.add(800)
    restarted = PaperCounter(1000, 300, state_path=state)
    assert restarted.printed_mm == 800
    assert restarted.health("p").reason is Reason.PAPER_NEAR_END
    restarted.roll_changed()
    assert PaperCounter(1000, 300, state_path=state).health("p").state is DeviceState.OK


def test_an_unreadable_paper_count_assumes_a_full_roll(tmp_path: Path) -> None:
    state = tmp_path / "paper.json"
    state.write_text("{not json")
    assert PaperCounter(1000, 300, state_path=state).left_mm == 1000


def test_constructing_a_printer_opens_nothing(tmp_path: Path) -> None:
    config = PrinterConfig(kind=ConnectionKind.FILE, device=str(tmp_path / "never"))
    EscposPrinter(config)
    assert not (tmp_path / "never").exists()
