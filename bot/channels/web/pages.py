"""Rendering the portal's pages: one Jinja2 environment over `templates/web/`, every
value escaped, dates as dd/mm/yyyy and numbers with "." between thousands."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.application.digest.model import STATUS_WORDS, STATUSES
from bot.domain.dates import padded_date, padded_datetime
from bot.domain.numbers import vn_number, vn_percent

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"


def _versions(folder: Path) -> dict[str, str]:
    """A short hash of each static file: its URL changes with its content, so browsers
    may keep it as long as they like."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def link(base: str, path: str, **query: object) -> str:
    """A link inside the portal; empty query values are left out."""
    kept = {k: v for k, v in query.items() if v not in ("", None, False, 0)}
    return base + path + (f"?{urlencode(kept)}" if kept else "")


class PageRenderer:
    def __init__(self, templates_dir: Path, base: str, labels: dict[str, Any]) -> None:
        self.env = Environment(
            loader=FileSystemLoader(templates_dir / "web"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        versions = _versions(STATIC_DIR)

        def static(name: str) -> str:
            return f"{base}{STATIC_PATH}/{name}?v={versions[name]}"

        self.env.filters["date"] = padded_date
        self.env.filters["datetime"] = padded_datetime
        self.env.filters["number"] = vn_number
        self.env.filters["percent"] = vn_percent

        def url(path: str, **query: object) -> str:
            return link(base, path, **query)

        self.env.globals.update(
            base=base,
            url=url,
            static=static,
            STATUSES=STATUSES,
            STATUS_WORDS=STATUS_WORDS,
            REPORT_WORDS=labels["status"],
            ROLE_WORDS=labels["role"],
        )

    def render(self, name: str, **data: Any) -> str:
        return self.env.get_template(name).render(**data)
