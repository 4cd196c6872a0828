"""The web portal's views through Starlette's TestClient, on SQLite and PostgreSQL:
logging in with `/web`'s link, sessions, CSRF, who sees what, the dashboard's numbers
(the digest's), a duty's history, the downloads, and the admins' FAQ pages."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.application.digest.model import STATUSES
from bot.application.portal import dashboard as boards
from bot.application.portal import login
from bot.channels.web.context import SESSION_COOKIE
from bot.storage.db import session_scope
from bot.storage.models import (
    AuditLog,
    DigestSnapshot,
    FaqEntry,
    ProgressReport,
    User,
    WebLoginLink,
    WebSession,
)
from tests.web.conftest import BLOCKER, Forms, World, chat, log_in, login_link, path_of


def attribute(html: str, name: str, key: str) -> dict[str, float]:
    """{key attribute: data-count or data-completion} of the elements carrying `key`."""
    found = {}
    for tag in re.findall(rf"<[^>]*\b{key}=\"[^\"]*\"[^>]*>", html):
        value = re.search(rf'{name}="(\d+(?:\.\d+)?)"', tag)
        label = re.search(rf'{key}="([^"]*)"', tag)
        if value and label:
            found[label.group(1)] = float(value.group(1))  # completions have decimals
    return found


def first(pattern: str, html: str) -> str:
    found = re.search(pattern, html)
    assert found, pattern
    return found.group(1)


def csrf_of(html: str) -> str:
    return first(r'name="csrf" value="([\w-]+)"', html)


# ----- logging in --------------------------------------------------------------------


def test_the_link_from_chat_logs_in_once_and_only_its_hash_is_kept(
    client: TestClient, world: World
) -> None:
    link = login_link(world.assistant, "district_manager")
    token = link.rsplit("/", 1)[1]
    assert link == f"http://testserver/dang-nhap/{token}" and len(token) >= 43
    page = client.get(path_of(link))
    assert page.status_code == 200 and "Đăng nhập" in page.text
    assert client.get(path_of(link)).status_code == 200  # opening it spends nothing
    [form] = [f for f in Forms(page.text).forms if f["method"] == "post"]
    done = client.post(form["action"], data=form["hidden"])
    assert done.status_code == 303 and done.headers["location"] == "/tong-hop"
    cookie = next(
        c for c in done.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/tong-hop").status_code == 200

    again = client.get(path_of(link))
    assert again.status_code == 410 and "đã được dùng" in again.text and "/web" in again.text
    # Pressing the old form again: its token went with the login, and the link is spent.
    assert client.post(form["action"], data=form["hidden"]).status_code == 403
    secret = client.cookies[SESSION_COOKIE]
    with session_scope(world.assistant.sessions) as session:
        stored = [*session.scalars(select(WebLoginLink.token_hash))]
        stored += session.scalars(select(WebSession.token_hash))
        assert token not in stored and secret not in stored and len(stored) == 2
        logins = session.scalars(select(AuditLog).where(AuditLog.action == "web.login")).all()
        assert [a.user_id for a in logins] == [world.users["district_manager"]]


def test_an_expired_or_unknown_link_opens_nothing(client: TestClient, world: World) -> None:
    path = path_of(login_link(world.assistant, "official"))
    page = client.get(path)
    [form] = [f for f in Forms(page.text).forms if f["method"] == "post"]
    world.clock.advance(minutes=login.LINK_MINUTES, seconds=1)
    expired = client.get(path)
    assert expired.status_code == 410 and "hết hạn" in expired.text
    assert client.post(form["action"], data=form["hidden"]).status_code == 410
    assert SESSION_COOKIE not in client.cookies
    unknown = client.get(path[:-2] + "xx")
    assert unknown.status_code == 404 and "không đúng" in unknown.text


def test_the_login_form_needs_its_own_token(client: TestClient, world: World) -> None:
    """A page elsewhere cannot post a link it holds into this browser (login CSRF): the
    form's token must match the cookie set when the link was opened here."""
    path = path_of(login_link(world.assistant, "official"))
    refused = client.post(path, data={"csrf": "guessed"})
    assert refused.status_code == 403 and SESSION_COOKIE not in client.cookies
    client.get(path)  # now the cookie is set, but the token is still wrong
    assert client.post(path, data={"csrf": "guessed"}).status_code == 403
    page = client.get(path)
    assert client.post(path, data={"csrf": csrf_of(page.text)}).status_code == 303


