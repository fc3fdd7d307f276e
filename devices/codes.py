"""What a scan means: an ID number, an appointment code, a ticket QR, or refused.

Pure module. Formats (documented in docs/devices.md):

* appointment code: ``YY`` + 8 Crockford base32 characters + 1 check character
  (Luhn mod 32 over the 8 characters), e.g. ``YY3KQ7M2XBR`` — short enough to type
  from an SMS, robust to one mistyped character and most swaps.
* ticket QR payload: ``YM1|<hall_id>|<YYYY-MM-DD>|<ticket_number>|<token>``, ASCII
  only because ZBar guesses character sets wrongly. Never an ID number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from devices.id_number import IdNumber, IdRejection

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
APPOINTMENT_PREFIX = "YY"
APPOINTMENT_BODY_LEN = 8
MAX_SCAN_LEN = 128

_TICKET_NUMBER = re.compile(r"^[A-Z]{1,2}[0-9]{1,4}$")
_HALL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_TOKEN = re.compile(r"^[A-Za-z0-9-]{1,40}$")
_ID_LIKE = re.compile(r"^[0-9]{17}[0-9Xx]$")
_PAYLOAD_VERSION = "YM1"


class ScanKind(StrEnum):
    ID_NUMBER = "id_number"
    APPOINTMENT = "appointment"
    TICKET = "ticket"
    REFUSED = "refused"


class ScanRefusal(StrEnum):
    """Closed set of reasons a scan is refused (id_* come from IdRejection)."""

    EMPTY = "scan_empty"
    TOO_LONG = "scan_too_long"
    NOT_PRINTABLE = "scan_not_printable"
    UNKNOWN_FORMAT = "scan_unknown_format"
    APPOINTMENT_BAD_CHECK = "appointment_bad_check"
    TICKET_BAD_PAYLOAD = "ticket_bad_payload"


def is_ticket_number(text: str) -> bool:
    """Ticket numbers look like ``A012``: 1-2 capital letters then 1-4 digits."""
    return bool(_TICKET_NUMBER.match(text))


# --- appointment codes -------------------------------------------------------

def _luhn32(body: str) -> str:
    """Luhn mod N check character over the Crockford alphabet."""
    n = len(CROCKFORD)
    total = 0
    factor = 2
    for ch in reversed(body):
        addend = factor * CROCKFORD.index(ch)
        addend = addend // n + addend % n
        total += addend
        factor = 1 if factor == 2 else 2
    return CROCKFORD[(n - total % n) % n]


def make_appointment_code(body: str) -> str:
    """Build a code from 8 Crockford characters (the booking system picks them)."""
    body = body.upper()
    if len(body) != APPOINTMENT_BODY_LEN or any(c not in CROCKFORD for c in body):
        raise ValueError("appointment body must be 8 Crockford base32 characters")
    return APPOINTMENT_PREFIX + body + _luhn32(body)


def appointment_rejection(text: str) -> ScanRefusal | None:
    code = text.strip().upper()
    if len(code) != 2 + APPOINTMENT_BODY_LEN + 1 or not code.startswith(APPOINTMENT_PREFIX):
        return ScanRefusal.UNKNOWN_FORMAT
    body, check = code[2:-1], code[-1]
    if any(c not in CROCKFORD for c in code[2:]):
        return ScanRefusal.UNKNOWN_FORMAT
    if _luhn32(body) != check:
        return ScanRefusal.APPOINTMENT_BAD_CHECK
    return None


# --- ticket QR payloads ------------------------------------------------------

@dataclass(frozen=True)
class TicketRef:
    """What a ticket's QR code identifies."""

    hall_id: str
    business_day: date
    ticket_number: str
    token: str

    def payload(self) -> str:
        return make_ticket_payload(self.hall_id, self.business_day, self.ticket_number, self.token)


def make_ticket_payload(hall_id: str, business_day: date, ticket_number: str, token: str) -> str:
    """ASCII QR payload for a ticket; raises ValueError on a malformed part."""
    if not _HALL_ID.match(hall_id):
        raise ValueError("bad hall id")
    if not is_ticket_number(ticket_number):
        raise ValueError("bad ticket number")
    if not _TOKEN.match(token):
        raise ValueError("bad token")
    return f"{_PAYLOAD_VERSION}|{hall_id}|{business_day.isoformat()}|{ticket_number}|{token}"


def parse_ticket_payload(text: str) -> TicketRef | None:
    parts = text.strip().split("|")
    if len(parts) != 5 or parts[0] != _PAYLOAD_VERSION:
        return None
    _, hall_id, day, number, token = parts
    if not (_HALL_ID.match(hall_id) and is_ticket_number(number) and _TOKEN.match(token)):
        return None
    try:
        business_day = date.fromisoformat(day)
    except ValueError:
        return None
    return TicketRef(hall_id, business_day, number, token)


# --- classification ----------------------------------------------------------

@dataclass(frozen=True)
class ScanResult:
    """A classified scan. ``reason`` is set only when refused."""

    kind: ScanKind
    id_number: IdNumber | None = None
    appointment_code: str | None = None
    ticket: TicketRef | None = None
    reason: str | None = None

    @property
    def accepted(self) -> bool:
        return self.kind is not ScanKind.REFUSED


def _refuse(reason: StrEnum) -> ScanResult:
    return ScanResult(ScanKind.REFUSED, reason=reason.value)


def classify_scan(text: str, today: date | None = None) -> ScanResult:
    """Tell what a scanned string is; anything unknown is refused with a reason."""
    value = text.strip()
    if not value:
        return _refuse(ScanRefusal.EMPTY)
    if len(value) > MAX_SCAN_LEN:
        return _refuse(ScanRefusal.TOO_LONG)
    if not (value.isascii() and value.isprintable()):
        return _refuse(ScanRefusal.NOT_PRINTABLE)
    if _ID_LIKE.match(value):
        parsed = IdNumber.parse(value, today)
        if isinstance(parsed, IdRejection):
            return _refuse(parsed)
        return ScanResult(ScanKind.ID_NUMBER, id_number=parsed)
    if value.upper().startswith(APPOINTMENT_PREFIX) and len(value) == 11:
        why = appointment_rejection(value)
        if why is None:
            return ScanResult(ScanKind.APPOINTMENT, appointment_code=value.upper())
        return _refuse(why)
    if value.startswith(_PAYLOAD_VERSION + "|"):
        ref = parse_ticket_payload(value)
        if ref is None:
            return _refuse(ScanRefusal.TICKET_BAD_PAYLOAD)
        return ScanResult(ScanKind.TICKET, ticket=ref)
    return _refuse(ScanRefusal.UNKNOWN_FORMAT)
