from bot.storage.text import fold


def test_fold_strips_diacritics_and_handles_d_stroke() -> None:
    assert fold("Sở Thông tin và Truyền thông") == "so thong tin va truyen thong"
    assert fold("ĐỒNG  Đăng\tký") == "dong dang ky"


def test_fold_is_form_independent_and_idempotent() -> None:
    decomposed = "Bă\u0301c Ninh"  # combining acute, as some keyboards send it
    assert fold(decomposed) == fold("Bắc Ninh") == "bac ninh"
    assert fold(fold("Sở TT&TT ")) == "so tt&tt"
