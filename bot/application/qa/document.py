"""Answers about the directive as a document: who signed it and when, a clause named
outright ("Mục 1.e nói gì"), and a document it cites ("Nghị định 43/2011 ...").

None of these searches: the question names what it asks about, or the answer is the
document's header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any
from weakref import WeakKeyDictionary

from bot.application.messages import Reply
from bot.application.qa.answer import Answer, make
from bot.application.qa.matching import contains
from bot.application.qa.views import HEADER_PART, RECIPIENT_NOTES, directive, label
from bot.domain.catalog import Catalog
from bot.domain.knowledge import Clause, Directive, RetiredDirective
from nlu.engine import Parse
from nlu.entities import FILLERS
from nlu.normalize import fold_words


def metadata(catalog: Catalog, parse: Parse, fact: str = "", summary: bool = False) -> Answer:
    """The facts of the directive's header the question asks for, each in one line
    (`fact`, "signer" or "date": the one asked by a bare "ai ký?"); the whole header
    block (number, date, signer, cited documents) only when it asks about the document
    in general, with its `summary` (its parts, who does what, its deadlines) when it
    asks what the document says ("tóm tắt chỉ thị", "chỉ thị nói về gì")."""
    facts = [fact] if fact else asked_facts(parse.tokens)
    d = directive(catalog)
    data: dict[str, Any] = {
        "d": d,
        "facts": facts,
        "recipients_line": "; ".join(
            r.strip().rstrip(";.") for r in d.recipients if not _kept_line(r)
        ),
        "kept_line": next((r.strip().rstrip(";. ") for r in d.recipients if _kept_line(r)), ""),
        "gazette": [(m.group(1), m.group(2)) for m in _GAZETTE_LINE.finditer(d.source_text)],
        "summary": _summary(catalog, d) if summary and not facts else None,
    }
    closing = [c for c in d.clauses if c.id == "closing"]
    if "executors" in facts and not closing:
        facts.remove("executors")
    data["closing"] = closing[0].text if closing else ""
    if "recipients" in facts:
        named = _named_recipient(catalog, parse)
        if named is not None:
            data["asked_recipient"] = named
    reply = Reply("qa/metadata", data)
    # Asked of the document as a whole ("tóm tắt chỉ thị"), it is as sure as a fact of
    # its header: no thread of earlier questions takes the question over.
    evidence = 1.0 if facts or summary else 0.0
    cited = [label(catalog, "closing")] if facts == ["executors"] else [HEADER]
    return make(parse, "metadata", reply, cited, evidence)


def _kept_line(line: str) -> bool:
    """ "Lưu: VT, XDCB.": where the issuer files it, no recipient."""
    return fold_words(line).lstrip(" -").startswith("luu")


def _summary(catalog: Catalog, d: Directive) -> dict[str, Any]:
    """What the directive says, in a few lines: each numbered part with its points'
    titles (and who does a point whose title does not name them), and its dates."""
    parts = []
    for part in (c for c in d.clauses if c.parent is None and c.id.isdigit()):
        points = []
        for point in (c for c in d.clauses if c.parent == part.id):
            leads = dict.fromkeys(
                a for duty in d.duties if duty.clause == point.id for a in duty.lead
            )
            # Of every body ("các sở, ban, ngành ..."): the part's title says so.
            agencies = [catalog.agencies[a] for a in leads if a in catalog.agencies]
            general = any(a.kind == "group" for a in agencies)
            doers = [
                a.short_name
                for a in agencies
                if not general and a.name not in point.title and a.short_name not in point.title
            ]
            points.append({"clause": point, "doers": doers})
        parts.append({"clause": part, "points": points})
    due = sorted((duty.timing.due, duty.title) for duty in d.duties if duty.timing.due is not None)
    return {"parts": parts, "deadlines": due}


HEADER = HEADER_PART
# The facts of the header a question may ask for, by its words (folded): each answered
# in a line of its own rather than the whole header (a trial's officials asked "ai ký"
# and read a 900-character block for one name).
POSITION_WORDS = (("chuc", "vu"), ("chuc", "danh"), ("cuong", "vi"))
EFFECT_WORDS = (("hieu", "luc"),)
SIGNER_WORDS = (("ai",), ("nguoi", "ky"), ("ten",))
WHEN_ASKED = (
    ("ngay", "nao"),
    ("ngay", "bao", "nhieu"),
    ("ngay", "may"),
    ("khi", "nao"),
    ("bao", "gio"),
    ("nam", "nao"),
    ("luc", "nao"),
    ("thoi", "gian", "nao"),
)


def asked_facts(tokens: Sequence[str]) -> list[str]:
    """The header facts ("position", "effective", "signer", "date", "recipients") the
    question asks for, in that order; none for a question about the document itself."""

    def has(phrases: Sequence[tuple[str, ...]]) -> bool:
        return any(contains(tokens, list(p)) for p in phrases)

    facts = []
    if has(POSITION_WORDS):
        facts.append("position")
    if has(EFFECT_WORDS):
        facts.append("effective")
    signed = "ky" in tokens
    if signed and has(SIGNER_WORDS) and "position" not in facts:
        facts.append("signer")
    # The signer's line gives the date it was signed; the effective date has its own.
    if has(WHEN_ASKED) and not {"signer", "effective"} & set(facts):
        facts.append("date")
    # "UBND" reads "ủy ban nhân dân": its "nhân" is no recipient; "gửi văn bản qua …"
    # is how documents are sent, a duty (Mục 1.b), not where the directive went.
    kept = without_phrase(tokens, ("nhan", "dan"))
    if has(SENT_BY):
        kept = without_phrase(kept, ("gui", "van", "ban"))
    if any(t in ("nhan", "gui") for t in kept):
        facts.append("recipients")
    if has(ISSUER_WORDS) and not facts:
        facts.append("issuer")
    if has(TITLE_WORDS) or has(NUMBER_WORDS):
        facts.append("title")  # its full name starts with its number
    if has(BASED_ON_WORDS):
        facts.append("based_on")
    if has(EXECUTORS_WORDS) and not facts:
        facts.append("executors")
    if has(REPLACES_WORDS):
        facts.append("replaces")
    if has(KEPT_WORDS) and not has(KEPT_ELECTRONIC):
        facts.append("kept")
    if has(GAZETTE_WORDS):
        facts.append("gazette")
    return facts


# "ngày đăng công báo", "số công báo": what the validity block of the source says.
GAZETTE_WORDS = (("cong", "bao"),)
# "• Ngày công báo: Đang cập nhật" in the source's validity block.
_GAZETTE_LINE = re.compile(r"^[\s•\-]*((?:Ngày|Số) công báo):\s*(.+?)\s*$", re.MULTILINE)


# "chỉ thị này lưu ở đâu", "bộ phận nào lưu": the "Lưu: …" line closing "Nơi nhận";
# not the storing of electronic documents (Mục 2.d's "lưu trữ văn bản điện tử").
KEPT_WORDS = (
    ("luu", "o", "dau"),
    ("noi", "luu"),
    ("nao", "luu"),
    ("luu", "tai", "dau"),
    ("luu", "o", "bo", "phan"),
    ("luu", "tai", "bo", "phan"),
    ("luu", "o", "don", "vi"),
    ("luu", "o", "co", "quan", "nao"),
)
KEPT_ELECTRONIC = (("luu", "tru"), ("dien", "tu"))


# "gửi văn bản qua Zalo / qua mạng": a way of sending (folded).
SENT_BY = (("gui", "van", "ban", "qua"),)
# "Chỉ thị 06 thay thế chỉ thị nào", "… bãi bỏ văn bản nào" (folded).
REPLACES_WORDS = (("thay", "the"), ("bai", "bo"), ("het", "hieu", "luc", "van", "ban"))


# "cơ quan nào ban hành", "do ai ban hành": who issued it (a line, not the header).
ISSUER_WORDS = (
    ("co", "quan", "nao", "ban", "hanh"),
    ("ai", "ban", "hanh"),
    ("don", "vi", "nao", "ban", "hanh"),
    ("noi", "ban", "hanh"),
    ("cap", "nao", "ban", "hanh"),
    # "do UBND tỉnh nào / UBND nào ban hành" ("ủy ban nhân dân" as the tokens read it)
    ("tinh", "nao", "ban", "hanh"),
    ("dan", "nao", "ban", "hanh"),
)
# "ai có trách nhiệm thi hành chỉ thị": the closing sentence, which names them.
EXECUTORS_WORDS = (
    ("trach", "nhiem", "thi", "hanh"),
    ("ai", "thi", "hanh"),
    ("phai", "thi", "hanh"),
)
# "số hiệu", "tên đầy đủ", "trích yếu": its full name, which starts with its number.
NUMBER_WORDS = (
    ("so", "hieu"),
    ("so", "ky", "hieu"),
    ("ky", "hieu", "van", "ban"),
    ("chi", "thi", "so", "may"),
)
TITLE_WORDS = (
    ("ten", "day", "du"),
    ("trich", "yeu"),
    ("ten", "goi"),
    ("ten", "chinh", "thuc"),
    # "là nghị quyết, quyết định hay chỉ thị", "thuộc loại văn bản gì": its type,
    # the first word of its full name.
    ("loai", "van", "ban"),
    ("hinh", "thuc", "van", "ban"),
    ("quyet", "dinh", "hay", "chi", "thi"),
    ("nghi", "quyet", "hay", "chi", "thi"),
    ("chi", "thi", "hay", "quyet", "dinh"),
    ("chi", "thi", "hay", "nghi", "quyet"),
)
# "thực hiện chỉ thị nào của Thủ tướng", "căn cứ văn bản nào": the higher document it
# carries out, which its purpose paragraph names.
BASED_ON_WORDS = (
    ("thuc", "hien", "chi", "thi", "nao"),
    ("thuc", "hien", "van", "ban", "nao"),
    ("thuc", "hien", "theo", "van", "ban"),
    ("thuc", "hien", "theo", "chi", "thi"),
    ("van", "ban", "nao", "cua", "thu", "tuong"),
    ("can", "cu", "van", "ban", "nao"),
    ("can", "cu", "vao"),
)
# Facts of the document as a whole, asked of it by name ("chỉ thị ... có số hiệu là
# gì"): answered from the header whatever kind of question the classifier takes it for.
DOCUMENT_FACTS = frozenset({"title", "issuer", "based_on", "executors"})


def asks_document_fact(parse: Parse) -> bool:
    tokens = parse.tokens
    names_it = contains(tokens, ["chi", "thi"]) or contains(tokens, ["van", "ban"])
    return names_it and bool(DOCUMENT_FACTS & set(asked_facts(tokens)))


def without_phrase(tokens: Sequence[str], phrase: tuple[str, ...]) -> list[str]:
    text = f" {' '.join(tokens)} ".replace(f" {' '.join(phrase)} ", " ")
    return text.split()


def names_recipients(parse: Parse) -> bool:
    """ "... có trong nơi nhận không": "Nơi nhận" is a part of the header, whatever
    agency or topic the rest of the question names; "Bộ Công an có nhận (chỉ thị này)
    không": whether a body is among the recipients, asked without naming the list."""
    if contains(parse.tokens, ["noi", "nhan"]):
        return True
    if _sent_to(parse):
        return True
    # "UBND" reads "ủy ban nhân dân": its "nhân" is no receiving.
    tokens = without_phrase(parse.tokens, ("nhan", "dan"))
    if "nhan" not in tokens or not _YES_NO & set(tokens):
        return False
    at = tokens.index("nhan")
    # A body's name before "nhận", nothing after it but "chỉ thị (này)" and the "không"
    # of a yes/no question: "Sở TT&TT có nhận báo cáo không" asks about reports.
    return (
        at >= 2
        and all(t in _RECEIVED_WORDS for t in tokens[at + 1 :])
        and _receives(parse.text, tokens[at - 1])
    )


