"""Correct typos against the domain vocabulary (symmetric delete, as in SymSpell).

Only tokens the domain does not know are touched, and only towards a known word at
edit distance 1 (2 for long words), preferring the most frequent candidate. Words
the directive never uses stay unknown, which is what the out-of-scope check needs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import combinations


def deletes(word: str, distance: int) -> set[str]:
    results = {word}
    for d in range(1, distance + 1):
        for positions in combinations(range(len(word)), d):
            results.add("".join(c for i, c in enumerate(word) if i not in positions))
    return results


# Vietnamese syllables are at most 7 letters; longer tokens are codes, foreign words
# or junk, and the deletes of a long token grow quadratically.
MAX_WORD_LENGTH = 12


def _max_distance(word: str) -> int:
    if len(word) > MAX_WORD_LENGTH:
        return 0
    if len(word) >= 7:
        return 2
    return 1 if len(word) >= 4 else 0


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class SpellCorrector:
    def __init__(self, words: Iterable[str]) -> None:
        self.frequency: Counter[str] = Counter(w for w in words if w.isalpha())
        self._index: dict[str, list[str]] = {}
        for word in self.frequency:
            for deleted in deletes(word, _max_distance(word)):
                self._index.setdefault(deleted, []).append(word)

    @classmethod
    def from_frequency(cls, frequency: Mapping[str, int]) -> SpellCorrector:
        """The corrector whose `frequency` this is (as the model cache saved it)."""
        return cls(Counter(frequency).elements())

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def correct(self, word: str) -> str:
        distance = _max_distance(word)
        if word in self.frequency or not word.isalpha():
            return word
        # A key held down ("deeadline", "tuuyen"): no Vietnamese syllable doubles a
        # letter, so a known word with the letter once is what was meant.
        single = re.sub(r"(.)\1+", r"\1", word)
        if single != word and single in self.frequency:
            return single
        if distance == 0:
            return word
        best: tuple[int, int, str] | None = None
        for deleted in deletes(word, distance):
            for candidate in self._index.get(deleted, ()):
                d = edit_distance(word, candidate)
                if d <= distance:
                    key = (d, -self.frequency[candidate], candidate)
                    if best is None or key < best:
                        best = key
        return best[2] if best else word

    def correct_all(self, tokens: Iterable[str]) -> list[str]:
        return [self.correct(t) for t in tokens]
