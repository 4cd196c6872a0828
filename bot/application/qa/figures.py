"""Answers with a figure the directive states ("bao nhiêu tài khoản thư điện tử",
"819 là gì"): the figure, its breakdown and the passage around it.

A number in the question that the figure's text lacks means another figure, which
the directive does not give: then no answer, never a loosely related one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.counts import COUNT_MARKERS, DUTY_NOUNS, counted_words, owned_count
from bot.application.qa.matching import OF_THE_PROVINCE, Matcher, best, contains, number_forms
from bot.application.qa.views import label
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Figure
from nlu.engine import Parse
from nlu.normalize import fold


def figure(matcher: Matcher, parse: Parse) -> Answer | None:
    catalog = matcher.catalog
    keys, score = best(matcher.search(catalog.figure_index, parse))
    # A number in the question that the figure's text lacks ("năm 2024") means
    # the question is about some other figure, which the directive does not give.
    figures = [catalog.figure(k) for k in keys if matcher.numbers_match(parse, catalog.figure(k))]
    # "Sở Nội vụ có bao nhiêu cán bộ": a figure of the agency's own, which a figure of
    # the whole province (naming neither it nor a group of it) is not.
    # "tỷ lệ ... bao nhiêu" asks for a share, "bao nhiêu dịch vụ" for a number: of
    # figures on the same thing, those of the kind asked, when the best match is one
    # (else the question is about what the other kind measures: both are shown).
    shares = [f for f in figures if f.value.rstrip().endswith("%")]
    if shares and len(shares) < len(figures):
        kind = shares if _asks_share(parse) else [f for f in figures if f not in shares]
        figures = kind if figures[0] in kind else figures
    owners = owned_count(parse)
    if owners:
        figures = [f for f in figures if _names_any(catalog, f, owners)]
    return figure_answer(catalog, parse, figures, score) if figures else None


# How a question asks for a share rather than a number (folded).
SHARE_WORDS = ("ty le", "phan tram", "%", "bao nhieu phan")


def _asks_share(parse: Parse) -> bool:
    asked = " ".join(parse.tokens)
    return any(w in asked for w in SHARE_WORDS)


def _names_any(catalog: Catalog, stated: Figure, agency_ids: Sequence[str]) -> bool:
    """Whether the figure's words name one of the agencies, or a group it belongs to."""
    words = " " + " ".join(catalog.normalizer.tokens(" ".join((stated.label, stated.quote)))) + " "
    named = {a for name, a in catalog.agency_names.items() if f" {name} " in words}
    for agency_id in agency_ids:
        agency = catalog.agencies[agency_id]
        if named & ({agency_id} | {g.id for g in catalog.groups_of(agency)}):
            return True
    return False


def by_figure_value(matcher: Matcher, parse: Parse) -> Answer | None:
    """ "819 là gì": a number of three digits or more, or a percentage, that the
    directive states, identifies its figure whatever the wording around it."""
    catalog = matcher.catalog
    dates = {token for e in parse.entities if e.entity == "date" for token in e.text.split()}
    asked = {
        form
        for token in parse.tokens
        if token not in dates  # "30/6" is a day, not the 30% the directive states
        and (token.endswith("%") or sum(c.isdigit() for c in token) >= 3)
        for form in number_forms([token])
    } - matcher.directive_numbers
    if not asked:
        return None
    matching = [
        f
        for f in catalog.figures.values()
        if asked & number_forms(catalog.normalizer.tokens(f.value))
    ]
    if not matching:
        return None
    # "100% UBND xã đã có trang TTĐT chưa?": of the figures with that value, those on
    # what the question names; and when a figure of another value is on it and none
    # of them is ("hơn 30%" of the communes), that one: the number asked is not it.
    shared = {f.id: _shared_words(matcher, parse, f) for f in catalog.figures.values()}
    most = max(shared[f.id] for f in matching)
    on_it = [f for f in matching if shared[f.id] == most]
    closer = [f for f in catalog.figures.values() if shared[f.id] > most and not f.parent]
    if closer:
        best_shared = max(shared[f.id] for f in closer)
        return figure_answer(
            catalog, parse, [f for f in closer if shared[f.id] == best_shared], 1.0
        )
    return figure_answer(catalog, parse, on_it, 1.0)


def _shared_words(matcher: Matcher, parse: Parse, stated: Figure) -> int:
    """How many of the question's own words (not generic, not numbers) the figure's
    label, quote and keywords hold."""
    ignored = matcher.generic_words | matcher.catalog.stopwords
    own = {t for t in parse.tokens if t not in ignored and not any(c.isdigit() for c in t)}
    words = matcher.catalog.normalizer.tokens(
        " ".join((stated.label, stated.quote, *stated.keywords))
    )
    return len(own & set(words))


