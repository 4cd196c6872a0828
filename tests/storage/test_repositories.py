from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.application.knowledge.seed import seed_knowledge
from bot.storage.db import session_scope
from bot.storage.models import AppendOnlyError, ProgressReport, QuestionLog, User
from bot.storage.repositories import ProgressRepo, QuestionLogRepo, UserRepo
from tests.storage.sample import DIRECTIVE_ID, sample_kb

VIETNAMESE = "Sở TT&TT phải hoàn thành ký số văn bản trước ngày 31/5/2019 không? 🤔👍🏽"


@pytest.fixture
def seeded(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with session_scope(session_factory) as session:
        seed_knowledge(session, sample_kb())
    return session_factory


def test_question_log_keeps_vietnamese_emoji_and_long_text(
    session_factory: sessionmaker[Session],
) -> None:
    long_reply = ("Đường dây nóng 📞 " * 600)[:10_000]
    with session_scope(session_factory) as session:
        user = UserRepo(session).get_or_create("telegram", "42", "Nguyễn Thị Hà")
        QuestionLogRepo(session).add(
            channel="telegram",
            user_id=user.id,
            text=VIETNAMESE,
            normalized="so tt&tt phai hoan thanh ky so van ban truoc ngay 31/5/2019 khong?",
            intent="ask_deadline",
            confidence=0.87,
            entities=[{"entity": "agency", "value": "stttt", "start": 0, "end": 8}],
            answer_kind="duty_deadline",
            reply=long_reply,
            citations=["Mục 1.e"],
        )
        QuestionLogRepo(session).add(channel="console", text="?", normalized="?", reply="")
    with session_scope(session_factory) as session:
        logs = session.scalars(select(QuestionLog).order_by(QuestionLog.id)).all()
        assert len(logs) == 2
        first = logs[0]
        assert first.text == VIETNAMESE
        assert len(first.reply) == 10_000 and first.reply == long_reply
        assert first.entities == [{"entity": "agency", "value": "stttt", "start": 0, "end": 8}]
        assert first.citations == ["Mục 1.e"]
        assert first.confidence == pytest.approx(0.87)
        assert first.created_at.tzinfo is not None
        assert logs[1].user_id is None and logs[1].entities == []


def test_user_get_or_create_returns_the_same_user(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        created = UserRepo(session).get_or_create("telegram", "42", "Hà")
        assert created.role == "official" and created.agency_id is None
    with session_scope(session_factory) as session:
        again = UserRepo(session).get_or_create("telegram", "42", "Tên khác")
        other_channel = UserRepo(session).get_or_create("console", "42", "Hà")
        assert again.id == created.id and again.display_name == "Hà"
        assert other_channel.id != created.id
        assert session.scalar(select(func.count()).select_from(User)) == 2


def test_an_account_without_a_name_is_named_by_itself(
    session_factory: sessionmaker[Session],
) -> None:
    """Histories, lists and page headers show a person by name, never an empty one."""
    with session_scope(session_factory) as session:
        assert UserRepo(session).get_or_create("console", "local", "  ").display_name == (
            "Tài khoản dòng lệnh local"
        )


def test_channel_user_id_is_unique_per_channel(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), session_scope(session_factory) as session:
        session.add(User(channel="telegram", channel_user_id="42", display_name="A"))
        session.add(User(channel="telegram", channel_user_id="42", display_name="B"))
        session.flush()


def report(
    user_id: int, duty_id: str, status: str, percent: int, minutes: int, agency_id: str = "stttt"
) -> ProgressReport:
    start = dt.datetime(2019, 5, 1, 8, 0, tzinfo=dt.UTC)
    return ProgressReport(
        directive_id=DIRECTIVE_ID,
        duty_id=duty_id,
        agency_id=agency_id,
        user_id=user_id,
        status=status,
        percent=percent,
        created_at=start + dt.timedelta(minutes=minutes),
    )


def test_progress_reports_are_append_only_and_latest_is_per_duty(
    seeded: sessionmaker[Session],
) -> None:
    with session_scope(seeded) as session:
        user = UserRepo(session).get_or_create("telegram", "42", "Hà")
        repo = ProgressRepo(session)
        repo.add(report(user.id, "1.e-1", "in_progress", 30, minutes=0))
        repo.add(report(user.id, "1.e-1", "done", 100, minutes=60))
        repo.add(report(user.id, "1.e-2", "blocked", 10, minutes=30))
        repo.add(report(user.id, "1.e-2", "in_progress", 50, minutes=90))
        repo.add(report(user.id, "1.e-1", "blocked", 0, minutes=120, agency_id="cac-so"))
        first_id = repo.latest_by_agency("stttt")[0].id

    with session_scope(seeded) as session:
        latest = ProgressRepo(session).latest_by_agency("stttt")
        assert [(r.duty_id, r.status, r.percent) for r in latest] == [
            ("1.e-1", "done", 100),
            ("1.e-2", "in_progress", 50),
        ]
        assert [r.duty_id for r in ProgressRepo(session).latest_by_agency("cac-so")] == ["1.e-1"]
        assert ProgressRepo(session).latest_by_agency("ubnd-huyen") == []
        assert session.scalar(select(func.count()).select_from(ProgressReport)) == 5

    with pytest.raises(AppendOnlyError), session_scope(seeded) as session:
        session.get_one(ProgressReport, first_id).percent = 99
        session.flush()
    with pytest.raises(AppendOnlyError), session_scope(seeded) as session:
        session.delete(session.get_one(ProgressReport, first_id))
        session.flush()


def test_latest_breaks_created_at_ties_by_insertion_order(seeded: sessionmaker[Session]) -> None:
    with session_scope(seeded) as session:
        user = UserRepo(session).get_or_create("console", "me", "Tôi")
        repo = ProgressRepo(session)
        repo.add(report(user.id, "1.e-1", "in_progress", 40, minutes=0))
        repo.add(report(user.id, "1.e-1", "in_progress", 45, minutes=0))
        assert [r.percent for r in repo.latest_by_agency("stttt")] == [45]


def test_progress_report_checks_percent_and_status(seeded: sessionmaker[Session]) -> None:
    with session_scope(seeded) as session:
        user_id = UserRepo(session).get_or_create("console", "me", "Tôi").id
    for bad in (report(user_id, "1.e-1", "done", 101, 0), report(user_id, "1.e-1", "late", 5, 0)):
        with pytest.raises(IntegrityError), session_scope(seeded) as session:
            ProgressRepo(session).add(bad)
