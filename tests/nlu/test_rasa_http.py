"""RasaNlu against a tiny real HTTP server on 127.0.0.1 that answers like Rasa (no Rasa needed)."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from nlu.engine import BuiltinNlu, Lexicon, Parse
from nlu.rasa_http import RasaNlu, read_rasa_answer
from nlu.training_data import Example, TrainingData

TIMEOUT = 0.4
MARGIN = 0.4  # scheduling slack on a busy 2-core CI machine
# For exchanges that must succeed: a healthy answer late on a busy machine is not what
# those tests are about.
PATIENT = 10.0
QUESTION = "Sở Y tế phải báo cáo trước ngày 31/5?"


@dataclass
class Behaviour:
    """What the fake server does next; tests change it between calls."""

    mode: str = "ok"  # ok | status500 | invalid_json | wrong_shape | sleep | trickle
    answer: dict[str, Any] = field(default_factory=dict)
    requests: list[tuple[str, Any]] = field(default_factory=list)


def rasa_answer(intent: str, confidence: float, *others: tuple[str, float]) -> dict[str, Any]:
    ranking = [{"name": intent, "confidence": confidence}]
    ranking += [{"name": n, "confidence": c} for n, c in others]
    return {
        "text": "...",
        "intent": {"name": intent, "confidence": confidence},
        "entities": [{"entity": "agency", "value": "Sở Y tế", "start": 0, "end": 7}],
        "intent_ranking": ranking,
    }


class FakeRasaServer:
    def __init__(self) -> None:
        self.behaviour = Behaviour(answer=rasa_answer("ask_deadline", 0.91, ("ask_topic", 0.05)))
        behaviour = self.behaviour

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                behaviour.requests.append((self.path, body))
                with contextlib.suppress(OSError):  # the client gave up (timeout tests)
                    self._answer(behaviour)

            def _answer(self, behaviour: Behaviour) -> None:
                if behaviour.mode == "status500":
                    self._send(500, b'{"error": "boom"}')
                elif behaviour.mode == "invalid_json":
                    self._send(200, b"<html>not json")
                elif behaviour.mode == "wrong_shape":
                    self._send(200, json.dumps({"intent": None, "entities": []}).encode())
                elif behaviour.mode == "sleep":
                    time.sleep(TIMEOUT * 5)
                    self._send(200, json.dumps(behaviour.answer).encode())
                elif behaviour.mode == "trickle":  # headers at once, then a byte at a time
                    payload = json.dumps(behaviour.answer).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    for index in range(len(payload)):
                        self.wfile.write(payload[index : index + 1])
                        self.wfile.flush()
                        time.sleep(0.05)
                else:
                    self._send(200, json.dumps(behaviour.answer).encode())

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeRasaServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def builtin() -> BuiltinNlu:
    def examples(intent: str, *texts: str) -> list[Example]:
        return [Example(text, intent) for text in texts]

    training = TrainingData(
        examples=examples("greet", "xin chào", "chào bạn", "hello bot", "chao ban")
        + examples(
            "ask_deadline",
            "hạn báo cáo là khi nào",
            "khi nào phải nộp báo cáo",
            "thời hạn hoàn thành là ngày nào",
            "bao gio het han",
        )
        + examples("out_of_scope", "giá vàng hôm nay", "thời tiết mai thế nào", "kể chuyện cười")
    )
    return BuiltinNlu.fit(training, Lexicon(), names=[("agency", "so_y_te", "Sở Y tế")])


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasaServer]:
    with FakeRasaServer() as server:
        yield server


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


def rasa_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "nlu.rasa_http"]


def test_intent_comes_from_rasa_and_the_rest_from_the_builtin_engine(
    builtin: BuiltinNlu, fake_rasa: FakeRasaServer
) -> None:
    parse = RasaNlu(builtin, fake_rasa.url + "/", PATIENT).parse(QUESTION)
    local = builtin.parse(QUESTION)

    assert fake_rasa.behaviour.requests == [("/model/parse", {"text": QUESTION})]
    assert (parse.intent, parse.confidence, parse.backend) == ("ask_deadline", 0.91, "rasa")
    assert parse.ranking == (("ask_deadline", 0.91), ("ask_topic", 0.05))
    # Tokens, entities and known_share are ours whatever Rasa says.
    assert parse.tokens == local.tokens
    assert parse.entities == local.entities
    assert ("agency", "so_y_te") in [(e.entity, e.value) for e in parse.entities]
    assert parse.known_share == local.known_share
    assert parse.text == QUESTION


def test_rasa_fallback_intent_is_out_of_scope(
    builtin: BuiltinNlu, fake_rasa: FakeRasaServer
) -> None:
    fake_rasa.behaviour.answer = rasa_answer(
        "nlu_fallback", 0.3, ("out_of_scope", 0.28), ("greet", 0.2)
    )
    parse = RasaNlu(builtin, fake_rasa.url, PATIENT).parse("xin chào")
    assert (parse.intent, parse.confidence) == ("out_of_scope", 0.3)
    assert parse.ranking == (("out_of_scope", 0.3), ("greet", 0.2))


def test_a_url_with_a_path_prefix_is_kept(builtin: BuiltinNlu, fake_rasa: FakeRasaServer) -> None:
    RasaNlu(builtin, fake_rasa.url + "/rasa", PATIENT).parse("xin chào")
    assert fake_rasa.behaviour.requests[0][0] == "/rasa/model/parse"


def test_blank_text_is_not_sent(builtin: BuiltinNlu, fake_rasa: FakeRasaServer) -> None:
    parse = RasaNlu(builtin, fake_rasa.url, PATIENT).parse("   ")
    assert parse == builtin.parse("   ")
    assert fake_rasa.behaviour.requests == []


@pytest.mark.parametrize(
    "mode", ["status500", "invalid_json", "wrong_shape", "sleep", "trickle", "port_closed"]
)
def test_failures_fall_back_to_the_builtin_parse_within_the_timeout(
    builtin: BuiltinNlu,
    fake_rasa: FakeRasaServer,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    url = closed_port_url() if mode == "port_closed" else fake_rasa.url
    fake_rasa.behaviour.mode = mode
    engine = RasaNlu(builtin, url, TIMEOUT, retry_after=0)
    caplog.set_level(logging.WARNING, logger="nlu.rasa_http")

    for _ in range(3):
        started = time.monotonic()
        parse = engine.parse(QUESTION)
        elapsed = time.monotonic() - started
        assert parse == builtin.parse(QUESTION)
        assert parse.backend == "builtin"
        assert elapsed < TIMEOUT + MARGIN, f"{mode}: took {elapsed:.2f} s"

    warnings = rasa_warnings(caplog)
    assert len(warnings) == 1, warnings  # one per outage, not one per message
    assert "unavailable" in warnings[0] and url in warnings[0]


def test_recovery_is_logged_once_and_a_new_outage_warns_again(
    builtin: BuiltinNlu, fake_rasa: FakeRasaServer, caplog: pytest.LogCaptureFixture
) -> None:
    engine = RasaNlu(builtin, fake_rasa.url, PATIENT, retry_after=0)
    caplog.set_level(logging.WARNING, logger="nlu.rasa_http")

    assert engine.parse(QUESTION).backend == "rasa"
    assert rasa_warnings(caplog) == []  # a healthy server logs nothing

    fake_rasa.behaviour.mode = "status500"
    assert [engine.parse(QUESTION).backend for _ in range(3)] == ["builtin"] * 3
    fake_rasa.behaviour.mode = "ok"
    assert [engine.parse(QUESTION).backend for _ in range(3)] == ["rasa"] * 3
    fake_rasa.behaviour.mode = "invalid_json"
    assert [engine.parse(QUESTION).backend for _ in range(2)] == ["builtin"] * 2

    messages = rasa_warnings(caplog)
    assert len(messages) == 3, messages
    assert "unavailable" in messages[0] and "HTTP 500" in messages[0]
    assert "answers again" in messages[1]
    assert "unavailable" in messages[2]


def test_a_hung_server_costs_one_timeout_per_retry_period(
    builtin: BuiltinNlu, fake_rasa: FakeRasaServer
) -> None:
    fake_rasa.behaviour.mode = "sleep"
    engine = RasaNlu(builtin, fake_rasa.url, TIMEOUT, retry_after=3600)
    assert engine.parse(QUESTION).backend == "builtin"  # waits for the timeout once
    assert [engine.parse(QUESTION).backend for _ in range(5)] == ["builtin"] * 5
    assert len(fake_rasa.behaviour.requests) == 1  # the next five did not ask Rasa


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"intent": {"name": "greet"}},
        {"intent": {"name": "", "confidence": 0.5}},
        {"intent": {"name": "greet", "confidence": "high"}},
        {"intent": {"name": "greet", "confidence": True}},
        {"intent": {"name": "greet", "confidence": 7.0}},
        {"intent": {"name": "greet", "confidence": 0.9}, "intent_ranking": {"greet": 0.9}},
        {"intent": {"name": "greet", "confidence": 0.9}, "intent_ranking": [None]},
    ],
)
def test_unusable_answers_are_rejected(document: Any) -> None:
    with pytest.raises(ValueError):
        read_rasa_answer(document)


def test_an_answer_without_ranking_ranks_its_intent() -> None:
    answer = read_rasa_answer({"intent": {"name": "greet", "confidence": 1}})
    assert answer == ("greet", 1.0, (("greet", 1.0),))


def test_rasa_nlu_is_an_nlu_engine(builtin: BuiltinNlu) -> None:
    engine = RasaNlu(builtin, "http://127.0.0.1:5005", 1.0)
    parse: Parse = engine.parse("")  # typed as the protocol's return; blank: no request
    assert parse.backend == "builtin"
    with pytest.raises(ValueError):
        RasaNlu(builtin, "127.0.0.1:5005", 1.0)
    with pytest.raises(ValueError):
        RasaNlu(builtin, "http://127.0.0.1:5005", 0)
