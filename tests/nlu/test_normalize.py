import unicodedata

import pytest

from nlu.normalize import MAX_CHARS, Normalizer, clean, decode_telex, fold, sanitize

ABBREVIATIONS = {"tt&tt": "thong tin va truyen thong", "cntt": "cong nghe thong tin"}


def test_fold_strips_diacritics_and_handles_d_stroke() -> None:
    assert fold("Đài Phát thanh và Truyền hình ĐẠI") == "dai phat thanh va truyen hinh dai"


def test_decomposed_and_composed_input_normalize_alike() -> None:
    text = "Sở Thông tin và Truyền thông"
    normalizer = Normalizer()
    assert normalizer.normalize(unicodedata.normalize("NFD", text)) == normalizer.normalize(text)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("sowr", "so"),
        ("noij", "noi"),
        ("vuj", "vu"),
        ("dduwowngf", "duong"),
        ("caanf", "can"),
        ("gif", "gi"),
        ("chuws", "chu"),
        ("kys", "ky"),
    ],
)
def test_telex_leftovers_are_decoded(typed: str, folded: str) -> None:
    assert decode_telex(typed) == folded


@pytest.mark.parametrize("word", ["windows", "pdf", "cks", "index", "word", "excel", "so", "ubnd"])
def test_non_telex_words_are_left_alone(word: str) -> None:
    assert decode_telex(word) == word


def test_abbreviations_expand_and_numbers_keep_their_separators() -> None:
    normalizer = Normalizer(ABBREVIATIONS)
    assert normalizer.tokens("Sở TT&TT cấp 9.289 tài khoản, 46%, hạn 31/12/2019") == [
        "so",
        "thong",
        "tin",
        "va",
        "truyen",
        "thong",
        "cap",
        "9.289",
        "tai",
        "khoan",
        "46%",
        "han",
        "31/12/2019",
    ]


def test_unknown_ampersand_abbreviation_is_split() -> None:
    assert Normalizer().tokens("Sở KH&ĐT") == ["so", "kh", "va", "dt"]


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("UNBD", "uy ban nhan dan"),  # two letters swapped
        ("UBNND", "uy ban nhan dan"),  # a letter doubled
        ("CNTTT", "cong nghe thong tin"),
        ("CNT", "cnt"),  # too short to guess
        ("hanh", "hanh"),  # a Vietnamese syllable is never taken for a typo
        ("cloud", "cloud"),  # nothing within one edit
    ],
)
def test_a_mistyped_abbreviation_is_expanded_when_it_is_unambiguous(
    typed: str, expanded: str
) -> None:
    normalizer = Normalizer({"ubnd": "uy ban nhan dan", "cntt": "cong nghe thong tin"})
    assert " ".join(normalizer.tokens(typed)) == expanded


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("ct06 nói gì", "chi thi 06 noi gi"),
        ("QD1987", "quyet dinh 1987"),
        ("mp3 ipv6", "mp3 ipv6"),  # letters not an abbreviation: left as typed
    ],
)
def test_an_abbreviation_glued_to_a_number_is_read_apart(typed: str, expanded: str) -> None:
    normalizer = Normalizer({"ct": "chi thi", "qd": "quyet dinh"})
    assert " ".join(normalizer.tokens(typed)) == expanded


def test_a_typo_between_two_abbreviations_is_left_alone() -> None:
    normalizer = Normalizer({"tttt": "thong tin va truyen thong", "ttdt": "thong tin dien tu"})
    assert normalizer.tokens("ttt") == ["ttt"]  # short; and "tttd" is one edit from both
    assert normalizer.tokens("tttd") == ["tttd"]


def test_clean_removes_control_characters_and_bounds_length() -> None:
    assert clean("a\x00b\x1b[31mc\u200bd\n\te") == "ab[31mcd e"
    assert len(clean("x" * 10_000)) == MAX_CHARS


INVISIBLE = (
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)


@pytest.mark.parametrize("character", list(INVISIBLE))
def test_sanitize_removes_each_invisible_character_inside_a_word(character: str) -> None:
    assert sanitize(f"Sở Nội v{character}ụ") == "Sở Nội vụ"


def test_sanitize_removes_controls_keeps_tab_and_newline_and_composes() -> None:
    controls = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n")
    assert sanitize(f"a{controls}b") == "a" + "\n" * 7 + "b"  # CR, VT, FF, FS, GS, RS, NEL
    assert sanitize("dòng 1\r\ndòng 2\rdòng 3\u2028dòng 4\tcột") == (
        "dòng 1\ndòng 2\ndòng 3\ndòng 4\tcột"
    )
    assert sanitize("a\x00b\ud800c") == "abc"  # NUL and a lone surrogate: no database takes them
    decomposed = unicodedata.normalize("NFD", "Sở Nội vụ")
    assert sanitize(decomposed.replace("u", "u\u200b")) == "Sở Nội vụ"  # removed, then NFC


@pytest.mark.parametrize("text", ["a\r\n\x00b", "v\u200bụ", "x\u0323\u00ad", "ổn định", ""])
def test_sanitize_is_idempotent(text: str) -> None:
    assert sanitize(sanitize(text)) == sanitize(text)


def test_markup_and_emoji_leave_only_words() -> None:
    normalizer = Normalizer()
    assert normalizer.tokens("<b>x</b>") == ["b", "x", "b"]
    assert normalizer.tokens("{{ 7*7 }}") == ["7", "7"]
    assert normalizer.tokens("😀🎉👍") == []


def test_phrases_are_replaced_longest_first_after_abbreviations() -> None:
    normalizer = Normalizer(
        {"vb": "van ban"},
        {"van ban di": "van ban phat hanh", "van ban": "tai lieu", "data center": "ttdl"},
    )
    assert normalizer.tokens("VB đi năm 2018") == ["van", "ban", "phat", "hanh", "nam", "2018"]
    assert normalizer.tokens("văn bản cũ") == ["tai", "lieu", "cu"]
    assert normalizer.tokens("data center") == ["ttdl"]  # a replacement is not expanded again


def test_an_abbreviation_is_read_before_telex() -> None:
    """ "win" is Windows, not telex for "ưin"; a telex word still decodes."""
    normalizer = Normalizer({"win": "windows"})
    assert normalizer.tokens("dung win ban quyen") == ["dung", "windows", "ban", "quyen"]
    assert normalizer.tokens("chir thij") == ["chi", "thi"]
