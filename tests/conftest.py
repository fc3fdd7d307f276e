"""Shared fixtures: the repo's sample halls and where shared/ lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "config"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def county_config_path() -> Path:
    return CONFIG_DIR / "county-hall.toml"


@pytest.fixture(scope="session")
def township_config_path() -> Path:
    return CONFIG_DIR / "township-hall.toml"
