"""`bot run`: every channel that has a token, in one process, with one scheduler.

Zalo first (officials in Vietnam are on Zalo; Telegram is blocked there since June
2025), then Telegram; `--channel` runs one. A platform that cannot be reached at
start-up (network, 5xx, 429) is tried again, 1, 2, 4 ... up to 60 s apart, saying so in
Vietnamese; a token it rejects stops the start at once.

The scheduler is ONE APScheduler job: every `tick_seconds` it runs a tick and drains
the outbox through the senders of the channels that are running. Any number of
processes may run on one database; the one holding the scheduler's lock
(`bot.storage.leadership`) ticks, the others try the lock at every tick and take over
when its holder dies. NUDGES=off leaves a process out of the election altogether.
Nothing the scheduler needs lives in APScheduler's memory: a restart, or another
process taking over, loses nothing (see `bot.application.scheduler.service`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import functools
import itertools
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
from bot.storage.leadership import SchedulerLock, scheduler_lock, this_process

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
        "WEB_LISTEN/WEB_PORT",
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


NOT_REACHED = "Chưa kết nối được tới {platform}, thử lại sau {seconds} giây…"
ASKED_TO_WAIT = "{platform} yêu cầu chờ (quá nhiều yêu cầu), thử lại sau {seconds} giây…"
RETRY_DELAYS = (1, 2, 4, 8, 16, 32, 60)  # seconds between tries; the last one repeats
# The scheduler's election, as the operator reads it.
LEADING = (
    "Bộ nhắc việc (nhắc hạn, tổng hợp tuần, gửi tin trong hàng đợi) chạy ở tiến trình này ({me})."
)
TOOK_OVER = "Tiến trình này ({me}) nhận chạy bộ nhắc việc: tiến trình chạy trước đó đã dừng."
STANDBY = (
    "Bộ nhắc việc đang chạy ở tiến trình khác ({holder}): tiến trình này chỉ trả lời tin "
    "nhắn và sẽ tự nhận chạy bộ nhắc việc khi tiến trình kia dừng."
)
STEPPED_DOWN = (
    "Tiến trình này không còn giữ quyền chạy bộ nhắc việc (mất kết nối tới cơ sở dữ liệu); "
    "bộ nhắc việc tạm dừng ở đây, sẽ thử nhận lại ở lượt sau."
)
LOCK_UNKNOWN = (
    "Chưa kiểm tra được tiến trình nào chạy bộ nhắc việc (lỗi cơ sở dữ liệu: {reason}); "
    "sẽ thử lại ở lượt sau."
)


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
    lock: SchedulerLock | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS,
) -> int:
    """Start the HTTP listener (when a channel has routes, or `routes` are given: the
    web portal), the channels and the scheduler (elected by `lock`: by default the one
    of the assistant's database); run until `stop` is set (or SIGINT/SIGTERM)."""
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
                if not await _start(runner, stop, out, retry_delays):
                    return 0  # stopped while waiting for the platform
            except Exception as error:  # the message says what to check; details at DEBUG
                log.debug(
                    "channel %s did not start: %s",
                    runner.name,
                    type(error).__name__,
                    exc_info=error,
                )
                channel, reason = CHANNEL_NAMES[runner.name], _reason(error, runner.name)
                print(START_FAILED.format(channel=channel, reason=reason), file=out)
                return 1
            started.append(runner)
        senders = [r.sender for r in started]
        say = functools.partial(print, file=out, flush=True)
        first = min(first_tick, nudges.tick_seconds)
        scheduler = await start_scheduler(assistant, senders, nudges, first, clock, lock, say)
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


async def _start(
    runner: ChannelRunner, stop: asyncio.Event, out: TextIO, delays: Sequence[float]
) -> bool:
    """Start `runner`, trying again while its platform cannot be reached; False when
    `stop` came first. Raises what cannot get better by waiting (a rejected token)."""
    platform = CHANNEL_NAMES.get(runner.name, runner.name)
    for attempt in itertools.count():
        try:
            await runner.start()
            return True
        except Exception as error:
            asked = _retry_after(error)
            if asked is None:
                with contextlib.suppress(Exception):  # its HTTP client, its tasks
                    await runner.stop()
                raise
            log.debug("channel %s is not reachable yet", runner.name, exc_info=error)
        wait = max(asked, delays[min(attempt, len(delays) - 1)])
        waiting = ASKED_TO_WAIT if asked else NOT_REACHED
        print(waiting.format(platform=platform, seconds=f"{wait:g}"), file=out, flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
        if stop.is_set():
            with contextlib.suppress(Exception):
                await runner.stop()
            return False
    raise AssertionError("unreachable")  # pragma: no cover


class Scheduler:
    """The one repeating job: while this process holds the scheduler's lock, tick, then
    drain for at most 80% of the interval; otherwise try the lock again next time."""

    def __init__(
        self,
        service: NudgeService,
        interval: float,
        first: float,
        lock: SchedulerLock,
        say: Callable[[str], object] = log.warning,
    ) -> None:
        self.service = service
        self.interval = interval
        self.lock = lock
        self.say = say
        self.state = "unknown"  # leading, standby, error
        self._running: asyncio.Task[object] | None = None
        self.scheduler = AsyncIOScheduler(timezone=TIMEZONE)
        self.scheduler.add_job(
            self.run_job,
            "interval",
            seconds=interval,
            id="nudges",
            next_run_time=dt.datetime.now(TIMEZONE) + dt.timedelta(seconds=first),
            # A run delayed by a busy event loop still runs (APScheduler's default: 1 s).
            misfire_grace_time=max(1, int(interval)),
            coalesce=True,  # several missed runs: one run
            max_instances=1,  # a long drain is never run twice at once
        )

    async def run_job(self) -> None:
        """One turn: tick and drain if this process leads."""
        self._running = asyncio.current_task()
        try:
            if await self.elect():
                await self.service.run_once(max_seconds=self.interval * 0.8)
        except Exception:  # the next tick tries again; the outbox keeps the state
            log.exception("nudge tick failed")
        finally:
            self._running = None

    async def elect(self) -> bool:
        """Take or keep the lock (in a thread: it is a database round trip); say so
        when this process's part changes. True: this process leads."""
        try:
            leading = await asyncio.to_thread(self.lock.hold)
        except Exception as error:
            log.debug("the scheduler's lock could not be checked", exc_info=error)
            self._become("error", LOCK_UNKNOWN.format(reason=type(error).__name__))
            return False
        if leading:
            self._become("leading", (TOOK_OVER if self.state == "standby" else LEADING))
        elif self.state == "leading":
            self._become("standby", STEPPED_DOWN)
        else:
            holder = await asyncio.to_thread(self.lock.holder)
            self._become("standby", STANDBY.format(holder=holder or "chưa rõ tiến trình nào"))
        return leading

    def _become(self, state: str, message: str) -> None:
        if state != self.state:
            self.state = state
            self.say(message.format(me=this_process()))

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self) -> None:
        """No new run; a run in progress gives its unsent rows back and ends (not
        cancelled: a cancelled send would leave rows leased, to be resent later); then
        the lock goes, for another process to take at its next tick."""
        self.scheduler.pause()
        self.service.drainer.interrupt()
        running = self._running
        if running is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(running), 30)
        self.scheduler.shutdown(wait=False)
        self.service.drainer.close()
        await asyncio.to_thread(self.lock.release)


