"""Yes/no questions on whether the directive covers something ("chỉ thị có quy định về
họp trực tuyến không", "có được dùng zalo để gửi văn bản không"): when the sentence
found does not hold the words of that something, the answer says the directive does
not mention it, and the sentence is shown only as the nearest one, never as the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.application.messages import Button, Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.duties import DUTY_WORDS
from bot.application.qa.matching import POLITE_WORDS, contains, negates, receivers_named
from bot.application.qa.views import directive, names, passage_view
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
    {"bat", "buoc", "nen", "can", "phai", "duoc", "phep", "khuyen", "khich", "su", "dung", "cam"}
    | {"ap", "trien", "khai", "thuc", "hien", "yeu", "cau", "quy", "dinh"}
    # ... nor the role asked about ("có phải chủ trì … không"): the text gives the
    # agency's role in its own words, which the answer quotes.
    | {"chu", "tri", "phoi"}  # not "hop": folded, "họp" (a meeting) is "hợp"
)
# Words that join the asked-about things ("bản PDF kèm bản Word", "gửi qua zalo"),
# which the text may say otherwise ("cùng với"): not what is asked about either.
JOINING_WORDS = frozenset(
    {"kem", "cung", "bang", "qua", "tu", "sang", "tai", "de", "boi", "duoi", "tren"}
    # ... nor the verbs of sending, which it says otherwise ("lập danh sách báo cáo
    # qua Sở TT&TT" for "nộp danh sách").
    | {"nop", "gui", "trinh"}
    # ... nor "gắn (với)", which it says "lồng ghép".
    | {"gan"}
)
# Words of scope ("cho từng cơ quan", "mỗi đơn vị"), which the text says with "các":
# not what is asked about.
SCOPE_WORDS = frozenset({"tung", "moi"})
# Everyday words the text says otherwise: "tránh chồng chéo" (it says «không chồng
# chéo»), "mua thiết bị" («sử dụng», «đầu tư»), "dùng tiếp / triển khai nữa" (whether it
# goes on: the sentence on it answers).
EVERYDAY_WORDS = frozenset({"tranh", "mua", "sam", "tiep", "nua"})
# Words for a kind of thing a "which" question asks over ("dạng file nào", "hình thức
# nào"), folded.
KIND_WORDS = frozenset({"dang", "loai", "kieu", "file", "tep", "hinh", "thuc", "phuong", "an"})
# Words asking for an agency's duties besides DUTY_WORDS ("nhiệm vụ riêng nào trong
# chỉ thị", "bị giao làm gì"), folded.
AGENCY_DUTY_WORDS = frozenset(
    {"rieng", "chung", "bi", "lam", "chi", "thi", "nay", "nao", "tham", "gia"}
)
# How many words of what is asked one sentence must hold, apart, to be its answer.
HELD_TOGETHER = 4
# Answers that quote the text, whose quotes are checked.
QUOTING = frozenset({"passages", "figure", "duties"})


@dataclass(frozen=True)
class Asked:
    """What a "có … không" or a "which X" question asks about."""

    words: str  # as typed, what the quotes must hold ("an toàn để gửi văn bản mật")
    shown: str  # how the reply names it, with what precedes "có" ("Zalo an toàn …")
    # Asked of the document itself ("chỉ thị có quy định X không"): "Không" answers it.
    # "Zalo có an toàn … không" asks about Zalo, and a "which X" question about X: a
    # bare "Không" would read as the directive's verdict on them.
    of_document: bool


def asked_subject(text: str) -> Asked | None:
    """What a "có … không" question asks about ("họp trực tuyến" of "chỉ thị có quy
    định về họp trực tuyến không"), or a "which X" question ("phần mềm quản lý trường
    học" of "Sở GD phải triển khai phần mềm quản lý trường học nào"); None for another
    shape."""
    words = text.strip().rstrip("?!. ").split()
    folded = [fold_words(w) for w in words]
    while folded and folded[-1] in _TRAILING:
        words, folded = words[:-1], folded[:-1]
    if len(words) >= 3 and folded[-1] == "nao":
        which = _which(words, folded)
        return Asked(which, which, of_document=False) if which else None
    if len(words) < 3 or folded[-1] not in _PARTICLES or "co" not in folded[:-1]:
        return None
    start = folded.index("co") + 1
    # Not a polite opening ("Dạ cho tôi hỏi có được …"): no part of what is asked.
    opening = 0
    while opening < start - 1 and folded[opening] in POLITE_WORDS:
        opening += 1
    before = words[opening : start - 1]
    of_document = all(fold_words(w) in _DOCUMENT_WORDS or w.isdigit() for w in before)
    if not before and folded[start : start + 1] and folded[start] in _MAY_OR_MUST:
        # "có được dùng phần mềm nước ngoài không" asks what one may do, not whether
        # the text speaks of it: a bare "Không" would read as a ban.
        of_document = False
    while start < len(words) - 1 and folded[start] in _HEAD_WORDS:
        start += 1
    asked = " ".join(words[start:-1])
    if before and all(w in _DOCUMENT_WORDS | _HEAD_WORDS for w in folded[start:-1]):
        # "Họp trực tuyến có quy định gì trong chỉ thị không": what precedes "có" is
        # asked about, of the document.
        subject = " ".join(before)
        return Asked(subject, subject, of_document=True)
    if not asked:
        return None
    shown = asked if of_document else " ".join([*before, asked])
    return Asked(asked, shown, of_document)


# Words that name the document a "có … không" question asks of ("chỉ thị 06 này").
_DOCUMENT_WORDS = frozenset({"chi", "thi", "ct", "van", "ban", "nay", "so", "tren", "trong"})


# Particles a question may end with after its asking word ("... nào ạ", "nào vậy").
_TRAILING = frozenset({"a", "vay", "nhi", "the", "day", "ha", "nhe"})
# Words before "nào" that make it ask when or how ("khi nào", "thế nào", "ngày nào").
_NOT_WHICH = frozenset({"khi", "the", "luc", "ngay", "thang", "nam", "cach", "bao", "nhu"})
# A "which X" question's X is at most this many words before "nào".
_MAX_WHICH_WORDS = 6


def _which(words: Sequence[str], folded: Sequence[str]) -> str:
    """X of "… X nào": the words before "nào" back to a modal word, a question word
    or a stopword-like verb ("phải triển khai"), of at least two words."""
    if folded[-2] in _NOT_WHICH:
        return ""
    start = len(words) - 1
    while (
        start > 0
        and len(words) - 1 - start < _MAX_WHICH_WORDS
        and folded[start - 1] not in MODAL_WORDS | _HEAD_WORDS | _WHICH_STOPS
    ):
        start -= 1
    return " ".join(words[start:-1]) if len(words) - 1 - start >= 2 else ""


# Words that end a "which X" phrase from the left besides the modal ones.
_WHICH_STOPS = frozenset({"la", "thuoc", "o", "cua", "voi", "tai", "va", "hay", "nhung", "cac"})


def quoted_texts(answer: Answer, catalog: Catalog | None = None) -> list[str]:
    """The directive's words an answer quotes (with `catalog`, an agency's list of
    duties quotes them)."""
    data: Mapping[str, Any] = answer.reply.data
    if answer.kind == "duties" and catalog is not None:
        return [catalog.duties[d][1].text for d in answer.duties if d in catalog.duties]
    if answer.kind == "passages":
        return [p["text"] for p in data.get("passages", ())]
    if answer.kind == "deadline":
        # The piece of each duty stating its date, or the whole sentence ("Nguyên văn").
        return [d["quote"] for d in data.get("duties", ()) if d.get("quote")]
    if answer.kind == "figure":
        return [
            text
            for view in data.get("figures", ())
            # The label says what is counted, which a short quote may not.
            for text in (view["figure"].quote, view["figure"].label, view.get("context", ""))
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


def _held_by_one(
    catalog: Catalog, parse: Parse, words: str, ignored: frozenset[str], evidence: float
) -> Answer | None:
    """The first sentence holding every one of `words` but the `ignored` (names
    included; four words at least: fewer, folded, meet by chance), quoted."""
    wanted = {t for t in catalog.normalizer.tokens(words) if t not in ignored}
    if len(wanted) < HELD_TOGETHER:
        return None
    holder = next(
        (p for p in catalog.passages if wanted <= set(catalog.normalizer.tokens(p.text))), None
    )
    if holder is None:
        return None
    view = passage_view(catalog, holder)
    reply = Reply("qa/passages", {"passages": [view]})
    return make(parse, "passages", reply, [view["clause"]], evidence, holder.duty_ids)


def held_by_one_sentence(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Có quy định về tập huấn an toàn thông tin không": a yes/no question on what
    one sentence says in so many words ("cử cán bộ … tập huấn về an toàn thông tin"),
    which the overviews of each topic it names would bury."""
    asked = asked_subject(parse.text)
    if asked is None:
        return None
    ignored = catalog.stopwords | MODAL_WORDS | JOINING_WORDS | SCOPE_WORDS | EVERYDAY_WORDS
    return _held_by_one(catalog, parse, asked.words, ignored, 1.0)


