"""What the assistant says to a message that answers no step and no choice: why it
was not taken, and what would be. A dialog shows it before asking its step again.

A number that picks no choice, or a word that is none, is a wrong answer, never a
question for the Q&A (whose refusal would talk about the directive instead).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.application.commands import small_int
from bot.application.messages import Button, Reply


def choose(text: str, count: int, in_dialog: bool = True, offered: Sequence[Button] = ()) -> Reply:
    """At a step (or after a message) whose `count` choices are numbered: pick one of
    them. `offered`: the choices again, for a message outside a dialog, where no step
    is asked again to show them."""
    view = {"number": small_int(text), "last": count, "in_dialog": in_dialog}
    return Reply("chat/choose_number", view, tuple(offered))


def not_taken(text: str) -> Reply:
    """At a step that takes a text: "có", "ok" (an answer to a choice, not the content),
    or a question the Q&A could not answer (the step reads a text ending with «?» as
    a question, so content that is one must be sent without it)."""
    if text.rstrip().endswith("?"):
        return Reply("dialog/question_unanswered")
    return Reply("dialog/not_content", {"text": text.strip()[:40]})
