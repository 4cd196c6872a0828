"""Fixtures for the scheduler: one core for the package, a fresh database per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.app import Assistant, build_assistant, prepare_database
from bot.config import NudgeSettings, Settings
from bot.domain.calendar import TIMEZONE, WorkingCalendar
from bot.storage.db import session_scope
from bot.storage.models import User


def at(day: str, time: str = "09:00") -> dt.datetime:
    """A moment in Vietnam's time: at("2027-02-19", "08:30")."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TIMEZONE)


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture
def settings() -> NudgeSettings:
    return NudgeSettings()


@pytest.fixture(scope="package")
def base_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    database = Path(tmp_path_factory.mktemp("scheduler")) / "base.db"
    return build_assistant(Settings.from_env({"DATABASE_URL": f"sqlite:///{database}"}))


def assistant_on(base: Assistant, url: str) -> Assistant:
    """The package's core (NLU trained once) on another database, migrated and seeded."""
    settings = replace(base.settings, database_url=url)
    return replace(base, settings=settings, sessions=prepare_database(settings))


@pytest.fixture
def assistant(base_assistant: Assistant, db_url: str) -> Iterator[Assistant]:
    """The assistant on a fresh database: SQLite, then PostgreSQL (claims there take
    row locks with SKIP LOCKED, a path of their own)."""
    yield assistant_on(base_assistant, db_url)


def add_user(
    session: Session,
    channel_user_id: str,
    agency_id: str | None,
    role: str = "official",
    channel: str = "telegram",
    name: str = "",
) -> User:
    user = User(
        channel=channel,
        channel_user_id=channel_user_id,
        display_name=name or f"user {channel_user_id}",
        role=role,
        agency_id=agency_id,
    )
    session.add(user)
    session.flush()
    return user


def add_users(assistant: Assistant, *specs: tuple[str, str | None, str]) -> list[int]:
    """(chat id, agency, role) -> user ids."""
    with session_scope(assistant.sessions) as session:
        return [add_user(session, chat, agency, role).id for chat, agency, role in specs]
