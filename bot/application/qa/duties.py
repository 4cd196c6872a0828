"""Answers about who does what: an agency's duties ("Sở Nội vụ phải làm gì") and the
agency responsible for a task ("đơn vị nào hướng dẫn ...").

Both return None when the pack holds nothing matching, so the service can try
another kind of answer or refuse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import takewhile
from typing import Any

from bot.application.messages import Button, Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.counts import DUTY_NOUNS, counted
from bot.application.qa.matching import (
    WHO,
    Matcher,
    asked_action,
    asks_for_a_list,
    best,
    contains,
    receivers_named,
)
from bot.application.qa.quotes import best_piece, whole_clause
from bot.application.qa.topics import topic_overview
from bot.application.qa.views import (
    HEADER_PART,
    duty_view,
    general_view,
    issued_by,
    label,
    received_by,
    short_names,
)
from bot.domain.catalog import Assignment, Catalog
from bot.domain.knowledge import Agency, Duty, FormerAgency
from nlu.engine import Parse
from nlu.normalize import fold, fold_words

# An agency's own duties beyond this many are cut, with a "xem thêm" choice: a list of
# nineteen bullets is not read (the Sở TT&TT example).
MAX_LISTED = 8
# What an agency only joins (coordinates, or leads in another agency's clause) is told
# briefly after what it leads: at most this many lines, the rest behind "xem thêm".
MAX_JOINED = 4
# How a "who does it" question is asked, as opposed to what it is about.
RESPONSIBILITY_WORDS = frozenset(
    {"chiu", "trach", "nhiem", "phu", "thuc", "hien", "lam", "don", "vi", "quan", "so", "ben"}
)
# How a question asks for an agency's duties as such ("nhiệm vụ", "trách nhiệm", "được
# giao việc gì", "cần thực hiện"), folded: nothing about what the duties are about.
DUTY_WORDS = frozenset(
    {"nhiem", "vu", "trach", "viec", "giao", "can", "thuc", "hien", "chiu", "vai", "tro"}
)
# The argument of /nhiemvu that asks for the whole list.
ALL = "tatca"


def agency_duties(matcher: Matcher, parse: Parse, complete: bool = False) -> Answer | None:
    """The duties of up to three named agencies (narrowed to a named topic), agencies
    with the same duties in one section; an issuer is told what it issued. Each
    section opens with how many duties the agency has; its own duties come first and
    past MAX_LISTED (unless `complete`) the rest is one "xem thêm" choice away.
    "Bao nhiêu nhiệm vụ" gets that opening line alone (the list a choice away); a
    quantity of something else ("bao nhiêu phòng") is no question for its duties."""
    catalog = matcher.catalog
    # "Sở TT&TT có phải báo cáo UBND tỉnh …": of the first, not the receiver.
    receivers = receivers_named(parse)
    named_ids = [a for a in parse.values("agency") if a not in receivers]
    agency_ids = _without_groups_of_members(catalog, named_ids or parse.values("agency"))[:3]
    what = counted(parse)
    if not agency_ids or (what is not None and what not in DUTY_NOUNS):
        return None
    count_only = what is not None
    # "Sở KH&ĐT có nhiệm vụ gì trong việc triển khai Chỉ thị 06 về tăng cường ứng dụng
    # CNTT": a topic the directive's title names is the directive itself, no part of it.
    titles = [f" {fold_words(d.title)} " for d in catalog.held]
    topics = {
        t
        for t in parse.values("topic")
        if t not in catalog.topics
        or not any(f" {fold_words(catalog.topics[t].name)} " in title for title in titles)
    }
    # What the question asks beyond the names ("Sở TT&TT phải rà soát văn bản gì")
    # puts the duties it matches first, so that a cut list still holds them.
    matched = [] if matcher.only_names(parse) else best(matcher.ranked_duties(parse), 3)[0]
    # Duties matching the topic's words: not the agency's name's ("Chủ tịch UBND huyện
    # … về chữ ký số" is no question on the sentence naming "Chủ tịch UBND các huyện").
    named = {t for e in parse.entities if e.entity == "agency" for t in e.text.split()}
    unnamed = replace(parse, tokens=tuple(t for t in parse.tokens if t not in named))
    ranked = matcher.ranked_duties(unnamed) if topics else []
    relevant = {d.id for d, _ in ranked}
    # Of the common duties, only those matching best: "Sở Tài chính … hướng dẫn quản
    # lý, sử dụng kinh phí" is not about each common duty saying "quản lý, sử dụng".
    relevant_general = {d.id for d in best(ranked, 3)[0]}
    sections: list[dict[str, Any]] = []
    citations: list[str] = []
    duty_ids: list[str] = []
    buttons: list[Button] = []
    for agency_id in agency_ids:
        agency = catalog.agencies[agency_id]
        assignments = catalog.assignments(agency)
        if topics:
            assignments = [
                a
                for a in assignments
                if matcher.about(a.duty, topics)
                or a.duty.id in (relevant_general if catalog.is_general(a.duty) else relevant)
            ]
        # "UBND tỉnh phải làm gì": it issued the directive rather than received it.
        issued = issued_by(catalog, agency.name) if not topics else []
        specific = _own_first(
            catalog, agency, [a for a in assignments if not catalog.is_general(a.duty)]
        )
        specific.sort(key=lambda a: a.duty not in matched)
        own = [a for a in specific if _leads(catalog, agency, a)]
        joined = [a for a in specific if not _leads(catalog, agency, a)]
        general = [a for a in assignments if catalog.is_general(a.duty)]
        general_entries = general_view(catalog, general, detailed=bool(topics))
        shown = own if complete else _cut(own, MAX_LISTED)
        joined_shown = joined if complete else _cut(joined, MAX_JOINED)
        section = {
            "agencies": [agency.name],
            # "Sở Nội vụ có phải bố trí kinh phí không": none of its duties is on the
            # topic; whose are (Sở Tài chính, Sở KH&ĐT, Mục 2.c).
            "others": _doers_of(matcher, topics) if topics and not assignments else [],
            # "Sở TT&TT phải làm gì" after it went into the Sở KH&CN: said first.
            "former": [
                f.name for f in _former_names(catalog, parse, agency_id) if f.name != agency.name
            ],
            "count": len(own),
            "specific": [duty_view(catalog, a.duty, a.role) for a in shown],
            "joined_count": len(joined),
            "joined": [_joined_view(catalog, agency, a) for a in joined_shown],
            # Each list's rest is said under that list, so that the count of its
            # heading is what it shows and hides.
            "more_own": len(own) - len(shown),
            "more_joined": len(joined) - len(joined_shown),
            # A vertically managed body (Công an tỉnh) is no "sở, ban, ngành": the
            # common duties do not reach it, which its answer says.
            "central": agency.kind == "central" and agency.level == "province",
            # "Các sở, ban, ngành": the common duties are its own, told first.
            "group": agency.kind == "group",
            "general": general_entries,
            # ... counted without the closing paragraph's duty to carry the directive
            # out: "6 nhóm nhiệm vụ chung" are Mục 1's points a to f.
            "general_count": sum(not g["closing"] for g in general_entries),
            "issued": issued,
            # "Văn phòng Chính phủ có phải làm gì": no duty; "Nơi nhận" sends it the
            # directive, and says why ("b/c").
            "received": received_by(catalog, agency.name) if not assignments else None,
        }
        same = [
            s
            for s in sections
            if s["specific"] == section["specific"]
            and s["joined"] == section["joined"]
            and _headings(s["general"]) == _headings(section["general"])
        ]
        if same:
            same[0]["agencies"].append(agency.name)
        else:
            sections.append(section)
            if count_only and (own or joined):
                label_ = f"Xem nhiệm vụ của {agency.short_name}"
                buttons.append(Button(label_, f"/nhiemvu {agency.id}"))
            elif section["more_own"] or section["more_joined"]:
                label_ = f"Xem đủ nhiệm vụ của {agency.short_name}"
                buttons.append(Button(label_, f"/nhiemvu {agency.id} {ALL}"))
        citations += [label(catalog, a.duty.clause) for a in specific + general]
        # Narrowed to a topic, the common duties are listed one by one: the answer is
        # about them too (a follow-up "hạn khi nào?" asks of them).
        duty_ids += [a.duty.key for a in specific + (general if topics else [])]
        citations += [part for document in issued for part in document["clauses"]]
        citations += [HEADER_PART] if section["received"] else []
    topic_names = [catalog.topics[t].name for t in topics if t in catalog.topics]
    # Agencies asked together share the common duties: told once, after them all.
    generals = [_headings(s["general"]) for s in sections]
    shared = (
        sections[0]["general"]
        if len(sections) > 1 and generals[0] and generals.count(generals[0]) == len(generals)
        else []
    )
    # `directive`: the heading when the answer is one directive's part of several.
    data = {
        "sections": sections,
        "topics": topic_names,
        "directive": "",
        "count_only": count_only,
        "shared_general": shared,
        # "Xem đủ": the lists in full, not again the common duties told the first time.
        "complete": complete,
    }
    reply = Reply("qa/agency_duties", data, tuple(buttons))
    return make(parse, "duties", reply, citations, evidence=1.0, duties=duty_ids)


def _cut(items: list[Assignment], most: int) -> list[Assignment]:
    """The first `most` items, or all of them when only one would be left out: "… và 1
    nhiệm vụ khác" takes the line the duty would."""
    return items if len(items) <= most + 1 else items[:most]


