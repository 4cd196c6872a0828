"""Migration 0018 on a database with reports: the done reports on a recurring duty saved
before it get, when the assistant starts, the period the rule of their day gave them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import Engine, select, text

from bot.app import Assistant, build_assistant
from bot.application.knowledge.pack import load_knowledge
from bot.application.knowledge.seed import seed_knowledge
from bot.domain.calendar import TIMEZONE
from bot.storage.db import (
    downgrade,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade,
)
from bot.storage.models import ProgressReport
from nlu.normalize import fold

ANNUAL = "2.c-1"  # Sở Tài chính's budget proposal, due 15/7 every year


def seeded_at_head(db_url: str, assistant: Assistant) -> Engine:
    """The database migrated to head and seeded, for a test to take back and forth."""
    engine = make_engine(db_url)
    upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        seed_knowledge(session, load_knowledge(assistant.settings.data_dir), fold=fold)
    return engine


def test_the_start_after_0018_fills_the_periods_of_earlier_reports(
    db_url: str, shared_assistant: Assistant
) -> None:
    # Seeded by today's models (at head), then taken back to the revision before 0018:
    # seeding at 0017 itself would read columns later migrations add.
    engine = seeded_at_head(db_url, shared_assistant)
    downgrade(engine, "0017")
    made = [
        # 2026's proposal finished late (December); then 2027's, on time.
        (1, "done", dt.date(2026, 12, 1), "2026-12-01"),
        (2, "in_progress", None, "2027-03-01"),
        (3, "done", dt.date(2027, 7, 1), "2027-07-01"),
        # Before the directive's periods began: settles none.
        (4, "done", dt.date(2019, 1, 2), "2019-05-01"),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, channel, channel_user_id, display_name, role, "
                "agency_id, created_at) VALUES (1, 'zalo', 'z1', 'Chị Lan', 'official', "
                "'stc', :now)"
            ),
            {"now": dt.datetime(2026, 11, 30, tzinfo=dt.UTC)},
        )
        for report_id, status, finished, day in made:
            connection.execute(
                text(
                    "INSERT INTO progress_reports (id, directive_id, duty_id, agency_id, "
                    "user_id, status, percent, blockers, notes, completed_on, created_at) "
                    "VALUES (:id, '06-CT-UBND-2019', :duty, 'stc', 1, :status, 100, '', '', "
                    ":finished, :at)"
                ),
                {
                    "id": report_id,
                    "duty": ANNUAL,
                    "status": status,
                    "finished": finished,
                    "at": dt.datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=TIMEZONE),
                },
            )
    engine.dispose()
    started = build_assistant(replace(shared_assistant.settings, database_url=db_url))
    with session_scope(started.sessions) as session:
        periods = dict(session.execute(select(ProgressReport.id, ProgressReport.period_due)).all())
    assert periods == {
        1: dt.date(2026, 7, 15),  # last year's, late: not 2027's
        2: None,
        3: dt.date(2027, 7, 15),
        4: None,
    }


def test_0020_marks_the_faq_held_as_directive_06s(db_url: str, shared_assistant: Assistant) -> None:
    """The entries a database held before 0020 were written for Directive 06."""
    engine = seeded_at_head(db_url, shared_assistant)
    downgrade(engine, "0019")
    assert upgrade(engine)
    with engine.connect() as connection:
        marked = connection.execute(text("SELECT DISTINCT directive_id FROM faq_entries"))
        assert [row[0] for row in marked] == ["06-CT-UBND-2019"]
    engine.dispose()


def test_0021_allows_monthly_duties_and_its_downgrade_keeps_them_as_continuous(
    db_url: str, shared_assistant: Assistant
) -> None:
    engine = seeded_at_head(db_url, shared_assistant)
    monthly = text(
        "UPDATE duties SET timing_kind = 'recurring', timing_recurrence = 'monthly' "
        "WHERE id = :duty"
    )
    with engine.begin() as connection:
        connection.execute(monthly, {"duty": ANNUAL})
    downgrade(engine, "0020")
    read = text("SELECT timing_kind, timing_recurrence FROM duties WHERE id = :duty")
    with engine.connect() as connection:
        assert connection.execute(read, {"duty": ANNUAL}).one() == ("continuous", None)
    assert upgrade(engine)
    with engine.begin() as connection:  # the check allows it again
        connection.execute(monthly, {"duty": ANNUAL})
        assert connection.execute(read, {"duty": ANNUAL}).one() == ("recurring", "monthly")
    engine.dispose()
