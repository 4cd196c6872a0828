"""Fixtures for admin tests: the first admin, on the test's own database (SQLite, then
PostgreSQL: `assistant` in tests/conftest.py)."""

from __future__ import annotations

import pytest

from bot.app import Assistant
from bot.application import accounts
from bot.storage.db import session_scope
from tests.core.test_dialogs import Chat


@pytest.fixture()
def admin(assistant: Assistant) -> Chat:
    chat = Chat(assistant, "1")
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    return chat
