"""Publishing a directive from chat (SQLite and PostgreSQL): an admin sends its text as
.docx or .txt, reads the review of the draft, and publishes it: the next question
about it is answered from it; «Hủy» drops a draft and publishes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Assistant, build_assistant
from bot.application import accounts
from bot.application.messages import Attachment
from bot.cli import main
from bot.config import PROJECT_ROOT, Settings
from bot.storage.db import session_scope
from bot.storage.models import Directive
from tests.admin.test_documents import SOURCE, as_word
from tests.core.test_dialogs import Chat
from tests.support.directives import assistant_on

DRAFT = "77-CT-UBND-2019"


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ where drafts may be written: one for the module, so that the Q&A built
    for it is built once (`build_qa` is memoized on the settings, its folder included)
    and the session's shared Q&A is not pushed out of the memo."""
    data = tmp_path_factory.mktemp("publish") / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    return data


@pytest.fixture
def own_data(db_url: str, data_copy: Path) -> Iterator[Assistant]:
    """An assistant whose data folder (where drafts go) is not the repository's."""
    shutil.rmtree(data_copy / "drafts", ignore_errors=True)  # no draft of another test's
    with assistant_on(db_url, data_copy) as assistant:
        yield assistant


def admin_of(assistant: Assistant) -> Chat:
    with session_scope(assistant.sessions) as session:
        accounts.bootstrap_admin(session, "test", "1", "Quản trị")
    return Chat(assistant, "1")


def send(chat: Chat, name: str, content: bytes) -> str:
    chat.send(attachment=Attachment("document", "f1", name, len(content), content))
    return chat.text()


def test_an_admin_publishes_a_directive_sent_as_word(own_data: Assistant) -> None:
    admin = admin_of(own_data)
    review = send(admin, "chi-thi-77.docx", as_word(SOURCE.replace("06/CT-UBND", "77/CT-UBND")))
    assert "Chỉ thị 77/CT-UBND ngày 19/4/2019" in review
    assert "• Nhiệm vụ: " in review and "Cơ quan được giao nhiều nhất" in review
    assert (own_data.settings.data_dir / "drafts" / DRAFT / "directive.yaml").exists()
    user = Chat(own_data, "9")
    user.send("Chỉ thị 77/CT-UBND do ai ký?")
    assert "không có thông tin về nội dung Chỉ thị 77/CT-UBND" in user.text()  # not yet published

    admin.press("Công bố")
    assert "Đã công bố Chỉ thị 77/CT-UBND" in admin.text()
    own_data.core.wait_for_reload()
    user.send("Chỉ thị 77/CT-UBND do ai ký?")
    assert "Chỉ thị số 77/CT-UBND ngày 19/4/2019" in user.text()
    with session_scope(own_data.sessions) as session:
        published = session.get_one(Directive, DRAFT)
        assert (published.origin, published.active) == ("published", True)


def test_a_dropped_draft_publishes_nothing(own_data: Assistant) -> None:
    admin = admin_of(own_data)
    send(admin, "chi-thi-77.txt", SOURCE.replace("06/CT-UBND", "77/CT-UBND").encode())
    admin.press("Hủy")  # asked first: corrections would go with the draft
    assert "Bỏ bản nháp «77-CT-UBND-2019»?" in admin.text()
    assert (own_data.settings.data_dir / "drafts" / DRAFT).exists()
    admin.press("Bỏ bản nháp")
    assert "Đã bỏ bản nháp «77-CT-UBND-2019»" in admin.text()
    assert not (own_data.settings.data_dir / "drafts" / DRAFT).exists()
    admin.send(f"/congbo {DRAFT}")
    assert "Không có bản nháp" in admin.text()
    with session_scope(own_data.sessions) as session:
        assert session.scalars(select(Directive.id)).all() == ["06-CT-UBND-2019"]
    # Not an admin: the command is refused, the file is not read.
    official = Chat(own_data, "5")
    official.send(f"/congbo {DRAFT}")
    assert "Đã công bố" not in official.text()