def not_mentioned(
    catalog: Catalog, parse: Parse, answer: Answer, suggestions: tuple[Button, ...]
) -> Answer | None:
    """For "có … X … không" whose answer quotes sentences without X's own words (those
    that are not stopwords, generic or modal): the directive does not mention X; the
    quotes follow as the nearest passage, unless they would only pad a "Không" (below):
    questions the directive does answer, `suggestions`, are offered instead. None when
    the question is not of that shape or the quotes hold X."""
    if answer.kind not in QUOTING:
        return None
    asked = asked_subject(parse.text)
    if asked is None:
        detail = detail_not_given(catalog, parse.text, answer)
        return with_nearest(catalog, parse, answer, detail, False) if detail else None
    named = {t for e in parse.entities for t in e.text.split()}
    ignored = catalog.stopwords | MODAL_WORDS | JOINING_WORDS | SCOPE_WORDS | EVERYDAY_WORDS
    if answer.kind == "duties":
        # "Công an tỉnh có được giao nhiệm vụ gì không": the words that ask for duties
        # are answered by the list, whatever they are.
        ignored = ignored | DUTY_WORDS | AGENCY_DUTY_WORDS
    if not asked.of_document:
        # "gửi dưới dạng file nào": the kind asked over is named by the answer's
        # members («bản Word, Excel»), not by the word for the kind.
        ignored = ignored | KIND_WORDS
    # An agency or topic the question names is what the duties found are of, not
    # what the text must hold ("Sở Công Thương có phải báo cáo hàng quý không").
    words = [
        t
        for t in catalog.normalizer.tokens(asked.words)
        if t not in ignored | named and not any(c.isdigit() for c in t)
    ]
    missing = missing_words(words, quoted_texts(answer, catalog), catalog.normalizer.tokens)
    if not words or not missing or _said_anywhere(catalog, words):
        # The quotes hold it, or the text says it in those words elsewhere (the
        # sentence found is then the wrong one, not a sign of silence).
        return None
    # "… có yêu cầu áp dụng chữ ký số trên thiết bị di động không": one sentence holds
    # every word of it, apart (a shortcoming of the preamble): that sentence.
    held = _held_by_one(catalog, parse, asked.words, ignored, answer.evidence)
    if held is not None:
        return held
    # The nearest answer's own template renders its data under the line that says so.
    mentioning = {
        "directive": directive(catalog),
        "subject": asked.shown,
        "yes_no": asked.of_document,
    }
    # Asked what the directive says ("chỉ thị có quy định về Zalo công vụ không"), with
    # the head of what is asked, its first two words, not in the quotes: they share a
    # qualifier at most ("trực tuyến" of "họp trực tuyến"). A practical question
    # ("có được tự mua máy chủ … không") keeps its nearest passage, which may guide.
    shown = [t for t in catalog.normalizer.tokens(asked.shown) if t not in ignored | named]
    head = (shown or words)[:2]
    quoted = [catalog.normalizer.tokens(text) for text in quoted_texts(answer, catalog)]
    # Nor is a passage near a subject whose head, or a name in it ("nhóm Zalo"), the
    # directives never use (an everyday word they do not, "chậm", they may say otherwise).
    said = {w for words in catalog.words_by_directive.values() for w in words}
    # (A name read as the lexicon spells it out: "CKS" is "chữ ký số".)
    names = [catalog.normalizer.tokens(w) for w in asked.shown.split()[1:] if w[:1].isupper()]
    unheard = (bool(head) and head[0] not in said) or any(
        any(t not in said for t in n) for n in names
    )
    if (
        answer.kind != "duties"
        and (contains(parse.tokens, ["chi", "thi"]) or unheard)
        and not any(contains(tokens, head) for tokens in quoted)
    ):
        reply = Reply("qa/not_mentioned", {"mentioning": mentioning}, suggestions)
        return make(parse, "not_mentioned", reply, (), answer.evidence)
    return with_nearest(catalog, parse, answer, asked.shown, asked.of_document)


