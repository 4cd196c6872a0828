"""Casing: a title or signature typed in capitals, back in the body's own case.

A directive's title, issuer and signer's title are set in capitals, but the draft
needs them as a sentence ("Tăng cường ứng dụng ... tỉnh Bắc Ninh"). Vietnamese has no
rule a program could apply for proper names, so the casing is learned from how the
body of the same text writes each word.
"""

from __future__ import annotations

import re


class Casing:
    """How the body writes each word, to turn a line in capitals into sentence case.

    "TĂNG CƯỜNG ... TỈNH BẮC NINH" becomes "Tăng cường ... tỉnh Bắc Ninh" because the
    body writes "Bắc" and "Ninh" capitalized and "tỉnh" in lower case. A word is
    judged with the word after it first ("Chủ tịch" but "chủ trì").
    """

    def __init__(self) -> None:
        self.votes: dict[str, list[int]] = {}  # word or word pair -> [lower, Capital, UPPER]

    def learn(self, text: str) -> None:
        words = list(re.finditer(r"\w+", text))
        for i, m in enumerate(words):
            word = m.group()
            gap = text[words[i - 1].end() : m.start()] if i else ""
            if i == 0 or re.search(r"[.:!?…\"“(]", gap) or any(c.isdigit() for c in word):
                continue  # a sentence start says nothing about the word
            if word.islower():
                vote = 0
            elif word.isupper() and len(word) > 1:
                vote = 2
            elif word[:1].isupper() and word[1:] == word[1:].lower():
                vote = 1
            else:
                continue
            keys = [word.lower()]
            if i + 1 < len(words) and text[m.end() : words[i + 1].start()] == " ":
                keys.append(f"{word.lower()} {words[i + 1].group().lower()}")
            for key in keys:
                self.votes.setdefault(key, [0, 0, 0])[vote] += 1

    def word(self, word: str, following: str, first: bool) -> str:
        if any(c.isdigit() for c in word):
            return word
        pair = self.votes.get(f"{word.lower()} {following.lower()}")
        lower, capital, upper = pair or self.votes.get(word.lower(), [0, 0, 0])
        if upper > lower + capital:
            return word.upper()
        if first or capital > lower:
            return word.capitalize()
        return word.lower()

    def sentence(self, text: str) -> str:
        parts = re.split(r"(\w+)", " ".join(text.split()))
        words = [i for i in range(1, len(parts), 2)]
        for n, i in enumerate(words):
            following = parts[words[n + 1]] if n + 1 < len(words) and parts[i + 1] == " " else ""
            parts[i] = self.word(parts[i], following, first=n == 0)
        return "".join(parts)
