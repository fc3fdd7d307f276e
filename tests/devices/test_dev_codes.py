"""Scan classification: an ID number, an appointment code, a ticket, or refused."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from devices.codes import (
    CROCKFORD,
    ScanKind,
    classify_scan,
    make_appointment_code,
    make_ticket_payload,
    parse_ticket_payload,
)

TODAY = date(2026, 11, 25)


def test_a_scanned_id_card_number_is_an_id_number() -> None:
    result = classify_scan("440305198511110022", TODAY)
    assert result.kind is ScanKind.ID_NUMBER and result.id_number is not None
    assert result.id_number.public_masked == "**************0022"


def test_a_checksum_valid_number_with_30_february_is_refused() -> None:
    result = classify_scan("110101199002300014", TODAY)
    assert result.kind is ScanKind.REFUSED and result.reason == "id_bad_birth_date"


def test_an_appointment_code_with_a_good_check_character_is_accepted() -> None:
    code = make_appointment_code("3KQ7M2XB")
    assert len(code) == 11 and code.startswith("YY")
    assert classify_scan(code.lower(), TODAY).kind is ScanKind.APPOINTMENT


@given(st.text(alphabet=CROCKFORD, min_size=8, max_size=8), st.integers(0, 7), st.integers(1, 31))
def test_one_mistyped_appointment_character_is_caught(body: str, pos: int, delta: int) -> None:
    code = make_appointment_code(body)
    chars = list(code)
    chars[2 + pos] = CROCKFORD[(CROCKFORD.index(chars[2 + pos]) + delta) % 32]
    assert classify_scan("".join(chars), TODAY).reason == "appointment_bad_check"


def test_a_ticket_qr_payload_round_trips() -> None:
    payload = make_ticket_payload("county", date(2026, 11, 25), "A012", "t-8f3a01")
    assert payload == "YM1|county|2026-11-25|A012|t-8f3a01"
    result = classify_scan(payload, TODAY)
    assert result.kind is ScanKind.TICKET and result.ticket == parse_ticket_payload(payload)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "scan_empty"),
        ("hello world", "scan_unknown_format"),
        ("YM1|county|2026-02-30|A012|t", "ticket_bad_payload"),
        ("x" * 200, "scan_too_long"),
        ("身份证", "scan_not_printable"),
    ],
)
def test_anything_else_is_refused_with_a_reason_code(text: str, reason: str) -> None:
    result = classify_scan(text, TODAY)
    assert result.kind is ScanKind.REFUSED and result.reason == reason


@given(st.text(max_size=200))
def test_classification_never_raises(text: str) -> None:
    assert classify_scan(text, TODAY).kind in set(ScanKind)
