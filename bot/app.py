"""Composition root: settings -> storage -> knowledge -> NLU -> core."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.core.catalog import Catalog
from bot.core.knowledge import KnowledgeBase
from bot.core.qa import QAService, SuggestionWordings
from bot.core.render import Renderer
from bot.core.service import Core
from bot.storage.db import make_engine, make_session_factory, session_scope, upgrade
from bot.storage.pack import load_knowledge
from bot.storage.seed import load_knowledge_from_db, seed_knowledge
from nlu.engine import BuiltinNlu, Lexicon
from nlu.normalize import Normalizer, fold
from nlu.training_data import load_training_data
from nlu.yaml_io import read_yaml

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    settings: Settings
    sessions: sessionmaker[Session]
    knowledge: KnowledgeBase
    core: Core
    renderer: Renderer


def prepare_database(settings: Settings) -> sessionmaker[Session]:
    """Migrate the database and seed it from data/ (both no-ops when up to date)."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        result = seed_knowledge(session, load_knowledge(settings.data_dir), fold=fold)
        if result.changed:
            log.info("seeded knowledge: %s", result)
    return sessions


def build_core(settings: Settings, knowledge: KnowledgeBase) -> Core:
    lexicon = Lexicon.load(settings.data_dir / "nlu" / "lexicon.yaml")
    nlu_dir = settings.data_dir / "nlu"
    training = load_training_data(nlu_dir / "nlu.yml")
    catalog = Catalog(knowledge, Normalizer(lexicon.abbreviations), lexicon.stopwords)
    names = catalog.name_entries() + lexicon.place_entries()
    nlu = BuiltinNlu(training, lexicon, names, catalog.vocabulary())
    wordings = read_yaml(settings.templates_dir / "suggestions.yaml")
    qa = QAService(catalog, nlu, SuggestionWordings(**wordings), lexicon.generic_words)
    return Core(qa, Renderer(settings.templates_dir, "text"))


def build_assistant(settings: Settings | None = None) -> Assistant:
    settings = settings or Settings.from_env()
    sessions = prepare_database(settings)
    with session_scope(sessions) as session:
        knowledge = load_knowledge_from_db(session)
    core = build_core(settings, knowledge)
    return Assistant(settings, sessions, knowledge, core, Renderer(settings.templates_dir, "text"))
