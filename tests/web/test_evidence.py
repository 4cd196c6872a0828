"""Evidence files: opened by number in chat (`/minhchung`) and on the portal, within the
asker's scope; named in the digest's details and its .xlsx (a link to the portal)."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.application import evidence
from bot.application.digest.quarterly import to_docx
from bot.application.digest.xlsx import to_xlsx
from bot.application.messages import Attachment, IncomingMessage, Response
from bot.domain.knowledge import Agency
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, EvidenceFile, ProgressReport, User
from tests.web.conftest import PUBLIC, World, chat, log_in

STTT = Agency("sttt", "Sở Thông tin và Truyền thông", "Sở TT&TT", "department", "province")

JPEG = b"\xff\xd8\xff\xe0" + b"anh-cong-van" * 50


def attach(world: World) -> int:
    """A photo kept as the evidence of Tiên Du's report with a blocker (as the dialog
    keeps one), and a newer report naming it; its number."""
    with session_scope(world.assistant.sessions) as session:
        official = session.get_one(User, world.users["official"])
        kept = evidence.keep(session, official, "h_tien_du", Attachment("photo", "AgAC"), JPEG)
        blocked = session.scalars(
            select(ProgressReport).where(ProgressReport.duty_id == "2.f-5")
        ).one()
        session.add(
            ProgressReport(
                directive_id=blocked.directive_id,
                duty_id="2.f-5",
                agency_id="h_tien_du",
                user_id=official.id,
                status="in_progress",
                percent=35,
                blockers=blocked.blockers,
                evidence_file_id="AgAC",
                evidence_number=kept.id,
                created_at=world.clock.now,
            )
        )
        return kept.id


def ask(world: World, account: str, text: str) -> Response:
    with session_scope(world.assistant.sessions) as session:
        return world.assistant.core.handle(session, IncomingMessage("zalo", account, text))


def test_the_agency_and_the_managers_over_it_open_the_file_others_are_refused(
    world: World,
) -> None:
    number = attach(world)
    for account in ("official", "province_manager", "admin"):
        [reply] = ask(world, account, f"/minhchung {number}").replies
        [file] = reply.files
        assert (file.name, file.content, file.kind) == (f"minh-chung-{number}.jpg", JPEG, "photo")
        text = world.assistant.renderer.render(reply)
        assert f"Minh chứng số {number}" in text and "Tiên Du" in text and "2.f-5" in text
    refused = chat(world.assistant, "district_manager", f"/minhchung {number}")
    assert "ngoài phạm vi Anh/Chị được xem" in refused
    assert not ask(world, "district_manager", f"/minhchung {number}").replies[0].files
    assert "chưa được liên kết" in chat(world.assistant, "stranger", f"/minhchung {number}")
    with session_scope(world.assistant.sessions) as session:
        audited = session.scalars(select(AuditLog).where(AuditLog.allowed.is_(False))).all()
        assert {a.action for a in audited} == {"evidence.open"}
    assert f"Không có minh chứng số {number + 1}" in chat(
        world.assistant, "admin", f"/minhchung {number + 1}"
    )
    assert "ví dụ: /minhchung 12" in chat(world.assistant, "admin", "/minhchung abc")
    listed = chat(world.assistant, "province_manager", "/minhchung")
    assert f"Số {number}: minh-chung-{number}.jpg — " in listed
    assert "Chưa có tệp minh chứng" in chat(world.assistant, "district_manager", "/minhchung")


def test_the_digest_names_the_file_and_its_xlsx_links_to_the_portal(world: World) -> None:
    number = attach(world)
    details = chat(world.assistant, "province_manager", "/tonghop vuongmac")
    assert f"tệp minh chứng: /minhchung {number}" in details, details
    summary = chat(world.assistant, "province_manager", "/tonghop")
    assert f"tệp minh chứng: /minhchung {number}" in summary
    assert "Cán bộ đã gửi 1 tệp minh chứng" in summary
    builder = world.builder()
    builder.evidence_url = evidence.download_base(PUBLIC)
    with session_scope(world.assistant.sessions) as session:
        built = builder.build(session, world.clock.now, builder.all_agencies(), "toàn tỉnh")
    book = openpyxl.load_workbook(io.BytesIO(builder.workbook(built).content))
    sheet = book["Chi tiết"]
    header = [c.value for c in sheet[4]]
    column = header.index("Minh chứng") + 1
    cells = [sheet.cell(row, column) for row in range(5, sheet.max_row + 1)]
    [linked] = [c for c in cells if c.hyperlink is not None]
    # The file by its name and number: a chat command has no place in a document.
    assert linked.value == f"tệp «minh-chung-{number}.jpg» (số {number})"
    assert linked.hyperlink.target == f"{PUBLIC}/minh-chung/{number}"
    document = docx.Document(io.BytesIO(to_docx(built, 2026, 4, builder.evidence_url, STTT)))
    paragraphs = [p.text for p in document.paragraphs]
    assert not any("/minhchung" in p for p in paragraphs), paragraphs
    files = "(tên và số tệp ghi ở cột «Minh chứng» của phụ lục)"
    assert any(files in p and builder.evidence_url in p for p in paragraphs)
    record = f"(minh chứng: tệp «minh-chung-{number}.jpg» (số {number}))."
    assert any(record in p for p in paragraphs), paragraphs
    # Without a portal address: no link, and no address named.
    unlinked = openpyxl.load_workbook(io.BytesIO(to_xlsx(built, builder.status_labels)))
    texts = [c.value for row in unlinked["Chi tiết"].iter_rows() for c in row]
    assert f"tệp «minh-chung-{number}.jpg» (số {number})" in texts
    assert not any("/minhchung" in str(t) for t in texts)
    plain = docx.Document(io.BytesIO(to_docx(built, 2026, 4, "", STTT))).paragraphs
    assert any(files + "." in p.text for p in plain) and not any("http" in p.text for p in plain)


def test_the_quarterly_report_is_in_vietnamese_for_words_spelling() -> None:
    import zipfile

    from bot.application.digest.model import Digest

    written = dt.datetime(2026, 12, 14, 2, tzinfo=dt.UTC)
    content = to_docx(Digest("toàn tỉnh", [], written, []), 2026, 4, "", STTT)
    document = docx.Document(io.BytesIO(content))
    qn = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    langs = list(document.styles.element.iter(f"{qn}lang"))
    assert langs and all(lang.get(f"{qn}val") == "vi-VN" for lang in langs)
    with zipfile.ZipFile(io.BytesIO(content)) as package:  # Word 2010's copy too
        assert b"en-US" not in package.read("word/stylesWithEffects.xml")
    assert document.core_properties.created == written  # not the template's 2013


def test_the_portal_downloads_the_file_within_the_visitors_scope(
    client: TestClient, world: World
) -> None:
    number = attach(world)
    log_in(client, world, "province_manager")
    page = client.get("/nhiem-vu/2.f-5")
    assert f'href="/minh-chung/{number}"' in page.text
    got = client.get(f"/minh-chung/{number}")
    assert got.status_code == 200 and got.content == JPEG
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"/minh-chung/{number + 1}").status_code == 404
    assert client.get("/minh-chung/abc").status_code == 404
    client.cookies.clear()
    log_in(client, world, "district_manager")
    refused = client.get(f"/minh-chung/{number}")
    assert refused.status_code == 403 and JPEG not in refused.content
    client.cookies.clear()
    assert client.get(f"/minh-chung/{number}").status_code == 401  # not logged in


def test_unused_files_go_after_a_week_and_a_stale_number_is_not_saved(world: World) -> None:
    named = attach(world)
    with session_scope(world.assistant.sessions) as session:
        official = session.get_one(User, world.users["official"])
        manager = session.get_one(User, world.users["district_manager"])
        orphan = evidence.keep(session, official, "h_tien_du", Attachment("photo", "x"), JPEG)
        assert evidence.existing(session, orphan.id, official.id, "h_tien_du") == orphan.id
        assert evidence.existing(session, orphan.id, manager.id, "h_tien_du") is None
        assert evidence.existing(session, orphan.id, official.id, "h_que_vo") is None
        # Another official of the agency editing a report keeps the file it names.
        assert evidence.existing(session, named, manager.id, "h_tien_du") == named
        orphan.created_at -= dt.timedelta(days=evidence.UNUSED_DAYS + 1)
        orphan_id = orphan.id
    with session_scope(world.assistant.sessions) as session:
        official = session.get_one(User, world.users["official"])
        evidence.keep(session, official, "h_tien_du", Attachment("photo", "y"), JPEG)
    with session_scope(world.assistant.sessions) as session:
        assert session.get(EvidenceFile, orphan_id) is None
        newest = session.scalar(select(EvidenceFile.id).order_by(EvidenceFile.id.desc()).limit(1))
        assert newest == orphan_id + 1  # a number is never given again
        assert session.get(EvidenceFile, named) is not None
        assert evidence.existing(session, orphan_id, world.users["official"], "h_tien_du") is None


def test_the_list_dates_a_file_by_the_day_it_was_in_vietnam(world: World) -> None:
    number = attach(world)
    with session_scope(world.assistant.sessions) as session:
        kept = session.get_one(EvidenceFile, number)
        # 06:03 on 1/12/2026 in Vietnam is 23:03 on 30/11 in UTC.
        kept.created_at = dt.datetime(2026, 11, 30, 23, 3, tzinfo=dt.UTC)
    listed = chat(world.assistant, "province_manager", "/minhchung")
    assert f"Số {number}: minh-chung-{number}.jpg — " in listed
    assert "(1/12/2026)" in listed and "30/11/2026" not in listed, listed


def test_a_file_follows_its_agency_into_a_merge_and_the_province_still_opens_it(
    world: World,
) -> None:
    """Tiên Du merged into a new ward (its duties, given to the district group, left
    with no holder): its official, now the ward's, and the province's manager and admin
    still open the file."""
    from bot.application.admin import agencies

    number = attach(world)
    with session_scope(world.assistant.sessions) as session:
        agencies.merge(session, None, ["h_tien_du"], "p_tien_du", "UBND phường Tiên Du")
        agencies.set_active(session, None, "all_districts", False, force=True)  # as in 2025
        assert session.get_one(EvidenceFile, number).agency_id == "p_tien_du"
    world.assistant.core.wait_for_reload()
    history = chat(world.assistant, "official", "/tiendo 2.f-5")
    assert "35%" in history and f"/minhchung {number}" in history  # its reports are its own
    for account in ("official", "province_manager", "admin"):
        [reply] = ask(world, account, f"/minhchung {number}").replies
        assert [f.content for f in reply.files] == [JPEG], account
    assert not ask(world, "district_manager", f"/minhchung {number}").replies[0].files
