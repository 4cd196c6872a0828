"""Progress reports: which duties an agency reports on, saving, and the latest status."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.application.messages import Button, Reply
from bot.application.periods import add_report
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Duty, scoped_key, short_label, split_key
from bot.storage import models as m
from bot.storage.models import ProgressReport, User
from bot.storage.repositories import ProgressRepo

STATUSES = ("not_started", "in_progress", "done", "blocked")


@dataclass(frozen=True)
class ReportDraft:
    """What the dialog collected; saved as one append-only row."""

    duty_id: str
    status: str
    percent: int
    blockers: str = ""
    evidence_ref: str = ""
    evidence_date: dt.date | None = None
    evidence_file_id: str = ""
    evidence_number: int | None = None  # the kept file (`bot.application.evidence`)
    completed_on: dt.date | None = None  # done: the day the work was finished
    replaces_id: int | None = None  # the report this one corrects (/sua)


def reportable_duties(catalog: Catalog, agency_id: str) -> list[Duty]:
    """The duties an agency reports on: those naming it first, then those of the
    groups it belongs to (the general duties every sở or district has). Tasks only: a
    clause that states a responsibility has nothing to report."""
    assignments = catalog.assignments(catalog.agencies[agency_id])
    ordered = sorted(assignments, key=lambda a: not a.direct)
    return [a.duty for a in ordered if a.duty.is_task]


def duty_and_value(args: str) -> tuple[str, str]:
    """A command's duty id and the one value after it ("2.f-4 31/12/2026"), the id
    typed as shown or with its directive apart ("15/2021 1.b-1 31/12/2026"); ("", "")
    for other shapes."""
    words = args.split()
    if len(words) not in (2, 3):
        return "", ""
    return " ".join(words[:-1]), words[-1]


def find_duty_id(catalog: Catalog, typed: str) -> str | None:
    """The duty a user typed the id of: exactly ("2.f-4"), or without its punctuation
    or case ("2F4", "mã 2.f.4") when that names one duty only."""
    typed = typed.strip()
    exact = catalog.duties.resolve(typed)
    if exact is not None:
        return exact
    return _one_named(
        typed,
        ((k, (catalog.duty_label(k), catalog.duties[k][1].id)) for k in catalog.duties),
    )


def same_id(catalog: Catalog, typed: str, among: Iterable[str] | None = None) -> list[str]:
    """The duties of several directives a bare id names ("1.a-1" is 06's and 15's: a
    user types it as lists once showed it), those of `among` alone when given (an
    agency's own): the choices to offer, since `find_duty_id` picks none of them."""
    key = _id_key(re.sub(r"^(mã|ma)\s+", "", typed.strip(), flags=re.IGNORECASE))
    found = [k for k in catalog.duties if key and _id_key(catalog.duties[k][1].id) == key]
    if among is not None:
        wanted = set(among)
        found = [k for k in found if k in wanted]
    return found


def own_same_id(catalog: Catalog, typed: str, agency_id: str | None) -> list[str]:
    """`same_id` for a person reporting for `agency_id`: the agency's own duties with
    that id when it has any ("1.a-1" is 15's alone for Sở TT&TT), those it leads
    first; else every one."""
    agency = catalog.agencies.get(agency_id or "")
    if agency is None:
        return same_id(catalog, typed)
    # Those it leads first, then those naming it, then its groups' (06's «1.a-1» is
    # every sở's; 11's is Sở Tài chính's own lead duty).
    rank = {
        a.duty.key: (not a.direct, a.role != "lead")
        for a in catalog.assignments(agency)
        if a.duty.is_task
    }
    found = same_id(catalog, typed, rank)
    return sorted(found, key=rank.__getitem__) or same_id(catalog, typed)


def which_duty(
    catalog: Catalog, typed: str, keys: Sequence[str], command: str, rest: str = ""
) -> Reply:
    """Which of the duties sharing the id `typed` the user means: each as a choice
    that sends `/command <its qualified id> rest` again."""
    labels = [catalog.duty_label(k) for k in keys]
    choices = [
        {"id": label, "title": catalog.duties[k][1].title, "directive": catalog.duties[k][0].name}
        for k, label in zip(keys, labels, strict=True)
    ]
    buttons = tuple(
        Button(label, " ".join(filter(None, (f"/{command}", label, rest.strip()))))
        for label in labels
    )
    view = {"typed": typed.strip()[:40], "choices": choices, "command": command}
    return Reply("chat/which_duty", view, buttons)


def duties_of_clause(catalog: Catalog, typed: str, keys: Iterable[str]) -> list[str]:
    """Those of `keys` in the clause a user typed ("7.a", "Mục 7.a", "15/2021·7.a"):
    answers cite clauses, and people type what they read there."""
    key = _id_key(re.sub(r"^(mục|muc)\s+", "", typed.strip(), flags=re.IGNORECASE))
    if not key:
        return []

    def clause_of(k: str) -> set[str]:
        ids = (catalog.duty_label(k), catalog.duties[k][1].id)
        return {_id_key(re.sub(r"-\d+$", "", i)) for i in ids}

    return [k for k in keys if key in clause_of(k)]


def _one_named(typed: str, named: Iterable[tuple[str, Sequence[str]]]) -> str | None:
    """The one key whose ids (as shown, as stored) `typed` matches without punctuation
    or case; None when none or several do."""
    key = _id_key(re.sub(r"^(mã|ma)\s+", "", typed.strip(), flags=re.IGNORECASE))
    found = [k for k, ids in named if key in (_id_key(i) for i in ids)]
    return found[0] if len(found) == 1 else None


def _id_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


@dataclass(frozen=True)
class RetiredDuty:
    """A duty of a retired directive: its reports are history, read (`/tiendo <mã>`,
    the portal's duty page) but neither added to nor edited."""

    key: str  # scoped, as reports store it
    label: str  # "15/2021·I.1.a-1": always qualified (an active directive may share the id)
    title: str
    clause: str  # "15/2021 · Mục I.1.a"
    timing: str
    directive: str  # "Chỉ thị 15/CT-UBND"
    retired_on: dt.date  # in Vietnam's time


def find_retired_duty(session: Session, typed: str) -> RetiredDuty | None:
    """The duty of a retired directive a user typed the id of: its scoped key, its
    label ("15/2021·I.1.a-1") or its plain id when one retired duty has it, read as
    `find_duty_id` reads ids. Asked only once the active catalog knows no such duty:
    retired directives stay out of the catalog (no answers, nudges or digest rows)."""
    rows = session.execute(
        select(m.Duty, m.Directive)
        .join(m.Directive, m.Directive.id == m.Duty.directive_id)
        .where(m.Directive.retired_at.is_not(None))
    ).all()
    by_key = {scoped_key(d.id, duty.id): (duty, d) for duty, d in rows}

    def label(duty: m.Duty, directive: m.Directive) -> str:
        return f"{short_label(directive.number, directive.issued)}·{duty.id}"

    found = _one_named(typed, ((k, (k, label(*row), row[0].id)) for k, row in by_key.items()))
    if found is None:
        return None
    duty, directive = by_key[found]
    assert directive.retired_at is not None  # the query's condition
    # A pack directive whose folder has gone loses its clauses on the next seeding.
    clause = session.get(m.Clause, (directive.id, duty.clause))
    short = short_label(directive.number, directive.issued)
    return RetiredDuty(
        key=found,
        label=label(duty, directive),
        title=(duty.overrides or {}).get("title", duty.title),
        clause=f"{short} · {clause.label if clause else duty.clause}",
        timing=duty.timing_text,
        directive=f"{directive.doc_type} {directive.number}",
        retired_on=directive.retired_at.astimezone(TIMEZONE).date(),
    )


def save(
    session: Session, catalog: Catalog, settings: NudgeSettings, user: User, draft: ReportDraft
) -> ProgressReport:
    directive, duty = catalog.duties[draft.duty_id]
    assert user.agency_id is not None, "callers check can_report_for first"
    return add_report(
        session,
        catalog,
        settings,
        ProgressReport(
            directive_id=directive.id,
            duty_id=duty.id,
            agency_id=user.agency_id,
            user_id=user.id,
            status=draft.status,
            percent=draft.percent,
            blockers=draft.blockers,
            evidence_ref=draft.evidence_ref or None,
            evidence_date=draft.evidence_date,
            evidence_file_id=draft.evidence_file_id or None,
            evidence_number=draft.evidence_number,
            completed_on=draft.completed_on if draft.status == "done" else None,
            replaces_id=draft.replaces_id,
        ),
    )


def latest_by_duty(session: Session, agency_id: str) -> dict[str, ProgressReport]:
    """The agency's newest report by duty key."""
    return {r.duty_key: r for r in ProgressRepo(session).latest_by_agency(agency_id)}


def last_report_by(session: Session, user: User) -> ProgressReport | None:
    return session.scalar(
        select(ProgressReport)
        .where(ProgressReport.user_id == user.id)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .limit(1)
    )


def latest_for(session: Session, agency_id: str, duty_key: str) -> ProgressReport | None:
    """The agency's newest report on a duty (by its key)."""
    directive_id, duty_id = split_key(duty_key)
    return session.scalar(
        select(ProgressReport)
        .where(
            ProgressReport.directive_id == directive_id,
            ProgressReport.duty_id == duty_id,
            ProgressReport.agency_id == agency_id,
        )
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .limit(1)
    )


def latest_on(session: Session, report: ProgressReport) -> ProgressReport:
    """The newest report of `report`'s agency on its duty (`report` itself, or one made
    since)."""
    return latest_for(session, report.agency_id, report.duty_key) or report


def history(
    session: Session, agency_id: str, duty_key: str, limit: int
) -> tuple[list[tuple[ProgressReport, str]], int]:
    """The agency's reports on a duty, newest first, at most `limit`, each with the name
    of who made it; and how many older ones there are besides."""
    directive_id, duty_id = split_key(duty_key)
    on_duty = (
        ProgressReport.agency_id == agency_id,
        ProgressReport.directive_id == directive_id,
        ProgressReport.duty_id == duty_id,
    )
    rows = session.execute(
        select(ProgressReport, User.display_name)
        .join(User, User.id == ProgressReport.user_id)
        .where(*on_duty)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .limit(limit)
    )
    shown = [(report, name) for report, name in rows]
    total = session.scalar(select(func.count()).select_from(ProgressReport).where(*on_duty)) or 0
    return shown, total - len(shown)
