"""The nudge buttons through the core: snooze, "Đã hoàn thành", /tonghop; authorization."""

from __future__ import annotations

import datetime as dt
import io
import re

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import Assistant
from bot.application.messages import IncomingMessage, Response
from bot.application.outbox import stored_message
from bot.application.scheduler.policy import due_messages
from bot.application.scheduler.world import load_world
from bot.config import NudgeSettings
from bot.storage.db import session_scope
from bot.storage.models import OutboxMessage, ProgressReport, Snooze
from tests.scheduler.conftest import add_user, add_users, at


def press(assistant: Assistant, chat: str, payload: str) -> tuple[Response, str]:
    """A button press, as a channel hands it over; returns the reply and its text."""
    message = IncomingMessage("telegram", chat, payload=payload, display_name="Người dùng")
    with session_scope(assistant.sessions) as session:
        response = assistant.core.handle(session, message)
    return response, "\n".join(assistant.renderer.render(r) for r in response.replies)


def test_snooze_button(assistant: Assistant) -> None:
    add_users(assistant, ("701", "h_que_vo", "official"), ("702", "sttt", "official"))
    _, text = press(assistant, "701", "/nhaclai 2.f-4 1")
    assert "Đã hẹn: trợ lý sẽ nhắc lại" in text
    with session_scope(assistant.sessions) as session:
        snooze = session.scalars(select(Snooze)).one()
        local = snooze.until.astimezone(dt.timezone(dt.timedelta(hours=7)))
        assert dt.time(8) <= local.time() <= dt.time(17)
        assert snooze.until > dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)
    # Another agency's duty, an unknown duty, a bad number of days, no account.
    assert "không thuộc cơ quan của Anh/Chị" in press(assistant, "702", "/nhaclai 2.f-4 1")[1]
    assert "Không tìm thấy nhiệm vụ" in press(assistant, "701", "/nhaclai 9.z-9 1")[1]
    assert "Cách dùng" in press(assistant, "701", "/nhaclai 2.f-4 99")[1]
    assert "Cách dùng" in press(assistant, "701", "/nhaclai 2.f-4")[1]
    assert "không thuộc cơ quan" in press(assistant, "799", "/nhaclai 2.f-4 3")[1]


def test_done_button_records_a_report_and_stops_the_nudges(assistant: Assistant) -> None:
    add_users(
        assistant,
        ("711", "h_que_vo", "official"),
        ("712", "h_que_vo", "manager"),
        ("713", "snv", "official"),
    )
    _, text = press(assistant, "711", "/xong 2.f-4")
    assert "Đã ghi nhận hoàn thành" in text and "UBND huyện Quế Võ" in text
    _, text = press(assistant, "712", "/xong 2.f-4")  # the manager, a second time
    assert "đã được ghi nhận hoàn thành từ" in text
    assert "không thuộc cơ quan của Anh/Chị" in press(assistant, "713", "/xong 2.f-4")[1]
    assert "chưa được liên kết" in press(assistant, "798", "/xong 2.f-4")[1]
    with session_scope(assistant.sessions) as session:
        reports = list(session.scalars(select(ProgressReport)))
        assert [(r.agency_id, r.duty_id, r.status, r.percent) for r in reports] == [
            ("h_que_vo", "2.f-4", "done", 100)
        ]
        settings = NudgeSettings()
        world = load_world(session, assistant.core.qa.catalog, settings)
    plans = [
        p.__class__(**{**p.__dict__, "due": dt.date(2026, 12, 4)}) if p.shown_id == "2.f-4" else p
        for p in world.plans
    ]
    result = due_messages(
        at("2026-12-01", "08:00"), plans, world.reports, world.users, {}, world.calendar, settings
    )
    assert not [m for m in result.messages if m.nudge.plan.shown_id == "2.f-4"]
    reached = {n.agencies[0] for n in result.unreached if n.plan.shown_id == "2.f-4"}
    assert "h_que_vo" not in reached and "tx_tu_son" in reached


def test_done_button_on_a_recurring_duty_settles_one_more_period(assistant: Assistant) -> None:
    """A done report settles one period of a recurring duty: a press on a later day
    (the next quarter's reminder) is a new report; a second press the same day is not."""
    [user_id] = add_users(assistant, ("721", "sttt", "official"))
    with session_scope(assistant.sessions) as session:
        session.add(
            ProgressReport(
                directive_id="06-CT-UBND-2019",
                duty_id="2.b-3",
                agency_id="sttt",
                user_id=user_id,
                status="done",
                percent=100,
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=90),
            )
        )
    _, text = press(assistant, "721", "/xong 2.b-3")
    assert "Đã ghi nhận hoàn thành" in text
    _, text = press(assistant, "721", "/xong 2.b-3")
    assert "đã được ghi nhận hoàn thành từ" in text
    with session_scope(assistant.sessions) as session:
        days = session.scalars(select(ProgressReport.completed_on).order_by(ProgressReport.id))
        today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
        assert list(days) == [None, today]