async def start_scheduler(
    assistant: Assistant,
    senders: Sequence[Sender],
    nudges: NudgeSettings,
    first: float = 10.0,
    clock: Clock = utc_clock,
    lock: SchedulerLock | None = None,
    say: Callable[[str], object] = log.warning,
) -> Scheduler | None:
    """The scheduler of this process, started, its election held once at once so the
    start-up says who leads (None with NUDGES=off)."""
    if not nudges.enabled:  # another process is this database's scheduler
        log.info("nudges are off in this process (NUDGES=off)")
        return None
    lock = lock or scheduler_lock(assistant.settings.database_url)
    service = NudgeService(assistant, senders, nudges, clock)
    scheduler = Scheduler(service, nudges.tick_seconds, first, lock, say)
    await scheduler.elect()
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


def _retry_after(error: Exception) -> float | None:
    """How long the platform asks to wait (0: as long as the back-off says) when
    waiting may help: it could not be reached, failed on its side (5xx, time-out) or
    asked to slow down (429). None: a rejected token, a refused request, our own bug."""
    from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

    from bot.channels.telegram.sender import retry_seconds
    from bot.channels.zalo.client import ZaloRateLimited, ZaloServerError

    if isinstance(error, RetryAfter):
        return retry_seconds(error)
    if isinstance(error, ZaloRateLimited):
        return error.retry_after or 0.0
    if isinstance(error, BadRequest | InvalidToken):  # BadRequest is a NetworkError
        return None
    if isinstance(error, NetworkError | ZaloServerError | OSError):
        return 0.0
    return None