def with_nearest(
    catalog: Catalog,
    parse: Parse,
    answer: Answer,
    subject: str,
    yes_no: bool,
    unnamed: bool = False,
) -> Answer:
    """ "… không đề cập đến «subject»" ("… không nêu tên từng …" for bodies it does not
    name), then `answer` as the nearest passage."""
    mentioning = {
        "directive": directive(catalog),
        "subject": subject,
        "yes_no": yes_no,
        "unnamed": unnamed,
    }
    data = {
        **answer.reply.data,
        "mentioning": mentioning,
        "nearest_template": answer.reply.template + ".j2",
    }
    reply = Reply("qa/not_mentioned", data, answer.reply.buttons)
    return make(parse, "not_mentioned", reply, answer.citations, answer.evidence)


# How a question asks for a length of time in units ("trong vòng bao nhiêu giờ", "mất
# mấy ngày"), folded: a number the quotes must give.
DURATION_ASKS = (
    ("trong", "vong", "bao", "nhieu"),
    ("trong", "vong", "may"),
    ("bao", "nhieu", "gio"),
    ("may", "gio"),
    ("bao", "nhieu", "phut"),
    ("bao", "nhieu", "ngay"),
    ("may", "ngay"),
)
# Particles that end a yes/no question rather than a choice ("… hay không").
_NOT_A_CHOICE = _PARTICLES | {"chua", "ko"}
# Numbers a figure gives together ("mức độ 3, 4", "mức 3 và 4").
_JOINED_NUMBERS = re.compile(r"\b\d+\s*(?:,|và)\s*\d+\b")
# How many words an alternative of a choice may have ("Windows 10 hay Win 11").
_MAX_ALTERNATIVE_WORDS = 3


