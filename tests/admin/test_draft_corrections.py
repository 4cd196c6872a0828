"""Correcting a draft before publishing it (SQLite and PostgreSQL): a duty's agencies
and deadline, in chat (/suanhap), on the command line (`bot directive set`) and on the
portal's review page; the importer's problem on the corrected duty goes, unknown names
get suggestions, and what is published is the corrected draft."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.application import accounts
from bot.application.admin import agencies
from bot.application.knowledge.seed import duty_from_db
from bot.cli import main
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, Directive, Duty, DutyAgency, InviteCode, OutboxMessage
from tests.admin.test_documents import SOURCE
from tests.admin.test_publish_in_chat import (
    DRAFT,
    admin_of,
    data_copy,
    import_on_command_line,
    own_data,
    send,
)
from tests.core.test_dialogs import Chat

__all__ = ["data_copy", "own_data"]  # the fixtures, used by name

# Duty 6 (1.c-1) with a day that is not in the calendar: the importer reports it on
# the duty's line and drafts the duty without a deadline.
MISREAD = SOURCE.replace("06/CT-UBND", "77/CT-UBND").replace(
    "xong trước 31/12/2019", "xong trước 31/13/2019"
)
PROBLEM = "«31/13/2019»"


def published_duty(assistant: Assistant, duty_id: str) -> tuple[dt.date | None, list[str]]:
    with session_scope(assistant.sessions) as session:
        row = session.get_one(Duty, (DRAFT, duty_id))
        lead = session.scalars(
            select(DutyAgency.agency_id).where(
                DutyAgency.directive_id == DRAFT,
                DutyAgency.duty_id == duty_id,
                DutyAgency.role == "lead",
            )
        )
        return row.timing_due, list(lead)


def test_an_admin_corrects_agencies_and_deadline_in_chat(own_data: Assistant) -> None:
    admin = admin_of(own_data)
    review = send(admin, "chi-thi-77.txt", MISREAD.encode())
    assert "6. 1.c-1 — " in review and "không có hạn" in review
    assert PROBLEM in review

    admin.send(f"/suanhap {DRAFT} 6 han 31/12/2019")
    fixed = admin.text()
    assert "Đã sửa nhiệm vụ 1.c-1" in fixed and "trước 31/12/2019" in fixed
    assert PROBLEM not in fixed  # the correction settled it

    admin.send(f"/suanhap {DRAFT} 6 chutri so tai chinh")  # without diacritics
    assert "6. 1.c-1 — Sở Tài chính; phối hợp:" in admin.text()
    admin.send(f"/suanhap {DRAFT} 6 chutri Sở Tài chánh")
    refused = admin.text()
    assert "không nhận ra cơ quan: Sở Tài chánh" in refused
    assert "Có phải Anh/Chị muốn ghi: Sở Tài chính" in refused
    admin.send(f"/suanhap {DRAFT} 6 han 31/12/2018")  # before the directive was issued
    assert "trước ngày ban hành" in admin.text()
    admin.send(f"/suanhap {DRAFT} 99 han 31/12/2019")
    assert "không có nhiệm vụ số «99»" in admin.text()
    Chat(own_data, "5").send(f"/suanhap {DRAFT} 6 han 1/1/2020")  # not an admin: refused

    admin.send(f"/congbo {DRAFT}")
    assert "Đã công bố Chỉ thị 77/CT-UBND" in admin.text()
    assert published_duty(own_data, "1.c-1") == (dt.date(2019, 12, 31), ["stc"])
    with session_scope(own_data.sessions) as session:
        log = session.scalars(select(AuditLog).where(AuditLog.action == "draft.correct")).all()
        done = [e for e in log if e.allowed]
        assert [e.entity_id for e in done] == [f"{DRAFT}/1.c-1"] * 2
        assert [e.allowed for e in log].count(False) == 1  # the official's attempt
        assert done[0].before["deadline"] == "không có hạn"
        assert done[0].after["deadline"] == "31/12/2019"


def test_the_command_line_corrects_a_draft(
    own_data: Assistant,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import_on_command_line(own_data, db_url, tmp_path, monkeypatch, MISREAD)
    capsys.readouterr()
    assert main(["directive", "set", DRAFT, "1.c-1", "--lead", "Sở Tai chanh"]) == 2
    assert "Có phải: Sở Tài chính," in capsys.readouterr().err  # the closest first
    set_ = ["directive", "set", DRAFT, "6", "--lead", "STC", "--deadline", "hàng quý"]
    assert main([*set_, "--coordinate", "không"]) == 0
    out = capsys.readouterr().out
    assert "6. 1.c-1 — Sở Tài chính; hàng quý" in out and PROBLEM not in out
    # Printed: every duty (06 has 45, chat shows 15), and the command line's commands.
    assert "\n45. " in out and "nhiệm vụ khác" not in out
    assert f"bot directive publish {DRAFT}" in out and "«Công bố»" not in out
    assert main(["directive", "publish", DRAFT]) == 0
    with session_scope(own_data.sessions) as session:
        row = session.get_one(Duty, (DRAFT, "1.c-1"))
        assert (row.timing_kind, row.timing_recurrence) == ("recurring", "quarterly")


def test_the_portal_corrects_a_duty_of_a_draft(own_data: Assistant) -> None:
    from starlette.testclient import TestClient

    from bot.application.delivery import utc_clock
    from bot.channels.http import web_app
    from bot.channels.web.app import Portal
    from tests.web.conftest import PUBLIC, World, log_in
    from tests.web.test_portal import csrf_of

    own_data.core.services.web_url = PUBLIC
    with session_scope(own_data.sessions) as session:
        accounts.bootstrap_admin(session, "zalo", "web-admin", "Quản trị")
    portal = Portal(own_data, PUBLIC, utc_clock)
    with TestClient(web_app(portal.routes()), base_url=PUBLIC, follow_redirects=False) as client:
        log_in(client, World(own_data, utc_clock, {}), "web-admin")
        csrf = csrf_of(client.get("/van-ban").text)
        upload = {"file": ("chi-thi-77.txt", MISREAD.encode(), "text/plain")}
        review = client.post("/van-ban", data={"csrf": csrf}, files=upload)
        form = f'action="/van-ban/{DRAFT}/nhiem-vu/6"'
        assert form in review.text and PROBLEM in review.text
        fix = {"chu_tri": "Sở Tài chính", "phoi_hop": "", "han": "30/6/2020"}
        url = f"/van-ban/{DRAFT}/nhiem-vu/6"
        assert client.post(url, data=fix).status_code == 403  # no CSRF token
        done = client.post(url, data={**fix, "csrf": csrf})
        assert done.status_code == 200 and "Đã sửa nhiệm vụ 1.c-1" in done.text
        assert "trước 30/06/2020" in done.text or "trước 30/6/2020" in done.text
        assert PROBLEM not in done.text
        wrong = client.post(url, data={**fix, "han": "30/2/2020", "csrf": csrf})
        assert wrong.status_code == 400 and "Không có ngày 30/2/2020" in wrong.text
        assert form in wrong.text  # the review again, to correct once more


def test_a_code_of_a_deactivated_agency_is_refused_and_its_maker_told(
    assistant: Assistant,
) -> None:
    with session_scope(assistant.sessions) as session:
        maker = accounts.bootstrap_admin(session, "zalo", "admin-1", "Quản trị")
        code = accounts.create_invite(session, "stc", "official", maker).code
        agencies.set_active(session, None, "stc", False, force=True)  # it leads 2.c
    official = Chat(assistant, "7")
    official.send(f"/start {code}")
    assert "cơ quan đã ngừng hoạt động" in official.text()
    with session_scope(assistant.sessions) as session:
        assert session.get_one(InviteCode, code).used_at is None
        told = session.scalars(select(OutboxMessage)).all()
        assert [(m.kind, m.user_id) for m in told] == [("invite_refused", maker.id)]
        assert "Sở Tài chính" in told[0].payload["message"]["data"]["agency"]


def test_duty_from_db_follows_a_merge(assistant: Assistant) -> None:
    catalog = assistant.core.qa.catalog
    directive, duty = next(
        (d, x) for d, x in catalog.duties.values() if "sttt" in x.lead and "skhcn" not in x.lead
    )
    with session_scope(assistant.sessions) as session:
        assert "sttt" in duty_from_db(session, directive.id, duty.id).lead
        agencies.merge(session, None, ["sttt"], "skhcn")
        lead = duty_from_db(session, directive.id, duty.id).lead
    assert "sttt" not in lead and "skhcn" in lead


def test_a_wrong_date_gets_the_date_hint_and_a_monthly_duty_is_published(
    own_data: Assistant,
) -> None:
    admin = admin_of(own_data)
    send(admin, "chi-thi-77.txt", MISREAD.encode())
    admin.send(f"/suanhap {DRAFT} 6 han 31/13/2019")
    refused = admin.text()
    assert "Ghi thời hạn là một ngày (ví dụ 30/6/2021)" in refused
    assert "Ghi các cơ quan" not in refused  # the agencies' hint is for agencies
    admin.send(f"/suanhap {DRAFT} 6 chutri Sở Tài chánh")
    assert "Ghi các cơ quan" in admin.text() and "Ghi thời hạn" not in admin.text()
    admin.send(f"/suanhap {DRAFT} 6 han hằng tháng")
    assert "hàng tháng" in admin.text()
    admin.send(f"/congbo {DRAFT}")
    with session_scope(own_data.sessions) as session:
        row = session.get_one(Duty, (DRAFT, "1.c-1"))
        assert (row.timing_kind, row.timing_recurrence) == ("recurring", "monthly")


def test_the_admin_pages_through_every_duty_and_a_correction_says_what_changed(
    own_data: Assistant,
) -> None:
    admin = admin_of(own_data)
    review = send(admin, "chi-thi-77.txt", MISREAD.encode())  # 45 duties: 3 pages
    assert "\n15. " in review and "\n16. " not in review
    assert f"/suanhap {DRAFT} trang 2" in review
    admin.press("Xem thêm")
    page_2 = admin.text()
    assert "\n16. " in page_2 and "\n30. " in page_2 and "\n31. " not in page_2
    admin.press("Xem thêm")
    page_3 = admin.text()
    assert "\n45. " in page_3 and "(trang 3/3)" in page_3
    assert "Xem thêm" not in [b.label for r in admin.last.replies for b in r.buttons]  # type: ignore[union-attr]
    assert len(page_2) < 2000 and len(page_3) < 2000  # Zalo's limit: one message each
    admin.send(f"/suanhap {DRAFT} trang 4")
    assert "bản nháp chỉ có 3 trang nhiệm vụ" in admin.text()

    admin.send(f"/suanhap {DRAFT} 40 han 30/6/2020")
    fixed = admin.text()
    assert "thời hạn: không có hạn → trước 30/6/2020" in fixed
    assert "\n40. " in fixed and "\n39. " not in fixed  # that duty, not the whole review
    assert "Cơ quan được giao nhiều nhất" not in fixed
    assert f"Xem lại toàn bộ bản nháp: /suanhap {DRAFT}" in fixed
    admin.send(f"/suanhap {DRAFT}")
    assert "Cơ quan được giao nhiều nhất" in admin.text()


def test_a_duty_without_an_agency_is_listed_and_can_be_assigned(own_data: Assistant) -> None:
    from tests.admin.test_importer_layouts import VERTICAL, directive

    admin = admin_of(own_data)
    review = send(admin, "ct15.txt", directive(VERTICAL).encode())
    draft = "15-CT-UBND-2021"
    assert "1. 1-1 — chưa có cơ quan; trước 30/6/2021" in review  # Cục Thuế tỉnh: unknown
    assert "4. 4-1 — Công an tỉnh" in review
    assert "Chưa có cơ quan: 4 nhiệm vụ" in review
    assert "• Nhiệm vụ: 5 (1 có cơ quan chủ trì)" in review  # every one listed is counted
    admin.send(f"/suanhap {draft} 1 chutri Sở Tài chính")
    assert "chủ trì: chưa có → Sở Tài chính" in admin.text()
    admin.send(f"/suanhap {draft} 3 han 30/9/2021")  # still without an agency: kept so
    assert "3. 3-1 — chưa có cơ quan; trước 30/9/2021" in admin.text()
    admin.send(f"/suanhap {draft}")
    again = admin.text()
    assert "1. 1-1 — Sở Tài chính; trước 30/6/2021" in again  # numbers unchanged
    assert "4. 4-1 — Công an tỉnh" in again and "Chưa có cơ quan: 3 nhiệm vụ" in again
    admin.send(f"/congbo {draft}")  # asks first: 3 duties would be left out
    asked = admin.text()
    assert "3 nhiệm vụ chưa có cơ quan chủ trì sẽ không được công bố" in asked, asked
    assert "• 2. 2-1 — " in asked and f"/suanhap {draft} «số nhiệm vụ» chutri" in asked
    with session_scope(own_data.sessions) as session:
        assert session.get(Directive, draft) is None
    admin.press("Vẫn công bố")
    done = admin.text()
    assert "(2 nhiệm vụ)" in done  # the assigned ones, and those left out are named
    assert "3 nhiệm vụ chưa có cơ quan chủ trì không được công bố: 2-1, 3-1, 5-1" in done, done
    with session_scope(own_data.sessions) as session:
        rows = session.scalars(select(Duty.id).where(Duty.directive_id == draft)).all()
        assert sorted(rows) == ["1-1", "4-1"]
