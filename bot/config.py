"""One frozen Settings object, read once from the environment (and an optional .env).

Every key has an embedded default that runs the assistant offline on SQLite, so
the console works with nothing set. Tests pass their own mapping. The scheduler's
keys (`NUDGE_*`, `WORK_*`, `DIGEST_*`) are `Settings.nudges`, a `NudgeSettings` that
the scheduler and its tests can also build on their own.

`.env` is read with python-dotenv (comments after values, `export KEY=...` and quotes
as a shell reads them); the process environment wins over it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NLU_BACKENDS = ("builtin", "rasa")
MASK = "***"  # what a secret is replaced with in any output
# Query parameters of a database URL that carry a password (libpq reads `password=`).
_PASSWORD_PARAMETERS = frozenset({"password"})
DEFAULT_CONCURRENCY = 8  # CHANNEL_CONCURRENCY


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the key."""


def url_passwords(url: str) -> tuple[str, ...]:
    """The passwords a URL carries (after the user name, or as `password=`), as written
    and percent-decoded: each form may turn up in an output."""
    parts = urlsplit(url)
    written = [parts.password or ""]
    written += [
        v
        for k, v in parse_qsl(parts.query, keep_blank_values=True, errors="ignore")
        if k.lower() in _PASSWORD_PARAMETERS
    ]
    return tuple(dict.fromkeys(f for w in written if w for f in (w, unquote(w))))


def masked_url(url: str) -> str:
    """`url` with its password replaced by `MASK`: the form of a database URL that may be
    printed or logged (`bot db upgrade`). A URL without a password is returned as it is."""
    # Each part is replaced where it stands: rebuilding the URL (urlunsplit) would
    # change others, e.g. "sqlite:////abs/path" into "sqlite://abs/path".
    parts = urlsplit(url)
    head, mark, query = url.partition("?")
    if parts.password:
        userinfo, _, host = parts.netloc.rpartition("@")
        head = head.replace(parts.netloc, f"{userinfo.partition(':')[0]}:{MASK}@{host}", 1)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(k.lower() in _PASSWORD_PARAMETERS for k, _ in pairs):
        masked = [(k, MASK if k.lower() in _PASSWORD_PARAMETERS else v) for k, v in pairs]
        query = query.replace(parts.query, urlencode(masked, safe="*"), 1)
    return head + mark + query


def read_env_file(path: Path) -> dict[str, str]:
    """The KEY=VALUE pairs of a .env file (none when it does not exist)."""
    if not path.is_file():
        return {}
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def environment() -> dict[str, str]:
    """The project's .env overlaid with the process environment."""
    return {**read_env_file(PROJECT_ROOT / ".env"), **os.environ}


