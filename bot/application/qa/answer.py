"""What every Q&A answer is: the reply with the classifier's confidence, the data's
evidence and the citations behind it.

One record for all kinds of answer, so the router, the channels and the evaluation
read the same fields whichever answerer produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.application.messages import Reply
from nlu.engine import Parse

# Above this probability the classifier's intent is taken as is (the service answers
# it; an FAQ entry asked in other words for another kind of question does not).
CONFIDENT = 0.6
# Evidence of answers that do not search (metadata, lists): a middling match.
FIXED_EVIDENCE = 0.5
# Kinds of answer that are a question back to the user ("which directive?", "about
# what?"): nothing was answered yet, so there is nothing to rate or to follow up.
ASKS_BACK = frozenset({"which_directive", "ask_back"})


@dataclass(frozen=True)
class Answer:
    reply: Reply
    kind: str  # which handler answered: "duties", "deadline", "figure", "refusal", ...
    intent: str
    confidence: float
    citations: tuple[str, ...] = ()
    # How strongly the data matched the question (retrieval score, 1.0 for a named
    # agency or number, FIXED_EVIDENCE for answers that do not search).
    evidence: float = FIXED_EVIDENCE
    parse: Parse | None = None
    entities: tuple[dict[str, str], ...] = field(default=())
    # The duties the answer is about, by directive-scoped key ("06-CT-UBND-2019:1.a-1"),
    # for a follow-up ("hạn khi nào?") that must land in the same directive.
    duties: tuple[str, ...] = ()
    # The answer to a second question in the same message, sent after this one.
    also: tuple[Reply, ...] = ()


def make(
    parse: Parse,
    kind: str,
    reply: Reply,
    citations: Sequence[str] = (),
    evidence: float = FIXED_EVIDENCE,
    duties: Sequence[str] = (),
) -> Answer:
    """The answer to `parse`: its intent, confidence and entities, the citations once
    each in order."""
    return Answer(
        reply=reply,
        kind=kind,
        intent=parse.intent,
        confidence=parse.confidence,
        citations=tuple(dict.fromkeys(citations)),
        evidence=evidence,
        parse=parse,
        entities=tuple({"entity": e.entity, "value": e.value} for e in parse.entities),
        duties=tuple(dict.fromkeys(duties)),
    )
