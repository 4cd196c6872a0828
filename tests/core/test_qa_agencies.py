"""Every agency and level in the catalog, asked as officials ask (full name, short
name, aliases, without diacritics, with a typo's worth of informality), gets its own
duties and the general duties that apply to it, with their clauses: never the
preamble, a heading or another agency's list."""

from __future__ import annotations

import re

from bot.app import Assistant
from bot.application.qa.duties import ALL, MAX_JOINED, MAX_LISTED
from nlu.normalize import fold
from tests.core.test_dialogs import Chat
from tests.core.test_qa import ask

WORDINGS = (
    "{} phải làm gì?",
    "nhiem vu cua {}",
    "{} có trách nhiệm gì theo chỉ thị",
    "chi thi giao cho {} nhung viec gi",
    "yêu cầu đối với {} là gì",
    "{} được phân công gì",
    "{} có những nhiệm vụ cụ thể nào",
    "{} thì sao?",  # nothing asked before: its duties
)


def test_every_agency_by_every_name_gets_its_duties_and_clauses(assistant: Assistant) -> None:
    catalog = assistant.core.qa.catalog
    checked = 0
    for agency in assistant.knowledge.agencies:
        assignments = catalog.assignments(agency)
        if not assignments:
            continue  # the issuer and the central bodies: tested in test_qa.py
        expected = {catalog.clauses[a.duty.clause][1].label for a in assignments}
        names = (agency.name, agency.short_name, *agency.aliases[:3])
        for number, name in enumerate(names):
            question = WORDINGS[number % len(WORDINGS)].format(name)
            for typed in (question, fold(question)):
                answer, reply = ask(assistant, typed)
                where = (agency.id, typed, reply[:200])
                assert answer.kind == "duties", where
                assert agency.id in [e["value"] for e in answer.entities], where
                assert expected <= set(answer.citations), where
                assert "Phần mở đầu" not in answer.citations, where
                assert "Để khắc phục" not in reply, where
                checked += 1
    # (Sở TT&TT joining duties of the sở, ngành and districts; a duty done "with every
    # sở, ngành and locality" is its lead's alone, joined by no group.)
    assert checked >= 100


def test_level_names_officials_use_reach_their_group(assistant: Assistant) -> None:
    for typed, group in (
        ("UBND huyện phải làm gì?", "all_districts"),
        ("ubnd huyen phai lam gi", "all_districts"),
        ("Chủ tịch UBND huyện có trách nhiệm gì", "all_districts"),
        ("UBND thị xã phải làm gì", "all_districts"),
        ("phòng văn hóa thông tin huyện có nhiệm vụ gì", "all_districts"),
        ("UBND phường phải làm gì", "communes"),
        ("Giám đốc các sở phải làm gì", "all_departments"),
    ):
        answer, reply = ask(assistant, typed)
        assert answer.kind == "duties", (typed, reply)
        assert group in [e["value"] for e in answer.entities], (typed, reply)
    _, reply = ask(assistant, "UBND huyện phải làm gì?")
    first_duty = reply.splitlines()[1]
    assert "Mục 2.f" in first_duty, reply  # its own clause first, not what it joins


def test_a_long_list_is_cut_and_the_rest_is_one_choice_away(assistant: Assistant) -> None:
    catalog = assistant.core.qa.catalog
    long = [
        a
        for a in assistant.knowledge.agencies
        if len([x for x in catalog.assignments(a) if not catalog.is_general(x.duty)]) > MAX_LISTED
    ]
    assert long, "the pack has an agency with more than MAX_LISTED duties"
    chat = Chat(assistant)
    for agency in long:
        section = assistant.core.qa.agency_duties(agency.id).reply.data["sections"][0]  # type: ignore[union-attr]
        if not (section["more_own"] or section["more_joined"]):
            continue  # its own duties and those it joins each fit
        chat.send(f"{agency.short_name} phải làm gì?")
        cut = chat.text()
        # Each list may keep one duty past its limit rather than hide it; each says
        # what it left out.
        assert cut.count("\n• ") <= MAX_LISTED + MAX_JOINED + 4, cut
        assert re.search("nhiệm vụ (riêng|phối hợp) khác", cut), cut
        payloads = [b.payload for r in chat.last.replies for b in r.buttons] if chat.last else []
        assert f"/nhiemvu {agency.id} {ALL}" in payloads
        chat.press("Xem đủ")
        full = chat.text()
        for assignment in catalog.assignments(agency):
            if not catalog.is_general(assignment.duty):
                assert assignment.duty.title in full, (agency.id, assignment.duty.id)


def test_an_agency_leads_only_what_is_addressed_to_it_and_joins_the_rest(
    assistant: Assistant,
) -> None:
    """A duty of another agency's clause (worded for that agency) that this one leads or
    joins on paper is listed apart, under whose duty it is, never as one of its own."""
    catalog = assistant.core.qa.catalog
    checked = 0
    for agency in assistant.knowledge.agencies:
        if not catalog.assignments(agency):
            continue
        answer = assistant.core.qa.agency_duties(agency.id, complete=True)
        assert answer is not None
        section = answer.reply.data["sections"][0]
        names = {agency.id} | {g.id for g in catalog.groups_of(agency)}
        own = {d["id"] for d in section["specific"]}
        joined = {d["id"]: d for d in section["joined"]}
        for duty_id in own:
            duty = catalog.duties[duty_id][1]
            assert agency.id not in duty.coordinate, (agency.id, duty_id)
            assert names & set(duty.addressees) or agency.id in duty.via, (agency.id, duty_id)
        for assignment in catalog.assignments(agency):
            duty = assignment.duty
            if catalog.is_general(duty) or names & set(duty.addressees) or agency.id in duty.via:
                continue
            assert duty.id in joined, (agency.id, duty.id)
            owner = joined[duty.id]["owner"]
            addressees = [catalog.agencies[a] for a in duty.addressees]
            assert owner or all(fold(a.short_name) in fold(duty.title) for a in addressees)
            checked += 1
    # (Sở TT&TT joining duties of the sở, ngành and districts; a duty done "with every
    # sở, ngành and locality" is its lead's alone, joined by no group.)
    assert checked >= 1
