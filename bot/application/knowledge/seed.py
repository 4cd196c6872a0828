"""Copy a `KnowledgeBase` (the directive pack) into the database and read it back.

`seed_knowledge` is an idempotent upsert. The rules:

* Directives, agencies, clauses, duties, figures, topics, duty agencies and agency
  aliases follow the pack: new rows are inserted, changed rows are updated in place,
  unchanged rows are not touched (a second run with the same pack writes nothing).
* Rows the pack no longer has: clauses, figures, topics, aliases and duty-agency links
  are deleted; directives, duties and agencies, which progress reports and users point
  at, are only marked `active = False` (and reactivated if they come back).
* `Duty.effective_due` (an admin-set extended deadline) is never read or written here.
* FAQ entries belong to the admins once they exist: seeding inserts a pack entry only
  when its id is not in the table yet and never updates, deactivates or deletes one.
  To push a changed pack answer, an admin edits it (or deletes the row and reseeds).

Neither function commits: the caller's `session_scope` does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import knowledge as k
from bot.storage import models as m
from nlu.normalize import fold as default_fold

RowT = TypeVar("RowT", bound=m.Base)


@dataclass
class SeedResult:
    """Rows inserted, updated and removed (deleted or deactivated), per table."""

    inserted: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.inserted or +self.updated or +self.removed)


def seed_knowledge(
    session: Session, kb: k.KnowledgeBase, *, fold: Callable[[str], str] = default_fold
) -> SeedResult:
    """Upsert `kb` into the tables (see the module docstring for the rules).

    `fold` computes `agency_aliases.folded`; pass the NLU's folding if it differs.
    """
    result = SeedResult()
    sync = _Sync(session, result)

    sync.table(
        m.Directive,
        lambda r: r.id,
        {d.id: _directive_row(d, i) for i, d in enumerate(kb.directives)},
        retire=True,
    )
    sync.table(
        m.Agency,
        lambda r: r.id,
        {a.id: _agency_row(a, i) for i, a in enumerate(kb.agencies)},
        retire=True,
    )
    session.flush()

    sync.table(
        m.AgencyAlias,
        lambda r: (r.agency_id, r.position),
        {
            (a.id, i): {"agency_id": a.id, "position": i, "alias": alias, "folded": fold(alias)}
            for a in kb.agencies
            for i, alias in enumerate(a.aliases)
        },
    )
    duties = {
        (d.id, duty.id): _duty_row(d.id, duty, i)
        for d in kb.directives
        for i, duty in enumerate(d.duties)
    }
    sync.table(m.Duty, lambda r: (r.directive_id, r.id), duties, retire=True)
    sync.table(
        m.Clause,
        lambda r: (r.directive_id, r.id),
        {
            (d.id, c.id): _clause_row(d.id, c, i)
            for d in kb.directives
            for i, c in enumerate(d.clauses)
        },
    )
    sync.table(
        m.Figure,
        lambda r: (r.directive_id, r.id),
        {
            (d.id, f.id): _figure_row(d.id, f, i)
            for d in kb.directives
            for i, f in enumerate(d.figures)
        },
    )
    sync.table(
        m.Topic,
        lambda r: (r.directive_id, r.id),
        {
            (d.id, t.id): _topic_row(d.id, t, i)
            for d in kb.directives
            for i, t in enumerate(d.topics)
        },
    )
    session.flush()

    # Links of duties the pack dropped stay, so a retired duty keeps its history.
    sync.table(
        m.DutyAgency,
        lambda r: (r.directive_id, r.duty_id, r.role, r.position),
        {
            (d.id, duty.id, role, i): {
                "directive_id": d.id,
                "duty_id": duty.id,
                "role": role,
                "position": i,
                "agency_id": agency_id,
            }
            for d in kb.directives
            for duty in d.duties
            for role, agency_ids in _duty_roles(duty)
            for i, agency_id in enumerate(agency_ids)
        },
        scope=lambda r: (r.directive_id, r.duty_id) in duties,
    )
    sync.table(
        m.FaqEntry,
        lambda r: r.id,
        {f.id: _faq_row(f, i) for i, f in enumerate(kb.faq)},
        insert_only=True,
    )
    session.flush()
    return result


def load_knowledge_from_db(session: Session) -> k.KnowledgeBase:
    """Rebuild the dataclasses from the active rows (the inverse of `seed_knowledge`)."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias in session.scalars(
        select(m.AgencyAlias).order_by(m.AgencyAlias.agency_id, m.AgencyAlias.position)
    ):
        aliases[alias.agency_id].append(alias.alias)
    agencies = tuple(
        k.Agency(
            id=a.id,
            name=a.name,
            short_name=a.short_name,
            kind=cast(k.AgencyKind, a.kind),
            level=cast(k.AgencyLevel, a.level),
            aliases=tuple(aliases[a.id]),
            member_levels=tuple(cast(list[k.AgencyLevel], a.member_levels)),
            member_kinds=tuple(cast(list[k.AgencyKind], a.member_kinds)),
        )
        for a in session.scalars(
            select(m.Agency).where(m.Agency.active).order_by(m.Agency.position, m.Agency.id)
        )
    )

    links = _duty_links(session)

    clauses = _by_directive(session, m.Clause, m.Clause.position)
    duties = _by_directive(session, m.Duty, m.Duty.position, m.Duty.active)
    figures = _by_directive(session, m.Figure, m.Figure.position)
    topics = _by_directive(session, m.Topic, m.Topic.position)

    directives = tuple(
        k.Directive(
            id=d.id,
            number=d.number,
            doc_type=d.doc_type,
            title=d.title,
            issued=d.issued,
            effective=d.effective,
            issuer=d.issuer,
            place=d.place,
            signer_name=d.signer_name,
            signer_title=d.signer_title,
            signing_capacity=d.signing_capacity,
            source_text=d.source_text,
            cites=tuple(_cite_from_json(c) for c in d.cites),
            recipients=tuple(d.recipients),
            clauses=tuple(_clause(c) for c in clauses[d.id]),
            duties=tuple(_duty(duty, links) for duty in duties[d.id]),
            figures=tuple(_figure(f) for f in figures[d.id]),
            topics=tuple(_topic(t) for t in topics[d.id]),
        )
        for d in session.scalars(
            select(m.Directive)
            .where(m.Directive.active)
            .order_by(m.Directive.position, m.Directive.id)
        )
    )
    faq = tuple(
        k.FaqEntry(
            id=f.id,
            question=f.question,
            answer=f.answer,
            alternates=tuple(f.alternates),
            clauses=tuple(f.clauses),
        )
        for f in session.scalars(
            select(m.FaqEntry).where(m.FaqEntry.active).order_by(m.FaqEntry.position, m.FaqEntry.id)
        )
    )
    return k.KnowledgeBase(directives=directives, agencies=agencies, faq=faq)


