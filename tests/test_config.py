"""One settings object: embedded defaults, the environment, and a .env file read as a
shell would read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    ConfigError,
    ImportLimits,
    NudgeSettings,
    Settings,
    masked_url,
    read_env_file,
    url_passwords,
)


def test_defaults_run_offline_on_sqlite() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.nlu_backend == "builtin" and settings.telegram_token == ""
    assert settings.nudges == NudgeSettings()


def test_scheduler_keys_are_part_of_the_one_settings_object() -> None:
    settings = Settings.from_env({"WORK_HOURS": "07:30-16:30", "NUDGES": "off"})
    assert (settings.nudges.work_start.hour, settings.nudges.work_start.minute) == (7, 30)
    assert settings.nudges.enabled is False
    with pytest.raises(ConfigError, match="NUDGES"):
        Settings.from_env({"NUDGES": "maybe"})
    assert Settings.from_env({"NUDGE_SENDS_IN_FLIGHT": "1"}).nudges.sends_in_flight == 1
    with pytest.raises(ConfigError, match="NUDGE_SENDS_IN_FLIGHT"):
        Settings.from_env({"NUDGE_SENDS_IN_FLIGHT": "0"})


def test_import_limits_are_settings() -> None:
    assert Settings.from_env({}).imports == ImportLimits()
    limits = Settings.from_env(
        {
            "IMPORT_MAX_BYTES": "5000000",
            "IMPORT_MAX_UNPACKED_BYTES": "40000000",
            "IMPORT_MAX_RATIO": "200",
            "IMPORT_MAX_ROWS": "20000",
            "IMPORT_MAX_CELL_CHARS": "1000000",
        }
    ).imports
    assert limits == ImportLimits(5_000_000, 40_000_000, 200, 20_000, 1_000_000)
    with pytest.raises(ConfigError, match="IMPORT_MAX_ROWS"):
        Settings.from_env({"IMPORT_MAX_ROWS": "-1"})


def test_env_file_comments_exports_and_quotes(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# a comment\n"
        "TELEGRAM_BOT_TOKEN=123:abc # the bot of the pilot\n"
        "export LOG_LEVEL=INFO\n"
        "DATABASE_URL='postgresql://u:p@h/db'\n"
        'RASA_URL="http://127.0.0.1:5005"\n'
        "\n",
        encoding="utf-8",
    )
    values = read_env_file(env)
    assert values == {
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": "postgresql://u:p@h/db",
        "RASA_URL": "http://127.0.0.1:5005",
    }
    assert read_env_file(tmp_path / "missing.env") == {}


def test_a_bad_value_names_its_key() -> None:
    with pytest.raises(ConfigError, match="WEB_PORT"):
        Settings.from_env({"WEB_PORT": "http"})


def test_log_level_and_ports_are_read_forgivingly_or_refused_by_name() -> None:
    assert Settings.from_env({"LOG_LEVEL": " info "}).log_level == "INFO"
    with pytest.raises(ConfigError, match="WEB_PORT"):
        Settings.from_env({"WEB_PORT": "70000"})


def test_the_public_address_for_file_links() -> None:
    assert Settings.from_env({}).public_url == ""
    hook = {"ZALO_WEBHOOK_URL": "https://tro-ly.bacninh.gov.vn:8443/zalo/hook"}
    assert Settings.from_env(hook).public_url == "https://tro-ly.bacninh.gov.vn:8443"
    chosen = Settings.from_env({**hook, "WEB_PUBLIC_URL": "https://tep.bacninh.gov.vn/"})
    assert chosen.public_url == "https://tep.bacninh.gov.vn"
    assert chosen.file_link_hours == 24
    for bad in ("tep.bacninh.gov.vn", "ftp://x.vn", "https://"):
        with pytest.raises(ConfigError, match="WEB_PUBLIC_URL"):
            Settings.from_env({"WEB_PUBLIC_URL": bad})
    with pytest.raises(ConfigError, match="FILE_LINK_HOURS"):
        Settings.from_env({"FILE_LINK_HOURS": "0"})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://bot:s3cr%40t@db:5432/bot",
            "postgresql+psycopg://bot:***@db:5432/bot",
        ),
        ("postgresql://bot:p@ss@db/bot", "postgresql://bot:***@db/bot"),
        (
            "postgresql://bot@db/bot?password=xyz1&sslmode=require",
            "postgresql://bot@db/bot?password=***&sslmode=require",
        ),
        ("postgresql://bot@db/bot", "postgresql://bot@db/bot"),
        ("sqlite:////var/lib/bot/assistant.db", "sqlite:////var/lib/bot/assistant.db"),
    ],
)
def test_a_database_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert masked_url(url) == shown


def test_settings_know_their_secrets_and_never_show_them() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://bot:s3cr%40t@db/bot",
            "TELEGRAM_BOT_TOKEN": "123456:ABCdef",
            "ZALO_WEBHOOK_SECRET": "webhook-secret",
        }
    )
    # The password as written and as a driver's message would quote it, decoded.
    assert {"s3cr%40t", "s3cr@t", "123456:ABCdef", "webhook-secret"} <= set(settings.secrets)
    shown = repr(settings)
    assert "database_url='postgresql://bot:***@db/bot'" in shown
    assert "telegram_token='***'" in shown and "zalo_webhook_secret='***'" in shown
    assert all(secret not in shown for secret in settings.secrets)
    assert url_passwords("postgresql://db/bot?password=xyz1") == ("xyz1",)