def test_web_needs_a_linked_account_and_a_public_address(world: World) -> None:
    assert "mã mời" in chat(world.assistant, "stranger", "/web")
    with session_scope(world.assistant.sessions) as session:
        refused = session.scalars(select(AuditLog).where(AuditLog.action == "web.link")).all()
        assert [(r.user_id, r.allowed) for r in refused] == [(world.users["stranger"], False)]
        assert session.scalars(select(WebLoginLink)).all() == []
    world.assistant.core.services.web_url = ""
    assert "chưa được mở" in chat(world.assistant, "official", "/web")
    assert "dang-nhap" not in chat(world.assistant, "official", "/web")


def test_without_a_session_pages_say_how_to_log_in(client: TestClient) -> None:
    for path in ("/tong-hop", "/hoi-dap", "/nhiem-vu/2.f-4", "/tong-hop.xlsx"):
        page = client.get(path)
        assert page.status_code == 401 and "/web" in page.text, path
    client.cookies.set(SESSION_COOKIE, "forged")
    page = client.get("/tong-hop")
    assert page.status_code == 401
    assert f'{SESSION_COOKIE}=""' in page.headers["set-cookie"]  # the stale cookie goes
    assert client.get("/").headers["location"] == "/tong-hop"


def test_a_session_ends_after_8_idle_hours_not_while_used(client: TestClient, world: World) -> None:
    log_in(client, world, "official")
    for _ in range(3):  # 21 hours, a request every 7
        world.clock.advance(hours=7)
        assert client.get("/tong-hop").status_code == 200
    world.clock.advance(hours=8, minutes=1)
    assert client.get("/tong-hop").status_code == 401
    with session_scope(world.assistant.sessions) as session:
        assert session.scalars(select(WebSession)).all() == []


def test_logout_needs_the_csrf_token_and_ends_the_session(client: TestClient, world: World) -> None:
    log_in(client, world, "official")
    page = client.get("/tong-hop")
    assert client.post("/dang-xuat", data={}).status_code == 403
    assert client.post("/dang-xuat", data={"csrf": "0" * 64}).status_code == 403
    assert client.get("/tong-hop").status_code == 200  # still logged in
    out = client.post("/dang-xuat", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"] == "/dang-nhap?da_thoat=1"
    assert "đã đăng xuất" in client.get(out.headers["location"]).text
    assert client.get("/tong-hop").status_code == 401


def test_a_new_login_in_the_same_browser_ends_the_old_session(
    client: TestClient, world: World
) -> None:
    log_in(client, world, "official")
    log_in(client, world, "district_manager")
    with session_scope(world.assistant.sessions) as session:
        owners = session.scalars(select(WebSession.user_id)).all()
    assert owners == [world.users["district_manager"]]


# ----- who sees what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "heading"),
    [
        ("official", "Huyện Tiên Du"),
        ("district_manager", "Huyện Quế Võ"),
        ("province_manager", "toàn tỉnh"),
        ("admin", "toàn tỉnh"),
    ],
)
def test_each_role_sees_its_scope(
    client: TestClient, world: World, account: str, heading: str
) -> None:
    log_in(client, world, account)
    page = client.get("/tong-hop")
    assert page.status_code == 200
    assert first(r"<h1>([^<]*)</h1>", page.text) == f"Tình hình thực hiện — {heading}"
    assert ("/hoi-dap" in page.text) == (account == "admin")  # the admins' menu