# Words before a folded "nhan" that make it "nhân" of a noun ("dữ liệu cá nhân",
# "tư nhân"), when the question is typed without diacritics.
_NHAN_NOUNS = frozenset({"ca", "tu", "cong", "benh", "hon", "thuong", "chu", "nan"})


def _receives(text: str, before: str) -> bool:
    """Whether the folded "nhan" is the verb "nhận": the diacritics say it when typed
    ("nhận", not "nhân"); without them, the word before it."""
    typed = text.lower()
    if "nhận" in typed:
        return True
    if "nhân" in typed:
        return False
    return before not in _NHAN_NOUNS


def _sent_to(parse: Parse) -> bool:
    """ "(chỉ thị) có gửi Bộ TTTT không": a yes/no question whose only words besides
    the directive's are "gửi" and, after it, the name of a body (a recipient, not one
    that sends something: "Sở TT&TT có gửi báo cáo không" asks about reports)."""
    tokens = list(parse.tokens)
    if "gui" not in tokens or not _YES_NO & set(tokens):
        return False
    sent_at = tokens.index("gui")
    named = {t for e in parse.entities if e.entity == "agency" for t in e.text.split()}
    # The gazetteer's names leave out fillers ("Bộ Thông tin và Truyền thông").
    after = [t for t in tokens[sent_at + 1 :] if t not in _NOT_A_NAME and t not in FILLERS]
    return (
        bool(after)
        and all(t in named for t in after)
        and all(
            t in named or t in _NOT_A_NAME or t in FILLERS or any(c.isdigit() for c in t)
            for t in tokens
        )
    )


