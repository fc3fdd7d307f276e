"""An app started without a usable credentials file stops with a plain message that
names the file (no traceback, no window)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONFIG, REPO


def start(module: str, device: str | None, creds: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", module, "--config", str(CONFIG), "--credentials", str(creds)]
    if device:
        cmd += ["--device", device]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("module,device", [("kiosk.board", "board-01"), ("kiosk.citizen", None),
                                           ("kiosk.announcer", "announcer-01")])
def test_a_missing_or_damaged_credentials_file_is_named_in_plain_words(module, device, tmp_path) -> None:
    missing = start(module, device, tmp_path / "nowhere" / "credentials.json")
    assert missing.returncode != 0
    assert "credentials file not found" in missing.stderr and str(tmp_path / "nowhere") in missing.stderr
    assert "Traceback" not in missing.stderr

    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"hall": "county", "port": ')
    out = start(module, device, damaged)
    assert out.returncode != 0 and "is damaged" in out.stderr and "Traceback" not in out.stderr


def test_a_credentials_file_without_this_device_says_so(tmp_path) -> None:
    creds = tmp_path / "credentials.json"
    creds.write_text(json.dumps({"hall": "county", "host": "127.0.0.1", "port": 1884,
                                 "identities": {"kiosk-01": "x" * 24}}))
    out = start("kiosk.board", "board-01", creds)
    assert out.returncode != 0 and "no broker identity for board-01" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_kiosk_staff_pin_the_pad_cannot_type_is_refused_in_plain_words(broker_files) -> None:
    out = subprocess.run([sys.executable, "-m", "kiosk.citizen", "--config", str(CONFIG), "--credentials",
                          str(broker_files.credentials), "--staff-pin", "12ab", "--windowed"],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "the staff PIN must be 4–12 digits" in out.stderr
    assert "Traceback" not in out.stderr
