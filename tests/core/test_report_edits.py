"""The report dialog's completion date, /sua keeping every value unless told, and the
history of one duty (/tiendo <mã>), through the core on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import Assistant
from bot.application.dialogs import state as states
from bot.application.digest import views
from bot.application.digest.builder import DigestBuilder
from bot.application.messages import Attachment
from bot.config import NudgeSettings
from bot.domain.dates import vn_date
from bot.storage.db import session_scope
from bot.storage.models import ProgressReport, User
from tests.core.test_dialogs import AGENCY, Chat, linked_chat, reports, today
from tests.scheduler.conftest import at

MIGRATION_DUTY = "1.c-1"  # Sở Nội vụ, among all sở: move systems to the data centre by 31/12/2019


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both databases here (the core's other tests run on SQLite only): what a report
    stores, and what an edit keeps, is the storage's business too."""
    param: str = request.param
    return param


def done_until_the_day(chat: Chat, duty: str = MIGRATION_DUTY) -> None:
    chat.send(f"/baocao {duty}")
    chat.press("Hoàn thành")
    assert "hoàn thành ngày nào" in chat.text()


def test_a_done_report_asks_the_day_the_work_was_finished(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    done_until_the_day(chat)
    tomorrow = today() + dt.timedelta(days=1)
    for typed, problem in [
        ("31/12/19", "ghi năm đủ 4 chữ số, ví dụ 31/12/2019"),
        (vn_date(tomorrow), f"sau ngày hôm nay ({vn_date(today())})"),
        ("18/4/2019", "trước ngày ban hành Chỉ thị 06/CT-UBND (19/4/2019)"),
        ("31/2/2019", "Không có ngày 31/2/2019"),
    ]:
        chat.send(typed)
        assert problem in chat.text() and "hoàn thành ngày nào" in chat.text()
    chat.send("Hạn chót của nhiệm vụ này là ngày nào?")  # a question, answered; step kept
    assert "31/12/2019" in chat.text() and "hoàn thành ngày nào" in chat.text()
    chat.send("ngày 20/12/2019")
    assert "vướng mắc" in chat.text()
    chat.press("Quay lại")  # the day typed is offered back
    assert "Giữ nguyên (20/12/2019)" in [b.label for r in chat.last.replies for b in r.buttons]  # type: ignore[union-attr]
    chat.send("giữ nguyên")
    chat.press("Bỏ qua")
    chat.press("Bỏ qua")
    assert "Ngày hoàn thành: 20/12/2019" in chat.text()
    chat.press("Lưu")
    [report] = reports(assistant)
    assert (report.status, report.completed_on) == ("done", dt.date(2019, 12, 20))
    # The digest judges the deadline (31/12/2019) on that day, not on today's report.
    builder = DigestBuilder(
        assistant.core.qa.catalog, assistant.settings.templates_dir, NudgeSettings()
    )
    with session_scope(assistant.sessions) as session:
        digest = builder.build(session, at(today().isoformat()), [AGENCY], "Sở Nội vụ")
    [row] = [r for r in digest.rows if r.duty_label == MIGRATION_DUTY]
    assert (row.status, row.completed_on) == ("on_time", dt.date(2019, 12, 20))
    on_time = views.details(digest, "/tiendo", views.Request("tinhtrang", "on_time"))
    assert ": hoàn thành ngày 20/12/2019" in assistant.renderer.render(on_time)


def test_only_a_done_report_asks_the_day(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    chat.send(f"/baocao {MIGRATION_DUTY}")
    chat.press("Hoàn thành")
    chat.press("Quay lại")
    chat.press("Đang thực hiện")  # the day given for "done" goes with it
    chat.send("60")
    assert "vướng mắc" in chat.text()
    chat.press("Quay lại")
    assert "phần trăm" in chat.text()  # back from blockers: the percent, not the day
    for typed in ("60", "bỏ qua", "bỏ qua", "lưu"):
        chat.send(typed)
    [report] = reports(assistant)
    assert (report.status, report.percent, report.completed_on) == ("in_progress", 60, None)


def full_report(chat: Chat) -> ProgressReport:
    done_until_the_day(chat)
    chat.send("20/12/2019")
    chat.send("Còn 2 hệ thống chưa chuyển")
    chat.send(attachment=Attachment("document", "FILE-9", "bien_ban.pdf"))
    chat.press("Lưu")
    return reports(chat.assistant)[-1]


def test_an_edit_keeps_every_value_it_is_not_told_to_change(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    first = full_report(chat)
    # Pressing «Giữ nguyên» at every step: the same report again, naming the one it edits.
    chat.send("/sua")
    assert f"Sửa báo cáo số {first.id}" in chat.text() and "20/12/2019" in chat.text()
    for step in ("status", "day", "blockers", "evidence"):
        labels = [b.label for r in chat.last.replies for b in r.buttons]  # type: ignore[union-attr]
        assert any(label.startswith("Giữ nguyên") for label in labels), step
        assert "Bỏ qua" not in labels, step  # nothing here may be dropped by a skip
        chat.press("Giữ nguyên")
    assert "Tệp minh chứng: đã đính kèm" in chat.text()
    chat.press("Lưu")
    # Nothing changed: nothing saved, and said so.
    assert "Không có thay đổi" in chat.text() and f"báo cáo số {first.id}" in chat.text()
    [kept] = reports(assistant)
    assert (kept.status, kept.percent, kept.completed_on, kept.blockers) == (
        "done",
        100,
        dt.date(2019, 12, 20),
        "Còn 2 hệ thống chưa chuyển",
    )
    assert kept.evidence_file_id == "FILE-9"
    # Typed, as on Zalo: "bỏ qua" in an edit leaves a value as it was; "xóa" empties it.
    chat.send("/sua")
    for typed in ("giữ nguyên", "bỏ qua", "bỏ qua", "xóa"):
        chat.send(typed)
    assert "Minh chứng" not in chat.text() and "Còn 2 hệ thống" in chat.text()
    chat.send("lưu")
    cleared = reports(assistant)[-1]
    assert (cleared.replaces_id, cleared.completed_on) == (kept.id, dt.date(2019, 12, 20))
    assert cleared.blockers == "Còn 2 hệ thống chưa chuyển" and cleared.evidence_file_id is None
    # Not done any more: no day; "không" at a step that holds a value empties it.
    chat.send("/sua")
    chat.press("Đang thực hiện")
    labels = [b.label for r in chat.last.replies for b in r.buttons]  # type: ignore[union-attr]
    assert not any(label.startswith("Giữ nguyên") for label in labels)  # 100% was implied
    for typed in ("80", "không", "bỏ qua", "lưu"):
        chat.send(typed)
    reopened = reports(assistant)[-1]
    assert (reopened.status, reopened.percent, reopened.completed_on) == ("in_progress", 80, None)
    assert (reopened.blockers, reopened.evidence_file_id) == ("", None)
    # A percent is offered back too, and new evidence replaces the old whole.
    chat.send("/sua")
    chat.press("Giữ nguyên (Đang thực hiện)")
    chat.press("Giữ nguyên (80%)")
    chat.send("Bỏ qua")
    chat.send("Công văn 7/SNV ngày 2/1/2020")
    chat.press("Lưu")
    last = reports(assistant)[-1]
    assert (last.percent, last.evidence_ref, last.evidence_date) == (
        80,
        "Công văn 7/SNV ngày 2/1/2020",
        dt.date(2020, 1, 2),
    )
    assert len(reports(assistant)) == 4  # every version kept


def test_another_duty_in_an_edit_is_a_new_report(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    full_report(chat)
    chat.send("/sua")
    chat.press("Quay lại")
    assert "Chọn nhiệm vụ" in chat.text()
    chat.send("1")  # another duty: nothing of the edited report comes along
    labels = [b.label for r in chat.last.replies for b in r.buttons]  # type: ignore[union-attr]
    assert "Sửa báo cáo" not in chat.text() and not any("Giữ nguyên" in x for x in labels)
    for typed in ("chưa thực hiện", "bỏ qua", "bỏ qua", "lưu"):
        chat.send(typed)
    new = reports(assistant)[-1]
    assert (
        new.duty_id == "2.d-1"
        and new.replaces_id is None
        and new.blockers == ""
        and new.evidence_file_id is None
    )


def test_the_history_of_one_duty(assistant: Assistant) -> None:
    chat = linked_chat(assistant)
    colleague = linked_chat(assistant, "101")
    full_report(chat)
    with session_scope(assistant.sessions) as session:
        user_id = session.query(User.id).filter(User.channel_user_id == "101").scalar()
        for n in range(11):  # older, and one a day
            session.add(
                ProgressReport(
                    directive_id="06-CT-UBND-2019",
                    duty_id=MIGRATION_DUTY,
                    agency_id=AGENCY,
                    user_id=user_id,
                    status="in_progress",
                    percent=5 * n,
                    blockers=f"Ghi chú {n}",
                    created_at=at("2026-01-01") + dt.timedelta(days=n),
                )
            )
    colleague.send("/tiendo")
    assert "hoàn thành (1/" in colleague.text()  # one screen: the bar and the counts
    colleague.send("/tiendo tinhtrang on_time")  # the choice «hoàn thành đúng hạn (1)»
    assert f"mã {MIGRATION_DUTY}" in colleague.text()
    colleague.send(f"/tiendo {MIGRATION_DUTY}")
    text = colleague.text()
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(lines) == 10 and "… và 2 báo cáo trước đó." in text
    assert lines[0].startswith("• Số") and "Cán bộ A: Hoàn thành, 100%" in lines[0]
    assert "hoàn thành ngày 20/12/2019" in lines[0] and "có tệp đính kèm" in text
    assert "Ghi chú 10" in text and "Ghi chú 2" in text and "Ghi chú 1\n" not in text
    assert text.index("Ghi chú 10") < text.index("Ghi chú 9")  # newest first
    colleague.send("/tiendo 1C1")  # without punctuation, in capitals
    assert "Lịch sử báo cáo" in colleague.text()
    colleague.send("/tiendo 9.z-9")
    assert "Không tìm thấy nhiệm vụ mã «9.z-9»" in colleague.text()
    assert "/tiendo 2.d-1" in colleague.text()  # an example of the agency's own
    colleague.send("/tiendo 2.f-4")  # the districts' duty: none of Sở Nội vụ's reports
    assert "không giao nhiệm vụ này" in colleague.text()
    assert "chưa có báo cáo nào" in colleague.text()


def test_an_edit_open_across_the_upgrade_still_saves(assistant: Assistant) -> None:
    """A dialog state stored before the completion date and the edited report's id
    were kept (states survive restarts): its steps go on, and it saves."""
    chat = linked_chat(assistant)
    first = full_report(chat)
    old_edit = {
        "agency_id": AGENCY,
        "page": 0,
        "duty_id": MIGRATION_DUTY,
        "status": "done",
        "percent": 100,
        "previous": {"status": "done", "percent": 100, "at": first.created_at.isoformat()},
    }
    with session_scope(assistant.sessions) as session:
        states.save(session, first.user_id, "r", "status", old_edit)
    chat.send("/toi")  # a command without choices: answered, and the open step asked again
    assert "Sửa báo cáo (" in chat.text()  # no number: the old state did not keep it
    chat.send("bỏ qua")  # keeps "done"; the day was never asked: today is offered
    assert "Giữ nguyên" not in chat.text() and "hoàn thành ngày nào" in chat.text()
    for typed in ("hôm nay", "bỏ qua", "bỏ qua", "lưu"):
        chat.send(typed)
    saved = reports(assistant)[-1]
    assert (saved.status, saved.completed_on, saved.replaces_id) == ("done", today(), None)


def test_sua_takes_a_report_number_or_a_duty(assistant: Assistant) -> None:
    """/sua 2 edits report 2 when it is the newest on its duty, names the newer one
    otherwise; /sua <mã> edits the agency's newest report on that duty."""
    chat = linked_chat(assistant)
    first = full_report(chat)
    second = full_report(chat)
    chat.send(f"/sua {first.id}")
    assert f"Báo cáo số {first.id} đã có báo cáo mới hơn" in chat.text()
    assert f"/sua {second.id}" in chat.text()
    chat.send(f"/sua {second.id}")
    assert "Giữ nguyên" in str([b.label for r in chat.last.replies for b in r.buttons])  # type: ignore[union-attr]
    chat.send("/huy")
    chat.send(f"/sua {MIGRATION_DUTY}")
    assert "Giữ nguyên" in str([b.label for r in chat.last.replies for b in r.buttons])  # type: ignore[union-attr]
    chat.send("/huy")
    for typed in ("999999", "9.z-9"):
        chat.send(f"/sua {typed}")
        assert f"Không có báo cáo «{typed}» của cơ quan Anh/Chị để sửa" in chat.text()


def test_tiendo_takes_a_clause_as_answers_cite_it(assistant: Assistant) -> None:
    """People type what answers show («Mục 1.c»): a clause with one duty of the agency
    opens its history; one with several offers them."""
    from bot.application import progress

    chat = linked_chat(assistant)
    catalog = assistant.core.qa.catalog
    own = [d.key for d in progress.reportable_duties(catalog, "snv")]
    by_clause: dict[str, list[str]] = {}
    for key in own:
        by_clause.setdefault(catalog.duties[key][1].clause, []).append(key)
    single = next(c for c, keys in by_clause.items() if len(keys) == 1)
    several = next(c for c, keys in by_clause.items() if len(keys) > 1)
    chat.send(f"/tiendo Mục {single}")
    assert chat.last is not None and chat.last.replies[0].template == "progress/history"
    chat.send(f"/tiendo {several}")
    picks = [b.payload for r in chat.last.replies for b in r.buttons]
    assert picks == [f"/tiendo {catalog.duty_label(k)}" for k in by_clause[several]]
