"""A Rasa NLU backend over HTTP, with the builtin engine underneath.

Rasa Open Source 3.6 runs as its own process (it needs Python < 3.11 and pins that
cannot share our venv; see scripts/rasa_env.sh). It supplies only the intent, its
confidence and the ranking: the Q&A core needs tokens, entities and known_share from
our own normalizer and gazetteer whatever the backend, so those always come from the
builtin parse. When Rasa is down, slow or answers garbage, the builtin parse is used
unchanged, with one warning when that starts and one when Rasa answers again.

Only the standard library: one short POST per message does not justify a client
library, and the project venv has none.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import math
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from nlu.engine import BuiltinNlu, Parse
from nlu.normalize import clean

log = logging.getLogger(__name__)

# Rasa's FallbackClassifier answers this below its threshold; the core calls it out_of_scope.
RASA_FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
MAX_RESPONSE_BYTES = 1 << 20  # a /model/parse answer is a few KB; more is not Rasa
RANKING_SIZE = 5  # as many as the builtin engine keeps
# While Rasa is failing, the builtin engine answers alone for this long before Rasa is
# tried again: one message per period pays the timeout, not every message.
RETRY_AFTER = 30.0


class RasaAnswerError(ValueError):
    """Rasa answered, but not with a usable /model/parse result."""


def map_intent(name: str) -> str:
    """Rasa intent names are ours 1:1, except the fallback intent."""
    return OUT_OF_SCOPE if name == RASA_FALLBACK_INTENT else name


def _confidence(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RasaAnswerError(f"{where}: confidence is not a number: {value!r}")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0 + 1e-6:
        raise RasaAnswerError(f"{where}: confidence out of range: {number!r}")
    return min(number, 1.0)


def _intent(value: Any, where: str) -> tuple[str, float]:
    if not isinstance(value, dict):
        raise RasaAnswerError(f"{where} is not an object")
    name = value.get("name")
    if not isinstance(name, str) or not name:
        raise RasaAnswerError(f"{where}: no intent name")
    return map_intent(name), _confidence(value.get("confidence"), where)


def read_rasa_answer(document: Any) -> tuple[str, float, tuple[tuple[str, float], ...]]:
    """(intent, confidence, ranking) from a /model/parse answer; RasaAnswerError if unusable."""
    if not isinstance(document, dict):
        raise RasaAnswerError("the answer is not a JSON object")
    intent, confidence = _intent(document.get("intent"), "intent")
    raw_ranking = document.get("intent_ranking") or []
    if not isinstance(raw_ranking, list):
        raise RasaAnswerError("intent_ranking is not a list")
    ranking: list[tuple[str, float]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_ranking):
        name, score = _intent(item, f"intent_ranking[{index}]")
        # nlu_fallback and a real out_of_scope both map to out_of_scope: keep the first.
        if name not in seen:
            seen.add(name)
            ranking.append((name, score))
    if not ranking:
        ranking.append((intent, confidence))
    return intent, confidence, tuple(ranking[:RANKING_SIZE])


class RasaNlu:
    """Intent, confidence and ranking from a Rasa server; everything else from `builtin`.

    `parse` never raises and returns within `timeout` seconds (plus the builtin parse
    and a few milliseconds).
    """

    backend = "rasa"

    def __init__(
        self, builtin: BuiltinNlu, url: str, timeout: float, retry_after: float = RETRY_AFTER
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the Rasa URL must be http(s)://host[:port][/path], not {url!r}")
        if not timeout > 0:
            raise ValueError(f"the Rasa timeout must be positive, not {timeout!r}")
        self.builtin = builtin
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._path = parts.path.rstrip("/") + "/model/parse"
        self.retry_after = retry_after
        self._failing = False
        self._retry_at = 0.0  # while failing: when Rasa is asked again (monotonic clock)
        self._state_lock = threading.Lock()

    def parse(self, text: str) -> Parse:
        parse = self.builtin.parse(text)
        if not text.strip():
            return parse  # nothing to classify; Rasa answers no intent at all for it
        if self._failing and time.monotonic() < self._retry_at:
            return parse  # a hung server must not cost every message its timeout
        try:
            # Cleaned and bounded like everything the builtin engine reads: a huge
            # message must not time out and pause Rasa for everyone.
            intent, confidence, ranking = read_rasa_answer(self._post(clean(text)))
        except Exception as error:  # anything at all: the user still gets an answer
            self._note_failure(error)
            return parse
        self._note_success()
        return Parse(
            text=parse.text,
            tokens=parse.tokens,
            intent=intent,
            confidence=confidence,
            ranking=ranking,
            entities=parse.entities,
            known_share=parse.known_share,
            backend=self.backend,
        )

    def _post(self, text: str) -> Any:
        connection: http.client.HTTPConnection
        if self._scheme == "https":
            connection = http.client.HTTPSConnection(self._host, self._port, timeout=self.timeout)
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        # The socket timeout bounds each wait; the watchdog bounds the whole exchange,
        # so a server that answers a byte at a time cannot hold the user up either.
        with _Watchdog(self.timeout) as watchdog:
            try:
                connection.connect()
                watchdog.watch(connection.sock)
                body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
                connection.request(
                    "POST",
                    self._path,
                    body=body,
                    headers={"Content-Type": "application/json", "Accept": "application/json"},
                )
                response = connection.getresponse()
                if response.status != 200:
                    raise RasaAnswerError(f"HTTP {response.status} {response.reason}")
                payload = response.read(MAX_RESPONSE_BYTES + 1)
                if len(payload) > MAX_RESPONSE_BYTES:
                    raise RasaAnswerError(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
                return json.loads(payload.decode("utf-8"))
            finally:
                connection.close()

    def _note_failure(self, error: Exception) -> None:
        with self._state_lock:
            if isinstance(error, OSError | http.client.HTTPException):
                # Unreachable, hung or dropping connections: leave it alone for a while.
                # An unusable answer to one message does not pause it for the others.
                self._retry_at = time.monotonic() + self.retry_after
            if self._failing:
                log.debug("Rasa NLU still unavailable: %r", error)
                return
            self._failing = True
        log.warning(
            "Rasa NLU at %s is unavailable (%s: %s); using the builtin NLU until it answers",
            self.url,
            type(error).__name__,
            error,
        )

    def _note_success(self) -> None:
        with self._state_lock:
            if not self._failing:
                return
            self._failing = False
        # A warning like the failure it ends, so that both show at the same log level.
        log.warning("Rasa NLU at %s answers again; using it", self.url)


class _Watchdog:
    """Shuts a socket down once `seconds` have passed, waking any wait on it."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self._expired:  # connecting took the whole budget
                raise TimeoutError("the Rasa request ran out of time")
            self._sock = sock

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):  # closed in the meantime: over anyway
                sock.shutdown(socket.SHUT_RDWR)
