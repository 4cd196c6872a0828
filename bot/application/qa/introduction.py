"""Answers from the directive's introduction: the results achieved so far (the
paragraph, or the one sentence asked about), the shortcomings it names and why it
was issued.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import STRONG_MATCH, Matcher, contains
from bot.application.qa.topics import passages
from bot.application.qa.views import passage_view
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Clause, Figure, Topic
from nlu.engine import Parse


def shortcomings(catalog: Catalog, parse: Parse) -> Answer:
    """The shortcomings the preamble lists: those on the topics the question names
    ("hạn chế về chữ ký số"), or all of them."""
    clause = clause_with_suffix(catalog, "shortcomings")
    topics = _own_topics(catalog, parse)
    items = [i for i in clause.items if any(_names_topic(catalog, i, t) for t in topics)]
    reply = Reply("qa/shortcomings", {"clause": clause, "items": items or list(clause.items)})
    return make(parse, "shortcomings", reply, [clause.label])


# How a question asks how the directive judges the state of something ("đánh giá thế
# nào về", "tình hình / thực trạng … ra sao", "nhận xét gì về"), folded; "chỉ số đánh
# giá" is an index, and "báo cáo tình hình" a report.
ASSESSMENT_ASKS = (
    ("danh", "gia"),
    ("tinh", "hinh"),
    ("thuc", "trang"),
    ("hien", "trang"),
    ("nhan", "xet"),
)
# "… thế nào / ra sao": how it stands, whatever else the question holds.
HOW_JUDGED = (("the", "nao"), ("ra", "sao"), ("nhu", "the", "nao"))
NOT_ASSESSMENT = (("chi", "so", "danh", "gia"), ("bao", "cao"), ("kiem", "tra"))
# "ai kiểm tra, đánh giá …", "sở nào phải đánh giá …": a duty to assess, asked of its doer.
DOER_ASKS = frozenset({"ai", "nao", "phai", "can"})


def assessment(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Chỉ thị đánh giá thế nào về tình hình sử dụng CKS": what the preamble says of
    the topics named, its results (figures) and its shortcomings; None when the
    question asks no assessment or the preamble says nothing of those topics."""
    tokens = parse.tokens
    asked = any(contains(tokens, list(p)) for p in ASSESSMENT_ASKS) or _asks_state(tokens)
    if not asked or any(contains(tokens, list(p)) for p in NOT_ASSESSMENT):
        return None
    # ("Có phải tất cả … đã … rồi không": "có phải" opens a yes/no, asks no doer.)
    asking = tokens[2:] if tokens[:2] == ("co", "phai") else tokens
    if DOER_ASKS & set(asking) and not any(contains(tokens, list(p)) for p in HOW_JUDGED):
        return None
    topics = _own_topics(catalog, parse)
    if not topics:
        return None
    achieved = clause_with_suffix(catalog, "results")
    lacking = clause_with_suffix(catalog, "shortcomings")
    figures = [
        f
        for f in catalog.figures.values()
        if f.clause == achieved.id
        and not f.parent
        and any(_names_topic(catalog, " ".join((f.label, f.quote, *f.keywords)), t) for t in topics)
    ]
    items = [i for i in lacking.items if any(_names_topic(catalog, i, t) for t in topics)]
    if not figures and not items:
        return None
    data = {"results": achieved, "figures": figures, "shortcomings": lacking, "items": items}
    labels = [c.label for c, said in ((achieved, figures), (lacking, items)) if said]
    return make(parse, "shortcomings", Reply("qa/assessment", data), labels)


# "tất cả UBND cấp huyện đều đã thành lập BCĐ rồi không": how things stood (folded),
# which the preamble tells; not a deadline's ("hạn … đã qua chưa").
_STATE_ENDS = (("roi", "khong"), ("roi", "chua"), ("roi", "a"), ("chua",), ("chua", "a"))


def _asks_state(tokens: Sequence[str]) -> bool:
    ended = any(tuple(tokens[-len(end) :]) == end for end in _STATE_ENDS)
    return ended and "da" in tokens and "han" not in tokens


