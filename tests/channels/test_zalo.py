"""The Zalo channel's platform parts against the fake Zalo Bot API on loopback: the client
(every method, every error, the token never shown), updates -> IncomingMessage, dedupe,
the sender (text, numbered options, parts, files, errors -> DeliveryErrors) and the
long-polling loop end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import re
import socket
import time
import traceback
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.application.choices import NUMBERED_HINT as OPTIONS_HINT
from bot.application.delivery import (
    PermanentError,
    RecipientBlocked,
    RetryLater,
    Sender,
    TransientError,
)
from bot.application.file_links import FileLinks
from bot.application.messages import Attachment, Button, IncomingMessage, OutgoingFile, Reply
from bot.application.render import Renderer
from bot.channels.http import HttpServer, file_route
from bot.channels.zalo.client import (
    ZaloApiError,
    ZaloBadRequest,
    ZaloClient,
    ZaloForbidden,
    ZaloNotFound,
    ZaloRateLimited,
    ZaloServerError,
    ZaloUnauthorized,
)
from bot.channels.zalo.polling import Backoff, poll
from bot.channels.zalo.sender import (
    ZaloSender,
    split_text,
    text_length,
)
from bot.channels.zalo.updates import (
    Deduper,
    message_id,
    reply_chat_id,
    to_incoming,
    unwrap,
)
from bot.storage.db import session_scope
from bot.storage.models import SharedFile
from bot.storage.repositories import UserRepo
from tests.support.fake_zalo_api import FakeZaloApi

USER = "6ede9afa66b88fe6d6a9"
GROUP = "a1b2c3d4e5f6a7b8c9d0"


@pytest.fixture
async def api() -> AsyncIterator[FakeZaloApi]:
    async with FakeZaloApi(no_update_wait=0.05) as fake:
        yield fake


@pytest.fixture
async def client(api: FakeZaloApi) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(api.token, base_url=api.base_url, timeout=2) as c:
        yield c


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(output="text")


@pytest.fixture
def sender(client: ZaloClient, renderer: Renderer) -> ZaloSender:
    return ZaloSender(client, renderer, retry_seconds=7)


def text_reply(text: str, **more: Any) -> Reply:
    """A message whose template prints `text` as it is (the outbox's legacy template)."""
    return Reply("outbox/prerendered", {"text": text, "markup": False}, **more)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# ----- the client --------------------------------------------------------------------------------
async def test_every_method_goes_through(api: FakeZaloApi, client: ZaloClient) -> None:
    assert (await client.get_me())["account_name"] == "bot.FakeZalo"
    assert (await client.set_webhook("https://bot.example.vn/zalo", "secret-token-1"))["url"]
    assert (await client.get_webhook_info())["url"] == "https://bot.example.vn/zalo"
    assert (await client.delete_webhook())["url"] == ""
    sent = await client.send_message(USER, "Chào Anh/Chị")
    assert re.fullmatch(r"[0-9a-f]{20}", sent["message_id"])
    photo = await client.send_photo(USER, "https://placehold.co/600x400")
    assert photo["message_id"] != sent["message_id"]
    assert await client.send_chat_action(USER) is None
    pushed = api.push_text(USER, "xin chào")
    assert await client.get_updates(timeout=1) == [pushed]
    assert [c.method for c in api.calls] == [
        "getMe",
        "setWebhook",
        "getWebhookInfo",
        "deleteWebhook",
        "sendMessage",
        "sendPhoto",
        "sendChatAction",
        "getUpdates",
    ]
    assert all(c.ok for c in api.calls)
    assert api.calls_of("sendPhoto")[0].params == {
        "chat_id": USER,
        "photo": "https://placehold.co/600x400",
    }  # no empty caption
    assert api.calls_of("getUpdates")[0].params == {"timeout": 1}


async def test_408_means_no_update(api: FakeZaloApi, client: ZaloClient) -> None:
    assert await client.get_updates(timeout=1) == []
    assert api.calls_of("getUpdates")[0].error_code == 408
    api.push_raw({})  # an empty result is no update either
    assert await client.get_updates(timeout=1) == []


async def test_a_list_of_updates_is_accepted(api: FakeZaloApi, client: ZaloClient) -> None:
    first = {"event_name": "message.text.received", "message": api.message(USER, text="1")}
    second = {"event_name": "message.text.received", "message": api.message(USER, text="2")}
    api.push_raw([first, "not an update", second])
    assert await client.get_updates(timeout=1) == [first, second]


@pytest.mark.parametrize(
    ("error_code", "http_status", "expected"),
    [
        (400, 200, ZaloBadRequest),
        (401, 200, ZaloUnauthorized),
        (403, 200, ZaloForbidden),
        (404, 200, ZaloNotFound),
        (408, 200, ZaloServerError),  # outside getUpdates: the call timed out
        (429, 200, ZaloRateLimited),
        (500, 200, ZaloServerError),
        (503, 503, ZaloServerError),
        (418, 200, ZaloApiError),  # undocumented: the base class
    ],
)
async def test_error_envelopes_map_to_classes(
    api: FakeZaloApi,
    client: ZaloClient,
    error_code: int,
    http_status: int,
    expected: type[ZaloApiError],
) -> None:
    api.fail_next("sendMessage", error_code, "Lý do", http_status=http_status)
    with pytest.raises(ZaloApiError) as caught:
        await client.send_message(USER, "a")
    assert type(caught.value) is expected
    assert (caught.value.method, caught.value.error_code) == ("sendMessage", error_code)
    assert caught.value.description == "Lý do"
    assert str(caught.value) == f"sendMessage failed: {error_code} Lý do"


async def test_errors_are_read_from_the_envelope_not_the_status(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    with pytest.raises(ZaloBadRequest, match="The chat_id must not be empty"):
        await client.send_message("", "a")
    with pytest.raises(ZaloNotFound):
        await client.call("editMessageText", {"chat_id": USER, "text": "a"})
    assert {c.http_status for c in api.calls} == {200}


async def test_nginx_429_page_is_rate_limiting(api: FakeZaloApi, client: ZaloClient) -> None:
    api.fail_next_html("getUpdates", 429)
    with pytest.raises(ZaloRateLimited) as caught:
        await client.get_updates(timeout=1)
    assert caught.value.error_code == 429 and caught.value.retry_after is None
    assert "not a JSON envelope" in caught.value.description


async def test_retry_after_is_kept_when_given(api: FakeZaloApi, client: ZaloClient) -> None:
    api.fail_next("sendMessage", 429, "Quota exceeded", retry_after=7)
    with pytest.raises(ZaloRateLimited) as caught:
        await client.send_message(USER, "a")
    assert caught.value.retry_after == 7.0


async def test_transient_failures_are_server_errors(api: FakeZaloApi) -> None:
    async with ZaloClient(api.token, base_url=api.base_url, timeout=0.2) as impatient:
        api.fail_next_html("sendMessage", 502)
        with pytest.raises(ZaloServerError) as bad_gateway:
            await impatient.send_message(USER, "a")
        assert bad_gateway.value.error_code == 502
        api.slow_next("sendMessage", 1.0)
        with pytest.raises(ZaloServerError, match="timed out") as timed_out:
            await impatient.send_message(USER, "a")
        assert timed_out.value.error_code == 0
    async with ZaloClient(api.token, base_url=f"http://127.0.0.1:{closed_port()}") as nowhere:
        with pytest.raises(ZaloServerError) as refused:
            await nowhere.get_me()
    assert refused.value.error_code == 0 and "ConnectError" in str(refused.value)


async def test_a_token_echoed_by_the_server_is_scrubbed(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    api.fail_next("getMe", 400, f"bad /bot{api.token}/getMe and {api.token}")
    with pytest.raises(ZaloBadRequest) as caught:
        await client.get_me()
    assert caught.value.description == "bad /bot***/getMe and ***"


def test_a_client_needs_a_token_and_does_not_show_it() -> None:
    with pytest.raises(ValueError, match="token is required"):
        ZaloClient("")
    shown = repr(ZaloClient("42:very-secret"))
    assert shown == "ZaloClient(base_url='https://bot-api.zaloplatforms.com')"


async def test_the_token_never_appears_in_logs_or_exceptions(
    api: FakeZaloApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_token = "987654321:another-secret-never-shown"
    errors: list[BaseException] = []

    async def attempt(call: Any) -> None:
        try:
            await call
        except ZaloApiError as error:
            errors.append(error)

    async with (
        ZaloClient(api.token, base_url=api.base_url, timeout=0.3) as client,
        ZaloClient(wrong_token, base_url=api.base_url) as wrong,
        ZaloClient(api.token, base_url=f"http://127.0.0.1:{closed_port()}") as nowhere,
    ):
        # The clients set the HTTP libraries' loggers to WARNING; turn them up to DEBUG
        # again (httpx logs each URL at INFO) to check that their filter masks the token.
        caplog.set_level(logging.DEBUG, logger="httpx")
        caplog.set_level(logging.DEBUG, logger="httpcore")
        await client.get_me()
        await client.get_updates(timeout=1)  # 408
        await client.send_message(USER, "a")
        api.block_chat("blocked")
        api.fail_next_html("getUpdates", 429)
        api.fail_next("sendPhoto", 500)
        api.slow_next("getWebhookInfo", 1.0)
        await attempt(client.send_message("blocked", "a"))
        await attempt(client.send_message(USER, ""))
        await attempt(client.get_updates(timeout=1))
        await attempt(client.send_photo(USER, "https://placehold.co/1"))
        await attempt(client.call("sendDocument"))
        await attempt(client.get_webhook_info())
        await attempt(wrong.get_me())
        await attempt(nowhere.get_me())
        clients = [repr(c) for c in (client, wrong, nowhere)]

    assert len(errors) == 8
    texts = [*clients, caplog.text, *(r.getMessage() for r in caplog.records)]
    for error in errors:
        texts += [str(error), repr(error), *map(str, error.args)]
        texts.append("".join(traceback.format_exception(error)))
    everything = "\n".join(texts)
    for secret in (api.token, api.token.split(":")[1], wrong_token, wrong_token.split(":")[1]):
        assert secret not in everything
    # The check is not empty: httpx logged every answered request (all but the time-out
    # and the refused connection), with the token masked.
    masked = [r for r in caplog.records if r.name == "httpx" and "/bot***/" in r.getMessage()]
    assert len(masked) >= 9


# ----- updates -> IncomingMessage ----------------------------------------------------------------
def test_a_text_message(api: FakeZaloApi) -> None:
    update = api.message(USER, display_name="Nguyễn Văn A", text="tiến độ điều 3?")
    incoming = to_incoming({"event_name": "message.text.received", "message": update})
    assert incoming == IncomingMessage(
        channel="zalo",
        user_id=USER,
        text="tiến độ điều 3?",
        display_name="Nguyễn Văn A",
        is_private=True,
    )


def test_a_message_is_sanitized_as_it_becomes_one(api: FakeZaloApi) -> None:
    """NUL and invisible characters never pass the adapter (`IncomingMessage`)."""
    update = api.message(f"{USER}\x00", display_name="Nguyễn\u200b Văn A\x00", text="v\u2060ụ\x00?")
    incoming = to_incoming({"event_name": "message.text.received", "message": update})
    assert incoming is not None
    assert (incoming.user_id, incoming.display_name, incoming.text) == (USER, "Nguyễn Văn A", "vụ?")


@pytest.mark.parametrize("field", ["photo", "photo_url"])
def test_a_photo_is_an_attachment_with_its_caption(api: FakeZaloApi, field: str) -> None:
    url = "https://photo-stal.zadn.vn/anh.jpg"
    update = api.push_image(USER, url, caption="minh chứng", field=field)
    incoming = to_incoming(update)
    assert incoming is not None
    assert incoming.attachment == Attachment("photo", url)
    assert incoming.text == "minh chứng"


@pytest.mark.parametrize("with_message", [True, False])
def test_stickers_and_unsupported_messages_have_empty_text(
    api: FakeZaloApi, with_message: bool
) -> None:
    sticker = to_incoming(api.push_sticker(USER))
    assert sticker is not None and sticker.text == "" and sticker.attachment is None
    unsupported = to_incoming(api.push_unsupported(USER if with_message else None))
    if with_message:
        assert unsupported is not None and unsupported.user_id == USER
        assert unsupported.text == "" and unsupported.attachment is None
    else:  # no message: nobody to answer
        assert unsupported is None


def test_a_group_message(api: FakeZaloApi) -> None:
    update = api.push_text(USER, "/help", chat_type="GROUP", chat_id=GROUP)
    incoming = to_incoming(update)
    assert incoming is not None and not incoming.is_private and incoming.user_id == USER
    assert reply_chat_id(update) == GROUP
    assert reply_chat_id(api.push_text(USER, "riêng")) == USER


@pytest.mark.parametrize(
    "update",
    [
        {},
        {"event_name": "message.text.received"},
        {"event_name": "message.text.received", "message": {"text": "không ai gửi"}},
        {"event_name": "message.text.received", "message": "not a dict"},
        {
            "event_name": "message.text.received",
            "message": {"from": {"id": "b0t", "is_bot": True}, "text": "bot khác"},
        },
    ],
)
def test_no_user_no_message(update: dict[str, Any]) -> None:
    assert to_incoming(update) is None


def test_webhook_bodies_wrapped_or_flat(api: FakeZaloApi) -> None:
    update = api.push_text(USER, "xin chào")
    assert unwrap({"ok": True, "result": update}) == update
    assert unwrap(update) == update
    incoming = to_incoming(unwrap({"ok": True, "result": update}) or {})
    assert incoming is not None and incoming.text == "xin chào"
    for junk in (None, [], "text", {"ok": True}, {"ok": True, "result": "x"}):
        assert unwrap(junk) is None


def test_deduper_handles_a_message_once_and_stays_bounded(api: FakeZaloApi) -> None:
    deduper = Deduper(capacity=3)
    first = api.push_text(USER, "một")
    assert deduper.is_new(first)
    assert not deduper.is_new(first)
    assert not deduper.is_new(dict(first))  # the same message delivered again
    for n in range(3):
        assert deduper.is_new(api.push_text(USER, str(n)))
    assert len(deduper) == 3
    assert deduper.is_new(first)  # forgotten: the oldest went first
    assert deduper.is_new({"event_name": "x"}) and deduper.is_new({"event_name": "x"})
    assert message_id({"event_name": "x"}) is None
    with pytest.raises(ValueError):
        Deduper(capacity=0)


# ----- split_text --------------------------------------------------------------------------------
WORDS = ["Chỉ", "thị", "06/CT-UBND", "ứng", "dụng", "CNTT", "Bắc", "Ninh", "😀", "a", "xã", "đ"]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", " \n", "\t", "\n\n\n"]


def random_text(rng: random.Random, words: int) -> str:
    parts: list[str] = []
    for _ in range(words):
        word = rng.choice(WORDS) if rng.random() < 0.8 else "x" * rng.randint(1, 9)
        parts += [word, rng.choice(SEPARATORS)]
    return "".join(parts)


def rejoins(parts: list[str], text: str, gap: str = r"\s+") -> bool:
    """The parts are the text with only whitespace taken out at the cuts (and its ends)."""
    pattern = r"\s*" + gap.join(map(re.escape, parts)) + r"\s*"
    return re.fullmatch(pattern, text) is not None


def test_split_text_on_random_texts() -> None:
    rng = random.Random(20261130)
    for _ in range(400):
        text = random_text(rng, rng.randint(0, 120))
        limit = rng.randint(12, 200)
        parts = split_text(text, limit)
        assert all(0 < text_length(p) <= limit for p in parts), (text, limit)
        assert all(p == p.strip() for p in parts)
        # Every word is shorter than the limit: every cut is at whitespace.
        assert rejoins(parts, text), (text, limit, parts)
        if text_length(text.strip()) <= limit:
            assert parts == ([text.strip()] if text.strip() else [])


def cuts_inside_words(parts: list[str], text: str) -> list[str]:
    """The words of `text` that the cuts between `parts` fall inside (no whitespace there)."""
    words: list[str] = []
    position = text.index(parts[0]) + len(parts[0]) if parts else 0
    for part in parts[1:]:
        start = text.index(part, position)
        if start == position:  # nothing between the parts: the cut is inside a word
            left = len(text[:start]) - len(re.split(r"\s", text[:start])[-1])
            right = start + len(re.split(r"\s", text[start:])[0])
            words.append(text[left:right])
        position = start + len(part)
    return words


def test_split_text_cuts_a_word_only_when_it_is_longer_than_the_limit() -> None:
    rng = random.Random(7)
    for _ in range(200):
        text = " ".join(rng.choice("yz") * rng.randint(1, 60) for _ in range(rng.randint(1, 20)))
        limit = rng.randint(10, 40)
        parts = split_text(text, limit)
        assert all(text_length(p) <= limit for p in parts)
        assert rejoins(parts, text, gap=r"\s*")
        assert all(len(word) > limit for word in cuts_inside_words(parts, text))
        short = [w for w in text.split() if len(w) <= limit]
        assert set(short) <= {w for p in parts for w in p.split()}  # short words stay whole


def test_split_text_prefers_paragraphs_then_lines_then_spaces() -> None:
    paragraph = "a" * 30 + "\n\n" + "b" * 5 + "\n" + "c" * 5 + " " + "d" * 30
    assert split_text(paragraph, 45)[0] == "a" * 30
    line = "a" * 30 + "\n" + "b" * 5 + " " + "c" * 30
    assert split_text(line, 40)[0] == "a" * 30
    # A blank line that would leave a stub part loses to a later line break.
    stub = "a" * 5 + "\n\n" + "b" * 30 + "\n" + "c" * 30
    assert split_text(stub, 45) == ["a" * 5 + "\n\n" + "b" * 30, "c" * 30]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("😀" * 5, 4) == ["😀😀", "😀😀", "😀"]
    assert split_text(" \n ", 10) == []
    with pytest.raises(ValueError):
        split_text("abc", 1)


# ----- the sender --------------------------------------------------------------------------------
def test_the_sender_is_a_sender(sender: ZaloSender) -> None:
    as_protocol: Sender = sender
    assert as_protocol.channel == "zalo"


async def test_buttons_become_numbered_options(api: FakeZaloApi, sender: ZaloSender) -> None:
    reply = text_reply(
        "Tình trạng thực hiện hiện nay?",
        buttons=(Button("Hoàn thành", "st:done"), Button("Đang thực hiện", "st:doing")),
        columns=2,
    )
    first = await sender.send(USER, reply)
    [sent] = api.sent_messages(USER)
    assert sent["text"] == (
        f"Tình trạng thực hiện hiện nay?\n\n{OPTIONS_HINT}\n1. Hoàn thành\n2. Đang thực hiện"
    )
    assert first == api.calls_of("sendMessage")[0].result["message_id"]
    assert re.fullmatch(r"[0-9a-f]{20}", first)


async def test_a_project_template_renders_as_plain_text(
    api: FakeZaloApi, sender: ZaloSender
) -> None:
    status = {"duty": "Triển khai chữ ký số", "clause": "điều 3", "timing": None, "previous": None}
    await sender.send(USER, Reply("dialog/report_status", {"s": status}))
    [sent] = api.sent_messages(USER)
    assert sent["text"].startswith("Triển khai chữ ký số (điều 3)")
    assert "<" not in sent["text"]


async def test_a_long_message_goes_in_parts(api: FakeZaloApi, sender: ZaloSender) -> None:
    paragraphs = [f"Đoạn {n}: " + " ".join(["nội dung báo cáo tiến độ"] * 30) for n in range(8)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 5000
    first = await sender.send(USER, text_reply(text, buttons=(Button("Xem thêm", "more"),)))
    sent = [m["text"] for m in api.sent_messages(USER)]
    assert len(sent) >= 3 and all(len(t) <= 2000 for t in sent)
    assert all(t.startswith("Đoạn") for t in sent)  # cut between paragraphs
    assert sent[-1].endswith(f"{OPTIONS_HINT}\n1. Xem thêm")
    assert rejoins(sent, text + f"\n\n{OPTIONS_HINT}\n1. Xem thêm")
    assert first == api.calls_of("sendMessage")[0].result["message_id"]  # the first part's
    small = ZaloSender(sender.client, sender.renderer, limit=100)
    await small.send(USER, text_reply(text))
    assert all(len(m["text"]) <= 100 for m in api.sent_messages(USER)[len(sent) :])


async def test_without_a_public_url_files_are_said_not_sent(
    api: FakeZaloApi, sender: ZaloSender
) -> None:
    files = (
        OutgoingFile("tong-hop.xlsx", b"PK..", "Tổng hợp"),
        OutgoingFile("bieu-do.png", b"\x89PNG", "Biểu đồ tiến độ", "photo"),
    )
    await sender.send(USER, text_reply("Báo cáo tuần.", files=files))
    [sent] = api.sent_messages(USER)
    lines = sent["text"].split("\n")
    assert lines[0] == "Báo cáo tuần."
    assert lines[2].startswith("Tệp «tong-hop.xlsx» chưa gửi được qua Zalo")
    assert lines[3].startswith("Tệp «bieu-do.png» chưa gửi được qua Zalo")
    assert api.calls_of("sendPhoto") == []


@pytest.fixture
async def listener(assistant: Assistant) -> AsyncIterator[tuple[FileLinks, str]]:
    """File links on the project's HTTP listener, on a free loopback port."""
    port = closed_port()
    public = f"http://127.0.0.1:{port}"
    links = FileLinks(assistant.sessions, public)
    server = HttpServer([file_route(links)], "127.0.0.1", port)
    await server.start()
    try:
        yield links, public
    finally:
        await server.stop()


async def test_files_go_as_expiring_links_and_the_chart_as_a_photo(
    api: FakeZaloApi,
    client: ZaloClient,
    renderer: Renderer,
    assistant: Assistant,
    listener: tuple[FileLinks, str],
) -> None:
    links, public = listener
    with session_scope(assistant.sessions) as session:
        owner = UserRepo(session).get_or_create("zalo", USER, "Chị Lan").id
    sender = ZaloSender(client, renderer, file_links=links)
    xlsx, png = b"PK\x03\x04 workbook", b"\x89PNG chart"
    files = (
        OutgoingFile("tổng hợp.xlsx", xlsx, "Tổng hợp"),
        OutgoingFile("bieu-do.png", png, "Biểu đồ tiến độ", "photo"),
    )
    await sender.send(USER, text_reply("Báo cáo tuần.", files=files))
    [sent] = api.sent_messages(USER)
    [line] = [x for x in sent["text"].split("\n") if x.startswith("Tệp")]
    url = line.split(": ", 1)[1]
    assert line.startswith("Tệp «tổng hợp.xlsx» (tải về trong 24 giờ): " + public + "/tep/")
    [photo] = api.calls_of("sendPhoto")
    assert photo.params["caption"] == "Biểu đồ tiến độ"
    photo_url = photo.params["photo"]
    assert photo_url.startswith(public + "/tep/") and photo_url != url

    async with httpx.AsyncClient() as http:
        got = await http.get(url)
        assert got.status_code == 200 and got.content == xlsx
        assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert got.headers["content-disposition"] == (
            "attachment; filename*=UTF-8''t%E1%BB%95ng%20h%E1%BB%A3p.xlsx"
        )
        assert "no-store" in got.headers["cache-control"]
        image = await http.get(photo_url)
        assert image.content == png and image.headers["content-type"] == "image/png"
        assert image.headers["content-disposition"].startswith("inline")
        # A token one character off, or another file's name with this token's prefix.
        token = url.split("/tep/")[1].split("/")[0]
        wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
        for guess in (url.replace(token, wrong), f"{public}/tep/{wrong}/bieu-do.png"):
            refused = await http.get(guess)
            assert refused.status_code == 404 and "hết hạn" in refused.text
        assert (await http.get(url)).status_code == 200  # a second download works
    with session_scope(assistant.sessions) as session:
        rows = {r.name: r for r in session.scalars(select(SharedFile))}
        assert {r.user_id for r in rows.values()} == {owner}
        assert rows["tổng hợp.xlsx"].downloads == 2 and rows["bieu-do.png"].downloads == 1
        assert token not in {r.token_hash for r in rows.values()}  # only its hash is kept


async def test_a_link_stops_working_when_it_expires(
    assistant: Assistant, listener: tuple[FileLinks, str]
) -> None:
    links, _ = listener
    url = links.publish("zalo", USER, (OutgoingFile("a.docx", b"PK docx"),))["a.docx"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=24, seconds=1)
    token = url.split("/tep/")[1].split("/")[0]
    assert links.fetch(token) is not None
    expired = FileLinks(assistant.sessions, "http://x", clock=lambda: later)
    assert expired.fetch(token) is None
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).status_code == 200  # the listener's clock: not yet
    # Publishing later deletes what has expired by then.
    expired.publish("zalo", USER, (OutgoingFile("b.docx", b"PK"),))
    with session_scope(assistant.sessions) as session:
        assert [r.name for r in session.scalars(select(SharedFile))] == ["b.docx"]


async def test_an_empty_message_sends_nothing(api: FakeZaloApi, sender: ZaloSender) -> None:
    assert await sender.send(USER, text_reply("  \n ")) == ""
    assert api.calls == []


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"error_code": 403, "description": "Forbidden"}, RecipientBlocked),
        ({"error_code": 400, "description": "Bad request: x"}, PermanentError),
        ({"error_code": 404, "description": "Not Found"}, PermanentError),
        ({"error_code": 500}, TransientError),
        ({"error_code": 502, "http_status": 502}, TransientError),
        ({"error_code": 418}, TransientError),
        ({"error_code": 429, "description": "Quota exceeded"}, RetryLater),
    ],
)
async def test_errors_become_delivery_errors(
    api: FakeZaloApi, sender: ZaloSender, fault: dict[str, Any], expected: type[Exception]
) -> None:
    api.fail_next("sendMessage", **fault)
    with pytest.raises(expected) as caught:
        await sender.send(USER, text_reply("Nhắc việc"))
    assert type(caught.value) is expected
    assert isinstance(caught.value.__cause__, ZaloApiError)


