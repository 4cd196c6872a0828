"""The model cache: a model is fitted once per distinct input and code, loaded after
that; changed inputs, a damaged file, an unwritable folder and several processes
writing at once all still give the model that fitting gives."""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.application.knowledge.pack import load_knowledge
from bot.config import PROJECT_ROOT
from bot.domain.catalog import Catalog
from bot.domain.knowledge import KnowledgeBase
from nlu.cache import KEEP, META, MODULES, ModelCache, fingerprint
from nlu.engine import BuiltinNlu, Lexicon
from nlu.normalize import Normalizer
from nlu.retrieval import TfidfIndex
from nlu.state import State
from nlu.training_data import Example, TrainingData, load_training_data

DATA = PROJECT_ROOT / "data"
QUESTIONS = [e.text for e in load_training_data(DATA / "nlu" / "test.yml").examples[::3]] + [
    "",
    "xin chào",
    "Sở TT&TT phải làm gì?",
    "sowr nooij vuj",
    "blockchain zoom",
]
DOCUMENTS = [
    ("a", "Sở Nội vụ đưa chữ ký số vào tiêu chí cải cách hành chính"),
    ("b", "Sở Tài chính bố trí kinh phí cho ứng dụng công nghệ thông tin"),
    ("c", "Văn phòng UBND tỉnh gửi văn bản điện tử"),
]


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge(DATA)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(DATA / "nlu" / "lexicon.yaml")


@pytest.fixture(scope="module")
def training() -> TrainingData:
    """A third of the training examples: enough for every intent, quick to fit."""
    examples = load_training_data(DATA / "nlu" / "nlu.yml").examples
    return TrainingData(examples=examples[::3])


class Counting:
    """Counts the calls of a fitting function (and can forbid them)."""

    def __init__(self, fit: Callable[..., Any], allowed: bool = True) -> None:
        self.fit, self.calls, self.allowed = fit, 0, allowed

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        assert self.allowed, "fitted although the cache holds the model"
        self.calls += 1
        return self.fit(*args, **kwargs)


@pytest.fixture
def nlu_fits(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counting]:
    counting = Counting(BuiltinNlu.fit)
    monkeypatch.setattr(BuiltinNlu, "fit", counting)
    yield counting


@pytest.fixture
def index_fits(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counting]:
    counting = Counting(TfidfIndex.fit)
    monkeypatch.setattr(TfidfIndex, "fit", counting)
    yield counting


def nlu_of(
    cache: ModelCache, training: TrainingData, lexicon: Lexicon, knowledge: KnowledgeBase
) -> BuiltinNlu:
    catalog = Catalog(knowledge, lexicon.normalizer(), lexicon.stopwords, cache.index)
    names = catalog.name_entries() + lexicon.place_entries()
    return cache.builtin_nlu(training, lexicon, names, catalog.vocabulary())


def files(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}-*.npz"))


def small_index(cache: ModelCache, name: str = "small") -> TfidfIndex[str]:
    return cache.index(name, DOCUMENTS, Normalizer(), frozenset({"so"}))


# Used when valid.


def test_the_nlu_is_fitted_once_then_loaded_and_parses_alike(
    tmp_path: Path,
    training: TrainingData,
    lexicon: Lexicon,
    knowledge: KnowledgeBase,
    nlu_fits: Counting,
) -> None:
    fitted = nlu_of(ModelCache(tmp_path), training, lexicon, knowledge)
    assert nlu_fits.calls == 1 and len(files(tmp_path, "nlu")) == 1

    nlu_fits.allowed = False
    loaded = nlu_of(ModelCache(tmp_path), training, lexicon, knowledge)
    assert loaded is not fitted
    assert [loaded.parse(q) for q in QUESTIONS] == [fitted.parse(q) for q in QUESTIONS]


def test_the_catalog_s_indexes_are_built_once_then_loaded_and_rank_alike(
    tmp_path: Path, lexicon: Lexicon, knowledge: KnowledgeBase, index_fits: Counting
) -> None:
    def catalog() -> Catalog:
        cache = ModelCache(tmp_path)
        return Catalog(knowledge, lexicon.normalizer(), lexicon.stopwords, cache.index)

    built = catalog()
    assert index_fits.calls == 4
    names = {p.name.rsplit("-", 1)[0] for p in tmp_path.glob("*.npz")}
    assert names == {"index-duties", "index-passages", "index-figures", "index-faq"}

    index_fits.allowed = False
    loaded = catalog()
    for name in ("duty_index", "passage_index", "figure_index", "faq_index"):
        for question in QUESTIONS:
            tokens = lexicon.normalizer().tokens(question)
            expected = getattr(built, name)
            assert getattr(loaded, name).search(tokens, 10) == expected.search(tokens, 10)
            assert np.array_equal(getattr(loaded, name).scores(tokens), expected.scores(tokens))


# Rebuilt when what it is fitted from changes.


