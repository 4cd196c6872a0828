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
import functools
import itertools
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Protocol, TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from starlette.routing import BaseRoute

from bot.app import PUSH_CHANNELS
from bot.application.assistant import Assistant
from bot.application.delivery import Clock, Sender, utc_clock
from bot.application.scheduler.service import NudgeService
from bot.channels.http import HttpServer
from bot.config import NudgeSettings, Settings
from bot.domain.calendar import TIMEZONE
from bot.storage.leadership import SchedulerLock, scheduler_lock, this_process

log = logging.getLogger(__name__)

CHANNELS = PUSH_CHANNELS  # Zalo first: the order they start in

NO_CHANNEL_HELP = """\
Chưa có mã truy cập (token) của bot Zalo hay Telegram, nên trợ lý chưa thể chạy.

Zalo (kênh chính: cán bộ ở Việt Nam dùng Zalo):
  1. Trên ứng dụng Zalo, tìm tài khoản chính thức «Zalo Bot Manager» và chọn tạo bot
     mới (hoặc vào bot.zaloplatforms.com), đặt tên cho bot.
  2. Zalo Bot Manager gửi lại mã truy cập dạng 1234567890:AbCd...; hãy giữ bí mật.
  3. Khai báo ZALO_BOT_TOKEN=1234567890:AbCd...

Telegram (cho người dùng ở nước ngoài hoặc có VPN):
  1. Mở Telegram, tìm @BotFather và gửi lệnh /newbot.
  2. Đặt tên hiển thị và tên người dùng cho bot (tên người dùng kết thúc bằng "bot").
  3. BotFather gửi lại một token dạng 123456789:AAE...; khai báo TELEGRAM_BOT_TOKEN=...

Khai báo bằng biến môi trường (export ZALO_BOT_TOKEN=...) hoặc thêm dòng vào tệp .env
ở thư mục dự án, rồi chạy lại: .venv/bin/bot run

Muốn thử trợ lý ngay mà không cần Zalo hay Telegram, hãy trò chuyện trong cửa sổ
dòng lệnh:
  .venv/bin/bot chat
"""

NOT_CONFIGURED = {
    "zalo": "Chưa khai báo ZALO_BOT_TOKEN: kênh Zalo chưa thể chạy.\n",
    "telegram": "Chưa khai báo TELEGRAM_BOT_TOKEN: kênh Telegram chưa thể chạy.\n",
}
NO_FILE_LINKS = (
    "Lưu ý: chưa khai báo WEB_PUBLIC_URL (địa chỉ công khai của cổng HTTP), nên tệp "
    "(bảng tổng hợp .xlsx, báo cáo .docx, biểu đồ) chưa gửi được qua Zalo.\n"
)
WEB_FAILED = (
    "Không mở được cổng HTTP {host}:{port} cho webhook ({reason}). "
    "Hãy đặt WEB_LISTEN/WEB_PORT sang địa chỉ, cổng còn trống.\n"
)
START_FAILED = (
    "Không khởi động được kênh {channel}: {reason}\n"
    "Hãy kiểm tra mã truy cập (token), địa chỉ máy chủ API và kết nối mạng, rồi chạy lại.\n"
)
PLATFORMS = {"zalo": "Zalo", "telegram": "Telegram"}
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
            print(NOT_CONFIGURED[only] + "\n" + NO_CHANNEL_HELP, file=out, end="")
            return 2
        names = [only]
    if not names:
        print(NO_CHANNEL_HELP, file=out, end="")
        return 2
    if "telegram" in names:
        from bot.channels.telegram.app import webhook_problem

        problem = webhook_problem(settings)
        if problem:
            print(problem, file=out, end="")
            return 2
    if "zalo" in names and settings.zalo_webhook_url:
        from bot.channels.zalo.webhook import NO_SECRET_HELP, SECRET

        if not SECRET.fullmatch(settings.zalo_webhook_secret):
            print(NO_SECRET_HELP, file=out, end="")
            return 2
    if "zalo" in names and not settings.public_url:
        print(NO_FILE_LINKS, file=out, end="")
    assistant = build_assistant(settings)
    runners = [make_runner(name, settings, assistant) for name in names]
    web = (settings.web_listen, settings.web_port)
    return asyncio.run(serve(assistant, runners, settings.nudges, out, web=web))


async def serve(
    assistant: Assistant,
    runners: Sequence[ChannelRunner],
    nudges: NudgeSettings,
    out: TextIO = sys.stderr,
    stop: asyncio.Event | None = None,
    first_tick: float = 10.0,
    clock: Clock = utc_clock,
    web: tuple[str, int] = ("127.0.0.1", 8080),
    lock: SchedulerLock | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS,
) -> int:
    """Start the HTTP listener (when a channel has routes), the channels and the
    scheduler (elected by `lock`: by default the one of the assistant's database);
    run until `stop` is set (or SIGINT/SIGTERM)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
    started: list[ChannelRunner] = []
    routes = [route for runner in runners for route in runner.routes]
    http = HttpServer(routes, *web) if routes else None
    try:
        if http is not None:
            try:
                await http.start()
            except OSError as error:
                print(WEB_FAILED.format(host=web[0], port=web[1], reason=error), file=out)
                return 1
        for runner in runners:
            try:
                if not await _start(runner, stop, out, retry_delays):
                    return 0  # stopped while waiting for the platform
            except Exception as error:  # the message says what to check; details at DEBUG
                log.debug("channel %s did not start", runner.name, exc_info=error)
                print(START_FAILED.format(channel=runner.name, reason=_reason(error)), file=out)
                return 1
            started.append(runner)
        senders = [r.sender for r in started]
        say = functools.partial(print, file=out, flush=True)
        first = min(first_tick, nudges.tick_seconds)
        scheduler = await start_scheduler(assistant, senders, nudges, first, clock, lock, say)
        names = ", ".join(r.label for r in started)
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
    platform = PLATFORMS.get(runner.name, runner.name)
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


def _reason(error: Exception) -> str:
    """What went wrong, without the exception's text (it may quote a URL with a token)."""
    from telegram.error import InvalidToken, NetworkError

    from bot.channels.zalo.client import ZaloServerError, ZaloUnauthorized

    if isinstance(error, InvalidToken | ZaloUnauthorized):
        return "nền tảng từ chối mã truy cập (token sai hoặc đã bị thu hồi)."
    if isinstance(error, NetworkError | ZaloServerError | OSError):
        return "không kết nối được tới máy chủ của nền tảng."
    return f"lỗi {type(error).__name__}."


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
