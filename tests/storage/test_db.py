from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.config import MASK, masked_url
from bot.storage.db import (
    MIGRATIONS_DIR,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade,
)
from bot.storage.models import (
    Base,
    Clause,
    Directive,
    Duty,
    FaqEntry,
    OutboxMessage,
    ProgressReport,
    Snooze,
    User,
)


def test_upgrade_creates_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_again_is_a_no_op(engine: Engine) -> None:
    assert upgrade(engine) is False
    assert upgrade(engine) is False
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()


def test_head_revision_agrees_with_alembic() -> None:
    assert head_revision() == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_migration_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_foreign_keys_are_enforced(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), session_scope(session_factory) as session:
        session.add(
            Clause(
                directive_id="missing",
                id="1",
                label="Mục 1",
                title="",
                text="",
                items=[],
                topics=[],
                position=0,
            )
        )


def test_datetimes_come_back_aware_utc(session_factory: sessionmaker[Session]) -> None:
    hanoi = dt.timezone(dt.timedelta(hours=7))
    created = dt.datetime(2024, 1, 2, 9, 30, tzinfo=hanoi)
    with session_scope(session_factory) as session:
        session.add(
            User(channel="console", channel_user_id="u", display_name="A", created_at=created)
        )
    with session_scope(session_factory) as session:
        stored = session.scalars(select(User.created_at)).one()
    assert stored == created
    assert stored.utcoffset() == dt.timedelta(0)
    assert stored.hour == 2