def test_a_page_outside_ones_scope_is_refused_and_audited(client: TestClient, world: World) -> None:
    log_in(client, world, "district_manager")
    outside = [
        "/tong-hop?co_quan=h_tien_du",
        "/nhiem-vu/2.f-5?co_quan=h_tien_du",
        "/tong-hop.xlsx?co_quan=h_tien_du",
        "/bao-cao-quy.docx",
        "/hoi-dap",
        "/hoi-dap/ngay_hieu_luc",
        "/lich-su",
        "/van-ban",
    ]
    for path in outside:
        page = client.get(path)
        assert page.status_code == 403, path
        assert "ngoài phạm vi tài khoản của Anh/Chị" in page.text, path
    assert client.get("/tong-hop?co_quan=h_que_vo").status_code == 200
    assert client.get("/tong-hop?co_quan=khong_co").status_code == 404  # not "outside"
    with session_scope(world.assistant.sessions) as session:
        refused = session.scalars(
            select(AuditLog).where(AuditLog.action == "web.refused", AuditLog.allowed.is_(False))
        ).all()
    assert len(refused) == len(outside)
    assert {r.user_id for r in refused} == {world.users["district_manager"]}


def test_an_official_sees_their_agency_and_downloads_nothing(
    client: TestClient, world: World
) -> None:
    log_in(client, world, "official")
    page = client.get("/tong-hop")
    assert BLOCKER in page.text and ".xlsx" not in page.text and ".docx" not in page.text
    assert client.get("/tong-hop.xlsx").status_code == 403
    assert client.get("/tong-hop?co_quan=h_que_vo").status_code == 403


def test_an_unlinked_account_sees_nothing(client: TestClient, world: World) -> None:
    """An account unlinked after logging in (an admin took its role away) loses the
    pages at its next request."""
    log_in(client, world, "official")
    with session_scope(world.assistant.sessions) as session:
        session.get_one(User, world.users["official"]).agency_id = None
    assert client.get("/tong-hop").status_code == 403


# ----- the dashboard ---------------------------------------------------------------------


def test_the_dashboard_shows_the_digests_numbers(client: TestClient, world: World) -> None:
    log_in(client, world, "province_manager")
    page = client.get("/tong-hop").text
    builder = world.builder()
    with session_scope(world.assistant.sessions) as session:
        digest = builder.build(session, world.clock.now, builder.all_agencies(), "toàn tỉnh")
    assert attribute(page, "data-count", "data-status") == {
        s: digest.totals.get(s, 0) for s in STATUSES
    }
    assert attribute(page, "data-completion", "data-agency") == {
        a.agency_id: a.completion for a in digest.agencies
    }
    assert f'data-total="{len(digest.rows)}"' in page
    assert f'id="h-vuong-mac" data-count="{len(digest.blocked)}"' in page
    assert f'id="h-qua-han" data-count="{len(digest.late)}"' in page
    # What was reported shows: the blocker with its evidence, on time, late, overdue.
    assert digest.totals["on_time"] == digest.totals["late_done"] == 1
    assert digest.totals["overdue"] == 1 and len(digest.blocked) == 1
    assert BLOCKER in page and "Công văn 45/UBND-VP" in page
    # Blockers come before the late rows, which come before the bars and the table.
    order = [page.index(f'id="{h}"') for h in ("h-vuong-mac", "h-qua-han", "h-hoan-thanh")]
    assert order == sorted(order) and order[-1] < page.index('id="chi-tiet"')


