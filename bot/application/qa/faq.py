"""Answers from the FAQ, which admins write, among other reasons to answer what the
assistant refused (the unanswered inbox).

An entry answers when one of its phrasings is close to the question both ways, and
the question is of a kind the entry answers (same words, another kind of question
is not the same question: "vì sao" vs "làm gì").
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.application.messages import Reply
from bot.application.qa.answer import CONFIDENT, Answer, make
from bot.application.qa.matching import MIN_COVERAGE, Matcher, contains
from bot.application.qa.views import label
from nlu.engine import NluEngine, Parse

# What a question asks for, by its question words (folded), first match wins: the
# classifier sees "Vì sao UBND tỉnh ban hành Chỉ thị?" and "Chỉ thị do UBND tỉnh nào
# ban hành?" as one kind (the document's header), the words alone tell them apart.
ASKED_BY = (
    ("why", (("vi", "sao"), ("tai", "sao"), ("ly", "do"), ("muc", "dich"), ("de", "lam", "gi"))),
    ("when", (("khi", "nao"), ("bao", "gio"), ("ngay", "nao"), ("luc", "nao"), ("bh",))),
    ("how_many", (("bao", "nhieu"), ("may",), ("bn",))),
    ("who", (("ai",),)),
    ("which", (("nao",),)),
)


def asked_for(tokens: Sequence[str]) -> str:
    """The kind of thing the question words ask for ("" when none is said)."""
    for kind, phrases in ASKED_BY:
        if any(contains(tokens, list(p)) for p in phrases):
            return kind
    return ""


class FaqAnswers:
    def __init__(self, matcher: Matcher, nlu: NluEngine) -> None:
        self.matcher = matcher
        catalog = matcher.catalog
        # The kinds of question each FAQ entry answers, as the classifier sees its phrasings.
        self.intents: dict[str, set[str]] = {
            f.id: {nlu.parse(q).intent for q in (f.question, *f.alternates)} for f in catalog.kb.faq
        }
        # ... and each phrasing's words, with what its question words ask for.
        self.phrasings: dict[str, list[tuple[frozenset[str], str]]] = {
            f.id: [
                (frozenset(tokens), asked_for(tokens))
                for tokens in (nlu.parse(q).tokens for q in (f.question, *f.alternates))
            ]
            for f in catalog.kb.faq
        }

    def answer(
        self, parse: Parse, threshold: float, coverage: float = MIN_COVERAGE
    ) -> Answer | None:
        """An FAQ entry one of whose phrasings is close to the question both ways: it
        holds the question's words (named agencies included) and the question holds
        most of its words."""
        catalog = self.matcher.catalog
        hits = self.matcher.search(
            catalog.faq_index,
            parse,
            limit=3,
            min_coverage=coverage,
            ignore_named=False,
            min_document_coverage=coverage,
        )
        if not hits or hits[0][1] < threshold:
            return None
        intents = self.intents.get(hits[0][0], set()) | {"out_of_scope"}
        if parse.confidence >= CONFIDENT and parse.intent not in intents:
            return None  # same words, another kind of question ("vì sao" vs "làm gì")
        if not self._asks_alike(hits[0][0], parse.tokens):
            return None  # "Vì sao UBND tỉnh ban hành …" is not "… do UBND tỉnh nào ban hành"
        entry = catalog.faq_entry(hits[0][0])
        citations = [label(catalog, c) for c in entry.clauses if c in catalog.clauses]
        reply = Reply("qa/faq", {"entry": entry, "citations": citations})
        return make(parse, "faq", reply, citations, hits[0][1])

    def _asks_alike(self, entry_id: str, tokens: Sequence[str]) -> bool:
        """The question asks for what the entry's phrasing nearest to it asks for
        (why, when, which...), or one of them says no question word."""
        asked = asked_for(tokens)
        phrasings = self.phrasings.get(entry_id)
        if not asked or not phrasings:
            return True
        words = set(tokens)
        _, nearest = max(phrasings, key=lambda p: len(p[0] & words) / len(p[0] | words))
        return not nearest or nearest == asked
