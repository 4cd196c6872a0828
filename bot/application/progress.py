"""Progress reports: which duties an agency reports on, saving, and the latest status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.catalog import Catalog
from bot.domain.knowledge import Duty
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


def reportable_duties(catalog: Catalog, agency_id: str) -> list[Duty]:
    """The duties an agency reports on: those naming it first, then those of the
    groups it belongs to (the general duties every sở or district has)."""
    assignments = catalog.assignments(catalog.agencies[agency_id])
    return [a.duty for a in sorted(assignments, key=lambda a: not a.direct)]


def save(session: Session, catalog: Catalog, user: User, draft: ReportDraft) -> ProgressReport:
    directive, _ = catalog.duties[draft.duty_id]
    assert user.agency_id is not None, "callers check can_report_for first"
    return ProgressRepo(session).add(
        ProgressReport(
            directive_id=directive.id,
            duty_id=draft.duty_id,
            agency_id=user.agency_id,
            user_id=user.id,
            status=draft.status,
            percent=draft.percent,
            blockers=draft.blockers,
            evidence_ref=draft.evidence_ref or None,
            evidence_date=draft.evidence_date,
            evidence_file_id=draft.evidence_file_id or None,
        )
    )


def latest_by_duty(session: Session, agency_id: str) -> dict[str, ProgressReport]:
    return {r.duty_id: r for r in ProgressRepo(session).latest_by_agency(agency_id)}


def last_report_by(session: Session, user: User) -> ProgressReport | None:
    return session.scalar(
        select(ProgressReport)
        .where(ProgressReport.user_id == user.id)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .limit(1)
    )
