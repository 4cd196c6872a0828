"""One frozen Settings object, read once from the environment (and an optional .env).

Every key has an embedded default that runs the assistant offline on SQLite, so
the console works with nothing set. Tests pass their own mapping.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NLU_BACKENDS = ("builtin", "rasa")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the key."""


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; '#' comments and blank lines ignored; quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


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
    # Webhook mode when the public URL is set (else long polling); the secret is required then.
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    # Another Bot API server (self-hosted, or a fake in tests), e.g. http://127.0.0.1:8081/bot
    telegram_base_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        if environ is None:
            environ = {**read_env_file(PROJECT_ROOT / ".env"), **os.environ}
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
        webhook_port = environ.get("TELEGRAM_WEBHOOK_PORT", "8443")
        port_ok = webhook_port.isascii() and webhook_port.isdigit()
        if not port_ok or not 0 < int(webhook_port) < 65536:
            raise ConfigError(f"TELEGRAM_WEBHOOK_PORT must be a TCP port, not {webhook_port!r}")
        return cls(
            database_url=environ.get("DATABASE_URL") or default_db,
            data_dir=Path(environ.get("DATA_DIR") or PROJECT_ROOT / "data"),
            templates_dir=Path(environ.get("TEMPLATES_DIR") or PROJECT_ROOT / "templates"),
            nlu_backend=backend,
            rasa_url=environ.get("RASA_URL", "http://127.0.0.1:5005"),
            rasa_timeout=rasa_timeout,
            telegram_token=environ.get("TELEGRAM_BOT_TOKEN", ""),
            log_level=environ.get("LOG_LEVEL", "WARNING"),
            telegram_webhook_url=environ.get("TELEGRAM_WEBHOOK_URL", ""),
            telegram_webhook_secret=environ.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_webhook_listen=environ.get("TELEGRAM_WEBHOOK_LISTEN") or "127.0.0.1",
            telegram_webhook_port=int(webhook_port),
            telegram_base_url=environ.get("TELEGRAM_BASE_URL", ""),
        )
