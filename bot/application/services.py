"""What command handlers work with: the live Q&A and catalog, the dialogs, the
scheduler's settings, the templates, the command table, the reloader and the channels
that can receive pushed messages.

Built once by the router; `swap` puts new indexes in after an admin's change (the
reloader calls it from its thread), so handlers always read `qa`/`catalog` afresh.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from bot.application.commands import CommandTable
from bot.application.dialogs.faq import FaqDialog
from bot.application.dialogs.report import Labels, Outcome, ReportDialog
from bot.application.messages import Reply, Response
from bot.application.qa.service import QAService
from bot.application.reload import Reloader
from bot.config import ImportLimits, NudgeSettings
from bot.domain.catalog import Catalog


class Services:
    def __init__(
        self,
        qa: QAService,
        report: ReportDialog,
        faq: FaqDialog,
        nudge_settings: NudgeSettings,
        templates_dir: Path,
        commands: CommandTable,
        reloader: Reloader,
        push_channels: tuple[str, ...] = (),
        import_limits: ImportLimits | None = None,
        web_url: str = "",
        drafts_dir: Path | None = None,
    ) -> None:
        self.qa = qa
        self.report = report
        self.faq = faq
        self.nudge_settings = nudge_settings
        self.templates_dir = templates_dir
        self.commands = commands
        self.reloader = reloader
        # The channels that can deliver a message the user did not ask for (nudges,
        # announcements): the console cannot. Set by the composition root, in the order
        # a person's accounts are tried (Zalo first).
        self.push_channels = push_channels
        # Bounds on the content files admins send (the composition root's settings).
        self.import_limits = import_limits or ImportLimits()
        # Where users reach the web portal (the HTTP listener's public address); "" when
        # unknown: `/web` then says the portal is not open.
        self.web_url = web_url
        # Where directive drafts sent in chat are written (data/drafts): None, no
        # publishing from chat (a core built without a data folder).
        self.drafts_dir = drafts_dir

    @property
    def catalog(self) -> Catalog:
        return self.qa.catalog

    @property
    def labels(self) -> Labels:
        return self.report.labels

    def swap(self, qa: QAService) -> None:
        """Use new indexes from the next message on."""
        self.qa = qa
        self.report.catalog = qa.catalog
        self.faq.catalog = qa.catalog

    def reload_now(self, session: Session) -> None:
        """Rebuild the indexes from `session`'s view of the content (in the background)."""
        self.reloader.now(session)

    def outcome(self, session: Session, outcome: Outcome) -> Response:
        """A dialog step's result as a response (reloading when content changed)."""
        if outcome.changed:
            self.reloader.now(session)
        return Response(tuple(outcome.replies), notice=outcome.notice)

    def role_label(self, role: str) -> str:
        return self.labels.role.get(role, role)

    def agency_ids(self) -> list[tuple[str, str]]:
        """(id, short name) of every agency an account or announcement can name."""
        return [(a.id, a.short_name) for a in self.catalog.kb.agencies if a.kind != "group"]


def respond(*replies: Reply) -> Response:
    return Response(replies)


def not_found(what: str, key: str) -> Response:
    return Response((Reply("admin/not_found", {"what": what, "id": key[:40]}),))