def detail_not_given(catalog: Catalog, text: str, answer: Answer) -> str:
    """What a question asks that the sentences found speak of but do not give: a choice
    neither of whose sides they name ("bắt buộc Windows 10 hay Win 11": «Windows có bản
    quyền»), a length of time they give no number for ("báo cáo trong vòng bao nhiêu
    giờ": «kịp thời»), specifics where they say "một số" ("những điểm nào cụ thể").
    The words asked, as typed; "" when they give it or the question asks none."""
    said = " ".join(" ".join(catalog.normalizer.tokens(q)) for q in quoted_texts(answer, catalog))
    quoted = set(said.split())
    words = text.strip().rstrip("?!. ").split()
    folded = [fold_words(w) for w in words]
    while folded and folded[-1] in _TRAILING:
        words, folded = words[:-1], folded[:-1]
    if "hay" in folded[1:-1]:
        at = len(folded) - 1 - folded[::-1].index("hay")
        right = words[at + 1 :]
        left = words[max(0, at - len(right)) : at]
        if len(right) <= _MAX_ALTERNATIVE_WORDS and fold_words(right[-1]) not in _NOT_A_CHOICE:
            sides = [set(catalog.normalizer.tokens(" ".join(side))) for side in (left, right)]
            apart = (sides[0] | sides[1]) - (sides[0] & sides[1])
            if apart and not apart & quoted:
                return " ".join([*left, "hay", *right])
    numbered = any(any(c.isdigit() for c in t) for t in quoted)
    for phrase in DURATION_ASKS:
        for i in range(len(folded) - len(phrase) + 1):
            if tuple(folded[i : i + len(phrase)]) == phrase and not numbered:
                return " ".join(words[i:])
    joined = any(_JOINED_NUMBERS.search(q) for q in quoted_texts(answer, catalog))
    if "rieng" in folded and joined:
        # "dịch vụ công mức độ 4 riêng": the text counts «mức độ 3, 4» together.
        at = folded.index("rieng")
        return " ".join(words[max(0, at - _MAX_ALTERNATIVE_WORDS) : at + 1])
    if " cu the " in f" {fold_words(text)} " and " mot so " in f" {said} ":
        part = next(p for p in text.split(",") if "cu the" in fold_words(p))
        return part.strip().rstrip("?!. ")
    return ""


