"""Fixtures for admin tests: an assistant on a fresh SQLite database, and its first admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import Assistant, build_assistant
from bot.application import accounts
from bot.config import Settings
from bot.storage.db import session_scope
from tests.core.test_dialogs import Chat


@pytest.fixture()
def assistant(db_url: str) -> Iterator[Assistant]:
    """The assistant on a fresh database: SQLite, then PostgreSQL."""
    yield build_assistant(Settings.from_env({"DATABASE_URL": db_url}))


@pytest.fixture()
def admin(assistant: Assistant) -> Chat:
    chat = Chat(assistant, "1")
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    return chat
