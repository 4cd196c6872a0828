"""«Cụ thể hơn», «nguyên văn» after an answer: its fuller version. An agency's list
cut short comes whole (as «Xem đủ nhiệm vụ» gives it); otherwise the clauses the
answer quoted from come in full (as «Xem nguyên văn Mục X» gives them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.application.qa.answer import Answer
from bot.application.qa.document import by_clause
from bot.application.qa.duties import agency_duties
from bot.application.qa.followup import Context
from bot.application.qa.matching import Matcher
from nlu.engine import Parse
from nlu.entities import Entity


def in_full(
    matcher: Matcher, parse: Parse, context: Context, citations: Sequence[str]
) -> Answer | None:
    """The fuller version of the answer `context` stands for; `citations`: the clauses
    that answer cited, for one about no duty (a quoted passage). None when there is
    nothing more to show. The thread stays the last answer's."""
    catalog = matcher.catalog
    # The thread's question, intent and names: "hạn khi nào?" after it is still asked
    # of the same duties.
    names = tuple(Entity("agency", a, "") for a in context.agencies) + tuple(
        Entity("topic", t, "") for t in context.topics
    )
    thread = replace(parse, text=context.question, intent=context.intent, tokens=())
    if context.intent == "ask_agency_duties" and context.agencies:
        whole = agency_duties(matcher, replace(thread, entities=names), complete=True)
        if whole is not None and not set(whole.duties) <= set(context.duties):
            return whole
    clauses = [catalog.duties[k][1].clause for k in context.duties if k in catalog.duties]
    if not clauses:
        labels = {
            catalog.clause_label(directive, c.id): c.id
            for directive in catalog.held
            for c in directive.clauses
        }
        clauses = [labels[c] for c in citations if c in labels]
    clause_entities = tuple(Entity("clause", c, "") for c in dict.fromkeys(clauses))
    found = by_clause(catalog, replace(thread, entities=(*names, *clause_entities)))
    return replace(found, duties=context.duties) if found is not None else None
