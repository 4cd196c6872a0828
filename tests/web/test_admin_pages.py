"""The admins' pages besides the FAQ, through Starlette's TestClient on SQLite and
PostgreSQL: the unanswered inbox, duties' deadlines and assignments, announcements,
the working calendar and the audit log. What each page changes is checked where the
chat would see it (the assistant's answers, the outbox, the calendar, the audit log),
and the chat commands see the same state (one service behind both)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.application.admin.inbox import unanswered
from bot.application.calendar import load_calendar
from bot.application.portal import admin as manage
from bot.storage.db import session_scope
from bot.storage.models import (
    AuditLog,
    CalendarDay,
    Duty,
    FaqEntry,
    OutboxMessage,
    QuestionLog,
)
from tests.web.conftest import World, chat, log_in
from tests.web.test_portal import csrf_of, first

GOLD = (
    "Giá vàng SJC hôm nay bao nhiêu?",
    "gia vang sjc hom nay",
    "Giá vàng SJC hôm nay là bao nhiêu vậy?",
)
PHO = "Công thức nấu phở bò"


def audited(world: World, action: str) -> list[AuditLog]:
    with session_scope(world.assistant.sessions) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == action))
        return list(rows)


def ask_unanswerable(world: World) -> None:
    for question in (*GOLD, PHO):
        assert "Xin lỗi" in chat(world.assistant, "official", question)


def log_ids(world: World) -> dict[str, int]:
    """The first log id of each inbox group, by its example."""
    with session_scope(world.assistant.sessions) as session:
        return {g.example: g.log_ids[0] for g in unanswered(session)}


# ----- the unanswered inbox -------------------------------------------------------------


def test_the_inbox_merges_into_an_entry_and_skips(client: TestClient, world: World) -> None:
    ask_unanswerable(world)
    log_in(client, world, "admin")
    page = client.get("/hop-thu")
    assert page.status_code == 200 and "3 lần hỏi" in page.text and PHO in page.text
    csrf = csrf_of(page.text)
    groups = log_ids(world)
    gold = groups[GOLD[2]]

    merged = client.post(f"/hop-thu/{gold}/gop", data={"csrf": csrf, "faq_id": "ngay_hieu_luc"})
    assert merged.status_code == 303
    done = client.get(merged.headers["location"]).text
    assert "Đã gộp nhóm câu hỏi vào mục «ngay_hieu_luc» (thêm 3 cách hỏi khác)" in done
    assert "3 lần hỏi" not in done
    with session_scope(world.assistant.sessions) as session:
        assert set(GOLD) <= set(session.get_one(FaqEntry, "ngay_hieu_luc").alternates)
    assert [a.entity_id for a in audited(world, "faq.save")] == ["ngay_hieu_luc"]  # versioned
    world.assistant.core.wait_for_reload()
    assert "19/4/2019" in chat(world.assistant, "stranger", "gia vang sjc hom nay")

    skipped = client.post(f"/hop-thu/{groups[PHO]}/bo-qua", data={"csrf": csrf})
    assert skipped.status_code == 303
    assert "Không có câu hỏi nào chưa trả lời được" in client.get("/hop-thu").text
    # Gone from the chat's /hopthu too, and a second press finds nothing.
    assert "Không có câu hỏi nào" in chat(world.assistant, "admin", "/hopthu")
    assert client.post(f"/hop-thu/{groups[PHO]}/bo-qua", data={"csrf": csrf}).status_code == 404


def test_an_entry_made_from_the_inbox_takes_its_group_out(client: TestClient, world: World) -> None:
    ask_unanswerable(world)
    log_in(client, world, "admin")
    gold = log_ids(world)[GOLD[2]]
    form = client.get(f"/hoi-dap/them?hop_thu={gold}").text
    assert f'value="{GOLD[2]}"' in form  # the latest wording as the question
    assert GOLD[0] in form and 'name="hop_thu" value="' in form
    saved = client.post(
        "/hoi-dap/them",
        data={
            "csrf": csrf_of(form),
            "hop_thu": str(gold),
            "question": GOLD[2],
            "alternates": "\n".join(GOLD[:2]),
            "answer": "Trợ lý chỉ trả lời về Chỉ thị 06/CT-UBND, không có giá vàng.",
            "clauses": "",
            "action": "save",
        },
    )
    assert saved.status_code == 303
    page = client.get("/hop-thu").text
    assert "3 lần hỏi" not in page and PHO in page
    world.assistant.core.wait_for_reload()
    assert "không có giá vàng" in chat(world.assistant, "stranger", "gia vang sjc hom nay")


def test_a_wrong_answer_is_in_the_web_inbox_as_in_the_chat(
    client: TestClient, world: World
) -> None:
    """«Chưa đúng» with its comment: listed with the answer given, an FAQ entry made
    from it (the question prefilled) or set aside, as /hopthu does in chat."""
    question = "Sở TT&TT phải làm gì?"
    assert "Sở TT&TT" in chat(world.assistant, "official", question)
    with session_scope(world.assistant.sessions) as session:
        log_id = session.scalars(select(func.max(QuestionLog.id))).one()
    chat(world.assistant, "official", f"/danhgia {log_id} sai")
    chat(world.assistant, "official", "Thiếu nhiệm vụ báo cáo quý")
    log_in(client, world, "admin")
    page = client.get("/hop-thu").text
    assert 'Trả lời bị đánh giá «Chưa đúng» <span class="count">(1)</span>' in page
    assert html.escape(question) in page and "Góp ý: Thiếu nhiệm vụ báo cáo quý" in page
    form = client.get(f"/hoi-dap/them?hop_thu={log_id}").text
    assert f'value="{html.escape(question)}"' in form
    skipped = client.post(f"/hop-thu/{log_id}/bo-qua", data={"csrf": csrf_of(page)})
    assert skipped.status_code == 303
    assert "Không có trả lời nào bị đánh giá «Chưa đúng»" in client.get("/hop-thu").text
    assert "Thiếu nhiệm vụ báo cáo quý" not in chat(world.assistant, "admin", "/hopthu")


def test_merging_into_a_missing_entry_changes_nothing(client: TestClient, world: World) -> None:
    ask_unanswerable(world)
    log_in(client, world, "admin")
    csrf = csrf_of(client.get("/hop-thu").text)
    gold = log_ids(world)[GOLD[2]]
    missing = client.post(f"/hop-thu/{gold}/gop", data={"csrf": csrf, "faq_id": "khong-co"})
    assert missing.status_code == 404
    assert "3 lần hỏi" in client.get("/hop-thu").text


# ----- duties -------------------------------------------------------------------------------


def test_a_deadline_extended_on_the_web_is_answered_at_once(
    client: TestClient, world: World
) -> None:
    log_in(client, world, "admin")
    listing = client.get("/quan-ly-nhiem-vu").text
    assert "1.c-1" in listing and "31/12/2019" in listing
    page = client.get("/quan-ly-nhiem-vu/1.c-1")
    assert page.status_code == 200 and "Gia hạn đến ngày" in page.text
    csrf = csrf_of(page.text)
    bad = client.post("/quan-ly-nhiem-vu/1.c-1/gia-han", data={"csrf": csrf, "due": "31/02/2020"})
    assert bad.status_code == 400 and 'value="31/02/2020"' in bad.text
    done = client.post("/quan-ly-nhiem-vu/1.c-1/gia-han", data={"csrf": csrf, "due": "31/3/2020"})
    assert done.status_code == 303
    assert "Đã lưu thời hạn" in client.get(done.headers["location"]).text
    with session_scope(world.assistant.sessions) as session:
        assert session.get_one(Duty, ("06-CT-UBND-2019", "1.c-1")).effective_due == dt.date(
            2020, 3, 31
        )
    [change] = audited(world, "duty.due")
    assert change.after == {"effective_due": "2020-03-31", "overrides": {}}
    world.assistant.core.wait_for_reload()
    answer = world.assistant.core.qa.deadlines()
    assert answer is not None
    assert "đã gia hạn đến 31/3/2020" in world.assistant.renderer.render(answer.reply)
    # The chat's history lists it and /hoantac undoes it (one versioning path).
    assert "#" + str(change.id) in chat(world.assistant, "admin", "/lichsu")
    # A duty without a fixed deadline has no extension form, and refuses one.
    assert "không có hạn cố định" in client.get("/quan-ly-nhiem-vu/1.a-1").text
    refused = client.post("/quan-ly-nhiem-vu/1.a-1/gia-han", data={"csrf": csrf, "due": "1/1/2030"})
    assert refused.status_code == 400 and len(audited(world, "duty.due")) == 1
    assert client.get("/quan-ly-nhiem-vu/9.z-9").status_code == 404


def test_an_assignment_edited_on_the_web_is_versioned(client: TestClient, world: World) -> None:
    log_in(client, world, "admin")
    page = client.get("/quan-ly-nhiem-vu/2.d-4").text
    assert 'id="lead" name="lead" type="text" maxlength="2000" value="Sở Nội vụ"' in page
    fields = {
        "csrf": csrf_of(page),
        "addressee": "Sở Nội vụ",
        "lead": "so tttt, Sở Nội vụ",
        "coordinate": "",
    }
    unknown = client.post(
        "/quan-ly-nhiem-vu/2.d-4/phan-cong", data={**fields, "lead": "Sở Không Có"}
    )
    assert unknown.status_code == 400 and "không có cơ quan «Sở Không Có»" in unknown.text
    empty = client.post("/quan-ly-nhiem-vu/2.d-4/phan-cong", data={**fields, "lead": " "})
    assert empty.status_code == 400 and "cần ít nhất một cơ quan" in empty.text
    assert audited(world, "duty.edit") == []
    done = client.post("/quan-ly-nhiem-vu/2.d-4/phan-cong", data=fields)
    assert done.status_code == 303
    [change] = audited(world, "duty.edit")  # only the role whose list changed
    assert change.after is not None and change.after["overrides"] == {"lead": ["sttt", "snv"]}
    assert "Chủ trì: Sở TT&TT, Sở Nội vụ" in chat(world.assistant, "admin", "/suanv 2.d-4")
    # A form sent back as shown changes nothing, names with commas included
    # («Các sở, ban, ngành»).
    shown = client.get("/quan-ly-nhiem-vu/1.c-1").text
    assert 'value="Các sở, ban, ngành; UBND cấp huyện"' in shown
    fields = {
        name: html.unescape(
            first(rf'id="{name}" name="{name}" type="text" maxlength="2000" value="([^"]*)"', shown)
        )
        for name in manage.ASSIGNMENTS
    }
    unchanged = client.post(
        "/quan-ly-nhiem-vu/1.c-1/phan-cong", data={"csrf": csrf_of(shown), **fields}
    )
    assert unchanged.status_code == 303, unchanged.text[unchanged.text.find("<li>") :][:300]
    assert len(audited(world, "duty.edit")) == 1


# ----- announcements -----------------------------------------------------------------------


def outbox_count(world: World) -> int:
    with session_scope(world.assistant.sessions) as session:
        return session.scalar(select(func.count(OutboxMessage.id))) or 0


def test_an_announcement_is_previewed_then_sent_once(client: TestClient, world: World) -> None:
    log_in(client, world, "admin")
    page = client.get("/thong-bao").text
    assert '<option value="lanhdao">lãnh đạo</option>' in page
    text = "Đề nghị báo cáo trước thứ Sáu <b>gấp</b> {{ 7*7 }}"
    preview = client.post(
        "/thong-bao", data={"csrf": csrf_of(page), "audience": "lanhdao", "text": text}
    )
    assert preview.status_code == 200
    assert "gửi tới lãnh đạo (3 người nhận)" in preview.text
    assert "&lt;b&gt;gấp&lt;/b&gt; {{ 7*7 }}" in preview.text  # the text as typed, escaped
    assert outbox_count(world) == 0  # a preview sends nothing
    send = first(r'action="(/thong-bao/\d+/gui)"', preview.text)
    sent = client.post(send, data={"csrf": csrf_of(page)})
    assert sent.status_code == 303
    assert "Đã xếp 3 tin thông báo" in client.get(sent.headers["location"]).text
    assert outbox_count(world) == 3
    again = client.post(send, data={"csrf": csrf_of(page)})
    assert "đã được gửi trước đó" in client.get(again.headers["location"]).text
    # The chat's button on the same draft knows it was sent (one path, one record).
    draft_id = send.split("/")[2]
    assert "đã được gửi rồi" in chat(world.assistant, "admin", f"/thongbao_gui {draft_id}")
    assert outbox_count(world) == 3

    empty = client.post("/thong-bao", data={"csrf": csrf_of(page), "audience": "", "text": "x"})
    assert empty.status_code == 400 and "chưa chọn gửi tới ai" in empty.text
    long = client.post(
        "/thong-bao", data={"csrf": csrf_of(page), "audience": "tatca", "text": "x" * 3001}
    )
    assert long.status_code == 400 and "dài quá 3000 ký tự" in long.text


# ----- the working calendar ---------------------------------------------------------------


def test_a_day_off_declared_on_the_web_is_the_calendars(client: TestClient, world: World) -> None:
    log_in(client, world, "admin")
    page = client.get("/lich-lam-viec")
    assert page.status_code == 200 and "Chưa có ngày nào" in page.text
    csrf = csrf_of(page.text)
    day = world.today + dt.timedelta(days=40)
    typed = day.strftime("%d/%m/%Y")
    done = client.post(
        "/lich-lam-viec", data={"csrf": csrf, "day": typed, "kind": "dayoff", "note": "Nghỉ bù"}
    )
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert f"Đã khai báo {typed} là ngày nghỉ thêm" in shown and "Nghỉ bù" in shown
    with session_scope(world.assistant.sessions) as session:
        calendar = load_calendar(session, world.assistant.core.services.nudge_settings)
        assert not calendar.is_working_day(day)
    assert f"{day.day}/{day.month}/{day.year}" in chat(world.assistant, "admin", "/lich")
    assert [a.entity_id for a in audited(world, "calendar.dayoff")] == [day.isoformat()]

    removed = client.post("/lich-lam-viec", data={"csrf": csrf, "day": typed, "kind": "remove"})
    assert "Đã xóa" in client.get(removed.headers["location"]).text
    with session_scope(world.assistant.sessions) as session:
        assert session.get(CalendarDay, day) is None
    bad = client.post("/lich-lam-viec", data={"csrf": csrf, "day": "32/13/2026", "kind": "workday"})
    assert bad.status_code == 400 and "Chưa lưu được" in bad.text


# ----- the audit log -------------------------------------------------------------------------


def test_the_audit_log_is_filtered_and_paged(client: TestClient, world: World) -> None:
    log_in(client, world, "admin")
    with session_scope(world.assistant.sessions) as session:
        for n in range(manage.AUDIT_PAGE + 5):
            session.add(
                AuditLog(user_id=world.users["official"], action="faq.save", entity_id=f"m{n}")
            )
        session.add(
            AuditLog(
                user_id=world.users["official"], action="web.refused", entity_id="x", allowed=False
            )
        )
    page = client.get("/nhat-ky").text
    total = int(first(r'id="h-nhat-ky" data-count="(\d+)"', page))
    assert total >= manage.AUDIT_PAGE + 6 and "Trang 1/2" in page and "bị từ chối" in page
    faq = client.get("/nhat-ky?loai=faq").text
    assert first(r'id="h-nhat-ky" data-count="(\d+)"', faq) == str(manage.AUDIT_PAGE + 5)
    second = client.get("/nhat-ky?loai=faq&trang=2").text
    assert second.count('<td data-label="#">') == 5 and "m0<" in second  # oldest last
    refused = client.get("/nhat-ky?tu_choi=1&nguoi=official").text
    assert first(r'id="h-nhat-ky" data-count="(\d+)"', refused) == "1"
    assert client.get("/nhat-ky?nguoi=khong+ai").text.count('<td data-label="#">') == 0
    assert client.get("/nhat-ky?loai=x&trang=abc").status_code == 200
    # In the admins' words: the action, the duty without its directive, a day dd/mm/yyyy.
    with session_scope(world.assistant.sessions) as session:
        official = world.users["official"]
        session.add(AuditLog(user_id=official, action="duty.due", entity_id="06-X/2.f-5"))
        session.add(AuditLog(user_id=official, action="calendar.workday", entity_id="2026-12-07"))
    words = client.get("/nhat-ky").text
    assert "Trang web: mở trang ngoài phạm vi" in refused and "web.refused" not in refused
    assert "Nhiệm vụ: gia hạn nhiệm vụ" in words and ">2.f-5<" in words
    assert "Lịch làm việc: đặt ngày làm việc bù" in words and ">07/12/2026<" in words


# ----- who may --------------------------------------------------------------------------------

PAGES = [
    "/hop-thu",
    "/quan-ly-nhiem-vu",
    "/quan-ly-nhiem-vu/1.c-1",
    "/thong-bao",
    "/lich-lam-viec",
    "/nhat-ky",
]
POSTS = {
    "/hop-thu/1/gop": {"faq_id": "ngay_hieu_luc"},
    "/hop-thu/1/bo-qua": {},
    "/quan-ly-nhiem-vu/1.c-1/gia-han": {"due": "1/1/2030"},
    "/quan-ly-nhiem-vu/1.c-1/phan-cong": {"lead": "snv", "addressee": "snv"},
    "/thong-bao": {"audience": "tatca", "text": "x"},
    "/thong-bao/1/gui": {},
    "/lich-lam-viec": {"day": "1/1/2030", "kind": "dayoff"},
}


@pytest.mark.parametrize("account", ["province_manager", "official"])
def test_the_admin_pages_are_refused_to_others(
    client: TestClient, world: World, account: str
) -> None:
    ask_unanswerable(world)
    log_in(client, world, account)
    csrf = csrf_of(client.get("/tong-hop").text)
    assert "/hop-thu" not in client.get("/tong-hop").text  # not in their menu
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    for path, data in POSTS.items():
        assert client.post(path, data={"csrf": csrf, **data}).status_code == 403, path
    refused = audited(world, "web.refused")
    assert len(refused) == len(PAGES) + len(POSTS)
    with session_scope(world.assistant.sessions) as session:
        assert session.scalars(select(CalendarDay)).all() == []
        assert session.scalar(select(func.count(OutboxMessage.id))) == 0
        assert session.get_one(Duty, ("06-CT-UBND-2019", "1.c-1")).effective_due is None
    assert len(log_ids(world)) == 2  # nothing left the inbox


def test_an_admins_post_without_its_csrf_token_changes_nothing(
    client: TestClient, world: World
) -> None:
    ask_unanswerable(world)
    log_in(client, world, "admin")
    for path, data in POSTS.items():
        for token in ({}, {"csrf": "0" * 64}):
            assert client.post(path, data={**token, **data}).status_code == 403, path
    with session_scope(world.assistant.sessions) as session:
        assert session.scalars(select(CalendarDay)).all() == []
        assert session.scalar(select(AuditLog).where(AuditLog.action == "broadcast.draft")) is None
    assert len(log_ids(world)) == 2
