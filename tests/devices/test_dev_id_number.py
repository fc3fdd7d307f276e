"""Resident ID numbers: what the kiosk accepts, and what it ever shows."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

from devices import id_number as idn
from devices.id_number import IdNumber, IdRejection

VALID = ["11010519491231002X", "110101199003070011", "440305198511110022", "510104200002290038", "620102201012310044"]
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("value", VALID)
def test_valid_numbers_are_accepted(value: str) -> None:
    assert idn.rejection(value, TODAY) is None
    assert idn.check_char(value[:17]) == value[17]


def test_a_lower_case_x_is_accepted_and_normalized() -> None:
    parsed = IdNumber.parse("11010519491231002x", TODAY)
    assert isinstance(parsed, IdNumber) and parsed.value == "11010519491231002X"


@pytest.mark.parametrize(
    "value, why",
    [
        ("110101199002300014", IdRejection.BAD_BIRTH_DATE),  # 30 February, checksum valid
        ("110101199003070012", IdRejection.BAD_CHECK_DIGIT),
        ("11010519491231002", IdRejection.WRONG_LENGTH),
        ("11010519491231002Y", IdRejection.BAD_CHARACTERS),
        ("99010519491231002X", IdRejection.BAD_AREA),
        ("110101203001010011", IdRejection.BAD_BIRTH_DATE),  # born in the future
        ("110101189901010011", IdRejection.BAD_BIRTH_DATE),  # before 1900
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(value: str, why: IdRejection) -> None:
    assert idn.rejection(value, TODAY) is why


def test_an_impossible_birth_date_is_refused_even_with_a_correct_check_digit() -> None:
    value = "110101199002300014"
    assert idn.check_char(value[:17]) == value[17]
    assert idn.rejection(value) is IdRejection.BAD_BIRTH_DATE


@given(st.sampled_from(VALID), st.integers(0, 16), st.integers(1, 9))
def test_any_single_wrong_digit_is_caught(value: str, pos: int, delta: int) -> None:
    digits = list(value)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    assert idn.rejection("".join(digits), TODAY) is not None


def test_masks_keep_only_what_a_screen_may_show() -> None:
    assert idn.mask("11010519491231002X") == "110105********002X"
    assert idn.public_mask("11010519491231002X") == "**************002X"
    parsed = IdNumber("11010519491231002X")
    assert "19491231" not in repr(parsed) and "110105" not in str(parsed)


def test_the_keyed_hash_depends_on_the_hall_secret_and_ignores_case() -> None:
    a = idn.keyed_hash("11010519491231002X", b"hall-secret")
    assert a == idn.keyed_hash("11010519491231002x", b"hall-secret")
    assert a != idn.keyed_hash("11010519491231002X", b"other-hall")
    assert len(a) == 64 and "11010519491231002X" not in a
    with pytest.raises(ValueError):
        idn.keyed_hash("11010519491231002X", b"")
