"""A second directive built from the first: same clause and duty ids, other words.

Every id of the copy collides with 06's, which is the point: lookups by id alone mix
the two. Words are replaced in directive.yaml and source.txt alike, so the pack's
verbatim checks still hold.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.config import Settings
from bot.domain.knowledge import scoped_key

FIRST = "06-CT-UBND-2019"


def copy_pack(data_dir: Path, number: int, year: int, subject: str = "chữ ký điện tử") -> str:
    """Add directive `number`/CT-UBND of `year` to `data_dir`/directives (a copy of 06
    with "chữ ký số" read as `subject`); its id."""
    directive_id = f"{number:02d}-CT-UBND-{year}"
    source = data_dir / "directives" / FIRST
    target = data_dir / "directives" / directive_id
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    replacements = (
        ("06/CT-UBND", f"{number:02d}/CT-UBND"),
        ("chữ ký số", subject),
        ("Chữ ký số", subject.capitalize()),
    )
    for name in ("directive.yaml", "source.txt"):
        text = (source / name).read_text(encoding="utf-8")
        for old, new in replacements:
            text = text.replace(old, new)
        if name == "directive.yaml":
            text = text.replace(f"id: {FIRST}", f"id: {directive_id}")
            text = text.replace("issued: 2019-04-19", f"issued: {year}-04-19")
            text = text.replace("effective: 2019-04-19", f"effective: {year}-04-19")
        (target / name).write_text(text, encoding="utf-8")
    return directive_id


def key(duty_id: str, directive_id: str = FIRST) -> str:
    """The scoped key plans, digest rows and the scheduler's maps use for a duty."""
    return scoped_key(directive_id, duty_id)


@contextmanager
def assistant_on(db_url: str, data_dir: Path) -> Iterator[Assistant]:
    """An assistant on `db_url` reading `data_dir` (a copy holding more directives),
    closed (its reload waited for, its engine disposed) on leaving."""
    settings = Settings.from_env({"DATABASE_URL": db_url, "DATA_DIR": str(data_dir)})
    assistant = build_assistant(settings)
    try:
        yield assistant
    finally:
        assistant.core.wait_for_reload()
        assistant.sessions.kw["bind"].dispose()


def imported(text: Path, draft: Path) -> Path:
    """`bot directive import` of `text` into the folder `draft` (named by its id when
    the name matters)."""
    from bot.cli import main

    assert main(["directive", "import", str(text), "--out", str(draft)]) == 0
    return draft


@contextmanager
def published(monkeypatch: pytest.MonkeyPatch, db_url: str, *drafts: Path) -> Iterator[Assistant]:
    """`bot directive publish` of each draft on `db_url` (the test's DATABASE_URL from
    then on, for the commands it runs), then an assistant on it with the project's data
    (06 built in)."""
    from bot.cli import main
    from bot.config import PROJECT_ROOT

    monkeypatch.setenv("DATABASE_URL", db_url)
    for draft in drafts:
        assert main(["directive", "publish", str(draft)]) == 0
    with assistant_on(db_url, PROJECT_ROOT / "data") as assistant:
        yield assistant
