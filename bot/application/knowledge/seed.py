"""Copy a `KnowledgeBase` (the directive pack) into the database and read it back.

`seed_knowledge` is an idempotent upsert. The rules:

* Directives, agencies, clauses, duties, figures, topics, duty agencies and agency
  aliases follow the pack: new rows are inserted, changed rows are updated in place,
  unchanged rows are not touched (a second run with the same pack writes nothing).
* Rows the pack no longer has: clauses, figures, topics, aliases and duty-agency links
  are deleted; directives, duties and agencies, which progress reports and users point
  at, are only marked `active = False` (and reactivated if they come back).
* `Duty.effective_due` (an admin-set extended deadline) is never read or written here,
  nor `Agency.overrides` (the admins' catalog edits, applied when loading: see
  `agencies.py`); rows the admins added are not retired.
* FAQ entries belong to the admins once they exist: seeding inserts a pack entry only
  when its id is not in the table yet and never updates, deactivates or deletes one.
  To push a changed pack answer, an admin edits it (or deletes the row and reseeds).

Neither function commits: the caller's `session_scope` does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.application.knowledge import rows
from bot.application.knowledge.agencies import AgencyLayer, agency_layer
from bot.domain import knowledge as k
from bot.domain.calendar import TIMEZONE
from bot.storage import models as m
from nlu.normalize import fold as default_fold

RowT = TypeVar("RowT", bound=m.Base)
DesiredRows = dict[Any, dict[str, Any]]


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
    # Directives published from the command line or chat are not the pack's: seeding
    # neither retires nor rewrites them (a pack folder with the same id gives way).
    published = set(session.scalars(select(m.Directive.id).where(m.Directive.origin == PUBLISHED)))
    directives = tuple(d for d in kb.directives if d.id not in published)
    _sync_directives(sync, directives, lambda directive_id: directive_id not in published)
    sync.table(
        m.Agency,
        lambda r: r.id,
        {a.id: rows.agency_row(a, i) for i, a in enumerate(kb.agencies)},
        retire=True,
        # Agencies the admins created are not the pack's to retire (see agencies.py).
        scope=lambda r: not (r.overrides or {}).get("added"),
    )
    session.flush()

    sync.table(
        m.AgencyAlias,
        lambda r: (r.agency_id, r.position),
        {
            (a.id, i): rows.alias_row(a, i, alias, fold(alias))
            for a in kb.agencies
            for i, alias in enumerate(a.aliases)
        },
    )

    _sync_parts(sync, directives, lambda directive_id: directive_id not in published)
    sync.table(
        m.FaqEntry,
        lambda r: r.id,
        {f.id: rows.faq_row(f, i) for i, f in enumerate(kb.faq)},
        insert_only=True,
    )
    session.flush()
    return result


def load_knowledge_from_db(session: Session) -> k.KnowledgeBase:
    """Rebuild the dataclasses from the active rows (the inverse of `seed_knowledge`)."""
    # The admins' layer (renames, merges, ...) applies to agencies and duties' links.
    layer = _agency_layer(session)
    agencies = layer.agencies

    links = _duty_links(session)

    clauses = _by_directive(session, m.Clause, m.Clause.position)
    duties = _by_directive(session, m.Duty, m.Duty.position, m.Duty.active)
    figures = _by_directive(session, m.Figure, m.Figure.position)
    topics = _by_directive(session, m.Topic, m.Topic.position)

    directives = layer.directives(
        rows.directive_from_row(
            d,
            [rows.clause_from_row(c) for c in clauses[d.id]],
            [rows.duty_from_row(duty, links) for duty in duties[d.id]],
            [rows.figure_from_row(f) for f in figures[d.id]],
            [rows.topic_from_row(t) for t in topics[d.id]],
        )
        for d in session.scalars(
            select(m.Directive)
            .where(m.Directive.active)
            .order_by(m.Directive.position, m.Directive.id)
        )
    )
    faq = tuple(
        rows.faq_from_row(f)
        for f in session.scalars(
            select(m.FaqEntry).where(m.FaqEntry.active).order_by(m.FaqEntry.position, m.FaqEntry.id)
        )
    )
    retired = tuple(
        k.RetiredDirective(
            d.doc_type, d.number, d.issued, d.title, d.retired_at.astimezone(TIMEZONE).date()
        )
        for d in session.scalars(
            select(m.Directive).where(m.Directive.retired_at.is_not(None)).order_by(m.Directive.id)
        )
        if d.retired_at is not None
    )
    return k.KnowledgeBase(
        directives=directives, agencies=agencies, faq=faq, retired=retired, former=layer.former
    )


def _agency_layer(session: Session) -> AgencyLayer:
    """The agencies as the admins left them (renames, merges, deactivations)."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias in session.scalars(
        select(m.AgencyAlias).order_by(m.AgencyAlias.agency_id, m.AgencyAlias.position)
    ):
        aliases[alias.agency_id].append(alias.alias)
    return agency_layer(
        session.scalars(select(m.Agency).order_by(m.Agency.position, m.Agency.id)), aliases
    )