def test_filters_and_pages(client: TestClient, world: World) -> None:
    log_in(client, world, "province_manager")
    overdue = client.get("/tong-hop?tinh_trang=overdue").text
    assert 'id="h-chi-tiet" data-count="1"' in overdue
    assert '<option value="overdue" selected>' in overdue
    late = client.get("/tong-hop?tinh_trang=late&co_quan=h_tien_du").text
    assert 'data-agency="h_tien_du"' in late and 'data-agency="h_que_vo"' not in late
    blocked = client.get("/tong-hop?tinh_trang=blocked").text
    assert 'id="h-chi-tiet" data-count="1"' in blocked
    # 577 rows for the province: 50 a page, the last page has the rest.
    page_one = client.get("/tong-hop").text
    rows = int(first(r'id="h-chi-tiet" data-count="(\d+)"', page_one))
    pages = -(-rows // boards.PAGE_SIZE)
    assert f"Trang 1/{pages}" in page_one and "trang=2" in page_one
    last = client.get(f"/tong-hop?trang={pages}").text
    table = last.split('id="chi-tiet"')[1]
    assert table.count('<td data-label="Cơ quan">') == rows - (pages - 1) * boards.PAGE_SIZE
    assert "Trang sau" not in last
    # Nonsense in the query string is ignored, not an error.
    assert client.get("/tong-hop?tinh_trang=x&trang=-3&tat_ca=y").status_code == 200
    assert client.get("/tong-hop?trang=99999999999").status_code == 200


def test_a_dutys_history_has_its_reports_blockers_and_evidence(
    client: TestClient, world: World
) -> None:
    log_in(client, world, "province_manager")
    page = client.get("/nhiem-vu/2.f-4?co_quan=h_tien_du")
    assert page.status_code == 200
    text = page.text
    assert text.count('<li class="card') == 2
    assert text.index("60%") < text.index("40%")  # newest first
    assert "Người dùng official" in text  # who reported
    blocked = client.get("/nhiem-vu/2.f-5?co_quan=h_tien_du").text
    assert BLOCKER in blocked and "Công văn 45/UBND-VP" in blocked
    evidence_day = (world.today - dt.timedelta(days=5)).strftime("%d/%m/%Y")
    assert evidence_day in blocked  # dd/mm/yyyy
    assert client.get("/nhiem-vu/khong-co").status_code == 404


def test_a_duty_page_shows_the_day_the_work_was_finished(client: TestClient, world: World) -> None:
    finished = world.today - dt.timedelta(days=4)  # reported today, done 4 days ago
    with session_scope(world.assistant.sessions) as session:
        done = session.scalars(
            select(ProgressReport).where(ProgressReport.agency_id == "tx_tu_son")
        ).one()
        session.add(
            ProgressReport(
                directive_id=done.directive_id,
                duty_id=done.duty_id,
                agency_id="tx_tu_son",
                user_id=done.user_id,
                status="done",
                percent=100,
                completed_on=finished,
                created_at=world.clock.now,
            )
        )
    log_in(client, world, "province_manager")
    text = client.get("/nhiem-vu/2.f-4").text
    assert '<th scope="col">Ngày hoàn thành</th>' in text
    assert f'<td data-label="Ngày hoàn thành">{finished:%d/%m/%Y}</td>' in text
    history = client.get("/nhiem-vu/2.f-4?co_quan=tx_tu_son").text
    assert f"hoàn thành ngày {finished:%d/%m/%Y}" in history


def test_downloads_for_those_allowed(client: TestClient, world: World) -> None:
    log_in(client, world, "district_manager")
    xlsx = client.get("/tong-hop.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-disposition"].startswith(
        "attachment; filename*=UTF-8''tong-hop-chi-thi-06-"
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Tổng hợp", "Vướng mắc", "Chi tiết", "Quá hạn"]
    assert client.get("/bao-cao-quy.docx").status_code == 403  # not Sở TT&TT
    log_in(client, world, "sttt_manager")
    docx = client.get("/bao-cao-quy.docx")
    assert docx.status_code == 200 and "word" in docx.headers["content-type"]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx.content)).namelist()
    annex = client.get("/phu-luc-bao-cao-quy.xlsx")
    assert annex.status_code == 200 and load_workbook(io.BytesIO(annex.content)).sheetnames


# ----- the admins' FAQ pages ---------------------------------------------------------------


