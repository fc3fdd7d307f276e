"""Shared fixtures for device tests: a typical slip, and a guard that fails any
test leaking a thread or a child process."""

from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from devices.ticket import TicketSlip

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
HALL_TZ = timezone(timedelta(hours=8), "CST")


@pytest.fixture
def slip() -> TicketSlip:
    return TicketSlip(
        hall_name="XX县政务服务中心",
        hall_name_en="XX County Government Service Center",
        ticket_number="A012",
        item_name="食品经营许可证",
        item_name_en="Food Business License",
        people_ahead=5,
        wait_minutes=(10, 20),
        issued_at=datetime(2026, 11, 25, 9, 32, tzinfo=HALL_TZ),
        windows=("3", "5"),
        qr_payload="YM1|county|2026-11-25|A012|t-8f3a01",
        materials=("营业执照副本", "法定代表人身份证明", "经营场所使用证明"),
    )


@pytest.fixture(autouse=True)
def no_leaks():
    """Every test must stop the threads and child processes it starts."""
    before = {t.ident for t in threading.enumerate()}
    yield
    deadline = time.monotonic() + 2.0
    while True:
        extra = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
        children = multiprocessing.active_children()
        if not extra and not children:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"leaked threads {[t.name for t in extra]} / children {children}")
        time.sleep(0.02)
