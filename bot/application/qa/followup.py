"""Follow-up questions: what a user's last answer was about, and reading a short
question against it ("còn Sở Nội vụ thì sao?", "hạn khi nào?", "ai làm?").

A follow-up names a new agency or topic in place of the last one, or asks for the
deadline or the people of the duties just answered; anything longer or naming
something of its own is a question of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.application.qa.answer import Answer
from bot.application.qa.conversation import asks_which_bodies_lag
from bot.application.qa.matching import POLITE_WORDS
from nlu.engine import Parse
from nlu.normalize import fold

# Answers that give no thread to follow.
NO_THREAD = frozenset(
    {"refusal", "did_you_mean", "empty", "request", "greet", "goodbye", "thanks", "help"}
)
# A follow-up is short; a longer message says what it is about.
MAX_FOLLOW_UP_TOKENS = 8
# "còn X thì sao", "thế còn X", "X thì sao": the last question, about X.
ABOUT_ANOTHER = (("thi", "sao"), ("the", "con"), ("con",), ("vay", "con"), ("con", "voi"))
# Words of "hạn khi nào?", "bao giờ phải xong?" and of "ai làm?", "đơn vị nào chủ trì?".
WHEN_WORDS = frozenset(
    {"han", "thoi", "chot", "khi", "nao", "bao", "gio", "xong", "ngay", "cuoi", "luc", "may"}
)
# "đã quá hạn chưa", "trễ hạn chưa", "còn hạn không": the status of a deadline, read
# against today. Its "hạn" is a deadline's, never the "hạn" of "hạn chế" (shortcomings),
# which the classifier confused it with.
DEADLINE_STATUS = (("qua", "han"), ("tre", "han"), ("het", "han"), ("con", "han"), ("den", "han"))
STATUS_WORDS = frozenset({"qua", "tre", "het", "con", "den", "da", "chua", "khong", "sap"})
SHORTCOMING_WORDS = (("han", "che"), ("bat", "cap"), ("ton", "tai"), ("yeu", "kem"))


def asks_deadline_status(parse: Parse) -> Parse:
    """The parse of "... đã quá hạn chưa" as a deadline question whatever the
    classifier took it for (unless it also names shortcomings), without the words of
    the status, which no duty's text holds: the answer gives the status anyway."""
    status = [p for p in DEADLINE_STATUS if _has(parse.tokens, p)]
    if not status or any(_has(parse.tokens, p) for p in SHORTCOMING_WORDS):
        return parse
    if asks_which_bodies_lag(parse.tokens):
        return parse  # "đơn vị nào trễ hạn": the agencies' standing, not a duty's date
    said = {w for p in status for w in p if w != "han"} | {"da", "chua", "bi", "sap"}
    tokens = tuple(t for t in parse.tokens if t not in said)
    intent = parse.intent if parse.intent in ("ask_deadline", "ask_deadline_list") else None
    return replace(parse, tokens=tokens, intent=intent or "ask_deadline")


# What asks "when" (folded): a date, a deadline, a frequency. "khi" alone does not:
# "khi có sự cố ATTT thì báo cáo thế nào" states a condition ("when/if X happens").
ASKS_WHEN = (
    ("khi", "nao"),
    ("bao", "gio"),
    ("luc", "nao"),
    ("han",),
    ("ngay", "nao"),
    ("thoi", "gian"),
    ("bao", "lau"),
    ("dinh", "ky"),
    ("tan", "suat"),
    ("chu", "ky"),
    ("hang", "quy"),
    ("hang", "nam"),
    ("moc",),
    ("tien", "do"),
)


# Words that open a condition ("when", "if"), folded.
CONDITIONS = frozenset({"khi", "neu"})


def states_condition(parse: Parse) -> bool:
    """ "khi có sự cố ATTT thì ...", "nếu không làm được thì sao": a "khi" or "nếu"
    that opens a condition, in a message that asks no date, deadline or frequency."""
    tokens = parse.tokens
    return (
        bool(CONDITIONS & set(tokens))
        and not parse.values("date")
        and not any(_has(tokens, cue) for cue in ASKS_WHEN)
    )