async def test_rate_limits_wait_the_configured_time_or_what_zalo_says(
    api: FakeZaloApi, sender: ZaloSender
) -> None:
    api.fail_next_html("sendMessage", 429)
    with pytest.raises(RetryLater) as page:
        await sender.send(USER, text_reply("Nhắc việc"))
    assert page.value.seconds == 7  # the sender's setting
    api.fail_next("sendMessage", 429, retry_after=30)
    with pytest.raises(RetryLater) as told:
        await sender.send(USER, text_reply("Nhắc việc"))
    assert told.value.seconds == 30


async def test_a_blocked_chat_and_an_unreachable_server(
    api: FakeZaloApi, renderer: Renderer
) -> None:
    api.block_chat(USER)
    async with ZaloClient(api.token, base_url=api.base_url, timeout=0.2) as client:
        sender = ZaloSender(client, renderer)
        with pytest.raises(RecipientBlocked):
            await sender.send(USER, text_reply("Nhắc việc"))
        api.slow_next("sendMessage", 1.0)
        with pytest.raises(TransientError, match="timed out"):
            await sender.send("other", text_reply("Nhắc việc"))


async def test_a_wrong_token_is_transient_and_says_so(api: FakeZaloApi, renderer: Renderer) -> None:
    token = "1:wrong-secret"
    async with ZaloClient(token, base_url=api.base_url) as client:
        with pytest.raises(TransientError) as caught:
            await ZaloSender(client, renderer).send(USER, text_reply("Nhắc việc"))
    message = str(caught.value)
    assert "401" in message and "token" in message and "not at fault" in message
    assert "wrong-secret" not in message


