"""Cosine retrieval over short documents (directive passages, figures, FAQ).

Documents and queries are token lists from the Normalizer. Each document is scored
twice, on word n-grams (precise) and on character n-grams (typo-tolerant), and the
two cosines are averaged, so a query must share real words with a passage to rank
it high while a misspelled word still counts for something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from nlu.features import SparseRows, TfidfVectorizer
from nlu.normalize import Normalizer
from nlu.state import State

Key = TypeVar("Key")


@dataclass(frozen=True)
class Hit(Generic[Key]):
    key: Key
    score: float
    position: int  # the document's index, for coverage()


class TfidfIndex(Generic[Key]):
    """Documents' tf-idf columns on words and on characters; made by `fit`, or by
    `from_state` from what a fitted one saved."""

    def __init__(
        self,
        keys: list[Key],
        stopwords: frozenset[str],
        vocabularies: list[frozenset[str]],
        vectorizers: tuple[TfidfVectorizer, TfidfVectorizer],
        matrices: tuple[SparseRows, SparseRows],
    ) -> None:
        """`matrices`: the documents' word and character columns, a row per n-gram."""
        if not len(keys) == len(vocabularies) == matrices[0].width == matrices[1].width:
            raise ValueError("an index's keys and matrices differ in size")
        self.keys = keys
        self.stopwords = stopwords
        self._vocabularies = vocabularies
        self._words, self._chars = vectorizers
        self._word_matrix, self._char_matrix = matrices

    @classmethod
    def fit(
        cls,
        documents: Sequence[tuple[Key, Sequence[str]]],
        stopwords: frozenset[str] = frozenset(),
    ) -> TfidfIndex[Key]:
        corpus = [[t for t in tokens if t not in stopwords] for _, tokens in documents]
        words = TfidfVectorizer(max_word_n=2, use_chars=False).fit(corpus)
        chars = TfidfVectorizer(char_sizes=(3, 5), max_word_n=0).fit(corpus)
        return cls(
            [key for key, _ in documents],
            stopwords,
            [frozenset(tokens) for tokens in corpus],
            (words, chars),
            (
                SparseRows.of(words.transform(corpus).T.tocsr()),
                SparseRows.of(chars.transform(corpus).T.tocsr()),
            ),
        )

    def state(self) -> State:
        state = State(
            {
                "keys": self.keys,
                "stopwords": sorted(self.stopwords),
                "vocabularies": [sorted(words) for words in self._vocabularies],
            }
        )
        state.put("words", self._words.state()).put("chars", self._chars.state())
        state.put("word_matrix", self._word_matrix.state())
        return state.put("char_matrix", self._char_matrix.state())

    @classmethod
    def from_state(cls, state: State) -> TfidfIndex[Any]:
        return cls(
            list(state.meta["keys"]),
            frozenset(state.meta["stopwords"]),
            [frozenset(words) for words in state.meta["vocabularies"]],
            (
                TfidfVectorizer.from_state(state.part("words")),
                TfidfVectorizer.from_state(state.part("chars")),
            ),
            (
                SparseRows.from_state(state.part("word_matrix")),
                SparseRows.from_state(state.part("char_matrix")),
            ),
        )

    def _content(self, tokens: Sequence[str]) -> list[str]:
        return [t for t in tokens if t not in self.stopwords]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        content = self._content(query)
        if not content:
            return np.zeros(len(self.keys), dtype=np.float32)
        word_scores = self._word_matrix.product(self._words.row(content))
        char_scores = self._char_matrix.product(self._chars.row(content))
        combined: np.ndarray = (word_scores + char_scores) / 2
        return combined

    def coverage(self, query: Sequence[str], position: int, ignore: frozenset[str]) -> float:
        """Share of the query's content words (minus `ignore`) found in one document."""
        words = [t for t in self._content(query) if t not in ignore]
        if not words:
            return 1.0
        vocabulary = self._vocabularies[position]
        return sum(t in vocabulary for t in words) / len(words)

    def document_coverage(
        self, query: Sequence[str], position: int, ignore: frozenset[str]
    ) -> float:
        """Share of one document's content words (minus `ignore`) found in the query."""
        words = [t for t in self._vocabularies[position] if t not in ignore]
        if not words:
            return 1.0
        asked = set(query)
        return sum(t in asked for t in words) / len(words)

    def search(self, query: Sequence[str], limit: int = 5) -> list[Hit[Key]]:
        scores = self.scores(query)
        order = np.argsort(-scores)[:limit]
        return [Hit(self.keys[i], float(scores[i]), int(i)) for i in order if scores[i] > 0]


def build_index(
    name: str,
    documents: Sequence[tuple[Key, str]],
    normalizer: Normalizer,
    stopwords: frozenset[str] = frozenset(),
) -> TfidfIndex[Key]:
    """An index over texts, each normalized into tokens; `name` is for the cache."""
    return TfidfIndex.fit([(key, normalizer.tokens(text)) for key, text in documents], stopwords)


class IndexBuilder(Protocol):
    """`build_index`, or the model cache's version of it (nlu/cache.py), which loads
    an index built before from the same texts."""

    def __call__(
        self,
        name: str,
        documents: Sequence[tuple[Key, str]],
        normalizer: Normalizer,
        stopwords: frozenset[str] = frozenset(),
    ) -> TfidfIndex[Key]: ...
