"""Questions when several directives are active: which one a question is about.

A question naming a directive (its number: "Chỉ thị 99/CT-UBND", "chỉ thị số 06"; or
its year: "chỉ thị năm 2019") is answered from that directive alone; a follow-up
stays with the directive of the answer it follows. Otherwise each directive's
passages and duties are searched (two index look-ups each, no answering), and the
question goes to the directive that fits best, or, when several fit about as well,
the user is asked which one. "Những chỉ thị nào đang áp dụng?" lists them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TypeVar

from bot.application.messages import Button, Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.document import DOCUMENT_TYPES, documents_named
from bot.application.qa.duties import DUTY_WORDS
from bot.application.qa.followup import STATUS_WORDS, WHEN_WORDS
from bot.application.qa.matching import MIN_COVERAGE, MIN_MATCH, STRONG_MATCH, Matcher, contains
from bot.application.qa.topics import distinct_passages
from bot.application.qa.views import passage_view
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Directive, split_key
from nlu.engine import Parse
from nlu.normalize import fold
from nlu.retrieval import Hit

# A directive fits about as well as the best when its score is at least this share
# of the best one's; below MIN_FIT nothing fits and the first directive answers (small
# talk, refusals, suggestions read the same whichever directive answers them).
CLOSE_FIT = 0.9
MIN_FIT = 0.1
# Hits read per directive held: a directive whose best hit is not among them scores
# far below the best one (copies of a text rank their twin passages side by side).
HITS_PER_DIRECTIVE = 5
_LISTING = re.compile(
    r"\b(nhung|cac) (chi thi|van ban)\b.*\b(dang ap dung|con hieu luc|dang co hieu luc)\b"
    r"|\b(chi thi|van ban) nao\b.*\b(ap dung|hieu luc)\b|\bdanh sach (cac )?chi thi\b"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
T = TypeVar("T")


def asks_for_directives(text: str) -> bool:
    """ "Những chỉ thị nào đang áp dụng?", "các văn bản nào đang có hiệu lực?"."""
    return bool(_LISTING.search(fold(text)))


def listing(catalog: Catalog, parse: Parse) -> Answer:
    views = [_view(d) for d in catalog.directives.values()]
    return make(parse, "directives", Reply("qa/directives", {"directives": views}))


def _view(directive: Directive) -> dict[str, object]:
    return {"name": directive.name, "title": directive.title, "issued": directive.issued}


def named(catalog: Catalog, parse: Parse, text: str) -> list[str]:
    """Directives the question names: by number, by the words of its title right
    after its type ("chỉ thị (năm 2021) về chuyển đổi số", "chỉ thị chuyển đổi số"),
    or by "chỉ thị ... <year>"."""
    held = {(d.doc_type, _first(d.number)): d.id for d in catalog.directives.values()}
    found = [
        held[(name, first)]
        for name, _, first in documents_named(parse.tokens)
        if (name, first) in held
    ]
    if found:
        return list(dict.fromkeys(found))
    by_title = [d for r in references(catalog, parse.tokens) for d in r.subject]
    if by_title:
        return list(dict.fromkeys(d for d in by_title if d in catalog.directives))
    folded = fold(text)
    if not any(" ".join(words) in folded for words in DOCUMENT_TYPES):
        return []
    years = {int(y) for y in _YEAR.findall(folded)}
    return [d.id for d in catalog.directives.values() if d.issued.year in years]


@dataclass(frozen=True)
class Reference:
    """Where a question names a directive (tokens `start` to `end`): "chỉ thị số 06
    năm 2021", "chỉ thị năm 2021 về chuyển đổi số"; the first numbers and the years
    it gives, and the directives whose title its words are (`subject`)."""

    start: int
    end: int
    type_length: int  # how many of its words are the type ("chỉ thị": 2)
    numbers: tuple[int, ...]
    years: tuple[int, ...]
    subject: tuple[str, ...]


# A title's words name its directive from this many on ("chuyển đổi số"): one word
# ("số") is a word of the question, not the title.
MIN_TITLE_WORDS = 2


def references(catalog: Catalog, tokens: Sequence[str]) -> list[Reference]:
    """Each place the question names a held directive by its type ("chỉ thị") and
    what follows it: its number ("số 06/CT-UBND"), year ("năm 2021"), and words of
    its title ("về chuyển đổi số"). Title words name a directive only when not every
    held directive's title holds them ("tỉnh Bắc Ninh")."""
    titles = {d.id: catalog.normalizer.tokens(d.title) for d in catalog.held}
    types = {tuple(catalog.normalizer.tokens(d.doc_type)) for d in catalog.held}
    found = []
    for words in types:
        for start in range(len(tokens) - len(words) + 1):
            if tuple(tokens[start : start + len(words)]) != words:
                continue
            end = start + len(words)
            numbers: list[int] = []
            years: list[int] = []
            while end < len(tokens):
                token, after = tokens[end], tokens[end + 1 : end + 2]
                if _has_digit(token):
                    (years if _YEAR.fullmatch(token) else numbers).append(_first(token) or 0)
                elif not (token in ("so", "nam") and after and _has_digit(after[0])):
                    break  # "số", "năm" only before a number: "chỉ thị số hóa" is no name
                end += 1
            about = end + 1 if list(tokens[end : end + 1]) == ["ve"] else end
            length, subject = _title_words(titles, tokens[about:], catalog.stopwords)
            end = about + length if length else end
            found.append(Reference(start, end, len(words), tuple(numbers), tuple(years), subject))
    return found