def _former_names(catalog: Catalog, parse: Parse, agency_id: str) -> list[FormerAgency]:
    """The agencies merged into `agency_id` that the question names it by."""
    found = (
        catalog.former_named(e.text, agency_id)
        for e in parse.entities
        if e.entity == "agency" and e.value == agency_id
    )
    return list({f.id: f for f in found if f is not None}.values())


def former_agencies(catalog: Catalog, parse: Parse, buttons: Sequence[Button]) -> Answer | None:
    """What became of the agencies the question names that are gone with no successor
    (closed, or merged into one since closed): said by name, with what can be asked."""
    by_id = {f.id: f for f in catalog.kb.former}
    found = [by_id[a] for a in parse.values("former_agency") if a in by_id]
    if not found:
        return None
    reply = Reply("qa/former_agency", {"former": found}, tuple(buttons))
    return make(parse, "former_agency", reply)


def _addressed(catalog: Catalog, agency: Agency) -> set[str]:
    """The ids a duty may name the agency by: its own and its groups'."""
    return {agency.id} | {g.id for g in catalog.groups_of(agency)}


def _leads(catalog: Catalog, agency: Agency, assignment: Assignment) -> bool:
    """Whether the duty is the agency's own: addressed to it (or its group) and led by
    it, or reaching it through the one that leads it (communes through districts).
    A duty addressed to another agency is worded for that one ("Phối hợp, hướng dẫn
    ..." of Sở TT&TT's clause), so the agency leading or joining it only joins it."""
    duty = assignment.duty
    if assignment.role == "via":
        return True
    if agency.id in duty.coordinate:  # named as a partner, whatever its groups lead
        return False
    ids = _addressed(catalog, agency)
    return bool(ids & set(duty.addressees)) and bool(ids & set(duty.lead))


