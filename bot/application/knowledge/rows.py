"""The knowledge dataclasses <-> table rows: each type's two directions side by side.

Columns are named after the dataclass fields, so most of the mapping is generic
(`columns_of`, `from_columns`: tuples are stored as JSON lists); what is written out
below is where a table differs: a directive's cited documents as JSON, a duty's timing
in four columns and its agencies in `duty_agencies` (with the admins' overrides on the
way back), an agency's aliases in their own table. `seed.py` writes these rows and
reads them back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

from bot.domain import knowledge as k
from bot.storage import models as m

T = TypeVar("T")

# A duty's agencies by role, as `duty_agencies.role` names them.
DUTY_ROLES = ("addressee", "lead", "coordinate", "via")
_ROLE_FIELDS = {"addressee": "addressees", "lead": "lead", "coordinate": "coordinate", "via": "via"}


def columns_of(item: Any, *, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """A dataclass's fields as column values (tuples as lists)."""
    skipped = set(leave_out)
    return {
        f.name: list(value) if isinstance(value, tuple) else value
        for f in dataclasses.fields(item)
        if f.name not in skipped
        for value in (getattr(item, f.name),)
    }


def from_columns(cls: type[T], row: Any, **given: Any) -> T:
    """A dataclass from a row's columns of the same names (lists as tuples); `given`
    supplies the fields the row does not hold."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in given:
            values[f.name] = given[f.name]
        else:
            value = getattr(row, f.name)
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


# --- directives --------------------------------------------------------------------------


def directive_row(d: k.Directive, position: int) -> dict[str, Any]:
    parts = ("cites", "clauses", "duties", "figures", "topics")
    return {
        **columns_of(d, leave_out=parts),
        "cites": [cite_json(c) for c in d.cites],
        "position": position,
        "active": True,
    }


def directive_from_row(
    row: m.Directive,
    clauses: Sequence[k.Clause],
    duties: Sequence[k.Duty],
    figures: Sequence[k.Figure],
    topics: Sequence[k.Topic],
) -> k.Directive:
    return from_columns(
        k.Directive,
        row,
        cites=tuple(cite_from_json(c) for c in row.cites),
        clauses=tuple(clauses),
        duties=tuple(duties),
        figures=tuple(figures),
        topics=tuple(topics),
    )


def cite_json(c: k.CitedDocument) -> dict[str, str]:
    return {**columns_of(c), "date": c.date.isoformat()}


def cite_from_json(c: Mapping[str, str]) -> k.CitedDocument:
    return k.CitedDocument(**{**c, "date": dt.date.fromisoformat(c["date"])})  # type: ignore[arg-type]


# --- agencies ----------------------------------------------------------------------------


def agency_row(a: k.Agency, position: int) -> dict[str, Any]:
    return {**columns_of(a, leave_out=("aliases",)), "position": position, "active": True}


def agency_from_row(row: m.Agency, aliases: Sequence[str]) -> k.Agency:
    return from_columns(k.Agency, row, aliases=tuple(aliases))


def alias_row(a: k.Agency, position: int, alias: str, folded: str) -> dict[str, Any]:
    return {"agency_id": a.id, "position": position, "alias": alias, "folded": folded}


# --- clauses, figures, topics, FAQ ---------------------------------------------------------


def clause_row(directive_id: str, c: k.Clause, position: int) -> dict[str, Any]:
    return {"directive_id": directive_id, **columns_of(c), "position": position}


def clause_from_row(row: m.Clause) -> k.Clause:
    return from_columns(k.Clause, row)


def figure_row(directive_id: str, f: k.Figure, position: int) -> dict[str, Any]:
    return {"directive_id": directive_id, **columns_of(f), "position": position}


def figure_from_row(row: m.Figure) -> k.Figure:
    return from_columns(k.Figure, row)


def topic_row(directive_id: str, t: k.Topic, position: int) -> dict[str, Any]:
    return {"directive_id": directive_id, **columns_of(t), "position": position}


def topic_from_row(row: m.Topic) -> k.Topic:
    return from_columns(k.Topic, row)


def faq_row(f: k.FaqEntry, position: int) -> dict[str, Any]:
    return {**columns_of(f), "position": position, "active": True}


def faq_from_row(row: m.FaqEntry) -> k.FaqEntry:
    return from_columns(k.FaqEntry, row)


# --- duties --------------------------------------------------------------------------------


def duty_row(directive_id: str, duty: k.Duty, position: int) -> dict[str, Any]:
    """The pack's duty. No "effective_due" or "overrides": they belong to the admins."""
    timing = duty.timing
    return {
        "directive_id": directive_id,
        **columns_of(duty, leave_out=("timing", *_ROLE_FIELDS.values())),
        "timing_kind": timing.kind,
        "timing_due": timing.due,
        "timing_recurrence": timing.recurrence,
        "timing_text": timing.text,
        "position": position,
        "active": True,
    }


def duty_agency_rows(directive_id: str, duty: k.Duty) -> Iterable[dict[str, Any]]:
    for role in DUTY_ROLES:
        for position, agency_id in enumerate(getattr(duty, _ROLE_FIELDS[role])):
            yield {
                "directive_id": directive_id,
                "duty_id": duty.id,
                "role": role,
                "position": position,
                "agency_id": agency_id,
            }


def duty_from_row(row: m.Duty, links: Mapping[tuple[str, str, str], Sequence[str]]) -> k.Duty:
    """The duty as the pack gave it, with the admins' edits (`overrides`) and extended
    deadline; `links` maps (directive, duty, role) to agency ids."""
    overrides = row.overrides or {}

    def agencies(role: str) -> tuple[str, ...]:
        if role in overrides:
            return tuple(overrides[role])
        return tuple(links.get((row.directive_id, row.id, role), ()))

    timing = k.Timing(
        kind=cast(k.TimingKind, row.timing_kind),
        due=row.timing_due,
        recurrence=cast(k.Recurrence | None, row.timing_recurrence),
        text=row.timing_text,
        extended_to=row.effective_due if row.timing_kind == "deadline" else None,
    )
    return from_columns(
        k.Duty,
        row,
        title=overrides.get("title", row.title),
        timing=timing,
        **{field: agencies(role) for role, field in _ROLE_FIELDS.items()},
    )
