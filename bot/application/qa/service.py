"""Answer questions about the directive from the knowledge base.

The NLU says what kind of question it is (intent) and what it names (agencies,
topics, dates, clauses); retrieval finds the duty, passage or figure it is about.
Every answer is built from the pack's data and cites its clause; when nothing in
the pack matches well enough, the answer is a polite refusal with suggestions,
never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

from bot.application.messages import Button, Reply
from bot.domain.catalog import Assignment, Catalog, Passage
from bot.domain.knowledge import CitedDocument, Clause, Directive, Duty, Figure, Topic
from nlu.engine import NluEngine, Parse
from nlu.entities import FILLERS, Entity
from nlu.retrieval import TfidfIndex

# How well a question must match a duty, passage or figure (mean of word and
# character TF-IDF cosines) to be answered from it. Below this the match is one or
# two common words, which is not evidence of what was asked.
MIN_MATCH = 0.18
# Share of a question's content words a document must contain to answer it.
MIN_COVERAGE = 0.5
# A second hit is shown with the first only when it is nearly as good.
CLOSE_SECOND = 0.85
# An FAQ phrasing this close to the question, holding nearly all its content
# words, answers it before anything else; a weaker FAQ match (down to
# MIN_FAQ_MATCH) answers only when nothing else does.
PREEMPTING_FAQ_MATCH = 0.8
PREEMPTING_FAQ_COVERAGE = 0.8
MIN_FAQ_MATCH = 0.55
# At least this share of a message's content words must be known to the domain
# (directive, FAQ, in-scope training examples) for it to be answered at all.
MIN_KNOWN_SHARE = 0.5
# Duties or passages of an agency or topic the question names rank above equally
# matching others.
NAMED_BOOST = 1.25
# Prior for "when is X due" questions: a duty with a date or recurrence is what
# such a question is usually about, so undated duties need a clearly better match.
UNDATED_DUTY_PRIOR = 0.75
# Above this probability the classifier's intent is taken as is; below, its top
# intents (each at least MIN_CANDIDATE) compete on the evidence their handlers find.
CONFIDENT = 0.6
MIN_CANDIDATE = 0.15
# Below the calibrated threshold (data/nlu/calibration.yaml, per backend, written by
# `bot nlu eval`) the classifier does not know what kind of question it is: the
# reply offers the closest questions instead. This default applies without one.
DEFAULT_SUGGEST_BELOW = 0.25
# ... unless the data matches this well: then the kind of question matters little.
STRONG_MATCH = 0.5
# Answers that do not search (metadata, lists) have no match score to check them
# against, so they need a surer classifier; calibrated on data/nlu/test.yml.
FIXED_MIN_CONFIDENCE = 0.4
# Evidence of answers that do not search (metadata, lists): a middling match.
FIXED_EVIDENCE = 0.5

SMALL_TALK = frozenset({"greet", "goodbye", "thanks", "help", "report_progress"})
# Intents whose handler answers without searching: they answer only when the
# classifier is confident of them, never as a hesitant first choice or a runner-up.
FIXED_INTENTS = frozenset({"ask_metadata", "ask_shortcomings", "ask_deadline_list"})
# Intents after which, if their handler finds nothing, a quoted passage or an FAQ
# entry may still answer. A figure or a deadline that is not in the data is not
# replaced by some loosely related sentence.
OPEN_INTENTS = frozenset({"ask_topic", "ask_responsible", "ask_agency_duties", "ask_results"})

# "những/các ... gì/nào": a question for a list (folded; "nhung" is also "nhưng", but
# "nhưng ... gì" hardly occurs in a question).
LIST_MARKERS = frozenset({"nhung", "cac"})
LIST_QUESTION_WORDS = frozenset({"gi", "nao"})
# The subject of a "who does it" question, folded.
WHO = (
    ("don", "vi", "nao"),
    ("co", "quan", "nao"),
    ("so", "nao"),
    ("ben", "nao"),
    ("ai",),
)
# Prepositions that make the agency after them a recipient ("gửi về Sở TT&TT",
# "báo cáo qua Sở", "nộp lên UBND tỉnh"), not the one that acts.
TOWARDS = frozenset({"ve", "qua", "toi", "len"})
T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class Answer:
    reply: Reply
    kind: str  # which handler answered: "duties", "deadline", "figure", "refusal", ...
    intent: str
    confidence: float
    citations: tuple[str, ...] = ()
    # How strongly the data matched the question (retrieval score, 1.0 for a named
    # agency or number, FIXED_EVIDENCE for answers that do not search).
    evidence: float = FIXED_EVIDENCE
    parse: Parse | None = None
    entities: tuple[dict[str, str], ...] = field(default=())


@dataclass(frozen=True)
class SuggestionWordings:
    """Patterns for suggested questions (templates/suggestions.yaml)."""

    topic: str
    agency: str
    deadlines: str


def number_forms(tokens: Iterable[str]) -> set[str]:
    """Each number as written, without separators, and split into its parts:
    "9.289" -> {"9.289", "9289", "9", "289"}, so "9289" and "3, 4" find "3,4"."""
    forms: set[str] = set()
    for token in tokens:
        if any(c.isdigit() for c in token):
            token = token.rstrip("%")
            parts = re.split(r"[./,\-]", token)
            forms.update({token, "".join(parts), *parts})
    return forms


def contains(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    """True if `phrase` occurs in `tokens` as consecutive tokens."""
    n = len(phrase)
    return n > 0 and any(
        list(tokens[i : i + n]) == list(phrase) for i in range(len(tokens) - n + 1)
    )


def lower_first(name: str) -> str:
    """ "Chữ ký số" -> "chữ ký số" inside a sentence; "ICT Index" stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def timing_view(duty: Duty) -> dict[str, Any]:
    return {
        "kind": duty.timing.kind,
        "due": duty.timing.due,
        "recurrence": duty.timing.recurrence,
        "text": duty.timing.text,
        "extended_to": duty.timing.extended_to,
    }


