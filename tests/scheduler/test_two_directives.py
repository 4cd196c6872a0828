"""Two directives whose clause and duty ids all collide (06/CT-UBND and a copy, 99/2025,
"chữ ký số" read as "chữ ký điện tử"), on SQLite and PostgreSQL: answers, /baocao,
/xong, /tonghop, nudges and the Excel export each keep the two apart and say which
directive they mean."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import Assistant
from bot.application import reload
from bot.application.admin import content
from bot.application.digest.builder import DigestBuilder
from bot.application.digest.xlsx import to_xlsx
from bot.application.messages import IncomingMessage
from bot.application.scheduler.policy import due_messages
from bot.application.scheduler.world import load_world
from bot.cli import main
from bot.config import PROJECT_ROOT, NudgeSettings
from bot.domain.calendar import TIMEZONE, WorkingCalendar
from bot.domain.dates import padded_date, vn_date
from bot.storage.db import session_scope
from bot.storage.models import Directive, Duty, ProgressReport, User, utcnow
from tests.scheduler.conftest import add_users, at
from tests.support.directives import FIRST, assistant_on, copy_pack, key

SECOND = "99-CT-UBND-2025"
# Relative to the day the test runs: the /xong it sends is dated by the real clock and
# must be on time (a fixed date here turned the report late once it had passed).
_CALENDAR = WorkingCalendar()
_TODAY = dt.datetime.now(TIMEZONE).date()
NOW = at(_CALENDAR.add_working_days(_TODAY, 1).isoformat(), "08:00")
DUE = _CALENDAR.add_working_days(NOW.date(), 3)  # nudged three working days before


@pytest.fixture(scope="module")
def two_packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ with the second directive: one folder for the module, so that the Q&A
    built for it is built once (`build_qa` is memoized on the settings, its folder
    included) and the session's shared Q&A is not pushed out of the memo."""
    data = tmp_path_factory.mktemp("two") / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    assert copy_pack(data, 99, 2025) == SECOND
    return data


@pytest.fixture
def two(db_url: str, two_packs: Path) -> Iterator[Assistant]:
    with assistant_on(db_url, two_packs) as assistant:
        yield assistant


def say(assistant: Assistant, chat: str, text: str) -> str:
    message = IncomingMessage("telegram", chat, text=text, display_name="Người dùng")
    with session_scope(assistant.sessions) as session:
        response = assistant.core.handle(session, message)
    return "\n".join(assistant.renderer.render(r) for r in response.replies)


def test_answers_name_the_directive_they_come_from(two: Assistant) -> None:
    text = say(two, "1", "Chỉ thị 99/CT-UBND quy định gì?")
    assert "Chỉ thị số 99/CT-UBND ngày 19/4/2025" in text and "06/CT-UBND" not in text
    text = say(two, "1", "Chỉ thị 06/CT-UBND quy định gì?")
    assert "Chỉ thị số 06/CT-UBND ngày 19/4/2019" in text and "99/CT-UBND" not in text
    # Both hold the answer: the user is asked which one.
    text = say(two, "1", "Ai ký chỉ thị?")
    assert "Anh/Chị hỏi theo văn bản nào?" in text
    assert "Chỉ thị 06/CT-UBND (2019)" in text and "Chỉ thị 99/CT-UBND (2025)" in text
    listed = say(two, "1", "những chỉ thị nào đang áp dụng?")
    assert "Hiện đang áp dụng 2 văn bản" in listed
    assert "Chỉ thị 99/CT-UBND ngày 19/4/2025" in listed
    # Only the copy speaks of "chữ ký điện tử": its clause is cited with its directive.
    text = say(two, "1", "Sở Tài chính phải làm gì về chữ ký điện tử?")
    assert "(99/2025 · Mục 1.e)" in text and "06/2019" not in text
    refused = say(two, "1", "Chỉ thị 42/CT-UBND quy định gì?")
    assert "42/CT-UBND" in refused and "06/CT-UBND" in refused and "99/CT-UBND" in refused