def figure_answer(
    catalog: Catalog, parse: Parse, figures: Sequence[Figure], score: float
) -> Answer:
    # A breakdown shown under its total is not repeated on its own.
    shown = {f.id for f in figures}
    views: list[dict[str, Any]] = []
    quoted: set[str] = set()
    for stated in (f for f in figures if f.parent not in shown):
        parts = [f for f in catalog.figures.values() if f.parent == stated.id]
        context = context_of(catalog, stated)
        views.append(
            {
                "figure": stated,
                "parts": parts,
                "clause": label(catalog, stated.clause),
                # A sentence stating two of the figures is quoted once.
                "context": "" if context in quoted else context,
            }
        )
        quoted.add(context)
    # "Danh sách 819 dịch vụ công gồm những dịch vụ nào": the text counts them only.
    listed = any(contains(parse.tokens, list(w)) for w in LIST_ASKS)
    reply = Reply("qa/figure", {"figures": views, "list_asked": listed})
    return make(parse, "figure", reply, [v["clause"] for v in views], score)


# How a question asks for the members of what a figure counts, folded.
LIST_ASKS = (("danh", "sach"), ("gom", "nhung"), ("la", "nhung"), ("cu", "the", "la"))


def context_of(catalog: Catalog, stated: Figure) -> str:
    """The passage around the figure's quote, unless it also states unrelated
    figures (then the quote alone: the answer must not read as a dump)."""
    family = {stated.id, stated.parent} | {
        f.id for f in catalog.figures.values() if f.parent == stated.id
    }
    others = [
        f.value
        for f in catalog.figures.values()
        if f.id not in family and len(f.value) >= 3  # "3" (cấp) is in every date
    ]
    around = [
        p.text
        for p in catalog.passages
        if p.clause.id == stated.clause
        and stated.quote in p.text
        and not any(value in p.text for value in others)
    ]
    return min(around, key=len) if around else stated.quote


# What a quantity may be counted in besides things: a share, a time, an amount of money
# ("bao nhiêu phần trăm", "bao nhiêu ngày", "bao nhiêu tiền"), or people, whom the
# figures count as accounts or signatures: asked otherwise, never refused for want of
# a figure counting them (the text may answer "kịp thời").
NOT_THINGS = frozenset(
    {"phan", "ty", "le", "ngay", "thang", "nam", "lau", "lan", "gio", "tuan", "quy", "tien"}
    | {"muc", "do", "diem", "nhieu", "phut", "%", "nguoi", "hom", "bua"}
)
# Words that count units of what follows ("bao nhiêu mắt camera").
COUNTERS = frozenset({"mat", "chiec"})
# "cấp huyện" names a level, not the districts counted.
LEVEL_MARK = "cap"


def uncounted(matcher: Matcher, parse: Parse) -> str:
    """The words of what a "bao nhiêu X" question counts (folded), when no figure of the
    directive counts X ("tỉnh có bao nhiêu huyện", "BCĐ gồm bao nhiêu thành viên"):
    then no figure answers it; "" when one may, or the question counts nothing."""
    catalog = matcher.catalog
    tokens = parse.tokens
    # "mấy" folds to "máy" (a machine): a marker only where it was typed so.
    markers = [m for m in COUNT_MARKERS if m != ("may",) or "mấy" in parse.text.lower()]
    for marker in markers:
        n = len(marker)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i : i + n]) != marker:
                continue
            if marker == ("may",) and tokens[i - 1 : i] in (("so",), ("thu",)):
                return ""  # "số mấy", "thứ mấy": which number or rank, no count
            after = [t for t in counted_words(tokens, i + n, 4) if t not in COUNTERS]
            if not after or after[0] in NOT_THINGS | DUTY_NOUNS | catalog.stopwords:
                return ""
            # "bao nhiêu huyện có …": a word of one syllable, then the rest of the question.
            counted = after[:1] if after[1:2] and after[1] in catalog.stopwords else after[:2]
            if set(counted) & set(parse.unknown_words):
                return ""  # a typo ("chứứng thư"): what it counts is not known
            # What else it says of them ("... được cấp thư điện tử"), as pairs of words
            # in a row: "công nghệ" shares a word with "công chức", and no pair.
            ignored = {*counted, *marker} | matcher.generic_words | OF_THE_PROVINCE
            words = [t for t in tokens if t not in ignored]
            rest = set(pairwise(words))
            return "" if _figure_counts(catalog, counted, rest) else " ".join(counted)
    return ""


