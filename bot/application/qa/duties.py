"""Answers about who does what: an agency's duties ("Sở Nội vụ phải làm gì") and the
agency responsible for a task ("đơn vị nào hướng dẫn ...").

Both return None when the pack holds nothing matching, so the service can try
another kind of answer or refuse.
"""

from __future__ import annotations

from typing import Any

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import Matcher, asked_action, best
from bot.application.qa.views import duty_view, general_view, issued_by, label
from nlu.engine import Parse


def agency_duties(matcher: Matcher, parse: Parse) -> Answer | None:
    """The duties of up to three named agencies (narrowed to a named topic), agencies
    with the same duties in one section; an issuer is told what it issued."""
    catalog = matcher.catalog
    agency_ids = parse.values("agency")[:3]
    if not agency_ids:
        return None
    topics = set(parse.values("topic"))
    relevant = {d.id for d, _ in matcher.ranked_duties(parse)} if topics else set()
    sections: list[dict[str, Any]] = []
    citations: list[str] = []
    for agency_id in agency_ids:
        agency = catalog.agencies[agency_id]
        assignments = catalog.assignments(agency)
        if topics:
            assignments = [
                a for a in assignments if matcher.about(a.duty, topics) or a.duty.id in relevant
            ]
        # "UBND tỉnh phải làm gì": it issued the directive rather than received it.
        issued = issued_by(catalog, agency.name) if not topics else []
        specific = [a for a in assignments if not catalog.is_general(a.duty)]
        general = [a for a in assignments if catalog.is_general(a.duty)]
        section = {
            "agencies": [agency.name],
            "specific": [duty_view(catalog, a.duty, a.role) for a in specific],
            "general": general_view(catalog, general, detailed=bool(topics)),
            "issued": issued,
        }
        same = [
            s
            for s in sections
            if s["specific"] == section["specific"] and s["general"] == section["general"]
        ]
        if same:
            same[0]["agencies"].append(agency.name)
        else:
            sections.append(section)
        citations += [label(catalog, a.duty.clause) for a in specific + general]
        citations += [part for document in issued for part in document["clauses"]]
    topic_names = [catalog.topics[t].name for t in topics if t in catalog.topics]
    reply = Reply("qa/agency_duties", {"sections": sections, "topics": topic_names})
    return make(parse, "duties", reply, citations, evidence=1.0)


def responsible(matcher: Matcher, parse: Parse) -> Answer | None:
    """The duty (or two) matching the task asked about, with who leads and coordinates."""
    found, score = best(matcher.ranked_duties(parse, action=asked_action(parse)))
    if not found:
        return None
    views = [duty_view(matcher.catalog, d) for d in found]
    reply = Reply("qa/responsible", {"duties": views})
    return make(parse, "responsible", reply, [v["clause"] for v in views], score)
