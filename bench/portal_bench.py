"""The web portal's dashboard for the province: server time per page and page weight.

    .venv/bin/python bench/portal_bench.py [--agencies 500] [--reports 10000] [--requests 30]
        [--db sqlite|postgresql] [--database-url URL] [--json FILE]

A fresh database (SQLite in a temp folder, a throwaway PostgreSQL cluster, or
--database-url, an empty database) seeded from data/, plus A synthetic provincial
departments (each has the directive's general duties) and R progress reports spread
over them; then the assistant is built on it (the catalog knows the new agencies)
and a UBND tỉnh manager logs in through the portal (the link `/web` makes) and asks
for pages through Starlette's TestClient: the dashboard, a filtered one, page 3 of
the rows, a duty's history, N times each (the digest kept from the first request
while nothing changes), and the dashboard after a new report each time (the digest
built afresh). Server time is the request's time in process (no network).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from starlette.applications import Starlette
from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import add_agencies, database
from bot.app import Assistant, build_core, prepare_database
from bot.application.knowledge.seed import load_knowledge_from_db
from bot.application.portal import login
from bot.channels.web.app import Portal
from bot.config import Settings
from bot.domain.knowledge import split_key
from bot.storage.db import session_scope
from bot.storage.models import ProgressReport, User, utcnow

PUBLIC = "http://bench"
PAGES = {
    "dashboard": "/tong-hop",
    "dashboard_overdue": "/tong-hop?tinh_trang=overdue",
    "dashboard_page_3": "/tong-hop?trang=3",
    "duty_history": "/nhiem-vu/1.e-3",
}
# The dashboard again, with a new report before each request (not timed): the portal's
# kept digest is stale every time, so this is the time of a digest built afresh.
AFTER_A_REPORT = ("dashboard_after_a_report", "/tong-hop")


def world(args: argparse.Namespace) -> tuple[Assistant, int]:
    """The assistant on a database with the synthetic agencies and reports; the id of
    a UBND tỉnh manager."""
    url = args.database_url
    settings = Settings.from_env({"DATABASE_URL": url, "WEB_PUBLIC_URL": PUBLIC})
    sessions = prepare_database(settings)
    rng = random.Random(14)
    now = utcnow()
    ids = [f"bench_{i:03d}" for i in range(args.agencies)]
    with session_scope(sessions) as session:
        add_agencies(session, ids)
        manager = User(
            channel="zalo",
            channel_user_id="bench-manager",
            display_name="Lãnh đạo",
            role="manager",
            agency_id="ubnd_tinh",
        )
        session.add(manager)
        session.flush()
        knowledge = load_knowledge_from_db(session)
    core = build_core(settings, knowledge)
    catalog = core.qa.catalog
    general = [d for d, (_, duty) in catalog.duties.items() if duty.timing.kind != "continuous"]
    # Without synthetic agencies (--agencies 0), the pack's own.
    targets = ids or [a.id for a in catalog.kb.agencies if a.kind != "group"]
    picked = [split_key(rng.choice(general)) for _ in range(args.reports)]
    with session_scope(sessions) as session:
        session.execute(
            insert(ProgressReport),
            [
                {
                    "directive_id": directive_id,
                    "duty_id": duty_id,
                    "agency_id": rng.choice(targets),
                    "user_id": manager.id,
                    "status": rng.choice(("in_progress", "done", "not_started", "blocked")),
                    "percent": rng.choice((0, 25, 50, 100)),
                    "blockers": rng.choice(("", "", "", "Thiếu kinh phí, chờ phân bổ")),
                    "notes": "",
                    "created_at": now - dt.timedelta(days=rng.randint(0, 400)),
                }
                for directive_id, duty_id in picked
            ],
        )
    from bot.application.render import Renderer

    assistant = Assistant(settings, sessions, knowledge, core, Renderer(settings.templates_dir))
    return assistant, manager.id


def add_report(assistant: Assistant, user_id: int) -> None:
    with session_scope(assistant.sessions) as session:
        session.add(
            ProgressReport(
                directive_id="06-CT-UBND-2019",
                duty_id="1.e-3",
                agency_id="bench_000",
                user_id=user_id,
                status="in_progress",
                percent=50,
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default="", help="an empty database (else --db's)")
    parser.add_argument("--json", help="write the results to this file too")
    args = parser.parse_args()
    with database(args.db, args.database_url or None) as url:
        args.database_url = url
        return run(args)


def run(args: argparse.Namespace) -> int:
    assistant, manager_id = world(args)
    portal = Portal(assistant, PUBLIC)
    with session_scope(assistant.sessions) as session:
        link = login.create_link(session, session.get_one(User, manager_id), PUBLIC, utcnow())
    results: dict[str, Any] = {
        "backend": assistant.settings.database_url.split(":")[0],
        "agencies": len(assistant.core.qa.catalog.agencies),
        "reports": args.reports,
    }
    with TestClient(Starlette(routes=portal.routes()), base_url=PUBLIC) as client:
        page = client.get(link.removeprefix(PUBLIC))
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf, page.text
        client.post(link.removeprefix(PUBLIC), data={"csrf": csrf.group(1)})
        for name, path in [*PAGES.items(), AFTER_A_REPORT]:
            times, size = [], 0
            for _ in range(args.requests):
                if name == AFTER_A_REPORT[0]:
                    add_report(assistant, manager_id)
                started = time.perf_counter()
                answer = client.get(path)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200, (path, answer.status_code)
                size = len(answer.content)
            times.sort()
            results[name] = {
                "p50_ms": round(1000 * statistics.median(times), 1),
                "p99_ms": round(1000 * times[min(len(times) - 1, round(0.99 * len(times)))], 1),
                "bytes": size,
            }
        css = re.search(r'href="(/static/portal\.css[^"]*)"', page.text)
        results["stylesheet_bytes"] = len(client.get(css.group(1)).content) if css else 0
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