def _title_words(
    titles: Mapping[str, Sequence[str]], rest: Sequence[str], stopwords: frozenset[str]
) -> tuple[int, tuple[str, ...]]:
    """How many of the first words of `rest` are words of some titles, as a phrase
    (the longest), and the directives of those titles; (0, ()) when none."""
    for length in range(len(rest), MIN_TITLE_WORDS - 1, -1):
        phrase = rest[:length]
        if all(t in stopwords for t in phrase):
            continue
        holders = tuple(d for d, title in titles.items() if contains(title, phrase))
        if holders:
            return (length, holders) if len(holders) < len(titles) else (0, ())
    return 0, ()


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def without_reference(catalog: Catalog, parse: Parse) -> str:
    """The question without the words naming its directive but its type ("chỉ thị năm
    2021 về chuyển đổi số giao Công an tỉnh việc gì" -> "chi thi giao cong an tinh viec
    gi", normalized), "" when it names none or is nothing else ("Chỉ thị 15/CT-UBND?").
    Those words say which document is asked about, not what about it: classified,
    «năm 2021 về chuyển đổi số» hides «giao Công an tỉnh việc gì»; the title's
    «chuyển đổi số», taken for a topic, narrows an agency's duties to the few that
    repeat it; and «15» is found in «trước ngày 15 của tháng cuối quý»."""
    spans = [r for r in references(catalog, parse.tokens) if r.numbers or r.years or r.subject]
    # Its type stays: "chỉ thị do ai ký" asks about the document, "do ai ký" need not.
    removed = {i for r in spans for i in range(r.start + r.type_length, r.end)}
    kept = [t for i, t in enumerate(parse.tokens) if i not in removed]
    types = {i for r in spans for i in range(r.start, r.start + r.type_length)}
    asked = len(kept) > len(types)  # more than "chỉ thị"
    return " ".join(kept) if removed and asked else ""


def wrong_years(catalog: Catalog, parse: Parse) -> list[tuple[Directive, int]]:
    """The directives named by number with a year not theirs ("Chỉ thị 06/CT-UBND năm
    2021": 06 is of 2019), with the year given."""
    found = []
    for reference in references(catalog, parse.tokens):
        for directive in catalog.held:
            named_by_number = _first(directive.number) in reference.numbers
            if named_by_number and reference.years and directive.issued.year not in reference.years:
                found.append((directive, reference.years[0]))
    return found


def wrong_year_note(catalog: Catalog, parse: Parse) -> Reply | None:
    """One line saying the year is not the directive's, said before the answer."""
    found = wrong_years(catalog, parse)
    if not found:
        return None
    views = [{"name": d.name, "issued": d.issued, "asked": year} for d, year in found]
    return Reply("qa/wrong_year", {"directives": views})


def about(catalog: Catalog, text: str) -> str:
    """The directive an admin's FAQ question is about: the only one active, or the one
    it names; ANY ("") for every one when several are active and it names none (a
    guess from its words would hide the entry from the others' questions)."""
    if len(catalog.directives) == 1:
        return next(iter(catalog.directives))
    parse = Parse(text=text, tokens=tuple(catalog.normalizer.tokens(text)), intent="", confidence=0)
    chosen = named(catalog, parse, text)
    return chosen[0] if len(chosen) == 1 else ANY


ANY = ""  # every directive (bot.application.admin.content.ANY_DIRECTIVE)


def _first(number: str) -> int | None:
    head = re.split(r"[/\-.]", number)[0]
    return int(head) if head.isdigit() else None