def _joined_view(catalog: Catalog, agency: Agency, assignment: Assignment) -> dict[str, Any]:
    """A duty the agency joins, with whose duty it is: its addressees when it is not
    addressed to the agency (its title speaks for them), else who leads it. `owner` is
    empty when the title names them already."""
    duty = assignment.duty
    view = duty_view(catalog, duty, assignment.role)
    addressed = bool(_addressed(catalog, agency) & set(duty.addressees))
    owners = [catalog.agencies[a] for a in (duty.lead if addressed else duty.addressees)]
    title = fold(duty.title)
    named = all(fold(o.short_name) in title or fold(o.name) in title for o in owners)
    view["owner"] = "" if named else ", ".join(o.short_name for o in owners)
    view["owner_leads"] = addressed
    return view


def _own_first(catalog: Catalog, agency: Agency, specific: list[Assignment]) -> list[Assignment]:
    """The duties of the agency's own clause (addressed to it, then to its group)
    before those it leads or joins elsewhere, each in pack order."""
    groups = {g.id for g in catalog.groups_of(agency)}

    def rank(assignment: Assignment) -> int:
        addressees = set(assignment.duty.addressees)
        return 0 if agency.id in addressees else 1 if groups & addressees else 2

    return sorted(specific, key=rank)


def _doers_of(matcher: Matcher, topics: set[str]) -> list[dict[str, str]]:
    """Who leads the duties on the topics, each once, with the clause saying so."""
    catalog = matcher.catalog
    found: dict[str, dict[str, str]] = {}
    for _, duty in catalog.duties.values():
        if matcher.about(duty, topics):
            for agency_id in duty.lead:
                if agency_id in catalog.agencies:
                    found.setdefault(
                        agency_id,
                        {
                            "name": catalog.agencies[agency_id].short_name,
                            "clause": label(catalog, duty.clause),
                        },
                    )
    return list(found.values())


