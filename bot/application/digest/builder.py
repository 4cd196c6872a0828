"""Building digests for users from the database (scope by role), rendering them as a
message with its chart and .xlsx, and queueing an on-demand digest's files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.accounts import menu_roles
from bot.application.commands import Held
from bot.application.digest import views
from bot.application.digest.model import DIGEST_KIND, Digest, DigestRow, build_digest
from bot.application.digest.xlsx import to_xlsx
from bot.application.messages import OutgoingFile, Reply
from bot.application.render import Renderer
from bot.application.scheduler.policy import Recipient
from bot.application.scheduler.world import World, load_world
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE as _TZ
from bot.domain.catalog import Catalog
from bot.domain.deadlines import DutyPlan
from bot.domain.knowledge import split_key
from bot.domain.status import Trend
from bot.storage.models import EvidenceFile, OutboxMessage, User
from nlu.yaml_io import read_yaml

if TYPE_CHECKING:
    from bot.application.digest.chart import ChartData

Weeks = tuple[tuple[str, float], ...]  # (label, completion) per week, oldest first


class DigestBuilder:
    """Builds digests for users from the database, and renders them."""

    def __init__(
        self,
        catalog: Catalog,
        templates_dir: Path,
        settings: NudgeSettings | None = None,
        evidence_url: str = "",
    ) -> None:
        self.catalog = catalog
        # Where the portal serves evidence files (`evidence.download_base`); "": the
        # portal has no address, the .xlsx names the chat command only.
        self.evidence_url = evidence_url
        self.templates_dir = templates_dir
        self.settings = settings or NudgeSettings()
        self.status_labels: dict[str, str] = read_yaml(templates_dir / "labels.yaml")["status"]
        self.renderers = {
            "html": Renderer(templates_dir, "html"),
            "text": Renderer(templates_dir, "text"),
        }
        self._charts: dict[ChartData, bytes] = {}  # see `chart`

    def all_agencies(self) -> list[str]:
        """Concrete agencies with at least one duty, in the pack's order."""
        concerned = {a for plan_agencies in self._responsible().values() for a in plan_agencies}
        return [a.id for a in self.catalog.kb.agencies if a.id in concerned]

    def _responsible(self) -> dict[str, tuple[str, ...]]:
        from bot.application.nudges import responsible_agencies

        return {
            duty_id: responsible_agencies(self.catalog, duty)
            for duty_id, (_, duty) in self.catalog.duties.items()
            if duty.is_task
        }

    def scope_of(
        self, agency_id: str | None, roles: Held, scope: Sequence[str] = ()
    ) -> tuple[list[str], str] | None:
        """The agencies a person's digest covers, and its title; None: not allowed.
        Admins and the province's managers see the province; another manager the
        agencies of their `scope` (empty: their own agency)."""
        if self.sees_province(agency_id, roles, scope):
            return self.all_agencies(), "toàn tỉnh"
        held = {roles} if isinstance(roles, str) else set(roles or ())
        if "manager" not in held:
            return None
        wanted = list(scope) or ([agency_id] if agency_id else [])
        known = [a.id for a in self.catalog.kb.agencies if a.id in wanted]
        if not known:
            return None
        names = self.catalog.agencies
        return known, ", ".join(names[a].short_name for a in known)

    def sees_province(self, agency_id: str | None, roles: Held, scope: Sequence[str] = ()) -> bool:
        """Admins, and managers of the province (UBND tỉnh, or it in their scope): they
        see every agency, those with no duty left included (a district merged away)."""
        held = {roles} if isinstance(roles, str) else set(roles or ())
        if "admin" in held:
            return True
        wanted = list(scope) or ([agency_id] if agency_id else [])
        return "manager" in held and self.settings.province_agency in wanted

    def agency_names(self) -> dict[str, str]:
        return {a.id: a.short_name for a in self.catalog.kb.agencies}

    def build(
        self,
        session: Session,
        now: dt.datetime,
        agency_ids: list[str],
        scope: str,
        user_id: int | None = None,
        world: World | None = None,
        directive_id: str | None = None,
    ) -> Digest:
        """The digest of `agency_ids`, over every active directive or only `directive_id`."""
        world = world or load_world(session, self.catalog, self.settings, people=False)
        previous, previous_at = (None, None) if user_id is None else last_snapshot(session, user_id)
        plans = world.plans
        chosen: list[str] = []
        if directive_id is not None:
            plans = [p for p in plans if split_key(p.duty_id)[0] == directive_id]
            chosen = [directive_id]
        digest = build_digest(
            now,
            plans,
            world.reports,
            world.calendar,
            self.settings,
            agency_ids,
            self.agency_names(),
            scope,
            previous,
            previous_at,
        )
        province = set(agency_ids) >= set(self.all_agencies())
        return replace(
            digest,
            rows=_with_file_names(session, digest.rows),
            subject=self.catalog.subject(chosen),
            subject_dated=self.catalog.subject_dated(chosen),
            province=province,
            unassigned=self._unassigned(plans) if province else [],
        )

    def _unassigned(self, plans: list[DutyPlan]) -> list[tuple[str, str, str]]:
        """The tasks of `plans` no agency reports on, with the group they are for."""
        agencies = self.catalog.agencies
        found = []
        for plan in plans:
            if not plan.agencies:
                duty = self.catalog.duties[plan.duty_id][1]
                groups = ", ".join(agencies[a].short_name for a in duty.addressees if a in agencies)
                found.append((plan.shown_id, plan.title, groups))
        return found

    def recipient_scope(self, recipient: Recipient) -> tuple[list[str], str] | None:
        """`scope_of` a person the scheduler pushes to (every role they hold)."""
        return self.scope_of(
            recipient.agency_id, recipient.roles or recipient.role, recipient.scope
        )

    def user_scope(self, user: User) -> tuple[list[str], str] | None:
        """`scope_of` a chat account's person (every role they hold)."""
        return self.scope_of(user.agency_id, menu_roles(user), user.scope)

    def for_recipient(
        self, session: Session, recipient: Recipient, now: dt.datetime, world: World | None = None
    ) -> Digest:
        scope = self.recipient_scope(recipient)
        if scope is None:
            raise ValueError(f"user {recipient.user_id} gets no digest")
        return self.build(session, now, scope[0], scope[1], recipient.user_id, world)

    def for_user(self, session: Session, user: User, now: dt.datetime) -> Digest | None:
        scope = self.user_scope(user)
        if scope is None:
            return None
        return self.build(session, now, scope[0], scope[1], user.id)

    def reply(
        self,
        digest: Digest,
        attached: bool = False,
        trend: Trend | None = None,
        command: str = "/tonghop",
        weeks: Weeks = (),
    ) -> Reply:
        """The digest's first screen (`views.summary`); `attached`: with its chart (and
        completion over `weeks`) and .xlsx."""
        reply = views.summary(digest, command, trend, attached)
        return replace(reply, files=self.files(digest, weeks) if attached else ())

    def chart(self, digest: Digest, weeks: Weeks = ()) -> tuple[str, bytes]:
        """(caption, PNG) of the digest's chart. Memoized on what is drawn: a weekly
        tick's managers of one agency (or of the province) share one drawing."""
        from bot.application.digest.chart import chart_data, to_png

        data = chart_data(digest, weeks=weeks)
        png = self._charts.get(data)
        if png is None:
            if len(self._charts) >= 32:
                self._charts.clear()
            png = self._charts[data] = to_png(data)
        return data.caption, png

    def files(self, digest: Digest, weeks: Weeks = ()) -> tuple[OutgoingFile, ...]:
        """The chart (when there are agencies to draw) and the .xlsx of a digest."""
        local = digest.generated_at.astimezone(_TZ)
        files = []
        if digest.agencies:
            caption, png = self.chart(digest, weeks)
            files.append(
                OutgoingFile(f"bieu-do-chi-thi-06-{local:%Y%m%d}.png", png, caption, "photo")
            )
        files.append(self.workbook(digest))
        return tuple(files)

    def workbook(self, digest: Digest) -> OutgoingFile:
        """The digest's .xlsx, named by its day."""
        local = digest.generated_at.astimezone(_TZ)
        name = f"tong-hop-chi-thi-06-{local:%Y%m%d}.xlsx"
        workbook = to_xlsx(digest, self.status_labels, evidence_url=self.evidence_url)
        return OutgoingFile(name, workbook, f"Tổng hợp chi tiết — {digest.scope}")


