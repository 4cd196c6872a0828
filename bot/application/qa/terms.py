"""Questions about an index or ranking a directive cites by name ("chỉ số PCI của tỉnh
xếp thứ mấy", "PAR Index"): one line on what the text says of the one asked (its rank
or score when a sentence naming it states one, else that it is only cited) and the
sentence itself, never the paragraph of every figure.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import Matcher
from bot.application.qa.quotes import pieces
from bot.application.qa.views import label
from bot.domain.catalog import Catalog
from nlu.engine import Parse
from nlu.entities import Entity

# A number in a sentence (not a clause or document number: "Nghị định 43/2011").
_NUMBER = re.compile(r"(?<![\w/])\d+(?:[.,]\d+)?%?(?![\w/])")


# How a question asks for an index's standing ("xếp hạng", "thứ mấy", "bao nhiêu
# điểm", "của tỉnh năm 2018"), folded.
STANDING_WORDS = frozenset(
    {"chi", "so", "xep", "hang", "thu", "diem", "bao", "nhieu", "may", "dung", "dat", "tinh"}
    | {"nam", "bac", "ninh", "ket", "qua", "danh", "gia", "index", "ta"}
    # "là bn": "bn" (bao nhiêu) reads "ban" as the lexicon expands it.
    | {"cua", "la", "ban"}
)


# Words of a question on an index's standing ("xếp thứ mấy", "bao nhiêu điểm", "đạt").
RANK_WORDS = frozenset({"xep", "hang", "thu", "diem", "nhieu", "may", "dat"})
# At most this many places naming an index are quoted.
MAX_PLACES = 3


def cited_term(matcher: Matcher, parse: Parse) -> Answer | None:
    """What the text says of the index the question names, when the question asks
    about the index itself (not "who answers for a fall of the PCI")."""
    catalog = matcher.catalog
    terms = parse.values("term")
    named = {t for e in parse.entities for t in e.text.split()}
    asked = [
        t
        for t in parse.tokens
        if t not in named and t not in matcher.generic_words and t not in STANDING_WORDS
    ]
    if not terms or any(not t.isdigit() for t in asked):
        return None
    term = terms[0]
    wanted = " ".join(catalog.normalizer.tokens(term))
    found = []
    for passage in catalog.passages:
        for piece in pieces(passage.text) or [passage.text]:
            if f" {wanted} " in " " + " ".join(catalog.normalizer.tokens(piece)) + " ":
                found.append((passage, piece))
    if not found:
        return None
    if not RANK_WORDS & set(parse.tokens):
        # "ICT Index", "ICT Index được nhắc tới thế nào": every place that names it
        # (a clause each), not a standing nobody asked for.
        first_of_clause: dict[str, str] = {}
        for passage, piece in found:
            first_of_clause.setdefault(passage.clause.id, piece)
        views = [
            {"quote": piece.strip(), "clause": label(catalog, clause_id)}
            for clause_id, piece in first_of_clause.items()
        ][:MAX_PLACES]
        reply = Reply("qa/term", {"term": term, "places": views})
        return make(parse, "term", reply, [v["clause"] for v in views])
    # The piece stating a number (a rank or a score), else the first naming it (the
    # introduction's, where a directive says why the index matters).
    stating = [f for f in found if _NUMBER.search(f[1])]
    passage, piece = (stating or found)[0]
    clause = label(catalog, passage.clause.id)
    view = {
        "term": term,
        "quote": piece.strip(),
        "clause": clause,
        "stated": bool(stating),
        "places": [],
    }
    return make(parse, "term", Reply("qa/term", view), [clause])


def terms_as_topics(catalog: Catalog, parse: Parse) -> Parse:
    """The parse with each cited term a topic lists among its names read as that topic
    ("chỉ số PCI ảnh hưởng bởi điều gì" is on the provision of information), for the
    answers other than `cited_term`."""
    surfaces = {
        " ".join(catalog.normalizer.tokens(name)): topic.id
        for topic in catalog.topics.values()
        for name in (topic.name, *topic.aliases)
    }
    entities = tuple(
        Entity("topic", surfaces[e.text], e.text)
        if e.entity == "term" and e.text in surfaces
        else e
        for e in parse.entities
    )
    return replace(parse, entities=entities) if entities != parse.entities else parse