# "có được / có phải / có cần / có bắt buộc … không" (folded).
_MAY_OR_MUST = frozenset({"duoc", "phai", "can", "bat", "nen", "bi"})


# "Sở Công Thương có phải báo cáo … không", "UBND xã có cần … ko": a yes/no question of
# whether an agency must do something (folded).
_MUST = frozenset({"phai", "can", "duoc", "bi", "chiu"})


# Answers about one duty (or two), whose first a yes/no question's "Có" is about: not
# an agency's list of duties, which may hold what was asked or not.
ONE_DUTY = frozenset({"passages", "deadline", "responsible"})


def not_theirs(catalog: Catalog, parse: Parse, answer: Answer) -> Answer | None:
    """For "<agency> có phải <do X> không" answered with duties none of which reaches
    that agency (by name or through a group it belongs to): "Không" for that agency
    first, then whose duty it is; answered with one duty that reaches it first: "Có".
    None for another question, or a list of duties one of which reaches it."""
    # The agency asked of, not one a report goes to ("báo cáo UBND tỉnh hàng quý").
    receivers = receivers_named(parse)
    agencies = [a for a in parse.values("agency") if a not in receivers]
    # (Not the "cán" of "cán bộ", which folds as "cần" does.)
    typed = [w for w in parse.text.strip().rstrip("?!. ").split() if w.lower() != "cán"]
    folded = fold_words(" ".join(typed)).split()
    if (
        len(agencies) != 1
        or not answer.duties
        or not folded
        or folded[-1] not in _PARTICLES
        # Not the tag of "… xong trước 31/5 phải không": a question on the date.
        or not _MUST & set(folded[:-2] if folded[-2:-1] in (["phai"], ["dung"]) else folded)
    ):
        return None
    if answer.reply.data.get("not_on"):
        return None  # "Không phải hàng tháng: …" answers the yes/no already
    agency = catalog.agencies[agencies[0]]
    reaching = {a.duty.key: a for a in catalog.assignments(agency)}
    first = reaching.get(answer.duties[0])
    # "Có" only to "X có phải / có cần / có được … không" ("… hạn 30/6 đúng không"
    # asks of a date; "cần" folds like "cán bộ"), and never of a duty saying not to
    # ("không triển khai hạ tầng … dùng riêng").
    asks_must = any(contains(folded, ["co", must]) for must in _MUST)
    if (
        first is not None
        and answer.kind in ONE_DUTY
        and asks_must
        and not negates(catalog.normalizer.tokens(first.duty.text))
    ):
        # "Sở Nội vụ có phải lồng ghép … không": "Có" first, with its part in it.
        data = {
            **answer.reply.data,
            "theirs": {"agency": agency.short_name, "leads": first.role == "lead"},
            "nearest_template": answer.reply.template + ".j2",
        }
        reply = Reply("qa/theirs", data, answer.reply.buttons)
        return make(parse, answer.kind, reply, answer.citations, answer.evidence, answer.duties)
    if set(reaching) & set(answer.duties):
        return None
    duties = [catalog.duties[d][1] for d in answer.duties if d in catalog.duties]
    doers = list(dict.fromkeys(n for d in duties for n in names(catalog, d.lead)))
    data = {
        **answer.reply.data,
        "not_theirs": {"agency": agency.short_name, "doers": doers},
        "nearest_template": answer.reply.template + ".j2",
    }
    reply = Reply("qa/not_theirs", data, answer.reply.buttons)
    return make(parse, answer.kind, reply, answer.citations, answer.evidence, answer.duties)