def _own_topics(catalog: Catalog, parse: Parse) -> list[Topic]:
    """The topics the question names, but the directive's own subject (its title's
    "ứng dụng CNTT"), which every result and shortcoming is of."""
    titles = " ".join(d.title for d in catalog.held)
    return [
        t
        for t in catalog.topics_named(parse.values("topic"))
        if not _names_topic(catalog, titles, t)
    ]


def results(matcher: Matcher, parse: Parse) -> Answer | None:
    """The results paragraph: the sentence asked about, or its figures; None when it
    states none (15/2021's "đã đạt được nhiều kết quả"): a heading over nothing is no
    answer, and the question may be of another kind after all."""
    catalog = matcher.catalog
    clause = clause_with_suffix(catalog, "results")
    figures = [f for f in catalog.figures.values() if f.clause == clause.id and not f.parent]
    # "kết quả về chữ ký số và camera giám sát": results on several things, each named
    # by keywords of its own, are the figures so named, not the sentence matching best
    # ("quản lý văn bản" names several figures, as one thing).
    named = {f.id: _keywords_named(catalog, parse, f) for f in figures}
    named = {k: v for k, v in named.items() if v}
    if any(not a & b for a, b in combinations(named.values(), 2)):
        on_named = [f for f in figures if f.id in named]
        reply = Reply("qa/results", {"clause": clause, "figures": on_named})
        return make(parse, "results", reply, [clause.label])
    # "kết quả ứng dụng CNTT của tỉnh thế nào": the heading's own words ask for it all.
    heading = set(catalog.normalizer.tokens(clause.title))
    beyond_heading = replace(parse, tokens=tuple(t for t in parse.tokens if t not in heading))
    if not matcher.only_names(beyond_heading):
        # A question about one result ("hệ thống quản lý văn bản dùng chung cho ai")
        # gets its sentence when it matches one strongly; otherwise the overview.
        specific = passages(matcher, parse, clause.id)
        if (
            specific
            and specific.evidence >= STRONG_MATCH
            and about_itself(matcher, parse, clause, specific)
        ):
            return specific
        # A sentence holding every content word of the question answers it too.
        complete = passages(matcher, parse, clause.id, min_coverage=1.0)
        if complete and about_itself(matcher, parse, clause, complete):
            return complete
    # "kết quả về chữ ký số": the results on that topic, not every figure; a topic the
    # paragraph's heading names ("kết quả ứng dụng CNTT") is what all of them are on.
    topics = [
        catalog.topics[t]
        for t in parse.values("topic")
        if t in catalog.topics and not _names_topic(catalog, clause.title, catalog.topics[t])
    ]
    on_topic = [
        f
        for f in figures
        if any(_names_topic(catalog, " ".join((f.label, f.quote, *f.keywords)), t) for t in topics)
    ]
    if not on_topic and _asks_of_something_else(matcher, parse, clause):
        return None  # "lồng ghép kết quả với chỉ số nào": no result of the paragraph
    figures = on_topic or figures
    if not figures:
        return None
    reply = Reply("qa/results", {"clause": clause, "figures": figures})
    return make(parse, "results", reply, [clause.label])


def _keywords_named(catalog: Catalog, parse: Parse, stated: Figure) -> set[str]:
    """The figure's keywords of two words or more that the question names ("camera
    giám sát", "chữ ký số"; not a level alone, "cấp tỉnh")."""
    tokens = catalog.normalizer.tokens
    return {
        " ".join(words)
        for words in (tokens(k) for k in stated.keywords)
        if len(words) >= 2 and contains(parse.tokens, words)
    }


def _asks_of_something_else(matcher: Matcher, parse: Parse, clause: Clause) -> bool:
    """Whether the question's own words (not those asking for results, nor the
    heading's) are mostly absent from the results paragraph ("lồng ghép kết quả thực
    hiện với chỉ số nào" speaks of results, not of these)."""
    normalizer = matcher.catalog.normalizer
    # The paragraph's heading and the directive's title ("… tỉnh Bắc Ninh") say what
    # all its results are of.
    titles = " ".join(d.title for d in matcher.catalog.held)
    heading = set(normalizer.tokens(f"{clause.title} {clause.label} {titles}"))
    named = {t for e in parse.entities for t in e.text.split()}
    own = set(parse.tokens) - heading - named - matcher.generic_words - RESULT_ASKS
    said = set(normalizer.tokens(clause.text))
    return bool(own) and len(own & said) <= len(own) / 2


