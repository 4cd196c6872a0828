"""Declared chat commands: one record per command, registered by its feature module.

A `Command` says everything about a command in one place: its name, the Vietnamese
text of its menu entry (empty: a command pressed through buttons only, never listed),
who may use it, whether it works in a group chat, the audit action of a refused
attempt, and the handler. The router (`bot.application.router`) authorizes and
audits once, before any handler runs; a handler that finds a finer reason to say no
(a manager outside the drafting agencies) raises `CommandRefused`, which the router
audits the same way. Menus, help and the unknown-command reply derive from the
records, so each user is shown only the commands they may use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.application.messages import Reply, Response
from bot.domain.roles import ROLES
from bot.storage.models import User

if TYPE_CHECKING:
    from bot.application.services import Services


@dataclass(frozen=True)
class CommandContext:
    """What a handler gets: the database session, the user, the text after the
    command, and the application's services (never the router itself)."""

    session: Session
    user: User
    args: str
    app: Services


Handler = Callable[[CommandContext], Response]
# A person's roles (`accounts.menu_roles`), or one role, or None (not linked).
Held = frozenset[str] | str | None


def _as_set(held: Held) -> frozenset[str]:
    if held is None:
        return frozenset()
    return frozenset({held}) if isinstance(held, str) else held


@dataclass(frozen=True)
class Command:
    name: str  # without the slash, as typed
    handler: Handler
    # Vietnamese, shown in menus and help; "" keeps the command out of them (commands
    # that buttons send, such as /nhaclai or /thongbao_gui).
    description: str = ""
    # The roles that may use it (one of them is enough); None: anyone, linked or not.
    roles: frozenset[str] | None = None
    private_only: bool = True  # False: also answered in group chats
    audit: str = ""  # the audit log's action for a refused attempt (default: the name)
    refusal: str = "account/admin_only"  # the template that explains a refusal
    # Vietnamese, its line in the short list of the commands an official uses most,
    # which the help answer («hướng dẫn sử dụng», «trợ giúp») gives; "" leaves it out.
    brief: str = ""

    def allows(self, held: Held) -> bool:
        """Whether a person holding `held` (`accounts.menu_roles`) may use it."""
        return self.roles is None or bool(self.roles & _as_set(held))

    @property
    def audit_action(self) -> str:
        return self.audit or self.name


class CommandRefused(Exception):
    """A handler's no, for a reason finer than the role (the router audits it)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.template)
        self.reply = reply


def admin(name: str, handler: Handler, description: str = "", audit: str = "") -> Command:
    """An admin-only command."""
    return Command(name, handler, description, frozenset({"admin"}), audit=audit)


class CommandTable:
    """Every declared command, in menu order; names are unique."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self.commands = tuple(commands)
        self.by_name = {c.name: c for c in self.commands}
        if len(self.by_name) != len(self.commands):
            names = [c.name for c in self.commands]
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"commands declared twice: {', '.join(twice)}")
        for command in self.commands:
            if command.roles is not None and not command.roles <= set(ROLES):
                raise ValueError(f"/{command.name}: unknown roles {sorted(command.roles)}")

    def get(self, name: str) -> Command | None:
        return self.by_name.get(name)

    def menu_for(self, held: Held) -> tuple[Command, ...]:
        """The listed commands a user holding `held` may use (None, none: not linked yet)."""
        return tuple(c for c in self.commands if c.description and c.allows(held))

    def brief_for(self, held: Held) -> tuple[Command, ...]:
        """The most used commands (those with a `brief`) a user holding `held` may use."""
        return tuple(c for c in self.commands if c.brief and c.allows(held))


def parse_command(text: str) -> tuple[str, str] | None:
    """ "/baocao@MyBot 2.f-4" -> ("baocao", "2.f-4"); None when `text` is no command."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2 or stripped[1].isspace():
        return None
    # Any whitespace ends the name: phones type a line break or a no-break space too.
    head, *rest = stripped[1:].split(maxsplit=1)
    name = head.split("@", 1)[0].lower()
    valid = name.isascii() and name.replace("_", "").isalnum()
    return (name, rest[0].strip() if rest else "") if valid else None


_SMALL_INT = re.compile(r"#?([0-9]{1,9})")


def small_int(text: str) -> int | None:
    """A typed id or count ("42", "#42"); None for anything else, including digits that
    int() refuses ("²") and numbers too large for a database integer."""
    match = _SMALL_INT.fullmatch(text.strip())
    return int(match.group(1)) if match else None