async def test_a_failure_after_the_first_part_fails_the_message(
    api: FakeZaloApi, sender: ZaloSender
) -> None:
    small = ZaloSender(sender.client, sender.renderer, limit=20)
    api.fail_next("sendMessage", 500)
    with pytest.raises(TransientError):
        await small.send(USER, text_reply("một hai ba bốn năm sáu bảy tám chín mười"))
    assert len(api.calls_of("sendMessage")) == 1  # stopped at the first failure


# ----- polling -----------------------------------------------------------------------------------
def test_backoff_grows_to_a_minute_and_resets() -> None:
    backoff = Backoff()
    assert [backoff.next() for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    backoff.reset()
    assert backoff.next() == 1


async def test_polling_end_to_end(
    api: FakeZaloApi, client: ZaloClient, sender: ZaloSender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    handled: list[IncomingMessage] = []
    stop = asyncio.Event()

    async def handle(update: dict[str, Any]) -> None:
        incoming = to_incoming(update)
        assert incoming is not None
        handled.append(incoming)
        address = reply_chat_id(update)
        assert address is not None
        await sender.send(address, text_reply(f"Đã nhận: {incoming.text}"))
        if len(handled) == 3:
            stop.set()

    api.fail_next("getUpdates", 500)  # survived
    api.fail_next_html("getUpdates", 429)  # survived
    first = api.push_text(USER, "một")
    api.push_raw(first)  # delivered twice
    api.push_text(USER, "hai")
    api.push_image("u2", "https://photo.example/3.jpg", caption="ba")
    backoff = Backoff(start=0.02)
    await asyncio.wait_for(poll(client, handle, stop, Deduper(), timeout=1, backoff=backoff), 10)

    assert [m.text for m in handled] == ["một", "hai", "ba"]
    assert [m["text"] for m in api.sent_messages()] == [
        "Đã nhận: một",
        "Đã nhận: hai",
        "Đã nhận: ba",
    ]
    assert api.sent_messages("u2") == [{"chat_id": "u2", "text": "Đã nhận: ba"}]
    polls = api.calls_of("getUpdates")
    assert [c.error_code for c in polls] == [500, 429, 0, 0, 0, 0]
    assert polls[1].time - polls[0].time >= 0.02 and polls[2].time - polls[1].time >= 0.04
    assert backoff.current == 0  # reset by the first success
    assert "dropped a second delivery of Zalo message" in caplog.text
    assert api.token not in caplog.text


async def test_a_failing_handler_does_not_stop_the_loop(
    api: FakeZaloApi, client: ZaloClient, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []
    stop = asyncio.Event()

    async def handle(update: dict[str, Any]) -> None:
        seen.append(update["message"]["text"])
        if len(seen) == 2:
            stop.set()
        else:
            raise RuntimeError("the core broke")

    api.push_text(USER, "một")
    api.push_text(USER, "hai")
    await asyncio.wait_for(poll(client, handle, stop, Deduper(), timeout=1), 5)
    assert seen == ["một", "hai"]
    assert "error while handling Zalo message" in caplog.text
    assert "the core broke" in caplog.text


async def test_stop_ends_a_long_poll_at_once() -> None:
    stop = asyncio.Event()

    async def handle(update: dict[str, Any]) -> None:
        raise AssertionError("no update was queued")

    async with (
        FakeZaloApi(no_update_wait=30) as api,
        ZaloClient(api.token, base_url=api.base_url) as client,
    ):
        task = asyncio.create_task(poll(client, handle, stop, Deduper(), timeout=30))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, 2)
        assert time.monotonic() - started < 1


async def test_a_wrong_token_is_logged_as_an_error_and_retried(
    api: FakeZaloApi, caplog: pytest.LogCaptureFixture
) -> None:
    stop = asyncio.Event()

    async def handle(update: dict[str, Any]) -> None:
        raise AssertionError("no update for a wrong token")

    async with ZaloClient("1:wrong-secret", base_url=api.base_url) as client:
        task = asyncio.create_task(
            poll(client, handle, stop, Deduper(), timeout=1, backoff=Backoff(start=0.01))
        )
        await api.wait_for("getUpdates", count=3)
        stop.set()
        await asyncio.wait_for(task, 2)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "getUpdates failed: 401 Unauthorized" in errors[0].getMessage()
    assert "wrong-secret" not in caplog.text
