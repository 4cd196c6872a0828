"""Logging for a process, with every secret masked in every record.

Libraries log what they see: python-telegram-bot's DEBUG line "Set Bot API URL:
…/bot<token>", httpx's request URLs, a traceback that quotes a token or a database
URL. One filter on the root handlers replaces each secret (tokens, webhook secrets,
the database password) with "***" in the message and in the traceback, whatever
logger wrote it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.config import MASK


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(text)
            record.exc_info = None  # the formatter would format the original again
        return True


def configure(level: str, secrets: Iterable[str]) -> None:
    """Log to stderr at `level`, secrets masked."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
