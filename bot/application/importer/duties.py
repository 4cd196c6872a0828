"""Duties: the sentences of a clause that give an agency something to do.

A duty is what the assistant nudges an agency about, so only sentences with a known
doer become duties: under a "Nhiệm vụ"-like heading (and in the closing) a sentence is
cut from each paragraph and bullet and addressed to the agencies the heading names,
unless it names its own doer ("Giao Sở X ...", "Sở X chủ trì ..."); elsewhere only a
sentence that names its doer counts. Sentences are cut at ". " + capital and at "; " +
lower case, never inside brackets or after an abbreviation. A candidate with no
addressee is reported instead of drafted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.application.importer.agencies import (
    AgencyMatch,
    AgencyMatcher,
    addressees,
    agency_ids,
    unique,
)
from bot.application.importer.clauses import COORDINATION, Part, Roles, draft_title
from bot.application.importer.dates import read_timing
from bot.application.importer.reading import TOKEN, Span, any_phrase, preview, span_text
from bot.domain.knowledge import Duty, DutyKind, Timing, members_among
from nlu.normalize import fold_words as fold


@dataclass(frozen=True)
class DutyCandidate:
    """One duty the importer cut from the text; written to the draft if addressed."""

    clause: str
    text: str  # verbatim
    line: int
    span: Span
    addressees: tuple[str, ...]
    lead: tuple[str, ...]
    coordinate: tuple[str, ...]
    timing: Timing
    timing_span: Span | None = None
    unknown_doer: str = ""  # the doer a heading names that the catalog does not know
    title: str = ""  # the draft title: from the task's verb on (`_task_start`)


_SUBJECT_VERB = re.compile(
    r"(?<!\w)(?:"
    + any_phrase(
        *("chịu trách nhiệm", "có trách nhiệm", "chủ trì", "phối hợp", "thực hiện", "tổ chức"),
        *("triển khai", "căn cứ", "tham mưu", "thi hành", "hướng dẫn", "xây dựng", "kiểm tra"),
        *("báo cáo", "đôn đốc", "rà soát", "theo dõi", "bố trí", "cập nhật", "cử"),
    )
    + r")(?!\w)",
    re.IGNORECASE,
)
# A sentence that only says who answers for something ("... chịu trách nhiệm trước Chủ
# tịch UBND tỉnh ...", "... có trách nhiệm thi hành Chỉ thị này"): a responsibility,
# drafted with kind: responsibility so that nobody is asked to report on it. Folded.
_ANSWERS_FOR = re.compile(
    r"\b(?:chiu trach nhiem (?:ca nhan )?truoc|(?:co|chiu) trach nhiem thi hanh"
    # carrying out the document itself, strictly: "nghiêm túc thực hiện Chỉ thị này",
    # "thực hiện nghiêm Kế hoạch này" (not "bố trí kinh phí để thực hiện Chỉ thị này")
    r"|(?:nghiem tuc (?:thuc hien|thi hanh)|(?:thuc hien|thi hanh) nghiem(?: tuc)?)"
    r" (?:chi thi|ke hoach|quyet dinh|van ban) nay)\b"
)
# "(Trong quá trình thực hiện,) nếu có khó khăn, vướng mắc, (các cơ quan) báo cáo/phản
# ánh về X": the closing formula of a directive, said to every agency it addresses, and
# only if a difficulty arises: a responsibility of all of them, nothing to report on a
# schedule (`general_clause`). Folded.
_IF_DIFFICULTIES = re.compile(
    r"\bneu (?:co |phat sinh )*(?:kho khan|vuong mac|van de phat sinh|bat cap)\b"
)
_REPORT_UP = re.compile(r"\b(?:bao cao|phan anh|de xuat|kien nghi)\b")
_TIMING_LEAD = ("thoi gian", "thoi han", "xong", "hoan thanh truoc", "truoc ngay", "cham nhat")
_ABBREVIATIONS = frozenset({"tp", "tx", "h", "q", "kt", "tm", "tl", "tuq", "v.v", "ths", "ts"})


def _pieces(source: str, span: Span) -> list[Span]:
    """Sentences of a unit, cut again at "; " + lower case unless a time limit follows."""
    start, end = span
    cuts: list[Span] = []
    piece_start = start
    depth = 0
    for i in range(start, end):
        c = source[i]
        depth += c == "("
        depth -= c == ")" and depth > 0
        nxt = source[i + 1 : i + 2]
        if depth or not nxt.isspace():
            continue
        after = i + 1
        while after < end and source[after].isspace():
            after += 1
        if after >= end:
            break
        if c in ".!?…" and source[after].isupper():
            word = re.findall(r"[\w.]+$", source[piece_start:i])
            if word and word[-1].lower() in _ABBREVIATIONS:
                continue
            cuts.append((piece_start, i + 1))
            piece_start = after
        elif (
            c == ";"
            and source[after].islower()  # "; Chủ tịch UBND ..." continues a list of names
            and not fold(source[after : after + 30]).startswith(_TIMING_LEAD)
        ):
            cuts.append((piece_start, i))
            piece_start = after
    cuts.append((piece_start, end))
    merged: list[Span] = []
    for cut in cuts:  # a fragment of one or two words is not a duty
        if merged and len(span_text(source, cut).split()) < 3:
            merged[-1] = (merged[-1][0], cut[1])
        else:
            merged.append(cut)
    return [s for s in merged if span_text(source, s).strip()]


def _run_after(matches: list[AgencyMatch], source: str, pos: int) -> list[AgencyMatch]:
    """Agencies listed right after `pos` ("Giao Sở A, Sở B và ..."), a few words apart at most."""
    run: list[AgencyMatch] = []
    for m in matches:
        if m.start < pos:
            continue
        gap = source[pos : m.start]
        if re.search(r"[.;:]", gap) or len(TOKEN.findall(gap)) > 3:
            break
        run.append(m)
        pos = m.end
    return run


def _named_after(source: str, span: Span, pos: int, matcher: AgencyMatcher) -> tuple[str, ...]:
    """The agencies `span` lists right after `pos`."""
    return agency_ids(_run_after(matcher.find(source, *span), source, pos))


def _subject(source: str, span: Span, matcher: AgencyMatcher) -> tuple[tuple[str, ...], int]:
    """Who a sentence names as its doer ("Giao Sở X ...", "Giám đốc các sở ... chịu ..."),
    and where what it gives them to do starts (the sentence's start if it names none)."""
    start, end = span
    giao = re.match(r"\s*Giao\s+", source[start:end])
    if giao:
        run = _run_after(matcher.find(source, *span), source, start + giao.end())
        return agency_ids(run), run[-1].end if run else start
    verb = _SUBJECT_VERB.search(source, start, end)
    if verb is None:
        return (), start
    named = [m for m in matcher.find(source, start, verb.start())]
    if not named or len(TOKEN.findall(source, start, named[0].start)) > 3:
        return (), start
    return addressees(named), verb.start()


# "Chủ trì, phối hợp với <partners>" / "Phối hợp với <partners>" opening a sentence: the
# roles say who works with whom, the title starts at the task after the partners.
_WITH_PARTNERS = re.compile(
    rf"(?:chủ trì,?\s+)?(?:{any_phrase('phối hợp với', 'phối hợp cùng')})\s+", re.IGNORECASE
)
# The verbs a task after a partner the catalog does not know may start with ("... với
# Kho bạc Nhà nước tỉnh hướng dẫn ..."): the partner's name ends before one.
_TASK_VERB = re.compile(
    r"\s(?="
    + any_phrase(
        *("triển khai", "tổ chức", "hướng dẫn", "xây dựng", "thực hiện", "tuyên truyền"),
        *("bảo đảm", "đảm bảo", "bố trí", "rà soát", "kiểm tra", "theo dõi", "tham mưu"),
        *("hoàn thiện", "nâng cấp", "tích hợp", "cung cấp", "đôn đốc", "tổng hợp", "xử lý"),
    )
    + r"(?!\w))"
)
_MIN_TASK_WORDS = 3


def _task_start(source: str, span: Span, at: int, matcher: AgencyMatcher) -> int:
    """Where the task of a sentence starts: at `at` (after its doer), past an opening
    "Chủ trì, phối hợp với X, Y" whose partners end where a known agency list ends or,
    for a partner the catalog does not know, before a task's verb; unchanged when
    fewer than `_MIN_TASK_WORDS` words would be left ("Phối hợp với Sở X thực hiện")."""
    while at < span[1] and source[at].isspace():
        at += 1
    partners = _WITH_PARTNERS.match(source, at, span[1])
    if partners is None:
        return at
    run = _run_after(matcher.find(source, *span), source, partners.end())
    verb = _TASK_VERB.search(source, partners.end(), span[1])
    task = run[-1].end if run else verb.start() if verb else at
    if len(TOKEN.findall(source, task, span[1])) < _MIN_TASK_WORDS:
        return at
    return task


def duty_candidates(
    source: str, parts: list[Part], matcher: AgencyMatcher, problems: list[str]
) -> list[DutyCandidate]:
    """Every duty candidate of `parts`, addressed or not, with its roles and timing."""
    found: list[DutyCandidate] = []
    for part in parts:
        for unit, line in part.units:
            for piece in _pieces(source, unit):
                piece_line = line + source.count("\n", unit[0], piece[0])
                subject, doer_end = _subject(source, piece, matcher)
                if not part.duty_scope and not subject:
                    continue  # outside a duty section only an explicit "Giao X ..." counts
                roles = Roles(subject, subject) if subject else part.roles
                coordination = COORDINATION.search(source, *piece)
                extra = (
                    _named_after(source, piece, coordination.end(), matcher) if coordination else ()
                )
                coordinate = tuple(
                    a for a in unique(roles.coordinate, extra) if a not in roles.lead
                )
                timing, timing_span = read_timing(source, piece, piece_line, problems)
                found.append(
                    DutyCandidate(
                        clause=part.clause.id,
                        text=span_text(source, piece),
                        line=piece_line,
                        span=piece,
                        addressees=roles.addressees,
                        lead=roles.lead or roles.addressees,
                        coordinate=coordinate,
                        timing=timing,
                        timing_span=timing_span,
                        unknown_doer="" if roles.addressees else roles.unknown,
                        title=draft_title(
                            source[_task_start(source, piece, doer_end, matcher) : piece[1]]
                        ),
                    )
                )
    return _addressed_to_all(found, matcher)


def general_clause(text: str) -> bool:
    """Whether a sentence is the closing formula for difficulties («nếu có khó khăn,
    vướng mắc, báo cáo về X»), by its shape: a condition on difficulties and a report."""
    folded = fold(text)
    found = _IF_DIFFICULTIES.search(folded)
    return found is not None and _REPORT_UP.search(folded, found.end()) is not None


def _addressed_to_all(
    candidates: list[DutyCandidate], matcher: AgencyMatcher
) -> list[DutyCandidate]:
    """The closing formula for difficulties, when no heading names its doer, addressed to
    every agency the directive addresses: its collective addressees ("các sở, ban,
    ngành", "UBND cấp huyện") and each agency given a duty that none of them holds."""
    known = matcher.agencies
    every = unique(*(c.addressees for c in candidates))
    groups = [known[a] for a in known if a in every and known[a].kind == "group"]
    covered = {m.id for g in groups for m in members_among(g, known.values())}
    to_all = tuple(a for a in known if a in every and a not in covered)
    return [
        replace(c, addressees=to_all, lead=to_all, unknown_doer="")
        if not c.addressees and not c.unknown_doer and general_clause(c.text)
        else c
        for c in candidates
    ]


def draft_duties(
    candidates: list[DutyCandidate], problems: list[str]
) -> tuple[tuple[Duty, ...], tuple[Duty, ...]]:
    """The addressed candidates as duties numbered within their clause ("1.a-2"), and
    the others, numbered after them ("1.a-3"), for the admin to give an agency."""
    addressed = [c for c in candidates if c.addressees]
    waiting = [c for c in candidates if not c.addressees]
    problems += [unaddressed_problem(c) for c in waiting]
    numbers: dict[str, int] = {}
    duties: list[Duty] = []
    for c in addressed + waiting:
        numbers[c.clause] = numbers.get(c.clause, 0) + 1
        duties.append(
            Duty(
                id=f"{c.clause}-{numbers[c.clause]}",
                clause=c.clause,
                title=c.title or draft_title(c.text),
                text=c.text,
                addressees=c.addressees,
                lead=c.lead if c.addressees else (),
                coordinate=c.coordinate,
                timing=c.timing,
                kind=duty_kind(c.text),
            )
        )
    return tuple(duties[: len(addressed)]), tuple(duties[len(addressed) :])


def unaddressed_problem(c: DutyCandidate) -> str:
    """Why a candidate has no agency: none named, or one the catalog does not know."""
    who = (
        f"giao cho «{c.unknown_doer}», cơ quan chưa có trong danh mục"
        if c.unknown_doer
        else "chưa rõ cơ quan thực hiện"
    )
    return f"dòng {c.line}: nhiệm vụ ở mục {c.clause} {who}: «{preview(c.text)}»"


def duty_kind(text: str) -> DutyKind:
    """A sentence whose doer only answers for something, or the closing formula for
    difficulties (`general_clause`), is a responsibility, not a task."""
    answers_for = _ANSWERS_FOR.search(fold(text)) or general_clause(text)
    return "responsibility" if answers_for else "task"
