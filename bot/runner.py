"""`bot run`: every channel that has a token, in one process, with one scheduler.

Zalo first (officials in Vietnam are on Zalo; Telegram is blocked there since June
2025), then Telegram; `--channel` runs one. The scheduler is ONE APScheduler job in
this process (unless NUDGES=off, for a second process on the same database): every
`tick_seconds` it runs a tick and drains the outbox through the senders of the
channels that are running. Nothing it needs lives in APScheduler's memory: a restart
loses nothing (see `bot.application.scheduler.service`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import logging
import signal
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TextIO
from urllib.parse import urlsplit

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from starlette.routing import BaseRoute

from bot.app import PUSH_CHANNELS
from bot.application.assistant import Assistant
from bot.application.chat_commands import CHANNEL_NAMES
from bot.application.delivery import Clock, Sender, utc_clock
from bot.application.scheduler.service import NudgeService
from bot.channels.http import HttpServer
from bot.config import NudgeSettings, Settings
from bot.domain.calendar import TIMEZONE

log = logging.getLogger(__name__)

CHANNELS = PUSH_CHANNELS  # Zalo first: the order they start in

NO_TOKEN = "Chưa có mã truy cập (token) của bot Zalo hay Telegram, nên trợ lý chưa thể chạy.\n"
NOT_CONFIGURED = {
    "zalo": "Chưa khai báo ZALO_BOT_TOKEN: kênh Zalo chưa thể chạy.\n",
    "telegram": "Chưa khai báo TELEGRAM_BOT_TOKEN: kênh Telegram chưa thể chạy.\n",
}
HOW_TO_GET_A_TOKEN = {
    "zalo": """\
Zalo (kênh chính: cán bộ ở Việt Nam dùng Zalo):
  1. Trên ứng dụng Zalo, tìm tài khoản chính thức «Zalo Bot Manager» và chọn tạo bot
     mới (hoặc vào bot.zaloplatforms.com), đặt tên cho bot.
  2. Zalo Bot Manager gửi lại mã truy cập dạng 1234567890:AbCd...; hãy giữ bí mật.
  3. Khai báo ZALO_BOT_TOKEN=1234567890:AbCd...
""",
    "telegram": """\
Telegram (cho người dùng ở nước ngoài hoặc có VPN):
  1. Mở Telegram, tìm @BotFather và gửi lệnh /newbot.
  2. Đặt tên hiển thị và tên người dùng cho bot (tên người dùng kết thúc bằng "bot").
  3. BotFather gửi lại một token dạng 123456789:AAE...; khai báo TELEGRAM_BOT_TOKEN=...
""",
}
HOW_TO_DECLARE = """\
Khai báo bằng biến môi trường (export {variable}=...) hoặc thêm dòng vào tệp .env
ở thư mục dự án, rồi chạy lại: .venv/bin/bot run{option}

Muốn thử trợ lý ngay mà không cần Zalo hay Telegram, hãy trò chuyện trong cửa sổ
dòng lệnh:
  .venv/bin/bot chat