def test_report_now_button_opens_the_dialog_on_the_duty(assistant: Assistant) -> None:
    add_users(assistant, ("721", "h_que_vo", "official"))
    response, text = press(assistant, "721", "/baocao 2.f-4")
    assert "Lập danh sách cán bộ phụ trách CNTT cấp xã" in text
    assert response.replies[-1].buttons  # the status step's buttons


def test_digest_command_for_managers_only(assistant: Assistant) -> None:
    add_users(
        assistant,
        ("731", "h_que_vo", "official"),
        ("732", "h_que_vo", "manager"),
        ("733", "ubnd_tinh", "manager"),
    )
    assert "chỉ dành cho lãnh đạo" in press(assistant, "731", "/tonghop")[1]
    _, text = press(assistant, "732", "/tonghop")
    assert "Tổng hợp thực hiện Chỉ thị 06/CT-UBND — Huyện Quế Võ" in text
    assert "Quá hạn chưa hoàn thành: " in text
    assert "Biểu đồ và tệp Excel chi tiết sẽ được gửi" in text
    _, text = press(assistant, "733", "/tonghop")
    assert "toàn tỉnh" in text and "Tỷ lệ hoàn thành thấp nhất" in text and len(text) < 2000
    with session_scope(assistant.sessions) as session:
        queued = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [r.kind[:10] for r in queued] == ["digest-now", "digest-now"]
    messages = [stored_message(r.payload) for r in queued]
    assert messages[0].files[-1].name.endswith(".xlsx")
    assert [f.caption for m in messages for f in m.files if f.kind == "photo"] == [
        "Tỷ lệ hoàn thành theo cơ quan — Huyện Quế Võ",
        "Tỷ lệ hoàn thành theo cơ quan — toàn tỉnh",
    ]
    text = assistant.renderer.render(messages[0])
    assert text.startswith("Biểu đồ và tệp Excel chi tiết — bản tổng hợp Huyện Quế Võ")


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_quarterly_report_draft_for_the_drafting_agencies(assistant: Assistant) -> None:
    add_users(
        assistant,
        ("741", "sttt", "manager"),
        ("742", "syt", "manager"),
        ("743", "sttt", "official"),
    )
    response, text = press(assistant, "741", "/baocaoquy")
    report, annex = [f for reply in response.replies for f in reply.files]
    assert report.name.endswith(".docx") and annex.name.startswith("phu-luc-")
    assert "Dự thảo báo cáo quý" in text and f"kèm phụ lục «{annex.name}»" in text
    assert load_workbook(io.BytesIO(annex.content)).sheetnames[0] == "Tổng hợp"
    document = Document(io.BytesIO(report.content))
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # A4
    margins = (page.top_margin, page.bottom_margin, page.left_margin, page.right_margin)
    top, bottom, left, right = (round(m.mm) for m in margins)
    assert 20 <= top <= 25 and 20 <= bottom <= 25 and 30 <= left <= 35 and 15 <= right <= 20
    assert document.styles["Normal"].font.name == "Times New Roman"
    heading = document.tables[0]
    motto = heading.cell(0, 1).paragraphs
    assert motto[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and motto[0].runs[0].bold
    assert motto[1].text == "Độc lập - Tự do - Hạnh phúc" and motto[1].runs[0].bold
    assert re.fullmatch(r"Bắc Ninh, ngày \d\d tháng (0[12]|[3-9]|1[0-2]) năm \d{4}", motto[3].text)
    assert motto[3].runs[0].italic
    issuer = heading.cell(0, 0).paragraphs
    assert issuer[1].runs[0].bold  # the issuing agency
    assert issuer[3].text.startswith("Số:")
    for rule in (issuer[2], motto[2]):  # the solid line under the agency and the motto
        assert rule.text == "" and rule._p.find(f"{W}pPr/{W}pBdr/{W}top") is not None
    assert document.core_properties.author == "Sở Thông tin và Truyền thông"
    annex_heading = load_workbook(io.BytesIO(annex.content))["Tổng hợp"]
    assert annex_heading["A1"].value.startswith("Phụ lục: ")
    assert annex_heading["A2"].value.startswith("Kèm theo Báo cáo số      /BC-STTTT năm ")
    paragraphs = document.paragraphs
    sections = [p for p in paragraphs if re.match(r"[IV]+\. ", p.text)]
    assert [p.text for p in sections] == [
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TỒN TẠI, HẠN CHẾ",
        "III. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    assert all(p.style.name == "Normal" and p.runs[0].bold for p in sections)  # no blue Heading
    sizes = {run.font.size.pt for p in paragraphs for run in p.runs if run.font.size}
    assert sizes <= {13, 14}
    assert "(chi tiết tại Phụ lục kèm theo)" in "\n".join(p.text for p in paragraphs)
    signature = document.tables[-1]
    assert signature.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert signature.cell(0, 1).paragraphs[0].text == "GIÁM ĐỐC"
    for chat, told in (("742", "chỉ dành cho lãnh đạo Sở TT&TT"), ("743", "chỉ dành cho lãnh đạo")):
        response, text = press(assistant, chat, "/baocaoquy")
        assert told in text, text
        assert not [f for reply in response.replies for f in reply.files]


def test_digest_details_are_choices_typed_on_zalo_and_pressed_on_telegram(
    assistant: Assistant,
) -> None:
    """/tonghop is one screen; the details come as choices: on Zalo typed by number
    (the same choices mechanism as the dialogs), on Telegram pressed."""
    add_users(assistant, ("741", "ubnd_tinh", "manager"))
    response, text = press(assistant, "741", "/tonghop")
    labels = [b.label for b in response.replies[0].buttons]
    assert labels == ["Theo tình trạng", "Theo cơ quan"]
    response, text = press(assistant, "741", "/tonghop coquan")
    assert "Theo cơ quan — toàn tỉnh" in text and "(trang 1/" in text
    first = response.replies[0].buttons[0]  # the lowest agency's own summary
    assert first.payload.startswith("/tonghop ") and "Trang sau" in [
        b.label for b in response.replies[0].buttons
    ]
    _, text = press(assistant, "741", first.payload)
    assert f"Tổng hợp thực hiện Chỉ thị 06/CT-UBND — {first.label}" in text
    # Zalo has no buttons: the user types the number of the choice.
    with session_scope(assistant.sessions) as session:
        zalo = add_user(session, "z741", "ubnd_tinh", "manager", channel="zalo")
        zalo_id = zalo.channel_user_id

    def say(text: str) -> str:
        message = IncomingMessage("zalo", zalo_id, text=text, display_name="Chị Lan")
        with session_scope(assistant.sessions) as session:
            response = assistant.core.handle(session, message)
        return "\n".join(assistant.renderer.render(r) for r in response.replies)

    assert "toàn tỉnh" in say("/tonghop")  # Zalo numbers its choices: 1. Theo tình trạng
    statuses = say("1")
    assert "Theo tình trạng — toàn tỉnh" in statuses and "• chưa báo cáo – quá hạn: " in statuses

    # On every page the number shown before an agency is the number that opens it, and
    # the page's own choices come after them (page 2 once listed its agencies as 11-20
    # while 11 and 12 meant «Trang trước» and «Trang sau»). Zalo numbers the choices
    # in their order.
    def choices(text: str) -> tuple[str, list[str]]:
        message = IncomingMessage("zalo", zalo_id, text=text, display_name="Chị Lan")
        with session_scope(assistant.sessions) as session:
            reply = assistant.core.handle(session, message).replies[0]
        return assistant.renderer.render(reply), [b.label for b in reply.buttons]

    say("/tonghop")
    first_page, labels = choices("2")
    assert "(trang 1/" in first_page
    second_page, labels = choices(str(labels.index("Trang sau") + 1))
    assert "(trang 2/" in second_page
    listed = re.search(r"^2\. (.+)$", second_page, flags=re.M)
    assert listed is not None and labels[1] == listed.group(1)
    assert f"— {listed.group(1)}" in say("2")


def test_no_empty_screens_for_those_with_nothing_to_report(assistant: Assistant) -> None:
    """UBND tỉnh issued the directive and has no task in it; an admin has no agency:
    each is told so and where the progress they follow is, not shown an empty list."""
    add_users(assistant, ("751", "ubnd_tinh", "manager"), ("752", None, "admin"))
    for command in ("/baocao", "/tiendo"):
        _, text = press(assistant, "751", command)
        assert "Chỉ thị không giao cho Ủy ban nhân dân tỉnh Bắc Ninh nhiệm vụ nào" in text
        assert "/tonghop" in text
        _, text = press(assistant, "752", command)
        assert "Tài khoản quản trị của Anh/Chị không gắn với cơ quan nào" in text
        assert "mã mời" not in text


def test_tonghop_names_an_agency_by_id_or_name_within_the_scope(assistant: Assistant) -> None:
    add_users(assistant, ("761", "ubnd_tinh", "manager"), ("762", "h_que_vo", "manager"))
    _, by_name = press(assistant, "761", "/tonghop Sở Nội vụ")
    _, by_id = press(assistant, "761", "/tonghop snv")
    assert "— Sở Nội vụ" in by_id and by_name == by_id
    _, outside = press(assistant, "762", "/tonghop snv")
    assert "Sở Nội vụ không thuộc phạm vi Anh/Chị theo dõi (Huyện Quế Võ)" in outside
    _, unknown = press(assistant, "762", "/tonghop xyz")
    assert "Không rõ «xyz»" in unknown


def test_the_console_is_promised_no_chart_it_cannot_receive(assistant: Assistant) -> None:
    """Nothing sends pushed messages to the console: its /tonghop queues no files."""
    with session_scope(assistant.sessions) as session:
        add_user(session, "local", "h_que_vo", "manager", channel="console")
    message = IncomingMessage("console", "local", text="/tonghop")
    with session_scope(assistant.sessions) as session:
        replies = assistant.core.handle(session, message).replies
    text = "\n".join(assistant.renderer.render(r) for r in replies)
    assert "Huyện Quế Võ" in text and "Biểu đồ và tệp Excel" not in text
    with session_scope(assistant.sessions) as session:
        assert session.scalars(select(OutboxMessage)).first() is None
