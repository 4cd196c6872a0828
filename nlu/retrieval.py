"""Cosine retrieval over short documents (directive passages, figures, FAQ).

Documents and queries are token lists from the Normalizer. Each document is scored
twice, on word n-grams (precise) and on character n-grams (typo-tolerant), and the
two cosines are averaged, so a query must share real words with a passage to rank
it high while a misspelled word still counts for something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from nlu.features import TfidfVectorizer

Key = TypeVar("Key")


@dataclass(frozen=True)
class Hit(Generic[Key]):
    key: Key
    score: float
    position: int  # the document's index, for coverage()


class TfidfIndex(Generic[Key]):
    def __init__(
        self,
        documents: Sequence[tuple[Key, Sequence[str]]],
        stopwords: frozenset[str] = frozenset(),
    ) -> None:
        self.keys = [key for key, _ in documents]
        self.stopwords = stopwords
        corpus = [self._content(tokens) for _, tokens in documents]
        self._vocabularies = [frozenset(tokens) for tokens in corpus]
        self._words = TfidfVectorizer(max_word_n=2, use_chars=False).fit(corpus)
        self._chars = TfidfVectorizer(char_sizes=(3, 5), max_word_n=0).fit(corpus)
        self._word_matrix = self._words.transform(corpus).T.tocsc()
        self._char_matrix = self._chars.transform(corpus).T.tocsc()

    def _content(self, tokens: Sequence[str]) -> list[str]:
        return [t for t in tokens if t not in self.stopwords]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        content = [self._content(query)]
        if not content[0]:
            return np.zeros(len(self.keys), dtype=np.float32)
        word_scores = (self._words.transform(content) @ self._word_matrix).toarray()
        char_scores = (self._chars.transform(content) @ self._char_matrix).toarray()
        combined: np.ndarray = (word_scores + char_scores)[0] / 2
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