# --- the upsert ------------------------------------------------------------------------


class _Sync:
    def __init__(self, session: Session, result: SeedResult) -> None:
        self.session = session
        self.result = result

    def table(
        self,
        model: type[RowT],
        key: Callable[[RowT], Hashable],
        desired: dict[Any, dict[str, Any]],
        *,
        retire: bool = False,
        insert_only: bool = False,
        scope: Callable[[RowT], bool] | None = None,
    ) -> None:
        """Make `model`'s rows (those in `scope`) match `desired` (key -> column values)."""
        name = model.__tablename__
        existing = {
            key(row): row
            for row in self.session.scalars(select(model))
            if scope is None or scope(row)
        }
        for row_key, values in desired.items():
            row = existing.pop(row_key, None)
            if row is None:
                self.session.add(model(**values))
                self.result.inserted[name] += 1
                continue
            if insert_only:
                continue
            changes = {c: v for c, v in values.items() if getattr(row, c) != v}
            for column, value in changes.items():
                setattr(row, column, value)
            if changes:
                self.result.updated[name] += 1
        if insert_only:
            return
        for row in existing.values():
            if not retire:
                self.session.delete(row)
                self.result.removed[name] += 1
            elif getattr(row, "active"):  # noqa: B009 - every retiring model has it
                setattr(row, "active", False)  # noqa: B010
                self.result.removed[name] += 1


def _directive_row(d: k.Directive, position: int) -> dict[str, Any]:
    return {
        "id": d.id,
        "number": d.number,
        "doc_type": d.doc_type,
        "title": d.title,
        "issued": d.issued,
        "effective": d.effective,
        "issuer": d.issuer,
        "place": d.place,
        "signer_name": d.signer_name,
        "signer_title": d.signer_title,
        "signing_capacity": d.signing_capacity,
        "source_text": d.source_text,
        "cites": [_cite_to_json(c) for c in d.cites],
        "recipients": list(d.recipients),
        "position": position,
        "active": True,
    }


def _agency_row(a: k.Agency, position: int) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "short_name": a.short_name,
        "kind": a.kind,
        "level": a.level,
        "member_levels": list(a.member_levels),
        "member_kinds": list(a.member_kinds),
        "position": position,
        "active": True,
    }


def _clause_row(directive_id: str, c: k.Clause, position: int) -> dict[str, Any]:
    return {
        "directive_id": directive_id,
        "id": c.id,
        "label": c.label,
        "title": c.title,
        "text": c.text,
        "parent": c.parent,
        "items": list(c.items),
        "topics": list(c.topics),
        "position": position,
    }


def _duty_row(directive_id: str, duty: k.Duty, position: int) -> dict[str, Any]:
    # No "effective_due": it belongs to the admins.
    return {
        "directive_id": directive_id,
        "id": duty.id,
        "clause": duty.clause,
        "title": duty.title,
        "text": duty.text,
        "timing_kind": duty.timing.kind,
        "timing_due": duty.timing.due,
        "timing_recurrence": duty.timing.recurrence,
        "timing_text": duty.timing.text,
        "topics": list(duty.topics),
        "position": position,
        "active": True,
    }