def test_an_admin_adds_edits_deletes_and_reverts_a_faq(client: TestClient, world: World) -> None:
    assistant = world.assistant
    log_in(client, world, "admin")
    form_page = client.get("/hoi-dap/them")
    csrf = csrf_of(form_page.text)
    for label in ("Câu hỏi", "Cách hỏi khác", "Câu trả lời", "Trích dẫn"):  # every field labelled
        assert re.search(rf'<label for="\w+">{label}', form_page.text), label
    fields = {
        "csrf": csrf,
        "question": "Chứng thư số chuyên dùng do cơ quan nào cấp?",
        "alternates": "Ai cấp chứng thư số chuyên dùng?\nchứng thư số chuyên dùng do ai cấp",
        "answer": "Ban Cơ yếu Chính phủ cấp chứng thư số chuyên dùng (xem Mục 1.e).",
        "clauses": "Mục 1.e",
    }
    preview = client.post("/hoi-dap/them", data={**fields, "action": "preview"})
    assert preview.status_code == 200 and "Trợ lý sẽ trả lời" in preview.text
    with session_scope(assistant.sessions) as session:
        assert session.get(FaqEntry, "faq-chung-thu-so-chuyen-dung-do-co") is None  # not saved
    saved = client.post("/hoi-dap/them", data={**fields, "action": "save"})
    assert saved.status_code == 303
    faq_id = saved.headers["location"].split("da_luu=")[1]
    assert "Đã lưu mục" in client.get(saved.headers["location"]).text
    assistant.core.wait_for_reload()
    assert "Ban Cơ yếu Chính phủ" in chat(
        assistant, "stranger", "chứng thư số chuyên dùng do ai cấp"
    )

    edited = client.post(
        f"/hoi-dap/{faq_id}",
        data={**fields, "answer": "Câu trả lời đã sửa trên web (Mục 1.e).", "action": "save"},
    )
    assert edited.status_code == 303
    assistant.core.wait_for_reload()
    assert "đã sửa trên web" in chat(assistant, "stranger", "chứng thư số chuyên dùng do ai cấp")

    history = client.get("/lich-su").text
    assert history.count(f"«{faq_id}»") == 2 and "Câu trả lời đã sửa trên web" in history
    latest = first(r'action="/lich-su/(\d+)/khoi-phuc"', history)
    reverted = client.post(f"/lich-su/{latest}/khoi-phuc", data={"csrf": csrf})
    assert reverted.status_code == 303
    assistant.core.wait_for_reload()
    assert "Ban Cơ yếu Chính phủ" in chat(
        assistant, "stranger", "chứng thư số chuyên dùng do ai cấp"
    )

    assert "Xóa mục" in client.get(f"/hoi-dap/{faq_id}/xoa").text  # a page to confirm
    deleted = client.post(f"/hoi-dap/{faq_id}/xoa", data={"csrf": csrf})
    assert deleted.status_code == 303
    assert client.get(f"/hoi-dap/{faq_id}").status_code == 404
    assistant.core.wait_for_reload()
    assert "Ban Cơ yếu" not in chat(assistant, "stranger", "chứng thư số chuyên dùng do ai cấp")


def test_a_faq_form_with_problems_is_shown_again_and_nothing_saved(
    client: TestClient, world: World
) -> None:
    log_in(client, world, "admin")
    csrf = csrf_of(client.get("/hoi-dap/them").text)
    page = client.post(
        "/hoi-dap/them",
        data={
            "csrf": csrf,
            "question": "Câu hỏi?",
            "answer": " ",
            "clauses": "9.z",
            "action": "save",
        },
    )
    assert page.status_code == 400
    assert "thiếu câu trả lời" in page.text and "không có mục: 9.z" in page.text
    assert 'value="Câu hỏi?"' in page.text  # what was typed is kept
    with session_scope(world.assistant.sessions) as session:
        assert session.scalar(select(AuditLog).where(AuditLog.action == "faq.save")) is None


def test_faq_search_folds_diacritics(client: TestClient, world: World) -> None:
    log_in(client, world, "admin")
    found = client.get("/hoi-dap?q=hieu luc").text
    assert "ngay_hieu_luc" in found and "pham_vi_ap_dung" not in found
    assert "Không có mục nào khớp" in client.get("/hoi-dap?q=zzzz").text