@dataclass(frozen=True)
class NudgeSettings:
    work_start: dt.time = dt.time(8, 0)
    work_end: dt.time = dt.time(17, 0)
    # Reminders this many working days before the deadline; 0 is "on the day".
    remind_before: tuple[int, ...] = (14, 7, 3, 1, 0)
    overdue_every: int = 3  # working days between overdue reminders
    # Overdue reminders stop this many working days after the deadline (0: never);
    # by then both escalations have gone out and the digests keep listing it.
    overdue_stop_after: int = 60
    escalate_manager_after: int = 5  # working days overdue: the agency's managers
    escalate_province_after: int = 10  # working days overdue: UBND tỉnh's managers
    province_agency: str = "ubnd_tinh"
    # Who drafts a directive's quarterly report when none of its duties says who reports
    # to UBND tỉnh every quarter (`Catalog.quarterly_reporter`).
    quarterly_agency: str = "sttt"
    # A reminder missed while the scheduler was down is still sent this many working
    # days later; older ones are superseded by the next step of the ladder.
    catch_up_days: int = 2
    # Recurring duties. Quarterly: report due on the Nth working day after the quarter
    # ends (0: the quarter's last day). Annual (budget proposals): this day each year.
    quarterly_workdays_after: int = 5
    annual_due: tuple[int, int] = (7, 15)  # (month, day)
    # Continuous duties: a check-in every N months (0: none), sent N working days
    # before the period's last working day.
    checkin_months: int = 1
    checkin_before: int = 3
    # Weekly digest for managers: ISO weekday (1 = Monday) and time.
    digest_weekday: int = 1
    digest_time: dt.time = dt.time(8, 0)
    # Delivery.
    send_rate: float = 30.0  # messages per second, overall (Telegram: ~30)
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    lease_seconds: float = 300.0
    max_attempts: int = 8
    backoff_base: float = 5.0  # seconds; doubled at every attempt
    backoff_cap: float = 3600.0
    # Sends under way at once, per channel: the most a crash can send twice (the
    # platform took them, the process died before recording it). 4 keep 30/s up to
    # a ~130 ms round trip to the platform.
    sends_in_flight: int = 4
    # Rows claimed at a time (at most half again wait in memory, besides one per
    # worker: twice `sends_in_flight`). Rows a dead process held wait for their lease
    # to end, so few are held.
    batch_size: int = 10
    tick_seconds: float = 60.0
    # `bot run` schedules nudges and digests; NUDGES=off for a second bot process
    # on the same database (exactly one scheduler per database).
    enabled: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NudgeSettings:
        if environ is None:
            environ = environment()
        values: dict[str, object] = {}

        def get(key: str) -> str | None:
            value = environ.get(key)
            return value.strip() if value and value.strip() else None

        try:
            if (v := get("WORK_HOURS")) is not None:  # "08:00-17:00"
                start, _, end = v.partition("-")
                values["work_start"] = dt.time.fromisoformat(start.strip())
                values["work_end"] = dt.time.fromisoformat(end.strip())
            if (v := get("NUDGE_REMIND_BEFORE")) is not None:  # "14,7,3,1,0"
                values["remind_before"] = tuple(
                    sorted({int(x) for x in v.split(",")}, reverse=True)
                )
            for key, name in (
                ("NUDGE_OVERDUE_EVERY", "overdue_every"),
                ("NUDGE_OVERDUE_STOP_AFTER", "overdue_stop_after"),
                ("NUDGE_ESCALATE_MANAGER_AFTER", "escalate_manager_after"),
                ("NUDGE_ESCALATE_PROVINCE_AFTER", "escalate_province_after"),
                ("NUDGE_CATCH_UP_DAYS", "catch_up_days"),
                ("NUDGE_QUARTERLY_WORKDAYS_AFTER", "quarterly_workdays_after"),
                ("NUDGE_CHECKIN_MONTHS", "checkin_months"),
                ("NUDGE_CHECKIN_BEFORE", "checkin_before"),
                ("DIGEST_WEEKDAY", "digest_weekday"),
                ("NUDGE_MAX_ATTEMPTS", "max_attempts"),
                ("NUDGE_SENDS_IN_FLIGHT", "sends_in_flight"),
            ):
                if (v := get(key)) is not None:
                    values[name] = int(v)
            for key, name in (
                ("NUDGE_SEND_RATE", "send_rate"),
                ("NUDGE_TICK_SECONDS", "tick_seconds"),
                ("NUDGE_LEASE_SECONDS", "lease_seconds"),
            ):
                if (v := get(key)) is not None:
                    values[name] = float(v)
            if (v := get("NUDGES")) is not None:
                if v.lower() not in ("on", "off", "1", "0", "true", "false"):
                    raise ValueError(f"NUDGES must be on or off, not {v!r}")
                values["enabled"] = v.lower() in ("on", "1", "true")
            if (v := get("NUDGE_PROVINCE_AGENCY")) is not None:
                values["province_agency"] = v
            if (v := get("NUDGE_QUARTERLY_AGENCY")) is not None:
                values["quarterly_agency"] = v
            if (v := get("NUDGE_ANNUAL_DUE")) is not None:  # "07-15"
                month, _, day = v.partition("-")
                dt.date(2000, int(month), int(day))  # validates
                values["annual_due"] = (int(month), int(day))
            if (v := get("DIGEST_TIME")) is not None:
                values["digest_time"] = dt.time.fromisoformat(v)
        except ValueError as error:
            raise ConfigError(f"invalid scheduler setting: {error}") from None
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.work_start >= settings.work_end:
            raise ConfigError("WORK_HOURS: the start must be before the end")
        if not 1 <= settings.digest_weekday <= 7:
            raise ConfigError("DIGEST_WEEKDAY must be 1 (Monday) .. 7 (Sunday)")
        if settings.overdue_every < 1:
            raise ConfigError("NUDGE_OVERDUE_EVERY must be at least 1")
        if settings.sends_in_flight < 1:
            raise ConfigError("NUDGE_SENDS_IN_FLIGHT must be at least 1")
        return settings


