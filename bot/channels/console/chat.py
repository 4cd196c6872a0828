"""The console adapter: stdin/stdout in, the core in the middle, numbered choices."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.application import choices
from bot.application.assistant import Assistant
from bot.application.messages import (
    APOLOGY,
    Attachment,
    IncomingMessage,
    OutgoingFile,
    Reply,
    Response,
)
from bot.config import PROJECT_ROOT
from bot.storage.db import session_scope

log = logging.getLogger(__name__)

CHANNEL = "console"
PROMPT = "Anh/Chị: "
# The console's stand-in for sending a file (a messenger's paperclip): "/tep <path>"
# hands the file to the core as an attachment, as Zalo or Telegram would.
FILE_COMMAND = "/tep"


class ConsoleChannel:
    def __init__(
        self, assistant: Assistant, user_id: str = "local", standalone: bool = False
    ) -> None:
        """`standalone`: every line is a question of its own (`bot ask`), read without
        the conversation of `bot chat` or of the lines before it."""
        self.assistant = assistant
        self.user_id = user_id
        self.standalone = standalone

    def send(self, text: str) -> Response:
        """Hand one line to the core (which reads a bare number as one of the choices
        it last offered, see `bot.application.choices`); "/tep <path>" sends a file."""
        command, _, path = text.strip().partition(" ")
        if command.lower() == FILE_COMMAND:
            return self.send_file(Path(path.strip().strip("\"'")).expanduser())
        return self._handle(
            IncomingMessage(CHANNEL, self.user_id, text, standalone=self.standalone)
        )

    def send_file(self, path: Path) -> Response:
        """A local file as a messenger would deliver it: its name, size and bytes."""
        try:
            content = path.read_bytes() if path.name else None
        except OSError:
            content = None
        if content is None:
            return Response((Reply("chat/file_missing", {"path": str(path)}),))
        attachment = Attachment("document", str(path), path.name, len(content), content)
        return self._handle(
            IncomingMessage(
                CHANNEL, self.user_id, "", attachment=attachment, standalone=self.standalone
            )
        )

    def _handle(self, message: IncomingMessage) -> Response:
        with session_scope(self.assistant.sessions) as session:
            return self.assistant.core.handle(session, message)

    def render(self, response: Response) -> str:
        parts = [self.assistant.renderer.render(reply) for reply in response.replies]
        for file in (f for reply in response.replies for f in reply.files):
            parts.append(f"(Tệp đính kèm: {self._save(file)})")
        offering = [r for r in response.replies if r.buttons]
        buttons = [b for reply in offering for b in reply.buttons]
        values = any(r.numbers_are_values for r in offering)
        if buttons:  # numbered across the replies: only the first's text numbers its own
            rating = offering[-1].rating  # the rating choices end the last reply's
            parts.append(choices.as_text(buttons, values, listed=offering[0].listed, rating=rating))
        if not response.replies and response.notice:  # a pressed choice's acknowledgment
            parts.append(response.notice)
        return "\n".join(parts)

    @staticmethod
    def _save(file: OutgoingFile) -> Path:
        """The console has no attachments: files go to var/exports/ (never overwritten)."""
        folder = PROJECT_ROOT / "var" / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        stem, suffix = Path(file.name).stem, Path(file.name).suffix
        path, n = folder / file.name, 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}{suffix}"
        path.write_bytes(file.content)
        return path

    def as_json(self, response: Response) -> str:
        answer = response.answer
        return json.dumps(
            {
                "reply": self.render(response),
                "intent": answer.intent if answer else None,
                "confidence": round(answer.confidence, 4) if answer else None,
                "kind": answer.kind if answer else response.replies[0].template,
                "citations": list(answer.citations) if answer else [],
                "entities": list(answer.entities) if answer else [],
                "buttons": [b.label for r in response.replies for b in r.buttons],
            },
            ensure_ascii=False,
        )


def _failed(line: str) -> None:
    """A line the core could not answer: logged with its traceback (stderr), and the
    session goes on, as a messenger's would, instead of ending on a traceback."""
    log.exception("could not answer %r", line[:80])


def ask_lines(channel: ConsoleChannel, lines: Iterable[str], out: TextIO) -> None:
    """One JSON object per input line, in order, flushed as it goes."""
    for line in lines:
        text = question_of(line.rstrip("\r\n"))
        try:
            answered = channel.as_json(channel.send(text))
        except Exception:
            _failed(text)
            answered = json.dumps({"reply": APOLOGY, "kind": "error"}, ensure_ascii=False)
        out.write(answered + "\n")
        out.flush()


def question_of(line: str) -> str:
    """A line is the question as typed, or a JSON object with it under "text" (other
    keys, such as an id, are the caller's own): a script that sends {"id": …, "text": …}
    once had the braces and the id read as words of the question."""
    if line.lstrip().startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return line
        text = record.get("text") if isinstance(record, dict) else None
        if isinstance(text, str):
            return text
    return line


def chat(channel: ConsoleChannel, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """Interactive loop; Ctrl-D or "thoát" ends it."""
    # /start, not a greeting typed by the user: inside an open dialog a typed line
    # answers the step (a restarted console once wrote «xin chào» as the blockers).
    out.write(channel.render(channel.send("/start")) + "\n")
    out.write(
        "(Gõ câu hỏi, hoặc số thứ tự để chọn gợi ý; «/tep đường/dẫn/tệp» để gửi một tệp;"
        " Ctrl-D hoặc «thoát» để kết thúc.)\n"
    )
    while True:
        out.write(PROMPT)
        out.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in ("thoát", "thoat", "exit", "quit"):
            out.write("\nTạm biệt!\n")
            return
        text = line.rstrip("\r\n")
        try:
            answered = channel.render(channel.send(text))
        except Exception:
            _failed(text)
            answered = APOLOGY
        out.write(answered + "\n\n")