def import_on_command_line(
    own_data: Assistant, db_url: str, folder: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """`bot directive import` of `text` (as 77.txt), on `own_data`'s database and data."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(own_data.settings.data_dir))
    path = folder / "77.txt"
    path.write_text(text, encoding="utf-8")
    assert main(["directive", "import", str(path)]) == 0


def test_the_command_line_imports_publishes_and_lists(
    own_data: Assistant,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = SOURCE.replace("06/CT-UBND", "77/CT-UBND")
    import_on_command_line(own_data, db_url, tmp_path, monkeypatch, source)
    assert main(["directive", "publish", DRAFT]) == 0
    assert main(["directive", "publish", "khong-co"]) == 2
    assert main(["directive", "list"]) == 0
    out = capsys.readouterr().out
    assert f"Đã công bố Chỉ thị 77/CT-UBND ({DRAFT})" in out
    assert f"{DRAFT}\tChỉ thị 77/CT-UBND\t19/04/2019\tđang áp dụng\tcông bố" in out
    # Seeding from data/ again (a restart) leaves the published directive as it is.
    assert main(["directive", "retire", DRAFT]) == 0
    build_assistant(Settings.from_env()).sessions.kw["bind"].dispose()
    with session_scope(own_data.sessions) as session:
        row = session.get_one(Directive, DRAFT)
        assert (row.origin, row.active, row.retired_at is not None) == ("published", False, True)


def test_an_admin_publishes_a_directive_uploaded_on_the_web(own_data: Assistant) -> None:
    """The portal's «Văn bản»: upload (multipart, with its CSRF token), the same review
    as in chat, «Công bố», and the bot answers about it at once."""
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
        page = client.get("/van-ban")
        assert page.status_code == 200 and "Chỉ thị 06/CT-UBND" in page.text
        csrf = csrf_of(page.text)
        text = SOURCE.replace("06/CT-UBND", "77/CT-UBND").encode()
        upload = {"file": ("chi-thi-77.txt", text, "text/plain")}
        assert client.post("/van-ban", files=upload).status_code == 403  # no CSRF token
        assert client.post("/van-ban", data={"csrf": csrf}).status_code == 400  # no file
        review = client.post("/van-ban", data={"csrf": csrf}, files=upload)
        assert review.status_code == 200 and "Chỉ thị 77/CT-UBND ngày 19/4/2019" in review.text
        assert f'action="/van-ban/{DRAFT}/cong-bo"' in review.text
        done = client.post(f"/van-ban/{DRAFT}/cong-bo", data={"csrf": csrf})
        assert "Đã công bố Chỉ thị 77/CT-UBND" in done.text
        own_data.core.wait_for_reload()
        user = Chat(own_data, "9")
        user.send("Chỉ thị 77/CT-UBND do ai ký?")
        assert "Chỉ thị số 77/CT-UBND ngày 19/4/2019" in user.text()
        assert "(quản trị viên công bố)" in client.get("/van-ban").text


def test_the_console_sends_a_file_with_tep(own_data: Assistant, tmp_path: Path) -> None:
    """`bot chat` has no paperclip: «/tep <đường dẫn>» hands a local file to the core as
    a messenger would, and a path that cannot be read is said so."""
    from bot.channels.console.chat import ConsoleChannel

    with session_scope(own_data.sessions) as session:
        accounts.bootstrap_admin(session, "console", "local", "Quản trị")
    console = ConsoleChannel(own_data)
    source = tmp_path / "chi thi 77.txt"
    source.write_text(SOURCE.replace("06/CT-UBND", "77/CT-UBND"), encoding="utf-8")
    review = console.render(console.send(f'/tep "{source}"'))
    assert "Chỉ thị 77/CT-UBND ngày 19/4/2019" in review and "Công bố" in review
    missing = console.render(console.send(f"/tep {tmp_path / 'khong-co.txt'}"))
    assert "Không mở được tệp" in missing and "khong-co.txt" in missing
    assert "Không mở được tệp" in console.render(console.send("/tep"))


def test_an_empty_or_undated_file_makes_no_draft(own_data: Assistant) -> None:
    """As on the command line: a file with no text, or with no number or date, is not a
    directive; chat (and the portal, through the same service) says so, drafts nothing."""
    admin = admin_of(own_data)
    assert "tệp không có nội dung" in send(admin, "trong.txt", b"  \n ")
    undated = send(admin, "ghichu.txt", "Họp giao ban sáng thứ hai.\nNội dung: ...".encode())
    assert "không tìm thấy số văn bản" in undated and "ngày ban hành" in undated
    assert not (own_data.settings.data_dir / "drafts").exists() or not any(
        (own_data.settings.data_dir / "drafts").iterdir()
    )


def test_a_published_draft_is_gone_and_a_retired_directive_comes_back_only_when_confirmed(
    own_data: Assistant, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leftover draft or an old «Công bố» button once brought a retired directive
    back without a word; now the draft goes once published, and a new draft of a
    retired directive asks before publishing it again (chat), or wants --revive."""
    admin = admin_of(own_data)
    source = SOURCE.replace("06/CT-UBND", "77/CT-UBND")
    send(admin, "chi-thi-77.txt", source.encode())
    admin.press("Công bố")
    assert "Đã công bố Chỉ thị 77/CT-UBND" in admin.text()
    assert not (own_data.settings.data_dir / "drafts" / DRAFT).exists()
    admin.send(f"/congbo {DRAFT}")  # the old button, pressed again
    assert "Không có bản nháp" in admin.text()

    def active() -> bool:
        with session_scope(own_data.sessions) as session:
            return session.get_one(Directive, DRAFT).active

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(own_data.settings.data_dir))
    assert main(["directive", "retire", DRAFT]) == 0
    send(admin, "chi-thi-77.txt", source.encode())
    admin.send(f"/congbo {DRAFT}")
    asked = admin.text()
    assert "Chỉ thị 77/CT-UBND đã thôi áp dụng từ ngày" in asked and "Công bố lại" in asked
    assert not active()
    admin.press("Công bố lại")
    assert "Đã công bố Chỉ thị 77/CT-UBND" in admin.text() and active()

    # The command line: refused with how to do it, then done with --revive.
    assert main(["directive", "retire", DRAFT]) == 0
    import_on_command_line(own_data, db_url, tmp_path, monkeypatch, source)
    assert main(["directive", "publish", DRAFT]) == 2 and not active()
    assert main(["directive", "publish", DRAFT, "--revive"]) == 0 and active()
    assert not (own_data.settings.data_dir / "drafts" / DRAFT).exists()


