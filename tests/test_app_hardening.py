"""The endpoint under bad input, over real HTTP: size limits however the body is sent, one log line per
refusal without a traceback, and floods of identical refusals rate-limited in the log."""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
from collections.abc import Iterator

import pytest
from footwork.core import load_catalog
from footwork.skill import create_app
from footwork.skill.app import MAX_BODY_BYTES, MAX_JSON_DEPTH
from footwork.skill.dev.envelopes import Conversation
from footwork.skill.log_limits import RepeatLimiter
from live_server import LiveServer, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("hardening") / "footwork.sqlite3"
    config = {"FOOTWORK_VERIFY": False, "FOOTWORK_DB": str(database), "FOOTWORK_CATALOG": load_catalog()}
    app = create_app(config)
    with serve(app) as live:
        yield live


def launch_bytes(**extra: object) -> bytes:
    envelope = Conversation().launch()
    envelope.update(extra)
    return json.dumps(envelope).encode()


def post_chunked(server: LiveServer, body: bytes, chunk: int = 8192) -> tuple[int, dict]:
    url = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        connection.putrequest("POST", "/alexa")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.putheader("Content-Type", "application/json")
        connection.endheaders()
        try:
            for start in range(0, len(body), chunk):
                part = body[start : start + chunk]
                connection.send(b"%x\r\n%s\r\n" % (len(part), part))
            connection.send(b"0\r\n\r\n")
        except OSError:  # the server may answer and close before the whole body is sent
            pass
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def refusal_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "footwork.skill" and r.levelno >= logging.WARNING]


# --- bodies ----------------------------------------------------------------------------------------


def test_chunked_body_over_the_limit_is_refused_with_413(server: LiveServer) -> None:
    body = launch_bytes()
    oversize = body[:-1] + b" " * (MAX_BODY_BYTES + 1) + b"}"
    status, answer = post_chunked(server, oversize)
    assert status == 413, answer
    assert "body too large" in answer["error"]


def test_chunked_body_within_the_limit_is_answered(server: LiveServer) -> None:
    status, answer = post_chunked(server, launch_bytes())
    assert status == 200, answer
    assert answer["version"] == "1.0"


def test_chunked_body_of_exactly_the_limit_is_not_refused_for_size(server: LiveServer) -> None:
    body = launch_bytes()
    exact = body[:-1] + b" " * (MAX_BODY_BYTES - len(body)) + b"}"
    assert len(exact) == MAX_BODY_BYTES
    status, answer = post_chunked(server, exact)
    assert status == 200, answer


def test_content_length_over_the_limit_is_refused_with_413(server: LiveServer) -> None:
    reply = server.post("/alexa", b" " * (MAX_BODY_BYTES + 1))
    assert reply.status == 413
    assert "body too large" in reply.json["error"]


# --- logs ------------------------------------------------------------------------------------------


def test_integer_of_five_thousand_digits_is_one_log_line_without_traceback(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = launch_bytes()[:-1] + b', "n": ' + b"7" * 5000 + b"}"
    with caplog.at_level(logging.WARNING, logger="footwork.skill"):
        reply = server.post("/alexa", body)
    assert reply.status == 400
    assert "body is not JSON" in reply.json["error"] and "5000 digits" in reply.json["error"]
    records = refusal_records(caplog)
    assert len(records) == 1
    assert records[0].exc_info is None
    assert "5000 digits" in records[0].getMessage()


def test_deep_nesting_is_refused_with_one_log_line_without_traceback(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    deep: object = []
    for _ in range(900):  # shallow enough for json.loads, deep enough to exhaust the SDK's recursion
        deep = [deep]
    envelope = Conversation().launch()
    envelope["session"]["attributes"] = {"place": deep}
    with caplog.at_level(logging.WARNING, logger="footwork.skill"):
        reply = server.post("/alexa", json.dumps(envelope).encode())
    assert reply.status == 400
    assert reply.json["error"] == f"body is nested more than {MAX_JSON_DEPTH} levels deep"
    records = refusal_records(caplog)
    assert len(records) == 1 and records[0].exc_info is None


def test_identical_refusals_are_logged_once(server: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    body = b'{"request": "flood test"}'
    with caplog.at_level(logging.WARNING, logger="footwork.skill"):
        for _ in range(200):
            assert server.post("/alexa", body).status == 400
    lines = [r.getMessage() for r in refusal_records(caplog) if "request is missing" in r.getMessage()]
    assert len(lines) <= 1, lines


def test_repeat_limiter_tells_how_many_lines_it_dropped() -> None:
    now = [0.0]
    limiter = RepeatLimiter(window=60, cap=3, clock=lambda: now[0])
    assert limiter.allow("a") == 0
    assert [limiter.allow("a") for _ in range(5)] == [None] * 5
    assert limiter.allow("b") == 5  # the next line written says five were dropped before it
    assert limiter.suffix(5) == " (5 similar log lines dropped before this one)"
    assert limiter.allow("c") == 0
    assert limiter.allow("d") is None, "over the cap of three lines per window"
    now[0] = 60.0
    assert limiter.allow("a") == 1, "a new window: the line is written again, with the count"