def condition_not_when(parse: Parse) -> Parse:
    """A deadline reading of a message whose "khi" ("when", "if") opens a condition
    ("khi có sự cố ...", "khi xảy ra ...") and that asks no date, deadline or frequency:
    the intent the classifier ranked next, the others' probabilities renormalized."""
    if parse.intent != "ask_deadline" or not states_condition(parse):
        return parse
    return next_intent(parse)


def next_intent(parse: Parse) -> Parse:
    """`parse` read as the intent the classifier ranked next, the others' probabilities
    given that it is not the first (unchanged when there is no other)."""
    rest = 1.0 - parse.ranking[0][1] if len(parse.ranking) >= 2 else 0.0
    if rest <= 0:
        return parse
    ranking = tuple((intent, p / rest) for intent, p in parse.ranking[1:])
    return replace(parse, intent=ranking[0][0], confidence=ranking[0][1], ranking=ranking)


# What asks "by when" outright (folded), unlike "hạn" alone or a frequency.
# ... of which these ask nothing else ("… hạn khi nào", "… trước ngày nào").
BY_WHEN_OUTRIGHT = (
    ("han", "khi", "nao"),
    ("truoc", "ngay", "nao"),
    ("han", "chot"),
    # "… phải chuyển lên TTDL trước thời điểm nào", "chậm nhất đến ngày nào".
    ("truoc", "thoi", "diem", "nao"),
    ("cham", "nhat", "den", "ngay", "nao"),
    ("cham", "nhat", "la", "ngay", "nao"),
    ("cham", "nhat", "ngay", "nao"),
    ("cham", "nhat", "bao", "gio"),
    ("cham", "nhat", "khi", "nao"),
)
# ("có hạn không": whether it has one, not "có hạn chế".)
ASKS_BY_WHEN = (
    ("ngay", "nao"),
    ("khi", "nao"),
    ("bao", "gio"),
    ("luc", "nao"),
    ("thoi", "han"),
    ("co", "han", "khong"),
)


def when_asked(parse: Parse, sure: float) -> Parse:
    """ "Sở Nội vụ phải ban hành quy định lưu trữ VBĐT trước ngày nào": a question
    that asks "by when" in so many words, which the classifier, below `sure`, took for
    another kind (not the document's header) while ranking a deadline question among
    its first three, is a deadline question, as sure as its first choice was."""
    ranked = dict(parse.ranking[:3])
    # "hạn kiện toàn BCĐ …", "thời hạn …", "… có hạn không": asked in so many words,
    # its date whatever else the classifier read (not "hạn chế", shortcomings), after
    # a polite "dạ" or "a ơi".
    tokens = parse.tokens
    while tokens[:1] and tokens[0] in POLITE_WORDS:
        tokens = tokens[1:]
    leads_with_deadline = (
        (tokens[:1] == ("han",) and tokens[1:2] != ("che",))
        or tokens[:2] == ("thoi", "han")
        or parse.tokens[-3:] == ("co", "han", "khong")
        or any(_has(parse.tokens, cue) for cue in BY_WHEN_OUTRIGHT)
    )
    asks_by_when = leads_with_deadline or any(_has(parse.tokens, cue) for cue in ASKS_BY_WHEN)
    if parse.intent == "ask_deadline" and asks_by_when and parse.confidence < sure:
        # "thời hạn cập nhật bộ TTHC": a hesitant deadline question that asks by when
        # in so many words is one; a passage matching its subject's words better is
        # not what it asks (the shortcoming that some units update late).
        return replace(parse, confidence=sure)
    if leads_with_deadline and parse.intent not in ("ask_deadline", "ask_deadline_list"):
        ranking = (
            ("ask_deadline", sure),
            *((i, p) for i, p in parse.ranking if i != "ask_deadline"),
        )
        return replace(parse, intent="ask_deadline", ranking=ranking, confidence=sure)
    if (
        parse.intent in ("ask_deadline", "ask_deadline_list", "ask_metadata")
        or parse.confidence >= sure
        or "ask_deadline" not in ranked
        or not asks_by_when
    ):
        return parse
    others = tuple(
        (intent, ranked["ask_deadline"] if intent == parse.intent else p)
        for intent, p in parse.ranking
        if intent != "ask_deadline"
    )
    ranking = (("ask_deadline", parse.confidence), *others)
    # Led by "hạn", it asks nothing else: no runner-up competes with its date.
    confidence = sure if leads_with_deadline else parse.confidence
    return replace(parse, intent="ask_deadline", ranking=ranking, confidence=confidence)


