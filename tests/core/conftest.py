"""The core's tests run on SQLite only: the backends' differences are for the storage,
scheduler and admin tests (tests/conftest.py gives each test its own database)."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend() -> str:
    return "sqlite"
