"""Finding what a question is about: the duties, passages, figures and FAQ entries
that match it, best first.

A match is a TF-IDF score that must also cover the question's content words (a high
cosine on one shared rare word is not an answer); duties of an agency or topic the
question names, or holding the action it asks about, rank above equally matching
others. Every answerer searches through one `Matcher`, so they all weigh evidence the
same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import TypeVar

import numpy as np

from bot.domain.catalog import Catalog
from bot.domain.knowledge import Duty, Figure
from nlu.engine import Parse
from nlu.entities import FILLERS
from nlu.retrieval import TfidfIndex

# How well a question must match a duty, passage or figure (mean of word and
# character TF-IDF cosines) to be answered from it. Below this the match is one or
# two common words, which is not evidence of what was asked.
MIN_MATCH = 0.18
# Share of a question's content words a document must contain to answer it.
MIN_COVERAGE = 0.5
# A match this strong is evidence on its own: it answers even when the classifier
# hesitates about the kind of question, and a quoted sentence of the results that
# matches this well answers a question about that one result.
STRONG_MATCH = 0.5
# A second hit is shown with the first only when it is nearly as good.
CLOSE_SECOND = 0.85
# Duties or passages of an agency or topic the question names rank above equally
# matching others.
NAMED_BOOST = 1.25
# Prior for "when is X due" questions: a duty with a date or recurrence is what
# such a question is usually about, so undated duties need a clearly better match.
UNDATED_DUTY_PRIOR = 0.75

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
# Words of a polite opening before what a message asks ("dạ", "cho tôi hỏi", "anh chị
# ơi", "xin hỏi", "a ơi"), folded.
POLITE_WORDS = frozenset(
    {"da", "cho", "toi", "em", "e", "minh", "hoi", "xin", "anh", "chi", "a", "oi", "vui", "long"}
)
# Words between a directive's name and its year ("chỉ thị số 06 năm 2019"), folded.
REFERENCE_WORDS = frozenset({"chi", "thi", "so", "nam", "ban", "hanh", "ct", "ubnd"})
T = TypeVar("T")
K = TypeVar("K")


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


def best(ranked: Sequence[tuple[T, float]], limit: int = 2) -> tuple[list[T], float]:
    """The top hit and any close second, with the top score; none below MIN_MATCH."""
    if not ranked or ranked[0][1] < MIN_MATCH:
        return [], 0.0
    top = ranked[0][1]
    return [item for item, score in ranked[:limit] if score >= top * CLOSE_SECOND], top


# Words of tense between the subject and its verb.
TENSE_WORDS = frozenset({"dang", "se", "da", "van", "hien"})


# "ai phụ trách (về) tuyên truyền": words saying someone is in charge, before the
# action they are in charge of.
IN_CHARGE = (("phu", "trach"), ("chiu", "trach", "nhiem"), ("dam", "nhan"), ("thuc", "hien"))


def _past_responsibility(words: list[str]) -> list[str]:
    for phrase in IN_CHARGE:
        if tuple(words[: len(phrase)]) == phrase:
            rest = words[len(phrase) :]
            rest = rest[1:] if rest[:1] == ["ve"] else rest
            # Only when an action follows: "ai chịu trách nhiệm" alone keeps its words.
            return rest if len(rest) >= 2 else words
    return words


def asked_action(parse: Parse, past_charge: bool = True) -> tuple[str, ...]:
    """ "Đơn vị nào hướng dẫn các huyện ...": the two words after the question's
    subject ("ai", "đơn vị nào", ...), which name what the one asked about does."""
    tokens = parse.tokens
    for who in WHO:
        n = len(who)
        for i in range(len(tokens) - n):
            if tuple(tokens[i : i + n]) == who:
                # "đơn vị nào đang quản lý ...": the tense is no part of the action.
                after = list(tokens[i + n :])
                while after and after[0] in TENSE_WORDS:
                    after.pop(0)
                after = _past_responsibility(after) if past_charge else after
                action = tuple(after[:2])
                return action if len(action) == 2 else ()
    return ()


# Negation, folded: a stopword as a word, yet what a question "nếu không thể chuyển ..."
# asks about is the sentence saying what happens when it is not done.
NEGATION = "khong"


def negates(tokens: Sequence[str]) -> bool:
    """Whether a "không" in `tokens` negates (not the yes/no particle that ends "có …
    không")."""
    return NEGATION in tokens[:-1]


def asks_for_a_list(parse: Parse) -> bool:
    """ "Những biện pháp gì ...", "các hoạt động nào ...": an enumeration is asked
    for, which one quoted sentence cannot answer."""
    tokens = parse.tokens
    markers = [i for i, t in enumerate(tokens) if t in LIST_MARKERS]
    asks = [i for i, t in enumerate(tokens) if t in LIST_QUESTION_WORDS]
    # "các biện pháp ATTT chỉ thị nêu ra": measures are many, asked with or without "gì".
    listed = any(tokens[i + 1 : i + 3] == ("bien", "phap") for i in markers)
    return bool(markers and ((asks and markers[0] < asks[-1]) or listed))


def preceded_by(tokens: Sequence[str], phrase: Sequence[str], words: frozenset[str]) -> bool:
    """Whether a name (`phrase`: its tokens without fillers such as "va", as the
    gazetteer gives them) occurs in `tokens` right after one of `words`."""
    for i in range(1, len(tokens)):
        if tokens[i - 1] not in words:
            continue
        following = [t for t in tokens[i : i + 2 * len(phrase)] if t not in FILLERS]
        if following[: len(phrase)] == list(phrase):
            return True
    return False


# Words after which an agency is where something goes ("báo cáo UBND tỉnh", "gửi cho
# Sở Nội vụ", "nộp về Sở TT&TT") or whom it is done with ("làm việc với Sở TT&TT"), not
# the one asked about (folded).
RECEIVING = TOWARDS | {"cao", "cho", "voi"}


def receivers_named(parse: Parse) -> set[str]:
    """The agencies the question names as where something goes."""
    return {
        e.value
        for e in parse.entities
        if e.entity == "agency" and preceded_by(parse.tokens, e.text.split(), RECEIVING)
    }


# "trung tâm dữ liệu (của) tỉnh": what the directive's subjects are of, asking nothing
# more specific of them (folded).
OF_THE_PROVINCE = frozenset({"tinh", "cua"})


class Matcher:
    """The catalog's indexes with the word and number sets that say which of a
    question's words count as evidence."""

    def __init__(self, catalog: Catalog, generic_words: frozenset[str] = frozenset()) -> None:
        self.catalog = catalog
        self.duty_tokens = {
            duty_id: catalog.normalizer.tokens(duty.text)
            for duty_id, (_, duty) in catalog.duties.items()
        }
        # Numbers that name the directive itself ("06/CT-UBND"), not a figure.
        self.directive_numbers = number_forms(
            catalog.normalizer.tokens(" ".join(d.number for d in catalog.kb.directives))
        )
        # Words that say nothing about which document answers: stopwords, "chỉ thị",
        # "quy định", and the directive's own number.
        self.generic_words = generic_words | catalog.stopwords | self.directive_numbers
        self.figure_numbers = {
            f.id: number_forms(
                catalog.normalizer.tokens(" ".join((f.label, f.value, f.quote, *f.keywords)))
            )
            for f in catalog.figures.values()
        }

    @cached_property
    def passage_tokens(self) -> list[list[str]]:
        """Each passage's words (normalized), by key: made on first use, which a
        refusal alone needs (`directives.named_term`)."""
        return [self.catalog.normalizer.tokens(p.text) for p in self.catalog.passages]

    def search(
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

    def only_names(self, parse: Parse) -> bool:
        """True when the question names things but asks nothing more specific about them."""
        named = {token for e in parse.entities for token in e.text.split()}
        return all(
            t in named or t in self.generic_words or t in OF_THE_PROVINCE for t in parse.tokens
        )

    def favoured_duties(self, parse: Parse) -> set[str]:
        """Duties of the agencies the question names as actors: not of one a report
        or a document goes to ("nộp danh sách về Sở TT&TT")."""
        recipients = {
            e.value
            for e in parse.entities
            if e.entity == "agency" and preceded_by(parse.tokens, e.text.split(), TOWARDS)
        }
        # Not a duty whose report goes through the agency ("báo cáo qua Sở TT&TT"):
        # asked what Sở TT&TT sends, the districts' list is no answer.
        return {
            a.duty.id
            for agency_id in parse.values("agency")
            if agency_id not in recipients
            for a in self.catalog.assignments(self.catalog.agencies[agency_id])
            if a.role != "via"
        }

    def ranked_duties(
        self, parse: Parse, prefer_dated: bool = False, action: Sequence[str] = ()
    ) -> list[tuple[Duty, float]]:
        """Duties matching the question; those of a named agency or topic, and those
        whose text holds the `action` asked about, are favoured."""
        favoured = self.favoured_duties(parse)
        topics = set(parse.values("topic"))

        def weight(duty_id: str) -> float:
            duty = self.catalog.duties[duty_id][1]
            factor = NAMED_BOOST if duty_id in favoured else 1.0
            if action and contains(self.duty_tokens[duty_id], action):
                factor *= NAMED_BOOST
            if topics:
                # "tuyên truyền về ứng dụng CNTT": a duty on both topics named before
                # one on either (every duty of Sở TT&TT is on "ứng dụng CNTT").
                factor *= NAMED_BOOST ** len(topics & self.topics_of(duty))
            if prefer_dated and duty.timing.kind == "continuous":
                factor *= UNDATED_DUTY_PRIOR
            return factor

        return [
            (self.catalog.duties[key][1], score)
            for key, score in self.search(self.catalog.duty_index, parse, weight)
        ]

    def as_telling(
        self,
        parse: Parse,
        found: Sequence[T],
        text: Callable[[T], str],
        ignored: frozenset[str] | None = None,
    ) -> list[T]:
        """The first hit, and a close second only when its text holds as many of the
        question's own words (those not `ignored`, by default the generic ones): a
        single fact is answered with one quote unless another says as much."""
        if not found:
            return []
        asked = set(parse.tokens) - (self.generic_words if ignored is None else ignored)

        def held(item: T) -> int:
            return len(asked & set(self.catalog.normalizer.tokens(text(item))))

        first = held(found[0])
        return [found[0], *(item for item in found[1:] if held(item) >= first)]

    def about(self, duty: Duty, topics: set[str]) -> bool:
        """Whether the duty, or without topics of its own its clause, is on one of `topics`."""
        return bool(topics & self.topics_of(duty))

    def topics_of(self, duty: Duty) -> set[str]:
        """The duty's topics, or without topics of its own its clause's."""
        return set(duty.topics or self.catalog.clause_of(duty).topics)

    def reference_years(self, parse: Parse) -> set[int]:
        """Positions of the years that date a directive the question names ("chỉ thị
        06 năm 2019 ...", "chỉ thị năm 2019"): they say which document is asked, not
        which figure or date of it."""
        years = {str(d.issued.year) for d in self.catalog.kb.directives}
        tokens = parse.tokens
        found = set()
        for i, token in enumerate(tokens):
            if token not in years:
                continue
            before = i - 1
            while before >= 0 and (
                tokens[before] in REFERENCE_WORDS
                or number_forms([tokens[before]]) & self.directive_numbers
            ):
                before -= 1
            reference = tokens[before + 1 : i]
            if "thi" in reference or number_forms(reference) & self.directive_numbers:
                found.add(i)
        return found

    def numbers_match(self, parse: Parse, figure: Figure) -> bool:
        """Whether every number the question gives (clause numbers aside) is one the
        figure states or the directive's own number."""
        clauses = {e.text for e in parse.entities if e.entity == "clause"}
        dating = self.reference_years(parse)
        asked = [
            t
            for i, t in enumerate(parse.tokens)
            if any(c.isdigit() for c in t) and t not in clauses and i not in dating
        ]
        known = self.figure_numbers[figure.id] | self.directive_numbers
        return all(number_forms([t]) & known for t in asked)
