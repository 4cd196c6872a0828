"""The NLU interface and its builtin (in-process) backend."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from nlu.classifier import SoftmaxClassifier
from nlu.entities import Entity, Gazetteer, find_values
from nlu.features import TfidfVectorizer
from nlu.normalize import Normalizer
from nlu.spelling import SpellCorrector
from nlu.state import State
from nlu.training_data import TrainingData
from nlu.yaml_io import read_yaml

# Vietnamese syllables are at most 7 letters and the speller maps misspelled ones
# back to known words; an unknown alphabetic token this long is a foreign word.
UNKNOWN_WORD_LENGTH = 5


@dataclass(frozen=True)
class Parse:
    """What the NLU understood of one message."""

    text: str
    tokens: tuple[str, ...]  # normalized and spell-corrected
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()
    entities: tuple[Entity, ...] = ()
    # Share of the message's content words that the domain knows (0 when it has none).
    known_share: float = 0.0
    # Long words no Vietnamese spelling of the domain explains ("blockchain", "zoom"):
    # a message about something the directive never mentions.
    unknown_words: tuple[str, ...] = ()
    backend: str = "builtin"

    def values(self, entity: str) -> list[str]:
        """Distinct values of one entity type, in order of appearance."""
        seen: list[str] = []
        for e in self.entities:
            if e.entity == entity and e.value not in seen:
                seen.append(e.value)
        return seen


class NluEngine(Protocol):
    def parse(self, text: str) -> Parse: ...


@dataclass(frozen=True)
class Lexicon:
    abbreviations: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    generic_words: frozenset[str] = frozenset()
    other_places: tuple[str, ...] = ()
    uncovered_topics: tuple[str, ...] = ()
    # Named things a directive cites without saying much of them (indices, rankings):
    # asked about, the reply says what the text says of the one asked.
    cited_terms: tuple[str, ...] = ()
    # Command name -> phrases asking the assistant to do what the command does.
    assistant_requests: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        document = read_yaml(path) or {}
        return cls(
            abbreviations={
                str(k): str(v) for k, v in (document.get("abbreviations") or {}).items()
            },
            phrases={str(k): str(v) for k, v in (document.get("phrases") or {}).items()},
            stopwords=frozenset(str(w) for w in document.get("stopwords") or ()),
            generic_words=frozenset(str(w) for w in document.get("generic_words") or ()),
            other_places=tuple(str(p) for p in document.get("other_places") or ()),
            uncovered_topics=tuple(str(t) for t in document.get("uncovered_topics") or ()),
            cited_terms=tuple(str(t) for t in document.get("cited_terms") or ()),
            assistant_requests={
                str(command): tuple(str(p) for p in phrases or ())
                for command, phrases in (document.get("assistant_requests") or {}).items()
            },
        )

    def normalizer(self) -> Normalizer:
        return Normalizer(self.abbreviations, self.phrases)

    def term_entries(self) -> list[tuple[str, str, str]]:
        """Gazetteer entries for the cited terms: placed before the pack's names, so
        that "PCI" is the index asked about even where a topic lists it as an alias."""
        return [("term", term, term) for term in self.cited_terms]

    def place_entries(self) -> list[tuple[str, str, str]]:
        """Gazetteer entries for places outside the directive's province, for
        subjects the directive does not cover and for requests to the assistant."""
        return (
            [("place", place, place) for place in self.other_places]
            + [("uncovered", topic, topic) for topic in self.uncovered_topics]
            + [
                ("request", command, phrase)
                for command, phrases in self.assistant_requests.items()
                for phrase in phrases
            ]
        )


class BuiltinNlu:
    """Normalization, spelling, a softmax intent classifier and a gazetteer, in process.

    Made by `fit` from training examples, or by `from_state` from what a fitted one
    saved (the model cache, nlu/cache.py).
    """

    backend = "builtin"

    def __init__(
        self,
        normalizer: Normalizer,
        stopwords: frozenset[str],
        speller: SpellCorrector,
        known_words: frozenset[str],
        gazetteer: Gazetteer,
        vectorizer: TfidfVectorizer,
        classifier: SoftmaxClassifier,
    ) -> None:
        self.normalizer = normalizer
        self.stopwords = stopwords
        self.speller = speller
        self.known_words = known_words
        self.gazetteer = gazetteer
        self.vectorizer = vectorizer
        self.classifier = classifier

    @classmethod
    def fit(
        cls,
        training: TrainingData,
        lexicon: Lexicon,
        names: Iterable[tuple[str, str, str]] = (),
        vocabulary: Iterable[str] = (),
    ) -> BuiltinNlu:
        """`names` are the gazetteer entries as (entity type, canonical value, surface
        text); `vocabulary` is any domain text (the directive, FAQ) whose words count as
        known."""
        normalizer = lexicon.normalizer()
        corpus = [normalizer.tokens(e.text) for e in training.examples]
        names = list(names)
        name_tokens = [normalizer.tokens(surface) for _, _, surface in names]
        domain_words = [w for text in vocabulary for w in normalizer.tokens(text)]
        speller = SpellCorrector(
            [w for tokens in corpus + name_tokens for w in tokens] + domain_words
        )
        # Words seen only in out-of-scope examples do not make a message in scope.
        in_scope = [
            w
            for tokens, e in zip(corpus, training.examples, strict=True)
            if e.intent != "out_of_scope"
            for w in tokens
        ]
        gazetteer = Gazetteer(
            (entity, value, tokens)
            for (entity, value, _), tokens in zip(names, name_tokens, strict=True)
        )
        vectorizer = TfidfVectorizer(char_sizes=(2, 5), max_word_n=2).fit(corpus)
        classifier = SoftmaxClassifier().fit(
            vectorizer.transform(corpus), [e.intent for e in training.examples]
        )
        return cls(
            normalizer,
            lexicon.stopwords,
            speller,
            frozenset(in_scope + domain_words + [w for t in name_tokens for w in t]),
            gazetteer,
            vectorizer,
            classifier,
        )

    def state(self) -> State:
        state = State(
            {
                "abbreviations": dict(self.normalizer.abbreviations),
                "phrases": dict(self.normalizer.phrases),
                "stopwords": sorted(self.stopwords),
                "spelling": dict(self.speller.frequency),
                "known_words": sorted(self.known_words),
                "names": self.gazetteer.entries(),
            }
        )
        return state.put("vectorizer", self.vectorizer.state()).put(
            "classifier", self.classifier.state()
        )

    @classmethod
    def from_state(cls, state: State) -> BuiltinNlu:
        meta = state.meta
        return cls(
            Normalizer(meta["abbreviations"], meta["phrases"]),
            frozenset(meta["stopwords"]),
            SpellCorrector.from_frequency(meta["spelling"]),
            frozenset(meta["known_words"]),
            Gazetteer((entity, value, tokens) for entity, value, tokens in meta["names"]),
            TfidfVectorizer.from_state(state.part("vectorizer")),
            SoftmaxClassifier.from_state(state.part("classifier")),
        )

    def tokens(self, text: str) -> list[str]:
        return self.speller.correct_all(self.normalizer.tokens(text))

    def known_share(self, tokens: Sequence[str]) -> float:
        content = [t for t in tokens if t not in self.stopwords and not t.isdigit()]
        if not content:
            return 0.0
        return sum(t in self.known_words for t in content) / len(content)

    def parse(self, text: str) -> Parse:
        tokens = self.tokens(text)
        ranking = self.classifier.rank(self.vectorizer.row(tokens)) if tokens else []
        intent, confidence = ranking[0] if ranking else ("out_of_scope", 1.0)
        return Parse(
            text=text,
            tokens=tuple(tokens),
            intent=intent,
            confidence=confidence,
            ranking=tuple(ranking[:5]),
            entities=tuple(self.gazetteer.find(tokens) + find_values(tokens)),
            known_share=self.known_share(tokens),
            unknown_words=tuple(
                t
                for t in tokens
                if len(t) >= UNKNOWN_WORD_LENGTH and t.isalpha() and t not in self.known_words
            ),
        )
