"""Read YAML with libyaml's C loader when PyYAML has it (~10x faster than pure Python;
start-up reads several thousand lines of pack and training data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