class QAService:
    def __init__(
        self,
        catalog: Catalog,
        nlu: NluEngine,
        suggestion_wordings: SuggestionWordings,
        generic_words: frozenset[str] = frozenset(),
        suggest_below: float = DEFAULT_SUGGEST_BELOW,
    ) -> None:
        self.catalog = catalog
        self.nlu = nlu
        self.wordings = suggestion_wordings
        self.suggest_below = suggest_below
        self._duty_tokens = {
            duty_id: catalog.normalizer.tokens(duty.text)
            for duty_id, (_, duty) in catalog.duties.items()
        }
        # Numbers that name the directive itself ("06/CT-UBND"), not a figure.
        self._directive_numbers = number_forms(
            catalog.normalizer.tokens(" ".join(d.number for d in catalog.kb.directives))
        )
        # Words that say nothing about which document answers: stopwords, "chỉ thị",
        # "quy định", and the directive's own number.
        self.generic_words = generic_words | catalog.stopwords | self._directive_numbers
        self._figure_numbers = {
            f.id: number_forms(
                catalog.normalizer.tokens(" ".join((f.label, f.value, f.quote, *f.keywords)))
            )
            for f in catalog.figures.values()
        }
        # The kinds of question each FAQ entry answers, as the classifier sees its phrasings.
        self._faq_intents: dict[str, set[str]] = {
            f.id: {nlu.parse(q).intent for q in (f.question, *f.alternates)} for f in catalog.kb.faq
        }
        self._suggestion_bank = self._build_suggestion_bank()
        self._suggestion_texts = [q for group in self._suggestion_bank for q in group]
        self._suggestion_index: TfidfIndex[int] = TfidfIndex(
            [(i, catalog.normalizer.tokens(q)) for i, q in enumerate(self._suggestion_texts)],
            self.generic_words,
        )
        self._handlers: dict[str, Callable[[Parse], Answer | None]] = {
            "ask_agency_duties": self._agency_duties,
            "ask_responsible": self._responsible,
            "ask_deadline": self._deadline,
            "ask_deadline_list": self._deadline_list,
            "ask_topic": self._topic,
            "ask_figure": self._figure,
            "ask_metadata": self._metadata,
            "ask_shortcomings": self._shortcomings,
            "ask_results": self._results,
        }

    # Entry point.

    def answer(self, text: str) -> Answer:
        parse = self.nlu.parse(text)
        if not parse.tokens:
            return self._make(parse, "empty", Reply("qa/empty", {"examples": self._defaults()}))
        # An admin's FAQ entry close to the question answers it before any refusal: it
        # is how admins answer what the assistant refused (the unanswered inbox).
        faq = self._faq(parse, PREEMPTING_FAQ_MATCH, PREEMPTING_FAQ_COVERAGE)
        if faq is not None:
            return faq
        if parse.intent == "help" and parse.unknown_words:
            # "hướng dẫn sử dụng Zalo": help with something else, not with this assistant.
            return self._refuse(parse)
        if parse.intent in SMALL_TALK and parse.confidence >= (
            CONFIDENT if parse.intent == "report_progress" else self.suggest_below
        ):
            # A hesitant greeting is still a greeting; a hesitant "I want to report"
            # must not open a dialog on a question.
            return self._small_talk(parse)
        if parse.values("place"):
            return self._refuse(parse, place=parse.values("place")[0])
        if parse.values("uncovered"):
            return self._refuse(parse, subject=parse.values("uncovered")[0])
        # A clause, a stated figure or a cited document named outright is answered
        # whatever the classifier thinks of the wording around it.
        named = (
            self._by_clause(parse)
            or self._by_figure_value(parse)
            or self._by_cited_document(parse)
        )
        if named:
            return named
        if (
            parse.intent == "out_of_scope"
            or parse.unknown_words
            or (parse.known_share < MIN_KNOWN_SHARE and not parse.entities)
        ):
            return self._refuse(parse)
        answer = self._best_answer(parse)
        if parse.confidence < self.suggest_below and (
            answer is None or answer.evidence < STRONG_MATCH
        ):
            return self._did_you_mean(parse)
        if answer is None and parse.intent in OPEN_INTENTS:
            answer = self._faq(parse, MIN_FAQ_MATCH) or self._topic(parse)
        return answer or self._refuse(parse)

    def _best_answer(self, parse: Parse) -> Answer | None:
        """The classifier's intent, or when it hesitates, whichever of its top intents
        finds the strongest evidence in the data (probability times match score).

        When the first choice is a searching intent and finds nothing, the runners-up
        are not asked: the question's kind is most likely right and the data does
        not hold the answer ("bao nhiêu ..." with no such figure is not a deadline).
        """
        first = self._handlers.get(parse.intent)
        if first is None:  # hesitant small talk: not a question we can answer
            return None
        confident = parse.confidence >= CONFIDENT
        fallback = None
        if parse.intent in FIXED_INTENTS and parse.confidence >= FIXED_MIN_CONFIDENCE:
            if confident or not parse.values("topic"):
                return first(parse)
            # "Chỉ thị nói gì về Ban chỉ đạo?": a named topic makes a hesitant
            # document-level answer (metadata, shortcomings) compete with the topic's
            # passages; it stays the answer when they find nothing.
            fallback = first(parse)
        if parse.intent not in FIXED_INTENTS:
            answer = first(parse)
            if answer is None or confident:
                return answer
            best: tuple[float, Answer | None] = (parse.confidence * answer.evidence, answer)
        else:
            best = (0.0, None)  # a hesitant fixed intent does not answer
        for intent, probability in parse.ranking[1:3]:
            if probability < MIN_CANDIDATE or intent in FIXED_INTENTS:
                continue
            handler = self._handlers.get(intent)
            runner_up = handler(parse) if handler else None
            if runner_up and probability * runner_up.evidence > best[0]:
                best = (probability * runner_up.evidence, replace(runner_up, intent=intent))
        return best[1] or fallback

    # Answers for commands (/nhiemvu, /hanchot), without a question to parse.

    def agency_duties(self, agency_id: str) -> Answer | None:
        return self._agency_duties(
            self._named(f"agency:{agency_id}", "ask_agency_duties", agency_id)
        )

    def deadlines(self) -> Answer | None:
        return self._deadline_list(self._named("deadlines", "ask_deadline_list"))

    @staticmethod
    def _named(text: str, intent: str, agency_id: str | None = None) -> Parse:
        entities = (Entity("agency", agency_id, ""),) if agency_id else ()
        return Parse(text=text, tokens=(), intent=intent, confidence=1.0, entities=entities)

    # Helpers.

    def _make(
        self,
        parse: Parse,
        kind: str,
        reply: Reply,
        citations: Sequence[str] = (),
        evidence: float = FIXED_EVIDENCE,
    ) -> Answer:
        return Answer(
            reply=reply,
            kind=kind,
            intent=parse.intent,
            confidence=parse.confidence,
            citations=tuple(dict.fromkeys(citations)),
            evidence=evidence,
            parse=parse,
            entities=tuple({"entity": e.entity, "value": e.value} for e in parse.entities),
        )

    def _directive(self) -> Directive:
        return self.catalog.kb.directives[0]

    def _label(self, clause_id: str) -> str:
        return self.catalog.clauses[clause_id][1].label

    def _names(self, agency_ids: Sequence[str]) -> list[str]:
        return [self.catalog.agencies[a].name for a in agency_ids if a in self.catalog.agencies]

    def _cited_in(self, text: str) -> list[CitedDocument]:
        """Documents a quoted text refers to, so the answer can give their full reference."""
        return [c for d in self.catalog.kb.directives for c in d.cites if c.number in text]

    def _duty_view(self, duty: Duty, role: str = "") -> dict[str, Any]:
        return {
            "id": duty.id,
            "title": duty.title,
            "text": duty.text,
            "clause": self._label(duty.clause),
            "role": role,
            "lead": self._names(duty.lead),
            "coordinate": self._names(duty.coordinate),
            "via": self._names(duty.via),
            "timing": timing_view(duty),
            "cited": self._cited_in(duty.text),
        }

    def _passage_view(self, passage: Passage) -> dict[str, Any]:
        return {
            "text": passage.text,
            "clause": passage.clause.label,
            "title": passage.clause.title,
            "cited": self._cited_in(passage.text),
        }

    def _search(
        self,
        index: TfidfIndex[K],
        parse: Parse,
        weight: Callable[[K], float] | None = None,
        limit: int = 5,
        min_coverage: float = MIN_COVERAGE,
        ignore_named: bool = True,
        min_document_coverage: float = 0.0,
    ) -> list[tuple[K, float]]:
        """Top documents of an index for the question, best first.

        A document counts only if it holds at least `min_coverage` of the question's
        content words: a high cosine on one shared rare word is not an answer.
        """
        scores = index.scores(parse.tokens)
        if weight is not None:
            scores = scores * np.array([weight(k) for k in index.keys], dtype=np.float32)
        # Named agencies are matched by the gazetteer and boosted by the callers; the
        # coverage is about the rest of the question.
        named = {t for e in parse.entities if e.entity == "agency" for t in e.text.split()}
        ignore = self.generic_words | named if ignore_named else self.generic_words
        ranked = []
        for position in np.argsort(-scores)[:limit]:
            if scores[position] <= 0:
                break
            if (
                index.coverage(parse.tokens, int(position), ignore) >= min_coverage
                and index.document_coverage(parse.tokens, int(position), self.generic_words)
                >= min_document_coverage
            ):
                ranked.append((index.keys[position], float(scores[position])))
        return ranked

    @staticmethod
    def _best(ranked: Sequence[tuple[T, float]], limit: int = 2) -> tuple[list[T], float]:
        """The top hit and any close second, with the top score; none below MIN_MATCH."""
        if not ranked or ranked[0][1] < MIN_MATCH:
            return [], 0.0
        top = ranked[0][1]
        return [item for item, score in ranked[:limit] if score >= top * CLOSE_SECOND], top

    def _only_names(self, parse: Parse) -> bool:
        """True when the question names things but asks nothing more specific about them."""
        named = {token for e in parse.entities for token in e.text.split()}
        return all(t in named or t in self.generic_words for t in parse.tokens)

    @staticmethod
    def _asked_action(parse: Parse) -> tuple[str, ...]:
        """ "Đơn vị nào hướng dẫn các huyện ...": the two words after the question's
        subject ("ai", "đơn vị nào", ...), which name what the one asked about does."""
        tokens = parse.tokens
        for who in WHO:
            n = len(who)
            for i in range(len(tokens) - n):
                if tuple(tokens[i : i + n]) == who:
                    action = tuple(tokens[i + n : i + n + 2])
                    return action if len(action) == 2 else ()
        return ()

    @staticmethod
    def _asks_for_a_list(parse: Parse) -> bool:
        """ "Những biện pháp gì ...", "các hoạt động nào ...": an enumeration is asked
        for, which one quoted sentence cannot answer."""
        tokens = parse.tokens
        markers = [i for i, t in enumerate(tokens) if t in LIST_MARKERS]
        asks = [i for i, t in enumerate(tokens) if t in LIST_QUESTION_WORDS]
        return bool(markers and asks and markers[0] < asks[-1])

    def _favoured_duties(self, parse: Parse) -> set[str]:
        """Duties of the agencies the question names as actors: not of one a report
        or a document goes to ("nộp danh sách về Sở TT&TT")."""
        recipients = {
            e.value
            for e in parse.entities
            if e.entity == "agency" and _preceded_by(parse.tokens, e.text.split(), TOWARDS)
        }
        return {
            a.duty.id
            for agency_id in parse.values("agency")
            if agency_id not in recipients
            for a in self.catalog.assignments(self.catalog.agencies[agency_id])
        }

    def _ranked_duties(
        self, parse: Parse, prefer_dated: bool = False, action: Sequence[str] = ()
    ) -> list[tuple[Duty, float]]:
        """Duties matching the question; those of a named agency or topic, and those
        whose text holds the `action` asked about, are favoured."""
        favoured = self._favoured_duties(parse)
        topics = set(parse.values("topic"))

        def weight(duty_id: str) -> float:
            duty = self.catalog.duties[duty_id][1]
            factor = NAMED_BOOST if duty_id in favoured else 1.0
            if action and contains(self._duty_tokens[duty_id], action):
                factor *= NAMED_BOOST
            if topics and self._about(duty, topics):
                factor *= NAMED_BOOST
            if prefer_dated and duty.timing.kind == "continuous":
                factor *= UNDATED_DUTY_PRIOR
            return factor

        return [
            (self.catalog.duties[key][1], score)
            for key, score in self._search(self.catalog.duty_index, parse, weight)
        ]

    def _about(self, duty: Duty, topics: set[str]) -> bool:
        if duty.topics:
            return bool(topics & set(duty.topics))
        return bool(topics & set(self.catalog.clauses[duty.clause][1].topics))

    # Answers found before the intent is consulted.

    def _faq(self, parse: Parse, threshold: float, coverage: float = MIN_COVERAGE) -> Answer | None:
        """An FAQ entry one of whose phrasings is close to the question both ways: it
        holds the question's words (named agencies included) and the question holds
        most of its words."""
        hits = self._search(
            self.catalog.faq_index,
            parse,
            limit=3,
            min_coverage=coverage,
            ignore_named=False,
            min_document_coverage=coverage,
        )
        if not hits or hits[0][1] < threshold:
            return None
        intents = self._faq_intents.get(hits[0][0], set()) | {"out_of_scope"}
        if parse.confidence >= CONFIDENT and parse.intent not in intents:
            return None  # same words, another kind of question ("vì sao" vs "làm gì")
        entry = self.catalog.faq_entry(hits[0][0])
        citations = [self._label(c) for c in entry.clauses if c in self.catalog.clauses]
        reply = Reply("qa/faq", {"entry": entry, "citations": citations})
        return self._make(parse, "faq", reply, citations, hits[0][1])

    def _by_clause(self, parse: Parse) -> Answer | None:
        """ "Mục 1.e nói gì": the clause itself."""
        clause_ids = [c for c in parse.values("clause") if c in self.catalog.clauses]
        if not clause_ids:
            return None
        views: list[dict[str, Any]] = []
        for clause_id in clause_ids[:2]:
            directive, clause = self.catalog.clauses[clause_id]
            children = [c for c in directive.clauses if c.parent == clause.id]
            views.append({"clause": clause, "children": children})
        reply = Reply("qa/clause", {"clauses": views})
        return self._make(parse, "clause", reply, [v["clause"].label for v in views], 1.0)

    def _by_figure_value(self, parse: Parse) -> Answer | None:
        """ "819 là gì": a number of three digits or more, or a percentage, that the
        directive states, identifies its figure whatever the wording around it."""
        dates = {token for e in parse.entities if e.entity == "date" for token in e.text.split()}
        asked = {
            form
            for token in parse.tokens
            if token not in dates  # "30/6" is a day, not the 30% the directive states
            and (token.endswith("%") or sum(c.isdigit() for c in token) >= 3)
            for form in number_forms([token])
        } - self._directive_numbers
        if not asked:
            return None
        matching = [
            f
            for f in self.catalog.figures.values()
            if asked & number_forms(self.catalog.normalizer.tokens(f.value))
        ]
        return self._figure_answer(parse, matching, 1.0) if matching else None

    def _by_cited_document(self, parse: Parse) -> Answer | None:
        """ "Nghị định 43/2011 ban hành ngày nào": a document the directive cites,
        named by its number (in full, or its first number after its type)."""
        found = []
        for directive in self.catalog.kb.directives:
            for cited in directive.cites:
                number = self.catalog.normalizer.tokens(cited.number)
                doc_type = self.catalog.normalizer.tokens(cited.doc_type)
                first_number = re.split(r"[/\-]", number[0])[0] if number else ""
                named = " ".join(number) in " ".join(parse.tokens) or (
                    contains(parse.tokens, doc_type) and first_number in parse.tokens
                )
                if named:
                    found.append((directive, cited))
        if not found:
            return None
        views: list[dict[str, Any]] = [
            {"cited": cited, "clause": self._label(cited.clause), "directive": directive}
            for directive, cited in found
        ]
        reply = Reply("qa/cited_document", {"documents": views})
        return self._make(parse, "cited_document", reply, [v["clause"] for v in views], 1.0)

    # Handlers: each returns None when the pack holds nothing matching.

    def _agency_duties(self, parse: Parse) -> Answer | None:
        agency_ids = parse.values("agency")[:3]
        if not agency_ids:
            return None
        topics = set(parse.values("topic"))
        relevant = {d.id for d, _ in self._ranked_duties(parse)} if topics else set()
        sections: list[dict[str, Any]] = []
        citations: list[str] = []
        for agency_id in agency_ids:
            agency = self.catalog.agencies[agency_id]
            assignments = self.catalog.assignments(agency)
            if topics:
                assignments = [
                    a for a in assignments if self._about(a.duty, topics) or a.duty.id in relevant
                ]
            # "UBND tỉnh phải làm gì": it issued the directive rather than received it.
            issued = self._issued_by(agency.name) if not topics else []
            specific = [a for a in assignments if not self.catalog.is_general(a.duty)]
            general = [a for a in assignments if self.catalog.is_general(a.duty)]
            section = {
                "agencies": [agency.name],
                "specific": [self._duty_view(a.duty, a.role) for a in specific],
                "general": self._general_view(general, detailed=bool(topics)),
                "issued": issued,
            }
            same = [
                s
                for s in sections
                if s["specific"] == section["specific"] and s["general"] == section["general"]
            ]
            if same:
                same[0]["agencies"].append(agency.name)
            else:
                sections.append(section)
            citations += [self._label(a.duty.clause) for a in specific + general]
            citations += [label for document in issued for label in document["clauses"]]
        topic_names = [self.catalog.topics[t].name for t in topics if t in self.catalog.topics]
        reply = Reply("qa/agency_duties", {"sections": sections, "topics": topic_names})
        return self._make(parse, "duties", reply, citations, evidence=1.0)

    def _issued_by(self, agency_name: str) -> list[dict[str, Any]]:
        """The directives an agency issued, with the parts that give out their duties."""
        issued = []
        for directive in self.catalog.kb.directives:
            if directive.issuer != agency_name:
                continue
            parts = []
            for duty in directive.duties:
                clause = self.catalog.clauses[duty.clause][1]
                part = self._label(clause.parent or clause.id)
                if part not in parts:
                    parts.append(part)
            issued.append({"name": f"{directive.doc_type} {directive.number}", "clauses": parts})
        return issued

    def _general_view(self, general: list[Assignment], detailed: bool) -> list[dict[str, Any]]:
        """General duties, one line per clause unless a topic narrows them down."""
        if detailed:
            return [self._duty_view(a.duty, a.role) for a in general]
        by_clause: dict[str, dict[str, Any]] = {}
        for assignment in general:
            clause = self.catalog.clauses[assignment.duty.clause][1]
            by_clause.setdefault(
                clause.id, {"title": clause.title, "clause": clause.label, "timing": None}
            )
        return list(by_clause.values())

    def _responsible(self, parse: Parse) -> Answer | None:
        best, score = self._best(self._ranked_duties(parse, action=self._asked_action(parse)))
        if not best:
            return None
        views = [self._duty_view(d) for d in best]
        reply = Reply("qa/responsible", {"duties": views})
        return self._make(parse, "responsible", reply, [v["clause"] for v in views], score)

    def _deadline(self, parse: Parse) -> Answer | None:
        dated = self._duties_due_on(parse.values("date"))
        if dated:
            best, score = dated, 1.0
        else:
            ranked = self._ranked_duties(parse, prefer_dated=True)
            # Asked "by when": a matching duty that has a date answers it, however
            # close an undated sibling comes; undated ones answer only when none has.
            with_dates = [(d, s) for d, s in ranked if d.timing.kind != "continuous"]
            best, score = self._best(with_dates or ranked)
        if not best:
            named = parse.values("topic") or parse.values("agency")
            return None if named else self._deadline_list(parse)
        views = [self._duty_view(d) for d in best]
        reply = Reply("qa/deadline", {"duties": views})
        return self._make(parse, "deadline", reply, [v["clause"] for v in views], score)

    def _duties_due_on(self, dates: Sequence[str]) -> list[Duty]:
        """ "Hạn 31/5/2019 là việc gì": the duties due on a date the question gives."""
        wanted: set[dt.date] = set()
        days: set[tuple[int, int]] = set()  # "hạn 31/5": a day and month without a year
        for value in dates:
            try:
                wanted.add(dt.date.fromisoformat(value))
            except ValueError:
                month, _, day = value.rpartition("-")
                if month.isdigit() and day.isdigit():
                    days.add((int(month), int(day)))

        def due_on(due: dt.date | None) -> bool:
            return due is not None and (due in wanted or (due.month, due.day) in days)

        return [
            d
            for _, d in self.catalog.duties.values()
            if due_on(d.timing.due) or due_on(d.timing.extended_to)
        ]

    def _deadline_list(self, parse: Parse) -> Answer | None:
        dated = [d for _, d in self.catalog.duties.values() if d.timing.kind != "continuous"]
        dated.sort(key=lambda d: (d.timing.kind != "deadline", d.timing.due or dt.date.max))
        views = [self._duty_view(d) for d in dated]
        reply = Reply("qa/deadline_list", {"duties": views})
        return self._make(parse, "deadline_list", reply, [v["clause"] for v in views])

    def _topic(self, parse: Parse) -> Answer | None:
        topics = [self.catalog.topics[t] for t in parse.values("topic") if t in self.catalog.topics]
        if topics and (self._only_names(parse) or self._asks_for_a_list(parse)):
            return self._topic_overview(parse, topics)
        answer = self._passages(parse)
        if answer is None and topics:
            return self._topic_overview(parse, topics)
        return answer

    def _passages(
        self, parse: Parse, clause_id: str | None = None, min_coverage: float = MIN_COVERAGE
    ) -> Answer | None:
        """The sentence(s) that best answer the question, quoted with their clause."""
        topics = set(parse.values("topic"))

        def weight(key: int) -> float:
            passage = self.catalog.passages[key]
            if clause_id is not None and passage.clause.id != clause_id:
                return 0.0
            return NAMED_BOOST if topics & set(passage.clause.topics) else 1.0

        ranked = [
            (self.catalog.passages[key], score)
            for key, score in self._search(
                self.catalog.passage_index, parse, weight, min_coverage=min_coverage
            )
        ]
        best, score = self._best(ranked)
        if not best:
            return None
        views = [self._passage_view(p) for p in best]
        reply = Reply("qa/passages", {"passages": views})
        return self._make(parse, "passages", reply, [v["clause"] for v in views], score)

    def _topic_overview(self, parse: Parse, topics: Sequence[Topic]) -> Answer:
        sections = []
        for topic in topics[:2]:
            duties = [
                self._duty_view(d)
                for _, d in self.catalog.duties.values()
                if self._about(d, {topic.id})
            ]
            sections.append(
                {"topic": topic, "clauses": self._topic_clauses(topic), "duties": duties}
            )
        reply = Reply("qa/topic_overview", {"sections": sections})
        citations = [c.label for topic in topics[:2] for c in self._topic_clauses(topic)]
        return self._make(parse, "topic_overview", reply, citations)

    def _topic_clauses(self, topic: Topic) -> list[Clause]:
        return [self.catalog.clauses[c][1] for c in topic.clauses if c in self.catalog.clauses]

    def _figure(self, parse: Parse) -> Answer | None:
        keys, score = self._best(self._search(self.catalog.figure_index, parse))
        # A number in the question that the figure's text lacks ("năm 2024") means
        # the question is about some other figure, which the directive does not give.
        figures = [
            self.catalog.figure(k)
            for k in keys
            if self._numbers_match(parse, self.catalog.figure(k))
        ]
        return self._figure_answer(parse, figures, score) if figures else None

    def _figure_answer(self, parse: Parse, figures: Sequence[Figure], score: float) -> Answer:
        # A breakdown shown under its total is not repeated on its own.
        shown = {f.id for f in figures}
        views: list[dict[str, Any]] = []
        for figure in (f for f in figures if f.parent not in shown):
            parts = [f for f in self.catalog.figures.values() if f.parent == figure.id]
            views.append(
                {
                    "figure": figure,
                    "parts": parts,
                    "clause": self._label(figure.clause),
                    "context": self._context_of(figure),
                }
            )
        reply = Reply("qa/figure", {"figures": views})
        return self._make(parse, "figure", reply, [v["clause"] for v in views], score)

    def _context_of(self, figure: Figure) -> str:
        """The passage around the figure's quote, unless it also states unrelated
        figures (then the quote alone: the answer must not read as a dump)."""
        family = {figure.id, figure.parent} | {
            f.id for f in self.catalog.figures.values() if f.parent == figure.id
        }
        others = [
            f.value
            for f in self.catalog.figures.values()
            if f.id not in family and len(f.value) >= 3  # "3" (cấp) is in every date
        ]
        around = [
            p.text
            for p in self.catalog.passages
            if p.clause.id == figure.clause
            and figure.quote in p.text
            and not any(value in p.text for value in others)
        ]
        return min(around, key=len) if around else figure.quote

    def _numbers_match(self, parse: Parse, figure: Figure) -> bool:
        clauses = {e.text for e in parse.entities if e.entity == "clause"}
        asked = [t for t in parse.tokens if any(c.isdigit() for c in t) and t not in clauses]
        known = self._figure_numbers[figure.id] | self._directive_numbers
        return all(number_forms([t]) & known for t in asked)

    def _metadata(self, parse: Parse) -> Answer:
        directive = self._directive()
        wants_recipients = any(t in parse.tokens for t in ("nhan", "gui"))
        reply = Reply("qa/metadata", {"d": directive, "recipients": wants_recipients})
        return self._make(parse, "metadata", reply, ["Phần đầu và phần ký của văn bản"])

    def _shortcomings(self, parse: Parse) -> Answer:
        clause = self._clause_with_suffix("shortcomings")
        reply = Reply("qa/shortcomings", {"clause": clause})
        return self._make(parse, "shortcomings", reply, [clause.label])

    def _results(self, parse: Parse) -> Answer:
        """The results paragraph: the sentence asked about, or its figures."""
        clause = self._clause_with_suffix("results")
        if not self._only_names(parse):
            # A question about one result ("hệ thống quản lý văn bản dùng chung cho ai")
            # gets its sentence when it matches one strongly; otherwise the overview.
            specific = self._passages(parse, clause.id)
            if specific and specific.evidence >= STRONG_MATCH and self._about_itself(
                parse, clause, specific
            ):
                return specific
            # A sentence holding every content word of the question answers it too.
            complete = self._passages(parse, clause.id, min_coverage=1.0)
            if complete and self._about_itself(parse, clause, complete):
                return complete
        figures = [
            f for f in self.catalog.figures.values() if f.clause == clause.id and not f.parent
        ]
        reply = Reply("qa/results", {"clause": clause, "figures": figures})
        return self._make(parse, "results", reply, [clause.label])

    def _about_itself(self, parse: Parse, clause: Clause, answer: Answer) -> bool:
        """Whether the quoted sentences hold the question's own words, not only those
        of the clause's heading, which every piece of the clause is indexed with ("kết
        quả ứng dụng CNTT ..., cho xin số liệu" asks for the results, not one piece)."""
        heading = set(self.catalog.normalizer.tokens(f"{clause.title} {clause.label}"))
        named = {t for e in parse.entities for t in e.text.split()}
        own = set(parse.tokens) - heading - named - self.generic_words  # stopwords included
        if not own:
            return False
        quoted = {
            t
            for view in answer.reply.data["passages"]
            for t in self.catalog.normalizer.tokens(view["text"])
        }
        return len(own & quoted) >= len(own) / 2

    def _clause_with_suffix(self, suffix: str) -> Clause:
        """The introduction's parts are "intro.results" and "intro.shortcomings"."""
        return next(c for _, c in self.catalog.clauses.values() if c.id.endswith(suffix))

    def _small_talk(self, parse: Parse) -> Answer:
        reply = Reply(
            f"qa/{parse.intent}", {"directive": self._directive(), "examples": self._defaults()}
        )
        return self._make(parse, parse.intent, reply)

    # Refusals and suggestions.

    def _defaults(self) -> list[str]:
        return [s.payload for s in self.suggestions(())]

    def _build_suggestion_bank(self) -> list[list[str]]:
        """Questions the assistant answers well, in three groups: deadlines, agencies
        with duties of their own, topics; and the FAQ's questions."""
        deadlines = [self.wordings.deadlines]
        agencies = [
            self.wordings.agency.format(name=a.short_name)
            for a in self.catalog.kb.agencies
            if a.kind != "group" and any(x.direct for x in self.catalog.assignments(a))
        ]
        topics = [
            self.wordings.topic.format(name=lower_first(t.name))
            for t in self.catalog.topics.values()
        ]
        faq = [f.question for f in self.catalog.kb.faq]
        return [deadlines, agencies, topics, faq]

    def suggestions(self, tokens: Sequence[str], limit: int = 3) -> tuple[Button, ...]:
        """Questions the assistant can answer: the closest to `tokens`, or without
        any match, one each about deadlines, an agency and a topic."""
        ranked = [
            self._suggestion_texts[h.key] for h in self._suggestion_index.search(tokens, limit)
        ]
        defaults = [group[0] for group in self._suggestion_bank[:3] if group]
        chosen = list(dict.fromkeys([*ranked, *defaults]))[:limit]
        return tuple(Button(question, question) for question in chosen)

    def _did_you_mean(self, parse: Parse) -> Answer:
        reply = Reply("qa/did_you_mean", {}, self.suggestions(parse.tokens))
        return self._make(parse, "did_you_mean", reply)

    def _refuse(self, parse: Parse, place: str = "", subject: str = "") -> Answer:
        buttons = self.suggestions(parse.tokens if parse.known_share > 0 else ())
        data = {"directive": self._directive(), "place": place, "subject": subject}
        reply = Reply("qa/refusal", data, buttons)
        return self._make(parse, "refusal", reply)


def _preceded_by(tokens: Sequence[str], phrase: Sequence[str], words: frozenset[str]) -> bool:
    """Whether a name (`phrase`: its tokens without fillers such as "va", as the
    gazetteer gives them) occurs in `tokens` right after one of `words`."""
    for i in range(1, len(tokens)):
        if tokens[i - 1] not in words:
            continue
        following = [t for t in tokens[i : i + 2 * len(phrase)] if t not in FILLERS]
        if following[: len(phrase)] == list(phrase):
            return True
    return False
