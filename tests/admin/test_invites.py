"""/moi in chat: the agency it names, the role words it takes (shared with `bot invite`:
tests/test_cli.py), and the agencies it offers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, InviteCode, User
from tests.core.test_dialogs import Chat

CENTRAL = {"thu_tuong", "chinh_phu", "vpcp", "bo_tttt"}


def listed_agencies(text: str) -> set[str]:
    return set(re.findall(r"^• (\w+) — ", text, flags=re.MULTILINE))


def codes(assistant: Assistant) -> list[tuple[str | None, str]]:
    with session_scope(assistant.sessions) as session:
        return [(c.agency_id, c.role) for c in session.scalars(select(InviteCode))]


def test_the_agency_list_has_only_agencies_one_can_belong_to(admin: Chat) -> None:
    admin.send("/moi")
    listed = listed_agencies(admin.text())
    assert {"snv", "sttt", "ubnd_tinh", "tx_tu_son", "bao_bac_ninh"} <= listed
    assert not listed & (CENTRAL | {"all_departments", "all_districts", "communes"})
    assert "Không có cơ quan" not in admin.text()


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("/moi xyz canbo", "Không có cơ quan «xyz». Mã cơ quan là mã trong danh sách"),
        ("/moi thu_tuong lanhdao", "Không mời vào «Thủ tướng Chính phủ» được"),
        ("/moi all_departments", "Không mời vào «Các sở, ban, ngành"),
    ],
)
def test_an_agency_nobody_can_belong_to_is_named_with_the_list(
    assistant: Assistant, admin: Chat, typed: str, said: str
) -> None:
    admin.send(typed)
    assert admin.text().startswith(said), admin.text()
    assert "snv" in listed_agencies(admin.text())
    assert codes(assistant) == []


def test_role_words_with_diacritics_and_an_admin_without_an_agency(
    assistant: Assistant, admin: Chat
) -> None:
    admin.send("/moi snv lãnh đạo")
    assert "Dành cho: lãnh đạo — Sở Nội vụ" in admin.text()
    admin.send("/moi quantri")
    assert "Dành cho: quản trị viên;" in admin.text()
    admin.send("/moi canbo")  # an official must have an agency
    assert "phải gắn với một cơ quan" in admin.text()
    admin.send("/moi snv sep")
    assert "Vai trò không hợp lệ" in admin.text()
    assert sorted(codes(assistant), key=str) == sorted(
        [("snv", "manager"), (None, "admin")], key=str
    )


def test_who_made_whom_what_is_in_the_audit_log(admin: Chat, assistant: Assistant) -> None:
    """The code is a credential until used: only its first two characters are kept."""
    admin.send("/moi snv lanhdao")
    code = admin.text().split("Mã mời: ")[1].split()[0]
    newcomer = Chat(assistant, "2")
    newcomer.send(f"/start {code}")
    with session_scope(assistant.sessions) as session:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.action.startswith("invite.")).order_by(AuditLog.id)
        ).all()
        admin_id = session.scalars(select(User.id).where(User.channel_user_id == "1")).one()
        new_id = session.scalars(select(User.id).where(User.channel_user_id == "2")).one()
    made, used = rows
    assert (made.action, made.user_id, made.entity_id) == (
        "invite.create",
        admin_id,
        code[:2] + "…",
    )
    assert made.after is not None and (made.after["role"], made.after["agency_id"]) == (
        "manager",
        "snv",
    )
    assert (used.action, used.user_id) == ("invite.redeem", new_id)
    assert used.after is not None and used.after["invited_by"] == admin_id
    assert used.after["roles"] == ["manager"] and code not in str(made.after)
