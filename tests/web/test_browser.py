"""The web portal end to end in a real browser: Debian's Chromium (installed by
scripts/test.sh with apt, never downloaded by a tool) driven by Playwright, against
the portal on the project's HTTP listener (uvicorn) on loopback, on SQLite and
PostgreSQL. The login link comes from the core (`/web` as a linked account), and what
the browser changes is checked in the core's answers.

Screenshots at 390 px (a phone) and 1366 px (an office desktop) are saved under
var/screenshots/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy import select

from bot.application.digest.model import STATUS_WORDS, STATUSES
from bot.application.portal import login
from bot.channels.http import HttpServer
from bot.channels.web.app import Portal
from bot.storage.db import session_scope
from bot.storage.models import AuditLog, DigestSnapshot, FaqEntry, User
from tests.support.browser import chromium
from tests.web.conftest import BLOCKER, World, chat, login_link

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1366}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def server(world: World) -> AsyncIterator[str]:
    """The portal on the HTTP listener at a free loopback port; `/web` links to it."""
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    world.assistant.core.services.web_url = public
    http = HttpServer(Portal(world.assistant, public, world.clock).routes(), "127.0.0.1", port)
    await http.start()
    try:
        yield public
    finally:
        await http.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


async def screenshots(page: Page, name: str) -> None:
    """The whole page at a phone's and a desktop's width; no sideways scrolling on either."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        await page.set_viewport_size({"width": width, "height": 900})
        await page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"


async def log_in(browser: Browser, world: World, account: str) -> Page:
    """`/web` in chat, the link opened in a new browser, «Đăng nhập» pressed."""
    return await log_in_with(browser, login_link(world.assistant, account))


async def numbers(page: Page, selector: str, attribute: str) -> dict[str, float]:
    found = {}
    for item in await page.locator(selector).all():
        key = await item.get_attribute(attribute)
        value = await item.get_attribute("data-count") or await item.get_attribute(
            "data-completion"
        )
        assert key is not None and value is not None
        found[key] = float(value)  # counts, and completions to two decimals
    return found


async def test_a_manager_opens_the_link_from_chat_and_sees_the_digests_numbers(
    world: World, server: str, browser: Browser, backend: str
) -> None:
    link = login_link(world.assistant, "province_manager")
    assert link.startswith(f"{server}/dang-nhap/")
    with session_scope(world.assistant.sessions) as session:  # the last weeks' digests
        for weeks, done in ((3, 2), (2, 3), (1, 5)):
            counts = dict.fromkeys(STATUSES, 0) | {"on_time": done, "unreported": 100 - done}
            day = world.today - dt.timedelta(weeks=weeks)
            session.add(DigestSnapshot(scope="*", day=day, taken_at=world.clock.now, counts=counts))
    page = await browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    await page.goto(link)
    await screenshots(page, f"login-{backend}")
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url("**/tong-hop")
    assert await page.locator("h1").inner_text() == "Tình hình thực hiện — toàn tỉnh"

    builder = world.builder()
    with session_scope(world.assistant.sessions) as session:
        digest = builder.build(session, world.clock.now, builder.all_agencies(), "toàn tỉnh")
    shown = await numbers(page, "[data-status]", "data-status")
    assert shown == {s: digest.totals.get(s, 0) for s in STATUSES}
    total = page.locator("[data-total]")
    assert await total.get_attribute("data-total") == str(len(digest.rows))
    bars = await numbers(page, "ol.bars [data-agency]", "data-agency")
    assert bars == {a.agency_id: a.completion for a in digest.agencies}
    blocked = page.locator("#h-vuong-mac")
    assert await blocked.get_attribute("data-count") == str(len(digest.blocked))
    assert await page.locator("#h-qua-han").get_attribute("data-count") == str(len(digest.late))
    await page.get_by_text(BLOCKER).first.wait_for()
    trend = await page.locator("#h-xu-huong + svg + ol.weeks-text").inner_text()
    assert "5%" in trend and "nay" in trend  # the weeks as text beside the drawing
    await screenshots(page, f"dashboard-{backend}")

    # The keyboard: the first Tab reaches the skip link; the filter works without a mouse.
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused == "Bỏ qua, đến nội dung chính"
    await page.get_by_label("Tình trạng").select_option("overdue")
    await page.get_by_role("button", name="Lọc").press("Enter")
    await page.wait_for_url("**tinh_trang=overdue**")
    statuses = await page.locator("#chi-tiet td[data-label='Tình trạng']").all_inner_texts()
    overdue = [r for r in digest.rows if r.status == "overdue"]
    assert statuses and all(s.strip() == STATUS_WORDS["overdue"] for s in statuses)
    assert len(statuses) == min(len(overdue), 50)

    # A duty's history: both reports of Huyện Tiên Du, newest first, with the blocker.
    await page.goto(f"{server}/nhiem-vu/2.f-5?co_quan=h_tien_du")
    await page.get_by_text("Khó khăn, vướng mắc:").wait_for()
    assert "Công văn 45/UBND-VP" in await page.locator("main").inner_text()
    await screenshots(page, f"duty-{backend}")

    # The link was spent: opening it again is refused, in Vietnamese.
    again = await page.goto(link)
    assert again is not None and again.status == 410
    assert "đã được dùng" in await page.locator("main").inner_text()