def figure_names_topic(catalog: Catalog, answer: Answer, topic: Topic) -> bool:
    """Whether a figure answer's figures are on the topic (their words name it)."""
    return any(
        _names_topic(catalog, " ".join((f.label, f.quote, *f.keywords)), topic)
        for view in answer.reply.data.get("figures", ())
        for f in (view["figure"], *view["parts"])
    )


def _names_topic(catalog: Catalog, text: str, topic: Topic) -> bool:
    """Whether `text` names the topic (by its name or an alias)."""
    words = " ".join(catalog.normalizer.tokens(text))
    names = (" ".join(catalog.normalizer.tokens(n)) for n in (topic.name, *topic.aliases))
    return any(n and f" {n} " in f" {words} " for n in names)


# Words asking for the results as a whole ("kết quả nổi bật thời gian qua"), which the
# paragraph's opening sentence happens to hold, and "số liệu" (folded).
RESULT_ASKS = frozenset(
    {"noi", "bat", "thoi", "gian", "qua", "gan", "day", "vua", "truoc", "so", "lieu"}
    | {"den", "nay", "hien", "tinh", "hinh", "luc", "do", "khi", "ban", "hanh"}
)


def about_itself(matcher: Matcher, parse: Parse, clause: Clause, answer: Answer) -> bool:
    """Whether the quoted sentences hold the question's own words, not only those
    of the clause's heading, which every piece of the clause is indexed with ("kết
    quả ứng dụng CNTT ..., cho xin số liệu" asks for the results, not one piece)."""
    normalizer = matcher.catalog.normalizer
    heading = set(normalizer.tokens(f"{clause.title} {clause.label}"))
    named = {t for e in parse.entities for t in e.text.split()}
    own = set(parse.tokens) - heading - named - matcher.generic_words - RESULT_ASKS
    if not own:
        return False
    quoted = {t for view in answer.reply.data["passages"] for t in normalizer.tokens(view["text"])}
    return len(own & quoted) >= len(own) / 2


def clause_with_suffix(catalog: Catalog, suffix: str) -> Clause:
    """The introduction's parts are "intro.results" and "intro.shortcomings"."""
    return next(c for _, c in catalog.clauses.values() if c.id.endswith(suffix))


# "mục đích của chỉ thị", "vì sao ban hành chỉ thị", "chỉ thị ban hành để làm gì",
# "lý do ban hành" (folded): why the directive was issued, which its purpose paragraph
# says ("Để khắc phục những bất cập … nhằm tăng cường …").
PURPOSE_ASKS = (
    ("muc", "dich"),
    ("ly", "do", "ban", "hanh"),
    ("vi", "sao", "ban", "hanh"),
    ("tai", "sao", "ban", "hanh"),
    ("ban", "hanh", "de", "lam", "gi"),
    ("ra", "doi", "de"),
    ("nham", "muc", "tieu", "gi"),
    # "tại sao (lại) ra chỉ thị 06", "vì sao có chỉ thị này"
    ("vi", "sao", "ra"),
    ("tai", "sao", "ra"),
    ("vi", "sao", "co"),
    ("tai", "sao", "co"),
)
# Words such a question may have besides those and the document's name.
PURPOSE_WORDS = frozenset(
    {"muc", "dich", "ly", "do", "vi", "tai", "sao", "ban", "hanh", "de", "lam", "gi", "ra"}
    | {"doi", "nham", "tieu", "cua", "la", "chi", "thi", "van", "nay", "ct", "so", "nam"}
    | {"ubnd", "uy", "nhan", "dan", "tinh", "chinh", "nhung", "gi", "j", "a", "vay"}
    | {"lai", "co", "phai"}
)


# The document's name, its issuer and fillers as they may come inside such a question
# ("ban hành ct này để …", "vì sao UBND tỉnh (lại, phải) ban hành …"). "ban" of "ủy ban"
# goes with its phrase, not alone: it is also the "ban" of "ban hành".
PURPOSE_NAMES = frozenset({"chi", "thi", "ct", "nay", "06", "tinh", "ubnd", "lai", "phai"})
ISSUER_NAME = ("uy", "ban", "nhan", "dan")