def from_context(duty_keys: tuple[str, ...], directives: Mapping[str, object]) -> str | None:
    """The directive of the duties a follow-up reads its question against."""
    found = {split_key(key)[0] for key in duty_keys} & set(directives)
    return found.pop() if len(found) == 1 else None


# How a question asks when (folded), whatever kind of question the classifier takes it
# for: "xong trước ngày nào" is often read as a figure.
WHEN_ASKED = ("han", "khi nao", "bao gio", "ngay nao", "truoc ngay", "thoi gian nao")


def asks_when(parse: Parse, sure: float = 0.0) -> bool:
    """Whether the question asks when: in words, or as the classifier reads it (when
    at least `sure` of it)."""
    asked = f" {' '.join(parse.tokens)} "
    classified = parse.intent == "ask_deadline" and parse.confidence >= sure
    return classified or any(f" {w} " in asked for w in WHEN_ASKED)


def fits(catalog: Catalog, text: str, asks_when: bool = False) -> list[str]:
    """The directives that fit the question best (the best first), or [] when none
    does: each directive's best passage and duty scores, from the indexes over all of
    them (two look-ups whatever the number of directives: answers with five loaded
    stay about as fast as with one).

    A word of the question only one directive holds («LGSP») chooses it, unless
    another directive holds a two-word phrase of the question no other does («toàn
    trình»): a phrase of common words is weaker evidence, enough to contest a claim,
    not to make one («điều hành dùng» is 06/2019's by chance). Words asking when are
    no part of the subject. When the claim is contested or none is made, a question
    asking when (`asks_when`) goes to the directive that states its subject as a duty
    with a deadline, not to one that mentions it in passing (a preamble, a standing
    duty): «dịch vụ công trực tuyến toàn trình hạn bao giờ?» is 15/2021's dated duty,
    though 06/2019 speaks of «dịch vụ công trực tuyến» more."""
    words = catalog.normalizer.tokens(text)
    tokens = [t for t in words if t not in catalog.stopwords]
    subject = [t for t in tokens if t not in WHEN_WORDS]
    if asks_when and all(t in DUTY_WORDS or t in STATUS_WORDS for t in subject):
        # "Những việc nào có thời hạn?": when, of no subject; so of each directive
        # that dates a duty alike, whatever its words score.
        return [d.id for d in catalog.directives.values() if _dates(d)]
    owners = _owners(catalog.words_by_directive, [t for t in subject if _own_word(t)])
    if len(owners) == 1:
        phrases = _phrases(words, catalog.stopwords | WHEN_WORDS)
        contest = _owners(catalog.phrases_by_directive, phrases)
        if set(contest) <= set(owners):
            # A word of one directive alone ("LGSP"): the question is about it, however
            # much of the rest ("hạn", "nhiệm vụ") another directive's passages match.
            return owners
    depth = HITS_PER_DIRECTIVE * len(catalog.directives)
    duty_hits = catalog.duty_index.search(tokens, depth)
    if asks_when:
        dated = _best_per_directive(catalog, _dated(catalog, tokens, duty_hits))
        if dated:
            return dated
    found = [
        (catalog.passages[h.key].directive.id, h.score)
        for h in catalog.passage_index.search(tokens, limit=depth)
    ]
    found += [(split_key(h.key)[0], h.score) for h in duty_hits]
    return _best_per_directive(catalog, found)


def _dates(directive: Directive) -> bool:
    return any(d.timing.kind != "continuous" for d in directive.duties)


def _best_per_directive(catalog: Catalog, found: Sequence[tuple[str, float]]) -> list[str]:
    """The directives whose best score is close to the top one, best first; [] below
    MIN_FIT."""
    scores = dict.fromkeys(catalog.directives, 0.0)
    for directive_id, score in found:
        scores[directive_id] = max(scores[directive_id], score)
    top = max(scores.values(), default=0.0)
    if top < MIN_FIT:
        return []
    close = [d for d, s in scores.items() if s >= top * CLOSE_FIT]
    return sorted(close, key=lambda d: -scores[d])


def _dated(
    catalog: Catalog, tokens: Sequence[str], hits: Sequence[Hit[str]]
) -> list[tuple[str, float]]:
    """The hits that are duties with a deadline or a recurrence holding most of the
    question's words (those asking when aside): what a question asking when is about."""
    ignore = catalog.stopwords | WHEN_WORDS
    return [
        (split_key(h.key)[0], h.score)
        for h in hits
        if catalog.duties[h.key][1].timing.kind != "continuous"
        and h.score >= MIN_MATCH
        and catalog.duty_index.coverage(tokens, h.position, ignore) >= MIN_COVERAGE
    ]


