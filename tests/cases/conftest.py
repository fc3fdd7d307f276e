from __future__ import annotations

import pytest

from .desk import CaseDesk


@pytest.fixture
def desk() -> CaseDesk:
    return CaseDesk()
