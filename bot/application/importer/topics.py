"""Topics: what the directive is about, drafted from its subject and its headings.

The Q&A finds passages by a topic's name, and refuses a question about a subject the
lexicon lists as one the assistant does not cover ("chuyển đổi số" for 06) unless a
loaded directive covers it. So an imported directive carries, as the reviewed 06 pack
does, a topic for its own subject (the title without the action that opens it and the
place or period that closes it: "Đẩy mạnh chuyển đổi số tỉnh Bắc Ninh giai đoạn
2021-2025" -> "Chuyển đổi số") and one for each heading that says what its part is
about ("Kinh phí thực hiện"), each with the clauses that speak of it. Clauses and
duties list the topics of their clause. Drafts for the reviewer, like every title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.application.importer.clauses import Part
from bot.domain.knowledge import Clause, Duty, Topic
from nlu.normalize import fold_words as fold

# Words that open a subject without being what it is about ("Tăng cường công tác ...").
_ACTION = re.compile(
    r"(?:tiếp tục|đẩy mạnh|tăng cường|nâng cao|đẩy nhanh|triển khai|thực hiện|chấn chỉnh"
    r"|cải thiện|bảo đảm|đảm bảo|sử dụng|công tác|hiệu quả|việc|về)\s+",
    re.IGNORECASE,
)
# Where the place, period or setting of a subject starts ("... tỉnh Bắc Ninh giai đoạn
# 2021-2025", "... trong hoạt động của các cơ quan nhà nước").
_SCOPE = re.compile(
    r"\s+(?:tỉnh|thành phố|huyện|trên địa bàn|giai đoạn|năm\s+\d|đến năm|trong|tại|của)(?!\w)",
    re.IGNORECASE,
)
# "... cải cách hành chính và nâng cao chất lượng ...": two subjects in one title.
_AND_ACTION = re.compile(rf"(?:,|\s+và)\s+(?={_ACTION.pattern})", re.IGNORECASE)
# Headings every directive has: they say what kind of part it is, not its subject.
_GENERIC_HEADINGS = (
    *("nhiem vu", "giai phap", "to chuc thuc hien", "trach nhiem", "phan cong", "muc dich"),
    *("yeu cau", "noi dung", "ket qua", "dieu khoan", "hieu luc", "quan diem", "muc tieu"),
)
_MAX_WORDS = 12


def subject_phrases(title: str) -> list[str]:
    """What a title is about, one phrase per subject it joins with "và" + an action."""
    phrases = []
    for piece in _AND_ACTION.split(title):
        scope = _SCOPE.search(piece)
        phrase = _heading_phrase(piece[: scope.start()] if scope else piece)
        if phrase:
            phrases.append(phrase)
    return phrases


def _heading_phrase(heading: str) -> str:
    """What a heading is about, without the action that opens it; "" for a heading
    every directive has ("Nhiệm vụ cụ thể") or one too long to be a name."""
    phrase = heading.strip(" :.")
    while m := _ACTION.match(phrase):
        phrase = phrase[m.end() :]
    if not phrase or len(phrase.split()) > _MAX_WORDS:
        return ""
    if any(generic in fold(phrase) for generic in _GENERIC_HEADINGS):
        return ""
    return phrase


def _speaks_of(clause: Clause, phrase: str) -> bool:
    return f" {fold(phrase)} " in f" {fold(' '.join((clause.title, clause.text, *clause.items)))} "


def draft_topics(title: str, parts: Sequence[Part]) -> tuple[Topic, ...]:
    """The subject's topics, then the headings', each with the clauses speaking of it."""
    clauses = [p.clause for p in parts]
    numbered = [c.id for c in clauses if c.parent is None and not c.id.startswith("intro.")]
    found: dict[str, Topic] = {}

    def add(phrase: str, own: Sequence[str], fallback: Sequence[str]) -> None:
        topic_id = fold(phrase).replace(" ", "_")
        if topic_id in found:
            return
        speaking = [c.id for c in clauses if c.id in own or _speaks_of(c, phrase)]
        name = phrase[:1].upper() + phrase[1:]
        found[topic_id] = Topic(topic_id, name, clauses=tuple(speaking or fallback))

    for phrase in subject_phrases(title):
        add(phrase, (), numbered)  # a subject nothing repeats is the whole directive's
    for part in parts:
        phrase = _heading_phrase(part.subject) if part.subject else ""
        if phrase:
            own = [c.id for c in clauses if _under(c, part.clause.id, clauses)]
            add(phrase, own, own)
    return tuple(found.values())


def _under(clause: Clause, root: str, clauses: Sequence[Clause]) -> bool:
    """Whether `clause` is `root` or one of its descendants."""
    parents = {c.id: c.parent for c in clauses}
    at: str | None = clause.id
    while at is not None:
        if at == root:
            return True
        at = parents.get(at)
    return False


def with_topics(
    topics: Sequence[Topic], clauses: Sequence[Clause], duties: Sequence[Duty]
) -> tuple[tuple[Clause, ...], tuple[Duty, ...]]:
    """The clauses and duties with the topics that list their clause."""
    of: dict[str, tuple[str, ...]] = {
        c.id: tuple(t.id for t in topics if c.id in t.clauses) for c in clauses
    }
    return (
        tuple(replace(c, topics=of[c.id]) for c in clauses),
        tuple(replace(d, topics=of.get(d.clause, ())) for d in duties),
    )
