"""Text folding shared by storage lookups (aliases) and, if it likes, the NLU."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold Vietnamese text for matching: "Sở TT&TT  Bắc Ninh" -> "so tt&tt bac ninh".

    NFC, lower-case, strip combining marks, đ -> d by hand (Đ has no decomposition),
    collapse runs of whitespace and trim.
    """
    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()
