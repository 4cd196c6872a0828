"""The assembled assistant that channels and jobs are given (built by `bot.app`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.application.render import Renderer
from bot.application.router import Core
from bot.config import Settings
from bot.domain.knowledge import KnowledgeBase


@dataclass
class Assistant:
    settings: Settings
    sessions: sessionmaker[Session]
    knowledge: KnowledgeBase
    core: Core
    renderer: Renderer
