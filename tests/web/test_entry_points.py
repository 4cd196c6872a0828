"""The portal in the entry points: `bot run` serves it on the channels' listener (a
login link asked for on Zalo opens there), and `bot web` serves it alone, as a
process (`bot web link` prints a login link for an account).

SQLite only: these test the wiring; the portal's behaviour on both backends is in
test_portal.py and test_browser.py."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.app import Assistant
from bot.channels.zalo.runner import ZaloRunner
from bot.config import NudgeSettings
from bot.runner import portal_routes, serve
from bot.storage.db import session_scope
from bot.storage.models import User
from tests.support.fake_zalo_api import FakeZaloApi
from tests.web.test_browser import free_port

MANAGER = "7b1f0e2d3c4a"  # a Zalo user id


@pytest.fixture
def backend() -> str:
    return "sqlite"


def add_manager(assistant: Assistant) -> None:
    with session_scope(assistant.sessions) as session:
        session.add(
            User(
                channel="zalo",
                channel_user_id=MANAGER,
                display_name="Chị Hoa",
                role="manager",
                agency_id="sttt",
            )
        )


async def test_bot_run_serves_the_portal_beside_zalo_on_one_listener(
    assistant: Assistant,
) -> None:
    add_manager(assistant)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    async with FakeZaloApi(no_update_wait=0.05) as api:
        settings = dataclasses.replace(
            assistant.settings,
            zalo_token=api.token,
            zalo_base_url=api.base_url,
            web_public_url=public,
        )
        assistant.core.services.web_url = settings.public_url  # as `bot.app` does
        out, stop = io.StringIO(), asyncio.Event()
        task = asyncio.create_task(
            serve(
                assistant,
                [ZaloRunner(settings, assistant, poll_timeout=1)],
                NudgeSettings(enabled=False),
                out,
                stop=stop,
                web=("127.0.0.1", port),
                routes=portal_routes(assistant, settings),
            )
        )
        try:
            api.push_text(MANAGER, "/web")
            [sent] = await api.wait_for("sendMessage", timeout=30)
            link = re.search(r"http://\S+/dang-nhap/\S+", sent.params["text"])
            assert link and link.group(0).startswith(public), sent.params["text"]
            async with httpx.AsyncClient() as http:
                page = await http.get(link.group(0))
                assert page.status_code == 200 and "Đăng nhập" in page.text
            assert "trang web (cổng 127.0.0.1:" in out.getvalue()
            assert "Zalo (long polling)" in out.getvalue()
        finally:
            stop.set()
            assert await asyncio.wait_for(task, 10) == 0


def test_bot_web_serves_the_portal_alone(assistant: Assistant, tmp_path: Path) -> None:
    add_manager(assistant)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": assistant.settings.database_url,
        "WEB_PORT": str(port),
        "WEB_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "bot", "web"]
    printed = subprocess.run(
        [*command, "link", "--user-id", MANAGER],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    link = re.search(r"http://\S+/dang-nhap/\S+", printed)
    assert link, printed
    unknown = subprocess.run(
        [*command, "link", "--user-id", "nobody"], env=env, capture_output=True, text=True
    )
    assert unknown.returncode == 2 and "chưa liên kết" in unknown.stderr

    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:
        server = subprocess.Popen(command, env=env, stderr=stderr, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while "đang chạy" not in log.read_text() and server.poll() is None:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            assert "trang web" in log.read_text(), log.read_text()
            page = httpx.get(link.group(0))
            assert page.status_code == 200 and "Đăng nhập" in page.text
            assert httpx.get(f"http://127.0.0.1:{port}/tong-hop").status_code == 401
        finally:
            server.send_signal(signal.SIGTERM)
            assert server.wait(30) == 0, log.read_text()
