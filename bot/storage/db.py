"""Engine, session scope and migrations.

The session's lifecycle belongs to the edge (handler, job, CLI command)::

    factory = make_session_factory(make_engine(settings.database_url))
    with session_scope(factory) as session:
        ...  # repositories add and query; session_scope commits or rolls back
"""

from __future__ import annotations

import fcntl
import logging
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default
# The PostgreSQL advisory lock taken while a process migrates and seeds: any constant
# of our own (advisory locks are per database, so other databases do not share it).
PREPARE_LOCK_KEY = 0x06_2019_CB


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for a SQLite or PostgreSQL URL.

    SQLite: creates the database file's folder and turns foreign keys on for every
    connection; an in-memory database is shared by all sessions of the engine.
    PostgreSQL: `postgresql://` and `postgres://` use the psycopg 3 driver.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        driver = parsed.drivername.partition("+")[2] or "psycopg"
        parsed = parsed.set(drivername=f"postgresql+{driver}")
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    if backend != "sqlite":
        raise ValueError(f"unsupported database URL {parsed.render_as_string()!r}")

    database = parsed.database or ""
    if _in_memory(database):
        kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    elif not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    return engine


def _in_memory(database: str) -> bool:
    return database in ("", ":memory:") or "mode=memory" in database


def sqlite_lock_file(database: str, suffix: str) -> Path | None:
    """The file next to a SQLite database that processes lock (`<file><suffix>`), or
    None for an in-memory database (one process has it)."""
    if _in_memory(database):
        return None
    return Path(database.removeprefix("file:").partition("?")[0] + suffix)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging with NORMAL sync: a commit no longer waits for an fsync
    # (~3 ms each), readers do not block the writer, and a crash can lose at most
    # the last transactions, never corrupt the file. (No effect on :memory:.)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def dialect_insert(session: Session, table: Any) -> PostgresInsert | SqliteInsert:
    """INSERT in the session's dialect, which takes ON CONFLICT clauses. The dialect's
    module is imported on use: sqlalchemy.dialects.postgresql alone takes ~40 ms to
    import, which a `bot ask` on SQLite should not pay."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise RuntimeError(f"unsupported database {name}")  # make_engine builds only these two


@contextmanager
def session_scope(factory: Callable[[], Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_REVISION = re.compile(r"""^(down_)?revision\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|None)""", re.M)


def head_revision() -> str:
    """The newest migration revision shipped with the package.

    Read from the revision files with a regex rather than Alembic's ScriptDirectory:
    importing Alembic costs ~100 ms, which a start against an up-to-date database
    should not pay. Falls back to Alembic when the files are not a simple chain; a
    test checks both agree.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (parents if down else revisions).add(value)
    heads = revisions - parents
    if len(heads) == 1:
        return heads.pop()
    # Something the regex does not understand (a merge revision ...): ask Alembic.
    from alembic.script import ScriptDirectory

    alembic_heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    if len(alembic_heads) != 1:
        raise RuntimeError(f"expected one migration head, found {alembic_heads}")
    return str(alembic_heads[0])


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None when it was never migrated)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    found = list(versions)
    return str(found[0]) if len(found) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Migrate the database to `revision`; returns False when it was already at head.

    The Alembic config is built here (no alembic.ini) and the connection is handed
    to env.py through `config.attributes`, so in-memory and temporary databases work.
    """
    target = head_revision() if revision == "head" else revision
    with engine.connect() as connection:
        at_target = current_revision(connection) == target
        connection.rollback()
    if at_target:
        return False
    _migrate(engine, revision, down=False)
    return True


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to `revision` (tests of migrations with data)."""
    _migrate(engine, revision, down=True)


def _migrate(engine: Engine, revision: str, *, down: bool) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        with _sqlite_migration(connection), connection.begin():
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN")
            (command.downgrade if down else command.upgrade)(config, revision)
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows pointing at none: {broken[:5]}")


@contextmanager
def _sqlite_migration(connection: Connection) -> Iterator[None]:
    """On SQLite, the migrations of one upgrade run as one transaction with foreign
    keys off (elsewhere: nothing to do).

    Python's sqlite3 opens a transaction only before a data change, so a failed
    migration that began with CREATE TABLE left that table behind at the old revision
    and every later start failed on "table already exists": here the driver's own
    transaction handling is off and the caller's BEGIN covers everything. Batch mode
    rebuilds a table (copy, DROP, rename), and the DROP of a table other rows point at
    fails while foreign keys are enforced: SQLite's documented procedure for changing
    a table turns them off (outside a transaction: the pragma does nothing inside
    one) and runs `foreign_key_check` before the commit, as the caller does.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    connection.rollback()
    mode, driver.isolation_level = driver.isolation_level, None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.isolation_level = mode
        driver.execute("PRAGMA foreign_keys=ON")


@contextmanager
def preparation_lock(engine: Engine) -> Iterator[None]:
    """Held by the one process that migrates and seeds the database at a time.

    Several processes starting at once on a new database (a bot, a CLI command, the
    service manager restarting both) would otherwise all see no tables and all create
    them, or all insert the same seed rows, and all but one crash. PostgreSQL: an
    advisory lock on a connection of its own (released by the server if the process
    dies). SQLite: an exclusive `flock` on `<database file>.lock` next to the file (the
    kernel releases it with the process); an in-memory database has one process.
    """
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine):
            yield
        return
    path = sqlite_lock_file(engine.url.database or "", ".lock")
    if path is None:
        yield
        return
    with _file_lock(path):
        yield


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    key = {"key": PREPARE_LOCK_KEY}
    # Autocommit: the lock is the session's, and no transaction stays open while waiting.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), key):
            log.info("waiting for another process to prepare the database")
            connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another process to prepare the database")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
