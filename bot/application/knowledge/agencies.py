"""The agency catalog as answers see it: the pack's agencies with the admins' layer on top.

Design. The pack (data/agencies.yaml) is seeded into `agencies` / `agency_aliases` at
every start, so admins' edits cannot live in those columns: the next seeding would
put the pack's values back. They live in one JSON column, `agencies.overrides`,
which seeding never reads or writes (as `duties.overrides` for duties):

* ``name``, ``short_name``, ``kind``, ``level``: replace the pack's value;
* ``aliases``: names added to the pack's (a renamed agency keeps its old names here);
* ``active``: replaces the pack's (deactivated, or reactivated);
* ``merged_into``: the agency it was merged into (then also ``active: false``);
* ``added``: the admins created the row; seeding leaves such a row alone.

This module reads the layer when the knowledge is loaded (`agency_layer`): an agency
merged into another is not in the catalog, its names become aliases of the agency it
went into (so "Sở TT&TT" still finds the Sở KH&CN), and the duties' assignments are
read through the merges (a duty of the Sở TT&TT is the Sở KH&CN's), while
`duty_agencies` keeps the directive's own wording for history. Links to an agency
that is no longer active and was merged into none are dropped.

What points at agencies outside the knowledge (accounts, reports, outbox rows) is
moved by the merge itself (bot.application.admin.agencies), with each moved row
recorded for revert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.knowledge import rows
from bot.domain import knowledge as k
from bot.storage import models as m
from nlu.normalize import fold

EDITABLE = ("name", "short_name", "kind", "level")


def is_active(row: m.Agency) -> bool:
    overrides = row.overrides or {}
    return bool(overrides.get("active", row.active))


def name_of(row: m.Agency, field: str = "name") -> str:
    """The agency's name (or `field`: "short_name") with the admins' rename in."""
    return str((row.overrides or {}).get(field, getattr(row, field)))


def active_names(session: Session, agency_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(name, short name) of those of `agency_ids` that are active, in catalog order,
    as the database has them now: what a person is told about their own agency right
    after a change, before the indexes (`Catalog`) are rebuilt in the background."""
    wanted = set(agency_ids)
    query = select(m.Agency).where(m.Agency.id.in_(wanted)).order_by(m.Agency.position)
    return {
        row.id: (name_of(row), name_of(row, "short_name"))
        for row in session.scalars(query)
        if is_active(row)
    }


def merged_into(row: m.Agency) -> str | None:
    target = (row.overrides or {}).get("merged_into")
    return str(target) if target and not is_active(row) else None


@dataclass(frozen=True)
class AgencyLayer:
    """The active agencies (admins' edits in) and where each merged one went."""

    agencies: tuple[k.Agency, ...]
    merged: Mapping[str, str]  # merged agency id -> the active agency it is now part of
    former: tuple[k.FormerAgency, ...] = ()  # the inactive ones, and what became of them

    def resolve(self, agency_id: str) -> str | None:
        """The active agency `agency_id` is, or is now part of; None: gone."""
        active = {a.id for a in self.agencies}
        if agency_id in active:
            return agency_id
        target = self.merged.get(agency_id)
        return target if target in active else None

    def resolve_all(self, agency_ids: Iterable[str]) -> tuple[str, ...]:
        resolved = (self.resolve(a) for a in agency_ids)
        return tuple(dict.fromkeys(a for a in resolved if a is not None))

    def duty(self, duty: k.Duty) -> k.Duty:
        return replace(
            duty,
            addressees=self.resolve_all(duty.addressees),
            lead=self.resolve_all(duty.lead),
            coordinate=self.resolve_all(duty.coordinate),
            via=self.resolve_all(duty.via),
        )

    def directives(self, directives: Iterable[k.Directive]) -> tuple[k.Directive, ...]:
        return tuple(replace(d, duties=tuple(self.duty(x) for x in d.duties)) for d in directives)


def _final_targets(by_id: Mapping[str, m.Agency]) -> dict[str, str]:
    """Merged agency -> the end of its chain of merges (A into B, B later into C: C)."""
    merged: dict[str, str] = {}
    for agency_id, row in by_id.items():
        seen, current = {agency_id}, merged_into(row)
        while current is not None and current in by_id and current not in seen:
            seen.add(current)
            following = merged_into(by_id[current])
            if following is None:
                break
            current = following
        if current is not None:
            merged[agency_id] = current
    return merged


def agency_layer(rows_: Iterable[m.Agency], aliases: Mapping[str, list[str]]) -> AgencyLayer:
    """The catalog from every agency row (in catalog order) and the pack's aliases."""
    by_id = {row.id: row for row in rows_}
    merged = _final_targets(by_id)
    # Names beyond the pack's own aliases: the admins' (old names), and merged agencies'.
    added: dict[str, list[str]] = {
        agency_id: list((row.overrides or {}).get("aliases", ()))
        for agency_id, row in by_id.items()
    }
    for source, target in merged.items():
        row = by_id[source]
        values = {**_pack_values(row), **_edited(row)}
        own_names = (values["name"], values["short_name"], *aliases.get(source, ()))
        added.setdefault(target, []).extend((*own_names, *(row.overrides or {}).get("aliases", ())))
    agencies = []
    for agency_id, row in by_id.items():
        if not is_active(row):
            continue
        edited = _edited(row)
        current = {**_pack_values(row), **edited}
        pack = list(aliases.get(agency_id, ()))  # as seeded, untouched
        known = {fold(n) for n in (agency_id, current["name"], current["short_name"], *pack)}
        extra = dict.fromkeys(n for n in added[agency_id] if fold(n) not in known)
        agencies.append(replace(rows.agency_from_row(row, [*pack, *extra]), **edited))
    layer = AgencyLayer(tuple(agencies), merged)
    return replace(layer, former=_former(by_id, aliases, layer))


def _former(
    by_id: Mapping[str, m.Agency], aliases: Mapping[str, list[str]], layer: AgencyLayer
) -> tuple[k.FormerAgency, ...]:
    """Every agency the admins closed or merged, with the agency it was merged into and
    the active one holding its duties now (none for an agency closed, or merged into one
    closed). One the pack itself dropped is not among them: the pack no longer knows it."""
    former = []
    for agency_id, row in by_id.items():
        if is_active(row) or (row.overrides or {}).get("active") is not False:
            continue
        values = {**_pack_values(row), **_edited(row)}
        target = merged_into(row)
        target_row = by_id.get(target) if target else None
        names = (*aliases.get(agency_id, ()), *(row.overrides or {}).get("aliases", ()))
        former.append(
            k.FormerAgency(
                id=agency_id,
                name=values["name"],
                short_name=values["short_name"],
                aliases=tuple(dict.fromkeys(names)),
                merged_into={**_pack_values(target_row), **_edited(target_row)}["name"]
                if target_row is not None
                else "",
                now=layer.resolve(agency_id),
            )
        )
    return tuple(former)


def _pack_values(row: m.Agency) -> dict[str, str]:
    return {"name": row.name, "short_name": row.short_name}


def _edited(row: m.Agency) -> dict[str, Any]:
    overrides = row.overrides or {}
    return {f: overrides[f] for f in EDITABLE if f in overrides}