def test_reports_digests_nudges_and_exports_keep_the_two_apart(two: Assistant) -> None:
    add_users(two, ("11", "h_que_vo", "official"), ("12", "ubnd_tinh", "manager"))
    with session_scope(two.sessions) as session:
        for directive in (FIRST, SECOND):
            session.get_one(Duty, (directive, "2.f-4")).effective_due = DUE

    # /baocao asks the directive first, then lists only its duties.
    assert "Anh/Chị báo cáo nhiệm vụ của văn bản nào?" in say(two, "11", "/baocao")
    listed = say(two, "11", "2")
    assert "(99/2025 · Mục 1.a)" in listed and "06/2019" not in listed
    assert "Đã hủy" in say(two, "11", "/huy")
    # A plain id two directives hold is not guessed; the qualified one is recorded.
    assert "Đã ghi nhận hoàn thành" not in say(two, "11", "/xong 2.f-4")
    assert "Đã ghi nhận hoàn thành" in say(two, "11", "/xong 99/2025·2.f-4")
    with session_scope(two.sessions) as session:
        reports = session.scalars(select(ProgressReport)).all()
        assert [(r.directive_id, r.duty_id, r.agency_id) for r in reports] == [
            (SECOND, "2.f-4", "h_que_vo")
        ]
        world = load_world(session, two.core.qa.catalog, NudgeSettings())

    # Nudges: 99's duty is settled for Quế Võ, 06's is not.
    result = due_messages(
        NOW, world.plans, world.reports, world.users, {}, world.calendar, NudgeSettings()
    )
    nudged = {
        m.nudge.plan.duty_id
        for m in result.messages
        if m.recipient.agency_id == "h_que_vo" and m.nudge.plan.duty_id.endswith(":2.f-4")
    }
    assert nudged == {key("2.f-4")}
    shown = {p.shown_id for p in world.plans if p.duty_id.endswith(":2.f-4")}
    assert shown == {"06/2019·2.f-4", "99/2025·2.f-4"}

    # The digest over both, and over one directive only.
    builder = DigestBuilder(two.core.qa.catalog, two.settings.templates_dir, NudgeSettings())
    with session_scope(two.sessions) as session:
        both = builder.build(session, NOW, ["h_que_vo"], "Huyện Quế Võ")
        only = builder.build(session, NOW, ["h_que_vo"], "Huyện Quế Võ", directive_id=SECOND)
    status = {r.duty_label: r.status for r in both.rows}
    assert status["99/2025·2.f-4"] == "on_time" and status["06/2019·2.f-4"] == "unreported"
    assert len(both.rows) == 2 * len(only.rows)
    assert {r.duty_id.split(":")[0] for r in only.rows} == {SECOND}
    assert only.subject == "Chỉ thị 99/CT-UBND"
    text = say(two, "12", "/tonghop")
    assert "Tổng hợp thực hiện Chỉ thị 06/CT-UBND, Chỉ thị 99/CT-UBND" in text
    assert "hoặc chọn một văn bản để xem riêng" in text
    text = say(two, "12", "/tonghop 99/2025")
    assert "Tổng hợp thực hiện Chỉ thị 99/CT-UBND — toàn tỉnh" in text

    # The export: one row per directive's duty, under the id users type.
    book = load_workbook(io.BytesIO(to_xlsx(both, {})))
    ids = [
        row[2]
        for sheet in book.worksheets
        if sheet.title != "Tổng hợp"
        for row in sheet.iter_rows(values_only=True)
    ]
    assert {"06/2019·2.f-4", "99/2025·2.f-4"} <= set(ids)
    assert "2.f-4" not in ids


def retire_second(
    two: Assistant, db_url: str, two_packs: Path, monkeypatch: pytest.MonkeyPatch
) -> dt.date:
    """`bot directive retire 99/2025` (its short name, as answers cite it) in another
    process, seen by the running bot (its reloader checks at once); the day it was
    retired, in Vietnam."""
    monkeypatch.setattr(reload, "CHECK_EVERY_SECONDS", 0.0)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(two_packs))
    say(two, "1", "xin chào")  # the reloader notes the latest change
    assert main(["directive", "retire", "99/CT"]) == 2  # names no directive: refused
    assert main(["directive", "retire", "99/2025"]) == 0
    say(two, "1", "xin chào")  # sees the retirement: rebuilds in the background
    two.core.wait_for_reload()
    with session_scope(two.sessions) as session:
        retired_at = session.get_one(Directive, SECOND).retired_at
    assert retired_at is not None
    return retired_at.astimezone(TIMEZONE).date()


