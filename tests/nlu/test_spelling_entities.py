from nlu.entities import Gazetteer, find_values
from nlu.normalize import Normalizer
from nlu.spelling import SpellCorrector


def test_spelling_corrects_towards_known_words_only() -> None:
    speller = SpellCorrector(["trung", "tam", "du", "lieu", "truyen", "thong"])
    assert speller.correct("leiu") == "lieu"  # transposition
    assert speller.correct("truyeen") == "truyen"
    assert speller.correct("mua") == "mua"  # short words are never changed
    assert speller.correct("pizza") == "pizza"  # nothing close: stays unknown


def test_gazetteer_prefers_the_longest_name_and_ignores_filler() -> None:
    n = Normalizer({"tt&tt": "thong tin va truyen thong"})
    gazetteer = Gazetteer(
        [
            ("agency", "bao_bac_ninh", n.tokens("Báo Bắc Ninh")),
            ("agency", "tp_bac_ninh", n.tokens("thành phố Bắc Ninh")),
            ("agency", "so_tttt", n.tokens("Sở Thông tin và Truyền thông")),
        ]
    )
    found = gazetteer.find(n.tokens("Báo Bắc Ninh và Sở TT&TT"))
    assert [e.value for e in found] == ["bao_bac_ninh", "so_tttt"]
    assert [e.value for e in gazetteer.find(n.tokens("so thong tin truyen thong"))] == ["so_tttt"]


def test_values_dates_percent_and_clauses() -> None:
    n = Normalizer()
    found = find_values(n.tokens("Mục 1.e, mục 2b, trước 31/5/2019, đạt 70%, ngày 45/13"))
    assert [(e.entity, e.value) for e in found] == [
        ("clause", "1.e"),
        ("clause", "2.b"),
        ("date", "2019-05-31"),
        ("percent", "70"),
    ]
    for typed in ("Mục 1 điểm c", "điểm c mục 1", "điểm c của mục 1", "mục 1c"):
        assert [(e.entity, e.value) for e in find_values(n.tokens(typed))] == [("clause", "1.c")], (
            typed
        )


def test_long_tokens_are_not_corrected() -> None:
    speller = SpellCorrector(["thong"])
    assert speller.correct("x" * 5000) == "x" * 5000


def test_a_letter_typed_twice_is_the_known_word_with_it_once() -> None:
    corrector = SpellCorrector(["deadline", "tuyen", "truyen"])
    assert corrector.correct("deeadline") == "deadline"
    assert corrector.correct("tuuyen") == "tuyen"
    assert corrector.correct("faceebook") == "faceebook"  # not known either way