PACK, PUBLISHED = "pack", "published"


def publish_directive(session: Session, directive: k.Directive) -> SeedResult:
    """Write one directive (from `bot directive publish` or chat) into the tables, as
    published: seeding from data/directives keeps it from then on. Its agencies must
    exist already. Publishing again replaces its parts as seeding would."""
    result = SeedResult()
    sync = _Sync(session, result)
    row = session.get(m.Directive, directive.id)
    position = row.position if row else _next_position(session)
    desired = {directive.id: {**rows.directive_row(directive, position), "origin": PUBLISHED}}
    if row is not None and row.retired_at is not None:
        row.retired_at = None
    sync.table(m.Directive, lambda r: r.id, desired, scope=lambda r: r.id == directive.id)
    _sync_parts(sync, (directive,), lambda directive_id: directive_id == directive.id)
    return result


def _next_position(session: Session) -> int:
    last = session.scalar(select(func.max(m.Directive.position)))
    return 0 if last is None else last + 1


def _sync_directives(
    sync: _Sync, directives: Sequence[k.Directive], ours: Callable[[str], bool]
) -> None:
    """The directives' own rows; a retired one stays inactive whatever the pack says."""
    retired = {
        r.id
        for r in sync.session.scalars(
            select(m.Directive).where(m.Directive.retired_at.is_not(None))
        )
    }
    sync.table(
        m.Directive,
        lambda r: r.id,
        {
            d.id: {**rows.directive_row(d, i), "active": d.id not in retired}
            for i, d in enumerate(directives)
        },
        retire=True,
        scope=lambda r: ours(r.id),
    )
    sync.session.flush()


def _sync_parts(
    sync: _Sync, directives: Sequence[k.Directive], ours: Callable[[str], bool]
) -> None:
    """Clauses, duties, figures, topics and duty links of `directives`; rows of other
    directives (`ours` says which are the caller's) are left alone."""

    def per_directive(part: str, row: Callable[[str, Any, int], dict[str, Any]]) -> DesiredRows:
        """(directive id, item id) -> row, for one part of every directive."""
        return {
            (d.id, item.id): row(d.id, item, i)
            for d in directives
            for i, item in enumerate(getattr(d, part))
        }

    def scoped(r: Any) -> bool:
        return ours(r.directive_id)

    duties = per_directive("duties", rows.duty_row)
    sync.table(m.Duty, _directive_and_id, duties, retire=True, scope=scoped)
    for model, part, make in (
        (m.Clause, "clauses", rows.clause_row),
        (m.Figure, "figures", rows.figure_row),
        (m.Topic, "topics", rows.topic_row),
    ):
        sync.table(model, _directive_and_id, per_directive(part, make), scope=scoped)
    sync.session.flush()
    # Links of duties the pack dropped stay, so a retired duty keeps its history.
    sync.table(
        m.DutyAgency,
        lambda r: (r.directive_id, r.duty_id, r.role, r.position),
        {
            (row["directive_id"], row["duty_id"], row["role"], row["position"]): row
            for d in directives
            for duty in d.duties
            for row in rows.duty_agency_rows(d.id, duty)
        },
        scope=lambda r: (r.directive_id, r.duty_id) in duties,
    )
    sync.session.flush()


def _directive_and_id(row: Any) -> Hashable:
    return (row.directive_id, row.id)


# --- the upsert ------------------------------------------------------------------------


class _Sync:
    def __init__(self, session: Session, result: SeedResult) -> None:
        self.session = session
        self.result = result

    def table(
        self,
        model: type[RowT],
        key: Callable[[RowT], Hashable],
        desired: DesiredRows,
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


# --- back to dataclasses ---------------------------------------------------------------


def _by_directive(
    session: Session, model: type[RowT], position: Any, *where: Any
) -> dict[str, list[RowT]]:
    rows: dict[str, list[RowT]] = defaultdict(list)
    for row in session.scalars(select(model).where(*where).order_by(position)):
        rows[getattr(row, "directive_id")].append(row)  # noqa: B009
    return rows


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
    """One duty as answers will show it once the indexes are rebuilt (admins' edits in,
    its agencies read through the catalog's merges and deactivations)."""
    row = session.get_one(m.Duty, (directive_id, duty_id))
    where = (m.DutyAgency.directive_id == directive_id, m.DutyAgency.duty_id == duty_id)
    return _agency_layer(session).duty(rows.duty_from_row(row, _duty_links(session, *where)))


def duties_from_db(session: Session) -> list[tuple[m.Duty, k.Duty]]:
    """Every active duty as answers will show it (admins' edits in), with its row, in
    the pack's order."""
    links, layer = _duty_links(session), _agency_layer(session)
    query = select(m.Duty).where(m.Duty.active).order_by(m.Duty.directive_id, m.Duty.position)
    return [(row, layer.duty(rows.duty_from_row(row, links))) for row in session.scalars(query)]
