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

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.commands import COMMANDS, menu_for, parse_command
from bot.core.messages import MAX_PAYLOAD_BYTES, Button, IncomingMessage, Reply
from bot.core.qa import Answer, QAService
from bot.core.render import Renderer
from bot.core.services import accounts, progress
from bot.dialogs import state as states
from bot.dialogs.report import Outcome, ReportDialog
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


def _outcome(outcome: Outcome) -> Response:
    return Response(tuple(outcome.replies), notice=outcome.notice)


class Core:
    def __init__(self, qa: QAService, log_renderer: Renderer, report: ReportDialog) -> None:
        self.qa = qa
        # The log stores the reply as plain text, whatever channel it went to.
        self.log_renderer = log_renderer
        self.report = report
        self._commands: dict[str, Callable[[Session, User, str], Response]] = {
            "start": self._start,
            "trogiup": self._help,
            "nhiemvu": self._my_duties,
            "hanchot": self._deadlines,
            "baocao": self._report,
            "sua": self._edit_report,
            "tiendo": self._progress,
            "huy": self._cancel,
            "moi": self._invite,
        }

    def role_of(self, session: Session, channel: str, user_id: str) -> str | None:
        """The role that decides a user's command menu; None while not linked."""
        user = UserRepo(session).get(channel, user_id)
        if user is None or not (accounts.is_linked(user) or user.role == "admin"):
            return None
        return user.role

    def handle(self, session: Session, message: IncomingMessage) -> Response:
        """Answer one message (the caller commits the session)."""
        user = UserRepo(session).get_or_create(
            message.channel, message.user_id, message.display_name
        )
        response = self._route(session, user, message)
        return replace(response, replies=tuple(self._short_payloads(session, response.replies)))

    # Routing.

    def _route(self, session: Session, user: User, message: IncomingMessage) -> Response:
        if message.edited:
            return Response((Reply("chat/edited"),))
        text = message.text
        if message.payload is not None:
            payload = self._resolve_payload(session, message.payload)
            if payload is None:
                return Response((), notice=self.report.labels.stale)
            press = states.parse_payload(payload)
            if press is not None:
                state = states.load(session, user.id)
                if state is None:
                    return Response((), notice=self.report.labels.stale)
                return _outcome(self.report.press(session, user, state, press))
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
        if state is not None:
            outcome = None
            if message.attachment is not None:
                outcome = self.report.attachment(session, user, state, message.attachment)
            elif text.strip():
                outcome = self.report.text(session, user, state, text)
            if outcome is not None:
                return _outcome(outcome)
            # Not an answer to the step: answer it as a question, then ask the step again.
            answered = self._ask(session, user, message.channel, text)
            return replace(answered, replies=(*answered.replies, self.report.prompt(state)))
        if message.attachment is not None:
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
        return _outcome(self.report.start(session, user, duty_id.strip() or None))

    def _edit_report(self, session: Session, user: User, _: str) -> Response:
        if user.agency_id is None:
            return Response((Reply("account/not_linked"),))
        last = progress.last_report_by(session, user)
        if last is None or not accounts.can_report_for(user, last.agency_id):
            return Response((Reply("dialog/no_report_to_edit"),))
        return _outcome(self.report.start(session, user, last.duty_id, previous=last))

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
        return _outcome(self.report.cancel(session, user))

    def _invite(self, session: Session, user: User, args: str) -> Response:
        if user.role != "admin":
            return Response((Reply("account/admin_only"),))
        words = args.split()
        agency_id = words[0] if words else ""
        role = words[1] if len(words) > 1 else "official"
        if agency_id not in self.qa.catalog.agencies and not (role == "admin" and not agency_id):
            return Response((Reply("account/invite_usage", {"agencies": self._agency_ids()}),))
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

    # Helpers.

    def _role_label(self, role: str) -> str:
        return self.report.labels.role.get(role, role)

    def _account_view(self, user: User) -> dict[str, object]:
        agency = self.qa.catalog.agencies.get(user.agency_id or "")
        return {
            "linked": accounts.is_linked(user),
            "agency": agency.name if agency else "",
            "role": self._role_label(user.role),
        }

    def _agency_ids(self) -> list[tuple[str, str]]:
        return [(a.id, a.short_name) for a in self.qa.catalog.kb.agencies if a.kind != "group"]

    def _resolve_payload(self, session: Session, payload: str) -> str | None:
        if not payload.startswith(STORED_PAYLOAD_PREFIX):
            return payload
        key = payload[len(STORED_PAYLOAD_PREFIX) :]
        stored = session.get(ButtonPayload, int(key)) if key.isdigit() else None
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