def partners(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Sở Tài chính phối hợp với sở nào": for each duty naming the agency itself, the
    others who lead or join it (Sở KH&ĐT, Mục 2.c); None for another question."""
    agency_ids = parse.values("agency")
    tokens = parse.tokens
    # ("Cùng Sở Tài chính lo nguồn tiền … còn có sở nào": the same asked; "cùng" right
    # before the name, not the "cung" of "cung cấp".)
    named = [e.text.split() for e in parse.entities if e.entity == "agency"]
    together = contains(tokens, ["phoi", "hop", "voi"]) or any(
        tokens[:1] == ("cung",) and list(tokens[1 : 1 + len(n)]) == n for n in named
    )
    if len(agency_ids) != 1 or not together:
        return None
    if not {"ai", "nao"} & set(tokens):
        return None
    agency = catalog.agencies[agency_ids[0]]
    joined = [
        (a.duty, [x for x in (*a.duty.lead, *a.duty.coordinate) if x != agency.id])
        for a in catalog.assignments(agency)
        if a.direct
    ]
    rows = [
        {"duty": duty_view(catalog, duty), "with": short_names(catalog, others)}
        for duty, others in joined
        if others
    ]
    reply = Reply("qa/partners", {"agency": agency.short_name, "rows": rows})
    clauses = list(dict.fromkeys(catalog.duty_clause_label(d) for d, o in joined if o))
    return make(parse, "responsible", reply, clauses, 1.0, [d.key for d, o in joined if o])


def _headings(general: Any) -> list[tuple[str, str]]:
    """The common duties' lines as compared between agencies (not who does each of
    their duties: Sở TT&TT receives the incident reports the others send)."""
    return [(g["title"], g["clause"]) for g in general]


def responsible(matcher: Matcher, parse: Parse) -> Answer | None:
    """The duty (or two) matching the task asked about, with who leads and coordinates;
    "ai chịu trách nhiệm về chữ ký số": every duty of the topic, with who does it."""
    topics = matcher.catalog.topics_named(parse.values("topic"))
    asked = set(parse.tokens) - RESPONSIBILITY_WORDS
    if len(topics) == 1 and matcher.only_names(replace(parse, tokens=tuple(asked))):
        return topic_overview(matcher, parse, topics)
    if topics and asks_for_a_list(parse) and not any(contains(parse.tokens, w) for w in WHO):
        # "các biện pháp đảm bảo ATTT chỉ thị nêu ra": many things asked, no one.
        return topic_overview(matcher, parse, topics)
    held = held_by_subject(matcher, parse)
    if held is not None:
        return held
    action = asked_action(parse)
    ranked = matcher.ranked_duties(parse, action=action)
    # "ai phụ trách tuyên truyền về ứng dụng CNTT": who is in charge of that action,
    # among the duties that hold it, however many more words of the rest others share.
    # (A plain verb, "ai tổ chức tập huấn", is only favoured: "tổ chức" is everywhere.)
    in_charge = action != asked_action(parse, past_charge=False)
    doing = [
        (d, s) for d, s in ranked if in_charge and contains(matcher.duty_tokens[d.key], action)
    ]
    found, score = best(doing or ranked)
    # "Sở Tài chính chịu trách nhiệm trước ai": what reaches the agency named, not
    # another agency's sentence on the same words (Sở TT&TT's, Mục 2.b).
    favoured = matcher.favoured_duties(parse)
    found = [d for d in found if d.id in favoured] or found
    if not found:
        return None
    found = _whole_for_parts(found, ranked)
    agent = _agent(matcher.catalog, parse, action, [d for d, _ in ranked], found)
    if agent is not None:
        # "X do ai quản lý": the agency the text says does it to X, not who must act on X.
        duty, view = agent
        reply = Reply("qa/agent", view, whole_clause([view["clause"]]))
        return make(parse, "responsible", reply, [view["clause"]], score, [duty.key])
    reply = responsible_reply(matcher.catalog, parse, found)
    return make(parse, "responsible", reply, _clauses(reply), score, [d.key for d in found])


# How close to a part's score the duty holding it must match to stand for it.
WHOLE_SHARE = 0.75


def _whole_for_parts(found: Sequence[Duty], ranked: Sequence[tuple[Duty, float]]) -> list[Duty]:
    """Each duty found whose sentence is part of another duty's (1.c's exception, of
    moving systems to the data centre), replaced by that whole duty when it matches
    nearly as well: who must move the systems is the whole one's doer."""
    scores = {d.key: s for d, s in ranked}
    result: list[Duty] = []
    for duty in found:
        part = duty.text.strip(" .;")
        whole = next(
            (
                d
                for d, s in ranked
                if d.key != duty.key
                and d.clause == duty.clause
                and part in d.text
                and s >= WHOLE_SHARE * scores.get(duty.key, 0.0)
            ),
            duty,
        )
        if whole not in result:
            result.append(whole)
    return result


