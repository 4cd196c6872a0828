"""The roles a person can have, lowest first.

An official reports for their agency; a manager reads the digests of their scope; an
admin curates the content and the accounts.
"""

from __future__ import annotations

from collections.abc import Iterable

from nlu.normalize import fold

ROLES = ("official", "manager", "admin")
OFFICIAL, MANAGER, ADMIN = ROLES
# The words admins type for a role (folded: "cán bộ" -> "canbo"), in chat (/moi,
# /thongbao) and on the command line (`bot invite --role`).
ROLE_WORDS = {"canbo": OFFICIAL, "lanhdao": MANAGER, "quantri": ADMIN}


def highest(roles: Iterable[str]) -> str:
    """The highest of a person's roles (an official without any)."""
    held = set(roles)
    return next((role for role in reversed(ROLES) if role in held), OFFICIAL)


def in_order(roles: Iterable[str]) -> list[str]:
    """A person's roles, highest first, once each."""
    held = set(roles)
    return [role for role in reversed(ROLES) if role in held]


def role_named(word: str) -> str | None:
    """The role `word` names: a Vietnamese role word, with or without diacritics and
    spaces ("cán bộ", "canbo"), or the role's own name ("official"); else None."""
    folded = fold(word).replace(" ", "")
    return ROLE_WORDS.get(folded) or (folded if folded in ROLES else None)


def can_belong_to(kind: str, level: str) -> bool:
    """Whether a person's account can be linked to an agency of this kind and level:
    a body of the province or below, not a group of agencies ("các sở") and not a
    central body the directive only names (Thủ tướng, Văn phòng Chính phủ, a Bộ)."""
    return kind != "group" and level != "central"
