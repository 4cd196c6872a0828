"""One person, several chat accounts (SQLite and PostgreSQL): an official links Zalo and
Telegram with /lienket; roles are the person's; nudges go once, to the account they
prefer (Zalo first), and a change of account never sends a nudge twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.app import PUSH_CHANNELS, Assistant
from bot.application import accounts
from bot.application.messages import IncomingMessage
from bot.application.scheduler.tick import Ticker
from bot.config import NudgeSettings
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, DialogState, Duty, OutboxMessage, User
from tests.scheduler.conftest import at

DIRECTIVE = "06-CT-UBND-2019"


class Account:
    """One chat account talking to the core, as its channel would."""

    def __init__(self, assistant: Assistant, channel: str, chat: str) -> None:
        self.assistant, self.channel, self.chat = assistant, channel, chat

    def say(self, text: str) -> str:
        message = IncomingMessage(self.channel, self.chat, text, "Chị Lan")
        with session_scope(self.assistant.sessions) as session:
            response = self.assistant.core.handle(session, message)
        return "\n".join(self.assistant.renderer.render(r) for r in response.replies)

    def user(self) -> User:
        with session_scope(self.assistant.sessions) as session:
            user = session.scalars(
                select(User).where(User.channel == self.channel, User.channel_user_id == self.chat)
            ).one()
            session.expunge(user)
            return user


def invite(assistant: Assistant, agency: str | None, role: str) -> str:
    with session_scope(assistant.sessions) as session:
        return accounts.create_invite(session, agency, role).code


def nudges(assistant: Assistant) -> list[tuple[int, str, str, str]]:
    with session_scope(assistant.sessions) as session:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.not_like("digest%"))
            .order_by(OutboxMessage.id)
        )
        return [(r.user_id, r.channel, r.address, r.kind) for r in rows]


def tick(assistant: Assistant, now: dt.datetime) -> None:
    ticker = Ticker(
        assistant.core.qa.catalog, assistant.settings.templates_dir, NudgeSettings(), PUSH_CHANNELS
    )
    with session_scope(assistant.sessions) as session:
        ticker.tick(session, now)


def test_one_person_on_zalo_and_telegram(assistant: Assistant) -> None:
    zalo, telegram = Account(assistant, "zalo", "z-lan"), Account(assistant, "telegram", "4711")
    assert "Đã liên kết tài khoản" in zalo.say(
        f"/start {invite(assistant, 'h_que_vo', 'official')}"
    )
    telegram.say("xin chào")  # a first contact: an account of its own, not linked

    answer = zalo.say("/lienket")
    code = answer.split("Mã liên kết tài khoản: ")[1].split()[0]
    assert f"/lienket {code}" in answer
    assert "đúng hoặc đã được dùng" in telegram.say("/lienket ABCDEFGH")
    assert "chính tài khoản đang dùng" in zalo.say(f"/lienket {code}")
    joined = telegram.say(f"/lienket {code.lower()}")
    assert "Đã liên kết: Anh/Chị dùng chung Telegram và Zalo" in joined
    assert "vai trò cán bộ của UBND huyện Quế Võ" in joined
    assert "gửi qua Zalo" in joined  # Zalo first
    assert "đúng hoặc đã được dùng" in Account(assistant, "telegram", "99").say(f"/lienket {code}")
    person = zalo.user().id
    assert telegram.user().person == person
    assert (telegram.user().role, telegram.user().agency_id) == ("official", "h_que_vo")

    # A nudge goes once, to the preferred account, keyed by the person.
    with session_scope(assistant.sessions) as session:
        session.get_one(Duty, (DIRECTIVE, "2.f-4")).effective_due = dt.date(2026, 12, 4)
    tick(assistant, at("2026-12-01", "08:00"))
    assert nudges(assistant) == [(person, "zalo", "z-lan", "remind-3")]
    assert "gửi qua Telegram" in telegram.say("/kenh telegram")
    tick(assistant, at("2026-12-01", "08:05"))  # the same nudge: not again, elsewhere
    assert len(nudges(assistant)) == 1
    tick(assistant, at("2026-12-03", "08:00"))
    assert nudges(assistant)[1:] == [(person, "telegram", "4711", "remind-1")]
    assert "Tài khoản của Anh/Chị: Zalo, Telegram" in zalo.say("/kenh")
    assert "chưa có tài khoản «viber»" in zalo.say("/kenh viber")

    # A blocked account: the person's other one gets the next nudge.
    with session_scope(assistant.sessions) as session:
        blocked = session.get_one(User, telegram.user().id)
        blocked.blocked_at = at("2026-12-03", "09:00")
    tick(assistant, at("2026-12-04", "08:00"))
    assert nudges(assistant)[-1] == (person, "zalo", "z-lan", "due")

    # Roles are the person's: an invite redeemed on one account changes both.
    zalo.say(f"/start {invite(assistant, 'h_que_vo', 'manager')}")
    assert telegram.user().role == "manager"


def test_roles_go_one_way_and_never_by_someone_elses_code(assistant: Assistant) -> None:
    """The account that types a code takes the maker's role, never the other way: an
    admin tricked into typing a stranger's code makes nobody an admin."""
    admin = Account(assistant, "telegram", "1")
    admin.say(f"/start {invite(assistant, None, 'admin')}")
    stranger = Account(assistant, "zalo", "z-stranger")
    code = stranger.say("/lienket").split("Mã liên kết tài khoản: ")[1].split()[0]
    assert "vai trò riêng" in admin.say(f"/lienket {code}")
    assert stranger.user().role == "official" and stranger.user().agency_id is None
    other_zalo = Account(assistant, "zalo", "z-other")
    other_zalo.say("xin chào")
    code = other_zalo.say("/lienket").split("Mã liên kết tài khoản: ")[1].split()[0]
    assert "hai kênh khác nhau" in stranger.say(f"/lienket {code}")
    with session_scope(assistant.sessions) as session:
        joins = session.scalars(select(AuditLog).where(AuditLog.action == "account.join"))
        assert list(joins) == []


