"""Indexes over the knowledge base: passages, duties, figures, FAQ, names.

Built once from a KnowledgeBase (and rebuilt when admins change content); the Q&A
service only reads it. Everything indexed is normalized with the same Normalizer
the NLU uses, so questions and data meet in one folded space.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, TypeVar

from bot.domain.knowledge import (
    Agency,
    Clause,
    Directive,
    Duty,
    FaqEntry,
    Figure,
    KnowledgeBase,
)
from nlu.normalize import Normalizer, fold
from nlu.retrieval import IndexBuilder, TfidfIndex
from nlu.retrieval import build_index as nlu_build_index

K = TypeVar("K")
Role = Literal["lead", "coordinate", "addressee", "via"]
# Sentences longer than this are split at semicolons into separately quotable parts.
LONG_SENTENCE = 300
_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")


@dataclass(frozen=True)
class Passage:
    """A verbatim sentence or bullet of a clause, the unit topic answers quote."""

    key: int
    directive: Directive
    clause: Clause
    text: str
    duty_ids: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    """How an agency is concerned by a duty."""

    duty: Duty
    role: Role
    direct: bool  # named itself, rather than through a group it belongs to


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def split_outside_brackets(text: str, separator: str) -> list[str]:
    """Split at `separator` except inside parentheses: "(trong đó: a; b)" stays whole."""
    parts, depth, start = [], 0, 0
    i = 0
    while i < len(text):
        char = text[i]
        depth += (char == "(") - (char == ")" and depth > 0)
        if depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            start = i = i + len(separator)
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def clause_pieces(clause: Clause) -> list[str]:
    """A clause cut into quotable pieces: its bullets and the paragraphs outside
    them, split into sentences, and long sentences further at semicolons (the
    results paragraph is one sentence listing a dozen figures)."""
    paragraphs = [p.strip().removeprefix("- ").strip() for p in clause.text.split("\n\n")]
    outside = [p for p in paragraphs if p and not any(p in item for item in clause.items)]
    pieces: list[str] = []
    for block in (*outside, *clause.items):
        for sentence in split_sentences(block):
            if len(sentence) > LONG_SENTENCE:
                pieces.extend(split_outside_brackets(sentence, "; "))
            else:
                pieces.append(sentence)
    return list(dict.fromkeys(pieces))


class Catalog:
    """`build_index` makes the retrieval indexes: `nlu.retrieval.build_index`, or the
    model cache's version of it, which loads an index built before from the same texts."""

    def __init__(
        self,
        kb: KnowledgeBase,
        normalizer: Normalizer,
        stopwords: frozenset[str],
        build_index: IndexBuilder = nlu_build_index,
    ) -> None:
        self.kb = kb
        self.normalizer = normalizer
        self.stopwords = stopwords
        self._build_index = build_index
        self.agencies = {a.id: a for a in kb.agencies}
        self.duties: dict[str, tuple[Directive, Duty]] = {
            d.id: (directive, d) for directive in kb.directives for d in directive.duties
        }
        self.clauses: dict[str, tuple[Directive, Clause]] = {
            c.id: (directive, c) for directive in kb.directives for c in directive.clauses
        }
        self.topics = {t.id: t for directive in kb.directives for t in directive.topics}
        self.figures = {f.id: f for directive in kb.directives for f in directive.figures}
        self.faq = {f.id: f for f in kb.faq}
        self.passages = list(self._passages())
        self._assignments_cache: dict[str, list[Assignment]] = {}
        self.duty_index: TfidfIndex[str] = self.index(
            "duties",
            [(duty_id, self._duty_text(duty)) for duty_id, (_, duty) in self.duties.items()],
        )
        self.passage_index: TfidfIndex[int] = self.index(
            "passages", [(p.key, p.clause.title + ". " + p.text) for p in self.passages]
        )
        self.figure_index: TfidfIndex[str] = self.index(
            "figures",
            [(f.id, " ".join((f.label, *f.keywords, f.quote))) for f in self.figures.values()],
        )
        self.faq_index: TfidfIndex[str] = self.index(
            "faq",
            [(f.id, question) for f in kb.faq for question in (f.question, *f.alternates)],
        )

    def index(
        self,
        name: str,
        documents: Sequence[tuple[K, str]],
        stopwords: frozenset[str] | None = None,
    ) -> TfidfIndex[K]:
        """An index over texts, normalized as the catalog's (stopwords: its own unless
        given)."""
        chosen = self.stopwords if stopwords is None else stopwords
        return self._build_index(name, documents, self.normalizer, chosen)

    def _duty_text(self, duty: Duty) -> str:
        """What a duty is found by: its clause heading, title, verbatim text, timing,
        topics and the names of everyone concerned."""
        clause = self.clauses[duty.clause][1]
        topics = [self.topics[t].name for t in duty.topics if t in self.topics]
        agencies = [
            name
            for agency_id in (*duty.lead, *duty.coordinate, *duty.addressees, *duty.via)
            for name in (self.agencies[agency_id].name, self.agencies[agency_id].short_name)
        ]
        return " ".join((clause.title, duty.title, duty.text, duty.timing.text, *topics, *agencies))

    def _passages(self) -> Iterator[Passage]:
        key = 0
        for directive in self.kb.directives:
            for clause in directive.clauses:
                for piece in clause_pieces(clause):
                    duty_ids = tuple(
                        d.id
                        for d in directive.duties
                        if d.clause == clause.id and (piece in d.text or d.text in piece)
                    )
                    yield Passage(key, directive, clause, piece, duty_ids)
                    key += 1

    # Names the NLU gazetteer recognizes, and the words it counts as in-domain.

    @cached_property
    def agency_names(self) -> dict[str, str]:
        """Agency id by any of its names, folded ("so tt&tt", "snv", "huyen que vo"):
        what admins type where a command needs agencies."""
        names: dict[str, str] = {}
        for agency in self.kb.agencies:
            for surface in (agency.id, agency.name, agency.short_name, *agency.aliases):
                names.setdefault(fold(surface), agency.id)
        return names

    def name_entries(self) -> list[tuple[str, str, str]]:
        entries = []
        for agency in self.kb.agencies:
            for surface in (agency.name, agency.short_name, *agency.aliases):
                entries.append(("agency", agency.id, surface))
        for topic in self.topics.values():
            for surface in (topic.name, *topic.aliases):
                entries.append(("topic", topic.id, surface))
        return entries

    def vocabulary(self) -> list[str]:
        texts: list[str] = []
        for directive in self.kb.directives:
            texts.append(directive.source_text)
            texts.extend(d.title for d in directive.duties)
            texts.extend(" ".join((f.label, *f.keywords)) for f in directive.figures)
            texts.extend(c.title for c in directive.clauses)
        for faq in self.kb.faq:
            texts.extend((faq.question, *faq.alternates, faq.answer))
        return texts

    # Who does what.

    def groups_of(self, agency: Agency) -> list[Agency]:
        return [
            g
            for g in self.kb.agencies
            if g.kind == "group" and agency in self.kb.members(g) and g.id != agency.id
        ]

    def assignments(self, agency: Agency) -> list[Assignment]:
        """Duties concerning an agency (computed once per agency; see _assignments)."""
        cached = self._assignments_cache.get(agency.id)
        if cached is None:
            cached = self._assignments_cache[agency.id] = self._assignments(agency)
        return cached

    def _assignments(self, agency: Agency) -> list[Assignment]:
        """Duties concerning an agency, directly or through its groups, in pack order.

        Through a group, only duties *addressed* to the group count: a group leading
        or coordinating someone else's duty ("phối hợp với các sở, ban, ngành") names
        partners of that duty, not a duty of every member.
        """
        groups = {g.id for g in self.groups_of(agency)}
        found: list[Assignment] = []
        for _, duty in self.duties.values():
            if agency.id in duty.lead:
                found.append(Assignment(duty, "lead", direct=True))
            elif agency.id in duty.coordinate:
                found.append(Assignment(duty, "coordinate", direct=True))
            elif agency.id in duty.addressees:
                found.append(Assignment(duty, "addressee", direct=True))
            elif agency.id in duty.via:
                found.append(Assignment(duty, "via", direct=True))
            elif groups & set(duty.addressees):
                found.append(Assignment(duty, "addressee", direct=False))
        return found

    def is_general(self, duty: Duty) -> bool:
        """A duty every provincial and district body has (Nhiệm vụ chung)."""
        levels = {
            level
            for agency_id in duty.addressees
            for level in self.agencies[agency_id].member_levels
        }
        return {"province", "district"} <= levels

    def faq_entry(self, faq_id: str) -> FaqEntry:
        return self.faq[faq_id]

    def figure(self, figure_id: str) -> Figure:
        return self.figures[figure_id]