# Words of "X có nhận chỉ thị này không" that are not the name of X.
_NOT_A_NAME = frozenset(
    {"co", "nhan", "duoc", "gui", "cho", "toi", "den", "khong", "ko", "k", "chua", "hay"}
    | {"la", "chi", "thi", "nay", "van", "ban", "do", "trong", "nam", "noi", "a", "vay"}
    | {"cua", "gom", "nhung", "ai", "gi", "nao", "cac"}
)
# The words of the "Nơi nhận" line that stands for each kind of provincial body.
KIND_RECIPIENT_WORDS: dict[str, tuple[str, ...]] = {
    "department": ("so", "ban", "nganh"),
    "agency": ("so", "ban", "nganh"),
    "media": ("don", "vi", "thuoc", "tinh"),
    "district": ("cac", "huyen", "thi", "xa"),
}
# What makes it a yes/no question, not "gửi cho những ai".
_YES_NO = frozenset({"khong", "ko", "k", "chua", "hay"})
# What may follow "nhận" in "X có nhận chỉ thị này không".
_RECEIVED_WORDS = _YES_NO | {"chi", "thi", "van", "ban", "nay", "do", "a", "vay", "duoc"}


# What the marks after a recipient say it gets the document for.


def recipient_only(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "các huyện ủy có phải làm gì không": a body the directive names only in "Nơi
    nhận" (its clauses never do, nor does the catalog): no duty is given to it, and
    the line sending it the directive says why it gets it ("p/h chỉ đạo")."""
    names = [
        set(catalog.normalizer.tokens(catalog.agencies[a].name))
        for a in parse.values("agency")
        if a in catalog.agencies
    ]
    for line in directive(catalog).recipients:
        bodies = re.sub(r"\(.*?\)", "", line).strip(" ;.")
        for body in bodies.split(","):
            # As written: "TTTU" is no mistyped "TTTT" to expand here. "Cục KSTTHC –
            # Văn phòng Chính phủ" is the Cục, named alone as well.
            named_as = re.split(r"\s[–-]\s", body)[0]
            words = [w for w in re.findall(r"\w+", fold_words(named_as)) if w != "cac"]
            # ... or as the question's words read it ("KSTTHC": "kiểm soát TTHC").
            expanded = [w for w in catalog.normalizer.tokens(named_as) if w != "cac"]
            # Two words at least: one ("TTTU") is too easily another's typo.
            long_enough = len(words) >= 2
            # A body of the catalog (Văn phòng Chính phủ) is answered as one; an agency
            # read in part of the words ("các huyện" of "các huyện ủy") is no other.
            own = not any(name <= set(words) for name in names)
            if (
                long_enough
                and own
                and (contains(parse.tokens, words) or contains(parse.tokens, expanded))
                and not catalog.mentions(body.strip())
            ):
                why = [note for mark, note in RECIPIENT_NOTES.items() if mark in line]
                data = {
                    "d": directive(catalog),
                    "facts": ["recipient_only"],
                    "body": re.sub(r"^[Cc]ác\s+", "", bodies),
                    "line": line.rstrip(";. "),
                    "why": why[0] if why else "",
                    # "Các huyện ủy, thành ủy" are several; "Cục KSTTHC" is one.
                    "several": bool(re.match(r"[Cc]ác\s", bodies)) or "," in bodies,
                }
                return make(parse, "metadata", Reply("qa/metadata", data), [HEADER], 1.0)
    return None


def _named_recipient(catalog: Catalog, parse: Parse) -> dict[str, Any] | None:
    """ "Bộ TTTT có nhận chỉ thị này không": whether "Nơi nhận" names the body asked
    about, and the line naming it; None when the question asks for the whole list."""
    yes_no = bool(_YES_NO & set(parse.tokens))
    if not (yes_no or asks_why_received(parse)):
        return None
    name = [
        t
        for t in parse.tokens
        if t not in _NOT_A_NAME
        and t not in _RECEIVED_FOR_WORDS
        and t not in catalog.stopwords
        and t not in FILLERS  # "và" of a name the gazetteer left out
        and not any(c.isdigit() for c in t)
    ]
    if not name:
        return None
    # An agency of the province named by its own name: the line for its kind of body
    # ("Sở, ban, ngành, ...", "UBND các huyện, thị xã, ...") names it.
    kinds = [
        KIND_RECIPIENT_WORDS.get(catalog.agencies[a].kind, ())
        for a in parse.values("agency")
        if a in catalog.agencies
    ]
    lines = directive(catalog).recipients

    def by_name(line: str) -> bool:
        words = catalog.normalizer.tokens(line)
        # "TTTT" for "Thông tin và Truyền thông": initials, leaving out "và".
        initials = "".join(w[0] for w in words if w != "va" and w[:1].isalpha())
        return all(t in words or (len(t) > 1 and t in initials) for t in name)

    def by_kind(line: str) -> bool:
        words = catalog.normalizer.tokens(line)
        return any(kind and contains(words, list(kind)) for kind in kinds)

    # A line naming the body itself ("Văn phòng UBND tỉnh: các phòng, ban, …") before
    # the one for its kind ("Sở, ban, ngành, các đơn vị thuộc tỉnh").
    found = next(filter(by_name, lines), None) or next(filter(by_kind, lines), None)
    if found is None:
        return {"named": False, "line": "", "why": "", "yes_no": yes_no}
    why = [note for mark, note in RECIPIENT_NOTES.items() if mark in found]
    return {
        "named": True,
        "line": found.rstrip(";. "),
        "why": why[0] if why else "",
        "yes_no": yes_no,
    }


# How a question asks what a body gets the directive for, or who in it gets it
# ("nhận … với mục đích gì", "gửi để làm gì", "chỉ nhận để báo cáo", "những ai được
# nhận"), folded.
RECEIVED_FOR = (
    ("muc", "dich"),
    ("de", "lam", "gi"),
    ("vi", "sao"),
    ("tai", "sao"),
    ("de", "bao", "cao"),
    ("nhung", "ai"),
    ("ai", "duoc", "nhan"),
)
_RECEIVED_FOR_WORDS = frozenset(
    {"muc", "dich", "de", "lam", "vi", "sao", "tai", "bao", "cao", "voi", "nham", "thuoc"}
    | {"quan", "phai", "thuc", "hien", "chi", "rieng", "trong", "thi", "duoc", "ai"}
)


def received_for(catalog: Catalog, parse: Parse) -> bool:
    """Whether the question asks what a body "Nơi nhận" names gets the directive for."""
    named = _named_recipient(catalog, parse) if asks_why_received(parse) else None
    return named is not None and named["named"]


def asks_why_received(parse: Parse) -> bool:
    """ "Bộ TT&TT nhận chỉ thị 06 với mục đích gì": what a body receives it for."""
    # "UBND" reads "ủy ban nhân dân": its "nhân" is no receiving.
    tokens = without_phrase(parse.tokens, ("nhan", "dan"))
    return bool({"nhan", "gui"} & set(tokens)) and any(
        contains(tokens, list(p)) for p in RECEIVED_FOR
    )


# Words (folded) of a fact of the directive's header: who signed it, when it was issued.
HEADER_FACTS = {"ky": "signer", "ngay": "date", "ban hanh": "date", "hieu luc": "date"}
# Words of the signer's title and how they sign ("ký với chức vụ gì", "ông ... ký
# với tư cách gì", "chức danh của người ký"), folded.
SIGNING_TITLE_WORDS = frozenset(
    {"ong", "ba", "chuc", "vu", "danh", "tu", "cach", "cuong", "vi", "giu", "khi"}
)
# Question words that may go with them ("ai ký", "ngày nào", "khi nào ban hành").
HEADER_QUESTION_WORDS = frozenset({"ai", "nao", "khi", "bao", "gio", "la", "nguoi", "tu", "co"})


def bare_header_fact(
    parse: Parse, stopwords: frozenset[str], signers: frozenset[str] = frozenset()
) -> str:
    """ "ai ký", "ngày nào?": a message naming nothing and made only of question words
    and the words of one header fact; with no earlier question to follow, it asks about
    the directive itself. "ông Nhường ký với chức vụ gì": the signer's name (`signers`:
    its folded words) and title words may go with "ký". The fact ("signer", "date"),
    or "" for any other message ("position" for the signer's title)."""
    if parse.entities or not parse.tokens:
        return ""
    text = " ".join(parse.tokens)
    facts = {fact for words, fact in HEADER_FACTS.items() if contains(parse.tokens, words.split())}
    rest = text
    for words in HEADER_FACTS:
        rest = re.sub(rf"\b{words}\b", " ", rest)
    allowed = HEADER_QUESTION_WORDS | stopwords
    if facts == {"signer"}:
        allowed = allowed | signers | SIGNING_TITLE_WORDS
    if not facts or not all(t in allowed for t in rest.split()):
        return ""
    if facts == {"signer"} and any(contains(parse.tokens, list(p)) for p in POSITION_WORDS):
        return "position"  # "ông Nhường ký với chức vụ gì"
    # "ai ký (ngày nào)": the signer's line, which gives the date too; "ký ngày nào",
    # "ký khi nào" ask when: the date first.
    asks_who = any(t in parse.tokens for t in ("ai", "nguoi"))
    asks_when = "date" in facts or any(t in parse.tokens for t in ("khi", "gio"))
    return "signer" if "signer" in facts and (asks_who or not asks_when) else "date"


# "Chỉ thị 15 quy định gì?", "nội dung chính của chỉ thị là gì", "chỉ thị nói về gì",
# "cho xem tóm tắt chỉ thị": what the directive is
# about as a whole. The words such a question has besides the document's name.
OVERVIEW_ASKS = frozenset(
    {"quy dinh", "yeu cau", "noi dung", "de cap", "chi dao", "noi ve", "tom tat", "tong quan"}
)
OVERVIEW_WORDS = frozenset(
    {"quy", "dinh", "yeu", "cau", "noi", "dung", "de", "cap", "chi", "dao", "gi", "chinh"}
    | {"nhung", "the", "nao", "ra", "sao", "la", "ve", "van", "ban", "nay", "so", "nam"}
    | {"tom", "tat", "tong", "quan", "xem", "cho"}
)


def asks_overview(catalog: Catalog, parse: Parse, stopwords: frozenset[str]) -> bool:
    """A question about a directive as a whole: its name (type, number, year, or its
    own subject) and words like "quy định gì" only. The classifier read "Chỉ thị 06 quy
    định gì" as the header and "Chỉ thị 15 quy định gì" as a topic, and answered the
    latter with a fragment."""
    if other_document(catalog, parse) is not None or retired_directive(catalog, parse):
        return False  # "Thông tư 01/2011 quy định gì": a document not held, refused by name
    if by_cited_document(catalog, parse) is not None:
        return False  # "Chỉ thị 02/CT-TTg quy định gì": a document it cites, not itself
    subjects = " ".join(fold_words(d.title) for d in catalog.held)
    if any(e.entity != "topic" for e in parse.entities) or any(
        fold_words(t.name) not in subjects for t in catalog.topics_named(parse.values("topic"))
    ):
        return False
    text = " ".join(parse.tokens)
    if not any(re.search(rf"\b{words}\b", text) for words in OVERVIEW_ASKS):
        return False
    own = set(subjects.split()) | {w for words in DOCUMENT_TYPES for w in words}
    numbers = {
        n.lstrip("0")
        for d in catalog.held
        for n in (*re.findall(r"\d+", d.number), str(d.issued.year), str(d.issued.year)[2:])
    }
    digits = [t for t in parse.tokens if any(ch.isdigit() for ch in t)]
    if any(n.lstrip("0") not in numbers for t in digits for n in re.findall(r"\d+", t)):
        return False  # "con số 819 nói về gì": a figure, not the directive's number
    rest = [t for t in parse.tokens if not any(ch.isdigit() for ch in t) and t not in own]
    return all(t in OVERVIEW_WORDS or t in stopwords for t in rest)


def by_clause(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Mục 1.e nói gì": the clause itself; not a level typed "mức" ("định danh mức
    2", "dịch vụ công mức 3"), which folds as "mục" does."""
    typed = parse.text.lower()
    if re.search(r"(?<!\w)mức\s*\d", typed) and not re.search(r"(?<!\w)mục\s*\d", typed):
        return None
    clause_ids = [c for c in parse.values("clause") if c in catalog.clauses]
    clause_ids = clause_ids or _parts_named_by_title(catalog, parse)
    if not clause_ids:
        return None
    return clause_answer(catalog, parse, clause_ids)


def clause_answer(catalog: Catalog, parse: Parse, clause_ids: Sequence[str]) -> Answer:
    """The clauses themselves (two at most), each with its points."""
    views: list[dict[str, Any]] = []
    for clause_id in clause_ids[:2]:
        in_directive, clause = catalog.clauses[clause_id]
        children = [c for c in in_directive.clauses if c.parent == clause.id]
        views.append({"clause": clause, "children": children, "lead": _lead(clause)})
    reply = Reply("qa/clause", {"clauses": views})
    return make(parse, "clause", reply, [v["clause"].label for v in views], 1.0)


def clause_titled(catalog: Catalog, parse: Parse, ignored: frozenset[str]) -> str | None:
    """ "chỉ thị quy định gì về sử dụng hệ thống quản lý văn bản": a point whose
    heading holds every word the question asks about (and half its own words at
    least) is what it asks for, whole, not its one sentence sharing most words."""
    own = {t for t in parse.tokens if t not in ignored and t not in OVERVIEW_WORDS}
    says = any(contains(parse.tokens, list(p)) for p in WHAT_IT_SAYS)
    if len(own) < MIN_TITLE_WORDS or not says:
        return None
    for key, (_, clause) in catalog.clauses.items():
        title = set(catalog.normalizer.tokens(clause.title)) - ignored - OVERVIEW_WORDS
        if clause.parent and own <= title and len(own) >= len(title) / 2:
            return key
    return None


# The words a question must share with a point's heading to name it (one is a topic).
MIN_TITLE_WORDS = 3
# How a question asks what the text says of something (folded).
WHAT_IT_SAYS = (("quy", "dinh", "gi"), ("noi", "gi"), ("yeu", "cau", "gi"), ("de", "cap"))


# "Mục 3", "khoản 2.g": a part named by its number, which may not exist.
_PART_WORDS = frozenset({"muc", "khoan", "diem", "phan"})
_ASKS_ABOUT = frozenset(
    {"gi", "j", "noi", "ve", "la", "the", "nao", "a", "vay"}
    # "mục 3 của chỉ thị (này) nói gì"
    | {"cua", "chi", "thi", "nay"}
)
_PART_NUMBER = re.compile(r"^\d{1,2}(?:[.,]?[a-z])?$")
# "có mấy mục", "gồm bao nhiêu phần", "bố cục": how the directive is laid out.
_COUNTED = (("may",), ("bao", "nhieu"), ("nhung",), ("gom",))
_LAYOUT = (("bo", "cuc"), ("cau", "truc"))
_COUNTED_PARTS = (
    ("muc",),
    ("phan", "chinh"),
    ("phan", "lon"),
    ("phan", "nhiem", "vu"),
    ("nhiem", "vu", "chung"),
    ("nhiem", "vu", "cu", "the"),
)


def _parts_named_by_title(catalog: Catalog, parse: Parse) -> list[str]:
    """ "phần nhiệm vụ chung giao cho ai": a numbered part named by its heading after
    "phần / mục" (Mục 1. Nhiệm vụ chung); "đoạn kết của chỉ thị quy định gì": a part
    without a number named by its label (Đoạn kết)."""
    named = []
    # (Every heading named: "khác nhau giữa nhiệm vụ chung và nhiệm vụ cụ thể".)
    headings = [
        tuple(catalog.normalizer.tokens(c.title))
        for _, c in catalog.clauses.values()
        if not c.parent and c.id.isdigit()
    ]
    unheaded = list(parse.tokens)
    for heading in headings:
        if len(heading) > 1:
            unheaded = without_phrase(unheaded, heading)
    for key, (_, clause) in catalog.clauses.items():
        if clause.parent:
            continue
        if not clause.id.isdigit():
            label = catalog.normalizer.tokens(clause.label)
            if label and contains(parse.tokens, label):
                named.append(key)
            continue
        title = catalog.normalizer.tokens(clause.title)
        if title and any(contains(parse.tokens, [word, *title]) for word in ("phan", "muc")):
            named.append(key)
        elif (
            len(title) > 1
            and contains(parse.tokens, title)
            and all(t in OVERVIEW_WORDS or t in _ASKS_ABOUT or t in _PART_FOR for t in unheaded)
        ):
            # "nhiệm vụ chung áp dụng cho những ai": the heading alone, asked what it
            # holds or whom it is for, names the part as well.
            named.append(key)
    return named


# What "(nhiệm vụ chung) áp dụng cho những ai / giao cho cơ quan nào / gồm những gì"
# adds to a part's heading, folded.
_PART_FOR = frozenset(
    {"ap", "dung", "voi", "ai", "giao", "co", "quan", "don", "vi", "gom", "bao", "trong"}
    | {"chi", "thi", "cua", "thuc", "hien", "phai", "danh", "doi", "tuong", "hay"}
    # "khác nhau giữa nhiệm vụ chung và nhiệm vụ cụ thể": both parts, side by side.
    | {"khac", "nhau", "giua", "va", "so", "sanh", "phan", "biet"}
)


def _lead(clause: Clause) -> str:
    """The words of a clause before its bullets (all of it when it has none): its text
    holds the bullets too, which the answer lists once."""
    if not clause.items:
        return clause.text
    return clause.text.split(clause.items[0])[0].strip(" -\n")


# How a reply names a kind of part asked for by its folded word.
_PART_NAMES = {"muc": "Mục", "khoan": "Khoản", "diem": "Điểm", "phan": "Phần"}


def structure(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Chỉ thị có mấy mục", "mục 3 nói gì" (there is no Mục 3): the directive's
    numbered parts with their titles, saying first that the part asked for is not one
    of them. None for a question about neither."""
    tokens = parse.tokens
    missing = ""
    for i, token in enumerate(tokens[1:], start=1):
        # "mục 3 nói gì" asks about the part; "mức 3, 4 chiếm bao nhiêu %" (folded,
        # "mức" is "muc" too) about something else.
        after = list(tokens[i + 1 :])
        if after and len(after[0]) == 1 and after[0].isalpha() and "." not in token:
            token, after = token + after[0], after[1:]  # "2.g" is typed, "2 g" read
        about_it = all(t in OVERVIEW_WORDS or t in _ASKS_ABOUT for t in after)
        if tokens[i - 1] in _PART_WORDS and _PART_NUMBER.match(token) and about_it:
            number = token.replace(",", ".")
            if len(number) > 1 and number[-1].isalpha() and "." not in number:
                number = f"{number[:-1]}.{number[-1]}"
            if not any(c.id == number for c in directive(catalog).clauses):
                missing = f"{_PART_NAMES[tokens[i - 1]]} {number}"
                break
    # "Mục 1 điểm g": a point read with its part, which the directive does not have.
    unknown = [c for c in parse.values("clause") if c not in catalog.clauses]
    if not missing and unknown:
        missing = f"Mục {unknown[0]}"
    # Not "phần" alone: "bao nhiêu phần trăm", "mấy phần mềm"; "mấy phần chính" is.
    # (Of the document: "UBND TP Bắc Ninh có những nhiệm vụ cụ thể nào" asks its duties.)
    counted = (
        not parse.values("agency")
        and (
            any(contains(tokens, [*asked, *part]) for asked in _COUNTED for part in _COUNTED_PARTS)
            # "chỉ thị gồm mấy phần" ending the question (not "mấy phần trăm").
            or tuple(t for t in tokens if t not in ("a", "vay"))[-2:] in (("may", "phan"),)
        )
    )
    if not missing and not counted and not any(contains(tokens, list(w)) for w in _LAYOUT):
        return None
    clauses = directive(catalog).clauses
    numbered = [c for c in clauses if c.parent is None and c.id.isdigit()]
    parts: list[dict[str, Any]] = [
        {"clause": c, "children": [k for k in clauses if k.parent == c.id]} for c in numbered
    ]
    # "có bao nhiêu nhiệm vụ chung": the points of the part so headed, counted.
    counted_part = next(
        (
            p
            for p in parts
            if counted
            and p["children"]
            and contains(tokens, catalog.normalizer.tokens(p["clause"].title))
        ),
        None,
    )
    data = {"d": directive(catalog), "parts": parts, "missing": missing, "counted": counted_part}
    shown = [counted_part["clause"]] if counted_part else numbered
    citations = [c.label for c in shown]
    return make(parse, "structure", Reply("qa/structure", data), citations, 1.0)


def by_cited_document(catalog: Catalog, parse: Parse) -> Answer | None:
    """ "Nghị định 43/2011 ban hành ngày nào": a document the directive cites,
    named by its number (in full, or its first number after its type), or by its
    type and its issuer."""
    found = []
    # "chỉ thị của Thủ tướng về chữ ký số là số mấy": named by its type and issuer.
    issuers = {
        fold_words(name)
        for a in parse.values("agency")
        if a in catalog.agencies
        for name in (catalog.agencies[a].name, catalog.agencies[a].short_name)
    }
    for citing in catalog.kb.directives:
        for cited in citing.cites:
            number = catalog.normalizer.tokens(cited.number)
            doc_type = catalog.normalizer.tokens(cited.doc_type)
            first_number = re.split(r"[/\-]", number[0])[0] if number else ""
            typed = contains(parse.tokens, doc_type)
            # "Nghị định 43/2011" reads "43/2011": its first number is the document's.
            first_numbers = {re.split(r"[/\-]", t)[0] for t in parse.tokens}
            # "số hiệu văn bản thành lập BCĐ": "văn bản" stands for any type.
            any_type = typed or contains(parse.tokens, ["van", "ban"])
            named = (
                " ".join(number) in " ".join(parse.tokens)
                or (typed and first_number in first_numbers)
                or (typed and fold_words(cited.issuer) in issuers)
                or (
                    any_type
                    and _asks_which(parse)
                    and _about(catalog, parse, doc_type, cited.subject)
                )
            )
            if named:
                found.append((citing, cited))
    if not found:
        return None
    views: list[dict[str, Any]] = [
        {"cited": cited, "clause": label(catalog, cited.clause), "directive": citing}
        for citing, cited in found
    ]
    # "Quyết định 1987 gồm những thành viên nào", "Chỉ thị 02 quy định cụ thể những
    # gì": what the document itself says, which only its full text holds.
    of_its_content = asks_its_content(parse)
    # "Nghị định 43/2011 đã bị thay bằng nghị định nào": its standing today, which a
    # directive of 2019 cannot tell.
    of_its_standing = any(contains(parse.tokens, list(w)) for w in STANDING_ASKS)
    data = {
        "documents": views,
        "of_its_content": of_its_content and not of_its_standing,
        "of_its_standing": of_its_standing,
    }
    reply = Reply("qa/cited_document", data)
    return make(parse, "cited_document", reply, [v["clause"] for v in views], 1.0)


# How a question asks for what a document itself says, folded.
CONTENT_ASKS = (
    ("gom", "nhung"),
    ("quy", "dinh", "cu", "the"),
    ("quy", "dinh", "nhung"),
    ("noi", "dung", "chi", "tiet"),
    ("thanh", "vien"),
    ("co", "bao", "nhieu", "dieu"),
    ("toan", "van"),
    ("yeu", "cau", "cac"),
    ("lam", "gi"),
    ("nhung", "loai"),
    ("nhung", "muc"),
    ("bao", "nhieu", "nhiem", "vu"),
    ("nhiem", "vu", "cu", "the"),
)


def asks_its_content(parse: Parse) -> bool:
    """ "Quyết định 1987 gồm những thành viên nào": what a document itself says."""
    return any(contains(parse.tokens, list(w)) for w in CONTENT_ASKS)


# How a question asks whether a document still applies, folded.
STANDING_ASKS = (
    ("thay", "bang"),
    ("thay", "the"),
    ("bai", "bo"),
    ("het", "hieu", "luc"),
    ("con", "hieu", "luc"),
    ("sua", "doi"),
)


# How a question asks which document ("số mấy", "số hiệu", "quyết định nào"), folded.
# ("bn", typed for "bao nhiêu", reads "ban" as the lexicon expands it.)
WHICH_DOCUMENT = (("so", "may"), ("so", "hieu"), ("nao",), ("so", "bao", "nhieu"), ("so", "ban"))
# Words of such a question besides its subject.
WHICH_WORDS = frozenset({"so", "may", "hieu", "nao", "bao", "nhieu", "la", "gi", "van", "ban"})
# The share of the question's own words a cited document's subject must hold.
SUBJECT_SHARE = 0.8


def _asks_which(parse: Parse) -> bool:
    return any(contains(parse.tokens, list(w)) for w in WHICH_DOCUMENT)


def _about(catalog: Catalog, parse: Parse, doc_type: Sequence[str], subject: str) -> bool:
    """ "quyết định nào thành lập ban chỉ đạo": the question's own words (two at least)
    are nearly all the subject's."""
    said = set(catalog.normalizer.tokens(subject))
    own = [
        t
        for t in parse.tokens
        if t not in catalog.stopwords and t not in WHICH_WORDS and t not in doc_type
    ]
    return len(own) >= 2 and sum(t in said for t in own) >= SUBJECT_SHARE * len(own)


# Types of Vietnamese legal documents as typed (folded), and how a refusal names them.
DOCUMENT_TYPES = {
    ("chi", "thi"): "Chỉ thị",
    ("quyet", "dinh"): "Quyết định",
    ("qd",): "Quyết định",
    ("nghi", "dinh"): "Nghị định",
    ("nghi", "quyet"): "Nghị quyết",
    ("thong", "tu"): "Thông tư",
    ("cong", "van"): "Công văn",
    ("ke", "hoach"): "Kế hoạch",
    ("thong", "bao"): "Thông báo",
    ("luat",): "Luật",
    # "Đề án 06 của Chính phủ" (the national Project 06) is not Chỉ thị 06.
    ("de", "an"): "Đề án",
    ("cong", "dien"): "Công điện",
}


def _first_number(token: str) -> int | None:
    head = re.split(r"[/\-.]", token)[0]
    return int(head) if head.isdigit() else None


def other_document(catalog: Catalog, parse: Parse) -> str | None:
    """ "Chỉ thị 15/CT-UBND nói gì", "chỉ thị 05 là gì": a document named by its type
    and number that is neither a directive of the pack nor one it cites; its name,
    for a refusal that says which document the assistant does not hold."""
    known = _known_documents(catalog)
    for name, number, first in documents_named(parse.tokens):
        if (name, first) not in known:
            return f"{name} {number.upper()}"
    law = _law_named(parse.text)
    if law and not any(name == "Luật" for name, _ in known):
        return law
    return None


# A law is named by its title and year, not by a number: "Luật An toàn thông tin mạng
# 2015", "luat giao dich dien tu nam 2023". Not "quy định của pháp luật".
_LAW = re.compile(
    r"(?<![\w])(?<!pháp )(?<!phap )(luật|luat)\s+"  # the type, not "pháp luật"
    r"((?:[^\W\d_]+\s+){1,8}?)(?:năm\s+|nam\s+)?(\d{4})\b",  # its title and year
    re.IGNORECASE,
)


# ... or by its title alone, then what is asked of it ("Luật An toàn thông tin mạng có
# những nội dung chính nào", "… ban hành năm nào", "… đã sửa đổi chưa").
_LAW_TITLED = re.compile(
    r"(?<![\w])(?<!pháp )(?<!phap )(luật|luat)\s+((?:[^\W\d_]+\s+){2,7}?)"
    r"(?=(?:có|co|quy|nói|noi|là|la|gồm|gom|yêu|yeu|được|duoc|ban|ra|hiệu|hieu|đã|da"
    r"|sửa|sua|năm|nam|thay)\b)",
    re.IGNORECASE,
)


def _law_named(text: str) -> str | None:
    found = _LAW.search(text)
    if found is not None:
        return f"Luật {found.group(2).strip()} {found.group(3)}"
    titled = _LAW_TITLED.search(text)
    return f"Luật {titled.group(2).strip()}" if titled else None


# The documents a catalog holds or cites, worked out once per catalog (a catalog is
# replaced, never changed, on reload): with five directives loaded, tokenizing every
# citation on every question made answers a third slower than with one.
_KNOWN: WeakKeyDictionary[Catalog, frozenset[tuple[str, int]]] = WeakKeyDictionary()


def _known_documents(catalog: Catalog) -> frozenset[tuple[str, int]]:
    if catalog not in _KNOWN:
        known: set[tuple[str, int]] = set()
        for held in catalog.kb.directives:
            documents = [(held.doc_type, held.number)]
            documents += [(c.doc_type, c.number) for c in held.cites]
            for doc_type, number in documents:
                type_name, first = _document_key(catalog, doc_type, number)
                if first is not None:
                    known.add((type_name, first))
        _KNOWN[catalog] = frozenset(known)
    return _KNOWN[catalog]


def _document_key(catalog: Catalog, doc_type: str, number: str) -> tuple[str, int | None]:
    """("chi thi", 6) for Chỉ thị 06/CT-UBND: how a named document is matched."""
    first = _first_number(catalog.normalizer.tokens(number)[0])
    return DOCUMENT_TYPES.get(tuple(catalog.normalizer.tokens(doc_type)), ""), first


def retired_directive(catalog: Catalog, parse: Parse, subject: str = "") -> Answer | None:
    """A retired directive the question names by type and number ("chỉ thị 42/CT-UBND"),
    or the one whose title names `subject` when no directive in force does
    ("chuyển đổi số" once 15/2021 is retired): said to be retired, with the directives
    that apply, rather than refused as unknown or as a subject no directive covers."""
    retired = {_document_key(catalog, d.doc_type, d.number): d for d in catalog.kb.retired}
    named = documents_named(parse.tokens)
    chosen = [retired[(n, first)] for n, _, first in named if (n, first) in retired]
    if subject and not chosen:  # its title says what it was about
        wanted = f" {fold_words(subject)} "
        chosen = [d for d in catalog.kb.retired if wanted in f" {fold_words(d.title)} "]
    if not chosen and not named:
        chosen = _retired_by_title(catalog, parse.tokens)
    if not chosen:
        return None
    view = {"directive": chosen[0], "held": catalog.held_names}
    return make(parse, "retired", Reply("qa/retired", view))


# Two-word phrases a question must share with a retired directive's title, and no
# directive in force holds, to be about it: «không dùng tiền mặt» gives two
# («dùng tiền», «tiền mặt»); one alone is a coincidence.
RETIRED_TITLE_PHRASES = 2


def _retired_by_title(catalog: Catalog, tokens: Sequence[str]) -> list[RetiredDirective]:
    """The retired directives whose title shares the question's distinctive phrases
    (`RETIRED_TITLE_PHRASES`, none of them in any directive in force), the most first:
    «hạn thu học phí không dùng tiền mặt» once 11/2024 «về đẩy mạnh thanh toán không
    dùng tiền mặt…» is retired, never a passage of 06 matching «thanh toán»."""
    if not catalog.kb.retired:
        return []
    held = frozenset().union(*catalog.phrases_by_directive.values())
    asked = set(pairwise(tokens)) - held
    shared = [
        (len(asked & set(pairwise(catalog.normalizer.tokens(d.title)))), d)
        for d in catalog.kb.retired
    ]
    best = sorted((s for s in shared if s[0] >= RETIRED_TITLE_PHRASES), key=lambda s: -s[0])
    return [d for _, d in best]


def documents_named(tokens: Sequence[str]) -> list[tuple[str, str, int]]:
    """(type, number as typed, its first number) of each document a question names by
    type and number: "chỉ thị 99/CT-UBND", "chỉ thị số 06"."""
    found = []
    for words, name in DOCUMENT_TYPES.items():
        n = len(words)
        for i in range(len(tokens) - n):
            if tuple(tokens[i : i + n]) != words:
                continue
            after = list(tokens[i + n : i + n + 2])
            number = after[1] if after[:1] == ["so"] and len(after) == 2 else after[0]
            first = _first_number(number)
            if first is not None:
                found.append((name, number, first))
    return found
