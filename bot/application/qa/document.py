"""Answers about the directive as a document: who signed it and when, a clause named
outright ("Mục 1.e nói gì"), and a document it cites ("Nghị định 43/2011 ...").

None of these searches: the question names what it asks about, or the answer is the
document's header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import contains
from bot.application.qa.views import directive, label
from bot.domain.catalog import Catalog
from nlu.engine import Parse


def metadata(catalog: Catalog, parse: Parse, fact: str = "") -> Answer:
    """Number, date, signer and, when asked who receives it, the recipients; `fact`
    ("signer", "date"): the one fact asked for, alone."""
    wants_recipients = any(t in parse.tokens for t in ("nhan", "gui"))
    data = {"d": directive(catalog), "recipients": wants_recipients, "fact": fact}
    reply = Reply("qa/metadata", data)
    return make(parse, "metadata", reply, ["Phần đầu và phần ký của văn bản"], 1.0 if fact else 0.0)


# Words (folded) of a fact of the directive's header: who signed it, when it was issued.
HEADER_FACTS = {"ky": "signer", "ngay": "date", "ban hanh": "date", "hieu luc": "date"}
# Question words that may go with them ("ai ký", "ngày nào", "khi nào ban hành").
HEADER_QUESTION_WORDS = frozenset({"ai", "nao", "khi", "bao", "gio", "la", "nguoi", "tu", "co"})


def bare_header_fact(parse: Parse, stopwords: frozenset[str]) -> str:
    """ "ai ký", "ngày nào?": a message naming nothing and made only of question words
    and the words of one header fact; with no earlier question to follow, it asks about
    the directive itself. The fact ("signer", "date"), or "" for any other message."""
    if parse.entities or not parse.tokens:
        return ""
    text = " ".join(parse.tokens)
    facts = {fact for words, fact in HEADER_FACTS.items() if contains(parse.tokens, words.split())}
    rest = text
    for words in HEADER_FACTS:
        rest = re.sub(rf"\b{words}\b", " ", rest)
    allowed = HEADER_QUESTION_WORDS | stopwords
    if not facts or not all(t in allowed for t in rest.split()):
        return ""
    # "ngày ký": the signer's line gives the date too.
    return "signer" if "signer" in facts else "date"


def by_clause(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Mục 1.e nói gì": the clause itself."""
    clause_ids = [c for c in parse.values("clause") if c in catalog.clauses]
    if not clause_ids:
        return None
    views: list[dict[str, Any]] = []
    for clause_id in clause_ids[:2]:
        in_directive, clause = catalog.clauses[clause_id]
        children = [c for c in in_directive.clauses if c.parent == clause.id]
        views.append({"clause": clause, "children": children})
    reply = Reply("qa/clause", {"clauses": views})
    return make(parse, "clause", reply, [v["clause"].label for v in views], 1.0)


def by_cited_document(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Nghị định 43/2011 ban hành ngày nào": a document the directive cites,
    named by its number (in full, or its first number after its type)."""
    found = []
    for citing in catalog.kb.directives:
        for cited in citing.cites:
            number = catalog.normalizer.tokens(cited.number)
            doc_type = catalog.normalizer.tokens(cited.doc_type)
            first_number = re.split(r"[/\-]", number[0])[0] if number else ""
            named = " ".join(number) in " ".join(parse.tokens) or (
                contains(parse.tokens, doc_type) and first_number in parse.tokens
            )
            if named:
                found.append((citing, cited))
    if not found:
        return None
    views: list[dict[str, Any]] = [
        {"cited": cited, "clause": label(catalog, cited.clause), "directive": citing}
        for citing, cited in found
    ]
    reply = Reply("qa/cited_document", {"documents": views})
    return make(parse, "cited_document", reply, [v["clause"] for v in views], 1.0)


# Types of Vietnamese legal documents as typed (folded), and how a refusal names them.
DOCUMENT_TYPES = {
    ("chi", "thi"): "Chỉ thị",
    ("quyet", "dinh"): "Quyết định",
    ("qd",): "Quyết định",
    ("nghi", "dinh"): "Nghị định",
    ("nghi", "quyet"): "Nghị quyết",
    ("thong", "tu"): "Thông tư",
    ("cong", "van"): "Công văn",
    ("ke", "hoach"): "Kế hoạch",
    ("thong", "bao"): "Thông báo",
    ("luat",): "Luật",
}


def _first_number(token: str) -> int | None:
    head = re.split(r"[/\-.]", token)[0]
    return int(head) if head.isdigit() else None


def other_document(catalog: Catalog, parse: Parse) -> str | None:
    """ "Chỉ thị 15/CT-UBND nói gì", "chỉ thị 05 là gì": a document named by its type
    and number that is neither a directive of the pack nor one it cites; its name,
    for a refusal that says which document the assistant does not hold."""
    known = _known_documents(catalog)
    for name, number, first in documents_named(parse.tokens):
        if (name, first) not in known:
            return f"{name} {number.upper()}"
    return None


# The documents a catalog holds or cites, worked out once per catalog (a catalog is
# replaced, never changed, on reload): with five directives loaded, tokenizing every
# citation on every question made answers a third slower than with one.
_KNOWN: WeakKeyDictionary[Catalog, frozenset[tuple[str, int]]] = WeakKeyDictionary()


def _known_documents(catalog: Catalog) -> frozenset[tuple[str, int]]:
    if catalog not in _KNOWN:
        known: set[tuple[str, int]] = set()
        for held in catalog.kb.directives:
            documents = [(held.doc_type, held.number)]
            documents += [(c.doc_type, c.number) for c in held.cites]
            for doc_type, number in documents:
                type_name, first = _document_key(catalog, doc_type, number)
                if first is not None:
                    known.add((type_name, first))
        _KNOWN[catalog] = frozenset(known)
    return _KNOWN[catalog]


def _document_key(catalog: Catalog, doc_type: str, number: str) -> tuple[str, int | None]:
    """("chi thi", 6) for Chỉ thị 06/CT-UBND: how a named document is matched."""
    first = _first_number(catalog.normalizer.tokens(number)[0])
    return DOCUMENT_TYPES.get(tuple(catalog.normalizer.tokens(doc_type)), ""), first


def retired_directive(catalog: Catalog, parse: Parse) -> Answer | None:
    """A retired directive the question names by type and number ("chỉ thị 42/CT-UBND"):
    said to be retired, with the directives that apply, rather than refused as unknown."""
    retired = {_document_key(catalog, d.doc_type, d.number): d for d in catalog.kb.retired}
    for name, _, first in documents_named(parse.tokens):
        if (name, first) in retired:
            view = {"directive": retired[(name, first)], "held": catalog.held_names}
            return make(parse, "retired", Reply("qa/retired", view))
    return None


def documents_named(tokens: Sequence[str]) -> list[tuple[str, str, int]]:
    """(type, number as typed, its first number) of each document a question names by
    type and number: "chỉ thị 99/CT-UBND", "chỉ thị số 06"."""
    found = []
    for words, name in DOCUMENT_TYPES.items():
        n = len(words)
        for i in range(len(tokens) - n):
            if tuple(tokens[i : i + n]) != words:
                continue
            after = list(tokens[i + n : i + n + 2])
            number = after[1] if after[:1] == ["so"] and len(after) == 2 else after[0]
            first = _first_number(number)
            if first is not None:
                found.append((name, number, first))
    return found
