"""Typing-style variants of Vietnamese text, for evaluating the NLU.

Officials type the same question in several ways; `bot nlu eval` rewrites each
held-out sentence (after the train/test split, so no variant is ever trained on)
into these styles:

- ``diacritics``: the sentence as written, when it has diacritics;
- ``no_diacritics``: marks removed, đ -> d, case kept ("Sở Nội vụ" -> "So Noi vu");
- ``telex``: each accented word as typed in Telex without an IME ("Sở" -> "Sowr");
- ``abbreviations``: long names replaced by the abbreviations officials use
  ("công nghệ thông tin" -> "CNTT", "Ủy ban nhân dân" -> "UBND");
- ``typos``: one or two words per sentence get a swapped, dropped or doubled letter
  (seeded, so a run is reproducible).

A style that does not apply to a sentence (no accents to strip, no phrase to
abbreviate) yields no variant rather than a copy.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator

from nlu.normalize import strip_diacritics

STYLES = ("diacritics", "no_diacritics", "telex", "abbreviations", "typos")

_TONES = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_SHAPES = {"\u0302": "", "\u0306": "w", "\u031b": "w"}  # circumflex doubles the vowel
# Longest phrases first so "sở thông tin và truyền thông" wins over "thông tin".
_ABBREVIATIONS = (
    ("Sở Thông tin và Truyền thông", "Sở TT&TT"),
    ("Sở Kế hoạch và Đầu tư", "Sở KH&ĐT"),
    ("Văn phòng UBND tỉnh", "VP UBND tỉnh"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh"),
    ("Đài Phát thanh và Truyền hình", "Đài PT-TH"),
    ("Ủy ban nhân dân", "UBND"),
    ("Uỷ ban nhân dân", "UBND"),
    ("công nghệ thông tin", "CNTT"),
    ("chữ ký số", "CKS"),
    ("an toàn thông tin", "ATTT"),
    ("dịch vụ công trực tuyến", "DVCTT"),
    ("dịch vụ công", "DVC"),
    ("trung tâm dữ liệu", "TTDL"),
    ("thủ tục hành chính", "TTHC"),
    ("cải cách hành chính", "CCHC"),
    ("chính quyền điện tử", "CQĐT"),
    ("thành phố", "TP"),
    ("thị xã", "TX"),
    ("không", "ko"),
)


def telex_word(word: str) -> str:
    """ "Sở" -> "Sowr", "đường" -> "dduwowngf": letters, shape keys, tone key last."""
    letters: list[str] = []
    tone = ""
    for char in unicodedata.normalize("NFD", word):
        if char in _TONES:
            tone = _TONES[char]
        elif char in _SHAPES:
            previous = letters[-1] if letters else ""
            letters.append(_SHAPES[char] or previous.lower())
        elif char in "đĐ":
            letters.append("dd" if char == "đ" else "DD")
        else:
            letters.append(char)
    return unicodedata.normalize("NFC", "".join(letters)) + tone


def to_telex(text: str) -> str:
    return re.sub(r"\w+", lambda m: telex_word(m.group()), text)


def abbreviate(text: str) -> str:
    result = text
    for phrase, short in _ABBREVIATIONS:
        result = re.sub(re.escape(phrase), short, result, flags=re.IGNORECASE)
    return result


def add_typos(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    for index in rng.sample(candidates, k=min(len(candidates), rng.choice((1, 2)))):
        word = words[index]
        position = rng.randrange(1, len(word) - 1)
        operation = rng.choice(("swap", "drop", "double"))
        if operation == "swap":
            word = word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
        elif operation == "drop":
            word = word[:position] + word[position + 1 :]
        else:
            word = word[:position] + word[position] + word[position:]
        words[index] = word
    return " ".join(words)


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


def variants(text: str, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(style, text) for every style that applies to `text`."""
    rng = random.Random(f"{seed}:{text}")
    accented = has_diacritics(text)
    if accented:
        yield "diacritics", text
        yield "no_diacritics", strip_diacritics(text)
        yield "telex", to_telex(text)
    short = abbreviate(text)
    if short != text:
        yield "abbreviations", short
    typed = add_typos(text, rng)
    if typed != text:
        yield "typos", typed
