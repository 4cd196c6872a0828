"""Vietnamese text normalization shared by training, matching and retrieval.

Everything the assistant compares goes through `Normalizer.normalize`, so the
question, the training examples, agency aliases and the directive's passages all
meet in the same folded space: NFC, control characters removed, Telex leftovers
decoded ("sowr" -> "so"), diacritics stripped (đ -> d by hand, since Đ does not
decompose), lower-cased, abbreviations expanded ("tt&tt" -> "thong tin va truyen
thong"), and punctuation dropped except what carries meaning inside numbers and
codes (%, /, decimal separators, "&" inside abbreviations).

Folding makes a few words collide ("sở"/"số" -> "so"); the n-gram features and the
surrounding words disambiguate them well enough, and people typing without
diacritics produce exactly these collisions anyway.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from nlu.spelling import deletes, edit_distance

# Longest text we look at; a question is never this long, and it keeps the cost of
# a hostile 10,000-character line bounded.
MAX_CHARS = 1000
# Shorter abbreviations ("cks", "so") are too close to ordinary words to guess at.
MIN_MISTYPED_ABBREVIATION = 4
MAX_PHRASE = 5  # words in a phrase synonym

# What `sanitize` removes: C0 and C1 control characters but tab and newline (NUL
# among them: PostgreSQL text cannot hold it), and the invisible format characters
# that split or disguise a word without showing ("Sở Nội v\u200bụ"): zero-width
# spaces and joiners, bidi marks, embeddings, overrides and isolates, word joiner and
# invisible operators, soft hyphen, Mongolian vowel separator, Arabic letter mark, BOM;
# and lone surrogates, which no UTF-8 database or file can encode.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)
# Line boundaries as `str.splitlines` knows them (CRLF, CR, vertical tab, form feed,
# the file/group/record separators, NEL, the Unicode line and paragraph separators):
# each becomes one LF, so that no line break is lost or doubled.
_LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_WHITESPACE = re.compile(r"\s+")
# A token is a run of letters/digits, keeping "&", "/" and "-" inside (tt&tt,
# 31/5/2019, 06/ct-ubnd) and "." or "," between digits (9.289, 3,4) but not between
# letters ("h.yen" is "h yen").
_TOKEN = re.compile(r"[a-z0-9]+(?:(?:[&/\-]|(?<=\d)[.,](?=\d))[a-z0-9]+)*%?|%")

# Telex: tone keys typed after a syllable, vowel keys doubled or followed by "w".
_TELEX_TONES = "sfrxj"
_TELEX_VOWELS = (
    ("uwow", "uo"),
    ("uow", "uo"),
    ("dd", "d"),
    ("aa", "a"),
    ("ee", "e"),
    ("oo", "o"),
    ("aw", "a"),
    ("ow", "o"),
    ("uw", "u"),
    ("w", "u"),
)
# A folded Vietnamese syllable: optional onset, 1-3 vowels, optional coda.
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$"
)


def _unmarked(text: str) -> str:
    """`text` decomposed (NFD) without its combining marks; Đ/đ by hand: they do not
    decompose."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, case kept: "Đề án" -> "De an"."""
    return unicodedata.normalize("NFC", _unmarked(text))


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics (đ -> d); nothing else."""
    return _unmarked(text.lower())


def fold_words(text: str) -> str:
    """`fold`, then punctuation as spaces and single spaces (names, aliases, headings
    compared word by word): "Sở TT&TT" -> "so tt tt"; "%" is kept."""
    return " ".join(re.sub(r"[^\w%]+", " ", fold(text)).split())


def sanitize(text: str) -> str:
    """Text as the assistant accepts it from outside (a message, a button's payload, a
    cell of an imported file): every line break as LF, the other control characters but
    tab removed, the invisible format characters removed (not replaced by a space: a
    zero-width space inside "vụ" must leave "vụ", not split it), then NFC. Idempotent."""
    text = _INVISIBLE.sub("", _LINE_BREAK.sub("\n", text))
    return unicodedata.normalize("NFC", text)


# A tag-like piece of markup ("<b>", "</script>", "<a href=...>"): an ASCII tag name
# right after "<" or "</", so "<5 xã", "a < b" or a word in brackets ("<gấp>") stay.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_SPACES = re.compile(r"[ \t]{2,}")


def strip_tags(text: str) -> str:
    """`text` without HTML-like tags, their words kept ("<b>Thiếu</b> máy" -> "Thiếu
    máy"): what goes into a formal document (.docx, .xlsx) is printed verbatim there,
    where the portal and Telegram escape it."""
    if not _TAG.search(text):
        return text
    return _SPACES.sub(" ", _TAG.sub(" ", text)).strip()


def has_words(text: str) -> bool:
    """Whether `text` holds a letter or a digit: emoji or punctuation alone say nothing
    (a question, a blocker, a reference made of them is refused)."""
    return any(char.isalnum() for char in text)


def clean(text: str) -> str:
    """`sanitize`d, single spaces, bounded length."""
    return _WHITESPACE.sub(" ", sanitize(text[: MAX_CHARS * 2])).strip()[:MAX_CHARS]


def is_syllable(word: str) -> bool:
    """True if `word` (folded) has the shape of a Vietnamese syllable. A doubled
    a, e or o never occurs once marks are folded away (it is a Telex key)."""
    return bool(_SYLLABLE.match(word)) and not any(v * 2 in word for v in "aeo")


def decode_telex(word: str) -> str:
    """Fold a Telex-typed word ("dduwowngf" -> "duong"); other words are returned as is.

    A word is decoded only when it carries a Telex key (a trailing tone letter, a
    doubled vowel, "dd" or "w") and the decoded form is a valid syllable, so
    "windows", "pdf" or "cks" stay untouched.
    """
    if not word.isascii() or not word.isalpha() or is_syllable(word):
        return word
    decoded = word
    if decoded[-1] in _TELEX_TONES and len(decoded) > 1:
        decoded = decoded[:-1]
    for keys, letter in _TELEX_VOWELS:
        decoded = decoded.replace(keys, letter)
    if decoded != word and is_syllable(decoded):
        return decoded
    return word


_GLUED_NUMBER = re.compile(r"([a-z]+)(\d+)")


@dataclass(frozen=True)
class Normalizer:
    """Turns any user or data text into the folded token space.

    `abbreviations` maps a folded abbreviation ("cntt", "tt&tt") to its folded
    expansion; it comes from data/nlu/lexicon.yaml so admins can extend it.
    """

    abbreviations: Mapping[str, str] = field(default_factory=dict)
    # Folded phrases that mean the same as a wording of the directive ("van ban di"
    # -> "van ban phat hanh"), replaced after abbreviations are expanded.
    phrases: Mapping[str, str] = field(default_factory=dict)
    # Abbreviations of 4+ letters by their one-letter deletions: a mistyped one
    # ("unbd", "cnntt") is found at edit distance 1.
    _mistyped: dict[str, set[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, set[str]] = {}
        for key in self.abbreviations:
            if key.isalpha() and len(key) >= MIN_MISTYPED_ABBREVIATION:
                for deleted in deletes(key, 1):
                    index.setdefault(deleted, set()).add(key)
        object.__setattr__(self, "_mistyped", index)

    def tokens(self, text: str) -> list[str]:
        expanded: list[str] = []
        for typed in _TOKEN.findall(fold(clean(text))):
            # An abbreviation as typed first: "win" (Windows) is not telex for "ưin".
            if len(typed) == 1 and expanded[-1:] == ["diem"]:
                expanded.append(typed)  # "điểm h" is a point of a clause, no "huyện"
                continue
            expansion = self.abbreviations.get(typed)
            token = typed if expansion is not None else decode_telex(typed)
            if expansion is None:
                expansion = self.abbreviations.get(token)
            if expansion is None and "&" in token:
                # "kh&dt" written without its expansion in the lexicon: split it.
                expansion = token.replace("&", " va ")
            if expansion is None:
                expansion = self._mistyped_abbreviation(token)
            if expansion is None:
                expansion = self._numbered_abbreviation(token)
            expanded.extend(expansion.split() if expansion else [token])
        return self._rephrase(expanded) if self.phrases else expanded

    def _rephrase(self, tokens: list[str]) -> list[str]:
        """Replace the longest known phrase at each position (up to MAX_PHRASE words)."""
        result: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
                replacement = self.phrases.get(" ".join(tokens[i : i + n]))
                if replacement is not None:
                    result.extend(replacement.split())
                    i += n
                    break
            else:
                result.append(tokens[i])
                i += 1
        return result

    def _mistyped_abbreviation(self, token: str) -> str | None:
        """The expansion of the one abbreviation `token` is a typo of, if it is not a
        Vietnamese syllable itself ("ubnnd", "unbd", "cnttt" -> UBND, CNTT)."""
        if not (MIN_MISTYPED_ABBREVIATION <= len(token) <= 7) or not token.isalpha():
            return None
        if is_syllable(token):
            return None
        found = {
            key
            for deleted in deletes(token, 1)
            for key in self._mistyped.get(deleted, ())
            if edit_distance(token, key) == 1
        }
        return self.abbreviations[found.pop()] if len(found) == 1 else None

    def _numbered_abbreviation(self, token: str) -> str | None:
        """A known abbreviation glued to a number ("ct06", "qd1987"): the expansion
        and the number, as if typed apart ("chi thi 06")."""
        glued = _GLUED_NUMBER.fullmatch(token)
        if glued is None or glued.group(1) not in self.abbreviations:
            return None
        return f"{self.abbreviations[glued.group(1)]} {glued.group(2)}"

    def normalize(self, text: str) -> str:
        return " ".join(self.tokens(text))