def _duty_roles(duty: k.Duty) -> Iterable[tuple[str, tuple[str, ...]]]:
    return (
        ("addressee", duty.addressees),
        ("lead", duty.lead),
        ("coordinate", duty.coordinate),
        ("via", duty.via),
    )


def _figure_row(directive_id: str, f: k.Figure, position: int) -> dict[str, Any]:
    return {
        "directive_id": directive_id,
        "id": f.id,
        "label": f.label,
        "value": f.value,
        "unit": f.unit,
        "clause": f.clause,
        "quote": f.quote,
        "keywords": list(f.keywords),
        "parent": f.parent,
        "position": position,
    }


def _topic_row(directive_id: str, t: k.Topic, position: int) -> dict[str, Any]:
    return {
        "directive_id": directive_id,
        "id": t.id,
        "name": t.name,
        "aliases": list(t.aliases),
        "clauses": list(t.clauses),
        "position": position,
    }


def _faq_row(f: k.FaqEntry, position: int) -> dict[str, Any]:
    return {
        "id": f.id,
        "question": f.question,
        "alternates": list(f.alternates),
        "answer": f.answer,
        "clauses": list(f.clauses),
        "position": position,
        "active": True,
    }


def _cite_to_json(c: k.CitedDocument) -> dict[str, str]:
    return {
        "number": c.number,
        "doc_type": c.doc_type,
        "date": c.date.isoformat(),
        "issuer": c.issuer,
        "subject": c.subject,
        "clause": c.clause,
        "quote": c.quote,
    }


# --- back to dataclasses ---------------------------------------------------------------


def _by_directive(
    session: Session, model: type[RowT], position: Any, *where: Any
) -> dict[str, list[RowT]]:
    rows: dict[str, list[RowT]] = defaultdict(list)
    for row in session.scalars(select(model).where(*where).order_by(position)):
        rows[getattr(row, "directive_id")].append(row)  # noqa: B009
    return rows


def _cite_from_json(c: dict[str, str]) -> k.CitedDocument:
    return k.CitedDocument(
        number=c["number"],
        doc_type=c["doc_type"],
        date=dt.date.fromisoformat(c["date"]),
        issuer=c["issuer"],
        subject=c["subject"],
        clause=c["clause"],
        quote=c["quote"],
    )


def _clause(c: m.Clause) -> k.Clause:
    return k.Clause(
        id=c.id,
        label=c.label,
        title=c.title,
        text=c.text,
        parent=c.parent,
        items=tuple(c.items),
        topics=tuple(c.topics),
    )


def _duty_links(session: Session, *where: Any) -> dict[tuple[str, str, str], list[str]]:
    """(directive, duty, role) -> agency ids, in their order."""
    links: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    query = (
        select(m.DutyAgency)
        .where(*where)
        .order_by(
            m.DutyAgency.directive_id,
            m.DutyAgency.duty_id,
            m.DutyAgency.role,
            m.DutyAgency.position,
        )
    )
    for link in session.scalars(query):
        links[link.directive_id, link.duty_id, link.role].append(link.agency_id)
    return links


def duty_from_db(session: Session, directive_id: str, duty_id: str) -> k.Duty:
    """One duty as answers will show it once the indexes are rebuilt (admins' edits in)."""
    row = session.get_one(m.Duty, (directive_id, duty_id))
    where = (m.DutyAgency.directive_id == directive_id, m.DutyAgency.duty_id == duty_id)
    return _duty(row, _duty_links(session, *where))


def _duty(d: m.Duty, links: dict[tuple[str, str, str], list[str]]) -> k.Duty:
    """The duty as the pack gave it, with the admins' edits and extended deadline."""
    overrides = d.overrides or {}

    def agencies(role: str) -> tuple[str, ...]:
        if role in overrides:
            return tuple(overrides[role])
        return tuple(links.get((d.directive_id, d.id, role), ()))

    return k.Duty(
        id=d.id,
        clause=d.clause,
        title=overrides.get("title", d.title),
        text=d.text,
        addressees=agencies("addressee"),
        lead=agencies("lead"),
        coordinate=agencies("coordinate"),
        via=agencies("via"),
        timing=k.Timing(
            kind=cast(k.TimingKind, d.timing_kind),
            due=d.timing_due,
            recurrence=cast(k.Recurrence | None, d.timing_recurrence),
            text=d.timing_text,
            extended_to=d.effective_due if d.timing_kind == "deadline" else None,
        ),
        topics=tuple(d.topics),
    )


def _figure(f: m.Figure) -> k.Figure:
    return k.Figure(
        id=f.id,
        label=f.label,
        value=f.value,
        unit=f.unit,
        clause=f.clause,
        quote=f.quote,
        keywords=tuple(f.keywords),
        parent=f.parent,
    )


def _topic(t: m.Topic) -> k.Topic:
    return k.Topic(id=t.id, name=t.name, aliases=tuple(t.aliases), clauses=tuple(t.clauses))
