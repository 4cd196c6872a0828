"""Dialog state in the `dialog_states` table: one open dialog per user.

Every step gets a fresh token; buttons carry it (`<dialog>:<token>:<action>:<arg>`),
so a press on a button from an earlier step, a finished dialog or before a restart
that lost nothing but changed the step is recognized as stale.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.storage.models import DialogState, utcnow

TOKEN_BYTES = 4
_PAYLOAD = re.compile(rf"^([a-z]{{1,3}}):([0-9a-f]{{{TOKEN_BYTES * 2}}}):([a-z]+):(.*)$")


@dataclass(frozen=True)
class Press:
    """A decoded dialog button payload."""

    dialog: str
    token: str
    action: str
    arg: str


def payload(dialog: str, token: str, action: str, arg: str = "") -> str:
    return f"{dialog}:{token}:{action}:{arg}"


def parse_payload(value: str) -> Press | None:
    """The dialog press a payload encodes, or None for any other payload (a question)."""
    match = _PAYLOAD.match(value)
    return Press(*match.groups()) if match else None


def load(session: Session, user_id: int) -> DialogState | None:
    return session.get(DialogState, user_id)


def save(
    session: Session, user_id: int, dialog: str, step: str, data: dict[str, Any]
) -> DialogState:
    """Move the user's dialog to `step` with `data`, under a new token."""
    state = session.get(DialogState, user_id)
    token = secrets.token_hex(TOKEN_BYTES)
    if state is None:
        state = DialogState(user_id=user_id, dialog=dialog, step=step, token=token, data=data)
        session.add(state)
    else:
        state.dialog, state.step, state.token = dialog, step, token
        state.data = dict(data)  # a new object, so the JSON column is seen as changed
        state.updated_at = utcnow()
    session.flush()
    return state


def clear(session: Session, user_id: int) -> bool:
    state = session.get(DialogState, user_id)
    if state is None:
        return False
    session.delete(state)
    session.flush()
    return True
