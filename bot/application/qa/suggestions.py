"""Questions the assistant answers well, offered as buttons: under a refusal, in
greetings, and instead of an answer when the classifier does not know what kind of
question it was ("did you mean").

The bank is built from the pack (an agency with duties of its own, every topic, the
FAQ) with the wordings of templates/suggestions.yaml, so it follows admins' edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.application.messages import Button, Reply
from bot.application.qa.answer import Answer, make
from bot.domain.catalog import Catalog
from nlu.engine import Parse
from nlu.retrieval import TfidfIndex


@dataclass(frozen=True)
class SuggestionWordings:
    """Patterns for suggested questions (templates/suggestions.yaml)."""

    topic: str
    agency: str
    deadlines: str


def lower_first(name: str) -> str:
    """ "Chữ ký số" -> "chữ ký số" inside a sentence; "ICT Index" stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


class Suggestions:
    def __init__(
        self, catalog: Catalog, wordings: SuggestionWordings, generic_words: frozenset[str]
    ) -> None:
        self.catalog = catalog
        self.wordings = wordings
        self.bank = self._build_bank()
        self.texts = [q for group in self.bank for q in group]
        self.index: TfidfIndex[int] = catalog.index(
            "suggestions", list(enumerate(self.texts)), generic_words
        )

    def _build_bank(self) -> list[list[str]]:
        """Questions the assistant answers well, in three groups: deadlines, agencies
        with duties of their own, topics; and the FAQ's questions."""
        deadlines = [self.wordings.deadlines]
        agencies = [
            self.wordings.agency.format(name=a.short_name)
            for a in self.catalog.kb.agencies
            if a.kind != "group" and any(x.direct for x in self.catalog.assignments(a))
        ]
        topics = [
            self.wordings.topic.format(name=lower_first(t.name))
            for t in self.catalog.topics.values()
        ]
        faq = [f.question for f in self.catalog.faq.values()]
        return [deadlines, agencies, topics, faq]

    def closest(self, tokens: Sequence[str], limit: int = 3) -> tuple[Button, ...]:
        """Questions the assistant can answer: the closest to `tokens`, or without
        any match, one each about deadlines, an agency and a topic."""
        ranked = [self.texts[h.key] for h in self.index.search(tokens, limit)]
        defaults = [group[0] for group in self.bank[:3] if group]
        chosen = list(dict.fromkeys([*ranked, *defaults]))[:limit]
        return tuple(Button(question, question) for question in chosen)

    def defaults(self) -> list[str]:
        """One question each about deadlines, an agency and a topic: examples to show."""
        return [s.payload for s in self.closest(())]

    def did_you_mean(self, parse: Parse) -> Answer:
        """The closest questions instead of an answer, when the kind of question is unclear."""
        reply = Reply("qa/did_you_mean", {}, self.closest(parse.tokens))
        return make(parse, "did_you_mean", reply)