async def log_in_with(browser: Browser, link: str) -> Page:
    page = await browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
    await page.goto(link)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url("**/tong-hop")
    return page


async def test_a_manager_cannot_open_another_scope_and_old_links_are_refused(
    world: World, server: str, browser: Browser, backend: str
) -> None:
    page = await log_in(browser, world, "district_manager")
    assert "Huyện Quế Võ" in await page.locator("h1").inner_text()
    for path in ("/tong-hop?co_quan=h_tien_du", "/nhiem-vu/2.f-5?co_quan=h_tien_du"):
        refused = await page.goto(server + path)
        assert refused is not None and refused.status == 403
        assert "ngoài phạm vi" in await page.locator("main").inner_text()
    with session_scope(world.assistant.sessions) as session:
        audited = session.scalars(
            select(AuditLog.entity_id).where(
                AuditLog.action == "web.refused",
                AuditLog.user_id == world.users["district_manager"],
            )
        ).all()
    assert len(audited) == 2
    await screenshots(page, f"refused-{backend}")

    # A link older than 10 minutes opens nothing.
    with session_scope(world.assistant.sessions) as session:
        manager = session.get_one(User, world.users["district_manager"])
        early = world.clock.now - dt.timedelta(minutes=login.LINK_MINUTES, seconds=1)
        expired = login.create_link(session, manager, server, early)
    stranger = await browser.new_page()
    answer = await stranger.goto(expired)
    assert answer is not None and answer.status == 410
    assert "hết hạn" in await stranger.locator("main").inner_text()
    assert await stranger.get_by_role("button", name="Đăng nhập").count() == 0