def test_the_review_numbers_its_choices_alike_on_every_page(own_data: Assistant) -> None:
    """On Zalo the choices are typed as numbers: «Công bố» was 2 on page 1 and «Hủy» 2
    on page 2, and a user who typed 2 to publish dropped the draft."""
    admin = admin_of(own_data)
    send(admin, "chi-thi-77.txt", SOURCE.replace("06/CT-UBND", "77/CT-UBND").encode())
    first = admin.zalo()
    admin.press("Xem thêm")
    second = admin.zalo()
    for choice in ("1. Công bố", "2. Hủy", "3. Xem thêm"):
        assert choice in first and choice in second, (first[-200:], second[-200:])


def test_the_portal_asks_before_dropping_a_draft_or_leaving_duties_out(
    own_data: Assistant,
) -> None:
    """The portal's «Hủy» dropped a draft (and its corrections) at once; now it asks
    first, as chat does, and so does «Công bố» when a duty has no agency."""
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
    drafts = own_data.settings.data_dir / "drafts"
    ct15 = (Path(__file__).parents[1] / "support" / "ct15.txt").read_text(encoding="utf-8")
    section = "9. Trung tâm Dữ liệu tỉnh\nBảo đảm kho dữ liệu dùng chung của tỉnh.\n\n"
    ct15y = ct15.replace("9. Tổ chức", section + "10. Tổ chức")
    with TestClient(web_app(portal.routes()), base_url=PUBLIC, follow_redirects=False) as client:
        log_in(client, World(own_data, utc_clock, {}), "web-admin")
        csrf = csrf_of(client.get("/van-ban").text)

        def upload(name: str, text: str) -> None:
            files = {"file": (name, text.encode(), "text/plain")}
            assert client.post("/van-ban", data={"csrf": csrf}, files=files).status_code == 200

        upload("chi-thi-77.txt", SOURCE.replace("06/CT-UBND", "77/CT-UBND"))
        asked = client.post(f"/van-ban/{DRAFT}/huy", data={"csrf": csrf})
        assert asked.status_code == 200 and f"Bỏ bản nháp «{DRAFT}»?" in asked.text
        assert 'name="xac_nhan" value="1"' in asked.text and (drafts / DRAFT).is_dir()
        assert ">Công bố</button>" in asked.text  # the review below it, to go on with
        dropped = client.post(f"/van-ban/{DRAFT}/huy", data={"csrf": csrf, "xac_nhan": "1"})
        assert "Đã bỏ bản nháp" in dropped.text and not (drafts / DRAFT).exists()

        upload("ct15.txt", ct15y)
        fifteen = "15-CT-UBND-2021"
        asked = client.post(f"/van-ban/{fifteen}/cong-bo", data={"csrf": csrf})
        question = asked.text.split('id="hoi-cong-bo"')[1].split("</div>")[0]
        assert "1 nhiệm vụ chưa có cơ quan chủ trì sẽ không được công bố" in question
        assert "«Sửa cơ quan, thời hạn» bên dưới" in question and "/suanhap" not in question
        assert ">Vẫn công bố</button>" in question and (drafts / fifteen).is_dir()
        done = client.post(f"/van-ban/{fifteen}/cong-bo", data={"csrf": csrf, "xac_nhan": "1"})
        assert "Đã công bố Chỉ thị 15/CT-UBND (16 nhiệm vụ)" in done.text