def test_changed_training_data_lexicon_or_code_fit_a_new_nlu(
    tmp_path: Path,
    training: TrainingData,
    lexicon: Lexicon,
    knowledge: KnowledgeBase,
    nlu_fits: Counting,
) -> None:
    nlu_of(ModelCache(tmp_path), training, lexicon, knowledge)
    more = TrainingData(examples=[*training.examples, Example("cà phê ở đâu", "ask_coffee")])
    changed = nlu_of(ModelCache(tmp_path), more, lexicon, knowledge)
    assert nlu_fits.calls == 2
    assert "ask_coffee" in changed.classifier.labels

    abbreviations = {**lexicon.abbreviations, "cf": "ca phe"}
    other_lexicon = dataclasses.replace(lexicon, abbreviations=abbreviations)
    assert nlu_of(ModelCache(tmp_path), training, other_lexicon, knowledge).tokens("cf") == [
        "ca",
        "phe",
    ]
    assert nlu_fits.calls == 3

    nlu_of(ModelCache(tmp_path, code="changed features"), training, lexicon, knowledge)
    assert nlu_fits.calls == 4
    assert len(files(tmp_path, "nlu")) == 4


def test_an_faq_edit_builds_new_faq_models_and_never_serves_the_old_ones(
    tmp_path: Path,
    training: TrainingData,
    lexicon: Lexicon,
    knowledge: KnowledgeBase,
    index_fits: Counting,
    nlu_fits: Counting,
) -> None:
    """What an admin's FAQ edit does (bot/application/reload.py rebuilds the Q&A from
    the edited knowledge): the FAQ index and the NLU (whose known words include the
    FAQ's) are fitted anew, the indexes of the unchanged pack are loaded."""
    cache = ModelCache(tmp_path)
    normalizer = lexicon.normalizer()
    Catalog(knowledge, normalizer, lexicon.stopwords, cache.index)
    assert "suoi" not in nlu_of(cache, training, lexicon, knowledge).known_words
    assert (index_fits.calls, nlu_fits.calls) == (4, 1)

    first = knowledge.faq[0]
    edited = dataclasses.replace(first, question="Khi nào có lò sưởi ở bộ phận một cửa?")
    knowledge2 = dataclasses.replace(knowledge, faq=(edited, *knowledge.faq[1:]))
    catalog = Catalog(knowledge2, normalizer, lexicon.stopwords, ModelCache(tmp_path).index)
    nlu = nlu_of(ModelCache(tmp_path), training, lexicon, knowledge2)
    assert (index_fits.calls, nlu_fits.calls) == (5, 2)
    assert len(files(tmp_path, "index-faq")) == 2
    assert catalog.faq_index.search(normalizer.tokens("lò sưởi"))[0].key == first.id
    assert "suoi" in nlu.known_words


def test_a_changed_duty_rebuilds_the_duty_index(
    tmp_path: Path, lexicon: Lexicon, knowledge: KnowledgeBase, index_fits: Counting
) -> None:
    normalizer = lexicon.normalizer()
    Catalog(knowledge, normalizer, lexicon.stopwords, ModelCache(tmp_path).index)
    directive = knowledge.directives[0]
    duty = dataclasses.replace(directive.duties[0], title="Lắp lò sưởi cho bộ phận một cửa")
    changed = dataclasses.replace(directive, duties=(duty, *directive.duties[1:]))
    knowledge2 = dataclasses.replace(knowledge, directives=(changed, *knowledge.directives[1:]))
    catalog = Catalog(knowledge2, normalizer, lexicon.stopwords, ModelCache(tmp_path).index)
    assert index_fits.calls == 5
    assert catalog.duty_index.search(normalizer.tokens("lò sưởi"))[0].key == duty.key


def test_the_fingerprint_covers_every_module_that_fits_a_model() -> None:
    """An nlu module that the engine or the indexes import must be in MODULES (whose
    code the fingerprint hashes), or a change to it would leave stale models in use.
    The modules that read the inputs are left out: the inputs themselves are hashed."""
    script = (
        "import sys, nlu.engine, nlu.retrieval; "
        "print(' '.join(m for m in sys.modules if m.startswith('nlu.')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    imported = set(found.stdout.split()) - {"nlu.training_data", "nlu.yaml_io"}
    assert imported and imported <= {m.__name__ for m in MODULES}
    assert fingerprint("x", [1], "code a") != fingerprint("x", [1], "code b")


# Damaged files, unwritable folders, pruning.


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"not a zip file"), id="garbage"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:300]), id="truncated"),
        pytest.param(lambda path: path.write_bytes(b""), id="empty"),
        pytest.param(lambda path: _rewrite(path, drop="words.idf"), id="array-missing"),
        pytest.param(lambda path: _rewrite(path, fingerprint="another"), id="other-inputs"),
        pytest.param(lambda path: _rewrite(path, pickled=True), id="pickled-object"),
    ],
)
def test_a_damaged_file_is_ignored_and_rebuilt(
    tmp_path: Path,
    damage: Callable[[Path], None],
    index_fits: Counting,
    caplog: pytest.LogCaptureFixture,
) -> None:
    expected = small_index(ModelCache(tmp_path))
    (path,) = files(tmp_path, "index-small")
    damage(path)
    with caplog.at_level(logging.WARNING, logger="nlu.cache"):
        rebuilt = small_index(ModelCache(tmp_path))
    assert index_fits.calls == 2
    assert "ignoring the cached model" in caplog.text
    assert rebuilt.search(["noi", "vu"]) == expected.search(["noi", "vu"])

    index_fits.allowed = False  # written anew, whole
    assert small_index(ModelCache(tmp_path)).search(["kinh", "phi"]) == expected.search(
        ["kinh", "phi"]
    )


