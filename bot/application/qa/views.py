"""The data the Q&A templates (templates/qa/) render: duties, passages and their
clauses as plain dictionaries with agency names and clause labels resolved.

Answers return data, never text; these views are that data, built one way for every
answer (and for the report dialog, which shows a duty's timing the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.catalog import Assignment, Catalog, Passage
from bot.domain.dates import vn_date
from bot.domain.knowledge import CitedDocument, Directive, Duty
from nlu.normalize import fold


def timing_view(duty: Duty) -> dict[str, Any]:
    return {
        "kind": duty.timing.kind,
        "due": duty.timing.due,
        "recurrence": duty.timing.recurrence,
        "text": duty.timing.text,
        "extended_to": duty.timing.extended_to,
    }


def directive(catalog: Catalog) -> Directive:
    """The directive the assistant is about (the pack's first)."""
    return catalog.kb.directives[0]


def label(catalog: Catalog, clause_id: str) -> str:
    return catalog.clause_label(directive(catalog), clause_id)


def names(catalog: Catalog, agency_ids: Sequence[str]) -> list[str]:
    return [catalog.agencies[a].name for a in agency_ids if a in catalog.agencies]


def short_names(catalog: Catalog, agency_ids: Sequence[str]) -> list[str]:
    return [catalog.agencies[a].short_name for a in agency_ids if a in catalog.agencies]


def cited_in(catalog: Catalog, text: str) -> list[CitedDocument]:
    """Documents a quoted text refers to, so the answer can give their full reference."""
    return [c for d in catalog.kb.directives for c in d.cites if c.number in text]


# Who leads a duty whose agencies were all closed since (the district level, 2025):
# read in "… chịu trách nhiệm", "Đơn vị thực hiện: …", "— …".
NO_HOLDER = "không còn cơ quan nào (cơ quan được giao đã thôi hoạt động)"


def duty_view(catalog: Catalog, duty: Duty, role: str = "") -> dict[str, Any]:
    return {
        "id": duty.id,
        "title": duty.title,
        "text": duty.text,
        # The duty's own directive: a list across directives (/hanchot) mixes them.
        "clause": catalog.duty_clause_label(duty),
        "role": role,
        "lead": names(catalog, duty.lead) or [NO_HOLDER],
        "coordinate": names(catalog, duty.coordinate),
        # As officials write them ("Sở TT&TT", "UBND cấp huyện"): for a line that
        # names who does a duty next to the answer, not as the answer.
        "lead_short": short_names(catalog, duty.lead) or [NO_HOLDER],
        "coordinate_short": short_names(catalog, duty.coordinate),
        "via": names(catalog, duty.via),
        "timing": timing_view(duty),
        "cited": cited_in(catalog, duty.text),
        # "Phối hợp xây dựng quy định …" (Sở Nội vụ, 2.d): its doer joins a work the
        # text gives no one to lead; it is not "responsible" for it.
        "joins": fold(duty.text).startswith("phoi hop"),
    }


def passage_view(catalog: Catalog, passage: Passage) -> dict[str, Any]:
    title = passage.clause.title
    # A clause headed by who does it ("2.d. Sở Nội vụ"), whose bullets do not say it.
    # ... or by several ("2.e. Báo Bắc Ninh, Đài Phát thanh và Truyền hình tỉnh, …").
    doers = [fold(part.strip()) for part in title.split(",")]
    says_who = all(d in catalog.agency_names for d in doers) and not any(
        d in fold(passage.text) for d in doers
    )
    # A piece of a dated task without its date ("… nhất là các hệ thống … về Trung tâm
    # dữ liệu", its date in the next piece): the date said after it.
    dated = [
        catalog.duties[d][1].timing
        for d in passage.duty_ids
        if d in catalog.duties and catalog.duties[d][1].timing.kind == "deadline"
    ]
    due = next((t.extended_to or t.due for t in dated if t.due is not None), None)
    return {
        "text": passage.text,
        "clause": catalog.qualified(passage.directive, passage.clause.label),
        "title": title,
        "who": title if says_who else "",
        "cited": cited_in(catalog, passage.text),
        "due": due if due is not None and vn_date(due) not in passage.text else None,
    }


def general_view(
    catalog: Catalog, general: list[Assignment], detailed: bool
) -> list[dict[str, Any]]:
    """General duties, one line per clause unless a topic narrows them down; each
    says whether it is the closing paragraph's (carry the directive out), which is no
    point of the common part."""
    if detailed:
        return [
            {**duty_view(catalog, a.duty, a.role), "closing": _closing(catalog, a.duty)}
            for a in general
        ]
    by_clause: dict[str, dict[str, Any]] = {}
    for assignment in general:
        clause = catalog.clause_of(assignment.duty)
        # A heading that says who, not what ("8. Các sở, ban, ngành" of an imported
        # directive): each of its duties is summed up by its own title instead.
        says_who = fold(clause.title) in catalog.agency_names
        title = assignment.duty.title if says_who else clause.title
        key = assignment.duty.key if says_who else clause.id
        entry = by_clause.setdefault(
            key,
            {
                "title": title,
                "clause": label(catalog, clause.id),
                "timing": None,
                "duties": [],
                "closing": _closing(catalog, assignment.duty),
            },
        )
        if not says_who:
            # What the heading sums up, for a list of the general duties alone.
            entry["duties"].append(duty_view(catalog, assignment.duty, assignment.role))
    return list(by_clause.values())


def _closing(catalog: Catalog, duty: Duty) -> bool:
    return catalog.clause_of(duty).id == CLOSING


# The closing paragraph's clause ("Giám đốc các sở … chịu trách nhiệm thi hành").
CLOSING = "closing"


def issued_by(catalog: Catalog, agency_name: str) -> list[dict[str, Any]]:
    """The directives an agency issued, with the parts that give out their duties and
    whom a part's opening line gives them to ("Giám đốc các sở, …, Chủ tịch UBND các
    huyện, …:" of Mục 1)."""
    issued = []
    for issued_directive in catalog.kb.directives:
        if issued_directive.issuer != agency_name:
            continue
        parts: list[str] = []
        given_to: list[dict[str, str]] = []
        for duty in issued_directive.duties:
            clause = catalog.clause_of(duty)
            part_id = clause.parent or clause.id
            part = label(catalog, part_id)
            if part in parts:
                continue
            parts.append(part)
            opening = next((c for c in issued_directive.clauses if c.id == part_id), None)
            if opening is not None and opening.text.strip().endswith(":"):
                to = opening.text.strip().rstrip(":")
                given_to.append({"clause": part, "title": opening.title, "to": to})
        issued.append(
            {
                "name": f"{issued_directive.doc_type} {issued_directive.number}",
                "clauses": parts,
                "given_to": given_to,
            }
        )
    return issued


# How answers cite the header and signature part of a text (where "Nơi nhận" is).
HEADER_PART = "Phần đầu và phần ký của văn bản"
# Why "Nơi nhận" sends a body the directive, by the mark after its name.
RECIPIENT_NOTES = {"(b/c)": "để báo cáo", "(p/h chỉ đạo)": "để phối hợp chỉ đạo"}


def received_by(catalog: Catalog, agency_name: str) -> dict[str, str] | None:
    """The line of "Nơi nhận" naming an agency given no duty ("Văn phòng Chính phủ
    (b/c)"), with why it gets the directive; None when no line names it."""
    name = set(catalog.normalizer.tokens(agency_name))
    for held in catalog.held:
        for line in held.recipients:
            if name and name <= set(catalog.normalizer.tokens(line)):
                why = [note for mark, note in RECIPIENT_NOTES.items() if mark in line]
                return {"line": line.strip().rstrip(";. "), "why": why[0] if why else ""}
    return None
