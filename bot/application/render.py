"""Render replies from the Jinja2 templates in templates/.

One Environment per output format: "text" for the console and JSON lines, "html"
for Telegram's HTML parse mode, where autoescape escapes every dynamic value.
User text only ever reaches a template as data, never as template source.

Besides its data, a template sees `has_choices`: whether the reply offers choices (as
buttons or numbered options). A text that introduces them ("ví dụ:") says so only when
they are there: the core drops an answer's choices where a dialog's step offers its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

from bot.application.messages import Reply
from bot.config import PROJECT_ROOT
from bot.domain.dates import from_today, today_in_vietnam, vn_date, vn_datetime
from bot.domain.knowledge import RECURRENCE_WORDS
from bot.domain.numbers import vn_number, vn_percent
from bot.domain.status import signed

OutputFormat = Literal["text", "html"]


def default_templates_dir() -> Path:
    return PROJECT_ROOT / "templates"


class Renderer:
    def __init__(
        self,
        templates_dir: Path | None = None,
        output: OutputFormat = "text",
        today: Callable[[], dt.date] = today_in_vietnam,
        cache_dir: Path | None = None,
    ) -> None:
        """`today`: the day relative deadlines ("đã quá hạn 7 năm") are counted from,
        the day the reply is read (Vietnam's, whatever the server's zone).
        `cache_dir`: where compiled templates are kept between runs (Jinja checks each
        against its source's checksum, so an edited template is compiled again)."""
        self.output = output
        bytecode = None
        compiled = cache_dir / "templates" / output if cache_dir is not None else None
        with contextlib.suppress(OSError):  # a read-only cache folder: compiled each run
            if compiled is not None:
                compiled.mkdir(parents=True, exist_ok=True)
                if os.access(compiled, os.W_OK):
                    bytecode = FileSystemBytecodeCache(str(compiled))
        self.env = Environment(
            loader=FileSystemLoader(templates_dir or default_templates_dir()),
            autoescape=output == "html",
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            bytecode_cache=bytecode,
        )
        self.env.filters["vn_date"] = vn_date
        self.env.filters["vn_datetime"] = vn_datetime
        self.env.filters["vn_number"] = vn_number
        self.env.filters["recurrence_words"] = RECURRENCE_WORDS.get
        self.env.filters["vn_percent"] = vn_percent
        self.env.filters["signed"] = signed
        self.env.filters["from_today"] = lambda due: from_today(due, today())
        self.env.filters["past"] = lambda due: due < today()
        self.env.globals["html"] = output == "html"

    def render(self, reply: Reply) -> str:
        template = self.env.get_template(reply.template + ".j2")
        text = template.render(**reply.data, has_choices=bool(reply.buttons))
        # Templates are written for readability; collapse the blank lines they leave.
        lines = [line.rstrip() for line in text.strip().splitlines()]
        compact: list[str] = []
        for line in lines:
            if line or (compact and compact[-1]):
                compact.append(line)
        return "\n".join(compact)
