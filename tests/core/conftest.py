from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from .halls import ScenarioHall, load


@pytest.fixture
def county(tmp_path: Path, county_config_path: Path) -> Iterator[ScenarioHall]:
    hall = ScenarioHall(load(county_config_path), tmp_path)
    yield hall
    hall.close()


@pytest.fixture
def township(tmp_path: Path, township_config_path: Path) -> Iterator[ScenarioHall]:
    hall = ScenarioHall(load(township_config_path), tmp_path)
    yield hall
    hall.close()
