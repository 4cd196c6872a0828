"""Fixtures for the scheduler: a clock, users. Each test gets the assistant on its own
database (`assistant` in tests/conftest.py), SQLite, then PostgreSQL: claims there
take row locks with SKIP LOCKED, a path of their own."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from bot.app import Assistant
from bot.config import NudgeSettings
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