def _has(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


WHO_WORDS = frozenset(
    {
        "ai",
        "nao",
        "don",
        "vi",
        "co",
        "quan",
        "lam",
        "thuc",
        "hien",
        "chiu",
        "trach",
        "nhiem",
        "chu",
        "tri",
        "phoi",
        "hop",
        "phu",
        "so",
        "ben",
    }
)


@dataclass(frozen=True)
class Context:
    """What the last answered question was about."""

    question: str
    intent: str
    agencies: tuple[str, ...] = ()
    duties: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


def context_of(answer: Answer) -> Context | None:
    """The thread an answer leaves, or None for one that answers nothing."""
    if answer.kind in NO_THREAD or answer.parse is None:
        return None
    parse = answer.parse
    return Context(
        parse.text,
        answer.intent,
        tuple(parse.values("agency")),
        answer.duties,
        tuple(parse.values("topic")),
    )


def _starts_or_ends_with(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return tokens[:n] == phrase or tokens[-n:] == phrase


def about_another(parse: Parse) -> bool:
    """ "còn Sở Nội vụ thì sao?": a short message naming an agency or a topic with a
    "what about" phrase and nothing else to ask."""
    named = parse.values("agency") or parse.values("topic")
    return (
        bool(named)
        and _length(parse) <= MAX_FOLLOW_UP_TOKENS
        and any(_starts_or_ends_with(parse.tokens, p) for p in ABOUT_ANOTHER)
    )


def _length(parse: Parse) -> int:
    """How many words a message says, a name counting as one: "cán bộ CNTT" is four
    tokens once its abbreviation is spelled out."""
    spelled = sum(
        len(e.text.split()) - 1 for e in parse.entities if e.entity in ("agency", "topic")
    )
    return len(parse.tokens) - spelled


def asks_only(parse: Parse, words: frozenset[str], stopwords: frozenset[str]) -> bool:
    """A short message naming nothing, made only of `words` (and stopwords)."""
    return (
        not parse.entities
        and 0 < len(parse.tokens) <= MAX_FOLLOW_UP_TOKENS
        and all(t in words or t in stopwords for t in parse.tokens)
        and any(t in words for t in parse.tokens)
    )


def asks_when_only(parse: Parse, stopwords: frozenset[str]) -> bool:
    """ "có hạn không?", "khi nào?": a short message naming nothing that asks only
    when, whatever kind of question the classifier, hesitating, took it for."""
    return asks_only(parse, WHEN_WORDS | STATUS_WORDS, stopwords) and any(
        _has(parse.tokens, cue) for cue in ASKS_WHEN
    )


# The words of the "what about" phrases.
ABOUT_WORDS = frozenset(w for p in ABOUT_ANOTHER for w in p)


def swapped(last: Parse, new: Parse) -> Parse:
    """The last question with the agencies (or topics) `new` names in place of its
    own: its words, minus the replaced names', plus the new message's words but the
    "what about" ones ("còn danh sách cán bộ CNTT thì sao": "danh sách" with the
    topic's name)."""
    kinds = {e.entity for e in new.entities if e.entity in ("agency", "topic")}
    replaced = {t for e in last.entities if e.entity in kinds for t in e.text.split()}
    added = [e for e in new.entities if e.entity in kinds]
    kept = [e for e in last.entities if e.entity not in kinds]
    named = {t for e in added for t in e.text.split()}
    tokens = [t for t in last.tokens if t not in replaced] + [
        t for t in new.tokens if t in named or t not in ABOUT_WORDS
    ]
    # Its text is the question it stands for, so that the next "thế còn Y?" swaps Y
    # into it, not into "còn X thì sao?".
    asked = tuple(tokens)  # every word kept: a name may repeat one ("thông tin ... thông")
    return replace(last, text=" ".join(asked), tokens=asked, entities=(*kept, *added))


# Where a message may hold a second question: after "?", ";", "và" or a comma ...
_JOINS = re.compile(
    r"\?\s*|;\s*|,\s*(?:(?:và|va)\s+)?|\s+(?:và|va|với lại|voi lai|còn|con)\s+", re.IGNORECASE
)
# ... when what precedes ends as a question does ("... phải làm gì") and what follows
# starts as one does ("hạn khi nào", "ai làm", "gửi về đâu").
QUESTION_ENDS = frozenset({"gi", "nao", "dau", "ai", "nhieu", "chua", "khong", "sao", "j"})
QUESTION_LEADS = frozenset({"han", "ai", "khi", "bao", "thoi", "ngay", "gui", "nop", "don"})


# How a question may end besides its last word: "hạn bao giờ", "bao lâu 1 lần".
ASKING_TAILS = (("bao", "gio"), ("bao", "lau"))
# ... within this many words of its end.
TAIL_WORDS = 4


def _ends_asking(words: list[str]) -> bool:
    tail = tuple(words[-TAIL_WORDS:])
    return bool(words) and (words[-1] in QUESTION_ENDS or any(_has(tail, t) for t in ASKING_TAILS))


def _parallel(first: list[str], second: list[str]) -> bool:
    """ "bao nhiêu camera và bao nhiêu chữ ký số", "hạn A và hạn B": the second part
    opens with the question word(s) the first asked with ("bao" with its "nhiêu": a
    "báo cáo" after "và" opens no question)."""
    lead = second[:2] if second[0] == "bao" else second[:1]
    n = len(lead)
    return any(first[i : i + n] == lead for i in range(len(first) - n + 1))


# How a part asks for a number, folded as typed ("bn": "bao nhiêu" in chat).
QUANTITY_WORDS = (("bao", "nhieu"), ("bn",), ("so", "luong"), ("ty", "le"))


def _counts(words: list[str]) -> bool:
    """ "bao nhiêu DVC mức 3,4 và đã cấp bao nhiêu CKS": each part asks for a number."""
    return any(_has(tuple(words), q) for q in QUANTITY_WORDS)


# What opens a question of its own ("chỉ thị yêu cầu gì", "ai xây dựng", "Sở X làm gì"),
# unlike the second noun of a list asked about ("… văn bản và hồ sơ gì").
_OPENERS = frozenset(
    {"chi", "thi", "van", "ban", "ai", "co", "so", "uy", "cac", "don", "noi", "ct", "nghi", "quyet"}
)


def _tells(words: list[str]) -> bool:
    return bool(words) and words[0] in _OPENERS


def _numbered(part: str, names_agency: Callable[[str], bool]) -> bool:
    """ "số camera giám sát": a part naming a number it asks for; "so", typed without
    its accent, may be a "Sở" ("so noi vu"): a number only when it names no agency."""
    lowered = part.lower()
    return lowered.startswith("số ") or (lowered.startswith("so ") and not names_agency(part))


def _any_name(part: str) -> bool:
    """Without the agencies' names at hand, an unaccented "so" is taken for a "Sở"."""
    return True


def _asks(words: list[str]) -> bool:
    """ "bằng quyết định nào", "mục 3 nói gì": a question word anywhere in a part of
    two words or more."""
    return len(words) >= 2 and (
        any(w in QUESTION_ENDS or w == "may" for w in words)
        or any(_has(tuple(words), tail) for tail in ASKING_TAILS)
    )


def _words(text: str) -> list[str]:
    """The folded words of `text`, without its punctuation ("gì?" is "gi")."""
    return re.findall(r"[\w&%]+", fold(text))


def two_parts(text: str, names_agency: Callable[[str], bool] = _any_name) -> tuple[str, str] | None:
    """ "Sở Nội vụ phải làm gì và hạn khi nào?", "Ban chỉ đạo do ai thành lập, bằng
    quyết định nào?": the two questions of a message that asks two, split where the
    second starts; None for one question."""
    for join in _JOINS.finditer(text):
        first, second = text[: join.start()].strip(), text[join.end() :].strip()
        words, asked = _words(second), _words(first)
        ends_asking = text[join.start()] == "?" or _ends_asking(asked)
        opens = len(asked) >= 2 and bool(words) and words[0] in QUESTION_LEADS
        counting = join.group().strip() != ","
        # ", còn camera bao nhiêu", ", trong đó của cá nhân bao nhiêu": a second
        # question on another thing, after a comma.
        follows = words[:1] == ["con"] or words[:2] == ["trong", "do"]
        if (
            (opens and (ends_asking or _parallel(asked, words) or _asks(asked)))
            or (len(asked) >= 2 and ends_asking and _asks(words))
            or ((counting or follows) and _counts(asked) and _counts(words))
            # "có bn DVC mức 3,4 và DVC trực tuyến phải ưu tiên gì": a number, then a
            # question of its own.
            or (counting and _counts(asked) and len(words) >= 4 and _asks(words))
            or (counting and _numbered(first, names_agency) and _numbered(second, names_agency))
            # "Đã cấp bao nhiêu CKS và chỉ thị yêu cầu gì về CKS?": two questions, each
            # with its question word, joined by "và" (not a list's comma).
            or (counting and len(asked) >= 2 and _asks(asked) and _asks(words) and _tells(words))
        ):
            return first, second
    return None


# A message is read as at most this many questions.
MAX_PARTS = 4


def all_parts(text: str, names_agency: Callable[[str], bool] = _any_name) -> list[str] | None:
    """ "Sở Nội vụ phải làm gì, hạn khi nào, gửi về đâu?": every question of a message
    that asks several (up to MAX_PARTS), or None for one question; `names_agency`
    tells whether a part names an agency ("so tai khoan email" does not)."""
    listed = _listed_under_subject(text) or _shared_quantity(text)
    if listed:
        return listed[:MAX_PARTS]
    parts = two_parts(text, names_agency)
    if parts is None:
        return None
    found = [parts[0]]
    rest = parts[1]
    while len(found) < MAX_PARTS - 1 and (split := two_parts(rest, names_agency)) is not None:
        found.append(split[0])
        rest = split[1]
    return [*found, rest]


# The questions listed after a subject and a colon.
_LISTED = re.compile(r",\s*|;\s*|\?\s*|\s+(?:và|va)\s+", re.IGNORECASE)
# A subject before a colon is at most this many words.
MAX_SUBJECT_WORDS = 12


def _listed_under_subject(text: str) -> list[str] | None:
    """ "Sự cố ATTT: ai chịu trách nhiệm, báo cáo về đâu, ai tập huấn?": each question
    after the colon, asked of the subject before it."""
    subject, colon, listed = text.partition(":")
    words = _words(subject)
    if not colon or not words or len(words) > MAX_SUBJECT_WORDS or _asks(words):
        return None
    questions = [q.strip() for q in _LISTED.split(listed) if q and q.strip()]
    if len(questions) < 2 or not all(_asks(_words(q)) or _leads(q) for q in questions):
        return None
    return [f"{subject.strip()} {q}" for q in questions]


def _leads(question: str) -> bool:
    words = _words(question)
    return len(words) >= 2 and words[0] in QUESTION_LEADS


# "phát hành và tiếp nhận bao nhiêu văn bản": two verbs of this many words sharing
# the quantity asked after them.
_SHARED = re.compile(
    r"^(?P<before>.*?)(?P<first>\S+(?:\s+\S+)?)\s+(?:và|va)\s+(?P<second>\S+\s+\S+)\s+"
    r"(?P<asked>(?:bao nhiêu|bao nhieu|bn|số lượng|so luong)\b.*)$",
    re.IGNORECASE,
)


def _shared_quantity(text: str) -> list[str] | None:
    """ "Năm 2018 phát hành và tiếp nhận bao nhiêu văn bản?": a question for each of
    two words of two syllables joined by "và" before "bao nhiêu"."""
    found = _SHARED.match(text.strip())
    if found is None or len(found["first"].split()) != 2 or _asks(_words(found["before"])):
        return None
    before = found["before"].strip()
    return [
        " ".join(p for p in (before, found[verb], found["asked"]) if p)
        for verb in ("first", "second")
    ]


# Words that ask rather than say what about: dropped from a question whose subject a
# shorter one inherits.
ASKING_WORDS = WHEN_WORDS | WHO_WORDS | QUESTION_ENDS | {"may", "la", "bang", "theo"}


def subject(parse: Parse, generic_words: frozenset[str]) -> str:
    """What a question is about, without the words that ask: "nộp báo cáo quý" of
    "Hạn nộp báo cáo quý là khi nào"; the names it holds stay whole ("báo cáo"), and
    so do the small words ("di" of "di chuyển" is a stopword)."""
    named = {t for e in parse.entities for t in e.text.split()}
    return " ".join(
        t for t in parse.tokens if t in named or not (t in ASKING_WORDS or t in generic_words)
    )


# "việc đó", "nhiệm vụ này", "cái đó": what the last question was about.
REFERENCES = tuple(
    (*head, tail)
    for head in (("viec",), ("nhiem", "vu"), ("cai",), ("van", "de"), ("noi", "dung"))
    for tail in ("do", "nay", "ay", "tren")
)


def without_reference(parse: Parse) -> tuple[str, ...] | None:
    """The words of "ai hướng dẫn việc đó?" without "việc đó"; None when the message
    refers to nothing said before."""
    for phrase in REFERENCES:
        n = len(phrase)
        for i in range(len(parse.tokens) - n + 1):
            if parse.tokens[i : i + n] == phrase:
                return parse.tokens[:i] + parse.tokens[i + n :]
    return None


# "cụ thể hơn", "chi tiết hơn", "nói rõ hơn", "xem thêm", "nguyên văn": the last answer
# in full (folded).
IN_FULL = (
    ("cu", "the"),
    ("chi", "tiet"),
    ("ro", "hon"),
    ("xem", "them"),
    ("nguyen", "van"),
    ("day", "du"),
    ("toan", "van"),
)
# What such a request says besides ("cụ thể hơn đi", "cho xem đầy đủ được không").
IN_FULL_FILLERS = frozenset(
    {"hon", "di", "nua", "cho", "xem", "noi", "duoc", "khong", "ko", "giup", "nhe", "a", "ra"}
)


def asks_in_full(parse: Parse, stopwords: frozenset[str]) -> bool:
    """ "cụ thể hơn đi", "xem nguyên văn": a short message naming nothing that asks
    for more of what was just answered, and for nothing else."""
    tokens = parse.tokens
    return (
        not parse.entities
        and 0 < len(tokens) <= MAX_FOLLOW_UP_TOKENS
        and any(_has(tokens, phrase) for phrase in IN_FULL)
        and all(
            t in IN_FULL_FILLERS or t in stopwords or any(t in p for p in IN_FULL) for t in tokens
        )
    )
