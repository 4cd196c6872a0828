"""Declared commands: one record each, authorized and audited by the router once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.application.commands import Command, CommandTable
from bot.application.messages import Response
from bot.application.router import DECLARED_COMMANDS
from bot.storage.db import session_scope
from bot.storage.models import AuditLog
from tests.core.test_dialogs import Chat, invite


def refusals(assistant: Assistant) -> list[tuple[str, str]]:
    with session_scope(assistant.sessions) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.allowed.is_(False)))
        return [(r.action, r.entity_id) for r in rows]


def nothing(_: object) -> Response:
    return Response(())


def test_a_command_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice: baocao"):
        CommandTable([*DECLARED_COMMANDS, Command("baocao", nothing)])
    with pytest.raises(ValueError, match="unknown roles"):
        CommandTable([Command("x", nothing, roles=frozenset({"boss"}))])


def test_menus_list_only_what_a_role_may_use() -> None:
    table = CommandTable(DECLARED_COMMANDS)
    everyone = {c.name for c in table.menu_for(None)}
    official = {c.name for c in table.menu_for("official")}
    manager = {c.name for c in table.menu_for("manager")}
    admin = {c.name for c in table.menu_for("admin")}
    assert {"start", "trogiup", "baocao", "hanchot"} <= everyone == official
    assert manager - official == {"tonghop", "baocaoquy"}
    assert {"moi", "faq", "xuat"} <= admin - manager
    # Commands that only buttons send are in no menu.
    assert not {"nhaclai", "xong", "hopthu_them", "thongbao_gui"} & admin


def test_an_unknown_command_shows_the_users_own_commands(assistant: Assistant) -> None:
    stranger = Chat(assistant, "50")
    stranger.send("/xyz")
    listed = stranger.text()
    assert "/baocao" in listed and "/moi" not in listed and "/tonghop" not in listed
    manager = Chat(assistant, "51")
    manager.send(f"/start {invite(assistant, 'snv', 'manager')}")
    manager.send("/xyz")
    assert "/tonghop" in manager.text() and "/moi" not in manager.text()


@pytest.mark.parametrize("asked", ["huong dan su dung bot", "bot này dùng thế nào", "trợ giúp"])
def test_asking_for_help_names_the_users_main_commands(assistant: Assistant, asked: str) -> None:
    """The Q&A's help says what questions it answers and, from the declared commands,
    those the user uses most: an official's, a manager's two more, and how to link."""
    everyday = ["/baocao", "/tiendo", "/hanchot", "/nhiemvu", "/nhaclai", "/xong"]
    stranger = Chat(assistant, "70")
    stranger.send(asked)
    said = stranger.text()
    assert all(c in said for c in everyday) and "/start" in said, said
    assert "/tonghop" not in said and "/moi" not in said, said
    official = Chat(assistant, "71")
    official.send(f"/start {invite(assistant)}")
    official.send(asked)
    said = official.text()
    assert all(c in said for c in everyday) and "/start" not in said, said
    assert "/tonghop" not in said and "/baocaoquy" not in said, said
    manager = Chat(assistant, "72")
    manager.send(f"/start {invite(assistant, 'snv', 'manager')}")
    manager.send(asked)
    assert "/tonghop" in manager.text() and "/baocaoquy" in manager.text(), manager.text()
    assert "/moi" not in manager.text()  # the admin's commands are in /trogiup, not here


def test_manager_commands_refused_to_officials_are_audited(assistant: Assistant) -> None:
    official = Chat(assistant, "60")
    official.send(f"/start {invite(assistant)}")
    official.send("/tonghop")
    assert official.last is not None
    assert [r.template for r in official.last.replies] == ["digest/not_allowed"]
    official.send("/baocaoquy")
    assert [r.template for r in official.last.replies] == ["digest/quarterly_not_allowed"]
    assert refusals(assistant) == [("tonghop", ""), ("baocaoquy", "")]


def test_a_handlers_own_refusal_is_audited_too(assistant: Assistant) -> None:
    """A district's manager may read digests, but Sở TT&TT drafts the quarterly report."""
    manager = Chat(assistant, "70")
    manager.send(f"/start {invite(assistant, 'tx_tu_son', 'manager')}")
    manager.send("/baocaoquy")
    assert manager.last is not None
    assert [r.template for r in manager.last.replies] == ["digest/quarterly_not_allowed"]
    assert refusals(assistant) == [("baocaoquy", "")]


def test_group_chats_get_only_the_commands_declared_for_groups(assistant: Assistant) -> None:
    chat = Chat(assistant, "80")
    chat.send("/hanchot", is_private=False)
    assert chat.last is not None and chat.last.answer is not None
    chat.send("/baocao", is_private=False)
    assert [r.template for r in chat.last.replies] == ["chat/private_only"]
    chat.send("/xyz", is_private=False)
    assert [r.template for r in chat.last.replies] == ["chat/private_only"]


def test_a_command_ends_at_any_whitespace() -> None:
    from bot.application.commands import parse_command

    for text in ("/baocao 2.f-4", "/baocao\n2.f-4", "/baocao\u00a02.f-4", "/baocao\t2.f-4"):
        assert parse_command(text) == ("baocao", "2.f-4"), repr(text)
    assert parse_command("/ baocao") is None and parse_command("/") is None