def test_session_scope_rolls_back_on_error(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(RuntimeError), session_scope(session_factory) as session:
        session.add(User(channel="console", channel_user_id="u", display_name="A"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(session_factory) as session:
        assert session.scalars(select(User)).all() == []


def test_sqlite_file_folder_is_created_and_in_memory_works(tmp_path: Path) -> None:
    file_engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'bot.db'}")
    assert upgrade(file_engine) is True
    assert (tmp_path / "a" / "b" / "bot.db").exists()
    file_engine.dispose()

    memory = make_engine("sqlite://")
    assert upgrade(memory) is True
    assert upgrade(memory) is False
    with session_scope(make_session_factory(memory)) as session:
        session.add(User(channel="console", channel_user_id="u", display_name="A"))
    with session_scope(make_session_factory(memory)) as session:
        assert session.scalars(select(User.display_name)).one() == "A"
    memory.dispose()


@pytest.mark.parametrize("url", ["postgresql://u:p@db/bot", "postgres://u:p@db/bot"])
def test_postgres_urls_use_psycopg3(url: str) -> None:
    engine = make_engine(url)
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.url.database == "bot"


def test_db_upgrade_prints_the_url_without_its_password(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The trust-auth test cluster ignores the password; the output must not show it."""
    url = db_url
    if make_url(db_url).get_backend_name() == "postgresql":
        url = make_url(db_url).set(password="s3cr@t-Pw").render_as_string(hide_password=False)
        assert "s3cr%40t-Pw" in url
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    out, err = capsys.readouterr()
    assert out == f"Cơ sở dữ liệu đã sẵn sàng: {masked_url(url)}\n"
    assert "s3cr" not in out + err
    if url != db_url:
        assert (
            make_url(db_url)
            .render_as_string(hide_password=False)
            .replace("postgres@", f"postgres:{MASK}@")
            in out
        )
    else:
        assert url in out  # nothing to hide: the path, as it is


def test_every_migration_runs_on_a_database_in_use(db_url: str) -> None:
    """Each revision applied to a database whose tables hold rows (a batch migration on
    SQLite copies and drops a table: dropping `users` fails once others point at it)."""
    engine = make_engine(db_url)
    try:
        script = ScriptDirectory(str(MIGRATIONS_DIR))
        revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
        upgrade(engine, revisions[0])
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, channel, channel_user_id, display_name, role, "
                    "created_at) VALUES (1, 'zalo', 'z1', 'Chị Lan', 'official', :now)"
                ),
                {"now": dt.datetime(2026, 11, 30, tzinfo=dt.UTC)},
            )
            connection.execute(
                text(
                    "INSERT INTO question_logs (channel, user_id, text, normalized, entities, "
                    "reply, citations, created_at) "
                    "VALUES ('zalo', 1, 'ai ký', 'ai ky', '[]', 'x', '[]', :now)"
                ),
                {"now": dt.datetime(2026, 11, 30, tzinfo=dt.UTC)},
            )
            _a_directive_in_use(connection)
        for revision in revisions[1:]:
            if revision == SCOPED_KEYS:
                with engine.begin() as connection:
                    _nudges_in_flight(connection)
            upgrade(engine, revision)
        with session_scope(make_session_factory(engine)) as session:
            user = session.get_one(User, 1)
            assert (user.person, user.preferred) == (1, False)
            report = session.get_one(ProgressReport, 1)
            assert (report.duty_id, report.agency_id, report.percent) == ("1.c-1", "stc", 40)
            assert session.get_one(Duty, ("06", "1.c-1")).kind == "task"
            assert session.get_one(FaqEntry, "kinh-phi").answer == "Mục 2.c."
            # Sent nudges and snoozes name the duty by its key: the tick after the
            # upgrade finds them and sends nothing twice; a digest row names no duty.
            outbox = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            assert [(o.duty_id, o.status) for o in outbox] == [("06:1.c-1", "sent"), ("", "sent")]
            assert session.get_one(Snooze, (1, "06:1.c-1")).until.year == 2026
            assert session.get_one(Directive, "06").origin == "pack"
    finally:
        engine.dispose()


SCOPED_KEYS = "0016"  # the revision that names duties by key in outbox and snoozes


def _nudges_in_flight(connection: Connection) -> None:
    """A nudge sent about the duty, a weekly digest (no duty) and a snooze, in the
    columns of the revision before duties were keyed by directive."""
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    for duty_id, kind in (("1.c-1", "due"), ("", "digest")):
        connection.execute(
            text(
                "INSERT INTO outbox (user_id, duty_id, due, kind, agency_id, channel, address, "
                "status, attempts, next_attempt_at, payload, created_at) VALUES (1, :duty, "
                ":due, :kind, 'stc', 'zalo', 'z1', 'sent', 0, :now, '{}', :now)"
            ),
            {"duty": duty_id, "due": dt.date(2026, 12, 1), "kind": kind, "now": now},
        )
    connection.execute(
        text(
            "INSERT INTO snoozes (user_id, duty_id, until, created_at) "
            "VALUES (1, '1.c-1', :until, :now)"
        ),
        {"until": dt.datetime(2026, 12, 3, 1, tzinfo=dt.UTC), "now": now},
    )


def _a_directive_in_use(connection: Connection) -> None:
    """A directive, a duty with its agency and a report on it, and an FAQ entry, in
    the first revision's columns: the duties table is rebuilt by a later migration
    while rows point at it."""
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    rows = {
        "directives": {
            "id": "06", "number": "06/CT-UBND", "doc_type": "Chỉ thị", "title": "CNTT",
            "issued": dt.date(2019, 4, 19), "effective": dt.date(2019, 4, 19),
            "issuer": "UBND tỉnh", "place": "Bắc Ninh", "signer_name": "A",
            "signer_title": "B", "signing_capacity": "C", "source_text": "x",
            "cites": "[]", "recipients": "[]", "position": 0, "active": True,
        },
        "agencies": {
            "id": "stc", "name": "Sở Tài chính", "short_name": "STC", "kind": "department",
            "level": "province", "member_levels": "[]", "member_kinds": "[]",
            "position": 0, "active": True,
        },
        "duties": {
            "directive_id": "06", "id": "1.c-1", "clause": "1.c", "title": "Chuyển hệ thống",
            "text": "x", "timing_kind": "deadline", "timing_due": dt.date(2019, 12, 31),
            "timing_recurrence": None, "timing_text": "x", "topics": "[]",
            "effective_due": None, "position": 0, "active": True,
        },
        "duty_agencies": {
            "directive_id": "06", "duty_id": "1.c-1", "role": "addressee", "position": 0,
            "agency_id": "stc",
        },
        "progress_reports": {
            "id": 1, "directive_id": "06", "duty_id": "1.c-1", "agency_id": "stc",
            "user_id": 1, "status": "in_progress", "percent": 40, "blockers": "",
            "notes": "", "evidence_ref": None, "evidence_date": None,
            "evidence_file_id": None, "created_at": now,
        },
        "faq_entries": {
            "id": "kinh-phi", "question": "Kinh phí?", "alternates": "[]",
            "answer": "Mục 2.c.", "clauses": "[]", "position": 0, "updated_at": now,
            "active": True,
        },
    }  # fmt: skip
    for table, row in rows.items():
        columns = ", ".join(row)
        values = ", ".join(f":{column}" for column in row)
        connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def test_a_failed_upgrade_leaves_the_database_as_it_was(db_url: str) -> None:
    """Every migration of one upgrade lands, or none: a failure half-way (here a table
    a later migration creates is already there) leaves the revision and the tables as
    they were, so the next start can try again. SQLite's driver used to commit a
    CREATE TABLE at once: the table stayed, the revision did not move, and every start
    after failed on "table already exists"."""
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0011")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE digest_snapshots (scope VARCHAR)"))
        with pytest.raises(Exception, match="digest_snapshots"):
            upgrade(engine)
        with engine.connect() as connection:
            assert current_revision(connection) == "0011"
        assert "answer_feedback" not in inspect(engine).get_table_names()  # made by 0012
    finally:
        engine.dispose()
