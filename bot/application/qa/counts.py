"""How many duties: "có bao nhiêu nhiệm vụ", "chỉ thị giao bao nhiêu việc", "Sở TT&TT
có mấy nhiệm vụ". One line from the data (per directive when several are loaded),
never a refusal or the whole list; and what a quantity question about an agency
asks for when it is not its duties ("Sở Nội vụ có bao nhiêu cán bộ").
"""

from __future__ import annotations

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import contains
from bot.domain.catalog import Catalog
from nlu.engine import Parse

# How a question asks for a quantity of something, folded ("mấy" folds to "may").
COUNT_MARKERS = (("bao", "nhieu"), ("so", "luong"), ("may",), ("tong", "so"))
# What a count of duties counts ("nhiệm vụ", "việc", "đầu việc", "công việc"), folded.
DUTY_NOUNS = frozenset({"nhiem", "viec"})
# Words between the marker and what is counted ("bao nhiêu cái camera").
COUNT_FILLERS = frozenset({"cai", "loai"})
# ... and those only before a duty's noun ("bao nhiêu đầu việc", "mấy công việc"):
# "bao nhiêu công chức" counts civil servants.
DUTY_FILLERS = frozenset({"dau", "cong"})


def counted_words(tokens: tuple[str, ...], start: int, size: int) -> list[str]:
    """The `size` words from `start` on, but the fillers: what a count counts."""
    words = tokens[start : start + size]
    return [
        t
        for i, t in enumerate(words)
        if t not in COUNT_FILLERS
        and not (t in DUTY_FILLERS and words[i + 1 : i + 2] and words[i + 1] in DUTY_NOUNS)
    ]


# What "máy" (a machine, folded as "mấy" is) names: "máy tính", "máy chủ", "máy móc".
MACHINE_WORDS = frozenset({"tinh", "chu", "moc", "in", "quet", "tram"})


def is_count_marker(parse: Parse, marker: tuple[str, ...], at: int) -> bool:
    """Whether `marker`, found at `at` in the question's tokens, asks how many: "mấy"
    as typed, or unaccented and not before a machine's name ("máy tính")."""
    if marker != ("may",):
        return True
    typed = parse.text.lower()
    if "mấy" in typed:
        return True
    following = parse.tokens[at + 1 : at + 2]
    return "máy" not in typed and not (following and following[0] in MACHINE_WORDS)


def counted(parse: Parse) -> str | None:
    """The word a quantity question counts ("nhiem" in "bao nhiêu nhiệm vụ"), or None
    when it asks for no quantity."""
    tokens = parse.tokens
    for marker in COUNT_MARKERS:
        n = len(marker)
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i : i + n]) != marker or not is_count_marker(parse, marker, i):
                continue
            after = counted_words(tokens, i + n, 3)
            if after:
                return after[0]
    return None


def asks_duty_count(parse: Parse) -> bool:
    """ "bao nhiêu nhiệm vụ"; not "mấy nhiệm vụ chung", which counts a part's points
    (the directive's structure)."""
    parts = ("nhiem", "vu", "chung"), ("nhiem", "vu", "cu", "the")
    return counted(parse) in DUTY_NOUNS and not any(contains(parse.tokens, list(p)) for p in parts)


def duty_count(catalog: Catalog, parse: Parse) -> Answer:
    """The duties each directive gives: its tasks (what the pack's duty kind calls a
    task), and apart from them the sentences that only say who answers for what."""
    rows = []
    for directive in catalog.directives.values():
        tasks = [d for d in directive.duties if d.is_task]
        clauses = list(dict.fromkeys(d.clause for d in tasks))
        rows.append(
            {
                "name": directive.name,
                "tasks": len(tasks),
                "clauses": len(clauses),
                "others": len(directive.duties) - len(tasks),
            }
        )
    reply = Reply("qa/duty_count", {"directives": rows})
    return make(parse, "duty_count", reply)


def owned_count(parse: Parse) -> list[str]:
    """The agencies a quantity is asked of as their own ("Sở Nội vụ có bao nhiêu cán
    bộ", "UBND cấp xã có mấy trang tin"): the agency, then "có", then the marker."""
    asked = " ".join(parse.tokens)
    return [
        e.value
        for e in parse.entities
        if e.entity == "agency"
        and any(f"{e.text} co {' '.join(m)} " in f"{asked} " for m in COUNT_MARKERS)
    ]


# "bao nhiêu cơ quan / đơn vị được giao nhiệm vụ" (folded): the agencies the duties
# name, counted from the data.
BODY_NOUNS = frozenset({"co", "don"})  # "cơ quan", "đơn vị"
GIVEN_WORDS = frozenset({"giao", "nhiem", "viec"})


def asks_agency_count(parse: Parse) -> bool:
    return counted(parse) in BODY_NOUNS and bool(GIVEN_WORDS & set(parse.tokens))


def agency_count(catalog: Catalog, parse: Parse) -> Answer:
    """The agencies and groups of agencies each directive gives duties to (as leads or
    addressees), named, in the order its text first gives them."""
    rows = []
    for directive in catalog.directives.values():
        given: dict[str, None] = {}
        for duty in directive.duties:
            for agency_id in (*duty.addressees, *duty.lead):
                if agency_id in catalog.agencies:
                    given.setdefault(agency_id)
        names = [catalog.agencies[a].short_name for a in given]
        rows.append({"name": directive.name, "agencies": names})
    reply = Reply("qa/agency_count", {"directives": rows})
    return make(parse, "duty_count", reply)
