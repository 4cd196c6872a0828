from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.application.knowledge.seed import load_knowledge_from_db, seed_knowledge
from bot.domain.knowledge import Agency, FaqEntry, KnowledgeBase
from bot.storage.db import session_scope
from bot.storage.models import AgencyAlias, Base, Duty, DutyAgency
from bot.storage.models import FaqEntry as FaqRow
from tests.storage.sample import DIRECTIVE_ID, sample_kb


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def seed(factory: sessionmaker[Session], kb: KnowledgeBase) -> None:
    with session_scope(factory) as session:
        seed_knowledge(session, kb)


def load(factory: sessionmaker[Session]) -> KnowledgeBase:
    with session_scope(factory) as session:
        return load_knowledge_from_db(session)


def with_directive(kb: KnowledgeBase, **changes: object) -> KnowledgeBase:
    directive = dataclasses.replace(kb.directives[0], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(kb, directives=(directive,))


def test_seed_twice_is_idempotent(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    kb = sample_kb()
    with session_scope(session_factory) as session:
        first = seed_knowledge(session, kb)
    counts = row_counts(engine)
    with session_scope(session_factory) as session:
        second = seed_knowledge(session, kb)
    assert first.changed
    assert first.inserted["duty_agencies"] == 7
    assert first.inserted["agency_aliases"] == 5
    assert not second.changed, second
    assert row_counts(engine) == counts
    assert counts["directives"] == 1 and counts["duties"] == 2 and counts["faq_entries"] == 1


def test_round_trip_equals_the_dataclasses(session_factory: sessionmaker[Session]) -> None:
    kb = sample_kb()
    seed(session_factory, kb)
    assert load(session_factory) == kb


def test_aliases_store_the_folded_text(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory, sample_kb())
    with session_scope(session_factory) as session:
        folded = session.scalars(
            select(AgencyAlias.folded)
            .where(AgencyAlias.agency_id == "stttt")
            .order_by(AgencyAlias.position)
        ).all()
    assert folded == ["tt&tt", "so thong tin truyen thong", "stttt"]


def test_reseed_after_a_pack_change_updates_only_what_changed(
    session_factory: sessionmaker[Session],
) -> None:
    kb = sample_kb()
    seed(session_factory, kb)
    directive = kb.directives[0]
    renamed = dataclasses.replace(
        directive.duties[0], title="Ký số toàn bộ văn bản đi", coordinate=()
    )
    stttt = dataclasses.replace(kb.agencies[0], aliases=("Sở TTTT",))
    changed = dataclasses.replace(
        with_directive(kb, duties=(renamed,), figures=()),
        agencies=(stttt, *kb.agencies[1:]),
    )
    with session_scope(session_factory) as session:
        result = seed_knowledge(session, changed)
    assert result.updated == {"duties": 1, "agency_aliases": 1}
    assert result.removed == {
        "duties": 1,
        "figures": 1,
        "duty_agencies": 1,
        "agency_aliases": 2,
    }
    assert load(session_factory) == changed

    # The dropped duty is retired, not deleted, and comes back when the pack has it again.
    with session_scope(session_factory) as session:
        retired = session.get_one(Duty, (DIRECTIVE_ID, "1.e-2"))
        assert retired.active is False
        links = session.scalars(
            select(DutyAgency.agency_id).where(DutyAgency.duty_id == "1.e-2")
        ).all()
        assert len(links) == 4
    seed(session_factory, kb)
    assert load(session_factory) == kb


def test_reseed_keeps_admin_edits_of_faq_and_effective_due(
    session_factory: sessionmaker[Session],
) -> None:
    kb = sample_kb()
    seed(session_factory, kb)
    extended = dt.date(2019, 9, 30)
    with session_scope(session_factory) as session:
        faq = session.get_one(FaqRow, "faq-cks")
        faq.answer = "Câu trả lời do quản trị viên sửa."
        faq.updated_at = dt.datetime.now(dt.UTC)
        session.get_one(Duty, (DIRECTIVE_ID, "1.e-1")).effective_due = extended

    new_faq = FaqEntry(id="faq-new", question="Câu hỏi mới?", answer="Trả lời mới.")
    changed_pack_answer = dataclasses.replace(kb.faq[0], answer="Câu trả lời mới của gói.")
    with session_scope(session_factory) as session:
        result = seed_knowledge(
            session, dataclasses.replace(kb, faq=(changed_pack_answer, new_faq))
        )
    assert result.inserted == {"faq_entries": 1}
    assert not result.updated and not result.removed

    with session_scope(session_factory) as session:
        assert session.get_one(FaqRow, "faq-cks").answer == "Câu trả lời do quản trị viên sửa."
        assert session.get_one(Duty, (DIRECTIVE_ID, "1.e-1")).effective_due == extended
    faq_ids = [f.id for f in load(session_factory).faq]
    assert faq_ids == ["faq-cks", "faq-new"]


def test_inactive_faq_entries_are_not_loaded_nor_revived(
    session_factory: sessionmaker[Session],
) -> None:
    kb = sample_kb()
    seed(session_factory, kb)
    with session_scope(session_factory) as session:
        session.get_one(FaqRow, "faq-cks").active = False
    seed(session_factory, kb)
    assert load(session_factory).faq == ()


def test_dropped_agency_is_retired(session_factory: sessionmaker[Session]) -> None:
    kb = sample_kb()
    seed(session_factory, kb)
    extra = Agency(
        id="so-noi-vu", name="Sở Nội vụ", short_name="Sở NV", kind="department", level="province"
    )
    seed(session_factory, dataclasses.replace(kb, agencies=(*kb.agencies, extra)))
    assert load(session_factory).agencies[-1] == extra
    seed(session_factory, kb)
    assert load(session_factory) == kb
