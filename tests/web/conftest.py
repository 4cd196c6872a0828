"""The web portal's fixtures: an assistant whose `/web` makes links to the portal, a
world of users and reports (dated around today: the login links are made with the real
clock), and a logged-in browser-like client (Starlette's TestClient)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.app import Assistant
from bot.application.digest.builder import DigestBuilder
from bot.application.messages import IncomingMessage
from bot.channels.http import web_app
from bot.channels.web.app import Portal
from bot.domain.calendar import TIMEZONE
from bot.storage.db import session_scope
from bot.storage.models import Duty, ProgressReport, User, utcnow
from tests.scheduler.conftest import Clock

DIRECTIVE = "06-CT-UBND-2019"
PUBLIC = "http://testserver"
# Chat accounts (Zalo ids) of the world below: (agency, role).
PEOPLE = {
    "official": ("h_tien_du", "official"),
    "district_manager": ("h_que_vo", "manager"),
    "province_manager": ("ubnd_tinh", "manager"),
    "sttt_manager": ("sttt", "manager"),
    "admin": (None, "admin"),
    "stranger": (None, "official"),  # has chatted, never linked to an agency
}
BLOCKER = "Thiếu kinh phí thuê máy chủ cho 5 xã"


@dataclass
class World:
    assistant: Assistant
    clock: Clock
    users: dict[str, int]

    @property
    def today(self) -> dt.date:
        return self.clock.now.astimezone(TIMEZONE).date()

    def builder(self) -> DigestBuilder:
        services = self.assistant.core.services
        return DigestBuilder(services.catalog, services.templates_dir, services.nudge_settings)


@pytest.fixture
def clock() -> Clock:
    return Clock(utcnow())


@pytest.fixture
def world(assistant: Assistant, clock: Clock) -> World:
    """Accounts of every role, and reports on two duties around today: on time, late,
    overdue, never reported, and an open one with a blocker and its evidence."""
    assistant.core.services.web_url = PUBLIC  # as `bot.app` does from WEB_PUBLIC_URL
    now = clock.now
    users: dict[str, int] = {}
    with session_scope(assistant.sessions) as session:
        for name, (agency, role) in PEOPLE.items():
            user = User(
                channel="zalo",
                channel_user_id=name,
                display_name=f"Người dùng {name}",
                role=role,
                agency_id=agency,
            )
            session.add(user)
            session.flush()
            users[name] = user.id
        today = now.astimezone(TIMEZONE).date()
        session.get_one(Duty, (DIRECTIVE, "2.f-4")).effective_due = today - dt.timedelta(days=10)
        session.get_one(Duty, (DIRECTIVE, "2.f-5")).effective_due = today + dt.timedelta(days=30)

        def report(
            agency: str, duty: str, status: str, percent: int, days_ago: int, **more: Any
        ) -> None:
            session.add(
                ProgressReport(
                    directive_id=DIRECTIVE,
                    duty_id=duty,
                    agency_id=agency,
                    user_id=users["official"],
                    status=status,
                    percent=percent,
                    created_at=now - dt.timedelta(days=days_ago),
                    **more,
                )
            )

        report("h_que_vo", "2.f-4", "done", 100, 14)
        report("tx_tu_son", "2.f-4", "done", 100, 2)
        report("h_tien_du", "2.f-4", "in_progress", 40, 20)
        report("h_tien_du", "2.f-4", "in_progress", 60, 12)
        report(
            "h_tien_du",
            "2.f-5",
            "in_progress",
            30,
            3,
            blockers=BLOCKER,
            evidence_ref="Công văn 45/UBND-VP",
            evidence_date=today - dt.timedelta(days=5),
        )
    return World(assistant, clock, users)


def chat(assistant: Assistant, account: str, text: str) -> str:
    """What the assistant answers `account` on Zalo, as plain text."""
    with session_scope(assistant.sessions) as session:
        response = assistant.core.handle(session, IncomingMessage("zalo", account, text))
    return "\n".join(assistant.renderer.render(reply) for reply in response.replies)


def login_link(assistant: Assistant, account: str) -> str:
    """The link `/web` sends `account`."""
    answer = chat(assistant, account, "/web")
    found = re.search(r"https?://\S+/dang-nhap/\S+", answer)
    assert found, answer
    return found.group(0)


class Forms(HTMLParser):
    """The forms of a page: action, method and hidden fields."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": values.get("action"), "method": values.get("method"), "hidden": {}}
            )
        elif tag == "input" and values.get("type") == "hidden" and self.forms:
            self.forms[-1]["hidden"][values.get("name")] = values.get("value")


def path_of(url: str) -> str:
    return url.removeprefix(PUBLIC)


@pytest.fixture
def portal(world: World) -> Portal:
    return Portal(world.assistant, PUBLIC, world.clock)


@pytest.fixture
def client(portal: Portal) -> Iterator[TestClient]:
    with TestClient(web_app(portal.routes()), base_url=PUBLIC, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, world: World, account: str) -> None:
    """`/web` in chat, then the link opened and «Đăng nhập» pressed."""
    path = path_of(login_link(world.assistant, account))
    page = client.get(path)
    assert page.status_code == 200, page.text
    [form] = [
        f for f in Forms(page.text).forms if f["method"] == "post" and "dang-nhap" in f["action"]
    ]
    done = client.post(form["action"], data=form["hidden"])
    assert done.status_code == 303 and done.headers["location"] == "/tong-hop", done.text
