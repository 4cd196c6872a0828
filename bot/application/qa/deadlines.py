"""Answers about dates: when a duty is due ("hạn nộp danh sách ... khi nào"), what is
due on a date ("hạn 31/5/2019 là việc gì"), and every dated duty in order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.followup import WHEN_WORDS
from bot.application.qa.matching import STRONG_MATCH, Matcher, best, contains
from bot.application.qa.quotes import dated_quote, whole_clause
from bot.application.qa.views import duty_view, label
from bot.domain.catalog import Catalog
from bot.domain.dates import vn_date
from bot.domain.knowledge import RECURRENCE_WORDS, Duty, Recurrence
from nlu.engine import Parse


def deadline(matcher: Matcher, parse: Parse) -> Answer | None:
    """The duty asked about, preferring one with a date; the duties due on a date the
    question gives; or, when the question names nothing, the list of deadlines."""
    catalog = matcher.catalog
    in_time = _in_time(matcher, parse)
    if in_time is not None:
        return in_time
    # The duties of the agencies the question names as doers.
    favoured = matcher.favoured_duties(parse)
    dated = duties_due_on(catalog, parse.values("date"))
    # "sự cố ATTT thì báo cáo trong bao lâu": after an event, not how often.
    recurring = (
        [] if dated or _after_event(parse.tokens) else _of_recurrence(catalog, parse, favoured)
    )
    other = _due_otherwise(matcher, parse, dated) if dated else None
    if other:
        # "trang TTĐT cấp xã xong trước 31/5 phải không": its own date, said not to be
        # the one asked, not the staff list due that day.
        asked = next(e.text for e in parse.entities if e.entity == "date")
        answer = deadline_answer(catalog, parse, other, 1.0)
        data = {**answer.reply.data, "not_on": asked}
        return replace(answer, reply=replace(answer.reply, data=data))
    if dated:
        found, score = dated, 1.0
    elif recurring:
        # "báo cáo quý nộp vào ngày mấy": the quarterly duty, whose text says only
        # "hàng quý" ("quý" folds to the generic "quy" of "quy định", which no
        # search weighs), not another report's date.
        found, score = recurring, 1.0
    else:
        # "khi có sự cố ATTT thì trong bao lâu phải báo cáo": how long after an event,
        # which no date of the calendar answers; the best matching duty says («kịp
        # thời»), dated or not.
        after_event = _after_event(parse.tokens)
        # The agency named as the doer is favoured below, not matched by its name's
        # words: "Sở TT&TT phải nộp báo cáo quý …" is about its quarterly report, not
        # the duty whose text names Sở TT&TT ("báo cáo qua Sở TT&TT").
        searched = _without_doers_names(parse, favoured)
        ranked = matcher.ranked_duties(searched, prefer_dated=not after_event)
        # Asked "by when": a matching duty that has a date answers it, however
        # close an undated sibling comes; undated ones answer only when none has.
        # A named agency's question is about its duties: another's date is no answer
        # ("Sở Nội vụ phải ban hành quy định … trước ngày nào": none of its has one).
        with_dates = (
            []
            if after_event
            else [
                (d, s)
                for d, s in ranked
                if d.timing.kind != "continuous" and (not favoured or d.id in favoured)
            ]
        )
        if (
            with_dates
            and ranked
            and _undated_says_more(matcher, parse, ranked, with_dates, bool(favoured))
        ):
            # "Kế hoạch chuyển sang chữ ký số chuyên dùng phải xong khi nào": the duty
            # that says it has no date; the dated one (moving systems to the data
            # centre) shares only its generic words.
            with_dates = []
        found, score = best(with_dates or ranked)
    if not found:
        if parse.values("agency") and not parse.values("topic"):
            # "Sở Tài chính hạn khi nào?": the agency's own dates, not a refusal.
            return agency_deadlines(catalog, parse)
        if parse.values("topic") or not _asks_for_every_deadline(matcher, parse):
            # "sao lưu dữ liệu bao lâu một lần", "hạn nộp thuế": the date of something
            # no duty matches, which the list of every deadline does not answer.
            return None
        return deadline_list(catalog, parse)
    answer = deadline_answer(catalog, parse, found, score)
    other_period = _another_recurrence(parse, found)
    if other_period:
        # "Sở TT&TT có phải báo cáo hàng tháng không": quarterly, said not to be monthly.
        data = {**answer.reply.data, "not_on": other_period}
        return replace(answer, reply=replace(answer.reply, data=data))
    return answer


def _another_recurrence(parse: Parse, found: Sequence[Duty]) -> str:
    """The recurrence the question names ("hàng tháng") when the duties found recur
    otherwise (quarterly), as said; "" otherwise."""
    asked = _recurrences_asked(parse)
    recurring = [d.timing.recurrence for d in found if d.timing.recurrence is not None]
    if len(asked) != 1 or not recurring or asked[0] in recurring:
        return ""
    return RECURRENCE_WORDS[asked[0]]


def _due_otherwise(matcher: Matcher, parse: Parse, dated: Sequence[Duty]) -> list[Duty]:
    """The dated duty the question's words name, without its date, when it is due on
    another day than the one asked; [] when they name none strongly, or one of those
    due that day."""
    dates = {t for e in parse.entities if e.entity == "date" for t in e.text.split()}
    words = tuple(t for t in parse.tokens if t not in dates)
    ranked = matcher.ranked_duties(replace(parse, tokens=words), prefer_dated=True)
    found, score = best([(d, s) for d, s in ranked if d.timing.due is not None])
    if score < STRONG_MATCH or set(found) & set(dated):
        return []
    return found[:1]


# How a question asks whether something done then is in time ("có kịp hạn không",
# "có đúng hạn không", "có bị trễ hạn không"), folded.
IN_TIME_ASKS = (
    ("kip", "han"),
    ("dung", "han"),
    ("co", "kip"),
    ("con", "kip"),
    ("tre", "han"),
    ("muon", "han"),
)


def _in_time(matcher: Matcher, parse: Parse) -> Answer | None:
    """ "xã tôi đến tháng 7/2019 mới xong trang TTĐT thì có kịp hạn không": the date of
    the duty its words name, and whether the day or month given is before it; None
    for another question."""
    if not any(contains(parse.tokens, list(a)) for a in IN_TIME_ASKS):
        return None
    when = _time_given(parse)
    if when is None:
        return _in_time_now(matcher, parse)
    first, last, said = when
    time_words = {t for t in parse.tokens if any(c.isdigit() for c in t)} | {"thang", "nam", "ngay"}
    words = tuple(t for t in parse.tokens if t not in time_words)
    ranked = matcher.ranked_duties(replace(parse, tokens=words), prefer_dated=True)
    found, score = best([(d, s) for d, s in ranked if d.timing.due is not None])
    if not found:
        return None
    due = found[0].timing.extended_to or found[0].timing.due
    assert due is not None
    verdict = "late" if first >= due else "in_time" if last < due else "that_day"
    answer = deadline_answer(matcher.catalog, parse, found[:1], score)
    data = {**answer.reply.data, "in_time": {"verdict": verdict, "said": said}}
    return replace(answer, reply=replace(answer.reply, data=data))


# "hôm nay còn kịp … không", "bây giờ nộp có kịp không": asked of today (folded).
NOW_WORDS = (("hom", "nay"), ("bay", "gio"), ("hien", "nay"), ("luc", "nay"), ("con", "kip"))


def _in_time_now(matcher: Matcher, parse: Parse) -> Answer | None:
    """ "hôm nay còn kịp nộp danh sách … không": the date of the duty named, and
    whether it is past today (which the reply, rendered today, says)."""
    if not any(contains(parse.tokens, list(w)) for w in NOW_WORDS):
        return None
    ranked = matcher.ranked_duties(parse, prefer_dated=True)
    found, score = best([(d, s) for d, s in ranked if d.timing.due is not None])
    if not found or score < STRONG_MATCH:
        return None
    answer = deadline_answer(matcher.catalog, parse, found[:1], score)
    data = {**answer.reply.data, "in_time": {"verdict": "now", "said": "hôm nay"}}
    return replace(answer, reply=replace(answer.reply, data=data))


def _time_given(parse: Parse) -> tuple[dt.date, dt.date, str] | None:
    """The day, or the first and last days of the month, a question gives ("ngày
    15/6/2019", "tháng 7 năm 2019", "tháng 1/2020"), and how it said it."""
    full = [v for v in parse.values("date") if len(v) == 10]
    if full:
        day = dt.date.fromisoformat(full[0])
        return day, day, f"ngày {vn_date(day)}"
    tokens = parse.tokens
    for i, token in enumerate(tokens[:-1]):
        if token != "thang":
            continue
        month, _, year = tokens[i + 1].partition("/")
        if not year and tokens[i + 2 : i + 3] == ("nam",) and i + 3 < len(tokens):
            year = tokens[i + 3]
        if month.isdigit() and year.isdigit() and 1 <= int(month) <= 12 and len(year) == 4:
            first = dt.date(int(year), int(month), 1)
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - dt.timedelta(days=1), f"tháng {int(month)}/{year}"
    return None


# What a question for every deadline says besides the words asking when ("những việc
# nào có thời hạn", "liệt kê các mốc thời gian", "nhiệm vụ nào phải hoàn thành"), folded.
EVERY_DEADLINE_WORDS = frozenset(
    {"viec", "nhiem", "vu", "cong", "moc", "gian", "liet", "ke", "danh", "sach", "tat", "ca"}
    | {"hoan", "thanh", "can", "phai", "thuc", "hien", "dinh", "ky", "lau", "lan", "thang"}
    | {"nam", "deadline", "cac", "toan", "bo", "het", "quan", "trong", "sap", "toi", "lich"}
    | {"tien", "do", "moi", "hang", "quy", "nho", "luu", "y", "biet", "xem"}
)


def _asks_for_every_deadline(matcher: Matcher, parse: Parse) -> bool:
    """Whether a "when" question names nothing but deadlines themselves."""
    return all(
        t in EVERY_DEADLINE_WORDS
        or t in WHEN_WORDS
        or t in matcher.generic_words
        or any(c.isdigit() for c in t)
        for t in parse.tokens
    )


# How a question names a recurrence (folded).
RECURRENCES: dict[Recurrence, tuple[tuple[str, ...], ...]] = {
    "quarterly": (("bao", "cao", "quy"), ("hang", "quy"), ("moi", "quy"), ("tung", "quy")),
    "monthly": (("hang", "thang"), ("moi", "thang"), ("bao", "cao", "thang")),
    "annual": (("hang", "nam"), ("moi", "nam"), ("bao", "cao", "nam")),
}


# How a question asks how often, naming no period ("định kỳ", "bao lâu một lần").
HOW_OFTEN = (
    ("dinh", "ky"),
    ("bao", "lau", "1", "lan"),
    ("bao", "lau", "mot", "lan"),
    ("may", "lan"),
    ("bao", "nhieu", "lan"),
    # "mấy tháng một lần", "bao nhiêu tháng/lần"
    ("thang", "mot", "lan"),
    ("thang", "1", "lan"),
    ("thang", "lan"),
)


def _of_recurrence(catalog: Catalog, parse: Parse, favoured: set[str]) -> list[Duty]:
    """The duties recurring as the question says (of the agencies it names as doers,
    `favoured` their duties, when it names any that have such a duty); asked how
    often, of such agencies, their recurring duties ("Sở TT&TT báo cáo định kỳ bao lâu
    một lần": quarterly)."""
    asked = _recurrences_asked(parse)
    topics = set(parse.values("topic"))
    how_often = any(contains(parse.tokens, list(p)) for p in HOW_OFTEN)
    if not asked and (favoured or topics) and how_often:
        # ... or of the topics it names ("báo cáo định kỳ bao lâu một lần").
        return [
            d
            for _, d in catalog.duties.values()
            if d.timing.recurrence is not None
            and (not favoured or d.id in favoured)
            and (not topics or topics & set(d.topics or catalog.clause_of(d).topics))
        ]
    if len(asked) != 1:
        return []
    recurring = [d for _, d in catalog.duties.values() if d.timing.recurrence == asked[0]]
    return [d for d in recurring if d.id in favoured] or recurring


def _recurrences_asked(parse: Parse) -> list[Recurrence]:
    """The recurrences the question names ("hàng quý", "báo cáo năm")."""
    return [
        kind
        for kind, phrases in RECURRENCES.items()
        if any(contains(parse.tokens, list(p)) for p in phrases)
    ]


def _without_doers_names(parse: Parse, favoured: set[str]) -> Parse:
    """`parse` without the words of the agencies it names as doers (`favoured` their
    duties), when what is left still asks something."""
    named = {t for e in parse.entities if e.entity == "agency" and favoured for t in e.text.split()}
    rest = tuple(t for t in parse.tokens if t not in named)
    return replace(parse, tokens=rest) if named and rest else parse


# A dated duty answers "by when" over undated ones matching better unless they match
# over 1/DATED_MIN_SHARE times better than it, or hold words of the question it lacks
# while it holds none they lack.
DATED_MIN_SHARE = 0.5


def _undated_says_more(
    matcher: Matcher,
    parse: Parse,
    ranked: Sequence[tuple[Duty, float]],
    with_dates: Sequence[tuple[Duty, float]],
    doer_named: bool = False,
) -> bool:
    """Whether the best matching duty, undated, is what the question asks about rather
    than the best dated one ("hạn kiện toàn BCĐ CQĐT cấp huyện": the committee, which
    has no date, not the commune websites, 30/6/2019, of the same clause).
    `doer_named`: both are duties of the agency the question names, told apart by
    their words even on one topic ("Sở Tài chính phải hướng dẫn quản lý kinh phí trước
    ngày nào": the guidance, undated, not the yearly budget proposal)."""
    (top, top_score), (dated, dated_score) = ranked[0], with_dates[0]
    if top.key == dated.key:
        return False
    if dated_score < DATED_MIN_SHARE * top_score:
        return True
    topics = set(parse.values("topic"))
    if topics and topics <= matcher.topics_of(dated) and not doer_named:
        # "chuyển CSDL về TTDL chung hạn khi nào": the task's date (Mục 1.c) before an
        # undated part of it on the same subject (Sở TT&TT guiding it, Mục 2.b). (Not
        # when it is on one of them only: "sự cố ATTT thì báo cáo UBND tỉnh khi nào"
        # is no quarterly report on the directive.)
        return False
    named = {t for e in parse.entities if e.entity == "agency" for t in e.text.split()}
    ignored = matcher.generic_words | matcher.catalog.stopwords | WHEN_ASKING | named
    asked = {t for t in parse.tokens if t not in ignored}
    top_words = set(matcher.duty_tokens[top.key])
    dated_words = set(matcher.duty_tokens[dated.key])
    return bool(asked & (top_words - dated_words)) and not asked & (dated_words - top_words)


# Words that ask when (folded): no subject of the question.
WHEN_ASKING = frozenset(
    {"han", "chot", "khi", "nao", "bao", "gio", "ngay", "thoi", "la", "xong", "truoc"}
)

# "khi / nếu <event> thì ...": a condition clause (folded words).
CONDITION_OPENERS = frozenset({"khi", "neu"})
CONDITION_THEN = "thi"


# How a question asks for a time after an event ("trong vòng bao nhiêu giờ"), folded.
DURATION = (
    ("trong", "vong"),
    ("trong", "bao", "lau"),
    ("bao", "nhieu", "gio"),
    ("may", "gio"),
    ("bao", "nhieu", "ngay"),
)


def _after_event(tokens: Sequence[str]) -> bool:
    """Whether the question opens a condition clause ("khi có sự cố ... thì") or asks
    how long after an event ("sự cố ATTT thì báo cáo trong vòng bao nhiêu giờ")."""
    opened = next((i for i, t in enumerate(tokens) if t in CONDITION_OPENERS), -1)
    conditional = opened >= 0 and CONDITION_THEN in tokens[opened + 2 :]
    return conditional or any(contains(tokens, list(d)) for d in DURATION)


def agency_deadlines(catalog: Catalog, parse: Parse) -> Answer | None:
    """The dated duties of the agencies the question names, their own and the common
    ones that reach them (at most MAX_DATED, soonest first); one line when none has a
    date."""
    duties = list(
        {
            a.duty.key: a.duty
            for agency_id in parse.values("agency")[:3]
            for a in catalog.assignments(catalog.agencies[agency_id])
        }.values()
    )
    if not duties:
        return None
    dated = _soonest_first([d for d in duties if d.timing.kind != "continuous"])
    if not dated:
        return no_deadline(catalog, parse, duties)
    return deadline_answer(catalog, parse, dated[:MAX_DATED], 1.0)


# Levels of government a question may name bare ("sở, ban, ngành và huyện"), which the
# gazetteer does not take for an agency: a list asked of one is not narrowed to the
# agencies it did take.
LEVELS = frozenset({"huyen", "xa", "tinh"})


def _other_level(parse: Parse) -> bool:
    named = {t for e in parse.entities if e.entity == "agency" for t in e.text.split()}
    return any(t in LEVELS and t not in named for t in parse.tokens)


# An agency's dates beyond this many are its list's (/hanchot), not one answer's.
MAX_DATED = 3


def _soonest_first(duties: list[Duty]) -> list[Duty]:
    return sorted(duties, key=lambda d: (d.timing.kind != "deadline", d.timing.due or dt.date.max))


def deadline_answer(catalog: Catalog, parse: Parse, found: Sequence[Duty], score: float) -> Answer:
    """The date first, then the sentence that states it (the clause one choice away)."""
    views = [duty_view(catalog, d) | {"quote": dated_quote(d)} for d in found]
    cut = [v["clause"] for v, d in zip(views, found, strict=True) if v["quote"] != d.text.strip()]
    data: dict[str, Any] = {"duties": views}
    if all(d.timing.kind == "recurring" for d in found) and _asks_a_day(parse.tokens):
        # "báo cáo quý nộp trước ngày mấy": the text says how often, on no day.
        data["no_day"] = True
    reply = Reply("qa/deadline", data, whole_clause(cut))
    citations = [v["clause"] for v in views]
    return make(parse, "deadline", reply, citations, score, [d.key for d in found])


# How a question asks for a day (folded).
DAY_ASKS = (("ngay", "may"), ("ngay", "nao"), ("truoc", "ngay"), ("ngay", "bao", "nhieu"))


def _asks_a_day(tokens: Sequence[str]) -> bool:
    return any(contains(tokens, list(p)) for p in DAY_ASKS)


def no_deadline(catalog: Catalog, parse: Parse, duties: Sequence[Duty]) -> Answer:
    """ "hạn khi nào?" about duties none of which has a date: said once, cited."""
    clauses = list(dict.fromkeys(label(catalog, d.clause) for d in duties))
    reply = Reply("qa/no_deadline", {"clauses": clauses, "count": len(duties)})
    return make(parse, "deadline", reply, clauses, 1.0, [d.key for d in duties])


def date_of_subject_first(
    catalog: Catalog, parse: Parse, dated: Sequence[Duty], undated: Sequence[Duty]
) -> Answer:
    """ "hạn khi nào?" about duties without a date (`undated`) when others on the same
    subject have one (`dated`): those dates first, then a line naming the duties asked
    about as having none of their own."""
    first = deadline_answer(catalog, parse, dated, 1.0)
    rest = no_deadline(catalog, parse, undated)
    titles = [duty_view(catalog, d)["title"] for d in undated[:2]]
    line = replace(rest.reply, data={**rest.reply.data, "titles": titles})
    return replace(
        first,
        citations=tuple(dict.fromkeys(first.citations + rest.citations)),
        duties=first.duties + rest.duties,
        also=(line,),
    )


def duties_due_on(catalog: Catalog, dates: Sequence[str]) -> list[Duty]:
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
        for _, d in catalog.duties.values()
        if due_on(d.timing.due) or due_on(d.timing.extended_to)
    ]


def deadline_list(catalog: Catalog, parse: Parse) -> Answer:
    """Every duty with a date or a recurrence: deadlines first, soonest first; those of
    the agency the question names ("thế còn Sở Nội vụ?" after the list), when it does."""
    if parse.values("agency") and not _other_level(parse):
        of_agency = agency_deadlines(catalog, parse)
        if of_agency is not None:
            return of_agency
    dated = _soonest_first([d for _, d in catalog.duties.values() if d.timing.kind != "continuous"])
    given = _time_given(parse)
    if given is not None and given[0] != given[1]:
        # "trong tháng 5/2019 có mốc hạn nào": those due that month, when any is.
        first, last = given[:2]
        in_month = [d for d in dated if d.timing.due is not None and first <= d.timing.due <= last]
        if in_month:
            return deadline_answer(catalog, parse, in_month, 1.0)
    views = [duty_view(catalog, d) for d in dated]
    data = {
        "duties": views,
        "several": catalog.active_count > 1,
        # "tháng 8/2019 có hạn nào không": none, said before the whole list.
        "none_in": given[2] if given is not None and given[0] != given[1] else "",
    }
    reply = Reply("qa/deadline_list", data)
    return make(parse, "deadline_list", reply, [v["clause"] for v in views])
