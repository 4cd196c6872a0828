"""The core: one entry point that channels call with a platform-neutral message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.core.messages import IncomingMessage, Reply
from bot.core.qa import Answer, QAService
from bot.core.render import Renderer
from bot.storage.repositories import QuestionLogRepo, UserRepo

# The question log keeps what was typed, but a hostile message cannot fill the disk.
MAX_LOGGED_CHARS = 20_000


@dataclass(frozen=True)
class Response:
    """The replies for one message, with what the core understood (for logs and tools)."""

    replies: tuple[Reply, ...]
    answer: Answer


class Core:
    def __init__(self, qa: QAService, log_renderer: Renderer) -> None:
        self.qa = qa
        # The log stores the reply as plain text, whatever channel it went to.
        self.log_renderer = log_renderer

    def handle(self, session: Session, message: IncomingMessage) -> Response:
        """Answer one message and write it to the question log (the caller commits)."""
        answer = self.qa.answer(message.text)
        user = UserRepo(session).get_or_create(
            message.channel, message.user_id, message.display_name
        )
        parse = answer.parse
        QuestionLogRepo(session).add(
            channel=message.channel,
            user_id=user.id,
            # PostgreSQL text cannot hold NUL; nothing else is altered.
            text=message.text.replace("\x00", "")[:MAX_LOGGED_CHARS],
            normalized=" ".join(parse.tokens) if parse else "",
            intent=answer.intent,
            confidence=answer.confidence,
            entities=list(answer.entities),
            answer_kind=answer.kind,
            reply=self.log_renderer.render(answer.reply),
            citations=list(answer.citations),
        )
        return Response((answer.reply,), answer)
