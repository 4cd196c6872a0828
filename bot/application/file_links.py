"""Files that go out as download links: a channel without document upload (Zalo) sends
the digest's .xlsx, the quarterly .docx and exports as a link to the project's own
HTTP listener, and the chart as a photo Zalo fetches by URL.

A link is `<public url>/tep/<token>/<file name>`: the token is 256 random bits, so a
link cannot be guessed from another one; only its SHA-256 is stored (with the file,
its recipient and the expiry), so the database alone gives no working link. A link
works until it expires (24 h by default); each download is counted and logged with
the recipient. It is a bearer link: whoever holds it within that time gets the file,
as with an e-mailed link; it is sent only to the recipient's own chat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.application.delivery import Clock, utc_clock
from bot.application.messages import OutgoingFile
from bot.storage.db import session_scope
from bot.storage.models import SharedFile, User

log = logging.getLogger(__name__)

PATH_PREFIX = "/tep"  # "tệp": the path officials see in the link
TOKEN_BYTES = 32
DEFAULT_TTL = dt.timedelta(hours=24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class Download:
    name: str
    content: bytes
    user_id: int | None


class FileLinks:
    """Publishes files as links for one channel's chats, and serves them back."""

    def __init__(
        self,
        sessions: Callable[[], Session],
        public_url: str,
        ttl: dt.timedelta = DEFAULT_TTL,
        clock: Clock = utc_clock,
    ) -> None:
        self.sessions = sessions
        self.base = public_url.rstrip("/") + PATH_PREFIX
        self.ttl = ttl
        self.clock = clock

    def publish(self, channel: str, address: str, files: Sequence[OutgoingFile]) -> dict[str, str]:
        """Store `files` for the chat `address` and return file name -> link. Expired
        files are deleted on the way (the table holds at most a day of files)."""
        now = self.clock()
        links: dict[str, str] = {}
        with session_scope(self.sessions) as session:
            session.execute(delete(SharedFile).where(SharedFile.expires_at < now))
            user_id = session.scalar(
                select(User.id).where(User.channel == channel, User.channel_user_id == address)
            )
            for file in files:
                token = secrets.token_urlsafe(TOKEN_BYTES)
                session.add(
                    SharedFile(
                        token_hash=token_hash(token),
                        user_id=user_id,
                        channel=channel,
                        address=address,
                        name=file.name,
                        content=file.content,
                        created_at=now,
                        expires_at=now + self.ttl,
                        downloads=0,
                    )
                )
                links[file.name] = f"{self.base}/{token}/{quote(file.name)}"
        return links

    def fetch(self, token: str) -> Download | None:
        """The file behind a link's token, counted as a download; None when the token
        is unknown or the link has expired."""
        now = self.clock()
        key = token_hash(token)
        with session_scope(self.sessions) as session:
            row = session.get(SharedFile, key)
            if row is None or row.expires_at <= now:
                return None
            session.execute(
                update(SharedFile)
                .where(SharedFile.token_hash == key)
                .values(downloads=SharedFile.downloads + 1, last_download_at=now)
            )
            return Download(row.name, row.content, row.user_id)