async def test_an_admin_edits_a_faq_in_the_browser_and_the_bot_answers_it_at_once(
    world: World, server: str, browser: Browser, backend: str
) -> None:
    question = "Chỉ thị có hiệu lực từ khi nào?"
    assert "19/4/2019" in chat(world.assistant, "stranger", question)
    page = await log_in(browser, world, "admin")
    await page.get_by_role("link", name="Hỏi đáp").click()
    await page.get_by_label("Tìm trong câu hỏi").fill("hieu luc")
    await page.get_by_label("Tìm trong câu hỏi").press("Enter")
    await page.get_by_role("link", name="ngay_hieu_luc").click()
    new_answer = "Chỉ thị 06/CT-UBND có hiệu lực từ ngày ký, 19/4/2019 (sửa trên trang web)."
    await page.get_by_label("Câu trả lời").fill(new_answer)
    await page.get_by_role("button", name="Xem trước câu trả lời").click()
    assert new_answer in await page.locator(".preview").inner_text()
    await screenshots(page, f"faq-form-{backend}")
    await page.get_by_role("button", name="Lưu", exact=True).click()
    await page.wait_for_url("**/hoi-dap?da_luu=ngay_hieu_luc")
    await page.get_by_role("status").wait_for()
    await screenshots(page, f"faq-list-{backend}")

    world.assistant.core.wait_for_reload()  # the rebuild the save started (~1 s)
    assert "(sửa trên trang web)" in chat(world.assistant, "stranger", question)

    # A POST without the form's CSRF token, with the session's cookie, changes nothing.
    forged = await page.context.request.post(
        f"{server}/hoi-dap/ngay_hieu_luc",
        form={"question": "Giả mạo?", "answer": "Giả mạo.", "action": "save"},
    )
    assert forged.status == 403
    with session_scope(world.assistant.sessions) as session:
        assert session.get_one(FaqEntry, "ngay_hieu_luc").answer == new_answer

    await page.get_by_role("link", name="Lịch sử thay đổi").click()
    await page.get_by_text(new_answer).first.wait_for()
    await screenshots(page, f"history-{backend}")


async def test_an_admin_works_through_the_admin_pages_in_the_browser(
    world: World, server: str, browser: Browser, backend: str
) -> None:
    for question in (
        "Giá vàng SJC hôm nay bao nhiêu?",
        "gia vang sjc hom nay",
        "Công thức nấu phở bò",
    ):
        chat(world.assistant, "official", question)
    page = await log_in(browser, world, "admin")

    await page.get_by_role("link", name="Hộp thư câu hỏi").click()
    await page.get_by_text("2 lần hỏi").wait_for()
    await screenshots(page, f"admin-inbox-{backend}")
    card = page.locator("li.card", has_text="2 lần hỏi")
    await card.get_by_label("Gộp vào mục hỏi đáp đã có").fill("ngay_hieu_luc")
    await card.get_by_role("button", name="Gộp vào").click()
    await page.get_by_role("status").wait_for()
    assert "Đã gộp" in await page.get_by_role("status").inner_text()
    world.assistant.core.wait_for_reload()
    assert "19/4/2019" in chat(world.assistant, "stranger", "gia vang sjc hom nay")

    await page.get_by_role("link", name="Nhiệm vụ").click()
    await screenshots(page, f"admin-duties-{backend}")
    await page.get_by_role("link", name="1.c-1").click()
    await page.get_by_label("Gia hạn đến ngày").fill("31/3/2020")
    await page.get_by_role("button", name="Lưu thời hạn").click()
    await page.get_by_role("status").wait_for()
    await screenshots(page, f"admin-duty-{backend}")

    await page.get_by_role("link", name="Thông báo").click()
    await page.get_by_label("Gửi tới").select_option("lanhdao")
    await page.get_by_label("Nội dung").fill("Đề nghị các đơn vị báo cáo trước thứ Sáu.")
    await page.get_by_role("button", name="Xem trước").click()
    await page.get_by_text("người nhận)").wait_for()
    await screenshots(page, f"admin-announcement-{backend}")
    await page.get_by_role("button", name="Gửi", exact=True).click()
    await page.get_by_role("status").wait_for()

    await page.get_by_role("link", name="Lịch làm việc").click()
    await page.get_by_label("Ngày", exact=False).first.fill("02/01/2030")
    await page.get_by_label("Loại ngày").select_option("dayoff")
    await page.get_by_label("Ghi chú").fill("Nghỉ bù Tết")
    await page.get_by_role("button", name="Lưu").click()
    await page.get_by_role("status").wait_for()
    await screenshots(page, f"admin-calendar-{backend}")

    await page.get_by_role("link", name="Nhật ký").click()
    await page.get_by_label("Loại thao tác").select_option("calendar")
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_url("**loai=calendar**")
    assert "Lịch làm việc: đặt ngày nghỉ thêm" in await page.locator("#nhat-ky").inner_text()
    await screenshots(page, f"admin-audit-{backend}")