def test_a_directive_retired_from_the_command_line_leaves_a_running_bot(
    two: Assistant, db_url: str, two_packs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`bot directive retire` in another process: the running core sees the audited
    change on its next check and reloads; asked by number, the retired directive is
    said to be retired, and ids are plain again with one directive left."""
    retire_second(two, db_url, two_packs, monkeypatch)

    text = say(two, "1", "Chỉ thị 99/CT-UBND quy định gì?")
    assert "Chỉ thị 99/CT-UBND ngày 19/4/2025" in text and "đã thôi áp dụng từ ngày" in text
    assert "Hiện đang áp dụng: Chỉ thị 06/CT-UBND." in text
    text = say(two, "1", "Sở Tài chính phải làm gì về chữ ký số?")
    assert "(Mục 1.e)" in text and "06/2019" not in text
    with session_scope(two.sessions) as session:
        world = load_world(session, two.core.qa.catalog, NudgeSettings())
        history = [c.action for c in content.history(session)]
    assert {p.duty_id.split(":")[0] for p in world.plans} == {FIRST}
    assert history[0] == "directive.retire"


def test_the_dashboard_filters_by_directive(two: Assistant) -> None:
    """The portal's dashboard offers the active directives and shows one alone; an
    unknown one is ignored (as an unknown status is)."""
    from bot.application.portal.dashboard import Filters, dashboard
    from bot.application.portal.login import Visitor

    builder = DigestBuilder(two.core.qa.catalog, two.settings.templates_dir, NudgeSettings())
    [admin] = add_users(two, ("21", None, "admin"))
    visitor = Visitor(admin, "Quản trị", "admin", None, "x", frozenset({"admin"}))
    with session_scope(two.sessions) as session:
        both = dashboard(session, builder, visitor, Filters(), NOW)
        only = dashboard(session, builder, visitor, Filters(directive=SECOND), NOW)
        unknown = dashboard(session, builder, visitor, Filters(directive="15-CT-UBND"), NOW)
    assert [d for d, _ in both.directives] == [FIRST, SECOND]
    assert only.filters.directive == SECOND and only.filters.any
    assert both.digest.tally.total == 2 * only.digest.tally.total
    assert {r.duty_id.split(":")[0] for r in only.digest.rows} == {SECOND}
    assert unknown.filters.directive == "" and unknown.digest.tally == both.digest.tally


def test_long_suggestions_are_stored_once_and_pressed_like_typed(two: Assistant) -> None:
    """With two directives the suggestions cite "06/2019 · Mục …" and outgrow Telegram's
    64-byte payloads: they go out by stored id, the same payload under one id however
    often it is offered, and pressing one asks what it says."""

    def press_all(text: str) -> dict[str, str]:
        message = IncomingMessage("telegram", "7", text=text, display_name="Người dùng")
        with session_scope(two.sessions) as session:
            response = two.core.handle(session, message)
        buttons = [b for reply in response.replies for b in reply.buttons]
        assert buttons and all(len(b.payload.encode()) <= 64 for b in buttons)
        return {b.label: b.payload for b in buttons}

    question = "Kết quả bóng đá tối qua thế nào?"  # refused, with suggestions to press
    first, again = press_all(question), press_all(question)
    stored = {label: p for label, p in first.items() if p.startswith("p:")}
    assert stored and stored == {label: p for label, p in again.items() if p.startswith("p:")}
    payload = next(iter(stored.values()))
    message = IncomingMessage("telegram", "7", payload=payload, display_name="Người dùng")
    with session_scope(two.sessions) as session:
        pressed = two.core.handle(session, message)
    assert pressed.answer is not None and pressed.answer.kind != "out_of_scope"


def test_the_greeting_and_help_name_every_directive_in_force(two: Assistant) -> None:
    greeting = say(two, "8", "xin chào")
    assert "các văn bản đang áp dụng" in greeting
    assert "• Chỉ thị 06/CT-UBND ngày 19/4/2019 về tăng cường" in greeting
    assert "• Chỉ thị 99/CT-UBND ngày 19/4/2025" in greeting
    assert "Chỉ thị 06/CT-UBND (19/4/2019), Chỉ thị 99/CT-UBND (19/4/2025)" in say(
        two, "8", "tro giup"
    )


def test_a_retired_directive_s_reports_stay_readable_not_editable(
    two: Assistant, db_url: str, two_packs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports on 99/2025 made while it applied: once it is retired, `/tiendo <mã>` and
    the portal's duty page still show them, marked as history; `/sua` refuses to edit
    them; the picker, `/xong` and the digest know only 06."""
    from starlette.testclient import TestClient

    from bot.application.dialogs import state as states
    from bot.channels.http import web_app
    from bot.channels.web.app import Portal
    from tests.scheduler.conftest import Clock
    from tests.web.conftest import PUBLIC, World, log_in

    [official, _] = add_users(two, ("11", "h_que_vo", "official"), ("zadmin", None, "admin"))
    with session_scope(two.sessions) as session:
        session.get_one(User, official).display_name = "Nguyễn Văn An"
        session.get_one(User, _).channel = "zalo"
    assert "Đã ghi nhận hoàn thành" in say(two, "11", "/xong 06/2019·2.f-4")
    assert "Đã ghi nhận hoàn thành" in say(two, "11", "/xong 99/2025·2.f-4")  # the last one
    with session_scope(two.sessions) as session:
        number = session.scalars(
            select(ProgressReport.id).where(ProgressReport.directive_id == SECOND)
        ).one()
    day = retire_second(two, db_url, two_packs, monkeypatch)
    mark = f"văn bản đã thôi áp dụng từ {vn_date(day)}"

    history = say(two, "11", "/tiendo 99/2025·2.f-4")
    assert "Không tìm thấy" not in history and mark in history
    assert "mã 99/2025·2.f-4" in history and "(99/2025 · Mục 2.f" in history
    assert f"Số {number}," in history and "Nguyễn Văn An" in history
    assert "/baocao" not in history and "không giao nhiệm vụ" not in history
    # The plain id is the active directive's: 06's duty, its own report, no mark.
    active = say(two, "11", "/tiendo 2.f-4")
    assert "mã 2.f-4" in active and "thôi áp dụng" not in active and f"Số {number}," not in active

    # Editing is refused, by number, by the duty's id, and as the last report made.
    refusal = (
        f"Báo cáo số {number} thuộc Chỉ thị 99/CT-UBND, {mark}: báo cáo được giữ làm lịch sử"
        " và không sửa được nữa. Anh/Chị xem lại bằng /tiendo 99/2025·2.f-4."
    )
    assert say(two, "11", f"/sua {number}") == refusal
    assert say(two, "11", "/sua 99/2025·2.f-4") == refusal
    assert say(two, "11", "/sua") == refusal
    with session_scope(two.sessions) as session:
        assert states.load(session, official) is None  # no dialog was opened

    # What is still in force knows only 06.
    picker = say(two, "11", "/baocao")
    assert "văn bản nào" not in picker and "99/2025" not in picker
    say(two, "11", "/huy")
    assert "Đã ghi nhận hoàn thành" not in say(two, "11", "/xong 99/2025·2.f-4")

    # The portal's duty page: the history, marked, and no standing of a retired duty.
    clock = Clock(utcnow())  # login links are made with the real clock
    two.core.services.web_url = PUBLIC
    portal = Portal(two, PUBLIC, clock)
    with TestClient(web_app(portal.routes()), base_url=PUBLIC, follow_redirects=False) as client:
        log_in(client, World(two, clock, {}), "zadmin")
        page = client.get(f"/nhiem-vu/{SECOND}:2.f-4")
        assert page.status_code == 200, page.text
        marked = f"· (văn bản đã thôi áp dụng từ {padded_date(day)})"
        assert f"mã 99/2025·2.f-4 · thời hạn: trước ngày 31/5/2019 {marked}" in page.text
        assert "Các lần báo cáo" in page.text and "Nguyễn Văn An" in page.text
        assert "Tình trạng hiện nay" not in page.text
        active_page = client.get(f"/nhiem-vu/{FIRST}:2.f-4").text
        assert "thôi áp dụng" not in active_page and "Tình trạng hiện nay" in active_page
        assert client.get("/nhiem-vu/99-CT-UBND-2025:9.z-9").status_code == 404


def test_asking_which_directive_is_a_question_back_not_an_answer_to_rate(two: Assistant) -> None:
    message = IncomingMessage("zalo", "7", text="Văn bản này do ai ký?", display_name="Người dùng")
    with session_scope(two.sessions) as session:
        (reply,) = two.core.handle(session, message).replies
    assert "Anh/Chị hỏi theo văn bản nào?" in two.renderer.render(reply)
    assert reply.rating == 0


def test_a_question_naming_a_directive_gets_no_other_directives_faq(two: Assistant) -> None:
    """The FAQ of data/faq.yaml is 06's: asked of 99/2025 by name, its entry is not the
    answer (it was, cited as «99/2025 · Mục 1.d»); asked of 06, it is."""
    question = "Theo chỉ thị {}, hồ sơ nộp trực tuyến có được xử lý nhanh hơn không?"

    def kind(number: str) -> str:
        message = IncomingMessage("telegram", "1", text=question.format(number))
        with session_scope(two.sessions) as session:
            answer = two.core.handle(session, message).answer
        assert answer is not None
        return answer.kind

    assert kind("06/CT-UBND") == "faq"
    assert kind("99/CT-UBND") != "faq"


def test_what_a_named_directive_says_as_a_whole_is_its_header(two: Assistant) -> None:
    """«Chỉ thị 99 quy định gì?» asks about the directive as a whole, as «Chỉ thị 06 …»
    does: its header (number, date, issuer, subject) first, whatever number is typed
    (the classifier read 06's as the header and another number's as a topic)."""
    for number, other in (("99", "06/CT-UBND"), ("06", "99/CT-UBND")):
        for question in (f"Chỉ thị {number} quy định gì?", f"noi dung chinh cua chi thi {number}"):
            message = IncomingMessage("telegram", "3", text=question)
            with session_scope(two.sessions) as session:
                answer = two.core.handle(session, message).answer
            assert answer is not None and answer.kind == "metadata", (question, answer)
            text = two.renderer.render(answer.reply)
            assert f"Chỉ thị số {number}/CT-UBND" in text and other not in text