# "chịu trách nhiệm", folded: the role a "<person> chịu trách nhiệm gì" question asks of.
ANSWERS_FOR = ("chiu", "trach", "nhiem")


# What may follow the role in such a question: it asks, it names no action.
ROLE_QUESTION = frozenset({"gi", "ve", "nhung", "nao", "truoc", "ai", "the", "sao", "khong"})
# Words that may end such a question after its question word ("về việc gì vậy").
QUESTION_TAILS = frozenset({"viec", "vay", "a", "nhi", "the", "ha"})
# How many words of the subject name it ("thủ trưởng", "giám đốc", "chủ tịch").
SUBJECT_WORDS = 2
# Titles of the person at the head of an agency, folded.
HEAD_TITLES = frozenset(
    {("thu", "truong"), ("giam", "doc"), ("chu", "tich"), ("nguoi", "dung"), ("lanh", "dao")}
)
# Words around a topic named after the role ("về việc … trên mạng"), folded.
ROLE_TOPIC_WORDS = frozenset({"viec", "tren", "mang", "moi", "truong", "cua", "trong"})
# At most this many duties answer it (a phone screen).
MAX_HELD = 4


def held_by_subject(matcher: Matcher, parse: Parse) -> Answer | None:
    """ "thủ trưởng cơ quan chịu trách nhiệm gì": every duty naming that subject with
    that responsibility (Mục 1.a and 1.f both do), not the best match only; None for
    a question of another shape, whatever the classifier took it for."""
    held = _held_by_subject(matcher, parse)
    if not held:
        return None
    reply = responsible_reply(matcher.catalog, parse, held)
    return make(parse, "responsible", reply, _clauses(reply), 1.0, [d.key for d in held])


