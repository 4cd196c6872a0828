"""Digests on a seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageColor
from sqlalchemy import select

from bot.app import Assistant
from bot.application.digest import views
from bot.application.digest.builder import DigestBuilder
from bot.application.digest.chart import COLORS, MAX_BARS, chart_data, to_png
from bot.application.digest.model import STATUS_WORDS, STATUSES, AgencySummary, Digest
from bot.application.digest.quarterly import vn_long_date
from bot.application.digest.weekly import WeeklyDigests
from bot.application.digest.xlsx import to_xlsx
from bot.application.messages import Reply
from bot.application.outbox import OutboxStore, stored_message
from bot.application.render import Renderer
from bot.application.scheduler.tick import Ticker
from bot.cli import main
from bot.config import NudgeSettings
from bot.domain.numbers import vn_percent
from bot.domain.status import Tally
from bot.storage.db import session_scope
from bot.storage.models import DigestSnapshot, Duty, OutboxMessage, ProgressReport, User
from tests.scheduler.conftest import add_users, at

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

DIRECTIVE = "06-CT-UBND-2019"
NOW = at("2026-12-14", "09:00")  # Monday


@pytest.fixture
def seeded(assistant: Assistant) -> Assistant:
    ids = add_users(
        assistant,
        ("801", "h_que_vo", "official"),
        ("802", "h_que_vo", "manager"),
        ("803", "ubnd_tinh", "manager"),
        ("804", "sttt", "official"),
    )
    official = ids[0]
    with session_scope(assistant.sessions) as session:
        session.get_one(Duty, (DIRECTIVE, "2.f-4")).effective_due = dt.date(2026, 12, 4)
        session.get_one(Duty, (DIRECTIVE, "2.f-5")).effective_due = dt.date(2026, 12, 31)

        def report(
            agency: str, duty: str, status: str, percent: int, when: dt.datetime, **more: Any
        ) -> None:
            session.add(
                ProgressReport(
                    directive_id=DIRECTIVE,
                    duty_id=duty,
                    agency_id=agency,
                    user_id=official,
                    status=status,
                    percent=percent,
                    **more,
                    created_at=when,
                )
            )

        report("h_que_vo", "2.f-4", "done", 100, at("2026-12-03", "10:00"))
        report("tx_tu_son", "2.f-4", "done", 100, at("2026-12-09", "10:00"))
        report("h_tien_du", "2.f-4", "in_progress", 60, at("2026-12-02", "10:00"))
        report(
            "h_tien_du",
            "2.f-5",
            "in_progress",
            30,
            at("2026-12-02", "10:00"),
            blockers="Thiếu kinh phí thuê máy chủ cho 5 xã",
            evidence_ref="Công văn 45/UBND-VP",
            evidence_date=dt.date(2026, 11, 28),
        )
        report("sttt", "2.b-3", "done", 100, at("2026-10-06", "10:00"))  # Q3, due 7/10
        report("h_que_vo", "1.e-3", "in_progress", 50, at("2026-12-01", "10:00"))
    return assistant


def builder(assistant: Assistant) -> DigestBuilder:
    return DigestBuilder(
        assistant.core.qa.catalog, assistant.settings.templates_dir, NudgeSettings()
    )


def test_statuses_in_the_government_offices_words(seeded: Assistant) -> None:
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        digest = b.build(session, NOW, b.all_agencies(), "toàn tỉnh")
    status = {(r.agency_id, r.duty_label): r.status for r in digest.rows}
    assert status[("h_que_vo", "2.f-4")] == "on_time"
    assert status[("tx_tu_son", "2.f-4")] == "late_done"
    assert status[("h_tien_du", "2.f-4")] == "overdue"
    assert status[("h_tien_du", "2.f-5")] == "open"
    assert status[("h_gia_binh", "2.f-4")] == "unreported_late"  # overdue too
    assert status[("sttt", "2.b-3")] == "unreported"  # Q4's report: none since 7/10
    assert status[("h_que_vo", "1.e-3")] == "open"  # continuous, reported
    assert ("sttt", "2.f-4") not in status  # not its duty
    late = {(r.agency_id, r.duty_label) for r in digest.late}
    assert ("h_tien_du", "2.f-4") in late and ("h_gia_binh", "2.f-4") in late
    assert ("h_que_vo", "2.f-4") not in late and ("h_tien_du", "2.f-5") not in late
    text = seeded.renderer.render(b.reply(digest))
    for word in STATUS_WORDS.values():
        assert word in text
    assert "Chưa báo cáo: " in text and len(text) < 2000  # one screen
    overdue = views.details(digest, "/tonghop", views.Request("tinhtrang", "overdue"))
    assert "Huyện Tiên Du — Lập danh sách cán bộ phụ trách CNTT cấp xã" in (
        seeded.renderer.render(overdue)
    )


def test_blockers_open_the_digest_with_their_evidence(seeded: Assistant) -> None:
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        digest = b.build(session, NOW, b.all_agencies(), "toàn tỉnh")
    [blocked] = digest.blocked
    assert (blocked.agency_id, blocked.duty_label) == ("h_tien_du", "2.f-5")
    assert blocked.evidence == "Công văn 45/UBND-VP (28/11/2026)"
    text = seeded.renderer.render(b.reply(digest))
    assert text.index("Khó khăn, vướng mắc") < text.index("Tỷ lệ hoàn thành thấp nhất")
    assert (
        "• Huyện Tiên Du — Chỉ đạo tạo lập trang thông tin điện tử cấp xã (mã 2.f-5): "
        "Thiếu kinh phí thuê máy chủ cho 5 xã (11 ngày)"
    ) in text
    page = views.details(digest, "/tonghop", views.Request("vuongmac"))
    assert (
        "• Huyện Tiên Du — Chỉ đạo tạo lập trang thông tin điện tử cấp xã (mã 2.f-5, hạn "
        "31/12/2026; gia hạn từ 30/6/2019): đã thực hiện 30%; vướng mắc: Thiếu kinh phí "
        "thuê máy chủ cho 5 xã (nêu 11 ngày trước); minh chứng: "
        "Công văn 45/UBND-VP (28/11/2026)"
    ) in seeded.renderer.render(page)
    # On Zalo the workbook is a download link, not an attachment.
    attached = seeded.renderer.render(b.reply(digest, attached=True))
    assert "Chi tiết đầy đủ trong tệp Excel gửi kèm." in attached
    assert "đính kèm" not in attached


def test_a_blocked_report_without_its_text_is_still_a_blocker(seeded: Assistant) -> None:
    """«Gặp vướng mắc» with the blocker step skipped: counted and listed, said so."""
    with session_scope(seeded.sessions) as session:
        official = session.scalars(select(User.id).where(User.channel_user_id == "801")).one()
        session.add(
            ProgressReport(
                directive_id=DIRECTIVE,
                duty_id="1.e-3",
                agency_id="h_que_vo",
                user_id=official,
                status="blocked",
                percent=20,
                created_at=at("2026-12-10", "10:00"),
            )
        )
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        digest = b.build(session, NOW, b.all_agencies(), "toàn tỉnh")
    blocked = {(r.agency_id, r.duty_id): r.blockers for r in digest.blocked}
    assert blocked[("h_que_vo", f"{DIRECTIVE}:1.e-3")] == "(chưa ghi nội dung vướng mắc)"
    assert "Vướng mắc: 2" in seeded.renderer.render(b.reply(digest))


def test_the_workbook_a_department_head_forwards(seeded: Assistant) -> None:
    """Read back: title, frozen bold header with filters, STT, widths, real dates,
    percentages, the totals row equal to the sum of the rows, blockers and evidence."""
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        digest = b.build(session, NOW, b.all_agencies(), "toàn tỉnh")
    book = load_workbook(io.BytesIO(to_xlsx(digest, b.status_labels)))
    summary = book["Tổng hợp"]
    assert summary["A1"].value == "Tổng hợp thực hiện Chỉ thị 06/CT-UBND — toàn tỉnh"
    assert summary["A1"].font.bold and summary["A2"].value == "Tính đến 09:00 14/12/2026"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref.startswith("A4:")
        assert sheet["A4"].value == "STT" and sheet["A4"].font.bold
        assert sheet["B4"].font.name == "Times New Roman"
        assert sheet.column_dimensions["B"].width >= 28
        assert sheet.page_setup.paperSize == 9  # A4
    rows = list(summary.iter_rows(min_row=5, values_only=True))
    *agencies, totals = rows
    assert [r[0] for r in agencies] == list(range(1, len(digest.agencies) + 1))
    assert totals[1] == "Tổng cộng" and summary.cell(len(rows) + 4, 2).font.bold
    for column in range(2, 2 + len(STATUSES) + 1):  # every count, and "Tổng số"
        assert totals[column] == sum(r[column] for r in agencies)
    assert totals[-2] == len(digest.rows)
    share = summary.cell(5, len(STATUSES) + 4)
    assert share.number_format == "0.00%" and 0 <= share.value <= 1
    header = [c.value for c in book["Chi tiết"][4]]
    assert header[-2:] == ["Vướng mắc", "Minh chứng"]
    due_column, reported_column = header.index("Hạn") + 1, header.index("Ngày báo cáo") + 1
    details = book["Chi tiết"]
    dated = [r for r in details.iter_rows(min_row=5) if r[reported_column - 1].value]
    assert dated and all(r[reported_column - 1].number_format == "dd/mm/yyyy" for r in dated)
    assert all(isinstance(r[reported_column - 1].value, dt.datetime) for r in dated)
    deadlines = [r[due_column - 1] for r in details.iter_rows(min_row=5) if r[due_column - 1].value]
    # The day that decides "quá hạn", before the day of the report.
    completed_column = header.index("Ngày hoàn thành") + 1
    assert completed_column < reported_column
    finished = [r[completed_column - 1] for r in details.iter_rows(min_row=5)]
    expected = [r.completed_on for r in digest.rows]
    assert [c.value.date() if c.value else None for c in finished] == expected
    assert any(expected) and all(c.number_format == "dd/mm/yyyy" for c in finished if c.value)
    assert deadlines and all(isinstance(c.value, dt.datetime) for c in deadlines)
    assert details.max_row == 4 + len(digest.rows)
    [blocked] = list(book["Vướng mắc"].iter_rows(min_row=5, values_only=True))
    assert blocked[0] == 1 and blocked[-2:] == (
        "Thiếu kinh phí thuê máy chủ cho 5 xã",
        "Công văn 45/UBND-VP (28/11/2026)",
    )
    assert book["Quá hạn"].max_row == 4 + len(digest.late)


def test_a_manager_sees_their_agency_only(seeded: Assistant) -> None:
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        digest = b.build(session, NOW, ["h_que_vo"], "Huyện Quế Võ")
    assert {r.agency_id for r in digest.rows} == {"h_que_vo"}
    assert b.scope_of("h_que_vo", "official") is None
    assert b.scope_of("h_que_vo", "manager") == (["h_que_vo"], "Huyện Quế Võ")
    scope = b.scope_of("ubnd_tinh", "manager")
    assert scope is not None and "sttt" in scope[0] and "all_districts" not in scope[0]


def report_done(assistant: Assistant, agency: str, when: dt.datetime) -> None:
    """The agency reports 2.f-4 done (by the seeded official)."""
    with session_scope(assistant.sessions) as session:
        official = session.scalars(select(ProgressReport.user_id)).first()
        session.add(
            ProgressReport(
                directive_id=DIRECTIVE,
                duty_id="2.f-4",
                agency_id=agency,
                user_id=official,
                status="done",
                percent=100,
                created_at=when,
            )
        )


def send_digests(assistant: Assistant, ticker: Ticker, when: dt.datetime) -> dict[str, Reply]:
    """What the sender does with the digests due at `when`: compose each, then send
    (here: mark sent); by chat id. Other rows are given back."""
    store = OutboxStore(assistant.sessions)
    composer = WeeklyDigests(lambda: ticker.digests)
    sent = {}
    for row in store.claim(when, 1000, dt.timedelta(minutes=5)):
        if row.kind != "digest":
            store.release([row], when)
            continue
        assert "message" not in row.payload  # queued without its text
        composed = store.compose(row, composer, when)
        assert composed is not None
        assert store.mark_sent(composed, when)
        sent[row.address] = stored_message(composed.payload)
    return sent


def test_weekly_digest_with_changes_and_spreadsheet(seeded: Assistant) -> None:
    ticker = Ticker(seeded.core.qa.catalog, seeded.settings.templates_dir, NudgeSettings())
    with session_scope(seeded.sessions) as session:
        assert ticker.tick(session, at("2026-12-14", "07:59")).digests == 0  # before 08:00
        assert ticker.tick(session, NOW).digests == 2  # the two managers
        assert ticker.tick(session, NOW + dt.timedelta(hours=3)).digests == 0
        digests = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")))
    assert {d.due for d in digests} == {dt.date(2026, 12, 14)}
    html = Renderer(seeded.settings.templates_dir, "html")
    message = send_digests(seeded, ticker, NOW + dt.timedelta(minutes=1))["803"]
    assert "toàn tỉnh" in html.render(message)
    assert "Thay đổi từ bản tổng hợp trước" not in html.render(message)
    photo, document = message.files  # the chart, then the workbook
    assert photo.kind == "photo" and document.kind == "document"
    assert photo.content.startswith(PNG_SIGNATURE) and photo.name.endswith(".png")
    assert photo.caption == "Tỷ lệ hoàn thành theo cơ quan — toàn tỉnh"
    book = load_workbook(io.BytesIO(document.content))
    assert book.sheetnames == ["Tổng hợp", "Vướng mắc", "Chi tiết", "Quá hạn"]
    details = list(book["Chi tiết"].iter_rows(min_row=5, values_only=True))
    assert ("Huyện Tiên Du", "2.f-4") in [row[1:3] for row in details]
    assert any(
        r[7] == "đang thực hiện quá hạn"
        for r in book["Quá hạn"].iter_rows(min_row=5, values_only=True)
    )
    # A week later, after Tiên Du reports 2.f-4 done: the change is listed, and the
    # trend since last week's snapshot of the province.
    report_done(seeded, "h_tien_du", at("2026-12-16", "10:00"))
    with session_scope(seeded.sessions) as session:
        assert ticker.tick(session, at("2026-12-21", "08:05")).digests == 2
    latest = send_digests(seeded, ticker, at("2026-12-21", "08:06"))["803"]
    text = html.render(latest)
    assert "Thay đổi từ bản tổng hợp trước" in text
    assert (
        "Huyện Tiên Du — Lập danh sách cán bộ phụ trách CNTT cấp xã, báo cáo qua Sở TT&amp;TT "
        "để đào tạo, bồi dưỡng: "
        "đang thực hiện quá hạn → hoàn thành quá hạn" in text
    )
    assert "So với 14/12/2026: hoàn thành +1, quá hạn −1." in text


def test_the_weekly_digest_is_built_when_it_goes_out(seeded: Assistant) -> None:
    """Queued at 20:15 (after working hours), sent at 08:00 the next working day: it
    says "Tính đến 08:00" and counts what was reported in between."""
    ticker = Ticker(seeded.core.qa.catalog, seeded.settings.templates_dir, NudgeSettings())
    with session_scope(seeded.sessions) as session:
        assert ticker.tick(session, at("2026-12-14", "20:15")).digests == 2
    report_done(seeded, "h_gia_binh", at("2026-12-14", "21:00"))
    sent = send_digests(seeded, ticker, at("2026-12-15", "08:00"))
    text = seeded.renderer.render(sent["803"])
    assert "Tính đến 08:00 15/12/2026" in text and "20:15" not in text
    assert "hoàn thành quá hạn: 2" in text  # Tx Từ Sơn's, and Gia Bình's of last night
    with session_scope(seeded.sessions) as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")))
        snapshots = list(session.scalars(select(DigestSnapshot)))
    assert {r.status for r in rows} == {"sent"}
    assert all("message" in r.payload and "compose" not in r.payload for r in rows)
    assert {(s.scope, s.day) for s in snapshots} == {
        ("*", dt.date(2026, 12, 15)),
        ("h_que_vo", dt.date(2026, 12, 15)),
    }


def test_a_manager_of_two_agencies_has_a_trend_of_their_own(seeded: Assistant) -> None:
    """The snapshots of a digest over two agencies are theirs: the province's trend is
    not compared with them, nor theirs with the province's."""
    from bot.application.digest import snapshots

    builder = DigestBuilder(seeded.core.qa.catalog, seeded.settings.templates_dir, NudgeSettings())
    monday, next_monday = at("2026-12-14", "08:00"), at("2026-12-21", "08:00")
    with session_scope(seeded.sessions) as session:
        pair = builder.build(session, monday, ["h_tien_du", "h_que_vo"], "Tiên Du, Quế Võ")
        province = builder.build(session, monday, builder.all_agencies(), "toàn tỉnh")
        assert (snapshots.scope_key(pair), snapshots.scope_key(province)) == (
            "h_que_vo+h_tien_du",
            "*",
        )
        snapshots.record(session, pair)
    report_done(seeded, "h_tien_du", at("2026-12-16", "10:00"))
    with session_scope(seeded.sessions) as session:
        province = builder.build(session, next_monday, builder.all_agencies(), "toàn tỉnh")
        assert snapshots.trend(session, province) is None  # nothing of the province's yet
        pair = builder.build(session, next_monday, ["h_que_vo", "h_tien_du"], "Quế Võ, Tiên Du")
        trend = snapshots.trend(session, pair)
        assert trend is not None and trend.since == dt.date(2026, 12, 14)


