"""The layers point one way: entry points -> channels -> application -> domain ->
storage, with nlu/ and the settings below everything (see the README's layout).

A module may import its own layer and the layers below it, never one above; type-only
imports count too (they couple the code all the same). The domain stays free of I/O:
no storage, no SQLAlchemy.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.architecture.imports import ROOT, imports, modules

# Lowest first; a module belongs to the longest prefix listed.
LAYERS: dict[str, int] = {
    "nlu": 0,
    "bot.config": 0,
    "bot.storage": 1,
    "bot.domain": 2,
    "bot.application": 3,
    "bot.channels": 4,
    # The composition root and the command line assemble everything.
    "bot": 5,
}


def layer_of(module: str) -> tuple[str, int]:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix, LAYERS[prefix]
    raise AssertionError(f"{module} is in no layer")


def test_every_module_has_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_no_module_imports_a_layer_above_its_own() -> None:
    upward = [
        f"{i.importer}:{i.line} ({layer_of(i.importer)[0]}) imports {i.imported}"
        f" ({layer_of(i.imported)[0]})"
        for i in imports()
        if not i.imported.startswith("telegram")
        and layer_of(i.imported)[1] > layer_of(i.importer)[1]
    ]
    assert upward == []


def test_the_domain_does_no_io() -> None:
    impure = [
        f"{i.importer}:{i.line} imports {i.imported}"
        for i in imports()
        if i.importer.startswith("bot.domain") and i.imported.startswith("bot.storage")
    ]
    assert impure == []
    for path in (ROOT / "bot" / "domain").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sqlalchemy" not in text and "open(" not in text, path


@pytest.mark.parametrize("layer", ["nlu", "bot.domain", "bot.application", "bot.storage"])
def test_only_channels_know_a_messenger(layer: str) -> None:
    """The same core runs on the console, Telegram and Zalo: no platform SDK below the
    channels."""
    found = [
        f"{i.importer}:{i.line} imports {i.imported}"
        for i in imports()
        if i.imported.startswith("telegram")
        and (i.importer == layer or i.importer.startswith(layer + "."))
    ]
    assert found == []


def test_modules_import_no_circle() -> None:
    """No two modules import each other, directly or around a circle (type-only
    imports aside: they never run)."""
    known = modules()
    graph: dict[str, set[str]] = {m: set() for m in known}
    for i in imports():
        if not i.type_only and i.imported in known and i.imported != i.importer:
            graph[i.importer].add(i.imported)
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert circles == []


def test_generated_files_are_not_committed() -> None:
    """Models, Rasa's training cache, databases and venvs stay out of git."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    generated = [
        path
        for path in tracked
        if path.startswith((".rasa/", "models/", ".venv/", "var/"))
        or path.endswith((".tar.gz", ".db", ".sqlite", ".sqlite3", ".pkl", ".npz"))
    ]
    assert generated == []
