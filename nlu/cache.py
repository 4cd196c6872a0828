"""Fitted models on disk, keyed by a hash of everything they were fitted from.

Fitting the NLU and the retrieval indexes takes most of a cold start (~1 s on two
busy cores); loading what an earlier process fitted takes a few milliseconds. Each
model is one file, `<name>-<fingerprint>.npz`, where the fingerprint hashes:

- the inputs, as given: the training examples, the lexicon, the names and domain
  texts; for an index, its documents' raw texts, so an admin's FAQ edit (which makes
  new texts) can never meet a stale index;
- the source code of the modules that turn those inputs into a model (nlu/*.py, this
  one included): a change to the features, the classifier or the file layout makes
  new files, with no version number to remember to bump.

Files are plain arrays and one JSON document in an .npz, read with
`allow_pickle=False`: a cache file holds data, never code. Each is written to a
temporary file in the same folder and renamed over its final name, so a reader sees a
whole file or none, and several processes filling the cache at once each write a
whole, identical file. A file that cannot be read (truncated, corrupt, from another
layout) is ignored, rebuilt and written again; a folder that cannot be written is
logged and the model is used all the same. Only the newest few files of each name
are kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

from nlu import classifier, engine, entities, features, normalize, retrieval, spelling, state
from nlu.engine import BuiltinNlu, Lexicon
from nlu.normalize import Normalizer
from nlu.retrieval import Key, TfidfIndex, build_index
from nlu.state import State
from nlu.training_data import TrainingData

log = logging.getLogger(__name__)

# Versions of one model kept side by side (several knowledge bases sharing a folder,
# an admin's edits); older ones are deleted when a new one is written.
KEEP = 4
# A temporary file this old was left by a writer that died.
STALE_SECONDS = 3600.0
# The member of the .npz that holds the JSON (the other members are arrays).
META = "meta.json"
# The modules whose code turns inputs into a fitted model: a change to any of them,
# or to this module (the file layout), changes every fingerprint.
MODULES = (classifier, engine, entities, features, normalize, retrieval, spelling, state)

Model = TypeVar("Model")


def _code_digest() -> str:
    digest = hashlib.sha256()
    for source in (*(Path(str(m.__file__)) for m in MODULES), Path(__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _encode(value: Any) -> Any:
    """What JSON cannot hold as is: dataclasses as dicts, sets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def fingerprint(name: str, inputs: Any, code: str) -> str:
    """A hash of `inputs` (JSON's types, dataclasses, sets), `name` and `code`."""
    text = json.dumps(
        [name, code, inputs],
        default=_encode,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


class ModelCache:
    """`folder` holds the files; `code` identifies the code that fits the models (by
    default a hash of the sources of MODULES and of this module)."""

    def __init__(self, folder: Path, code: str | None = None) -> None:
        self.folder = folder
        self._code = code

    @property
    def code(self) -> str:
        if self._code is None:
            self._code = _code_digest()
        return self._code

    # The models.

    def builtin_nlu(
        self,
        training: TrainingData,
        lexicon: Lexicon,
        names: Iterable[tuple[str, str, str]] = (),
        vocabulary: Iterable[str] = (),
    ) -> BuiltinNlu:
        """`BuiltinNlu.fit(...)`, or the one fitted before from the same inputs."""
        names, vocabulary = list(names), list(vocabulary)
        return self.load_or_fit(
            "nlu",
            {"training": training, "lexicon": lexicon, "names": names, "vocabulary": vocabulary},
            lambda: BuiltinNlu.fit(training, lexicon, names, vocabulary),
            BuiltinNlu.state,
            BuiltinNlu.from_state,
        )

    def index(
        self,
        name: str,
        documents: Sequence[tuple[Key, str]],
        normalizer: Normalizer,
        stopwords: frozenset[str] = frozenset(),
    ) -> TfidfIndex[Key]:
        """`build_index(...)` (an `IndexBuilder`), or the index built before from the
        same texts."""
        inputs = {
            "documents": documents,
            "abbreviations": normalizer.abbreviations,
            "phrases": normalizer.phrases,
            "stopwords": stopwords,
        }
        index = self.load_or_fit(
            f"index-{name}",
            inputs,
            lambda: build_index(name, documents, normalizer, stopwords),
            TfidfIndex.state,
            TfidfIndex.from_state,
        )
        return cast(TfidfIndex[Key], index)

    def load_or_fit(
        self,
        name: str,
        inputs: Any,
        fit: Callable[[], Model],
        save: Callable[[Model], State],
        load: Callable[[State], Model],
    ) -> Model:
        """The model `fit()` makes from `inputs`, loaded if a file of it exists."""
        digest = fingerprint(name, inputs, self.code)
        path = self.folder / f"{name}-{digest}.npz"
        if path.is_file():
            try:
                model = load(self._read(path, digest))
            except Exception as error:  # whatever a damaged file does, fitting anew is safe
                log.warning("ignoring the cached model %s: %r", path, error)
            else:
                _touch(path)
                return model
        model = fit()
        self._write(path, digest, save(model))
        self._prune(name)
        return model

    # The files.

    @staticmethod
    def _read(path: Path, digest: str) -> State:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {member: npz[member] for member in npz.files}
        meta = json.loads(arrays.pop(META).tobytes().decode())
        if meta.get("fingerprint") != digest:
            raise ValueError(f"the file holds {meta.get('fingerprint')!r}")
        return State(meta["model"], arrays)

    def _write(self, path: Path, digest: str, model: State) -> None:
        meta = json.dumps({"fingerprint": digest, "model": model.meta}, ensure_ascii=False)
        # Any: numpy's stubs type savez's keyword arguments as its own `allow_pickle`.
        members: dict[str, Any] = {
            **model.arrays,
            META: np.frombuffer(meta.encode(), dtype=np.uint8),
        }
        temporary: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
            with os.fdopen(handle, "wb") as file:
                np.savez(file, **members)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
            temporary = None
        except OSError as error:
            log.warning("could not save the model %s: %s", path, error)
        finally:
            if temporary is not None:
                _remove(Path(temporary))

    def _prune(self, name: str) -> None:
        """Keep the KEEP most recently used files of `name`; drop dead temporary files."""

        def age(path: Path) -> float:
            try:
                return path.stat().st_mtime
            except OSError:
                return 0.0

        versions = sorted(self.folder.glob(f"{name}-*.npz"), key=age, reverse=True)
        for path in versions[KEEP:]:
            _remove(path)
        for path in self.folder.glob(".*.tmp"):
            if time.time() - age(path) > STALE_SECONDS:
                _remove(path)


def _touch(path: Path) -> None:
    """Mark a file as used (pruning keeps the most recently used)."""
    with contextlib.suppress(OSError):  # a read-only cache still serves
        os.utime(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # another process removed it first
        path.unlink()
