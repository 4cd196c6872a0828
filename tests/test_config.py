"""One settings object: embedded defaults, the environment, and a .env file read as a
shell would read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ImportLimits, NudgeSettings, Settings, read_env_file


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
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_PORT"):
        Settings.from_env({"TELEGRAM_WEBHOOK_PORT": "http"})


def test_log_level_and_ports_are_read_forgivingly_or_refused_by_name() -> None:
    assert Settings.from_env({"LOG_LEVEL": " info "}).log_level == "INFO"
    with pytest.raises(ConfigError, match="WEB_PORT"):
        Settings.from_env({"WEB_PORT": "70000"})
