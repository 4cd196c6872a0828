"""Composition root: settings -> storage -> knowledge -> NLU -> core."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.application.assistant import Assistant
from bot.application.dialogs.faq import FaqDialog
from bot.application.dialogs.report import Labels, ReportDialog
from bot.application.knowledge.pack import load_knowledge
from bot.application.knowledge.seed import load_knowledge_from_db, seed_knowledge
from bot.application.periods import fill_periods
from bot.application.qa.service import DEFAULT_SUGGEST_BELOW, PLAIN_SMALL_TALK, QAService
from bot.application.qa.suggestions import SuggestionWordings
from bot.application.render import Renderer
from bot.application.router import Core
from bot.config import Settings
from bot.domain.catalog import Catalog
from bot.domain.knowledge import KnowledgeBase
from bot.storage.db import (
    make_engine,
    make_session_factory,
    preparation_lock,
    session_scope,
    upgrade,
)
from nlu.cache import ModelCache
from nlu.engine import BuiltinNlu, Lexicon, NluEngine
from nlu.normalize import fold
from nlu.rasa_http import RasaNlu
from nlu.retrieval import IndexBuilder
from nlu.retrieval import build_index as nlu_build_index
from nlu.training_data import TrainingData, load_training_data
from nlu.yaml_io import read_yaml

log = logging.getLogger(__name__)

# The channels whose senders deliver pushed messages (nudges, digests, announcements).
PUSH_CHANNELS = ("zalo", "telegram")


def prepare_database(settings: Settings) -> sessionmaker[Session]:
    """Migrate the database and seed it from data/ (both no-ops when up to date), one
    process at a time (several starting at once on a new database take turns)."""
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    knowledge = load_knowledge(settings.data_dir)  # outside the lock: no database needed
    with preparation_lock(engine):
        upgrade(engine)
        with session_scope(sessions) as session:
            result = seed_knowledge(session, knowledge, fold=fold)
    if result.changed:
        log.info("seeded knowledge: %s", result)
    return sessions


@dataclass(frozen=True)
class NluResources:
    """Everything an NLU engine is built from, besides the training examples."""

    lexicon: Lexicon
    catalog: Catalog
    names: list[tuple[str, str, str]]
    vocabulary: list[str]

    def builtin(self, training: TrainingData) -> BuiltinNlu:
        return BuiltinNlu.fit(training, self.lexicon, self.names, self.vocabulary)


def nlu_resources(
    settings: Settings, knowledge: KnowledgeBase, build_index: IndexBuilder = nlu_build_index
) -> NluResources:
    lexicon = Lexicon.load(settings.data_dir / "nlu" / "lexicon.yaml")
    catalog = Catalog(knowledge, lexicon.normalizer(), lexicon.stopwords, build_index)
    names = lexicon.term_entries() + catalog.name_entries() + lexicon.place_entries()
    return NluResources(lexicon, catalog, names, catalog.vocabulary())


def build_qa(settings: Settings, knowledge: KnowledgeBase) -> QAService:
    """The Q&A over `knowledge`: indexes, the NLU engine (and Rasa, if configured).
    The indexes and the NLU come from the model cache when it holds them for exactly
    this knowledge, training data and code (nlu/cache.py)."""
    cache = ModelCache(settings.cache_dir)
    resources = nlu_resources(settings, knowledge, cache.index)
    training = load_training_data(settings.data_dir / "nlu" / "nlu.yml")
    builtin = cache.builtin_nlu(
        training,
        resources.lexicon,
        resources.names,
        resources.vocabulary,
    )
    nlu: NluEngine = builtin
    if settings.nlu_backend == "rasa":
        nlu = RasaNlu(builtin, settings.rasa_url, settings.rasa_timeout)
    wordings = read_yaml(settings.templates_dir / "suggestions.yaml")
    calibration_file = settings.data_dir / "nlu" / "calibration.yaml"
    calibration = (read_yaml(calibration_file) if calibration_file.is_file() else None) or {}
    return QAService(
        resources.catalog,
        nlu,
        SuggestionWordings(**wordings),
        resources.lexicon.generic_words,
        suggest_below=float(calibration.get(settings.nlu_backend, DEFAULT_SUGGEST_BELOW)),
        small_talk_words=frozenset(
            word
            for example in training.examples
            if example.intent in PLAIN_SMALL_TALK
            for word in builtin.tokens(example.text)
        ),
    )


def text_renderer(settings: Settings) -> Renderer:
    """Plain-text replies, their compiled templates kept in the cache directory (a
    cold `bot ask` otherwise spends more time compiling them than answering)."""
    return Renderer(settings.templates_dir, "text", cache_dir=settings.cache_dir)


def build_core(settings: Settings, knowledge: KnowledgeBase) -> Core:
    qa = build_qa(settings, knowledge)
    labels = Labels(**read_yaml(settings.templates_dir / "labels.yaml"))
    return Core(
        qa,
        text_renderer(settings),
        ReportDialog(qa.catalog, labels, settings.nudges, settings.evidence_max_bytes),
        FaqDialog(qa.catalog, labels),
        rebuild=lambda kb: build_qa(settings, kb),
        nudge_settings=settings.nudges,
        push_channels=PUSH_CHANNELS,
        import_limits=settings.imports,
        web_url=settings.public_url,
        drafts_dir=settings.data_dir / "drafts",
    )


def build_assistant(settings: Settings | None = None) -> Assistant:
    settings = settings or Settings.from_env()
    sessions = prepare_database(settings)
    with session_scope(sessions) as session:
        knowledge = load_knowledge_from_db(session)
    core = build_core(settings, knowledge)
    with session_scope(sessions) as session:
        # Reports saved before migration 0018 get the period they settle (a no-op after).
        fill_periods(session, core.qa.catalog, settings.nudges)
    return Assistant(settings, sessions, knowledge, core, core.log_renderer)
