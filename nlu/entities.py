"""Entity extraction: a gazetteer for names (agencies, topics) and patterns for values.

The gazetteer matches normalized token sequences, longest first and without
overlap, so "báo bắc ninh" wins over "bắc ninh" and "sở tt&tt" (expanded to "so
thong tin va truyen thong") matches "Sở Thông tin Truyền thông" too: the filler
word "va" is ignored on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FILLERS = frozenset({"va"})
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
_PERCENT = re.compile(r"^(\d{1,3})%?$")
_CLAUSE_WORDS = frozenset({"muc", "khoan", "diem", "phan"})
_CLAUSE = re.compile(r"^([12])(?:[.,]?([a-z]))?$")
# Words between a point and its part in "điểm c (của / thuộc / tại) mục 1".
_POINT_OF = frozenset({"cua", "thuoc", "tai", "o"})


@dataclass(frozen=True)
class Entity:
    entity: str  # "agency", "topic", "date", "percent", "clause"
    value: str  # canonical id or normalized value ("2019-05-31", "70", "1.e")
    text: str  # the normalized tokens it was found in


def _content(tokens: Iterable[str]) -> tuple[str, ...]:
    return tuple(t for t in tokens if t not in FILLERS)


class Gazetteer:
    def __init__(self, entries: Iterable[tuple[str, str, Sequence[str]]]) -> None:
        """`entries`: (entity type, canonical value, normalized tokens of one surface form)."""
        self._names: dict[tuple[str, ...], tuple[str, str]] = {}
        for entity, value, tokens in entries:
            key = _content(tokens)
            if key:
                self._names.setdefault(key, (entity, value))
        self._longest = max((len(k) for k in self._names), default=0)

    def entries(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """What the gazetteer holds, as entries that make an equal one."""
        return [(entity, value, key) for key, (entity, value) in self._names.items()]

    def find(self, tokens: Sequence[str]) -> list[Entity]:
        words = _content(tokens)
        found: list[Entity] = []
        i = 0
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                match = self._names.get(words[i : i + n])
                if match:
                    found.append(Entity(match[0], match[1], " ".join(words[i : i + n])))
                    i += n
                    break
            else:
                i += 1
        return found


def find_values(tokens: Sequence[str]) -> list[Entity]:
    """Dates, percentages and clause references in normalized tokens."""
    found: list[Entity] = []
    pointed: set[int] = set()  # the part's number after "diem c muc", read with it
    for i, token in enumerate(tokens):
        date = _DATE.match(token)
        if date:
            day, month, year = date.groups()
            if 1 <= int(day) <= 31 and 1 <= int(month) <= 12:
                value = f"{int(month):02d}-{int(day):02d}"
                found.append(Entity("date", f"{year}-{value}" if year else value, token))
            continue
        if token.endswith("%") and _PERCENT.match(token) and int(token[:-1]) <= 100:
            found.append(Entity("percent", token[:-1], token))
            continue
        if i > 0 and tokens[i - 1] == "diem" and _letter(token):
            # "diem e muc 1", "diem e cua khoan 1": the point, then its part.
            j = i + 1
            while j < len(tokens) and tokens[j] in _POINT_OF:
                j += 1
            if j + 1 < len(tokens) and tokens[j] in _CLAUSE_WORDS and _CLAUSE.match(tokens[j + 1]):
                pointed.add(j + 1)
                text = " ".join(tokens[i : j + 2])
                found.append(Entity("clause", f"{tokens[j + 1]}.{token}", text))
        elif i > 0 and tokens[i - 1] in _CLAUSE_WORDS and i not in pointed:
            # "muc 1.e", "muc 1e", "khoan 2 b", "muc 1 diem e"
            candidate, text = token, token
            after = tokens[i + 1 : i + 3]
            if len(after) == 2 and after[0] == "diem" and _letter(after[1]):
                candidate, text = token + after[1], f"{token} diem {after[1]}"
            elif after and _letter(after[0]) and token in ("1", "2"):
                candidate = text = token + after[0]
            clause = _CLAUSE.match(candidate)
            if clause:
                number, letter = clause.groups()
                found.append(Entity("clause", f"{number}.{letter}" if letter else number, text))
    return found


def _letter(token: str) -> bool:
    return len(token) == 1 and token.isalpha()
