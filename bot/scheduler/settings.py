"""Scheduler settings: working hours, reminder offsets, escalation, recurrence rules.

Kept apart from `bot.config.Settings` so the scheduler can be configured (and tested)
on its own; read from the same environment (`NUDGE_*`, `WORK_*`, `DIGEST_*`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from bot.config import PROJECT_ROOT, ConfigError, read_env_file


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
    batch_size: int = 200
    tick_seconds: float = 60.0
    # `bot run` schedules nudges and digests; NUDGES=off for a second bot process
    # on the same database (exactly one scheduler per database).
    enabled: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NudgeSettings:
        if environ is None:
            environ = {**read_env_file(PROJECT_ROOT / ".env"), **os.environ}
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
        return settings


@cache
def current() -> NudgeSettings:
    """The settings from the environment, read once (the core's commands use them)."""
    return NudgeSettings.from_env()
