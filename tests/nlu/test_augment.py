from nlu.augment import abbreviate, strip_diacritics, to_telex, variants
from nlu.normalize import Normalizer


def test_styles_of_one_sentence() -> None:
    styles = dict(variants("Sở Thông tin và Truyền thông có phải dùng chữ ký số không?"))
    assert styles["no_diacritics"] == "So Thong tin va Truyen thong co phai dung chu ky so khong?"
    assert styles["telex"].startswith("Sowr Thoong tin vaf Truyeenf thoong")
    assert styles["abbreviations"] == "Sở TT&TT có phải dùng CKS ko?"
    assert "typos" in styles and styles["typos"] != styles["diacritics"]


def test_telex_and_plain_spellings_normalize_to_the_same_tokens() -> None:
    normalizer = Normalizer()
    sentence = "Đường dẫn trang thông tin điện tử của Ủy ban nhân dân xã, hướng dẫn tuyên truyền"
    assert normalizer.tokens(to_telex(sentence)) == normalizer.tokens(sentence)
    assert normalizer.tokens(strip_diacritics(sentence)) == normalizer.tokens(sentence)


def test_styles_that_do_not_apply_are_skipped() -> None:
    styles = dict(variants("so camera"))
    assert set(styles) == {"typos"}
    assert abbreviate("xin chào") == "xin chào"


def test_typos_are_reproducible() -> None:
    assert list(variants("trung tâm dữ liệu của tỉnh")) == list(
        variants("trung tâm dữ liệu của tỉnh")
    )