def _with_file_names(session: Session, rows: list[DigestRow]) -> list[DigestRow]:
    """The rows with the names of their kept evidence files (formal documents name the
    file, not the chat command that opens it)."""
    numbers = {r.evidence_number for r in rows if r.evidence_number}
    if not numbers:
        return rows
    found = session.execute(
        select(EvidenceFile.id, EvidenceFile.name).where(EvidenceFile.id.in_(numbers))
    )
    names: dict[int, str] = {number: name for number, name in found}
    return [
        replace(r, evidence_file_name=names.get(r.evidence_number, "")) if r.evidence_number else r
        for r in rows
    ]


def snapshot_meta(digest: Digest) -> dict[str, Any]:
    """What an outbox row keeps of a digest, so that the next one lists the changes."""
    return {"snapshot": digest.snapshot, "generated_at": digest.generated_at.isoformat()}


def last_snapshot(
    session: Session, user_id: int
) -> tuple[dict[str, str] | None, dt.datetime | None]:
    """The statuses the user's previous digest showed (None: never had one): the last
    one sent (a weekly digest being composed is not one yet)."""
    row = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.kind.startswith(DIGEST_KIND),
            OutboxMessage.status == "sent",
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    if row is None or "snapshot" not in row.payload:
        return None, None
    at = row.payload.get("generated_at")
    return dict(row.payload["snapshot"]), dt.datetime.fromisoformat(at) if at else row.created_at


def enqueue_on_demand(session: Session, builder: DigestBuilder, user: User, built: Digest) -> bool:
    """Queue the chart and spreadsheet of an on-demand digest for delivery (with its
    snapshot, so the next digest lists changes since this one); False if one is queued
    this minute."""
    from bot.application.outbox import enqueue, outbox_row

    local = built.generated_at.astimezone(_TZ)
    files = builder.files(built)
    view = {"chart": len(files) > 1, "scope": built.scope, "at": built.generated_at}
    row = outbox_row(
        user_id=user.id,
        channel=user.channel,
        address=user.channel_user_id,
        kind=f"{DIGEST_KIND}-now-{local:%H%M}",
        due=local.date(),
        agency_id=user.agency_id,
        message=Reply("digest/files", view, files=files),
        not_before=built.generated_at,
        now=built.generated_at,
        meta=snapshot_meta(built),
    )
    return enqueue(session, [row]) == 1