def _rewrite(
    path: Path, drop: str = "", fingerprint: str | None = None, pickled: bool = False
) -> None:
    with np.load(path, allow_pickle=False) as npz:
        members = {name: npz[name] for name in npz.files if name != drop}
    if fingerprint is not None:
        meta = json.loads(members[META].tobytes().decode())
        meta["fingerprint"] = fingerprint
        members[META] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    if pickled:
        members["words.idf"] = np.array([{"not": "numbers"}], dtype=object)
    with path.open("wb") as file:
        np.savez(file, **members)


def test_an_unwritable_folder_still_gives_the_model(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    with caplog.at_level(logging.WARNING, logger="nlu.cache"):
        index = small_index(ModelCache(blocked / "cache"))
    assert index.search(["kinh", "phi"])[0].key == "b"
    assert "could not save the model" in caplog.text


def test_only_the_most_recently_used_versions_of_a_model_are_kept(tmp_path: Path) -> None:
    fits: list[int] = []

    def counter(n: int) -> int:
        def fit() -> int:
            fits.append(n)
            return n

        return ModelCache(tmp_path).load_or_fit(
            "counter", n, fit, lambda m: State({"n": m}), lambda s: int(s.meta["n"])
        )

    for version in range(KEEP + 2):
        assert counter(version) == version
        time.sleep(0.01)  # distinct modification times
    assert len(files(tmp_path, "counter")) == KEEP
    assert counter(KEEP + 1) == KEEP + 1  # the newest is kept: loaded, not fitted
    assert counter(0) == 0  # the oldest was deleted: fitted again
    assert fits == [*range(KEEP + 2), 0]


# Several processes.

WRITERS = 3
ROUNDS = 12


def test_processes_writing_at_once_never_leave_a_partial_file(tmp_path: Path) -> None:
    """Writers fill the cache with the same models at the same moments (a new model
    each round, so that every writer misses and writes it); a reader opens every
    file it sees meanwhile: each must be whole."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS)
    done = context.Event()
    reader = context.Process(target=read_while_written, args=(tmp_path, done))
    writers = [context.Process(target=write_rounds, args=(tmp_path, start)) for _ in range(WRITERS)]
    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    done.set()
    reader.join(120)
    assert [w.exitcode for w in writers] == [0] * WRITERS
    assert reader.exitcode == 0, "a reader saw a partial or corrupt file"
    assert not list(tmp_path.glob(".*.tmp"))
    for path in tmp_path.glob("*.npz"):
        _check_whole(path)


def write_rounds(folder: Path, start: Any) -> None:
    for round_ in range(ROUNDS):
        start.wait(60)
        documents = [(key, f"{text} vòng {round_}") for key, text in DOCUMENTS]
        index = ModelCache(folder).index(f"round{round_ % 2}", documents, Normalizer())
        assert index.search(["vong", str(round_)])


def read_while_written(folder: Path, done: Any) -> None:
    seen = 0
    while not done.is_set() or seen == 0:
        for path in folder.glob("*.npz"):
            try:
                _check_whole(path)
            except FileNotFoundError:
                continue  # pruned meanwhile
            seen += 1
    assert seen


def _check_whole(path: Path) -> None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            members = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise AssertionError(f"{path.name}: {error!r}") from error
    meta = json.loads(members[META].tobytes().decode())
    assert path.name.endswith(f"-{meta['fingerprint']}.npz")


def test_a_bot_ask_with_a_warm_cache_fits_nothing_and_never_imports_scipy(
    tmp_path: Path,
) -> None:
    """What makes a cold answer fast: the second `bot ask` loads every model (scipy,
    ~0.15 s to import, is only needed to fit)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    script = (
        "import sys; from bot.cli import main; main(['ask', 'Sở Nội vụ phải làm gì?']); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'matplotlib'}))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        for _ in range(2)
    ]
    assert runs[0][-1] == "['scipy']"  # the first fits
    assert runs[1][-1] == "[]"
    assert runs[1][:-1] == runs[0][:-1]  # the same answer
    written = sorted(p.name.rsplit("-", 1)[0] for p in (tmp_path / "cache").glob("*.npz"))
    assert written == [
        "index-duties",
        "index-faq",
        "index-figures",
        "index-passages",
        "index-suggestions",
        "nlu",
    ]
