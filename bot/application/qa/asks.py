"""What a question mainly asks for when it is a kind of fact a directive seldom holds:
a price, a fine, where something is, an email address, a named person, the steps of a
procedure. When the directive's own words hold none of it, the question is refused by
naming what it asked for, instead of answered with the closest-looking passage (a
question on fines read the directive's sentences on accountability as its answer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.application.qa.matching import contains
from bot.domain.catalog import Catalog
from nlu.engine import Parse
from nlu.normalize import fold_words


@dataclass(frozen=True)
class Ask:
    name: str  # how the refusal names it ("mức xử phạt")
    phrases: tuple[tuple[str, ...], ...]  # folded words that ask for it
    support: tuple[str, ...]  # words of a directive that would answer it
    # Matched in the words as typed: spelling corrects a word the domain does not use
    # into one it does ("nhóm Zalo" read "hôm Zalo").
    as_typed: bool = False


# "giá" asked as a price: "giá ... bao nhiêu", "giá một ...", never the "giá" of
# "đánh giá", "giá trị" (or the "gia" of "quốc gia", "tham gia", "gia hạn" once folded).
NOT_A_PRICE_BEFORE = frozenset({"danh", "quoc", "tham", "chuyen", "gia", "dong", "ca"})
NOT_A_PRICE_AFTER = frozenset({"tri", "han", "dinh", "tang", "nhap", "dien", "cong"})
PRICE_WITH = (("bao", "nhieu"), ("mot",), ("la", "bao"), ("bn",))
PRICE = "giá, chi phí"
EMAIL = "địa chỉ email"
SALARY = "lương, thu nhập"
SUPPLIER = "hãng, nhà cung cấp"
DOCUMENT_NUMBER = "số hiệu của văn bản này"
# What names the directive itself in "chỉ thị này có số hiệu là gì" (folded).
THIS_DIRECTIVE = (("chi", "thi"), ("van", "ban", "nay"), ("ct",))
# Documents a directive may ask for, whose number it cannot know (folded).
OTHER_DOCUMENTS = (
    ("quy", "dinh"),
    ("quyet", "dinh"),
    ("ke", "hoach"),
    ("van", "ban"),
    ("de", "an"),
    ("thong", "tu"),
    ("nghi", "dinh"),
    ("nghi", "quyet"),
)
# A supplier asked for ("nhà cung cấp … là ai / nào"), not named in passing ("chữ ký số
# công cộng (mua của nhà cung cấp) thì có phải đổi không"), folded.
SUPPLIER_NAMES = (("nha", "cung", "cap"), ("don", "vi", "cung", "cap"))
WHICH_ONE = frozenset({"nao", "ai", "gi", "dau"})
# "lượng" folds as "lương" (salary) does: "số lượng", "chất lượng", "dung lượng"...
NOT_A_SALARY_BEFORE = frozenset(
    {"so", "chat", "khoi", "dung", "trong", "nang", "luu", "dinh", "tong"}
)
# "email" reads "thư điện tử", which the directive counts (accounts): of an agency
# named, and not counted or used, it is that agency's address. A mailbox counted or
# given out ("bao nhiêu hộp thư công vụ đã được cấp") is those accounts too.
NOT_AN_ADDRESS = (("tai", "khoan"), ("bao", "nhieu"), ("su", "dung"), ("dung",))
MAILBOXES_COUNTED = (
    ("bao", "nhieu"),
    ("so", "luong"),
    ("duoc", "cap"),
    ("da", "cap"),
    ("tai", "khoan"),
    ("cap", "cho"),
)
ASKS = (
    Ask(
        "mức xử phạt",
        (("xu", "phat"), ("bi", "phat"), ("muc", "phat"), ("tien", "phat"), ("nop", "phat")),
        ("xử phạt", "phạt tiền", "mức phạt"),
    ),
    Ask(
        "giá, chi phí",
        (("bao", "nhieu", "tien"), ("chi", "phi"), ("gia", "tien"), ("don", "gia"), ("gia", "ban")),
        ("giá tiền", "đơn giá", "chi phí", "giá bán"),
    ),
    Ask(
        "địa điểm",
        (
            ("dat", "o", "dau"),
            ("nam", "o", "dau"),
            ("dat", "tai", "dau"),
            ("dia", "diem"),
            ("toa", "lac"),
            ("o", "cho", "nao"),
        ),
        ("đặt tại", "địa điểm", "tọa lạc", "nằm tại"),
    ),
    Ask(
        EMAIL,
        (("email",), ("mail",), ("hop", "thu"), ("dia", "chi", "thu")),
        ("email", "hộp thư", "địa chỉ thư"),
    ),
    Ask(
        "thủ tục xin cấp, cách đăng ký, cài đặt",
        (
            ("thu", "tuc", "xin"),
            ("thu", "tuc", "cap"),
            ("xin", "cap"),
            ("ho", "so", "xin"),
            ("cach", "dang", "ky"),
            ("cach", "cai"),
            ("sao", "dang", "ky"),
            ("nao", "dang", "ky"),
            ("huong", "dan", "dang", "ky"),
            ("tao", "tai", "khoan"),
            ("huong", "dan", "cai"),
            ("thu", "tuc", "dang", "ky"),
            ("dang", "ky", "ntn"),
            ("dang", "ky", "nhu", "the", "nao"),
            ("ho", "so", "dang", "ky"),
            ("dang", "ky", "tai", "khoan"),
            # "hướng dẫn em cài chữ ký số", "cài app gì" (not "cái", which folds alike).
            ("dan", "em", "cai"),
            ("dan", "toi", "cai"),
            ("dan", "minh", "cai"),
            ("cai", "chu", "ky"),
            ("cai", "app"),
            ("cai", "dat", "chu", "ky"),
            ("thu", "tuc", "ra", "sao"),
            ("thu", "tuc", "the", "nao"),
            ("thu", "tuc", "nhu", "the", "nao"),
            ("dang", "ky", "cap"),
            ("dang", "ky", "o", "dau"),
            # "hướng dẫn giúp em cài …", "… từng bước": steps of doing it.
            ("giup", "em", "cai"),
            ("giup", "toi", "cai"),
            ("tung", "buoc"),
            ("cac", "buoc", "cai"),
        ),
        ("đăng ký", "cài đặt", "tạo tài khoản", "xin cấp"),
    ),
    Ask(
        "thời gian giải quyết (số ngày làm việc)",
        (
            ("mat", "may", "ngay"),
            ("mat", "bao", "lau"),
            ("mat", "bao", "nhieu", "ngay"),
            ("ngay", "lam", "viec"),
        ),
        ("ngày làm việc",),
    ),
    Ask("hình thức kỷ luật", (("ky", "luat"),), ("kỷ luật",)),
    # "thời hạn sử dụng chứng thư số": how long a thing may be used, no deadline.
    Ask("thời hạn sử dụng", (("han", "su", "dung"),), ("hạn sử dụng",)),
    # "quy định quản lý chữ ký số số hiệu bao nhiêu": the number of a document the
    # directive only asks for (its own and those it cites are answered before).
    Ask(DOCUMENT_NUMBER, (), ()),
    # "thành viên BCĐ gồm những ai": who sits on a body (its count is `uncounted`'s).
    Ask(
        "thành viên, thành phần",
        (("thanh", "vien", "gom"), ("gom", "nhung", "ai")),
        ("thành viên",),
    ),
    # (Not a subject of the lexicon's: its words would become the domain's, and "hướng
    # dẫn sử dụng Zalo" no longer help with something else.)
    Ask("nhóm Zalo", (("nhom", "zalo"),), ("Zalo",), as_typed=True),
    # (Named in so many words, "mức lương", "phụ cấp" are the lexicon's uncovered
    # subjects; "lương" alone is found as typed, below.)
    Ask(SALARY, (), ("lương",)),
    Ask(
        SUPPLIER,
        # Not "không biết hãng nào" (of unknown make, which the text does speak of).
        (
            ("cua", "hang", "nao"),
            ("hang", "san", "xuat"),
            ("cong", "ty", "nao"),
            ("do", "cong", "ty"),
            ("doanh", "nghiep", "nao", "cung", "cap"),
        ),
        ("nhà cung cấp", "hãng sản xuất", "đơn vị cung cấp"),
    ),
    Ask(
        "quy chuẩn, tiêu chuẩn kỹ thuật",
        (("quy", "chuan"), ("tieu", "chuan", "ky", "thuat"), ("thong", "so", "ky", "thuat")),
        ("quy chuẩn", "tiêu chuẩn kỹ thuật", "thông số kỹ thuật"),
    ),
    Ask(
        "các bước, quy trình thực hiện",
        (("nhung", "buoc"), ("cac", "buoc"), ("buoc", "nao"), ("bao", "nhieu", "buoc")),
        ("các bước", "bước 1"),
    ),
    Ask(
        "địa chỉ (trụ sở, trang web)",
        (("dia", "chi"), ("duong", "link"), ("duong", "dan", "truy", "cap")),
        ("địa chỉ",),
    ),
    Ask(
        "số tiền, kinh phí cụ thể",
        (
            ("bao", "nhieu", "ty"),
            ("bao", "nhieu", "trieu"),
            ("bao", "nhieu", "dong"),
            ("so", "tien"),
            ("tong", "kinh", "phi"),
            ("kinh", "phi", "bao", "nhieu"),
            ("ngan", "sach", "bao", "nhieu"),
            ("ty", "dong"),
            ("trieu", "dong"),
        ),
        ("tỷ đồng", "triệu đồng", "nghìn đồng"),
    ),
)
# "ông Nguyễn Văn A", "bà Trần Thị B": a person named after a title, as typed.
_PERSON = re.compile(r"\b(?:ông|bà|anh|chị|đồng chí|đ/c)\s+((?:[A-ZĐ]\w*\s*){2,})")


def unsupported_ask(catalog: Catalog, parse: Parse) -> str:
    """How a refusal names what the question mainly asks for, when it is a kind of fact
    the directive's words do not hold; "" otherwise."""
    person = _PERSON.search(parse.text)
    if person:
        name = person.group(1).strip()
        # (The signer is named by the header: "ông Nguyễn Tiến Nhường ký với chức vụ gì".)
        signers = {fold_words(d.signer_name) for d in catalog.held}
        if not catalog.mentions(name) and fold_words(name) not in signers:
            return f"thông tin về cá nhân ({name})"
    # The words as typed too: spelling may correct a word of the domain's vocabulary
    # away ("nhóm Zalo" read "hôm Zalo").
    typed = fold_words(parse.text).split()
    for ask in ASKS:
        words = typed if ask.as_typed else parse.tokens
        asked = any(contains(words, list(p)) for p in ask.phrases)
        if ask.name == EMAIL and any(contains(words, list(p)) for p in MAILBOXES_COUNTED):
            asked = False
        asked = asked or (ask.name == PRICE and _asks_a_price(parse.tokens))
        asked = asked or (ask.name == EMAIL and _asks_an_address(parse))
        asked = asked or (ask.name == SALARY and _asks_a_salary(parse))
        asked = asked or (ask.name == SUPPLIER and _asks_a_supplier(parse.tokens))
        asked = asked or (ask.name == DOCUMENT_NUMBER and _asks_another_number(parse.tokens))
        if asked and not any(catalog.mentions(s) for s in ask.support):
            return ask.name
    return ""


