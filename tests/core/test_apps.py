"""`yimen hall --apps`: which screen apps start, with what command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.apps import command_for, resolve
from queue_server.config import load_config


def test_the_demo_starts_one_of_each_screen_and_the_announcer(county_config_path: Path):
    cfg = load_config(county_config_path)
    assert resolve(cfg, "demo") == ["kiosk-01", "board-01", "display-01", "clerk-01", "manager-01",
                                    "rating-01", "led-05", "announcer-01"]
    assert "printer-01" not in resolve(cfg, "all") and "clerk-15" in resolve(cfg, "all")


def test_an_unknown_or_non_screen_device_is_named(county_config_path: Path):
    cfg = load_config(county_config_path)
    with pytest.raises(ValueError, match="printer-01, kiosk-99"):
        resolve(cfg, "kiosk-01,printer-01,kiosk-99")


def test_each_app_gets_the_hall_config_its_identity_and_the_data_dir(county_config_path: Path, tmp_path: Path):
    cfg = load_config(county_config_path)
    cmd = command_for(cfg, "clerk-03", county_config_path, tmp_path)
    assert cmd[1:] == ["-m", "kiosk.clerk", "--config", str(county_config_path), "--device", "clerk-03",
                       "--data", str(tmp_path)]
    assert command_for(cfg, "kiosk-01", county_config_path, tmp_path)[-3:] == ["--windowed", "--size", "540x960"]
