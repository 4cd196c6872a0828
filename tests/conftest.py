"""Shared fixtures: the assistant built once per session, a database per test.

Training the NLU and building the Q&A indexes take seconds, migrating and seeding a
database most of one; a test needs neither done for it alone. So:

- `shared_assistant` (session): the assistant built once (knowledge read from the
  seeded pack, Q&A indexes, NLU); `bot.app.build_qa` is memoized for the session
  (the Q&A it returns is never changed after it is built), so every assistant the
  tests build, restarts and in-process `bot ...` commands included, trains once per
  distinct knowledge.
- `seeded_url` (test): a database migrated to head and seeded from data/, a copy of a
  template made once per backend (a file copy on SQLite, `CREATE DATABASE ...
  TEMPLATE` on PostgreSQL). `assistant` puts a new core, made by `bot.app.build_core`
  around the shared Q&A, on it: dialogs, the reloader and any Q&A an admin's edit
  swaps in belong to that test alone.
- `db_url` (test): an empty database, for the tests of migrations and seeding.

Both per-test databases are parametrized over `backend`: SQLite (a file in tmp_path)
and PostgreSQL (a fresh database per test on a cluster started once per session from
the server binaries in $PG_BINDIR, else `pg_config --bindir`, else
/usr/lib/postgresql/*/bin). A package or module that runs on SQLite only overrides
`backend`. Without those binaries the PostgreSQL cases fail, unless
ALLOW_NO_POSTGRES=1 is set, in which case they are skipped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import bot.app
from bot.app import Assistant, QAService, build_assistant, build_core, prepare_database
from bot.config import Settings
from bot.domain.knowledge import KnowledgeBase
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
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test runs on; a package or module on SQLite only overrides this."""
    param: str = request.param
    return param


def _database_url(server_url: str, database: str) -> str:
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _postgres_database(request: pytest.FixtureRequest, template: str | None) -> Iterator[str]:
    """A new database on the session's cluster: empty, or a copy of `template`."""
    server_url: str = request.getfixturevalue("postgres_url")
    name = f"t_{uuid.uuid4().hex[:16]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    _admin_execute(server_url, f'CREATE DATABASE "{name}"{copy}')
    try:
        yield _database_url(server_url, name)
    finally:
        _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'bot.sqlite3'}"
        return
    yield from _postgres_database(request, template=None)


def _prepare(url: str) -> None:
    """Migrate and seed the database at `url` as the assistant does at start, and close
    every connection (a file copy and CREATE DATABASE ... TEMPLATE both need that)."""
    sessions = prepare_database(Settings.from_env({"DATABASE_URL": url}))
    sessions.kw["bind"].dispose()


def _copy_sqlite(template: Path, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    wal = template.with_name(template.name + "-wal")  # normally gone once all are closed
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head and seeded from data/, made once per session."""
    path = tmp_path_factory.mktemp("template") / "seeded.sqlite3"
    _prepare(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """The name of a database on the session's cluster, migrated and seeded once."""
    name = "seeded_template"
    _admin_execute(postgres_url, f'CREATE DATABASE "{name}"')
    _prepare(_database_url(postgres_url, name))
    return name


@pytest.fixture
def seeded_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated to head and seeded from data/: a copy of the backend's template."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        yield _copy_sqlite(template, tmp_path / "db" / "bot.sqlite3")
        return
    yield from _postgres_database(request, template=request.getfixturevalue("postgres_template"))


class _MemoizedBuildQa:
    """`bot.app.build_qa` that gives back the Q&A it built before for equal settings
    (the database aside) and equal knowledge; the last few are kept."""

    KEEP = 8

    def __init__(self, build: Callable[[Settings, KnowledgeBase], QAService]) -> None:
        self.build = build
        self.built: OrderedDict[tuple[Settings, KnowledgeBase], QAService] = OrderedDict()
        self.lock = threading.Lock()  # the reloader builds in its own threads

    def __call__(self, settings: Settings, knowledge: KnowledgeBase) -> QAService:
        key = (replace(settings, database_url=""), knowledge)
        with self.lock:
            if key in self.built:
                self.built.move_to_end(key)
                return self.built[key]
        qa = self.build(settings, knowledge)
        with self.lock:
            self.built[key] = qa
            while len(self.built) > self.KEEP:
                self.built.popitem(last=False)
        return qa


@pytest.fixture(scope="session", autouse=True)
def nlu_trained_once_per_knowledge() -> Iterator[None]:
    """Training the NLU and building the Q&A indexes take seconds, and the Q&A is not
    changed once built: for the session, `bot.app.build_qa` reuses the one it built for
    the same knowledge. The reloader still rebuilds after an admin's edit (the knowledge
    differs), and a restart still builds everything through `bot.app`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.app, "build_qa", _MemoizedBuildQa(bot.app.build_qa))
        yield


@pytest.fixture(scope="session")
def shared_assistant(
    nlu_trained_once_per_knowledge: None,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Assistant:
    """The assistant (knowledge from the seeded pack, Q&A indexes, NLU), built once per
    session. Tests use `assistant`, which puts it on a database of their own."""
    url = _copy_sqlite(sqlite_template, tmp_path_factory.mktemp("shared") / "assistant.sqlite3")
    return build_assistant(Settings.from_env({"DATABASE_URL": url}))


@pytest.fixture
def assistant(shared_assistant: Assistant, seeded_url: str) -> Iterator[Assistant]:
    """The shared assistant on this test's own seeded database, with a new core (made by
    `bot.app.build_core` around the shared Q&A): the test's dialogs, reloader and any
    Q&A its admin edits swap in go away with it."""
    settings = replace(shared_assistant.settings, database_url=seeded_url)
    engine = make_engine(seeded_url)
    core = build_core(settings, shared_assistant.knowledge)
    assert core.qa is shared_assistant.core.qa, "the Q&A was built again"
    try:
        yield replace(
            shared_assistant, settings=settings, sessions=make_session_factory(engine), core=core
        )
    finally:
        core.wait_for_reload()  # an edit may still be rebuilding the Q&A in a thread
        engine.dispose()


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