def _held_by_subject(matcher: Matcher, parse: Parse) -> list[Duty]:
    """For "<subject> (phải) chịu trách nhiệm (về) gì" with a subject that is a person
    or title, not an agency the gazetteer knows: the duties whose text names that
    subject and that role, in the order of the text."""
    tokens = list(parse.tokens)
    at = _position(tokens, ANSWERS_FOR)
    if at < 0:
        return []
    after = tokens[at + len(ANSWERS_FOR) :]
    # "chịu trách nhiệm cá nhân về việc gì": the words qualifying the role, up to the
    # first word that asks; anything after that must ask too.
    qualifier = tuple(takewhile(lambda t: t not in ROLE_QUESTION, after))
    rest = after[len(qualifier) :]
    # "… chịu trách nhiệm cá nhân về việc cung cấp thông tin trên mạng không": a topic
    # named in what is asked narrows the duties to it.
    topics = set(parse.values("topic"))
    of_topics = {t for e in parse.entities if e.entity == "topic" for t in e.text.split()}
    asking = ROLE_QUESTION | QUESTION_TAILS | (of_topics | ROLE_TOPIC_WORDS if topics else set())
    if not rest or any(t not in asking for t in rest):
        return []
    stop = matcher.catalog.stopwords | {"phai", "se"}
    head = tuple(t for t in tokens[:at] if t not in stop)[:SUBJECT_WORDS]
    # "Chủ tịch UBND huyện chịu trách nhiệm gì": the person of an agency; "Sở Nội vụ
    # chịu trách nhiệm gì" asks for the agency's duties (answered as such).
    if len(head) < SUBJECT_WORDS or (parse.values("agency") and head not in HEAD_TITLES):
        return []
    duties = matcher.catalog.duties.items()
    # A qualified role ("cá nhân") the text gives only where it says so, whichever title
    # of the head it names there ("thủ trưởng" for a "giám đốc" asked): those first.
    qualified = (
        [
            duty
            for key, (_, duty) in duties
            if head in HEAD_TITLES
            and _position(matcher.duty_tokens[key], (*ANSWERS_FOR, *qualifier)) >= 0
        ]
        if qualifier
        else []
    )
    if topics:
        qualified = [d for d in qualified if matcher.about(d, topics)]
    if qualifier and not qualified:
        return []
    # A head of agency is one whichever title the text gives it ("thủ trưởng các cơ
    # quan" for a "giám đốc sở" asked).
    if qualified:
        # "chịu trách nhiệm cá nhân về gì": where the text says so, not every other
        # sentence on what the head answers for.
        return qualified[:MAX_HELD]
    heads = HEAD_TITLES if head in HEAD_TITLES else {head}
    named = [
        duty
        for key, (_, duty) in duties
        if any(
            0
            <= _position(matcher.duty_tokens[key], title)
            < _position(matcher.duty_tokens[key], ANSWERS_FOR)
            for title in heads
        )
    ]
    return list({d.key: d for d in qualified + named}.values())[:MAX_HELD]


def _without_groups_of_members(catalog: Catalog, agency_ids: Sequence[str]) -> list[str]:
    """ "Chủ tịch UBND huyện Yên Phong …": the district, not also the group of districts
    its title's first words name ("Chủ tịch UBND huyện"), which would repeat its list."""
    named = [catalog.agencies[a] for a in dict.fromkeys(agency_ids) if a in catalog.agencies]
    groups_of_named = {g.id for a in named for g in catalog.groups_of(a)}
    return [a.id for a in named if a.id not in groups_of_named]


def _position(tokens: Sequence[str], phrase: Sequence[str]) -> int:
    """Where `phrase` first occurs in `tokens` (-1 if it does not): a subject named
    only after the role ("chịu trách nhiệm trước Chủ tịch UBND tỉnh") is not the one
    who answers."""
    n = len(phrase)
    return next(
        (i for i in range(len(tokens) - n + 1) if list(tokens[i : i + n]) == list(phrase)), -1
    )


# "do ai quản lý", "bởi đơn vị nào ...": the question asks who does something *to* what
# it names (a passive), which the text says as "<X> do <agency> [đang] <verb>".
PASSIVE_MARKERS = frozenset({"do", "boi"})
# Words the text may put between the agency and the verb ("do Sở TT&TT đang quản lý").
_BETWEEN = r"(?:(?:dang|truc tiep|se|da)\s+)?"
# At most this many words of what precedes "do" are quoted with the answer.
CONTEXT_WORDS = 8


