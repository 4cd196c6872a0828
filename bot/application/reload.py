"""Rebuild the Q&A indexes after content changes, without pausing answers.

An admin's change (in this process, or through the command line in another) is
committed to the database; the core then loads the knowledge again and builds new
indexes and a new NLU engine in a background thread (~1 s), swapped in with one
assignment. The message after a change waits for it (the router calls `wait`): the
admin's own command returns at once, and nobody in this process is answered from the
content as it was (an agency just closed, still given duties).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.application.knowledge.seed import load_knowledge_from_db
from bot.domain.knowledge import KnowledgeBase
from bot.storage.models import AuditLog

if TYPE_CHECKING:
    from bot.application.qa.service import QAService

log = logging.getLogger(__name__)

# How often the core looks for changes made by another process (a CLI import).
CHECK_EVERY_SECONDS = 15.0


def latest_change(session: Session) -> int:
    query = select(func.max(AuditLog.id)).where(
        AuditLog.allowed.is_(True), AuditLog.entity_type.is_not(None)
    )
    return session.scalar(query) or 0


class Reloader:
    """`rebuild` makes a new Q&A from the knowledge; `swap` (set by whoever serves the
    answers) puts it in use."""

    def __init__(self, rebuild: Callable[[KnowledgeBase], QAService] | None) -> None:
        self.rebuild = rebuild
        self.swap: Callable[[QAService], None] = lambda qa: None
        self._seen: int | None = None
        self._checked = 0.0
        self._generation = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def check(self, session: Session) -> None:
        """Reload if content changed since we last looked (at most every few seconds)."""
        if self.rebuild is None or time.monotonic() - self._checked < CHECK_EVERY_SECONDS:
            return
        self._checked = time.monotonic()
        latest = latest_change(session)
        if self._seen is None:
            self._seen = latest
        elif latest != self._seen:
            self.now(session)

    def now(self, session: Session) -> None:
        """Reload from what `session` sees (its own uncommitted changes included)."""
        if self.rebuild is None:
            return
        knowledge = load_knowledge_from_db(session)
        self._seen = latest_change(session)
        with self._lock:
            self._generation += 1
            generation = self._generation
        thread = threading.Thread(target=self._build, args=(knowledge, generation), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _build(self, knowledge: KnowledgeBase, generation: int) -> None:
        assert self.rebuild is not None
        try:
            qa = self.rebuild(knowledge)
        except Exception:
            log.exception("rebuilding the Q&A indexes failed; the old ones stay")
            return
        with self._lock:
            if generation == self._generation:  # a later change wins
                self.swap(qa)

    def wait(self, timeout: float = 30.0) -> None:
        """Until pending rebuilds are done: before the next message is answered (the
        router), at shutdown. Returns at once when none is under way."""
        for thread in list(self._threads):
            thread.join(timeout)
        self._threads = [t for t in self._threads if t.is_alive()]