"""
NO_FILE_LINKS = (
    "Lưu ý: chưa khai báo WEB_PUBLIC_URL (địa chỉ công khai của cổng HTTP), nên tệp "
    "(bảng tổng hợp .xlsx, báo cáo .docx, biểu đồ) chưa gửi được qua Zalo.\n"
)
NO_PUBLIC_URL = (
    "Lưu ý: chưa khai báo WEB_PUBLIC_URL (địa chỉ người dùng mở trang web, ví dụ "
    "https://tro-ly.example.gov.vn), nên lệnh /web trong chat chưa gửi được liên kết "
    "đăng nhập.\n"
)
WEBHOOK_URL_WRONG = (
    "{variable} phải là một địa chỉ https:// có tên miền, ví dụ "
    "https://tro-ly.example.gov.vn (đang đặt: «{url}»): {platform} chỉ gửi tin tới địa chỉ "
    "https công khai. Hãy sửa {variable}, hoặc bỏ nó để chạy bằng long polling.\n"
)
WEB_FAILED = (
    "Không mở được cổng HTTP {host}:{port} (dùng cho webhook, liên kết tải tệp và trang "
    "web): {problem}. Hãy đặt WEB_LISTEN/WEB_PORT sang địa chỉ, cổng còn trống.\n"
)
START_FAILED = "Không khởi động được kênh {channel}: {reason}\n"
# Why a listening socket did not open, by errno (bind errors: anything else is the network).
LISTEN_PROBLEMS = {
    errno.EADDRINUSE: "cổng đã có chương trình khác dùng (có thể là một bot run khác)",
    errno.EACCES: "không có quyền dùng cổng này (cổng dưới 1024 cần quyền quản trị)",
    errno.EADDRNOTAVAIL: "máy này không có địa chỉ đó",
}


@dataclass(frozen=True)
class _Keys:
    """The settings of one channel that a start-up message tells the operator to check."""

    token: str
    base_url: str
    webhook_url: str
    listen: str  # where its webhook listens


KEYS = {
    "zalo": _Keys("ZALO_BOT_TOKEN", "ZALO_BASE_URL", "ZALO_WEBHOOK_URL", "WEB_LISTEN/WEB_PORT"),
    "telegram": _Keys(
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_BASE_URL",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_WEBHOOK_LISTEN/TELEGRAM_WEBHOOK_PORT",
    ),
}


def no_token_help(only: str | None = None) -> str:
    """How to get a bot token: for the channel asked for (`--channel`), else for each."""
    names = [only] if only else list(CHANNELS)
    declare = HOW_TO_DECLARE.format(
        variable=KEYS[names[0]].token, option=f" --channel {only}" if only else ""
    )
    head = NOT_CONFIGURED[only] if only else NO_TOKEN
    return "\n".join([head, *(HOW_TO_GET_A_TOKEN[name] for name in names), declare])


class ChannelRunner(Protocol):
    """A channel that runs inside `bot run`: started, stopped, and its sender."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str:
        """How the start-up line names it ("Zalo (long polling)")."""
        ...

    @property
    def sender(self) -> Sender: ...

    @property
    def routes(self) -> Sequence[BaseRoute]:
        """What it serves on the project's HTTP listener (a webhook), if anything."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def configured(settings: Settings) -> list[str]:
    tokens = {"zalo": settings.zalo_token, "telegram": settings.telegram_token}
    return [name for name in CHANNELS if tokens[name]]


def make_runner(name: str, settings: Settings, assistant: Assistant) -> ChannelRunner:
    if name == "zalo":
        from bot.channels.zalo.runner import ZaloRunner

        return ZaloRunner(settings, assistant)
    from bot.channels.telegram.runner import TelegramRunner

    return TelegramRunner(settings, assistant)


def run(
    settings: Settings,
    build_assistant: Callable[[Settings], Assistant],
    only: str | None = None,
    out: TextIO = sys.stderr,
) -> int:
    """`bot run [--channel NAME]`: serve until interrupted (2: not configured, 1: a
    channel did not start)."""
    names = configured(settings)
    if only is not None:
        if only not in names:
            print(no_token_help(only), file=out, end="")
            return 2
        names = [only]
    if not names:
        print(no_token_help(), file=out, end="")
        return 2
    problem = _configuration_problem(settings, names)
    if problem:
        print(problem, file=out, end="")
        return 2
    if "zalo" in names and not settings.public_url:
        print(NO_FILE_LINKS, file=out, end="")
    assistant = build_assistant(settings)
    runners = [make_runner(name, settings, assistant) for name in names]
    web = (settings.web_listen, settings.web_port)
    # The portal shares the listener whenever users can reach it (its links need the
    # public address).
    portal = portal_routes(assistant, settings) if settings.public_url else []
    return asyncio.run(serve(assistant, runners, settings.nudges, out, web=web, routes=portal))


def portal_routes(assistant: Assistant, settings: Settings) -> list[BaseRoute]:
    from bot.channels.web.app import Portal

    return Portal(assistant, settings.public_url).routes()


def run_web(
    settings: Settings, build_assistant: Callable[[Settings], Assistant], out: TextIO = sys.stderr
) -> int:
    """`bot web`: the portal and the file links alone on the listener, no chat channel
    and no scheduler (the chat process, `bot run`, is this database's scheduler)."""
    if not settings.public_url:
        print(NO_PUBLIC_URL, file=out, end="")
    assistant = build_assistant(settings)
    routes = portal_routes(assistant, settings)
    if settings.public_url:
        from bot.application.file_links import FileLinks
        from bot.channels.http import file_route

        ttl = dt.timedelta(hours=settings.file_link_hours)
        routes.append(file_route(FileLinks(assistant.sessions, settings.public_url, ttl)))
    web = (settings.web_listen, settings.web_port)
    off = replace(settings.nudges, enabled=False)
    return asyncio.run(serve(assistant, [], off, out, web=web, routes=routes))


def _configuration_problem(settings: Settings, names: Sequence[str]) -> str | None:
    """What keeps the channels `names` from starting as configured (in Vietnamese), found
    before anything starts: the platform's own answer would be an English error code."""
    webhooks = {"zalo": settings.zalo_webhook_url, "telegram": settings.telegram_webhook_url}
    for name in names:
        url = webhooks[name]
        if url and not _is_https_address(url):
            variable, platform = KEYS[name].webhook_url, CHANNEL_NAMES[name]
            return WEBHOOK_URL_WRONG.format(variable=variable, url=url, platform=platform)
    if "telegram" in names:
        from bot.channels.telegram.app import webhook_problem

        problem = webhook_problem(settings)
        if problem:
            return problem
    if "zalo" in names and settings.zalo_webhook_url:
        from bot.channels.zalo.webhook import NO_SECRET_HELP, SECRET

        if not SECRET.fullmatch(settings.zalo_webhook_secret):
            return NO_SECRET_HELP
    return None


def _is_https_address(url: str) -> bool:
    """https://, a host name, and a port that is a number if one is given."""
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # not a number, or past 65535
        return False
    return parts.scheme == "https" and bool(parts.hostname) and port_ok


async def serve(
    assistant: Assistant,
    runners: Sequence[ChannelRunner],
    nudges: NudgeSettings,
    out: TextIO = sys.stderr,
    stop: asyncio.Event | None = None,
    first_tick: float = 10.0,
    clock: Clock = utc_clock,
    web: tuple[str, int] = ("127.0.0.1", 8080),
    routes: Sequence[BaseRoute] = (),
) -> int:
    """Start the HTTP listener (when a channel has routes, or `routes` are given: the
    web portal), the channels and the scheduler; run until `stop` is set (or
    SIGINT/SIGTERM)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    started: list[ChannelRunner] = []
    served = [*(route for runner in runners for route in runner.routes), *routes]
    http = HttpServer(served, *web) if served else None
    try:
        if http is not None:
            try:
                await http.start()
            except OSError as error:  # the message says what to do; uvicorn's text at DEBUG
                log.debug("the HTTP listener did not start", exc_info=error)
                problem = _listen_problem(error)
                print(WEB_FAILED.format(host=web[0], port=web[1], problem=problem), file=out)
                return 1
        for runner in runners:
            try:
                await runner.start()
            except Exception as error:  # the message says what to check; details at DEBUG
                log.debug(
                    "channel %s did not start: %s",
                    runner.name,
                    type(error).__name__,
                    exc_info=error,
                )
                with contextlib.suppress(Exception):  # its HTTP client, its tasks
                    await runner.stop()
                channel, reason = CHANNEL_NAMES[runner.name], _reason(error, runner.name)
                print(START_FAILED.format(channel=channel, reason=reason), file=out)
                return 1
            started.append(runner)
        senders = [r.sender for r in started]
        scheduler = start_scheduler(assistant, senders, nudges, first_tick, clock)
        names = ", ".join(r.label for r in started)
        if routes:  # the portal
            names = ", ".join(filter(None, (names, f"trang web (cổng {web[0]}:{web[1]})")))
        print(f"Trợ lý đang chạy trên {names}. Nhấn Ctrl+C để dừng.", file=out)
        await stop.wait()
        if scheduler is not None:
            await scheduler.stop()
        return 0
    finally:
        # The listener first: an update it acknowledged must still find its channel running.
        if http is not None:
            await http.stop()
        for runner in reversed(started):
            try:
                await runner.stop()
            except Exception:
                log.exception("channel %s did not stop cleanly", runner.name)


class Scheduler:
    """The one repeating job: tick, then drain for at most 80% of the interval."""

    def __init__(self, service: NudgeService, interval: float, first: float) -> None:
        self.service = service
        self.interval = interval
        self._running: asyncio.Task[object] | None = None
        self.scheduler = AsyncIOScheduler(timezone=TIMEZONE)
        self.scheduler.add_job(
            self._tick_and_drain,
            "interval",
            seconds=interval,
            id="nudges",
            next_run_time=dt.datetime.now(TIMEZONE) + dt.timedelta(seconds=first),
            # A run delayed by a busy event loop still runs (APScheduler's default: 1 s).
            misfire_grace_time=max(1, int(interval)),
            coalesce=True,  # several missed runs: one run
            max_instances=1,  # a long drain is never run twice at once
        )

    async def _tick_and_drain(self) -> None:
        self._running = asyncio.current_task()
        try:
            await self.service.run_once(max_seconds=self.interval * 0.8)
        except Exception:  # the next tick tries again; the outbox keeps the state
            log.exception("nudge tick failed")
        finally:
            self._running = None

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self) -> None:
        """No new run; a run in progress gives its unsent rows back and ends (not
        cancelled: a cancelled send would leave rows leased, to be resent later)."""
        self.scheduler.pause()
        self.service.drainer.interrupt()
        running = self._running
        if running is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(running), 30)
        self.scheduler.shutdown(wait=False)
        self.service.drainer.close()


def start_scheduler(
    assistant: Assistant,
    senders: Sequence[Sender],
    nudges: NudgeSettings,
    first: float = 10.0,
    clock: Clock = utc_clock,
) -> Scheduler | None:
    """The scheduler of this process, started (None with NUDGES=off)."""
    if not nudges.enabled:  # another process is this database's scheduler
        log.info("nudges are off in this process (NUDGES=off)")
        return None
    scheduler = Scheduler(
        NudgeService(assistant, senders, nudges, clock), nudges.tick_seconds, first
    )
    scheduler.start()
    return scheduler


def _reason(error: Exception, channel: str) -> str:
    """What went wrong and what to check, in Vietnamese: never the exception's text (it
    may quote a URL with a token, and it is English) nor its class (logged at DEBUG)."""
    from telegram import error as telegram

    from bot.channels.zalo import client as zalo

    platform, keys = CHANNEL_NAMES[channel], KEYS[channel]
    if isinstance(error, telegram.InvalidToken | zalo.ZaloUnauthorized):
        return (
            f"{platform} từ chối mã truy cập (token sai hoặc đã bị thu hồi). "
            f"Hãy kiểm tra {keys.token}."
        )
    webhook_refused = (isinstance(error, zalo.ZaloBadRequest) and error.method == "setWebhook") or (
        isinstance(error, telegram.BadRequest) and "webhook" in error.message.lower()
    )
    if webhook_refused:
        return (
            f"{platform} không nhận địa chỉ webhook trong {keys.webhook_url} (cần một địa chỉ "
            "https:// công khai, có chứng chỉ hợp lệ). Hãy sửa nó, hoặc bỏ nó để chạy bằng "
            "long polling."
        )
    if isinstance(error, telegram.RetryAfter | zalo.ZaloRateLimited):
        return f"{platform} đang tạm giới hạn số lần gọi. Hãy chờ vài phút rồi chạy lại."
    if isinstance(error, OSError) and error.errno in LISTEN_PROBLEMS:  # its webhook's port
        return (
            f"không mở được cổng nhận webhook: {LISTEN_PROBLEMS[error.errno]}. "
            f"Hãy đặt {keys.listen} sang địa chỉ, cổng còn trống."
        )
    answered = isinstance(error, telegram.BadRequest)  # a NetworkError in PTB, yet answered
    if isinstance(error, telegram.NetworkError | zalo.ZaloServerError | OSError) and not answered:
        return (
            f"không kết nối được tới máy chủ của {platform}, hoặc máy chủ đang gặp sự cố. "
            f"Hãy kiểm tra kết nối mạng và {keys.base_url} (nếu có đặt), rồi chạy lại."
        )
    if isinstance(error, telegram.TelegramError | zalo.ZaloApiError):
        return (
            f"{platform} từ chối một yêu cầu của trợ lý. Hãy kiểm tra {keys.base_url} (nếu có "
            "đặt); chạy lại với LOG_LEVEL=DEBUG để xem chi tiết."
        )
    return "lỗi ngoài dự kiến. Hãy chạy lại với LOG_LEVEL=DEBUG để xem chi tiết."


def _listen_problem(error: OSError) -> str:
    """Why the HTTP listener did not open, in Vietnamese."""
    if isinstance(error, socket.gaierror):
        return "không tìm thấy địa chỉ đó (WEB_LISTEN)"
    return LISTEN_PROBLEMS.get(
        error.errno or 0, "không rõ nguyên nhân (chạy lại với LOG_LEVEL=DEBUG để xem chi tiết)"
    )