def _figure_counts(catalog: Catalog, counted: Sequence[str], rest: set[tuple[str, str]]) -> bool:
    """Whether some figure's words hold what is counted: its words in a row, and a
    single word not as a level ("cấp huyện"). A figure counting something else (the
    accounts of "9.289 tài khoản ... cho công chức") counts them only for a question
    sharing `rest`, another of its words ("bao nhiêu công chức được cấp thư điện
    tử"): "tỉnh có bao nhiêu công chức" is not asked by it."""
    asked = " ".join(counted)
    tokens = catalog.normalizer.tokens
    for stated in catalog.figures.values():
        unit = tokens(stated.unit)
        # "bao nhiêu cấp chính quyền": the figure's unit, "cấp"; not "cấp xã", a level.
        of_level = counted[:1] == [LEVEL_MARK] and counted[1:2] in (["xa"], ["huyen"], ["tinh"])
        if unit and list(counted[: len(unit)]) == unit and not of_level:
            return True
        said = " ".join((stated.label, stated.quote, *stated.keywords))
        if not rest & set(pairwise(tokens(said))):
            continue
        # Its words as the lexicon reads them and as typed ("chứng thư số" is read
        # "chữ ký số", and a typo's correction may give it back as typed).
        words = tokens(said) + fold(said).split()
        if len(counted) > 1 and f" {asked} " in f" {' '.join(words)} ":
            return True
        if len(counted) == 1 and any(
            w == asked and (i == 0 or words[i - 1] != LEVEL_MARK) for i, w in enumerate(words)
        ):
            return True
    return False


def typed_count(text: str, counted: str, whole: bool = False) -> str:
    """The words of `counted` (folded) as the question typed them ("thành viên");
    `whole`: with the words that follow them in the same phrase ("xã đạt chuẩn nông
    thôn mới", up to a punctuation mark or the words closing the question)."""
    wanted = counted.split()
    words = text.split()
    typed = [w.strip("?.!,;:") for w in words]
    folded = [fold(w) for w in typed]
    n = len(wanted)
    for i in range(len(typed) - n + 1):
        if folded[i : i + n] == wanted:
            end = i + n
            while (
                whole
                and end < len(typed)
                and end - i < MAX_COUNTED_WORDS
                and words[end - 1] == typed[end - 1]  # no punctuation ends the phrase
                and folded[end] not in QUESTION_CLOSERS
            ):
                end += 1
            return " ".join(typed[i:end])
    return counted


# The most words a count's subject is named with, and the words closing a question
# after it ("… là bao nhiêu", "… không", "… vậy"), folded.
MAX_COUNTED_WORDS = 7
QUESTION_CLOSERS = frozenset({"la", "khong", "ko", "vay", "a", "the", "nao", "nhi", "ha", "nhe"})


# "… các chỉ số đánh giá cấp tỉnh gồm PAPI, PCI, PAR index, ICT Index": a list the
# text gives after "gồm", which counts what it names. Its items are a few words each.
_LISTED = re.compile(r"(?<!\w)gồm\s+([^.;:]+)")
_LIST_ENDS = re.compile(r"\s+(?:thì|để|nhằm|và các)\s+")
_MAX_ITEM_WORDS = 4
# Words of the text between what is counted and its "gồm" ("chỉ số đánh giá cấp tỉnh").
_MAX_WORDS_BEFORE = 6


def listed_count(matcher: Matcher, parse: Parse, counted: str) -> Answer | None:
    """ "mấy chỉ số đánh giá cấp tỉnh": no figure counts them, but a sentence lists
    them after "gồm": how many it lists, and which, quoted."""
    catalog = matcher.catalog
    wanted = counted.split()
    for passage in catalog.passages:
        for found in _LISTED.finditer(passage.text):
            before = catalog.normalizer.tokens(passage.text[: found.start()])[-_MAX_WORDS_BEFORE:]
            if not contains(before, wanted):
                continue
            listed = _LIST_ENDS.split(found.group(1))[0]
            items = [i.strip() for i in re.split(r",|\s+và\s+", listed) if i.strip()]
            if len(items) < 2 or any(len(i.split()) > _MAX_ITEM_WORDS for i in items):
                continue
            clause = label(catalog, passage.clause.id)
            noun = typed_count(parse.text, counted)
            data = {"count": len(items), "noun": noun, "items": items, "clause": clause}
            data["quote"] = passage.text
            reply = Reply("qa/listed_count", data)
            return make(parse, "figure", reply, [clause], 1.0, passage.duty_ids)
    return None