OWN_WORD_LENGTH = 4  # shorter words ("so", "ban") are too often another word folded


def _own_word(token: str) -> bool:
    return len(token) >= OWN_WORD_LENGTH and not any(ch.isdigit() for ch in token)


def _phrases(words: Sequence[str], stopwords: frozenset[str]) -> list[tuple[str, str]]:
    """The question's two-word phrases, neither a stopword nor a number."""
    return [
        (a, b)
        for a, b in pairwise(words)
        if not ({a, b} & stopwords or any(ch.isdigit() for ch in a + b))
    ]


def _owners(held: Mapping[str, frozenset[T]], asked: Sequence[T]) -> list[str]:
    """The directives that alone hold one of `asked` (words or phrases)."""
    holders = [[d for d, own in held.items() if item in own] for item in asked]
    return sorted({found[0] for found in holders if len(found) == 1})


def named_term(matcher: Matcher, answer: Answer, text: str) -> Answer | None:
    """ "Chỉ thị 15 quy định gì về LGSP?" refused for a weak match (one rare word among
    the directive's name and "quy định gì"): the passages holding the question's
    other words, as a phrase, when it names a directive held. None for any other
    answer, and for refusals that say what is not covered (a subject, a place, a
    document), which quoting a passage would contradict."""
    parse, data = answer.parse, answer.reply.data
    if answer.kind != "refusal" or parse is None or any(data[k] for k in NAMED_REFUSALS):
        return None
    catalog = matcher.catalog
    # Its words naming the directive are gone from `parse` (`without_reference`).
    if not named(catalog, replace(parse, tokens=tuple(catalog.normalizer.tokens(text))), text):
        return None
    term = [
        t
        for t in parse.tokens
        if t not in matcher.generic_words and not any(ch.isdigit() for ch in t)
    ]
    index = catalog.passage_index
    scores = dict(zip(index.keys, index.scores(parse.tokens), strict=True))
    holding = sorted(
        (p for p in catalog.passages if contains(matcher.passage_tokens[p.key], term)),
        key=lambda p: -scores[p.key],
    )
    shown = distinct_passages(holding)[:MAX_TERM_PASSAGES]
    if not shown:
        return None
    views = [passage_view(catalog, p) for p in shown]
    reply = Reply("qa/passages", {"passages": views})
    duty_ids = [d for p in shown for d in p.duty_ids]
    citations = [v["clause"] for v in views]
    return make(parse, "passages", reply, citations, STRONG_MATCH, duty_ids)


# What a refusal says is not covered: a passage holding the words does not answer it.
NAMED_REFUSALS = ("subject", "place", "document")
MAX_TERM_PASSAGES = 3


def of_faq(answer: Answer | None) -> list[str]:
    """The directive of the FAQ entry answering a question, if it is about one."""
    entry = answer.reply.data["entry"] if answer is not None else None
    return [entry.directive_id] if entry is not None and entry.directive_id else []


def which_one(catalog: Catalog, parse: Parse, text: str, candidates: list[str]) -> Answer:
    """Ask which directive the question is about; each choice asks it again, naming it."""
    chosen = [catalog.directives[d] for d in candidates]
    buttons = tuple(Button(d.name, f"{text.rstrip(' ?')} theo {d.name}?") for d in chosen)
    reply = Reply("qa/which_directive", {"directives": [_view(d) for d in chosen]}, buttons)
    return make(parse, "which_directive", reply)


def agency_parts(answers: Sequence[tuple[Directive, Answer | None]]) -> Answer | None:
    """An agency's duties from each directive that gives it any, one message each
    headed by the directive (a phone shows them one after the other), or None when
    no directive answers with its duties."""
    found = [(d, a) for d, a in answers if a is not None and a.kind == "duties" and a.citations]
    if len(found) < 2:
        return found[0][1] if found else None
    headed = [
        replace(a.reply, data={**a.reply.data, "directive": f"{d.name} ({d.issued.year})"})
        for d, a in found
    ]
    first = found[0][1]
    return replace(
        first,
        reply=headed[0],
        also=tuple(headed[1:]),
        citations=tuple(dict.fromkeys(c for _, a in found for c in a.citations)),
        duties=tuple(dict.fromkeys(k for _, a in found for k in a.duties)),
    )
