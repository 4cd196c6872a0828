from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.application.knowledge.pack import default_data_dir, load_knowledge
from bot.application.knowledge.seed import load_knowledge_from_db, seed_knowledge
from bot.storage.db import session_scope


def test_real_pack_seeds_and_round_trips(session_factory: sessionmaker[Session]) -> None:
    kb = load_knowledge(default_data_dir())
    with session_scope(session_factory) as session:
        assert seed_knowledge(session, kb).changed
    with session_scope(session_factory) as session:
        assert not seed_knowledge(session, kb).changed
    with session_scope(session_factory) as session:
        assert load_knowledge_from_db(session) == kb