def _agent(
    catalog: Catalog,
    parse: Parse,
    action: Sequence[str],
    duties: Sequence[Duty],
    top: Sequence[Duty],
) -> tuple[Duty, dict[str, Any]] | None:
    """For a "who" question, the first duty whose text names an agency after "do"/"bởi"
    and before the asked verb, with that agency and the words that say so. Asked in
    the passive ("X do ai quản lý"), of any duty matching; in the active ("đơn vị nào
    quản lý X"), of the best matching ones only: the text says who does it to X
    the same way, but the active asks of other duties too ("ai hướng dẫn ...")."""
    tokens = parse.tokens
    who_at = next((i for i, t in enumerate(tokens) if t in ("ai", "don", "co", "so", "ben")), -1)
    if not action or who_at < 0 or not top:
        return None
    if who_at < 1 or tokens[who_at - 1] not in PASSIVE_MARKERS:
        duties = top
    names = sorted(catalog.agency_names.items(), key=lambda item: -len(item[0]))
    verb = r"\s+".join(re.escape(w) for w in action)
    for duty in duties:
        folded = fold(duty.text)
        if len(folded) != len(duty.text):  # spans of the folded text must be the text's
            continue
        for name, agency_id in names:
            pattern = rf"\b(?:do|boi)\s+{re.escape(name)}\s+{_BETWEEN}{verb}\b"
            found = re.search(pattern, folded)
            if found is None:
                continue
            before = re.split(r"[;,.:()]", duty.text[: found.start()])[-1].split()
            phrase = (
                " ".join(before[-CONTEXT_WORDS:]) + " " + duty.text[found.start() : found.end()]
            )
            view = {
                "agency": catalog.agencies[agency_id].name,
                "quote": phrase.strip(),
                "clause": label(catalog, duty.clause),
            }
            return duty, view
    return None


def responsible_for(catalog: Catalog, parse: Parse, duty_ids: Sequence[str]) -> Answer | None:
    """ "ai làm?" after an answer: who leads and joins the duties it was about."""
    found = [catalog.duties[d][1] for d in duty_ids[:2] if d in catalog.duties]
    if not found:
        return None
    reply = responsible_reply(catalog, parse, found)
    return make(parse, "responsible", reply, _clauses(reply), 1.0, duty_ids[:2])


def responsible_reply(catalog: Catalog, parse: Parse, found: Sequence[Duty]) -> Reply:
    """Who does each duty first, then the sentence of it closest to the question (the
    clause one choice away)."""
    words = set(parse.tokens) - RESPONSIBILITY_WORDS - catalog.stopwords
    action = asked_action(parse)
    views = [
        duty_view(catalog, d)
        | {
            "quote": best_piece(d.text, words, catalog.normalizer.tokens),
            "doer": _doer(catalog, d, action),
        }
        for d in found
    ]
    cut = [v["clause"] for v, d in zip(views, found, strict=True) if v["quote"] != d.text.strip()]
    return Reply("qa/responsible", {"duties": views}, whole_clause(cut))


def _doer(catalog: Catalog, duty: Duty, action: Sequence[str]) -> str:
    """Who does the `action` a "who" question asks ("ai hướng dẫn ..."), when that is
    not who leads the duty: a sentence of one agency's clause ("Phối hợp, hướng dẫn
    các cơ quan, đơn vị chuyển đổi ...", Sở TT&TT's Mục 2.b) says what that agency
    does in a task others lead. "" when the leads are the ones asked about."""
    if not action or set(duty.addressees) & set(duty.lead):
        return ""
    if not contains(catalog.normalizer.tokens(duty.text), action):
        return ""
    return ", ".join(catalog.agencies[a].name for a in duty.addressees if a in catalog.agencies)


def _clauses(reply: Reply) -> list[str]:
    return [v["clause"] for v in reply.data["duties"]]