def _asks_a_price(tokens: Sequence[str]) -> bool:
    for i, token in enumerate(tokens):
        if token != "gia":
            continue
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if before in NOT_A_PRICE_BEFORE or after in NOT_A_PRICE_AFTER:
            continue
        if any(contains(tokens[i + 1 :], list(p)) for p in PRICE_WITH):
            return True
    return False


def _asks_an_address(parse: Parse) -> bool:
    return (
        contains(parse.tokens, ["thu", "dien", "tu"])
        and bool(parse.values("agency"))
        and not any(contains(parse.tokens, list(p)) for p in NOT_AN_ADDRESS)
    )


def _asks_a_salary(parse: Parse) -> bool:
    """ "lương" as typed (read before spelling is corrected, which may turn the "chất"
    of "chất lượng" into another word), outside the names found ("huyện Lương Tài")."""
    unnamed = f" {' '.join(parse.tokens)} "
    for e in parse.entities:
        unnamed = unnamed.replace(f" {e.text} ", " ")
    words = fold_words(parse.text).split()
    return "luong" in unnamed.split() and any(
        w == "luong" and (i == 0 or words[i - 1] not in NOT_A_SALARY_BEFORE)
        for i, w in enumerate(words)
    )


def _asks_another_number(tokens: Sequence[str]) -> bool:
    """ "số hiệu" of a document neither the directive nor one it cites by number."""
    return (
        contains(tokens, ["so", "hieu"])
        and any(contains(tokens, list(p)) for p in OTHER_DOCUMENTS)
        and not any(contains(tokens, list(p)) for p in THIS_DIRECTIVE)
        and not any(c.isdigit() for t in tokens for c in t)
    )


def _asks_a_supplier(tokens: Sequence[str]) -> bool:
    for name in SUPPLIER_NAMES:
        for i in range(len(tokens) - len(name) + 1):
            if tuple(tokens[i : i + len(name)]) == name and WHICH_ONE & set(tokens[i:]):
                return True
    return False
