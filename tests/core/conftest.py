from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.config import Settings


@pytest.fixture(scope="package")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The real assistant (pack, NLU, templates) on a fresh SQLite file."""
    database = Path(tmp_path_factory.mktemp("core")) / "assistant.db"
    yield build_assistant(Settings.from_env({"DATABASE_URL": f"sqlite:///{database}"}))
