"""The words of the directive an answer quotes: the sentence that holds the fact it
gives, not the whole clause, with the clause itself one choice away.

A clause runs to several sentences (Mục 1.c is 450 characters for one date), and a
phone shows the first lines: the answer says the fact in one line, quotes the
sentence that states it, verbatim, and offers «Xem nguyên văn» for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.application.messages import Button
from bot.domain.knowledge import Duty

# Sentences end with a full stop (not inside a number: "1.000") or a line break; a
# sentence longer than this is cut further at its semicolons.
_SENTENCES = re.compile(r"(?<=[.!?…])\s+(?=\S)|\s*\n+\s*")
LONG_SENTENCE = 200
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def pieces(text: str) -> list[str]:
    """The text's sentences, a long one split at its semicolons: verbatim, in order."""
    found: list[str] = []
    for sentence in filter(None, (s.strip(" -•") for s in _SENTENCES.split(text))):
        if len(sentence) <= LONG_SENTENCE or ";" not in sentence:
            found.append(sentence)
            continue
        found += [p.strip() for p in sentence.split(";") if p.strip()]
    return found


def excerpt(text: str, holds: Callable[[str], bool]) -> str:
    """The first piece of `text` that `holds` the fact ("" when none does)."""
    return next((p for p in pieces(text) if holds(p)), "")


def dated_quote(duty: Duty) -> str:
    """The piece of the duty's text that states its date or recurrence; the first
    sentence when it has neither (or the text says it in other words)."""
    due = duty.timing.due

    def states_date(piece: str) -> bool:
        if due is not None:
            return any(
                (int(d), int(m), int(y)) == (due.day, due.month, due.year)
                for d, m, y in _DATE.findall(piece)
            )
        return bool(duty.timing.text) and duty.timing.text in piece

    return excerpt(duty.text, states_date) or first_piece(duty.text)


def first_piece(text: str) -> str:
    found = pieces(text)
    return found[0] if found else text


def best_piece(text: str, words: set[str], tokens: Callable[[str], Sequence[str]]) -> str:
    """The piece sharing the most of `words` (the question's content words, folded as
    `tokens` folds the text); the first on a tie."""
    found = pieces(text) or [text]
    return max(found, key=lambda p: len(words & set(tokens(p))))


def whole_clause(labels: Sequence[str]) -> tuple[Button, ...]:
    """«Xem nguyên văn Mục 1.c»: the clauses whose quote was cut, asked by name (the
    Q&A answers «Mục 1.c» with the clause in full); the closing part has no number to
    ask it by."""
    named = [label for label in dict.fromkeys(labels) if label.startswith("Mục ")]
    return tuple(Button(f"Xem nguyên văn {label}", label) for label in named[:3])