def _port(environ: Mapping[str, str], key: str, default: int) -> int:
    port = _positive_int(environ, key, default)
    if port > 65535:
        raise ConfigError(f"{key} must be a TCP port, not {port}")
    return port


def _positive_int(environ: Mapping[str, str], key: str, default: int) -> int:
    value = environ.get(key) or str(default)
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        raise ConfigError(f"{key} must be a positive whole number, not {value!r}")
    return int(value)


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class ImportLimits:
    """Bounds on a content file (FAQ, duties) an admin imports, in chat or on the command
    line: a file past one is refused with the reason, before it is parsed where possible
    (the size, an .xlsx's unpacked size and compression ratio) or as soon as it is seen
    (rows, a CSV cell). A file sent in chat is not even downloaded when the channel says
    it is bigger than `max_bytes`."""

    max_bytes: int = 2_000_000  # IMPORT_MAX_BYTES: the file as sent
    # IMPORT_MAX_UNPACKED_BYTES: an .xlsx (a zip of XML) uncompressed, all members
    # together; openpyxl reads ~5 MB of XML a second, so this bounds an import's time.
    max_unpacked_bytes: int = 10_000_000
    # IMPORT_MAX_RATIO: unpacked / packed size of an .xlsx; a real sheet is ~3-35,
    # a "zip bomb" hundreds or thousands.
    max_ratio: int = 100
    # IMPORT_MAX_ROWS: records after the header. The FAQ has tens of entries, the pack
    # tens of duties; applying a row takes ~1.2 ms, and on SQLite other users' writes
    # wait for the import's transaction, so this also bounds that wait (~1 s).
    max_rows: int = 1_000
    # IMPORT_MAX_CELL_CHARS: characters in one CSV cell (Python's own default; the
    # longest field the FAQ accepts, an answer, is 3,000).
    max_cell_chars: int = 131_072

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ImportLimits:
        return cls(
            max_bytes=_positive_int(environ, "IMPORT_MAX_BYTES", cls.max_bytes),
            max_unpacked_bytes=_positive_int(
                environ, "IMPORT_MAX_UNPACKED_BYTES", cls.max_unpacked_bytes
            ),
            max_ratio=_positive_int(environ, "IMPORT_MAX_RATIO", cls.max_ratio),
            max_rows=_positive_int(environ, "IMPORT_MAX_ROWS", cls.max_rows),
            max_cell_chars=_positive_int(environ, "IMPORT_MAX_CELL_CHARS", cls.max_cell_chars),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    templates_dir: Path
    nlu_backend: str
    rasa_url: str
    rasa_timeout: float
    telegram_token: str
    log_level: str
    # Webhook mode when the public URL is set (else long polling); the secret is required
    # then. Served on the HTTP listener (WEB_LISTEN:WEB_PORT) with Zalo's and the portal.
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    # Another Bot API server (self-hosted, or a fake in tests), e.g. http://127.0.0.1:8081/bot
    telegram_base_url: str = ""
    # Zalo Bot Platform ("Zalo Bot Manager"): the bot's token, and another API server
    # (a proxy, or the fake in tests).
    zalo_token: str = ""
    zalo_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_message_limit: int = 2000  # characters per message (Zalo's documented limit)
    # Webhook mode when the public URL is set (else long polling); the secret is required
    # then: Zalo sends it in X-Bot-Api-Secret-Token with every update.
    zalo_webhook_url: str = ""
    zalo_webhook_secret: str = ""
    # The project's one HTTP listener (webhooks), behind the deployment's reverse proxy.
    web_listen: str = "127.0.0.1"
    web_port: int = 8080
    # Where users reach that listener (https://tro-ly.example.gov.vn): files sent on Zalo
    # are links under it. Empty: the origin of ZALO_WEBHOOK_URL, if that is set.
    web_public_url: str = ""
    file_link_hours: int = 24  # how long a file's download link works
    # The largest evidence file (a report's photo or document) a channel fetches and
    # keeps: Telegram's Bot API hands bots files up to 20 MB.
    evidence_max_bytes: int = 20_000_000
    # Updates a channel handles at once (different users; each user's and chat's in
    # order), so that one user's slow update (an import) holds up nobody else.
    channel_concurrency: int = DEFAULT_CONCURRENCY
    # Fitted NLU models and retrieval indexes, kept between runs (nlu/cache.py).
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"
    nudges: NudgeSettings = field(default_factory=NudgeSettings)
    imports: ImportLimits = field(default_factory=ImportLimits)

    @property
    def public_url(self) -> str:
        """The listener's public address ("" when unknown: no file links then)."""
        if self.web_public_url:
            return self.web_public_url.rstrip("/")
        if self.zalo_webhook_url:
            parts = urlsplit(self.zalo_webhook_url)
            return f"{parts.scheme}://{parts.netloc}"
        return ""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values no output may show (tokens, webhook secrets, the database password)."""
        values = (
            self.telegram_token,
            self.telegram_webhook_secret,
            self.zalo_token,
            self.zalo_webhook_secret,
            *url_passwords(self.database_url),
        )
        return tuple(v for v in values if len(v) >= 4)

    def __repr__(self) -> str:
        """The fields, secrets masked: a settings object shows up in tracebacks and in
        test reports (inside the assistant's own repr)."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["database_url"] = masked_url(self.database_url)
        text = ", ".join(f"{name}={value!r}" for name, value in shown.items())
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return f"Settings({text})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        if environ is None:
            environ = environment()
        default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'assistant.db'}"
        backend = environ.get("NLU_BACKEND", "builtin")
        if backend not in NLU_BACKENDS:
            raise ConfigError(
                f"NLU_BACKEND must be one of {', '.join(NLU_BACKENDS)}, not {backend!r}"
            )
        try:
            rasa_timeout = float(environ.get("RASA_TIMEOUT", "2.0"))
        except ValueError as error:
            raise ConfigError(f"RASA_TIMEOUT must be a number of seconds: {error}") from None
        public_url = environ.get("WEB_PUBLIC_URL", "")
        if public_url and not _is_web_address(public_url):
            raise ConfigError(f"WEB_PUBLIC_URL must be an http(s):// address, not {public_url!r}")
        return cls(
            database_url=environ.get("DATABASE_URL") or default_db,
            data_dir=Path(environ.get("DATA_DIR") or PROJECT_ROOT / "data"),
            templates_dir=Path(environ.get("TEMPLATES_DIR") or PROJECT_ROOT / "templates"),
            nlu_backend=backend,
            rasa_url=environ.get("RASA_URL", "http://127.0.0.1:5005"),
            rasa_timeout=rasa_timeout,
            telegram_token=environ.get("TELEGRAM_BOT_TOKEN", ""),
            log_level=environ.get("LOG_LEVEL", "WARNING").strip().upper(),
            telegram_webhook_url=environ.get("TELEGRAM_WEBHOOK_URL", ""),
            telegram_webhook_secret=environ.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_base_url=environ.get("TELEGRAM_BASE_URL", ""),
            zalo_token=environ.get("ZALO_BOT_TOKEN", ""),
            zalo_base_url=environ.get("ZALO_BASE_URL") or "https://bot-api.zaloplatforms.com",
            zalo_message_limit=_positive_int(environ, "ZALO_MESSAGE_LIMIT", 2000),
            zalo_webhook_url=environ.get("ZALO_WEBHOOK_URL", ""),
            zalo_webhook_secret=environ.get("ZALO_WEBHOOK_SECRET", ""),
            web_listen=environ.get("WEB_LISTEN") or "127.0.0.1",
            web_port=_port(environ, "WEB_PORT", 8080),
            web_public_url=public_url,
            file_link_hours=_positive_int(environ, "FILE_LINK_HOURS", 24),
            evidence_max_bytes=_positive_int(environ, "EVIDENCE_MAX_BYTES", 20_000_000),
            channel_concurrency=_positive_int(environ, "CHANNEL_CONCURRENCY", DEFAULT_CONCURRENCY),
            cache_dir=Path(environ.get("CACHE_DIR") or PROJECT_ROOT / "var" / "cache"),
            nudges=NudgeSettings.from_env(environ),
            imports=ImportLimits.from_env(environ),
        )
