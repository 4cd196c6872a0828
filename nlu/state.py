"""A fitted model's content as JSON-able metadata plus named numpy arrays.

The model cache (nlu/cache.py) writes a State as one .npz of plain arrays, the JSON
among them, and reads it back without pickle, so that a cache file can hold data only,
never code. Each fitted part (vectorizer, classifier, index, ...) has `state()` and
`from_state()`; a part made of parts nests theirs under a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Separates a nested part's name from its arrays' names ("words.idf"); npz member
# names are file names, so no "/".
SEPARATOR = "."


@dataclass
class State:
    meta: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def put(self, name: str, part: State) -> State:
        """Nest `part` under `name`; returns self."""
        self.meta[name] = part.meta
        for key, array in part.arrays.items():
            self.arrays[f"{name}{SEPARATOR}{key}"] = array
        return self

    def part(self, name: str) -> State:
        prefix = name + SEPARATOR
        return State(
            self.meta[name],
            {k.removeprefix(prefix): a for k, a in self.arrays.items() if k.startswith(prefix)},
        )
