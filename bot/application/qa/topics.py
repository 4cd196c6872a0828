"""Answers about what the directive says on a subject: the sentence(s) that answer
the question, quoted with their clause, or an overview of a named topic (its clauses
and duties) when a list is asked for or no sentence matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.document import clause_answer, clause_titled
from bot.application.qa.matching import (
    MIN_COVERAGE,
    NAMED_BOOST,
    STRONG_MATCH,
    Matcher,
    asks_for_a_list,
    best,
    negates,
)
from bot.application.qa.views import duty_view, passage_view
from bot.domain.catalog import Catalog, Passage
from bot.domain.knowledge import Clause, Topic
from nlu.engine import Parse


def topic(matcher: Matcher, parse: Parse) -> Answer | None:
    catalog = matcher.catalog
    topics = catalog.topics_named(parse.values("topic"))
    if topics and matcher.only_names(parse):
        return topic_overview(matcher, parse, topics)
    if topics and _asks_for_the_topics_list(parse):
        # "các hệ thống nào ưu tiên chuyển về TTDL", "những chỉ số nào bị ảnh hưởng khi
        # …": one sentence holding nearly every word of it names them; else the list.
        # ("những biện pháp ATTT nào" asks the topic's list: a word besides its name.)
        named = {t for e in parse.entities for t in e.text.split()}
        ignored = named | matcher.generic_words | matcher.catalog.stopwords | MEASURE_WORDS
        own = {t for t in parse.tokens if t not in ignored}
        held = passages(matcher, parse, min_coverage=HOLDS_NEARLY_ALL)
        if len(own) >= MIN_OWN_WORDS and held is not None and held.evidence >= STRONG_MATCH:
            return held
        return topic_overview(matcher, parse, topics)
    # ("quy định gì về sử dụng hệ thống quản lý văn bản": the point so headed, whole.)
    titled = clause_titled(catalog, parse, matcher.generic_words | catalog.stopwords)
    if titled is not None:
        return clause_answer(catalog, parse, [titled])
    answer = passages(matcher, parse)
    if answer is None and topics:
        return topic_overview(matcher, parse, topics)
    return answer


# The share of a list question's own words one sentence must hold to answer it alone.
HOLDS_NEARLY_ALL = 0.75
# ... and the words it must have besides the topics' names, at least, not counting
# those that only ask for measures ("những biện pháp gì để đảm bảo ATTT": the topic's
# list, not the sentence saying to apply measures).
MIN_OWN_WORDS = 3
MEASURE_WORDS = frozenset({"bien", "phap", "dam", "bao"})
# "những cơ quan nào", "các đơn vị nào": which bodies, folded.
BODIES_ASKED = (("co", "quan"), ("don", "vi"), ("to", "chuc"))
# "những loại giao dịch nào", "dạng file gì": a kind asked, which one sentence names.
KINDS_ASKED = frozenset({"loai", "dang", "kieu", "hinh"})


def _asks_for_the_topics_list(parse: Parse) -> bool:
    """An enumeration asked of topics ("những biện pháp ATTT nào") is their overview;
    not when it asks which kind of something ("những loại giao dịch nào"), nor which
    bodies ("dùng chung cho những cơ quan nào"): one sentence names them."""
    tokens = parse.tokens
    return asks_for_a_list(parse) and not KINDS_ASKED & set(tokens) and not asks_which_bodies(parse)


def asks_which_bodies(parse: Parse) -> bool:
    """ "… dùng chung cho những cơ quan nào": which bodies, a sentence names them."""
    tokens = parse.tokens
    return any(
        tokens[i + 1 : i + 3] in BODIES_ASKED and "nao" in tokens[i + 3 :]
        for i, t in enumerate(tokens)
        if t in ("nhung", "cac")
    )


def passages(
    matcher: Matcher, parse: Parse, clause_id: str | None = None, min_coverage: float = MIN_COVERAGE
) -> Answer | None:
    """The sentence(s) that best answer the question, quoted with their clause."""
    catalog = matcher.catalog
    topics = set(parse.values("topic"))
    # "nếu đơn vị không thể chuyển ... thì sao": the sentence saying what if it is not
    # done ("trường hợp ... không thể thực hiện ...") over those saying to do it.
    negated = negates(parse.tokens)

    def weight(key: int) -> float:
        passage = catalog.passages[key]
        if clause_id is not None and passage.clause.id != clause_id:
            return 0.0
        # A sentence of a clause on every topic named first ("tuyên truyền về ứng dụng
        # CNTT": Mục 2.e, not one on "ứng dụng CNTT" alone).
        factor = NAMED_BOOST ** len(topics & set(passage.clause.topics))
        if negated and negates(matcher.passage_tokens[key]):
            factor *= NAMED_BOOST
        return factor

    ranked = [
        (catalog.passages[key], score)
        for key, score in matcher.search(
            catalog.passage_index, parse, weight, min_coverage=min_coverage
        )
    ]
    content = tuple(t for t in parse.tokens if t not in matcher.generic_words)
    if best(ranked)[1] == 0.0 and content and content != parse.tokens:
        # "Chỉ thị có yêu cầu gì về phần mềm không": words asking of the directive in
        # general ("yêu cầu", "chỉ thị") weigh the sentences holding "phần mềm" below
        # a match; weighed on the subject's own words.
        return passages(matcher, replace(parse, tokens=content), clause_id, min_coverage)
    if negated and any(negates(catalog.normalizer.tokens(p.text)) for p, _ in ranked):
        # Only those that say "không", however much longer (a long sentence scores less).
        ranked = [hit for hit in ranked if negates(catalog.normalizer.tokens(hit[0].text))]
    found, score = best(ranked)
    if not found:
        return None
    distinct = distinct_passages(matcher.as_telling(parse, found, lambda p: p.text))
    dated = _dated_task_first(matcher, parse, [p for p, _ in ranked], found, distinct)
    distinct = dated or distinct
    views = [passage_view(catalog, p) for p in distinct]
    reply = Reply("qa/passages", {"passages": views})
    duty_ids = [d for p in distinct for d in p.duty_ids]
    return make(parse, "passages", reply, [v["clause"] for v in views], score, duty_ids)


def _dated_task_first(
    matcher: Matcher,
    parse: Parse,
    ranked: Sequence[Passage],
    found: Sequence[Passage],
    told: Sequence[Passage],
) -> list[Passage]:
    """ "chuyển hệ thống thông tin về trung tâm dữ liệu": when a close second is of a
    task with a date (Mục 1.c) and the best is not (Sở TT&TT guiding it, Mục 2.b), the
    task first (its sentence holding most of the question's words, then the one with
    its date), then the best; [] otherwise."""
    catalog = matcher.catalog
    if len(found) < 2 or _dated(catalog, found[0]) or not _dated(catalog, found[1]):
        return []
    asked = set(parse.tokens)
    of_task = [p for p in ranked if p.clause.id == found[1].clause.id]
    main = max(of_task, key=lambda p: len(asked & set(matcher.passage_tokens[p.key])))
    return list(dict.fromkeys([main, found[1], *told]))


def _dated(catalog: Catalog, passage: Passage) -> bool:
    return any(
        catalog.duties[d][1].timing.kind == "deadline"
        for d in passage.duty_ids
        if d in catalog.duties
    )


def passages_holding(
    matcher: Matcher, parse: Parse, clause_ids: Sequence[str], words: set[str]
) -> Answer | None:
    """The first sentence of the clauses `clause_ids` (in that order) that holds every
    one of `words`, quoted: a follow-up searches what was just answered first, however
    weakly its few words match across the whole text."""
    catalog = matcher.catalog
    for clause_id in clause_ids:
        for passage in catalog.passages:
            tokens = matcher.passage_tokens[passage.key]
            if passage.clause.id == clause_id and words <= set(tokens):
                reply = Reply("qa/passages", {"passages": [passage_view(catalog, passage)]})
                view = reply.data["passages"][0]
                return make(parse, "passages", reply, [view["clause"]], 1.0, passage.duty_ids)
    return None


def distinct_passages(found: Sequence[Passage]) -> list[Passage]:
    """`found` without a passage inside an earlier one (or holding it), which would
    quote the same words twice."""
    return [p for i, p in enumerate(found) if not any(_overlap(p, q) for q in found[:i])]


def _overlap(one: Passage, other: Passage) -> bool:
    return one.text in other.text or other.text in one.text


def topic_overview(matcher: Matcher, parse: Parse, topics: Sequence[Topic]) -> Answer:
    """The clauses and duties of up to two topics."""
    catalog = matcher.catalog
    # What the question says besides the topics' names, aliases included ("ban biên
    # tập", an alias of the websites' topic): the duties saying it come first.
    names = {t for shown in topics for t in catalog.normalizer.tokens(shown.name)}
    own = set(parse.tokens) - names - matcher.generic_words
    sections = []
    for shown in topics[:2]:
        about = [d for _, d in catalog.duties.values() if matcher.about(d, {shown.id})]
        about.sort(key=lambda d: -len(own & set(matcher.duty_tokens[d.key])))
        duties = [duty_view(catalog, d) for d in about]
        sections.append(
            {"topic": shown, "clauses": topic_clauses(catalog, shown), "duties": duties}
        )
    reply = Reply("qa/topic_overview", {"sections": sections})
    citations = [
        catalog.clause_label(catalog.directives[c.directive_id], c.id)  # "15/2021 · Mục 7.b"
        for shown in topics[:2]
        for c in topic_clauses(catalog, shown)
    ]
    duty_ids = [
        d.key
        for shown in topics[:2]
        for _, d in catalog.duties.values()
        if matcher.about(d, {shown.id})
    ]
    return make(parse, "topic_overview", reply, citations, duties=duty_ids)


def topic_clauses(catalog: Catalog, topic: Topic) -> list[Clause]:
    return [catalog.clauses[c][1] for c in topic.clauses if c in catalog.clauses]
