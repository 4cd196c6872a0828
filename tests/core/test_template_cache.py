"""Compiled templates kept between runs in the cache folder, never needed to render."""

from __future__ import annotations

from pathlib import Path

from bot.application.messages import Reply
from bot.application.render import Renderer

REPLY = Reply("qa/empty", {"examples": ["Sở Nội vụ phải làm gì?"]})


def test_compiled_templates_are_kept_and_used_by_the_next_run(tmp_path: Path) -> None:
    first = Renderer(output="text", cache_dir=tmp_path).render(REPLY)
    kept = list((tmp_path / "templates" / "text").iterdir())
    assert kept, "no compiled template written"
    assert Renderer(output="text", cache_dir=tmp_path).render(REPLY) == first


def test_a_cache_folder_that_cannot_be_made_still_renders(tmp_path: Path) -> None:
    """A file where the folder should be: nothing is cached, the reply is the same."""
    (tmp_path / "templates").write_text("not a folder", encoding="utf-8")
    expected = Renderer(output="text").render(REPLY)
    assert Renderer(output="text", cache_dir=tmp_path).render(REPLY) == expected
