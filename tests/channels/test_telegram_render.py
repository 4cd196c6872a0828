"""Splitting long HTML texts for Telegram, and inline keyboards from core buttons."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import pytest

from bot.application.messages import Button
from bot.channels.telegram.render import inline_keyboard, split_message, utf16_len

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in TELEGRAM_TAGS, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open, tag)
        self.open.pop()


def assert_valid_html(part: str) -> None:
    """Every tag closed in order, and no cut entity or tag."""
    checker = _Balance()
    checker.feed(part)
    checker.close()
    assert checker.open == [], part
    assert not re.search(r"&\w*$|<[^>]*$|^[^<]*>", part), part


def plain(parts: list[str]) -> str:
    """The visible text of all parts, tags dropped and whitespace folded."""
    return " ".join(" ".join(re.sub(r"<[^<>]*>", "", p) for p in parts).split())


def test_short_text_is_one_part_and_empty_text_none() -> None:
    assert split_message("  Xin chào  ") == ["Xin chào"]
    assert split_message("x" * 4096) == ["x" * 4096]
    assert split_message("") == []
    assert split_message(" \n\n ") == []


def test_cuts_at_blank_lines_first() -> None:
    paragraphs = [f"Đoạn {i}: " + "chữ " * 30 for i in range(40)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_message(text, limit=1000)
    assert len(parts) > 1
    for part in parts:
        assert utf16_len(part) <= 1000
        assert part.startswith("Đoạn ") and part.endswith("chữ")  # whole paragraphs only
    assert "\n\n".join(parts) == text


def test_falls_back_to_line_breaks_then_spaces_then_anywhere() -> None:
    lines = "\n".join(f"• dòng {i} " + "a" * 50 for i in range(100))
    parts = split_message(lines, limit=500)
    assert all(utf16_len(p) <= 500 for p in parts)
    assert all(p.startswith("• dòng") for p in parts)
    assert "\n".join(parts) == lines

    words = " ".join(["từ"] * 1000)
    parts = split_message(words, limit=300)
    assert all(utf16_len(p) <= 300 and p.endswith("từ") for p in parts)
    assert " ".join(parts) == words

    unbroken = "x" * 1000
    parts = split_message(unbroken, limit=300)
    assert [len(p) for p in parts] == [300, 300, 300, 100]


def test_a_paragraph_break_near_the_start_does_not_leave_a_stub() -> None:
    text = "Tiêu đề\n\n" + "\n".join("dòng " + "b" * 40 for _ in range(50))
    parts = split_message(text, limit=1000)
    assert len(parts[0]) > 500


def test_never_cuts_inside_a_tag_or_an_entity_and_reopens_open_tags() -> None:
    body = " ".join(
        f'<a href="https://example.vn/{i}">liên kết {i}</a> &amp; &lt;x&gt;' for i in range(200)
    )
    text = f"<b>{body}</b>"
    parts = split_message(text, limit=256)
    assert len(parts) > 5
    for part in parts:
        assert utf16_len(part) <= 256
        assert_valid_html(part)
        assert part.startswith("<b>") and part.endswith("</b>")
    joined = re.sub(r"<[^<>]*>", "", "".join(parts))
    assert joined.count("&amp;") == 200 and joined.count("&lt;x&gt;") == 200


def test_a_link_cut_in_the_middle_keeps_its_address_in_both_parts() -> None:
    text = '<a href="https://example.vn/x">' + "chữ " * 100 + "</a>"
    first, second, *_ = split_message(text, limit=150)
    assert first.startswith('<a href="https://example.vn/x">') and first.endswith("</a>")
    assert second.startswith('<a href="https://example.vn/x">')


def test_counts_emoji_as_telegram_does() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units
    parts = split_message(text)
    assert len(parts) == 2 and all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == text


@pytest.mark.parametrize("limit", [50, 97, 400, 4096])
def test_nothing_is_lost(limit: int) -> None:
    text = "\n\n".join(
        f"<b>Mục {i}</b>: nội dung &quot;{i}&quot;\n• ý một\n• ý hai 🙂" for i in range(300)
    )
    parts = split_message(text, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        assert_valid_html(part)
    assert plain(parts) == plain([text])


def test_inline_keyboard_rows_of_columns() -> None:
    buttons = [Button(f"Nút {i}", f"p{i}") for i in range(5)]
    assert inline_keyboard([]) is None
    keyboard = inline_keyboard(buttons, columns=2)
    assert keyboard is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard]
    assert rows == [
        [("Nút 0", "p0"), ("Nút 1", "p1")],
        [("Nút 2", "p2"), ("Nút 3", "p3")],
        [("Nút 4", "p4")],
    ]
    one_column = inline_keyboard(buttons, columns=0)
    assert one_column is not None and len(one_column.inline_keyboard) == 5


def test_no_template_writes_a_literal_angle_bracket_or_ampersand() -> None:
    """Telegram refuses a whole HTML message over one stray "<mã>" placeholder or a bare
    "&" ("Sở TT&TT"): the templates' own text (outside Jinja tags, which escape what
    they print) has neither; such text is written as a Jinja string, {{ "Sở TT&TT" }}."""
    from bot.application.render import default_templates_dir

    offenders = []
    for path in sorted(default_templates_dir().rglob("*.j2")):
        if path.name == "_macros.j2":  # writes <b> on purpose, in HTML mode only
            continue
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", path.read_text(), flags=re.S)
        offenders += [f"{path.name}: {x}" for x in text.splitlines() if "<" in x or "&" in x]
    assert offenders == []


def test_templates_address_officials_as_anh_chi() -> None:
    """Officials write to each other as "Anh/Chị"; the assistant never says "bạn" or
    "tôi" (it calls itself "trợ lý"), in chat or on the web portal's pages."""
    from bot.application.render import default_templates_dir

    offenders = []
    folder = default_templates_dir()
    for path in sorted([*folder.rglob("*.j2"), *folder.rglob("*.html")]):
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", path.read_text(), flags=re.S)
        for line in text.splitlines():
            if re.search(r"(?<!\w)(bạn|tôi)(?!\w)", line, flags=re.IGNORECASE):
                offenders.append(f"{path.name}: {line}")
    assert offenders == []


def test_no_template_line_runs_into_the_next() -> None:
    """The renderer trims the line end after a block tag (trim_blocks), so a line of text
    that ends with "{% endif %}" runs into the next line unless a blank line follows: a
    manager's digest once printed all its duties as one line. Such a tag ends "+%}"."""
    from bot.application.render import default_templates_dir

    offenders = []
    for path in sorted(default_templates_dir().rglob("*.j2")):
        if path.name == "_macros.j2":  # macros are written to run on, on purpose
            continue
        lines = path.read_text().splitlines()
        for line, following in itertools.pairwise(lines):
            text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", line).strip()
            trims = line.rstrip().endswith("%}") and not line.rstrip().endswith("+%}")
            if text and trims and following.strip():
                offenders.append(f"{path.name}: {line.strip()}")
    assert offenders == []


def test_command_descriptions_address_officials_as_anh_chi() -> None:
    """The menus and /trogiup show every command's description: the same register."""
    from bot.application.router import DECLARED_COMMANDS

    offenders = [
        f"/{c.name}: {c.description}"
        for c in DECLARED_COMMANDS
        if re.search(r"(?<!\w)(bạn|tôi)(?!\w)", c.description, flags=re.IGNORECASE)
    ]
    assert offenders == []
