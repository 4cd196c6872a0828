"""nlu/features.py against scikit-learn (a dev dependency): the hand-written TF-IDF
starts ~0.8 s faster than importing scikit-learn; these tests hold it to giving the
same matrix as scikit-learn's TfidfVectorizer, with the same n-grams (its `char_wb`
analyzer, and its word analyzer on our tokens), smoothed idf, sublinear tf and L2
rows, on the real training data and on held-out questions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from bot.config import PROJECT_ROOT
from nlu.engine import Lexicon
from nlu.features import SparseRow, SparseRows, TfidfVectorizer
from nlu.training_data import load_training_data

DATA = PROJECT_ROOT / "data" / "nlu"
# Our float32 against scikit-learn's float64: rows differ by at most ~3e-8 and the idf
# (values up to ~8) by ~2e-7 (measured).
TOLERANCE = 1e-6


def sklearn_text() -> Any:
    try:
        from sklearn.feature_extraction import text
    except ImportError:
        pytest.fail(
            "scikit-learn is a dev dependency (pyproject.toml): "
            "reinstall with .venv/bin/pip install -e '.[dev]'"
        )
    return text


@pytest.fixture(scope="module")
def corpora() -> tuple[list[list[str]], list[list[str]]]:
    """Token lists of the training examples and of the held-out questions."""
    normalizer = Lexicon.load(DATA / "lexicon.yaml").normalizer()

    def tokens(file: str) -> list[list[str]]:
        return [normalizer.tokens(e.text) for e in load_training_data(DATA / file).examples]

    return tokens("nlu.yml"), tokens("test.yml")


def sklearn_analyzer(ours: TfidfVectorizer) -> Callable[[str], list[str]]:
    """scikit-learn's own analyzers for the n-grams `ours` uses, on space-joined tokens
    (word n-grams prefixed "w:" as ours are; tokens hold no spaces)."""
    text = sklearn_text()
    words = text.TfidfVectorizer(
        analyzer="word", ngram_range=(1, ours.max_word_n), token_pattern=r"\S+"
    ).build_analyzer()
    chars = text.TfidfVectorizer(analyzer="char_wb", ngram_range=ours.char_sizes).build_analyzer()

    def analyze(document: str) -> list[str]:
        grams = ["w:" + g for g in words(document)] if ours.max_word_n else []
        return grams + (chars(document) if ours.use_chars else [])

    return analyze


@pytest.mark.parametrize(
    "ours",
    [
        pytest.param(TfidfVectorizer(char_sizes=(2, 5), max_word_n=2), id="intents"),
        pytest.param(TfidfVectorizer(max_word_n=2, use_chars=False), id="index-words"),
        pytest.param(TfidfVectorizer(char_sizes=(3, 5), max_word_n=0), id="index-chars"),
    ],
)
def test_the_same_matrix_as_scikit_learn(
    ours: TfidfVectorizer, corpora: tuple[list[list[str]], list[list[str]]]
) -> None:
    train, held_out = corpora
    theirs = sklearn_text().TfidfVectorizer(
        analyzer=sklearn_analyzer(ours), sublinear_tf=True, smooth_idf=True, norm="l2"
    )
    theirs.fit([" ".join(tokens) for tokens in train])
    ours.fit(train)
    assert ours.vocabulary == theirs.vocabulary_
    assert np.abs(ours.idf - theirs.idf_).max() < TOLERANCE
    for corpus in (train, held_out):
        expected = theirs.transform([" ".join(tokens) for tokens in corpus]).toarray()
        assert np.abs(ours.transform(corpus).toarray() - expected).max() < TOLERANCE


def test_one_row_products_are_scipy_s_bit_for_bit(
    corpora: tuple[list[list[str]], list[list[str]]],
) -> None:
    """Answering multiplies one SparseRow with numpy alone; it must give exactly
    scipy.sparse's floats, so that answers do not change with the path taken."""
    train, held_out = corpora
    vectorizer = TfidfVectorizer(char_sizes=(2, 5), max_word_n=2).fit(train[::4])
    documents = vectorizer.transform(train[::4]).T.tocsr()
    weights = np.random.default_rng(6).standard_normal((len(vectorizer.vocabulary), 15))
    weights = weights.astype(np.float32)
    rows = SparseRows.of(documents)
    queries: Sequence[list[str]] = [*held_out, [], ["zzzz"]]
    for tokens in queries:
        row: SparseRow = vectorizer.row(tokens)
        matrix = vectorizer.transform([tokens])
        assert np.array_equal(row.dot(weights), (matrix @ weights)[0])
        assert np.array_equal(rows.product(row), (matrix @ documents.tocsc()).toarray()[0])
