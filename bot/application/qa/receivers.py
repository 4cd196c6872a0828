"""Who a report or a document goes to: "báo cáo quý nộp cho ai", "sự cố ATTT báo cáo
về đâu". The receiver is not who acts (the duty's lead) but the agency the duty's own
text names after "báo cáo", "gửi", "trình" or "nộp" ("báo cáo UBND tỉnh", "báo cáo
về UBND tỉnh (thông qua Sở TT&TT)", "lập danh sách báo cáo qua Sở TT&TT")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import Matcher, best
from bot.application.qa.quotes import excerpt, whole_clause
from bot.application.qa.views import duty_view
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Duty
from nlu.engine import Parse
from nlu.normalize import fold

# Verbs of sending, folded: what follows them (after a preposition) is the receiver.
SENDING = (("bao", "cao"), ("gui",), ("nop",), ("trinh",))
# "nộp cho ai", "gửi về đâu", "báo cáo lên cơ quan nào", "nộp qua đâu": the words between the verb
# and the question word.
TOWARDS = frozenset({"cho", "ve", "len", "toi", "den", "o", "tai", "lai", "qua"})
# What asks for the receiver after those.
ASKED_RECEIVER: tuple[tuple[str, ...], ...] = (
    ("ai",),
    ("dau",),
    ("don", "vi", "nao"),
    ("co", "quan", "nao"),
    ("so", "nao"),
    ("cap", "nao"),
    ("noi", "nao"),
    ("ben", "nao"),
)
# In the text: "báo cáo (về) <agency>" and what it goes through, "(thông qua <agency>)".
_VERBS = r"(?:bao cao|gui|nop|trinh)"
_PREPOSITION = r"(?:(?:ve|len|toi|den|cho)\s+)?"
_THROUGH = r"(?:thong qua|qua)\s+"


def asks_receiver(parse: Parse) -> bool:
    """Whether the question asks who receives what is sent ("nộp cho ai"), not who
    sends it ("ai nộp báo cáo")."""
    tokens = parse.tokens
    for i in range(len(tokens)):
        for verb in SENDING:
            if tuple(tokens[i : i + len(verb)]) != verb:
                continue
            j = i + len(verb)
            while j < len(tokens) and tokens[j] in TOWARDS:
                j += 1
            if any(tuple(tokens[j : j + len(w)]) == w for w in ASKED_RECEIVER):
                return True
    return False


@cache
def _pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    name = "|".join(re.escape(n) for n in names)
    return re.compile(
        rf"\b{_VERBS}\s+(?:{_THROUGH}|{_PREPOSITION})(?P<to>{name})\b"
        rf"(?:\s*\(?\s*{_THROUGH}(?P<via>{name})\b)?"
    )


def _sends(catalog: Catalog) -> re.Pattern[str]:
    return _pattern(tuple(sorted(catalog.agency_names, key=len, reverse=True)))


def receivers_of(catalog: Catalog, text: str) -> tuple[list[str], list[str]]:
    """The agencies (ids) a duty's text sends something to, and those it goes
    through; "báo cáo qua Sở TT&TT để tổng hợp": Sở TT&TT receives it."""
    names = catalog.agency_names
    to: list[str] = []
    via: list[str] = []
    for found in _sends(catalog).finditer(fold(text)):
        to.append(names[found["to"]])
        if found["via"]:
            via.append(names[found["via"]])
    return list(dict.fromkeys(to)), list(dict.fromkeys(via))


def receiver_answer(catalog: Catalog, parse: Parse, duties: Sequence[Duty]) -> Answer | None:
    """Who receives what the duties send, each with the sentence saying so; None when
    none of them names a receiver."""
    views: list[dict[str, Any]] = []
    found: list[Duty] = []
    for duty in duties:
        to, via = receivers_of(catalog, duty.text)
        if not to:
            continue
        quote = excerpt(duty.text, lambda piece: bool(_sends(catalog).search(fold(piece))))
        views.append(
            duty_view(catalog, duty)
            | {"to": _short(catalog, to), "through": _short(catalog, via), "quote": quote}
        )
        found.append(duty)
    if not views:
        return None
    cut = [v["clause"] for v, d in zip(views, found, strict=True) if v["quote"] != d.text.strip()]
    reply = Reply("qa/receiver", {"duties": views}, whole_clause(cut))
    clauses = [v["clause"] for v in views]
    return make(parse, "responsible", reply, clauses, 1.0, [d.key for d in found])


def _short(catalog: Catalog, ids: Sequence[str]) -> list[str]:
    return [catalog.agencies[a].short_name for a in ids if a in catalog.agencies]


def receiver(matcher: Matcher, parse: Parse) -> Answer | None:
    """ "báo cáo quý nộp cho ai": the receivers of the duties that match the question
    and send something somewhere (a close second too)."""
    catalog = matcher.catalog
    ranked = [(d, s) for d, s in matcher.ranked_duties(parse) if receivers_of(catalog, d.text)[0]]
    # "STTTT phải báo cáo ai": what the named agency itself must send (its quarterly
    # report, Mục 2.b) before what every department sends (incidents, Mục 1.f).
    own = _named_own(catalog, parse)
    ranked = [(d, s) for d, s in ranked if d.id in own] or ranked
    found, score = best(ranked)
    # Only the stopwords ignored: "quý" (a quarter) is also the generic "quy" of "quy
    # định", and it tells the quarterly report from the others.
    found = matcher.as_telling(parse, found, lambda d: d.text, catalog.stopwords)
    answer = receiver_answer(catalog, parse, found) if found else None
    return replace(answer, evidence=score) if answer else None


def _named_own(catalog: Catalog, parse: Parse) -> set[str]:
    """The duties the agencies the question names are given by name."""
    return {
        a.duty.id
        for agency_id in parse.values("agency")
        for a in catalog.assignments(catalog.agencies[agency_id])
        if a.direct and a.role == "lead"
    }