def test_digest_cli_preview(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    assert (
        main(
            [
                "digest",
                "--preview",
                "--agency",
                "sttt",
                "--xlsx",
                f"{tmp_path}/d.xlsx",
                "--png",
                f"{tmp_path}/d.png",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Tổng hợp thực hiện Chỉ thị 06/CT-UBND — Sở TT&TT" in out
    assert f"Đã ghi biểu đồ {tmp_path}/d.png (1 cơ quan)." in out
    assert png_size(Path(f"{tmp_path}/d.png").read_bytes())[0] == 990
    assert main(["digest", "--png", f"{tmp_path}/all.png"]) == 0
    assert "cơ quan)." in capsys.readouterr().out
    assert png_size(Path(f"{tmp_path}/all.png").read_bytes())[1] > 600
    sheets = load_workbook(f"{tmp_path}/d.xlsx").sheetnames
    assert sheets == ["Tổng hợp", "Vướng mắc", "Chi tiết", "Quá hạn"]
    assert main(["digest", "--preview", "--docx", f"{tmp_path}/bc.docx"]) == 0
    assert "toàn tỉnh" in capsys.readouterr().out
    from docx import Document

    text = "\n".join(p.text for p in Document(f"{tmp_path}/bc.docx").paragraphs)
    assert "Tình hình thực hiện Chỉ thị số 06/CT-UBND" in text
    assert "I. KẾT QUẢ THỰC HIỆN" in text and "II. TỒN TẠI, HẠN CHẾ" in text
    # Section II: what is late, one paragraph per task naming its agencies.
    tasks = [line for line in text.splitlines() if re.match(r"\d+\. .*\(Mục .*, hạn ", line)]
    assert tasks and len(tasks) == len(set(tasks))
    assert all(re.search(r": \d+ cơ quan — ", line) for line in tasks)
    assert main(["digest", "--preview", "--agency", "nowhere"]) == 2


def test_the_place_and_date_line_of_decree_30() -> None:
    assert vn_long_date(dt.date(2027, 1, 5), "Bắc Ninh") == "Bắc Ninh, ngày 05 tháng 01 năm 2027"
    assert vn_long_date(dt.date(2027, 2, 28), "Bắc Ninh") == "Bắc Ninh, ngày 28 tháng 02 năm 2027"
    assert vn_long_date(dt.date(2026, 3, 9), "Bắc Ninh") == "Bắc Ninh, ngày 09 tháng 3 năm 2026"
    assert vn_long_date(dt.date(2026, 12, 31), "Bắc Ninh") == "Bắc Ninh, ngày 31 tháng 12 năm 2026"


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()  # a whole, readable PNG
        return image.size


def test_chart_has_one_bar_per_agency_in_scope_lowest_completion_first(
    seeded: Assistant,
) -> None:
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        province = b.build(session, NOW, b.all_agencies(), "toàn tỉnh")
        own = b.build(session, NOW, ["h_que_vo"], "Huyện Quế Võ")
    data = chart_data(province)
    in_scope = {r.agency_id for r in province.rows}
    assert len(in_scope) > 10  # districts, departments ...
    assert data.hidden == 0 and data.note == ""
    assert sorted(bar.agency_id for bar in data.bars) == sorted(in_scope)
    completions = [bar.completion for bar in data.bars]
    assert completions == sorted(completions)  # the lowest on top
    by_id = {bar.agency_id: bar for bar in data.bars}
    for summary in province.agencies:  # the bars show the digest's own counts
        bar = by_id[summary.agency_id]
        assert bar.counts == tuple(summary.counts.get(s, 0) for s in STATUSES)
        assert sum(bar.counts) == bar.total == summary.total
        assert bar.completion == summary.completion
    assert by_id["h_que_vo"].counts[STATUSES.index("on_time")] >= 1
    assert by_id["tx_tu_son"].counts[STATUSES.index("late_done")] >= 1
    assert by_id["h_tien_du"].counts[STATUSES.index("overdue")] >= 1
    assert data.title == "Tỷ lệ hoàn thành theo cơ quan — toàn tỉnh"
    # A district's manager: their agency only.
    mine = chart_data(own)
    assert [bar.agency_id for bar in mine.bars] == ["h_que_vo"]
    assert mine.bars[0].label == "Huyện Quế Võ" and mine.note == ""


def synthetic(n: int) -> Digest:
    agencies = []
    for i in range(n):
        counts = {
            "on_time": i % 7,
            "late_done": i % 3,
            "open": 2,
            "overdue": i % 5,
            "unreported": 3,
            "unreported_late": i % 2,
        }
        tally = Tally.of(s for s, n in counts.items() for _ in range(n))
        agencies.append(AgencySummary(f"a{i}", f"Cơ quan số {i}", tally))
    return Digest("toàn tỉnh", [a.agency_id for a in agencies], NOW, [], agencies)


def test_chart_of_many_agencies_shows_the_lowest_and_counts_the_rest() -> None:
    digest = synthetic(130)
    data = chart_data(digest)
    assert len(data.bars) == MAX_BARS and data.hidden == 130 - MAX_BARS
    shown = {bar.agency_id for bar in data.bars}
    rest = [a.completion for a in digest.agencies if a.agency_id not in shown]
    assert max(bar.completion for bar in data.bars) <= min(rest) == data.hidden_from
    lowest = vn_percent(min(rest))
    assert (
        data.note == f"… và {130 - MAX_BARS} cơ quan khác (tỷ lệ hoàn thành từ {lowest} trở lên)."
    )
    assert data.note in data.caption
    assert len(chart_data(digest, max_bars=200).bars) == 130


def test_chart_png_is_valid_and_sized_for_one_or_many_agencies(seeded: Assistant) -> None:
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        own = b.build(session, NOW, ["h_que_vo"], "Huyện Quế Võ")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph ... missing from font(s)"
        one = to_png(chart_data(own))
        many = to_png(chart_data(synthetic(130)))
        empty = to_png(chart_data(synthetic(0)))
    width, height = png_size(one)
    assert width == 990 and 300 <= height <= 500
    many_width, many_height = png_size(many)
    assert many_width == width and 1200 <= many_height <= 1800  # 40 bars, not 130
    assert png_size(empty)[1] == height
    assert len(one) < 40_000 and len(many) < 150_000  # they travel in outbox rows
    # The legend keeps its exact colours even when one status fills the chart.
    only = Tally.of(["unreported"] * 19)
    unreported = [AgencySummary(f"a{i}", f"CQ {i}", only) for i in range(30)]
    grey = Digest("toàn tỉnh", [a.agency_id for a in unreported], NOW, [], unreported)
    for png in (to_png(chart_data(grey)), empty):
        with Image.open(io.BytesIO(png)) as image:
            seen = {rgb for _, rgb in image.convert("RGB").getcolors(1 << 16) or []}
        assert {ImageColor.getrgb(color) for color in COLORS.values()} <= seen
    # A manager's chart: same drawing for the same data (memoized per builder).
    caption, png = b.chart(own)
    assert caption == "Tỷ lệ hoàn thành theo cơ quan — Huyện Quế Võ"
    assert b.chart(own)[1] is png and png_size(png) == (width, height)


def test_matplotlib_is_imported_only_to_draw() -> None:
    code = (
        "import sys, bot.cli, bot.app, bot.application.router, bot.application.digest.builder, "
        "bot.application.digest.chart, bot.application.scheduler.tick, "
        "bot.channels.telegram.sender; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_report_quarter() -> None:
    from bot.application.digest.quarterly import quarter_of

    assert quarter_of(dt.date(2026, 12, 14)) == (2026, 4)
    assert quarter_of(dt.date(2027, 1, 5)) == (2026, 4)
    assert quarter_of(dt.date(2027, 4, 2)) == (2027, 1)
    # 03:30 on 1/12 in Vietnam is 30/11 in UTC: the report is Q4's, dated 1/12.
    from bot.application.digest.quarterly import local_day

    assert quarter_of(local_day(at("2026-12-01", "03:30"))) == (2026, 4)


def test_only_tasks_count_not_clauses_that_state_a_responsibility(seeded: Assistant) -> None:
    """ "Thủ trưởng … chịu trách nhiệm cá nhân …" and the closing clause are marked
    kind: responsibility in the pack: no digest row, no report, no denominator."""
    catalog = seeded.core.qa.catalog
    answering = {duty.id for _, duty in catalog.duties.values() if duty.kind == "responsibility"}
    assert {"1.a-2", "1.f-1", "closing-1"} <= answering
    b = builder(seeded)
    with session_scope(seeded.sessions) as session:
        digest = b.build(session, NOW, b.all_agencies(), "toàn tỉnh")
    assert not answering & {r.duty_label for r in digest.rows}
    assert digest.tally.total == len(digest.rows) < 577
    from bot.application.progress import reportable_duties

    assert not answering & {d.id for d in reportable_duties(catalog, "h_que_vo")}
