"""Answers about the directive as a document: who signed it and when, a clause named
outright ("Mục 1.e nói gì"), and a document it cites ("Nghị định 43/2011 ...").

None of these searches: the question names what it asks about, or the answer is the
document's header.
"""

from __future__ import annotations

import re
from typing import Any

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import contains
from bot.application.qa.views import directive, label
from bot.domain.catalog import Catalog
from nlu.engine import Parse


def metadata(catalog: Catalog, parse: Parse) -> Answer:
    """Number, date, signer and, when asked who receives it, the recipients."""
    wants_recipients = any(t in parse.tokens for t in ("nhan", "gui"))
    reply = Reply("qa/metadata", {"d": directive(catalog), "recipients": wants_recipients})
    return make(parse, "metadata", reply, ["Phần đầu và phần ký của văn bản"])


def by_clause(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Mục 1.e nói gì": the clause itself."""
    clause_ids = [c for c in parse.values("clause") if c in catalog.clauses]
    if not clause_ids:
        return None
    views: list[dict[str, Any]] = []
    for clause_id in clause_ids[:2]:
        in_directive, clause = catalog.clauses[clause_id]
        children = [c for c in in_directive.clauses if c.parent == clause.id]
        views.append({"clause": clause, "children": children})
    reply = Reply("qa/clause", {"clauses": views})
    return make(parse, "clause", reply, [v["clause"].label for v in views], 1.0)


def by_cited_document(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Nghị định 43/2011 ban hành ngày nào": a document the directive cites,
    named by its number (in full, or its first number after its type)."""
    found = []
    for citing in catalog.kb.directives:
        for cited in citing.cites:
            number = catalog.normalizer.tokens(cited.number)
            doc_type = catalog.normalizer.tokens(cited.doc_type)
            first_number = re.split(r"[/\-]", number[0])[0] if number else ""
            named = " ".join(number) in " ".join(parse.tokens) or (
                contains(parse.tokens, doc_type) and first_number in parse.tokens
            )
            if named:
                found.append((citing, cited))
    if not found:
        return None
    views: list[dict[str, Any]] = [
        {"cited": cited, "clause": label(catalog, cited.clause), "directive": citing}
        for citing, cited in found
    ]
    reply = Reply("qa/cited_document", {"documents": views})
    return make(parse, "cited_document", reply, [v["clause"] for v in views], 1.0)