# How a question asks what something is for ("để làm gì", "nhằm mục đích gì"), folded.
PURPOSE_OF_ASKS = (
    ("de", "lam", "gi"),
    ("nham", "muc", "dich"),
    ("muc", "dich", "gi"),
    ("nham", "gi"),
    ("de", "lam", "chi"),
    ("voi", "muc", "dich"),
)
# What opens a purpose in the text's sentences: "để tổng hợp …", "nhằm …", "góp phần …"
# (not "và để ảnh hưởng", "để xảy ra": letting something happen).
_PURPOSE = re.compile(r"(?<!và )\b(để|nhằm|góp phần)\s+(?!xảy|ảnh)(.+)$")


def purpose_of(matcher: Matcher, parse: Parse) -> Answer | None:
    """ "Danh sách cán bộ CNTT cấp xã gửi về Sở TT&TT để làm gì": the purpose the
    sentence on it states ("để tổng hợp, có kế hoạch đào tạo, bồi dưỡng"), first; None
    when the question asks no purpose or the sentence found states none."""
    if any(contains(parse.tokens, list(p)) for p in WHY_ASKS):
        return _reason_of(matcher, parse)
    if not any(contains(parse.tokens, list(p)) for p in PURPOSE_OF_ASKS):
        return None
    asking = {w for p in PURPOSE_OF_ASKS for w in p}
    found = passages(
        matcher, replace(parse, tokens=tuple(t for t in parse.tokens if t not in asking))
    )
    if found is None:
        return None
    for view in found.reply.data["passages"]:
        stated = _PURPOSE.search(view["text"])
        if stated:
            purpose = f"{stated.group(1)} {stated.group(2)}".rstrip(" .;")
            data = {"purpose": purpose[:1].upper() + purpose[1:], "passage": view}
            return make(parse, "passages", Reply("qa/purpose_of", data), [view["clause"]], 1.0)
    return None


# How a question asks why something must be done ("vì sao", "tại sao"), folded.
WHY_ASKS = (("vi", "sao"), ("tai", "sao"))


def _reason_of(matcher: Matcher, parse: Parse) -> Answer | None:
    """ "Vì sao phải chuyển hệ thống về TTDL": the shortcoming of the preamble the duty
    answers ("một số đơn vị còn duy trì hạ tầng riêng"), when one matches well."""
    asking = {w for p in WHY_ASKS for w in p} | {"phai"}
    asked = replace(parse, tokens=tuple(t for t in parse.tokens if t not in asking))
    clause = clause_with_suffix(matcher.catalog, "shortcomings")
    found = passages(matcher, asked, clause.id)
    if found is None or found.evidence < REASON_MATCH:
        return None
    view = found.reply.data["passages"][0]
    data = {"purpose": "", "reason": True, "passage": view}
    return make(parse, "passages", Reply("qa/purpose_of", data), [view["clause"]], found.evidence)


# How well a shortcoming must match the duty asked "why" of to be its reason.
REASON_MATCH = 0.3


def asks_purpose(catalog: Catalog, parse: Parse) -> bool:
    """A question on why the directive was issued, naming nothing else of it ("ban
    hành (chỉ thị này) để làm gì": its name may come between)."""
    tokens = list(parse.tokens)
    issuer = next(
        (i for i in range(len(tokens)) if tokens[i : i + len(ISSUER_NAME)] == list(ISSUER_NAME)),
        None,
    )
    if issuer is not None:
        del tokens[issuer : issuer + len(ISSUER_NAME)]
    named_between = [t for t in tokens if t not in PURPOSE_NAMES]
    if not any(contains(named_between, list(p)) for p in PURPOSE_ASKS):
        return False
    stopwords = catalog.stopwords
    return all(
        t in PURPOSE_WORDS or t in stopwords or any(c.isdigit() for c in t) for t in parse.tokens
    )


def purpose(catalog: Catalog, parse: Parse) -> Answer | None:
    """The purpose paragraph, quoted whole; None for a directive without one."""
    found = [c for _, c in catalog.clauses.values() if c.id.endswith("purpose")]
    views = [
        passage_view(catalog, p) for p in catalog.passages if found and p.clause.id == found[0].id
    ]
    if not views:
        return None
    reply = Reply("qa/passages", {"passages": views})
    return make(parse, "passages", reply, [views[0]["clause"]], 1.0)