# Kinds of body a "which ones are still not …" question asks to be named (folded).
BODY_KINDS = (("don", "vi"), ("co", "quan"), ("dia", "phuong"), ("xa",), ("huyen",), ("so",))
# What such a question asks after "nào": a state, not a duty ("sở nào phải …").
_STILL = frozenset({"chua", "con", "van"})


def unnamed_bodies(text: str) -> tuple[str, str]:
    """ "xã nào chưa có trang TTĐT": the bodies it asks to be named, as typed ("từng
    xã chưa có trang TTĐT"), and the question without "nào" (what the directive says of
    them, in aggregate: «hơn 30% UBND cấp xã…», «một số đơn vị…»); ("", "") otherwise."""
    words = text.strip().rstrip("?!. ").split()
    folded = [fold_words(w) for w in words]
    while folded and folded[-1] in _TRAILING:
        words, folded = words[:-1], folded[:-1]
    for at, word in enumerate(folded):
        if word != "nao":
            continue
        for kind in BODY_KINDS:
            if tuple(folded[max(0, at - len(kind)) : at]) != kind:
                continue
            if kind == ("so",) and _a_number(words[at - 1], folded[at - 2 : at - 1]):
                continue  # "chỉ số nào", "số nào": no "sở"
            if at + 1 < len(folded) and folded[at + 1] in _STILL:
                named = [*words[at - len(kind) : at], *words[at + 1 :]]
                return "từng " + " ".join(named), " ".join(words[:at] + words[at + 1 :])
            # "Danh sách các xã đã có trang TTĐT là những xã nào": asked last, of
            # bodies in a state said before ("đã / chưa có …"), no duty.
            state = next((i for i, w in enumerate(folded[:at]) if w in _STATES), None)
            if at == len(folded) - 1 and state is not None and not _DUTY & set(folded):
                end = at - len(kind)
                while end > state and folded[end - 1] in _WHICH_OPENERS:
                    end -= 1
                named = [*words[at - len(kind) : at], *words[state:end]]
                return "từng " + " ".join(named), " ".join(words[:end])
    return "", ""


def _a_number(typed: str, before: Sequence[str]) -> bool:
    """Whether "so" is "số" (typed so, or "chỉ số" typed without diacritics), not "sở"."""
    return (typed.lower() != fold_words(typed) and "sở" not in typed.lower()) or before == ["chi"]


# The states a "which ones" question may ask bodies to be named in ("đã có", "chưa").
_STATES = frozenset({"chua", "con", "da"})  # not "van": folded, "văn bản" is no "vẫn"
# What opens "… là những xã nào" before the kind of body.
_WHICH_OPENERS = frozenset({"la", "nhung", "cac", "gom"})
# Words of a duty: "những sở nào phải báo cáo" asks who must, which the text says.
_DUTY = frozenset({"phai", "can", "giao", "chiu", "lam", "trach", "nhiem"})
