"""The portal's kept digests (`portal.digests.CachedDigests`), on SQLite and
PostgreSQL: reused while nothing changed, built afresh after anything a digest rests
on changed (a report, a deadline, the calendar, the day), and never kept for a
digest compared with a user's snapshot."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from bot.application import calendar
from bot.application.admin import content
from bot.application.digest.builder import DigestBuilder
from bot.application.digest.model import Digest
from bot.application.portal.digests import TTL, CachedDigests
from bot.application.scheduler.world import latest_reports
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, ProgressReport
from tests.web.conftest import DIRECTIVE, World


def test_a_digest_is_kept_until_what_it_rests_on_changes(world: World) -> None:
    services = world.assistant.core.services
    builder = CachedDigests(services.catalog, services.templates_dir, services.nudge_settings)
    agencies, now = builder.all_agencies(), world.clock.now

    def build(at: dt.datetime = now, user_id: int | None = None) -> Digest:
        with session_scope(world.assistant.sessions) as session:
            return builder.build(session, at, agencies, "toàn tỉnh", user_id)

    first = build()
    assert build() is first and build(now + TTL / 2) is first
    assert build(now + TTL) is not first  # kept at most TTL

    kept = build(now + TTL)
    with session_scope(world.assistant.sessions) as session:  # a new report
        session.add(
            ProgressReport(
                directive_id=DIRECTIVE,
                duty_id="2.f-4",
                agency_id="h_tien_du",
                user_id=world.users["official"],
                status="done",
                percent=100,
                created_at=now,
            )
        )
    fresh = build(now + TTL)
    assert fresh is not kept
    assert fresh.totals != kept.totals

    with session_scope(world.assistant.sessions) as session:  # a deadline (command line)
        content.set_effective_due(session, None, DIRECTIVE, "1.c-1", dt.date(2030, 1, 1))
    after_deadline = build(now + TTL)
    assert after_deadline is not fresh and build(now + TTL) is after_deadline

    with session_scope(world.assistant.sessions) as session:  # the calendar, unaudited
        calendar.set_day(session, dt.date(2030, 1, 2), "dayoff")
    after_calendar = build(now + TTL)
    assert after_calendar is not after_deadline
    with session_scope(world.assistant.sessions) as session:  # the same day, another kind
        calendar.set_day(session, dt.date(2030, 1, 2), "workday")
    assert build(now + TTL) is not after_calendar

    # A digest compared with a user's last one is never kept.
    assert build(user_id=world.users["admin"]) is not build(user_id=world.users["admin"])


def test_the_day_turning_builds_afresh(world: World) -> None:
    services = world.assistant.core.services
    builder = CachedDigests(services.catalog, services.templates_dir, services.nudge_settings)
    # 23:59:30 in Vietnam, then 30 s later: the next day, within TTL.
    late = dt.datetime(2026, 12, 1, 16, 59, 30, tzinfo=dt.UTC)
    with session_scope(world.assistant.sessions) as session:
        before = builder.build(session, late, ["h_tien_du"], "Tiên Du")
        after = builder.build(session, late + dt.timedelta(seconds=30), ["h_tien_du"], "Tiên Du")
    assert after is not before


def test_only_changes_that_matter_build_afresh(world: World) -> None:
    services = world.assistant.core.services
    builder = CachedDigests(services.catalog, services.templates_dir, services.nudge_settings)
    agencies, now = builder.all_agencies(), world.clock.now
    with session_scope(world.assistant.sessions) as session:
        first = builder.build(session, now, agencies, "toàn tỉnh")
    with session_scope(world.assistant.sessions) as session:  # a login, a refused page
        session.add(AuditLog(user_id=world.users["official"], action="web.login", entity_id=""))
        session.add(AuditLog(action="web.refused", entity_id="tong-hop", allowed=False))
    with session_scope(world.assistant.sessions) as session:
        assert builder.build(session, now, agencies, "toàn tỉnh") is first
    with session_scope(world.assistant.sessions) as session:  # a duty's title, audited
        content.edit_duty(session, None, DIRECTIVE, "1.c-1", "title", "Tên mới")
    with session_scope(world.assistant.sessions) as session:
        assert builder.build(session, now, agencies, "toàn tỉnh") is not first


def test_new_reports_read_alone_give_what_reading_all_gives(world: World) -> None:
    """After new reports (done ones displacing done ones, a correction, one dated before
    the latest), the kept reports brought up to date equal every report read again."""
    services = world.assistant.core.services
    builder = CachedDigests(services.catalog, services.templates_dir, services.nudge_settings)
    agencies, now = builder.all_agencies(), world.clock.now
    steps: list[list[dict[str, object]]] = [
        [
            {"duty_id": "2.b-3", "agency_id": "sttt", "status": "done", "completed_on": day(-40)},
            {"duty_id": "2.f-4", "agency_id": "h_tien_du", "status": "in_progress"},
        ],
        [
            {"duty_id": "2.b-3", "agency_id": "sttt", "status": "done", "completed_on": day(-1)},
            {"duty_id": "2.f-4", "agency_id": "h_tien_du", "status": "done"},
        ],
        [{"duty_id": "2.b-3", "agency_id": "sttt", "status": "blocked", "replaces": True}],
        [{"duty_id": "2.f-4", "agency_id": "h_tien_du", "status": "blocked", "age": 30}],
    ]
    for step in steps:
        with session_scope(world.assistant.sessions) as session:
            for fields in step:
                replaces = session.scalar(
                    select(func.max(ProgressReport.id)).where(
                        ProgressReport.duty_id == fields["duty_id"]
                    )
                )
                age = dt.timedelta(days=int(str(fields.get("age", 0))))
                session.add(
                    ProgressReport(
                        directive_id=DIRECTIVE,
                        duty_id=fields["duty_id"],
                        agency_id=fields["agency_id"],
                        user_id=world.users["official"],
                        status=fields["status"],
                        percent=100 if fields["status"] == "done" else 40,
                        completed_on=fields.get("completed_on"),
                        replaces_id=replaces if fields.get("replaces") else None,
                        created_at=now - age,
                    )
                )
                session.flush()
        with session_scope(world.assistant.sessions) as session:
            built = builder.build(session, now, agencies, "toàn tỉnh")
            fresh = latest_reports(session)
        assert builder._world is not None and builder._world[2].reports == fresh
        assert [r.status for r in built.rows] == [
            r.status for r in digest_of(world, agencies, now).rows
        ]


def day(offset: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=offset)


def digest_of(world: World, agencies: list[str], now: dt.datetime) -> Digest:
    services = world.assistant.core.services
    plain = DigestBuilder(services.catalog, services.templates_dir, services.nudge_settings)
    with session_scope(world.assistant.sessions) as session:
        return plain.build(session, now, agencies, "toàn tỉnh")
