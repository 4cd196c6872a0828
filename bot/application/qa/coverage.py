"""Yes/no questions on whether the directive covers something ("chỉ thị có quy định về
họp trực tuyến không", "có được dùng zalo để gửi văn bản không"): when the sentence
found does not hold the words of that something, the answer says the directive does
not mention it, and the sentence is shown only as the nearest one, never as the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.views import directive
from bot.domain.catalog import Catalog
from nlu.engine import Parse
from nlu.normalize import fold_words

# What opens the asked-about part: "có", "có được", "có quy định (về)", "có yêu cầu",
# "có đề cập (đến)", "có nói (về)", "có nhắc (đến)" ... (folded words).
_HEAD_WORDS = frozenset(
    {"co", "duoc", "quy", "dinh", "yeu", "cau", "de", "cap", "noi", "nhac", "ve", "toi"}
    | {"den", "phep", "cho", "bat", "buoc", "huong", "dan", "gi", "nhung"}
)
# The yes/no particle that ends it.
_PARTICLES = frozenset({"khong", "ko", "k", "hong", "chua"})
# Words of obligation or permission ("bắt buộc", "nên", "được phép"), which the text
# says in its own words ("phải", "thực hiện nghiêm"): never the thing asked about.
MODAL_WORDS = frozenset(
    {"bat", "buoc", "nen", "can", "phai", "duoc", "phep", "khuyen", "khich", "su", "dung"}
    | {"ap", "trien", "khai", "thuc", "hien", "yeu", "cau", "quy", "dinh"}
)
# Words that join the asked-about things ("bản PDF kèm bản Word", "gửi qua zalo"),
# which the text may say otherwise ("cùng với"): not what is asked about either.
JOINING_WORDS = frozenset({"kem", "cung", "bang", "qua", "tu", "sang", "tai", "de", "boi"})
# Answers that quote the text, whose quotes are checked.
QUOTING = frozenset({"passages", "figure"})


def asked_subject(text: str) -> str:
    """The words of what a "có … không" question asks about, as typed ("họp trực
    tuyến" of "chỉ thị có quy định về họp trực tuyến không"); "" for another shape."""
    words = text.strip().rstrip("?!. ").split()
    folded = [fold_words(w) for w in words]
    if len(words) < 3 or folded[-1] not in _PARTICLES or "co" not in folded[:-1]:
        return ""
    start = folded.index("co") + 1
    while start < len(words) - 1 and folded[start] in _HEAD_WORDS:
        start += 1
    return " ".join(words[start:-1])


def quoted_texts(answer: Answer) -> list[str]:
    """The directive's words an answer quotes."""
    data: Mapping[str, Any] = answer.reply.data
    if answer.kind == "passages":
        return [p["text"] for p in data.get("passages", ())]
    if answer.kind == "figure":
        return [
            text
            for view in data.get("figures", ())
            for text in (view["figure"].quote, view.get("context", ""))
            if text
        ]
    return []


def missing_words(
    subject: Sequence[str], texts: Iterable[str], tokens: Callable[[str], list[str]]
) -> list[str]:
    """The words of `subject` (tokens) that none of `texts` holds."""
    held = {t for text in texts for t in tokens(text)}
    return [t for t in subject if t not in held]


def _said_anywhere(catalog: Catalog, words: Sequence[str]) -> bool:
    """Whether some clause of the directive holds `words` in a row."""
    phrase = f" {' '.join(words)} "
    return any(
        phrase in f" {' '.join(catalog.normalizer.tokens(clause.text))} "
        for _, clause in catalog.clauses.values()
    )


def not_mentioned(catalog: Catalog, parse: Parse, answer: Answer) -> Answer | None:
    """For "có … X … không" whose answer quotes sentences without X's own words (those
    that are not stopwords, generic or modal): the directive does not mention X; the
    quotes follow as the nearest passage. None when the question is not of that shape
    or the quotes hold X."""
    if answer.kind not in QUOTING:
        return None
    subject = asked_subject(parse.text)
    if not subject:
        return None
    ignored = catalog.stopwords | MODAL_WORDS | JOINING_WORDS
    words = [t for t in catalog.normalizer.tokens(subject) if t not in ignored]
    missing = missing_words(words, quoted_texts(answer), catalog.normalizer.tokens)
    if not words or not missing or _said_anywhere(catalog, words):
        # The quotes hold it, or the text says it in those words elsewhere (the
        # sentence found is then the wrong one, not a sign of silence).
        return None
    # The nearest answer's own template renders its data under the line that says so.
    data = {
        **answer.reply.data,
        "mentioning": {"directive": directive(catalog), "subject": subject},
        "nearest_template": answer.reply.template + ".j2",
    }
    reply = Reply("qa/not_mentioned", data, answer.reply.buttons)
    return make(parse, "not_mentioned", reply, answer.citations, answer.evidence)
