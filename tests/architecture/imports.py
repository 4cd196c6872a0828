"""The project's import graph, read from the source with `ast` (nothing is imported)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "nlu")


@dataclass(frozen=True)
class Import:
    importer: str  # the module that imports
    imported: str  # the module (or package) imported
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def modules() -> set[str]:
    return {module_name(path) for path in source_files()}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports() -> Iterator[Import]:
    """Every import of a project module, at any depth (functions too), resolved to the
    most specific module that exists ("from bot.x import y" is bot.x.y when y is one)."""
    known = modules()
    for path in source_files():
        importer = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = _type_checking_lines(tree)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [
                    f"{node.module}.{alias.name}"
                    if f"{node.module}.{alias.name}" in known
                    else node.module
                    for alias in node.names
                ]
            for target in targets:
                if target.split(".")[0] in PACKAGES or target.split(".")[0] == "telegram":
                    yield Import(importer, target, node.lineno, node.lineno in type_only)
