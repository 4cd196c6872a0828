"""Evidence in the report dialog: a typed document reference and a file, together,
through the core on SQLite and PostgreSQL, and what managers read of them."""

from __future__ import annotations

import pytest

from bot.app import Assistant
from bot.application.messages import Attachment
from tests.core.test_dialogs import linked_chat, reports

DUTY = "1.c-1"  # Sở Nội vụ's duty (tests/core/test_report_edits.py)
REFERENCE = "Quyết định 45/QĐ-SNV ngày 2/1/2020"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    param: str = request.param
    return param


def at_evidence(chat: object) -> None:
    for typed in (f"/baocao {DUTY}", "Đang thực hiện", "50", "Bỏ qua"):
        chat.send(typed)  # type: ignore[attr-defined]
    assert "Minh chứng" in chat.text()  # type: ignore[attr-defined]


def test_a_reference_then_a_file_at_the_confirmation_keeps_both(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    at_evidence(chat)
    chat.send(REFERENCE)
    assert "gửi ngay bây giờ" in chat.text()  # the confirmation takes a file too
    chat.send(attachment=Attachment("document", "FILE-1", "bienban.pdf", content=b"%PDF-1"))
    text = chat.text()
    assert f"Minh chứng: {REFERENCE}" in text and "Tệp minh chứng: bienban.pdf" in text
    assert "số từ 1 đến" not in text
    chat.press("Lưu")
    [report] = reports(assistant)
    assert report.evidence_ref == REFERENCE and report.evidence_number is not None
    chat.send(f"/tiendo {DUTY}")
    assert REFERENCE in chat.text() and f"tệp số {report.evidence_number}" in chat.text()
    # An edit shows the file by its name, not «tệp đã đính kèm».
    for typed in ("/sua", "Giữ nguyên", "Giữ nguyên", "Bỏ qua"):  # no blockers to keep
        chat.send(typed)
    assert "Minh chứng hiện ghi:" in chat.text() and "«bienban.pdf»" in chat.text()


def test_going_back_a_file_joins_the_reference_and_a_reference_the_file(
    assistant: Assistant,
) -> None:
    chat = linked_chat(assistant)
    at_evidence(chat)
    chat.send(REFERENCE)
    chat.press("Quay lại")
    chat.send(attachment=Attachment("photo", "PHOTO-1", "anh.jpg", content=b"\xff\xd8"))
    assert f"Minh chứng: {REFERENCE}" in chat.text() and "Tệp minh chứng" in chat.text()
    chat.press("Quay lại")
    chat.send("Công văn 7/SNV ngày 3/1/2020")  # replaces the typed one, keeps the photo
    chat.press("Lưu")
    [report] = reports(assistant)
    assert report.evidence_ref == "Công văn 7/SNV ngày 3/1/2020"
    assert report.evidence_file_id == "PHOTO-1" and report.evidence_number is not None


def test_emoji_or_punctuation_alone_is_no_blocker_nor_evidence_and_tags_go(
    assistant: Assistant,
) -> None:
    chat = linked_chat(assistant)
    for typed in (f"/baocao {DUTY}", "Đang thực hiện", "50"):
        chat.send(typed)
    for nothing in ("👍👍", "...", "<b></b> !!!"):
        chat.send(nothing)
        assert "không chỉ biểu tượng hay dấu câu" in chat.text() and "vướng mắc" in chat.text()
    chat.send("<b>Thiếu</b> kinh phí <script>máy chủ</script> <gấp>")
    assert "Minh chứng" in chat.text()
    chat.send("🙏")
    assert "Minh chứng cần có chữ hoặc số" in chat.text()
    chat.send("<i>Quyết định 45/QĐ-SNV</i>")
    chat.press("Lưu")
    [report] = reports(assistant)
    assert (report.blockers, report.evidence_ref) == (
        "Thiếu kinh phí máy chủ <gấp>",  # a word in brackets is no tag
        "Quyết định 45/QĐ-SNV",
    )


def test_a_blocked_report_asks_what_the_blocker_is(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    for typed in (f"/baocao {DUTY}", "Gặp vướng mắc", "30"):
        chat.send(typed)
    labels = [b.label for r in chat.last.replies for b in r.buttons]  # type: ignore[union-attr]
    assert "Bỏ qua" not in labels and "vướng mắc là gì" in chat.text()
    chat.send("bỏ qua")  # typed: no choice of that kind here, the step asks again
    assert "vướng mắc là gì" in chat.text() and "Minh chứng" not in chat.text()
    chat.send("Thiếu kinh phí")
    chat.press("Bỏ qua")  # evidence stays optional
    chat.press("Lưu")
    # An edit may keep the blocker, but not empty it while «Gặp vướng mắc».
    chat.send("/sua")
    chat.press("Giữ nguyên (Gặp vướng mắc)")
    chat.press("Giữ nguyên (30%)")
    labels = [b.label for r in chat.last.replies for b in r.buttons]  # type: ignore[union-attr]
    assert "Giữ nguyên" in labels and "Xóa vướng mắc" not in labels and "Bỏ qua" not in labels


def test_giu_nguyen_where_nothing_is_kept_gets_the_hint(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send(f"/baocao {DUTY}")
    chat.press("Hoàn thành")
    chat.send("giữ nguyên")  # the completion step offers «Hôm nay», no «Giữ nguyên»
    assert "hoàn thành ngày nào" in chat.text() and "ngày/tháng/năm" in chat.text()
    assert "Có vướng mắc hoặc ghi chú" not in chat.text()  # still at the day, none picked
