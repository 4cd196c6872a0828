"""TF-IDF features over character and word n-grams of normalized text.

Character n-grams within word boundaries (like scikit-learn's `char_wb`) make the
features robust to typos and to the diacritics people leave out; word unigrams and
bigrams add the phrase-level signal ("phai lam", "bao gio"). Implemented on numpy
so that start-up stays well under a second (scikit-learn alone takes ~0.8 s and
~130 MB to import); the same matrix as scikit-learn's TfidfVectorizer with
`sublinear_tf=True` (tests/nlu/test_features.py holds it to that).

Answering a question needs numpy alone: one `SparseRow` per question, multiplied
by the classifier's weights or an index's `SparseRows` in the same order of
operations as scipy.sparse would (the same floats, bit for bit). scipy.sparse
(~0.15 s to import) is imported only to fit, when `transform` builds a matrix.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nlu.state import State

if TYPE_CHECKING:
    import scipy.sparse as sp

CharRange = tuple[int, int]


def char_wb_ngrams(tokens: Sequence[str], sizes: CharRange) -> Iterable[str]:
    low, high = sizes
    for token in tokens:
        padded = f" {token} "
        for n in range(low, high + 1):
            if n > len(padded):
                break
            for i in range(len(padded) - n + 1):
                yield padded[i : i + n]


def word_ngrams(tokens: Sequence[str], max_n: int) -> Iterable[str]:
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            yield "w:" + " ".join(tokens[i : i + n])


@dataclass
class TfidfVectorizer:
    """Fit on a corpus of token lists; transform token lists into L2-normalized rows."""

    char_sizes: CharRange = (2, 5)
    max_word_n: int = 2
    use_chars: bool = True

    def __post_init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.idf: np.ndarray = np.zeros(0, dtype=np.float32)

    def _features(self, tokens: Sequence[str]) -> Counter[str]:
        grams: Counter[str] = Counter(word_ngrams(tokens, self.max_word_n))
        if self.use_chars:
            grams.update(char_wb_ngrams(tokens, self.char_sizes))
        return grams

    def fit(self, corpus: Sequence[Sequence[str]]) -> TfidfVectorizer:
        document_frequency: Counter[str] = Counter()
        for tokens in corpus:
            document_frequency.update(self._features(tokens).keys())
        self.vocabulary = {gram: i for i, gram in enumerate(sorted(document_frequency))}
        n_documents = len(corpus)
        frequencies = np.array(
            [document_frequency[g] for g in sorted(document_frequency)], dtype=np.float64
        )
        # Smoothed idf, as in scikit-learn: log((1 + n) / (1 + df)) + 1.
        self.idf = (np.log((1 + n_documents) / (1 + frequencies)) + 1).astype(np.float32)
        return self

    def state(self) -> State:
        return State(
            {
                "char_sizes": list(self.char_sizes),
                "max_word_n": self.max_word_n,
                "use_chars": self.use_chars,
                "vocabulary": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
            },
            {"idf": self.idf},
        )

    @classmethod
    def from_state(cls, state: State) -> TfidfVectorizer:
        low, high = state.meta["char_sizes"]
        vectorizer = cls((low, high), state.meta["max_word_n"], state.meta["use_chars"])
        vectorizer.vocabulary = {gram: i for i, gram in enumerate(state.meta["vocabulary"])}
        vectorizer.idf = state.arrays["idf"]
        if len(vectorizer.idf) != len(vectorizer.vocabulary):
            raise ValueError("idf and vocabulary differ in length")
        return vectorizer

    def row(self, tokens: Sequence[str]) -> SparseRow:
        """The L2-normalized tf-idf row of one text; n-grams not in the vocabulary
        are left out. Weighted on small numpy arrays: for one short question
        scipy.sparse's per-operation overhead would dominate (~1 ms a call)."""
        row: dict[int, float] = {}
        for gram, count in self._features(tokens).items():
            column = self.vocabulary.get(gram)
            if column is not None:
                row[column] = 1.0 + math.log(count)  # sublinear tf
        columns = np.fromiter(row.keys(), dtype=np.int32, count=len(row))
        weights = np.fromiter(row.values(), dtype=np.float32, count=len(row)) * self.idf[columns]
        norm = float(np.sqrt(np.dot(weights, weights)))
        return SparseRow(columns, weights / norm if norm else weights)

    def transform(self, corpus: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """The rows of `corpus` as one sparse matrix (fitting, batch work)."""
        import scipy.sparse as sp  # on use: answering a question never needs it

        rows = [self.row(tokens) for tokens in corpus]
        return sp.csr_matrix(
            (
                np.concatenate([r.values for r in rows]) if rows else np.zeros(0, np.float32),
                np.concatenate([r.columns for r in rows]) if rows else np.zeros(0, np.int32),
                np.cumsum([0] + [len(r.columns) for r in rows], dtype=np.int32),
            ),
            shape=(len(corpus), len(self.vocabulary)),
        )


@dataclass(frozen=True)
class SparseRow:
    """One row of tf-idf values: its nonzero columns, in the order found, and values."""

    columns: np.ndarray  # int32
    values: np.ndarray  # float32

    def dot(self, matrix: np.ndarray) -> np.ndarray:
        """`row @ matrix` for a dense matrix, summed row after row in float32 as
        scipy's sparse-dense product does (numpy reduces axis 0 in order)."""
        terms: np.ndarray = self.values[:, None] * matrix[self.columns]
        total: np.ndarray = np.add.reduce(terms, axis=0)  # zeros for an empty row
        return total


@dataclass(frozen=True)
class SparseRows:
    """A sparse matrix in scipy's CSR layout (`indptr`, `indices`, `data`; `width`
    columns), multiplied by a `SparseRow` with numpy alone."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    width: int

    @classmethod
    def of(cls, matrix: sp.csr_matrix) -> SparseRows:
        return cls(matrix.indptr, matrix.indices, matrix.data, matrix.shape[1])

    def __post_init__(self) -> None:
        if not len(self.indices) == len(self.data) == self.indptr[-1]:
            raise ValueError("a sparse matrix's arrays differ in length")

    def product(self, row: SparseRow) -> np.ndarray:
        """`row @ self` as a dense float32 vector, accumulated in scipy's order:
        each of the row's columns in turn, then that column's entries in order."""
        starts = self.indptr[row.columns]
        lengths = self.indptr[row.columns + 1] - starts
        # The positions of every entry of the rows named by `row.columns`, in order.
        first = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = first + np.arange(int(lengths.sum()))
        scores = np.zeros(self.width, dtype=np.float32)
        np.add.at(
            scores, self.indices[positions], np.repeat(row.values, lengths) * self.data[positions]
        )
        return scores

    def state(self) -> State:
        return State(
            {"width": self.width},
            {"indptr": self.indptr, "indices": self.indices, "data": self.data},
        )

    @classmethod
    def from_state(cls, state: State) -> SparseRows:
        arrays = state.arrays
        return cls(arrays["indptr"], arrays["indices"], arrays["data"], state.meta["width"])