def test_a_post_without_the_csrf_token_changes_nothing(client: TestClient, world: World) -> None:
    log_in(client, world, "admin")
    before = client.get("/hoi-dap/ngay_hieu_luc").text
    forged = {"question": "Giả?", "answer": "Giả.", "action": "save"}
    for data in (forged, {**forged, "csrf": "0" * 64}):
        assert client.post("/hoi-dap/ngay_hieu_luc", data=data).status_code == 403
    assert client.post("/hoi-dap/ngay_hieu_luc/xoa", data={}).status_code == 403
    assert client.post("/lich-su/1/khoi-phuc", data={}).status_code == 403
    assert client.get("/hoi-dap/ngay_hieu_luc").text == before


def test_forms_are_bounded_and_url_encoded(client: TestClient, world: World) -> None:
    log_in(client, world, "admin")
    csrf = csrf_of(client.get("/hoi-dap/them").text)
    huge = client.post("/hoi-dap/them", data={"csrf": csrf, "answer": "x" * 300_000})
    assert huge.status_code == 413
    other = client.post("/hoi-dap/them", files={"f": ("a.txt", b"x")}, data={"csrf": csrf})
    assert other.status_code == 415


def test_pages_forbid_framing_caching_and_foreign_files(client: TestClient, world: World) -> None:
    log_in(client, world, "official")
    page = client.get("/tong-hop")
    headers = page.headers
    assert headers["cache-control"] == "no-store" and headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    css = re.search(r'href="(/static/portal\.css\?v=\w+)"', page.text)
    assert css and client.get(css.group(1)).status_code == 200
    assert "http" not in re.sub(r'href="http://testserver', "", page.text.split("<body>")[0])


def test_unknown_paths_and_methods_are_refused_in_vietnamese(client: TestClient) -> None:
    missing = client.get("/khong-co-trang-nay")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.text
    assert "Not Found" not in missing.text and 'lang="vi"' in missing.text
    wrong = client.delete("/tong-hop")
    assert wrong.status_code == 405 and "Không thực hiện được" in wrong.text
    assert (
        set(wrong.headers["allow"].split(", ")) == {"GET", "HEAD"}
        and "Method Not Allowed" not in wrong.text
    )


def test_a_long_history_is_cut_into_pages(client: TestClient, world: World) -> None:
    total = 2 * boards.HISTORY_PAGE + 7
    with session_scope(world.assistant.sessions) as session:
        for n in range(total - 2):  # the world has 2 of Huyện Tiên Du's reports on 2.f-4
            session.add(
                ProgressReport(
                    directive_id="06-CT-UBND-2019",
                    duty_id="2.f-4",
                    agency_id="h_tien_du",
                    user_id=world.users["official"],
                    status="in_progress",
                    percent=n % 100,
                    created_at=world.clock.now - dt.timedelta(days=30, minutes=n),
                )
            )
    log_in(client, world, "province_manager")
    first_page = client.get("/nhiem-vu/2.f-4?co_quan=h_tien_du").text
    assert f'Các lần báo cáo <span class="count">({total})' in first_page
    assert first_page.count('<li class="card') == boards.HISTORY_PAGE
    assert "Trang 1/3" in first_page and "co_quan=h_tien_du&amp;trang=2#h-lich-su" in first_page
    assert "60%" in first_page.split('<li class="card')[1]  # the newest report first
    last = client.get("/nhiem-vu/2.f-4?co_quan=h_tien_du&trang=3").text
    assert last.count('<li class="card') == 7 and "Trang sau" not in last
    beyond = client.get("/nhiem-vu/2.f-4?co_quan=h_tien_du&trang=99").text
    assert "Trang 3/3" in beyond


