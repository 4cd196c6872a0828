"""The fake Zalo Bot API behaves as the sources say the live one does, driven by the real
client (and by raw httpx where the envelope itself is the point)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.channels.zalo.client import (
    ZaloBadRequest,
    ZaloClient,
    ZaloForbidden,
    ZaloNotFound,
    ZaloRateLimited,
    ZaloServerError,
    ZaloUnauthorized,
)
from tests.support.fake_zalo_api import FakeZaloApi

USER = "6ede9afa66b88fe6d6a9"


@pytest.fixture
async def api() -> AsyncIterator[FakeZaloApi]:
    async with FakeZaloApi(no_update_wait=0.1) as fake:
        yield fake


@pytest.fixture
async def client(api: FakeZaloApi) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(api.token, base_url=api.base_url, timeout=3) as c:
        yield c


async def test_errors_come_as_envelopes_with_http_200(api: FakeZaloApi) -> None:
    async with httpx.AsyncClient() as http:
        wrong = await http.post(f"{api.base_url}/bot1:wrong/getMe", json={})
        unknown = await http.post(f"{api.base_url}/bot{api.token}/getChat", json={})
        missing = await http.post(f"{api.base_url}/bot{api.token}/sendMessage", json={})
    assert wrong.status_code == unknown.status_code == missing.status_code == 200
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert missing.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad request: The chat_id must not be empty",
    }


async def test_form_and_query_parameters_are_read_too(api: FakeZaloApi) -> None:
    url = f"{api.base_url}/bot{api.token}/sendMessage"
    async with httpx.AsyncClient() as http:
        form = await http.post(url, data={"chat_id": USER, "text": "biểu mẫu"})
        query = await http.get(url, params={"chat_id": USER, "text": "truy vấn"})
    assert form.json()["ok"] and query.json()["ok"]
    assert [m["text"] for m in api.sent_messages(USER)] == ["biểu mẫu", "truy vấn"]


async def test_get_me_and_the_webhook_methods(api: FakeZaloApi, client: ZaloClient) -> None:
    me = await client.get_me()
    assert me["id"] == api.token.split(":")[0] and me["account_type"] == "BASIC"
    assert (await client.get_webhook_info())["url"] == ""
    set_result = await client.set_webhook("https://bot.example.vn/zalo", "bí-mật-dài-đủ")
    assert set_result["url"] == "https://bot.example.vn/zalo" and set_result["updated_at"] > 0
    assert (await client.get_webhook_info())["url"] == "https://bot.example.vn/zalo"
    assert api.webhook["secret_token"] == "bí-mật-dài-đủ"
    assert (await client.delete_webhook())["url"] == ""
    assert (await client.get_webhook_info())["url"] == ""


@pytest.mark.parametrize(
    ("url", "secret", "description"),
    [
        ("http://bot.example.vn/zalo", "12345678", "The url must start with https://"),
        ("https://bot.example.vn/zalo", "short", "The secret_token must be 8 to 256 characters"),
        ("https://bot.example.vn/zalo", "", "The secret_token must not be empty"),
    ],
)
async def test_set_webhook_checks_its_parameters(
    client: ZaloClient, url: str, secret: str, description: str
) -> None:
    with pytest.raises(ZaloBadRequest) as caught:
        await client.set_webhook(url, secret)
    assert caught.value.description == f"Bad request: {description}"


async def test_method_names_are_case_sensitive(client: ZaloClient) -> None:
    with pytest.raises(ZaloNotFound):
        await client.call("getme")
    with pytest.raises(ZaloNotFound):
        await client.call("sendDocument", {"chat_id": USER})


async def test_send_message_text_is_1_to_2000_characters(
    api: FakeZaloApi, client: ZaloClient
) -> None:
    await client.send_message(USER, "ạ" * 2000)
    with pytest.raises(ZaloBadRequest, match="text must be 1 to 2000"):
        await client.send_message(USER, "ạ" * 2001)
    with pytest.raises(ZaloBadRequest, match="text must not be empty"):
        await client.send_message(USER, "")
    with pytest.raises(ZaloBadRequest, match="text must be 1 to 2000"):  # emoji: 2 units each
        await client.send_message(USER, "😀" * 1001)
    assert [c.ok for c in api.calls_of("sendMessage")] == [True, False, False, False]


async def test_send_photo_needs_a_public_url(api: FakeZaloApi, client: ZaloClient) -> None:
    sent = await client.send_photo(USER, "https://placehold.co/600x400", "Biểu đồ")
    assert sent["message_id"] and sent["date"] > 1_600_000_000_000  # milliseconds
    with pytest.raises(ZaloBadRequest, match="must start with http"):
        await client.send_photo(USER, "data:image/png;base64,AAAA")
    assert api.calls_of("sendPhoto")[0].params == {
        "chat_id": USER,
        "photo": "https://placehold.co/600x400",
        "caption": "Biểu đồ",
    }


async def test_send_chat_action(api: FakeZaloApi, client: ZaloClient) -> None:
    await client.send_chat_action(USER)
    with pytest.raises(ZaloBadRequest):
        await client.send_chat_action(USER, "dancing")
    assert api.calls_of("sendChatAction")[0].params == {"chat_id": USER, "action": "typing"}


async def test_one_update_per_get_updates_then_408(api: FakeZaloApi, client: ZaloClient) -> None:
    first = api.push_text(USER, "một")
    second = api.push_text(USER, "hai")
    assert await client.get_updates(timeout=5) == [first]
    assert await client.get_updates(timeout=5) == [second]
    started = time.monotonic()
    assert await client.get_updates(timeout=5) == []  # 408 after no_update_wait, not 5 s
    assert 0.08 <= time.monotonic() - started < 2
    last = api.calls_of("getUpdates")[-1]
    assert last.error_code == 408 and last.params == {"timeout": 5}


async def test_a_long_poll_wakes_when_an_update_arrives() -> None:
    async with (
        FakeZaloApi(no_update_wait=5) as slow_api,
        ZaloClient(slow_api.token, base_url=slow_api.base_url) as slow_client,
    ):
        started = time.monotonic()
        polling = asyncio.create_task(slow_client.get_updates(timeout=5))
        await asyncio.sleep(0.2)  # the call is held by the server by now
        slow_api.push_text(USER, "đến ngay")
        [update] = await polling
        assert update["message"]["text"] == "đến ngay"
        assert time.monotonic() - started < 2  # not the 5 s the server would hold it
        assert slow_api.calls_of("getUpdates")[0].ok


async def test_faults(api: FakeZaloApi, client: ZaloClient) -> None:
    api.fail_next_html("getUpdates")
    with pytest.raises(ZaloRateLimited):
        await client.get_updates(timeout=1)
    api.fail_next("sendMessage", 502, http_status=502)
    with pytest.raises(ZaloServerError):
        await client.send_message(USER, "a")
    api.fail_next("sendMessage", 429, "Quota exceeded")
    with pytest.raises(ZaloRateLimited, match="Quota exceeded"):
        await client.send_message(USER, "a")
    api.block_chat("blocked-user")
    with pytest.raises(ZaloForbidden):
        await client.send_message("blocked-user", "a")
    api.slow_next("getMe", 0.3)
    started = time.monotonic()
    await client.get_me()
    assert time.monotonic() - started >= 0.25
    html = [c for c in api.calls if c.http_status == 429]
    assert len(html) == 1 and html[0].method == "getUpdates" and html[0].error_code == 429
    assert [c.error_code for c in api.calls_of("sendMessage")] == [502, 429, 403]


async def test_nginx_page_is_html(api: FakeZaloApi) -> None:
    api.fail_next_html("getUpdates", times=2)
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{api.base_url}/bot{api.token}/getUpdates", json={})
    assert answer.status_code == 429
    assert answer.headers["content-type"].startswith("text/html")
    assert "<title>429 Too Many Requests</title>" in answer.text


async def test_a_wrong_token_is_refused_everywhere(api: FakeZaloApi) -> None:
    async with ZaloClient("1:not-the-token", base_url=api.base_url) as wrong:
        with pytest.raises(ZaloUnauthorized):
            await wrong.send_message(USER, "a")
        with pytest.raises(ZaloUnauthorized):
            await wrong.get_updates(timeout=1)
    assert api.sent_messages() == []


async def test_wait_for_reports_what_it_saw(api: FakeZaloApi, client: ZaloClient) -> None:
    await client.get_me()
    with pytest.raises(AssertionError, match=r"got 0; calls so far: \['getMe'\]"):
        await api.wait_for("sendMessage", timeout=0.05)
    await client.send_message(USER, "a")
    [call] = await api.wait_for("sendMessage")
    assert call.params == {"chat_id": USER, "text": "a"}
