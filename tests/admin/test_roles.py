"""Roles belong to a person, several at once; a manager's scope is one agency, several or
the province; /toi shows them (SQLite, then PostgreSQL). The migration that brings
`roles` and `scope` keeps existing accounts' roles."""

from __future__ import annotations

import datetime as dt

from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from bot.app import Assistant
from bot.application import accounts
from bot.application.portal import access, login
from bot.config import NudgeSettings
from bot.storage.db import MIGRATIONS_DIR, make_engine, make_session_factory, session_scope, upgrade
from bot.storage.models import User
from tests.core.test_dialogs import Chat, invite
from tests.scheduler.test_digest import builder


def user_of(assistant: Assistant, chat: Chat) -> User:
    with session_scope(assistant.sessions) as session:
        query = select(User).where(User.channel == "test", User.channel_user_id == chat.user_id)
        user = session.scalars(query).one()
        session.expunge(user)
        return user


def test_an_admin_who_redeems_an_officials_code_stays_an_admin(
    assistant: Assistant, admin: Chat
) -> None:
    admin.send(f"/start {invite(assistant, 'snv', 'official')}")
    assert "Vai trò hiện có: quản trị viên, cán bộ" in admin.text()
    user = user_of(assistant, admin)
    assert (user.role, sorted(user.roles), user.agency_id) == (
        "admin",
        ["admin", "official"],
        "snv",
    )
    admin.send("/moi")  # still an admin ...
    assert "chỉ dành cho quản trị viên" not in admin.text()
    admin.send("/baocao")  # ... and reports for Sở Nội vụ
    assert "Chọn nhiệm vụ" in admin.text()
    admin.send("/hủy")
    admin.send("/toi")
    me = admin.text()
    assert "hiện là: quản trị viên, cán bộ." in me and "Cơ quan báo cáo: Sở Nội vụ" in me
    assert "Phạm vi theo dõi" not in me
    admin.send("/trogiup")
    assert "/moi" in admin.text() and "/baocao" in admin.text()


def test_a_managers_scope_is_one_agency_several_or_the_province(assistant: Assistant) -> None:
    manager = Chat(assistant, "m")
    manager.send(f"/start {invite(assistant, 'h_que_vo', 'manager')}")
    manager.send("/toi")
    assert "Phạm vi theo dõi (lãnh đạo): Huyện Quế Võ" in manager.text()
    manager.send(f"/start {invite(assistant, 'snv', 'manager')}")
    manager.send("/toi")
    assert "Phạm vi theo dõi (lãnh đạo): Sở Nội vụ, Huyện Quế Võ" in manager.text()
    digest_builder = builder(assistant)
    user = user_of(assistant, manager)
    scope = access.scope_of(digest_builder, login.as_visitor(user))
    assert scope is not None and set(scope.agency_ids) == {"snv", "h_que_vo"}
    assert not scope.covers("sttt")
    manager.send("/tonghop")
    assert "Sở Nội vụ" in manager.text()
    manager.send(f"/start {invite(assistant, 'ubnd_tinh', 'manager')}")
    manager.send("/toi")
    assert "Phạm vi theo dõi (lãnh đạo): toàn tỉnh" in manager.text()
    user = user_of(assistant, manager)
    scope = access.scope_of(digest_builder, login.as_visitor(user))
    assert scope is not None and scope.title == "toàn tỉnh" and scope.covers("sttt")
    assert access.may_download_quarterly(login.as_visitor(user), NudgeSettings())


def test_an_official_sees_their_roles_and_an_unlinked_user_is_told(assistant: Assistant) -> None:
    official, stranger = Chat(assistant, "o"), Chat(assistant, "s")
    official.send(f"/start {invite(assistant, 'snv', 'official')}")
    assert "Vai trò hiện có" not in official.text()  # one role: said once
    official.send("/toi")
    assert "hiện là: cán bộ." in official.text()
    stranger.send("/toi")
    assert "chưa liên kết với cơ quan nào" in stranger.text()
    with session_scope(assistant.sessions) as session:
        assert accounts.menu_roles(session.get_one(User, user_of(assistant, stranger).id)) == set()


def test_an_admin_who_is_also_an_official_is_found_among_officials(
    assistant: Assistant, admin: Chat
) -> None:
    """What an announcement to "cán bộ" (/thongbao canbo) selects."""
    plain = Chat(assistant, "o")
    plain.send(f"/start {invite(assistant, 'snv', 'official')}")
    with session_scope(assistant.sessions) as session:
        assert set(session.scalars(select(User.id).where(accounts.holding("admin")))) == {
            user_of(assistant, admin).id
        }
    admin.send(f"/start {invite(assistant, 'snv', 'official')}")
    with session_scope(assistant.sessions) as session:
        officials = set(session.scalars(select(User.id).where(accounts.holding("official"))))
    assert officials == {user_of(assistant, admin).id, user_of(assistant, plain).id}


def test_the_migration_keeps_every_accounts_role(db_url: str) -> None:
    """Accounts from before 0013 (one role each) hold that role after it; a manager's
    agency becomes their scope."""
    engine = make_engine(db_url)
    try:
        script = ScriptDirectory(str(MIGRATIONS_DIR))
        before = script.get_revision("0013").down_revision
        assert isinstance(before, str)
        upgrade(engine, before)
        now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO agencies (id, name, short_name, kind, level, member_levels, "
                    "member_kinds, position, active) VALUES ('snv', 'Sở Nội vụ', 'SNV', "
                    "'department', 'province', '[]', '[]', 0, true)"
                )
            )
            for user_id, role, agency in (
                (1, "admin", None),
                (2, "manager", "snv"),
                (3, "official", "snv"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO users (id, channel, channel_user_id, display_name, role, "
                        "agency_id, created_at, preferred) "
                        "VALUES (:id, 'zalo', :cid, 'X', :role, :agency, :now, false)"
                    ),
                    {
                        "id": user_id,
                        "cid": f"z{user_id}",
                        "role": role,
                        "agency": agency,
                        "now": now,
                    },
                )
        upgrade(engine)
        with session_scope(make_session_factory(engine)) as session:
            found = {
                u.id: (u.role, u.roles, u.agency_id, u.scope)
                for u in session.query(User).order_by(User.id)
            }
            assert found == {
                1: ("admin", ["admin"], None, []),
                2: ("manager", ["manager"], "snv", ["snv"]),
                3: ("official", ["official"], "snv", []),
            }
            assert accounts.manager_scope(session.get_one(User, 2)) == ("snv",)
    finally:
        engine.dispose()
