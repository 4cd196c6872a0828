"""Shared fixtures: a throwaway PostgreSQL 15 cluster and a migrated database per test.

`db_url` is parametrized over SQLite (a file in tmp_path) and PostgreSQL (a fresh
database per test on a cluster started once per session from the server binaries
in $PG_BINDIR, else `pg_config --bindir`, else /usr/lib/postgresql/*/bin). Without
those binaries the PostgreSQL cases fail, unless ALLOW_NO_POSTGRES=1 is set, in which
case they are skipped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import make_engine, make_session_factory, upgrade

ALLOW_NO_POSTGRES = "ALLOW_NO_POSTGRES"


def _postgres_unavailable(reason: str) -> NoReturn:
    if os.environ.get(ALLOW_NO_POSTGRES) == "1":
        pytest.skip(f"PostgreSQL tests skipped ({ALLOW_NO_POSTGRES}=1): {reason}")
    pytest.fail(
        f"PostgreSQL tests cannot run: {reason}. Install the PostgreSQL 15 server "
        f"binaries or set {ALLOW_NO_POSTGRES}=1 to skip them.",
        pytrace=False,
    )


def _postgres_bindir() -> Path | None:
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):  # an explicit choice: no fallback
        candidates.append(Path(os.environ["PG_BINDIR"]))
    else:
        candidates += _discovered_bindirs()
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def _discovered_bindirs() -> list[Path]:
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return candidates


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Cluster:
    """A PostgreSQL cluster in a temp dir; run as `nobody` when we are root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.run_as: dict[str, Any] = {}
        if os.geteuid() == 0:  # initdb refuses to run as root
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            self.run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        self.port = 0

    def _run(self, *args: str) -> None:
        out = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            **self.run_as,
        )
        if out.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}\n{log}"
            )

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "--auth=trust",
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        last_error: Exception | None = None
        for _ in range(3):  # the free port may be taken between probing and binding
            self.port = _free_port()
            options = (
                f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "start",
                )
                return
            except RuntimeError as error:
                last_error = error
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


def _admin_execute(url: str, *statements: str) -> None:
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement.encode())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a database on a throwaway PostgreSQL cluster that lives for the session."""
    bindir = _postgres_bindir()
    if bindir is None:
        _postgres_unavailable(
            "no initdb/pg_ctl found ($PG_BINDIR, pg_config --bindir, /usr/lib/postgresql)"
        )
    cluster = _Cluster(bindir)
    try:
        cluster.start()
        _admin_execute(cluster.url("postgres"), "CREATE DATABASE bot_test")
    except Exception as error:
        cluster.stop()
        _postgres_unavailable(f"the throwaway cluster did not start: {error}")
    try:
        yield cluster.url("bot_test")
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'bot.sqlite3'}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    name = f"t_{uuid.uuid4().hex[:16]}"
    _admin_execute(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh database migrated to head."""
    engine = make_engine(db_url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)
