"""Read NLU training data in Rasa 3.x YAML format.

The same files feed the builtin engine and `rasa train nlu`, so this reader
understands the parts of the format we use: intents with examples, inline entity
annotations (`[text](entity)`, `[text](entity:value)`, `[text]{"entity": .., "value": ..}`),
synonyms, lookup tables and regexes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu.yaml_io import read_yaml

_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]+\}))")


class TrainingDataError(ValueError):
    """A training file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class EntitySpan:
    entity: str
    value: str  # canonical value (the synonym target, or the text itself)
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Example:
    text: str  # plain text, annotations removed
    intent: str
    entities: tuple[EntitySpan, ...] = ()


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # variant -> canonical value
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    def merge(self, other: TrainingData) -> TrainingData:
        return TrainingData(
            examples=self.examples + other.examples,
            synonyms={**self.synonyms, **other.synonyms},
            lookups={**self.lookups, **other.lookups},
            regexes={**self.regexes, **other.regexes},
        )


def parse_example(line: str, intent: str) -> Example:
    """Strip annotations from one example line and record their spans."""
    plain: list[str] = []
    spans: list[EntitySpan] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        plain.append(before)
        length += len(before)
        text = match.group("text")
        if match.group("json"):
            spec = json.loads(match.group("json"))
            entity, value = spec["entity"], spec.get("value", text)
        else:
            entity, _, value = match.group("short").partition(":")
            value = value or text
        spans.append(EntitySpan(entity, value, length, length + len(text), text))
        plain.append(text)
        length += len(text)
        cursor = match.end()
    plain.append(line[cursor:])
    return Example("".join(plain).strip(), intent, tuple(spans))


def _lines(block: Any, where: str) -> list[str]:
    if not isinstance(block, str):
        raise TrainingDataError(f"{where}: 'examples' must be a block of '- ' lines")
    items = []
    for raw in block.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        if not raw.startswith("- "):
            raise TrainingDataError(f"{where}: line does not start with '- ': {raw!r}")
        items.append(raw[2:].strip())
    return items


def load_training_data(*paths: Path) -> TrainingData:
    """Load and merge Rasa NLU YAML files."""
    data = TrainingData()
    for path in paths:
        document = read_yaml(path) or {}
        for index, item in enumerate(document.get("nlu", [])):
            where = f"{path.name}, nlu item {index + 1}"
            if "intent" in item:
                intent = item["intent"]
                data.examples.extend(
                    parse_example(line, intent) for line in _lines(item["examples"], where)
                )
            elif "synonym" in item:
                for variant in _lines(item["examples"], where):
                    data.synonyms[variant] = item["synonym"]
            elif "lookup" in item:
                data.lookups.setdefault(item["lookup"], []).extend(_lines(item["examples"], where))
            elif "regex" in item:
                data.regexes.setdefault(item["regex"], []).extend(_lines(item["examples"], where))
            else:
                raise TrainingDataError(f"{where}: unknown item {sorted(item)}")
    return data
