"""Several processes starting at once on a new database all succeed: real `bot`
processes, on SQLite and PostgreSQL (bench/start_bench.py repeats it many times)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.application.knowledge.pack import load_knowledge
from bot.config import Settings
from bot.storage.db import current_revision, head_revision, make_engine, make_session_factory
from bot.storage.models import Duty, FaqEntry, User
from tests.conftest import _admin_execute, _database_url

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
ROUNDS = 3
WAITING = "waiting for another process to prepare the database"


@pytest.fixture
def new_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A factory of empty databases (each round starts on a new one)."""
    if backend == "sqlite":
        return lambda: f"sqlite:///{tmp_path / uuid.uuid4().hex / 'bot.sqlite3'}"
    server: str = request.getfixturevalue("postgres_url")
    made: list[str] = []

    def create() -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        _admin_execute(server, f'CREATE DATABASE "{name}"')
        made.append(name)
        return _database_url(server, name)

    def drop() -> None:
        for name in made:
            _admin_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    return create


def start_at_once(url: str) -> list[subprocess.CompletedProcess[str]]:
    """`bot admin` for the same console account in PROCESSES processes started together:
    each migrates, seeds and creates the account (the first user) if nobody did yet."""
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "INFO"}
    command = [sys.executable, "-m", "bot", "admin", "--channel", "console", "--user-id", "local"]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for _ in range(PROCESSES)
    ]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(command, process.returncode, stdout, stderr))
    return results


def test_processes_starting_together_on_a_new_database_all_succeed(
    new_database: Callable[[], str],
) -> None:
    knowledge = load_knowledge(Settings.from_env({}).data_dir)
    duties = sum(len(d.duties) for d in knowledge.directives)
    waited = 0
    for _ in range(ROUNDS):
        url = new_database()
        results = start_at_once(url)
        for result in results:
            assert result.returncode == 0, result.stderr
            assert "là quản trị viên" in result.stdout
        waited += sum(WAITING in result.stderr for result in results)
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                assert current_revision(connection) == head_revision()
            with make_session_factory(engine)() as session:
                [user] = session.scalars(select(User)).all()
                assert (user.channel, user.channel_user_id, user.role) == (
                    "console",
                    "local",
                    "admin",
                )
                assert session.scalar(select(func.count()).select_from(Duty)) == duties
                faq = session.scalar(select(func.count()).select_from(FaqEntry))
                assert faq == len(knowledge.faq)
        finally:
            engine.dispose()
    # The processes did overlap (else this test would prove nothing): one at least
    # found another preparing the database and waited for it.
    assert waited > 0