def test_where_agencies_stand_on_a_duty_is_paged_worst_first(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boards, "STANDING_PAGE", 10)
    log_in(client, world, "province_manager")
    page = client.get("/nhiem-vu/1.c-1").text
    standing = page.split('id="h-hien-tai"')[1].split('id="h-lich-su"')[0]
    agencies = int(first(r"\((\d+) cơ quan\)", standing))
    counts = {s: int(n) for s, n in re.findall(r'data-status="(\w+)" data-count="(\d+)"', standing)}
    assert agencies > 10 and sum(counts.values()) == agencies
    assert standing.count('<td data-label="Cơ quan">') == 10
    pages = -(-agencies // 10)
    assert f"Trang 1/{pages}" in standing and "trang_cq=2" in standing
    shown = re.findall(r'<span class="sw s-(\w+)" aria-hidden="true"></span>[^<]+</td>', standing)
    assert shown == sorted(shown, key=boards.ATTENTION.index)  # what needs attention first
    last = client.get(f"/nhiem-vu/1.c-1?trang_cq={pages}").text.split('id="h-lich-su"')[0]
    assert last.count('<td data-label="Cơ quan">') == agencies - (pages - 1) * 10
    status, count = max(counts.items(), key=lambda item: item[1])
    only = client.get(f"/nhiem-vu/1.c-1?tinh_trang={status}").text.split('id="h-lich-su"')[0]
    assert f"({count} cơ quan)" in only
    assert set(
        re.findall(r'<span class="sw s-(\w+)" aria-hidden="true"></span>[^<]+</td>', only)
    ) == {status}


def deadlines_shown(html: str) -> list[dt.date | None]:
    table = html.split('id="chi-tiet"')[1]
    cells = re.findall(r'<td data-label="Hạn">([^<\s]+)', table)
    return [None if c == "—" else dt.datetime.strptime(c, "%d/%m/%Y").date() for c in cells]


def test_the_deadline_filter(client: TestClient, world: World) -> None:
    log_in(client, world, "province_manager")
    today = world.today
    none = client.get("/tong-hop?han=khong-han").text
    assert '<option value="khong-han" selected>' in none
    assert deadlines_shown(none) and set(deadlines_shown(none)) == {None}
    passed = deadlines_shown(client.get("/tong-hop?han=qua-han").text)
    assert passed and all(d is not None and d < today for d in passed)
    soon = client.get("/tong-hop?han=30-ngay&tinh_trang=unreported").text
    assert "Chi tiết: chưa báo cáo – trong hạn, hạn trong 30 ngày tới" in soon
    assert all(
        d is not None and today <= d <= today + dt.timedelta(days=30) for d in deadlines_shown(soon)
    )
    # The filters partition by deadline: passed, ahead, none.
    counts = {
        window: int(
            first(r'id="h-chi-tiet" data-count="(\d+)"', client.get(f"/tong-hop?han={window}").text)
        )
        for window in ("", "qua-han", "khong-han")
    }
    assert counts["qua-han"] + counts["khong-han"] < counts[""]
    assert client.get("/tong-hop?han=mai-mai").status_code == 200  # ignored


def test_the_dashboard_shows_completion_week_by_week(client: TestClient, world: World) -> None:
    log_in(client, world, "province_manager")
    assert 'id="h-xu-huong"' not in client.get("/tong-hop").text  # no snapshot yet
    with session_scope(world.assistant.sessions) as session:
        for weeks, done in ((3, 1), (2, 2), (1, 4)):
            day = world.today - dt.timedelta(weeks=weeks)
            counts = {s: 0 for s in STATUSES} | {"on_time": done, "unreported": 100 - done}
            session.add(DigestSnapshot(scope="*", day=day, taken_at=world.clock.now, counts=counts))
    page = client.get("/tong-hop").text
    trend = page.split('id="h-xu-huong"')[1].split("</section>")[0]
    assert re.findall(r'data-completion="([\d.]+)"', trend)[:3] == ["1.0", "2.0", "4.0"]
    assert trend.count("<rect") == trend.count("data-week=") == 4  # three weeks and today
    assert "4%" in trend and "nay (" in trend  # the values as text, not only drawn
    # One agency has no snapshots of its own: no trend rather than the province's.
    assert 'id="h-xu-huong"' not in client.get("/tong-hop?co_quan=h_tien_du").text
