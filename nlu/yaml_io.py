"""Read YAML with libyaml's C loader when PyYAML has it (~10x faster than pure Python;
start-up reads several thousand lines of pack and training data), refusing aliases.

An alias (`*name`) repeats an anchored node (`&name`) without copying it, so a 1 KB
document of nested aliases ("billion laughs") stands for billions of values: loading
it is cheap, but anything that walks the result (printing a cell, checking a row)
runs without bound. None of our files needs aliases, and admins' files (FAQ and
duties imports, directive packs) come from outside, so every document is refused
as soon as it uses one. The C composer reuses the anchored node object for each
alias, so an alias shows as a node reached twice; checking that costs ~1 ms for the
largest file we read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlAliasError(yaml.YAMLError):
    """A document uses an alias (`*name`); `line` (1-based) is where its anchor is."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: YAML aliases (&anchor / *alias) are not allowed")
        self.line = line


class NoAliasDumper(yaml.SafeDumper):
    """Writes a value shared by two places in full twice, never as an alias, so that
    what we write (exports, draft packs) is what `load_yaml` reads back."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def read_yaml(path: Path) -> Any:
    return load_yaml(path.read_text(encoding="utf-8"))[1]


def load_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node (for line numbers; None when empty) and its value.

    yaml.YAMLError when it is not YAML, YamlAliasError when it uses an alias; nesting
    deeper than libyaml's limit is a yaml.YAMLError too (RecursionError without libyaml).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _refuse_aliases(node)
        return node, loader.construct_document(node)
    except RecursionError:
        raise yaml.YAMLError("the document is nested too deeply") from None
    finally:
        loader.dispose()


def _refuse_aliases(root: yaml.Node) -> None:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise YamlAliasError(node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
