"""Resident ID numbers (GB 11643-1999): validation, masking, keyed hashing.

Pure module, no I/O: the queue server imports it for per-person limits. An ID
number is sensitive: never print it on a ticket or show it on a public screen.
The common "first 6 + last 4" mask hides only the birth date, which can be
guessed; use :func:`public_mask` wherever strangers can see it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# Province-level area codes (first two digits) of GB/T 2260, plus 71/81/82
# (Taiwan, Hong Kong, Macao) which appear on residence permits.
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)
EARLIEST_BIRTH = date(1900, 1, 1)


class IdRejection(StrEnum):
    """Why a string is not a valid resident ID number."""

    WRONG_LENGTH = "id_wrong_length"
    BAD_CHARACTERS = "id_bad_characters"
    BAD_AREA = "id_bad_area"
    BAD_BIRTH_DATE = "id_bad_birth_date"
    BAD_CHECK_DIGIT = "id_bad_check_digit"


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize(text: str) -> str:
    """Strip spaces and upper-case a trailing x; does not validate."""
    return text.strip().replace(" ", "").upper()


def rejection(text: str, today: date | None = None) -> IdRejection | None:
    """Return why ``text`` is not a valid ID number, or None when it is valid.

    ``today`` bounds the birth date from above; pass the hall's business day.
    """
    value = normalize(text)
    if len(value) != 18:
        return IdRejection.WRONG_LENGTH
    if not (value[:17].isascii() and value[:17].isdigit()) or value[17] not in "0123456789X":
        return IdRejection.BAD_CHARACTERS
    if value[:2] not in PROVINCE_CODES or value[2:6] == "0000":
        return IdRejection.BAD_AREA
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return IdRejection.BAD_BIRTH_DATE
    if born < EARLIEST_BIRTH or (today is not None and born > today):
        return IdRejection.BAD_BIRTH_DATE
    if check_char(value[:17]) != value[17]:
        return IdRejection.BAD_CHECK_DIGIT
    return None


def is_valid(text: str, today: date | None = None) -> bool:
    return rejection(text, today) is None


def mask(value: str) -> str:
    """Staff-screen mask ``110101********123X`` (hides only the birth date)."""
    v = normalize(value)
    return v[:6] + "*" * 8 + v[14:]


def public_mask(value: str) -> str:
    """Public mask ``**************123X``: nothing left to rebuild a person from."""
    v = normalize(value)
    return "*" * 14 + v[14:]


def keyed_hash(value: str, secret: bytes) -> str:
    """HMAC-SHA256 of the normalized number under the hall secret, hex.

    A plain hash of an 18-digit number with a known structure is reversible by
    brute force; the secret makes it a pseudonym usable for "one ticket per
    person" without keeping the number.
    """
    if not secret:
        raise ValueError("a non-empty hall secret is required")
    return hmac.new(secret, normalize(value).encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IdNumber:
    """A validated ID number. Its repr is masked so it never leaks into logs."""

    value: str

    @classmethod
    def parse(cls, text: str, today: date | None = None) -> "IdNumber | IdRejection":
        why = rejection(text, today)
        return why if why is not None else cls(normalize(text))

    @property
    def birth_date(self) -> date:
        return date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def masked(self) -> str:
        return mask(self.value)

    @property
    def public_masked(self) -> str:
        return public_mask(self.value)

    def keyed_hash(self, secret: bytes) -> str:
        return keyed_hash(self.value, secret)

    def __repr__(self) -> str:
        return f"IdNumber({self.public_masked!r})"

    __str__ = __repr__