def test_joining_moves_queued_nudges_to_the_person(assistant: Assistant) -> None:
    """Two accounts nudged separately before they are joined: after the join the
    person has each nudge once (the joining account's copy is dropped or re-keyed)."""
    zalo, telegram = Account(assistant, "zalo", "z9"), Account(assistant, "telegram", "9")
    zalo.say(f"/start {invite(assistant, 'h_que_vo', 'official')}")
    telegram.say(f"/start {invite(assistant, 'h_que_vo', 'official')}")
    with session_scope(assistant.sessions) as session:
        session.get_one(Duty, (DIRECTIVE, "2.f-4")).effective_due = dt.date(2026, 12, 4)
    tick(assistant, at("2026-12-01", "08:00"))
    assert [n[1:] for n in nudges(assistant)] == [
        ("zalo", "z9", "remind-3"),
        ("telegram", "9", "remind-3"),
    ]
    code = zalo.say("/lienket").split("Mã liên kết tài khoản: ")[1].split()[0]
    assert "Đã liên kết" in telegram.say(f"/lienket {code}")
    with session_scope(assistant.sessions) as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        pending = [(r.user_id, r.channel, r.status) for r in rows]
        [join] = session.scalars(select(AuditLog).where(AuditLog.action == "account.join"))
    person = zalo.user().id
    assert pending == [(person, "zalo", "pending"), (telegram.user().id, "telegram", "failed")]
    assert join.after == {
        "person": person,
        "role": "official",
        "roles": ["official"],
        "agency_id": "h_que_vo",
    }
    tick(assistant, at("2026-12-01", "08:05"))
    assert len(nudges(assistant)) == 2  # nothing new


def test_a_role_change_ends_an_open_report(assistant: Assistant) -> None:
    official = Account(assistant, "zalo", "z5")
    official.say(f"/start {invite(assistant, 'snv', 'official')}")
    assert "Chọn" in official.say("/baocao")
    official.say(f"/start {invite(assistant, 'syt', 'official')}")
    with session_scope(assistant.sessions) as session:
        assert session.get(DialogState, official.user().id) is None


def test_a_link_code_expires_and_cannot_join_a_joined_account(assistant: Assistant) -> None:
    zalo, telegram = Account(assistant, "zalo", "z1"), Account(assistant, "telegram", "1")
    zalo.say("xin chào")
    telegram.say("xin chào")
    with session_scope(assistant.sessions) as session:
        owner = session.scalars(select(User).where(User.channel == "zalo")).one()
        old = accounts.create_link_code(session, owner, now=at("2026-11-01")).code
    assert "hết hạn" in telegram.say(f"/lienket {old}")
    code = zalo.say("/lienket").split("Mã liên kết tài khoản: ")[1].split()[0]
    telegram.say(f"/lienket {code}")
    other = Account(assistant, "zalo", "z2")
    other.say("xin chào")
    code = other.say("/lienket").split("Mã liên kết tài khoản: ")[1].split()[0]
    assert "đã được liên kết với một tài khoản khác" in telegram.say(f"/lienket {code}")
