"""Indexes over the knowledge base: passages, duties, figures, FAQ, names.

Built once from a KnowledgeBase (and rebuilt when admins change content); the Q&A
service only reads it. Everything indexed is normalized with the same Normalizer
the NLU uses, so questions and data meet in one folded space.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise
from typing import Generic, Literal, TypeVar

from bot.domain.knowledge import (
    Agency,
    Clause,
    Directive,
    Duty,
    FaqEntry,
    Figure,
    FormerAgency,
    KnowledgeBase,
    Topic,
    names_directive,
    scoped_key,
)
from nlu.normalize import MAX_CHARS, Normalizer, fold
from nlu.retrieval import IndexBuilder, TfidfIndex
from nlu.retrieval import build_index as nlu_build_index

K = TypeVar("K")
V = TypeVar("V")
Role = Literal["lead", "coordinate", "addressee", "via"]
# Sentences longer than this are split at semicolons into separately quotable parts.
LONG_SENTENCE = 300
_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])")
# A duty's folded text reporting to the province: "báo cáo UBND tỉnh hàng quý" (06,
# Mục 2.b), "báo cáo Chủ tịch UBND tỉnh kết quả" (11, Mục 3), "báo cáo kết quả về UBND
# tỉnh"; not "báo cáo ... về Sở Tài chính" (a comma or another addressee between).
_REPORTS_TO_PROVINCE = re.compile(
    r"\bbao cao\b[^,;.]{0,40}?\b(?:chu tich )?(?:ubnd|uy ban nhan dan) tinh\b"
)


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


class ScopedTable(Mapping[str, tuple[Directive, V]], Generic[V]):
    """Clauses or duties by scoped key ("06-CT-UBND-2019:1.a-1"), in pack order.

    A plain id ("1.a-1") is accepted too when exactly one directive has it: what a user
    types and what was stored before ids were scoped. With two directives holding it
    the plain id is not found, never silently the wrong directive's.
    """

    def __init__(self, items: Iterable[tuple[Directive, str, V]]) -> None:
        self._items: dict[str, tuple[Directive, V]] = {}
        self._plain: dict[str, list[str]] = defaultdict(list)
        for directive, item_id, value in items:
            key = scoped_key(directive.id, item_id)
            self._items[key] = (directive, value)
            self._plain[item_id].append(key)

    def resolve(self, key: str) -> str | None:
        """The scoped key `key` stands for, or None (unknown or ambiguous)."""
        if key in self._items:
            return key
        found = self._plain.get(key, [])
        return found[0] if len(found) == 1 else None

    def ids(self) -> set[str]:
        """Every key and every plain id held: what a cited id (an FAQ's "1.e") is
        checked against."""
        return {*self._items, *self._plain}

    def __getitem__(self, key: str) -> tuple[Directive, V]:
        resolved = self.resolve(key)
        if resolved is None:
            raise KeyError(key)
        return self._items[resolved]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def qualified(directive: Directive, text: str, several: bool, separator: str = " · ") -> str:
    """`text` (a clause label, a duty id) prefixed by its directive ("06/2019 · Mục 1.a")
    when several directives are active: how users see and type it."""
    return f"{directive.short_label}{separator}{text}" if several else text


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
        for sentence in _with_short_tails(split_sentences(block)):
            if len(sentence) > LONG_SENTENCE:
                pieces.extend(_with_short_tails(split_outside_brackets(sentence, "; ")))
            else:
                pieces.append(sentence)
    return list(dict.fromkeys(pieces))


# A piece after a semicolon shorter than this many syllables ("đảm bảo tiết kiệm, phát
# huy hiệu quả") says nothing alone: it stays with the piece before it.
MIN_PIECE_WORDS = 12


def _with_short_tails(pieces: list[str]) -> list[str]:
    merged: list[str] = []
    for piece in pieces:
        if merged and merged[-1].endswith(";") and len(piece.split()) < MIN_PIECE_WORDS:
            merged[-1] = f"{merged[-1].rstrip('; ')}; {piece}"
        else:
            merged.append(piece)
    return merged


def agency_names(agencies: Iterable[Agency]) -> dict[str, str]:
    """Agency id by any of its names, folded: the first agency listed wins a name."""
    names: dict[str, str] = {}
    for agency in agencies:
        for surface in (agency.id, agency.name, agency.short_name, *agency.aliases):
            names.setdefault(fold(surface), agency.id)
    return names


def with_topics(
    directive: Directive, topics: Iterable[Topic], tokens: Callable[[str], list[str]]
) -> Directive:
    """`directive` with those of `topics` (other directives') that it has not under
    their id, on the clauses and duties whose words name them (by name or alias).
    The NLU finds a topic in a question from every directive's names, then one
    directive answers: without them, «chữ ký số» of 06 would be no topic of 15,
    whose Mục 7.b names it, and «Công an tỉnh ... về chuyển đổi số» asked of 06 none
    of its duties though they all may be (`Matcher.about`)."""
    own = {t.id for t in directive.topics}
    borrowed = {t.id: t for t in topics if t.id not in own}
    if not borrowed:
        return directive
    names = {
        t.id: [tuple(tokens(n)) for n in (t.name, *t.aliases) if tokens(n)]
        for t in borrowed.values()
    }

    def named_in(*texts: str) -> tuple[str, ...]:
        words = tokens(" ".join(texts))
        return tuple(t for t, phrases in names.items() if any(_holds(words, p) for p in phrases))

    clauses = tuple(
        replace(c, topics=(*c.topics, *named_in(c.title, c.text, *c.items)))
        for c in directive.clauses
    )
    # A duty with topics of its own is about those only (`Matcher.about`): it gets the
    # borrowed ones its words name; one without is about its clause's.
    duties = tuple(
        replace(d, topics=(*d.topics, *named_in(d.title, d.text))) if d.topics else d
        for d in directive.duties
    )
    found = tuple(
        Topic(t.id, t.name, t.aliases, tuple(c.id for c in clauses if t.id in c.topics))
        for t in borrowed.values()
    )
    held = tuple(t for t in found if t.clauses)
    return replace(directive, clauses=clauses, duties=duties, topics=(*directive.topics, *held))


def _holds(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


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
        self.directives = {d.id: d for d in kb.directives}
        # How many directives are active in all: a one-directive catalog cut from a
        # larger one (`for_directive`) still cites "06/2019 · Mục 1.a".
        self.active_count = len(kb.directives)
        self.held: tuple[Directive, ...] = tuple(kb.directives)  # every active one, likewise
        self.duties: ScopedTable[Duty] = ScopedTable(
            (directive, d.id, d) for directive in kb.directives for d in directive.duties
        )
        self.clauses: ScopedTable[Clause] = ScopedTable(
            (directive, c.id, c) for directive in kb.directives for c in directive.clauses
        )
        # Topics and figures by plain id: the Q&A reads them on one directive's catalog
        # (`for_directive`); on a catalog of several the first directive's wins.
        self.topics: dict[str, Topic] = {}
        self.figures: dict[str, Figure] = {}
        for directive in kb.directives:
            for t in directive.topics:
                self.topics.setdefault(t.id, t)
            for f in directive.figures:
                self.figures.setdefault(f.id, f)
        # The FAQ of the directives held and the FAQ about any: never another
        # directive's entries (06's answered questions about 15, cited as 15's).
        held_faq = [
            f for f in kb.faq if f.directive_id is None or f.directive_id in self.directives
        ]
        self.faq = {f.id: f for f in held_faq}
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
            [(f.id, question) for f in held_faq for question in (f.question, *f.alternates)],
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
        clause = self.clause_of(duty)
        own = {t.id: t for t in self.directives[duty.directive_id].topics}
        topics = [own[t].name for t in duty.topics if t in own]
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
                        d.key
                        for d in directive.duties
                        if d.clause == clause.id and (piece in d.text or d.text in piece)
                    )
                    yield Passage(key, directive, clause, piece, duty_ids)
                    key += 1

    @cached_property
    def _tokens_by_directive(self) -> dict[str, list[list[str]]]:
        """Each directive's texts (its title, clauses and duties), normalized."""
        texts: dict[str, list[str]] = defaultdict(list)
        for passage in self.passages:
            texts[passage.directive.id].append(passage.clause.title + " " + passage.text)
        for directive in self.directives.values():
            texts[directive.id] += [directive.title, *(d.title for d in directive.duties)]
        return {d: [self.normalizer.tokens(text) for text in parts] for d, parts in texts.items()}

    @cached_property
    def words_by_directive(self) -> dict[str, frozenset[str]]:
        """Each directive's words (normalized)."""
        return {
            d: frozenset(t for tokens in texts for t in tokens)
            for d, texts in self._tokens_by_directive.items()
        }

    @cached_property
    def phrases_by_directive(self) -> dict[str, frozenset[tuple[str, str]]]:
        """Each directive's two-word phrases (normalized): «toàn trình», «số hóa»."""
        return {
            d: frozenset(pair for tokens in texts for pair in pairwise(tokens))
            for d, texts in self._tokens_by_directive.items()
        }

    def topics_named(self, topic_ids: Iterable[str]) -> list[Topic]:
        """The topics of these ids this catalog holds: a question is parsed with every
        directive's names, then answered from one directive's catalog, which may not
        have the topic (06 has no «chuyển đổi số»; a copy may lack «kinh phí»)."""
        return [self.topics[t] for t in topic_ids if t in self.topics]

    @property
    def held_names(self) -> list[str]:
        """ "Chỉ thị 06/CT-UBND", ...: every active directive's name."""
        return [d.name for d in self.held]

    def clause_of(self, duty: Duty) -> Clause:
        return self.clauses[scoped_key(duty.directive_id, duty.clause)][1]

    def clause_label(self, directive: Directive, clause_id: str) -> str:
        """How answers and lists cite a clause: "Mục 1.a", or "06/2019 · Mục 1.a"
        when several directives are active."""
        label = self.clauses[scoped_key(directive.id, clause_id)][1].label
        return self.qualified(directive, label)

    def duty_clause_label(self, duty: Duty) -> str:
        return self.clause_label(self.directives[duty.directive_id], duty.clause)

    def duty_label(self, key: str) -> str:
        """A duty's id as users see and type it (one word, for commands): "1.a-1", or
        "06/2019·1.a-1" when several directives are active."""
        directive, duty = self.duties[key]
        return self.qualified(directive, duty.id, "·")

    def qualified(self, directive: Directive, text: str, separator: str = " · ") -> str:
        return qualified(directive, text, self.active_count > 1, separator)

    @cached_property
    def own_words(self) -> str:
        """What the directives say themselves, lower-cased with their diacritics: their
        titles and every clause's heading and text."""
        parts = [
            part
            for d in self.directives.values()
            for part in (
                d.title,
                *(text for c in d.clauses for text in (c.title, c.text, *c.items)),
            )
        ]
        return unicodedata.normalize("NFC", "\n".join(parts)).lower()

    def spelled(self, folded: str) -> str | None:
        """How the directives write the words `folded` ("cong chuc": "công chức"),
        or None when they never write them in a row."""
        wanted = folded.split()
        n = len(wanted)
        written, folded_words = self._own_words_folded
        for i in range(len(written) - n + 1):
            if folded_words[i : i + n] == wanted:
                return " ".join(written[i : i + n])
        return None

    @cached_property
    def _own_words_folded(self) -> tuple[list[str], list[str]]:
        written = re.findall(r"\w+", self.own_words)
        return written, [fold(w) for w in written]

    def mentions(self, subject: str) -> bool:
        """Whether a directive's title or a clause names `subject` ("chuyển đổi số")
        as a phrase of its own. Compared with diacritics: folded, "chuyển đổi số" would
        be found in "chuyển đổi sổ" or across two phrases."""
        phrase = re.escape(unicodedata.normalize("NFC", subject).lower())
        return re.search(rf"(?<!\w){phrase}(?!\w)", self.own_words) is not None

    def subject(self, directive_ids: Sequence[str] = ()) -> str:
        """What titles name: "Chỉ thị 06/CT-UBND", or the directives listed."""
        chosen = [self.directives[d] for d in directive_ids] or list(self.directives.values())
        if not chosen:
            return "Chỉ thị"
        return ", ".join(d.name for d in chosen)

    def subject_dated(self, directive_ids: Sequence[str] = ()) -> str:
        """The formal form: "Chỉ thị số 06/CT-UBND ngày 19/4/2019"."""
        chosen = [self.directives[d] for d in directive_ids] or list(self.directives.values())
        return ", ".join(
            f"{d.doc_type} số {d.number} ngày {d.issued.day}/{d.issued.month}/{d.issued.year}"
            for d in chosen
        )

    def directive_named(self, word: str) -> str | None:
        """The directive a command's word names (`names_directive`: "06/2019", as ids
        are prefixed, "06/CT-UBND" or its id); None when it names none."""
        for d in self.directives.values():
            if names_directive(word, d.id, d.doc_type, d.number, d.issued):
                return d.id
        return None

    def for_directive(self, directive_id: str) -> Catalog:
        """The catalog of one directive (same agencies and FAQ): what the Q&A answers
        from once it knows which directive a question is about."""
        if list(self.directives) == [directive_id]:
            return self
        directive = self.directives[directive_id]
        others = [t for d in self.kb.directives if d.id != directive_id for t in d.topics]
        kb = KnowledgeBase(
            directives=(with_topics(directive, others, self.normalizer.tokens),),
            agencies=self.kb.agencies,
            faq=self.kb.faq,
            retired=self.kb.retired,
            former=self.kb.former,
        )
        catalog = Catalog(kb, self.normalizer, self.stopwords, self._build_index)
        catalog.active_count = self.active_count
        catalog.held = self.held
        return catalog

    # Names the NLU gazetteer recognizes, and the words it counts as in-domain.

    @cached_property
    def agency_names(self) -> dict[str, str]:
        """Agency id by any of its names, folded ("so tt&tt", "snv", "huyen que vo"):
        what admins type where a command needs agencies."""
        return agency_names(self.kb.agencies)

    def name_entries(self) -> list[tuple[str, str, str]]:
        entries = []
        for agency in self.kb.agencies:
            for surface in (agency.name, agency.short_name, *agency.aliases):
                entries.append(("agency", agency.id, surface))
        for topic in self.topics.values():
            for surface in (topic.name, *topic.aliases):
                entries.append(("topic", topic.id, surface))
        # A merged agency's names are its target's aliases already; those of an
        # agency gone with no successor are recognized as what they were.
        active = {fold(name) for _, _, name in entries}
        for former in self.kb.former:
            if former.now is None:
                for surface in former.names:
                    if fold(surface) not in active:
                        entries.append(("former_agency", former.id, surface))
        return entries

    def former_named(self, surface: str, agency_id: str) -> FormerAgency | None:
        """The agency merged into `agency_id` that `surface` (an agency entity's
        normalized text) names: "Sở TT&TT" asked after it went into the Sở KH&CN."""
        for former in self.kb.former:
            if former.now != agency_id:
                continue
            if any(" ".join(self.normalizer.tokens(n)) == surface for n in former.names):
                return former
        return None

    def vocabulary(self) -> list[str]:
        texts: list[str] = []
        for directive in self.kb.directives:
            # In pieces: the normalizer reads a message's first MAX_CHARS only, and
            # "khác nhau" (in the preamble's middle) is as known as its first lines.
            texts.extend(_pieces(directive.source_text))
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
        partners of that duty, not a duty of every member. Nor is it one of the group
        itself when it is one of several groups the duty is done with ("phối hợp với
        các sở, ban, ngành, địa phương": everyone, whom its lead works with).
        """
        groups = {g.id for g in self.groups_of(agency)}
        found: list[Assignment] = []
        for _, duty in self.duties.values():
            if agency.id in duty.lead:
                found.append(Assignment(duty, "lead", direct=True))
            elif agency.id in duty.coordinate and not self._with_everyone(duty, agency):
                found.append(Assignment(duty, "coordinate", direct=True))
            elif agency.id in duty.addressees:
                found.append(Assignment(duty, "addressee", direct=True))
            elif agency.id in duty.via:
                found.append(Assignment(duty, "via", direct=True))
            elif groups & set(duty.addressees):
                found.append(Assignment(duty, "addressee", direct=False))
        return found

    def _with_everyone(self, duty: Duty, agency: Agency) -> bool:
        partners = [self.agencies.get(a) for a in duty.coordinate]
        grouped = [a for a in partners if a is not None and a.kind == "group"]
        return agency.kind == "group" and len(grouped) > 1

    def quarterly_reporter(self, directive_id: str) -> str | None:
        """The agency `directive_id` makes report to UBND tỉnh every quarter: the one
        lead of its quarterly task reporting to the province (06: Sở TT&TT, Mục 2.b;
        11: Văn phòng UBND tỉnh, Mục 3). None when no duty says so, or a group does."""
        for duty in self.directives[directive_id].duties:
            reports = duty.is_task and duty.timing.recurrence == "quarterly"
            if (
                not reports
                or len(duty.lead) != 1
                or not _REPORTS_TO_PROVINCE.search(fold(duty.text))
            ):
                continue
            agency = self.agencies.get(duty.lead[0])
            if agency is not None and agency.kind != "group":
                return agency.id
        return None

    def is_general(self, duty: Duty) -> bool:
        """A duty every provincial body has (Nhiệm vụ chung): addressed to the group of
        the province's departments and agencies, with the districts' or not. Not both
        levels required: once the district group is closed (2025, no district level) a
        duty of "các sở, ban, ngành, UBND cấp huyện" keeps only the provincial group,
        and is no less common to every department."""
        levels = {
            level
            for agency_id in duty.addressees
            for level in self.agencies[agency_id].member_levels
        }
        return "province" in levels

    def faq_entry(self, faq_id: str) -> FaqEntry:
        return self.faq[faq_id]

    def figure(self, figure_id: str) -> Figure:
        return self.figures[figure_id]


def _pieces(text: str, size: int = MAX_CHARS // 2) -> list[str]:
    """`text` cut at spaces into pieces of `size` characters at most."""
    pieces: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > size:
            pieces.append(current)
            current = ""
        current = f"{current} {word}" if current else word
    return [*pieces, current] if current else pieces
