"""Answers from the FAQ, which admins write, among other reasons to answer what the
assistant refused (the unanswered inbox).

An entry answers when one of its phrasings is close to the question both ways, and
the question is of a kind the entry answers (same words, another kind of question
is not the same question: "vì sao" vs "làm gì").
"""

from __future__ import annotations

from bot.application.messages import Reply
from bot.application.qa.answer import CONFIDENT, Answer, make
from bot.application.qa.matching import MIN_COVERAGE, Matcher
from bot.application.qa.views import label
from nlu.engine import NluEngine, Parse


class FaqAnswers:
    def __init__(self, matcher: Matcher, nlu: NluEngine) -> None:
        self.matcher = matcher
        catalog = matcher.catalog
        # The kinds of question each FAQ entry answers, as the classifier sees its phrasings.
        self.intents: dict[str, set[str]] = {
            f.id: {nlu.parse(q).intent for q in (f.question, *f.alternates)} for f in catalog.kb.faq
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
        entry = catalog.faq_entry(hits[0][0])
        citations = [label(catalog, c) for c in entry.clauses if c in catalog.clauses]
        reply = Reply("qa/faq", {"entry": entry, "citations": citations})
        return make(parse, "faq", reply, citations, hits[0][1])
