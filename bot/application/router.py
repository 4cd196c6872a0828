"""The core: one entry point that channels call with a platform-neutral message.

`Core.handle` routes a message: a button press of a dialog goes to the dialog; a
command to its handler; while a dialog is open, a typed answer goes to the dialog
and anything else is answered as a question, after which the dialog's step is
shown again; otherwise the message is a question for the Q&A. Every action is
authorized here, whatever the channel's menus show.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application import accounts, progress
from bot.application.admin import content
from bot.application.admin.commands import AdminCommands
from bot.application.commands import COMMANDS, menu_for, parse_command, small_int
from bot.application.dialogs import faq as faq_dialog
from bot.application.dialogs import report as reporting
from bot.application.dialogs import state as states
from bot.application.dialogs.faq import FaqDialog
from bot.application.dialogs.report import Outcome, ReportDialog
from bot.application.messages import MAX_PAYLOAD_BYTES, Button, IncomingMessage, OutgoingFile, Reply
from bot.application.qa.answer import Answer
from bot.application.qa.service import QAService
from bot.application.reload import Reloader
from bot.application.render import Renderer, default_templates_dir
from bot.config import NudgeSettings
from bot.domain.knowledge import KnowledgeBase
from bot.storage.models import ButtonPayload, User
from bot.storage.repositories import QuestionLogRepo, UserRepo

# The question log keeps what was typed, but a hostile message cannot fill the disk.
MAX_LOGGED_CHARS = 20_000
STORED_PAYLOAD_PREFIX = "p:"
# Commands that make sense in a group chat; the others need a private chat.
GROUP_COMMANDS = frozenset({"start", "trogiup", "hanchot"})


@dataclass(frozen=True)
class Response:
    """The replies for one message, with what the core understood (for logs and tools).

    `answer` is the Q&A answer when the message was a question; `notice` is a short
    text for acknowledging a button press (Telegram shows it as a toast), e.g. when
    the button belongs to a dialog that is over; `refresh_menu` says the user's role
    changed, so the channel should show them their new command menu.
    """

    replies: tuple[Reply, ...]
    answer: Answer | None = None
    notice: str = ""
    refresh_menu: bool = False


class Core:
    def __init__(
        self,
        qa: QAService,
        log_renderer: Renderer,
        report: ReportDialog,
        faq: FaqDialog,
        rebuild: Callable[[KnowledgeBase], QAService] | None = None,
        nudge_settings: NudgeSettings | None = None,
    ) -> None:
        self.qa = qa
        # Working hours, the province's agency id ... (the scheduler's settings).
        self.nudge_settings = nudge_settings or NudgeSettings()
        # The log stores the reply as plain text, whatever channel it went to.
        self.log_renderer = log_renderer
        self.report = report
        self.faq = faq
        self.dialogs: dict[str, ReportDialog | FaqDialog] = {
            reporting.NAME: report,
            faq_dialog.NAME: faq,
        }
        self._reloader = Reloader(self, rebuild)
        admin = AdminCommands(self)
        self._commands: dict[str, Callable[[Session, User, str], Response]] = {
            "nhaclai": self._snooze,
            "xong": self._mark_done,
            "tonghop": self._digest,
            "baocaoquy": self._quarterly_report,
            "start": self._start,
            "trogiup": self._help,
            "nhiemvu": self._my_duties,
            "hanchot": self._deadlines,
            "baocao": self._report,
            "sua": self._edit_report,
            "tiendo": self._progress,
            "huy": self._cancel,
            "moi": self._invite,
            "faq": admin.faq_list,
            "faqthem": admin.faq_add,
            "faqsua": admin.faq_edit,
            "faqxoa": admin.faq_delete,
            "lichsu": admin.history,
            "hoantac": admin.revert,
            "gianhan": admin.extend,
            "hopthu": admin.inbox,
            "hopthu_them": admin.inbox_add,
            "hopthu_bo": admin.inbox_dismiss,
            "suanv": admin.edit_duty,
            "thongbao": admin.announce,
            "thongbao_gui": admin.send_announcement,
            "thongbao_huy": admin.cancel_announcement,
            "lich": admin.calendar,
            "xuat": admin.export,
        }
        self._import_file = admin.import_file

    def swap(self, qa: QAService) -> None:
        """Use new indexes (built by the reloader) from the next message on."""
        self.qa = qa
        self.report.catalog = qa.catalog
        self.faq.catalog = qa.catalog

    def wait_for_reload(self) -> None:
        self._reloader.wait()

    def role_of(self, session: Session, channel: str, user_id: str) -> str | None:
        """The role that decides a user's command menu; None while not linked."""
        user = UserRepo(session).get(channel, user_id)
        if user is None or not (accounts.is_linked(user) or user.role == "admin"):
            return None
        return user.role

    def handle(self, session: Session, message: IncomingMessage) -> Response:
        """Answer one message (the caller commits the session)."""
        self._reloader.check(session)
        user = UserRepo(session).get_or_create(
            message.channel, message.user_id, message.display_name
        )
        response = self._route(session, user, message)
        return replace(response, replies=tuple(self._short_payloads(session, response.replies)))

    # Routing.

    def _route(self, session: Session, user: User, message: IncomingMessage) -> Response:
        if message.edited:
            # In a group, edits are chatter like any other message.
            return Response((Reply("chat/edited"),) if message.is_private else ())
        text = message.text
        if message.payload is not None:
            payload = self._resolve_payload(session, message.payload)
            if payload is None:
                return Response((), notice=self.report.labels.stale)
            press = states.parse_payload(payload)
            if press is not None:
                state = states.load(session, user.id)
                if state is None or state.dialog != press.dialog:
                    return Response((), notice=self.report.labels.stale)
                return self.outcome(
                    session, self.dialogs[state.dialog].press(session, user, state, press)
                )
            text = payload  # a suggested question or a command
        command = parse_command(text)
        if not message.is_private:
            if command is None:
                return Response(())  # group chatter is not for the bot
            if command[0] not in GROUP_COMMANDS:
                return Response((Reply("chat/private_only"),))
        if command is not None:
            handler = self._commands.get(command[0])
            if handler is None:
                return Response((Reply("chat/unknown_command", {"commands": COMMANDS}),))
            return handler(session, user, command[1])
        state = states.load(session, user.id)
        if state is not None and state.dialog in self.dialogs:
            dialog = self.dialogs[state.dialog]
            outcome = None
            if message.attachment is not None:
                outcome = dialog.attachment(session, user, state, message.attachment)
            elif text.strip():
                outcome = dialog.text(session, user, state, text)
            if outcome is not None:
                return self.outcome(session, outcome)
            # Not an answer to the step: answer it as a question, then ask the step again.
            answered = self._ask(session, user, message.channel, text)
            return replace(answered, replies=(*answered.replies, dialog.prompt(state)))
        if message.attachment is not None:
            if user.role == "admin" and message.attachment.kind == "document":
                return self._import_file(session, user, message.attachment)
            return Response((Reply("chat/attachment_outside_dialog"),))
        answered = self._ask(session, user, message.channel, text)
        if answered.answer is not None and answered.answer.kind == "report_progress":
            return self._report(session, user, "")
        return answered

    def _ask(self, session: Session, user: User, channel: str, text: str) -> Response:
        """A question for the Q&A, written to the question log."""
        answer = self.qa.answer(text)
        parse = answer.parse
        QuestionLogRepo(session).add(
            channel=channel,
            user_id=user.id,
            # PostgreSQL text cannot hold NUL; nothing else is altered.
            text=text.replace("\x00", "")[:MAX_LOGGED_CHARS],
            normalized=" ".join(parse.tokens) if parse else "",
            intent=answer.intent,
            confidence=answer.confidence,
            entities=list(answer.entities),
            answer_kind=answer.kind,
            reply=self.log_renderer.render(answer.reply),
            citations=list(answer.citations),
        )
        return Response((answer.reply,), answer)

    # Commands. Each checks who may use it.

    def _start(self, session: Session, user: User, code: str) -> Response:
        if code:
            try:
                invite = accounts.redeem(session, user, code)
            except accounts.AccountError as error:
                return Response((Reply("account/code_error", {"reason": error.reason}),))
            agency = self.qa.catalog.agencies.get(invite.agency_id or "")
            reply = Reply(
                "account/linked",
                {"agency": agency.name if agency else "", "role": self._role_label(invite.role)},
            )
            return Response((reply,), refresh_menu=True)
        greeting = self.qa.answer("xin chào")
        status = Reply("account/status", self._account_view(user))
        return Response((greeting.reply, status))

    def _help(self, session: Session, user: User, _: str) -> Response:
        commands = menu_for(self.role_of(session, user.channel, user.channel_user_id))
        return Response((Reply("chat/help", {"commands": commands}),))

    def _my_duties(self, session: Session, user: User, _: str) -> Response:
        if user.agency_id is None:
            return Response((Reply("account/not_linked"),))
        answer = self.qa.agency_duties(user.agency_id)
        return Response((answer.reply,) if answer else (Reply("account/no_duties"),), answer)

    def _deadlines(self, session: Session, user: User, _: str) -> Response:
        answer = self.qa.deadlines()
        return Response((answer.reply,) if answer else (), answer)

    def _report(self, session: Session, user: User, duty_id: str) -> Response:
        if user.agency_id is None:
            return Response((Reply("account/not_linked"),))
        if not accounts.can_report_for(user, user.agency_id):
            return Response((Reply("account/not_allowed"),))
        return self.outcome(session, self.report.start(session, user, duty_id.strip() or None))

    def _edit_report(self, session: Session, user: User, _: str) -> Response:
        if user.agency_id is None:
            return Response((Reply("account/not_linked"),))
        last = progress.last_report_by(session, user)
        if last is None or not accounts.can_report_for(user, last.agency_id):
            return Response((Reply("dialog/no_report_to_edit"),))
        return self.outcome(session, self.report.start(session, user, last.duty_id, previous=last))

    def _progress(self, session: Session, user: User, _: str) -> Response:
        if user.agency_id is None:
            return Response((Reply("account/not_linked"),))
        latest = progress.latest_by_duty(session, user.agency_id)
        catalog = self.qa.catalog
        rows = []
        for duty in progress.reportable_duties(catalog, user.agency_id):
            report = latest.get(duty.id)
            rows.append(
                {
                    "title": duty.title,
                    "clause": catalog.clauses[duty.clause][1].label,
                    "status": self.report.labels.status[report.status] if report else None,
                    "percent": report.percent if report else None,
                    "at": report.created_at if report else None,
                }
            )
        agency = catalog.agencies[user.agency_id].name
        return Response((Reply("progress/latest", {"agency": agency, "rows": rows}),))

    def _cancel(self, session: Session, user: User, _: str) -> Response:
        if states.load(session, user.id) is None:
            return Response((Reply("dialog/nothing_to_cancel"),))
        states.clear(session, user.id)
        return Response((Reply("dialog/cancelled"),))

    def _invite(self, session: Session, user: User, args: str) -> Response:
        refused = self.admin_refusal(session, user, "invite")
        if refused:
            return refused
        words = args.split()
        agency_id = words[0] if words else ""
        role = words[1] if len(words) > 1 else "official"
        if agency_id not in self.qa.catalog.agencies and not (role == "admin" and not agency_id):
            return Response((Reply("account/invite_usage", {"agencies": self.agency_ids()}),))
        try:
            invite = accounts.create_invite(session, agency_id or None, role, created_by=user)
        except accounts.AccountError as error:
            return Response((Reply("account/code_error", {"reason": error.reason}),))
        agency = self.qa.catalog.agencies.get(agency_id)
        view = {
            "code": invite.code,
            "agency": agency.name if agency else "",
            "role": self._role_label(role),
            "expires": invite.expires_at,
        }
        return Response((Reply("account/invite_created", view),))

    # Admin commands live in bot.application.admin.commands; they all start with this check.

    def admin_refusal(self, session: Session, user: User, action: str) -> Response | None:
        """None for an admin; otherwise the refusal, with the attempt audited."""
        try:
            content.require_admin(session, user, action)
        except content.ContentError:
            return Response((Reply("account/admin_only"),))
        return None

    # Nudge buttons and digests (bot.application.nudges, .digest).

    def _snooze(self, session: Session, user: User, args: str) -> Response:
        """/nhaclai <duty_id> <days>: no reminder about the duty for that many working days."""
        from bot.application import nudges
        from bot.application.calendar import load_calendar

        words = args.split()
        if len(words) != 2 or small_int(words[1]) is None:
            return Response((Reply("nudge/usage", {"max_days": nudges.MAX_SNOOZE_DAYS}),))
        settings = self.nudge_settings
        try:
            until = nudges.snooze(
                session,
                self.qa.catalog,
                user,
                words[0],
                int(words[1]),
                load_calendar(session, settings),
                settings.province_agency,
            )
        except nudges.NudgeError as error:
            return Response((self._nudge_error(error.reason, words[0]),))
        title = self.qa.catalog.duties[words[0]][1].title
        return Response((Reply("nudge/snoozed", {"title": title, "until": until}),))

    def _mark_done(self, session: Session, user: User, args: str) -> Response:
        """/xong <duty_id>: record that the user's agency has done the duty."""
        from bot.application import nudges
        duty_id = args.strip()
        if not duty_id:
            return Response((Reply("nudge/usage", {"max_days": nudges.MAX_SNOOZE_DAYS}),))
        if user.agency_id is None:
            return Response((Reply("account/not_linked"),))
        try:
            report, new = nudges.mark_done(session, self.qa.catalog, user, duty_id)
        except nudges.NudgeError as error:
            return Response((self._nudge_error(error.reason, duty_id),))
        duty = self.qa.catalog.duties[duty_id][1]
        view = {
            "new": new,
            "title": duty.title,
            "clause": self.qa.catalog.clauses[duty.clause][1].label,
            "agency": self.qa.catalog.agencies[report.agency_id].name,
            "at": report.created_at,
        }
        return Response((Reply("nudge/done", view),))

    def _digest(self, session: Session, user: User, _: str) -> Response:
        """/tonghop: the digest of what the user manages (managers and admins only)."""
        from bot.application.digest import builder as digest
        from bot.storage.models import utcnow

        builder = digest.DigestBuilder(self.qa.catalog, self._templates_dir(), self.nudge_settings)
        built = builder.for_user(session, user, utcnow())
        if built is None:
            return Response((Reply("digest/not_allowed"),))
        replies = [builder.reply(built, attached=False)]
        if digest.enqueue_on_demand(session, builder, user, built):  # chart and .xlsx
            replies.append(Reply("digest/queued", {"chart": bool(built.agencies)}))
        return Response(tuple(replies))

    def _quarterly_report(self, session: Session, user: User, _: str) -> Response:
        """/baocaoquy: Sở TT&TT's quarterly report to UBND tỉnh on the directive, as a
        .docx draft from the province-wide status (Sở TT&TT's and the province's
        managers, and admins)."""
        from bot.application.digest import builder as digest
        from bot.application.digest import quarterly as quarterly_report
        from bot.storage.models import utcnow

        drafting = ("sttt", self.nudge_settings.province_agency)
        if not (user.role == "admin" or (user.role == "manager" and user.agency_id in drafting)):
            return Response((Reply("digest/quarterly_not_allowed"),))
        builder = digest.DigestBuilder(self.qa.catalog, self._templates_dir(), self.nudge_settings)
        built = builder.build(session, utcnow(), builder.all_agencies(), "toàn tỉnh", user.id)
        year, quarter = quarterly_report.quarter_of(built.generated_at.date())
        name = f"bao-cao-quy-{quarter}-{year}-chi-thi-06.docx"
        content = quarterly_report.to_docx(built, year, quarter)
        view = {"quarter": quarter, "year": year, "name": name}
        return Response((Reply("digest/quarterly", view, files=(OutgoingFile(name, content),)),))

    @staticmethod
    def _nudge_error(reason: str, duty_id: str) -> Reply:
        if reason == "unknown_duty":
            return Reply("nudge/unknown_duty", {"duty_id": duty_id[:40]})
        if reason == "usage":
            from bot.application.nudges import MAX_SNOOZE_DAYS

            return Reply("nudge/usage", {"max_days": MAX_SNOOZE_DAYS})
        return Reply("nudge/not_responsible")

    def _templates_dir(self) -> Path:
        paths = getattr(self.log_renderer.env.loader, "searchpath", None)
        return Path(paths[0]) if paths else default_templates_dir()

    # Helpers.

    @staticmethod
    def respond(*replies: Reply) -> Response:
        return Response(replies)

    @staticmethod
    def not_found(what: str, key: str) -> Response:
        return Response((Reply("admin/not_found", {"what": what, "id": key[:40]}),))

    def reload_now(self, session: Session) -> None:
        """Rebuild the indexes from `session`'s view of the content (in the background)."""
        self._reloader.now(session)

    def outcome(self, session: Session, outcome: Outcome) -> Response:
        if outcome.changed:
            self._reloader.now(session)
        return Response(tuple(outcome.replies), notice=outcome.notice)

    def _role_label(self, role: str) -> str:
        return self.report.labels.role.get(role, role)

    def _account_view(self, user: User) -> dict[str, object]:
        agency = self.qa.catalog.agencies.get(user.agency_id or "")
        return {
            "linked": accounts.is_linked(user),
            "agency": agency.name if agency else "",
            "role": self._role_label(user.role),
        }

    def agency_ids(self) -> list[tuple[str, str]]:
        return [(a.id, a.short_name) for a in self.qa.catalog.kb.agencies if a.kind != "group"]

    def _resolve_payload(self, session: Session, payload: str) -> str | None:
        if not payload.startswith(STORED_PAYLOAD_PREFIX):
            return payload
        key = payload[len(STORED_PAYLOAD_PREFIX) :]
        number = small_int(key)
        stored = session.get(ButtonPayload, number) if number is not None else None
        return stored.payload if stored else None

    def _short_payloads(self, session: Session, replies: Sequence[Reply]) -> list[Reply]:
        """Payloads longer than a channel can carry are stored and sent by id."""
        result = []
        for reply in replies:
            buttons = tuple(self._short_button(session, b) for b in reply.buttons)
            result.append(replace(reply, buttons=buttons) if buttons != reply.buttons else reply)
        return result

    def _short_button(self, session: Session, button: Button) -> Button:
        if len(button.payload.encode()) <= MAX_PAYLOAD_BYTES:
            return button
        stored = session.scalar(
            select(ButtonPayload).where(ButtonPayload.payload == button.payload)
        )
        if stored is None:
            stored = ButtonPayload(payload=button.payload)
            session.add(stored)
            session.flush()
        return Button(button.label, f"{STORED_PAYLOAD_PREFIX}{stored.id}")
