"""The router: one entry point that channels call with a platform-neutral message.

`Core.handle` routes a message: a button press of a dialog goes to the dialog; a
command to its declared handler (`bot.application.commands`), after the router has
checked the user's role and private/group chat, auditing every refusal; while a
dialog is open, a typed answer goes to the dialog and anything else is answered as a
question, after which the dialog's step is shown again; otherwise the message is a
question for the Q&A.

A message that answers nothing, inside a dialog or out of one, gets a hint instead
of the Q&A's refusal (`bot.application.dialogs.hints`): a bare number that picks no
choice, "ok" with nothing to confirm, text at a step that takes a choice. It is
never a question, so none of it reaches the admins' inbox of unanswered questions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application import accounts, chat_commands, choices, evidence, feedback, nudges
from bot.application.admin import agency_commands, inbox
from bot.application.admin import commands as admin_commands
from bot.application.admin import directives as admin_directives
from bot.application.commands import (
    Command,
    CommandContext,
    CommandRefused,
    CommandTable,
    parse_command,
    small_int,
)
from bot.application.dialogs import commands as dialog_commands
from bot.application.dialogs import faq as faq_dialog
from bot.application.dialogs import hints
from bot.application.dialogs import report as reporting
from bot.application.dialogs import state as states
from bot.application.dialogs.faq import FaqDialog
from bot.application.dialogs.report import ReportDialog
from bot.application.digest import commands as digest_commands
from bot.application.messages import MAX_PAYLOAD_BYTES, Button, IncomingMessage, Reply, Response
from bot.application.portal import commands as portal_commands
from bot.application.qa import memory
from bot.application.qa.followup import context_of
from bot.application.qa.service import QAService
from bot.application.reload import Reloader
from bot.application.render import Renderer, default_templates_dir
from bot.application.services import Services
from bot.config import ImportLimits, NudgeSettings
from bot.domain.knowledge import KnowledgeBase
from bot.domain.roles import ADMIN
from bot.storage.models import AuditLog, ButtonPayload, DialogState, User, utcnow
from bot.storage.repositories import QuestionLogRepo, UserRepo

log = logging.getLogger(__name__)

# The question log keeps what was typed, but a hostile message cannot fill the disk.
MAX_LOGGED_CHARS = 20_000
# Answers that do not help inside a dialog, where the step's hint says more: those that
# answer nothing, and "I want to report" ("hoàn thành" typed at the percent step), which
# the user is doing.
NOT_ANSWERED_IN_DIALOG = (*inbox.UNANSWERED_KINDS, "empty", "report_progress")
STORED_PAYLOAD_PREFIX = "p:"
# The Q&A's help answer, which the router completes with the user's own commands.
HELP = "help"
# Every command, in menu order: each feature module declares its own.
DECLARED_COMMANDS: tuple[Command, ...] = (
    *chat_commands.COMMANDS,
    *dialog_commands.COMMANDS,
    *nudges.COMMANDS,
    *digest_commands.COMMANDS,
    *portal_commands.COMMANDS,
    *evidence.COMMANDS,
    *admin_commands.COMMANDS,
    *agency_commands.COMMANDS,
    *admin_directives.COMMANDS,
    *feedback.COMMANDS,
)


class Core:
    def __init__(
        self,
        qa: QAService,
        log_renderer: Renderer,
        report: ReportDialog,
        faq: FaqDialog,
        rebuild: Callable[[KnowledgeBase], QAService] | None = None,
        nudge_settings: NudgeSettings | None = None,
        commands: Iterable[Command] = DECLARED_COMMANDS,
        push_channels: Iterable[str] = (),
        import_limits: ImportLimits | None = None,
        web_url: str = "",
        drafts_dir: Path | None = None,
    ) -> None:
        # The log stores the reply as plain text, whatever channel it went to.
        self.log_renderer = log_renderer
        self.dialogs: dict[str, ReportDialog | FaqDialog] = {
            reporting.NAME: report,
            faq_dialog.NAME: faq,
        }
        self.commands = CommandTable(commands)
        self._reloader = Reloader(rebuild)
        self.services = Services(
            qa,
            report,
            faq,
            nudge_settings or NudgeSettings(),
            _templates_dir(log_renderer),
            self.commands,
            self._reloader,
            tuple(push_channels),
            import_limits,
            web_url,
            drafts_dir,
        )
        self._reloader.swap = self.services.swap

    @property
    def qa(self) -> QAService:
        return self.services.qa

    @property
    def report(self) -> ReportDialog:
        return self.services.report

    @property
    def faq(self) -> FaqDialog:
        return self.services.faq

    def swap(self, qa: QAService) -> None:
        """Use new indexes (built by the reloader) from the next message on."""
        self.services.swap(qa)

    def wait_for_reload(self) -> None:
        self._reloader.wait()

    def role_of(self, session: Session, channel: str, user_id: str) -> frozenset[str]:
        """The roles that decide a user's command menu; none while not linked."""
        user = UserRepo(session).get(channel, user_id)
        return accounts.menu_roles(user) if user is not None else frozenset()

    def file_wanted(self, session: Session, message: IncomingMessage) -> int:
        """How many bytes of the message's file the channel should fetch and hand over
        (`Attachment.content`); 0: none, the core reads the file's id and name only.
        A report's evidence (the dialog is at that step), up to EVIDENCE_MAX_BYTES; an
        admin's content file or directive outside a dialog, up to IMPORT_MAX_BYTES."""
        attachment = message.attachment
        user = UserRepo(session).get(message.channel, message.user_id)
        if attachment is None or user is None:
            return 0
        state = states.load(session, user.id)
        if self.report.wants_file(state):
            return self.report.evidence_max_bytes
        limit = self.services.import_limits.max_bytes
        if state is None and accounts.has_role(user, ADMIN):
            return limit if admin_commands.import_wanted(attachment, limit) else 0
        return 0

    def handle(self, session: Session, message: IncomingMessage) -> Response:
        """Answer one message (the caller commits the session)."""
        self._reloader.check(session)
        # A rebuild under way (an admin's change: ~1 s) is waited for, so the message
        # after it is answered from the new content, never the old; with none, no wait.
        self._reloader.wait()
        user = UserRepo(session).get_or_create(
            message.channel, message.user_id, message.display_name
        )
        response = self._route(session, user, message)
        replies = tuple(self._short_payloads(session, response.replies))
        if replies and message.is_private and not message.edited:
            choices.remember(session, user.id, replies)
        return replace(response, replies=replies)

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
                pressed = self.dialogs[state.dialog].press(session, user, state, press)
                return self.services.outcome(session, pressed)
            text = payload  # a suggested question or a command
        parsed = parse_command(text)
        if parsed is not None:
            return self._command_in_dialog(session, user, message, *parsed)
        if not message.is_private:
            return Response(())  # group chatter is not for the bot
        if message.payload is None and message.attachment is None:
            chosen = choices.typed_choice(session, user.id, text)
            if chosen is not None:  # a number or words answering the offered buttons
                return self._route(session, user, replace(message, text="", payload=chosen))
        state = states.load(session, user.id)
        if state is not None and state.dialog in self.dialogs:
            return self._dialog_step(session, user, message, state, text)
        if message.attachment is not None:
            if accounts.has_role(user, ADMIN) and message.attachment.kind == "document":
                context = CommandContext(session, user, "", self.services)
                if admin_directives.is_directive_file(self.services, message.attachment):
                    return admin_directives.draft_from_file(context, message.attachment)
                return admin_commands.import_file(context, message.attachment)
            return Response((Reply("chat/attachment_outside_dialog"),))
        if message.payload is None and _answers_a_choice(text):
            return self._nothing_chosen(session, user, text)
        # A question (it ends with "?", as in the report dialog) is asked, not taken as
        # the comment on the last «Chưa đúng».
        typed_comment = message.payload is None and not text.rstrip().endswith("?")
        awaited = feedback.awaiting_comment(session, user) if typed_comment else None
        commented = feedback.take_comment(session, user, awaited, text) if awaited else None
        if commented is not None:  # typed right after "Chưa đúng": what was wrong
            return commented
        answered = self._ask(session, user, message.channel, text, standalone=message.standalone)
        if answered.answer is not None and answered.answer.kind == "report_progress":
            return self._command(session, user, message, "baocao", "")
        return answered

    def _command_in_dialog(
        self, session: Session, user: User, message: IncomingMessage, name: str, args: str
    ) -> Response:
        """A command; when it leaves an open dialog where it was, the dialog's step is
        asked again, so that what the user types next still answers it."""
        before = states.load(session, user.id)
        # The token as it was: `load` returns the session's one row, which a command
        # that restarts the dialog (/baocao again) changes in place.
        token_before = before.token if before is not None else None
        response = self._command(session, user, message, name, args)
        after = states.load(session, user.id)
        if after is None or after.token != token_before:
            return response  # no dialog, or the command started, moved or ended one
        if not message.is_private:
            return response
        if any(reply.buttons for reply in response.replies):
            # The command's choices are the ones on offer (a number typed next picks
            # one of them): the open dialog is recalled in a line, without its own.
            recalled = Reply("dialog/still_open", {"dialog": after.dialog})
            return replace(response, replies=(*response.replies, recalled))
        prompt = self.dialogs[after.dialog].prompt(after)
        return replace(response, replies=(*response.replies, prompt))

    def _dialog_step(
        self,
        session: Session,
        user: User,
        message: IncomingMessage,
        state: DialogState,
        text: str,
    ) -> Response:
        """A message while a dialog is open: the step's answer, or else a question
        answered before the step is asked again; what is neither (a number or a word
        that picks no choice, a question the Q&A cannot answer) gets the step's hint."""
        dialog = self.dialogs[state.dialog]
        outcome = None
        typed = message.payload is None  # a pressed suggestion is a question, not an answer
        if message.attachment is not None:
            outcome = dialog.attachment(session, user, state, message.attachment)
        elif typed and choices.is_bare_answer(text):  # "có", "ok" that picked no choice
            return self._hinted(dialog, state, text)
        elif typed and text.strip():
            if self.qa.is_small_talk(text):  # "xin chào" on coming back: not an answer
                return self._hinted(dialog, state, text)
            outcome = dialog.text(session, user, state, text)
        if outcome is not None:
            return self.services.outcome(session, outcome)
        if typed and small_int(text) is not None:  # a number the step did not take
            return self._hinted(dialog, state, text)
        answered = self._ask(session, user, message.channel, text, in_dialog=True)
        if answered.answer is None or answered.answer.kind in NOT_ANSWERED_IN_DIALOG:
            return self._hinted(dialog, state, text)  # not a refusal: the step is the topic
        # The answer's own choices are left out: the step's are the ones on offer.
        quiet = tuple(replace(r, buttons=()) for r in answered.replies)
        return replace(answered, replies=(*quiet, dialog.prompt(state)))

    @staticmethod
    def _hinted(dialog: ReportDialog | FaqDialog, state: DialogState, text: str) -> Response:
        """Why `text` answers nothing here, then the step again."""
        return Response((dialog.hint(state, text), dialog.prompt(state)))

    @staticmethod
    def _nothing_chosen(session: Session, user: User, text: str) -> Response:
        """A number or "ok" outside a dialog that picked none of the choices on offer
        (offered again), or came when none was: not a question."""
        offered = choices.offered(session, user.id)
        if not offered:
            return Response((Reply("chat/nothing_to_choose"),))
        return Response((hints.choose(text, len(offered), in_dialog=False, offered=offered),))

    def _command(
        self, session: Session, user: User, message: IncomingMessage, name: str, args: str
    ) -> Response:
        """Run a declared command, if this user may, here; refusals are audited."""
        command = self.commands.get(name)
        if not message.is_private and (command is None or command.private_only):
            return Response((Reply("chat/private_only"),))
        roles = accounts.menu_roles(user)
        if command is None:
            menu = self.commands.menu_for(roles)
            return Response((Reply("chat/unknown_command", {"commands": menu}),))
        if not command.allows(roles):
            return self._refuse(session, user, command, args, Reply(command.refusal))
        try:
            return command.handler(CommandContext(session, user, args, self.services))
        except CommandRefused as refused:
            return self._refuse(session, user, command, args, refused.reply)

    @staticmethod
    def _refuse(
        session: Session, user: User, command: Command, args: str, reply: Reply
    ) -> Response:
        log.info("refused /%s %r to user %s (%s)", command.name, args[:40], user.id, user.role)
        session.add(
            AuditLog(
                user_id=user.id,
                action=command.audit_action,
                entity_id=args[:100],
                allowed=False,
            )
        )
        session.flush()
        return Response((reply,))

    def _ask(
        self,
        session: Session,
        user: User,
        channel: str,
        text: str,
        in_dialog: bool = False,
        standalone: bool = False,
    ) -> Response:
        """A question for the Q&A, written to the question log (`in_dialog`: typed while
        a dialog was open, so not one for the unanswered inbox). It is read against the
        user's last answered question (`memory`: "còn Sở Nội vụ thì sao?"). An answer
        outside a dialog is offered "Đúng" / "Chưa đúng" (`feedback`) under its last
        part: here, the one place where every Q&A answer leaves for the user.
        `standalone`: a question on its own, neither following nor followed."""
        now = utcnow()
        recalled = None if standalone else memory.recall(session, user.id, now)
        answer = self.qa.answer(text, recalled)
        if answer.kind == HELP:
            answer = chat_commands.with_commands(answer, self.commands, user)
        thread = context_of(answer)
        if thread is not None and not standalone:
            memory.remember(session, user.id, thread, now)
        parse = answer.parse
        logged = QuestionLogRepo(session).add(
            channel=channel,
            user_id=user.id,
            text=text[:MAX_LOGGED_CHARS],  # `IncomingMessage` sanitized it: no NUL
            normalized=" ".join(parse.tokens) if parse else "",
            intent=answer.intent,
            confidence=answer.confidence,
            entities=list(answer.entities),
            answer_kind=answer.kind,
            reply=self.log_renderer.render(answer.reply),
            citations=list(answer.citations),
            in_dialog=in_dialog,
        )
        *first, last = (answer.reply, *answer.also)
        if not in_dialog and feedback.rated(answer.kind):
            last = feedback.offer(last, logged.id, self.services.labels)
        return Response((*first, last), answer)

    # Button payloads too long for a channel are stored and sent by id.

    def _resolve_payload(self, session: Session, payload: str) -> str | None:
        if not payload.startswith(STORED_PAYLOAD_PREFIX):
            return payload
        key = payload[len(STORED_PAYLOAD_PREFIX) :]
        number = small_int(key)
        stored = session.get(ButtonPayload, number) if number is not None else None
        return stored.payload if stored else None

    def _short_payloads(self, session: Session, replies: Sequence[Reply]) -> list[Reply]:
        """Payloads longer than a channel can carry are stored and sent by id, all of
        an answer's in one look-up (with several directives loaded, most suggestions
        cite "06/2019 · Mục 1.a" and outgrow 64 bytes)."""
        long = {
            b.payload
            for reply in replies
            for b in reply.buttons
            if len(b.payload.encode()) > MAX_PAYLOAD_BYTES
        }
        if not long:
            return list(replies)
        found = session.execute(
            select(ButtonPayload.payload, ButtonPayload.id).where(ButtonPayload.payload.in_(long))
        )
        ids = {payload: number for payload, number in found}
        missing = [ButtonPayload(payload=p) for p in sorted(long - ids.keys())]
        if missing:
            session.add_all(missing)
            session.flush()
            ids.update((stored.payload, stored.id) for stored in missing)
        result = []
        for reply in replies:
            buttons = tuple(
                Button(b.label, f"{STORED_PAYLOAD_PREFIX}{ids[b.payload]}")
                if b.payload in long
                else b
                for b in reply.buttons
            )
            result.append(replace(reply, buttons=buttons) if buttons != reply.buttons else reply)
        return result


def _answers_a_choice(text: str) -> bool:
    """A bare number, or "ok", "có", "hủy" ...: an answer to a choice, not a question."""
    return small_int(text) is not None or choices.is_bare_answer(text)


def _templates_dir(renderer: Renderer) -> Path:
    paths = getattr(renderer.env.loader, "searchpath", None)
    return Path(paths[0]) if paths else default_templates_dir()
