"""POST /alexa is answered in front of Flask, exactly as Flask's own view for the path answers it.

``AlexaEndpoint`` (``app.wsgi_app``) answers the skill's POSTs from the WSGI environ; Flask's view for
the same path calls the same function. Each test sends one request both ways (``Flask.wsgi_app`` is
Flask's own request handling, reaching the view) and requires the same status, headers and bytes.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import signed_requests
from flask import Flask
from footwork.core import Catalog, load_catalog
from footwork.skill.app import create_app
from footwork.skill.dev.envelopes import Conversation, SlotValue
from footwork.skill.endpoint import MAX_BODY_BYTES, MAX_JSON_DEPTH, AlexaEndpoint
from werkzeug.test import EnvironBuilder

Answer = tuple[str, list[tuple[str, str]], bytes]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _app(tmp_path: Path, catalog: Catalog, name: str, **config: Any) -> Flask:
    settings = {"FOOTWORK_VERIFY": False, "FOOTWORK_DEV": False, "FOOTWORK_CATALOG": catalog,
                "FOOTWORK_DB": str(tmp_path / f"{name}.sqlite3"), **config}
    return create_app(settings)


def _environ(body: bytes, headers: dict[str, str] | None = None,
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A WSGI environ for POST /alexa with ``body``; ``extra`` replaces environ keys as given."""
    environ: dict[str, Any] = EnvironBuilder(path="/alexa", method="POST", data=body,
                                             headers=list((headers or {}).items()),
                                             content_type="application/json").get_environ()
    environ.update(extra or {})
    return environ


def _call(wsgi: Any, environ: dict[str, Any]) -> Answer:
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started.append((status, headers))

    chunks: Iterable[bytes] = wsgi(environ, start_response)
    body = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    status, headers = started[0]
    return status, list(headers), body


def _through_flask(app: Flask, environ: dict[str, Any]) -> Answer:
    """Flask's own request handling, which reaches the view for POST /alexa."""
    return _call(lambda env, start: Flask.wsgi_app(app, env, start), environ)


def _in_front(app: Flask, environ: dict[str, Any]) -> Answer:
    assert isinstance(app.wsgi_app, AlexaEndpoint)
    return _call(app.wsgi_app, environ)


def _same(app: Flask, make_environ: Any) -> Answer:
    """One request both ways into the same app (it must change nothing stored); the common answer."""
    front, flask = _in_front(app, make_environ()), _through_flask(app, make_environ())
    assert front == flask
    return front


def test_the_skills_posts_never_reach_flasks_request_handling(tmp_path: Path, catalog: Catalog) -> None:
    app = _app(tmp_path, catalog, "app")
    seen: list[str] = []
    app.before_request(lambda: seen.append("flask"))  # runs for every request Flask handles
    client = app.test_client()
    launch = Conversation().launch()
    assert client.post("/alexa", json=launch).status_code == 200
    assert seen == []
    assert client.get("/healthz").status_code == 200
    assert seen == ["flask"]


def test_other_methods_and_paths_are_flasks(tmp_path: Path, catalog: Catalog) -> None:
    app = _app(tmp_path, catalog, "app")
    client = app.test_client()
    assert client.get("/alexa").status_code == 405
    assert client.get("/alexa").get_json() == {"error": "method not allowed"}
    assert client.post("/alexa/", json={}).status_code == 404
    assert client.post("/healthz", json={}).status_code == 405
    assert "POST" in client.options("/alexa").headers["Allow"]


def test_whole_conversations_get_the_same_bytes_in_front_of_flask_and_through_it(
    tmp_path: Path, catalog: Catalog
) -> None:
    front, flask = _app(tmp_path, catalog, "front"), _app(tmp_path, catalog, "flask")
    talk = Conversation()
    routine = catalog.routines[0]
    requests = [talk.launch(), talk.intent("StartRoutineIntent", {
        "routine": SlotValue(routine.title, routine.id, routine.title), "level": None})]
    requests += [talk.intent("AMAZON.NextIntent", None) for _ in range(4)]
    requests += [talk.intent("AMAZON.RepeatIntent", None), talk.intent("AMAZON.StopIntent", None)]
    for request in requests:
        body = json.dumps(request).encode()
        answers = _in_front(front, _environ(body)), _through_flask(flask, _environ(body))
        assert answers[0] == answers[1]
        status, headers, data = answers[0]
        assert status == "200 OK"
        assert headers == [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        talk.receive(json.loads(data))  # the next request carries the session this answer set


@pytest.mark.parametrize("name", signed_requests.params())
def test_every_recorded_request_is_verified_and_answered_alike_both_ways(
    name: str, tmp_path: Path, catalog: Catalog
) -> None:
    recorded = signed_requests.load(name)
    apps = [_app(tmp_path, catalog, side, FOOTWORK_VERIFY=True, FOOTWORK_SKILL_ID="any",
                 FOOTWORK_VERIFIER=recorded.verifier()) for side in ("front", "flask")]
    for _ in range(2):  # a new person, then a known one
        front = _in_front(apps[0], _environ(recorded.body, headers=recorded.headers))
        flask = _through_flask(apps[1], _environ(recorded.body, headers=recorded.headers))
        assert front == flask
        assert front[0] == "200 OK"
    tampered = recorded.body.replace(b'"', b" ", 1)
    status, _, body = _same(apps[0], lambda: _environ(tampered, headers=recorded.headers))
    assert status == "400 BAD REQUEST"
    assert json.loads(body)["error"].startswith("verification failed: ")


def _deep(levels: int) -> bytes:
    return b'{"request": {"type": "LaunchRequest"}, "x": ' + b"[" * levels + b"]" * levels + b"}"


REFUSALS: dict[str, tuple[bytes, dict[str, Any], str]] = {
    "not JSON": (b"{nope", {}, "body is not JSON: Expecting property name enclosed in double quotes"),
    "not UTF-8": (b'{"a": "\xff"}', {}, "body is not JSON: 'utf-8' codec can't decode byte 0xff"),
    "an array": (b"[]", {}, "body is not a JSON object"),
    "no request": (b"{}", {}, "request is missing"),
    "no request type": (b'{"request": {}}', {}, "request.type is missing"),
    "no context": (b'{"request": {"type": "LaunchRequest"}}', {}, "context.System is missing"),
    "too deep": (_deep(MAX_JSON_DEPTH + 1), {}, f"body is nested more than {MAX_JSON_DEPTH} levels deep"),
    "empty": (b"", {}, "body is not JSON: Expecting value"),
    "length not a number": (b"{}", {"CONTENT_LENGTH": "2x"}, "Content-Length header is not a whole number"),
    "negative length": (b"{}", {"CONTENT_LENGTH": "-2"}, "Content-Length header is not a whole number"),
    "shorter than its length": (b"{}", {"CONTENT_LENGTH": "10"}, "body ended after 2 of the 10 bytes"),
    "no length, no end": (b"{}", {"CONTENT_LENGTH": ""}, "body is not JSON: Expecting value"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_bad_requests_are_refused_alike_both_ways_with_their_reason(
    case: str, tmp_path: Path, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    body, extra, reason = REFUSALS[case]
    app = _app(tmp_path, catalog, "app")
    with caplog.at_level(logging.WARNING, logger="footwork.skill"):
        status, headers, answer = _same(app, lambda: _environ(body, extra=extra))
    assert status == "400 BAD REQUEST"
    assert ("Content-Type", "application/json") in headers
    assert json.loads(answer)["error"].startswith(reason)
    assert answer.endswith(b"\n")
    assert all(record.exc_info is None for record in caplog.records)  # one line, no traceback
    assert any(reason in record.getMessage() for record in caplog.records)


def test_a_body_over_the_limit_is_refused_unread_with_413(tmp_path: Path, catalog: Catalog) -> None:
    app = _app(tmp_path, catalog, "app")
    never_read = io.BytesIO(b"")  # reading it would give too little: a refusal for size proves it unread
    status, _, answer = _same(app, lambda: _environ(
        b"", extra={"CONTENT_LENGTH": str(MAX_BODY_BYTES + 1), "wsgi.input": never_read}))
    assert status == "413 REQUEST ENTITY TOO LARGE"
    too_large = f"body too large: {MAX_BODY_BYTES + 1} bytes (limit {MAX_BODY_BYTES})"
    assert json.loads(answer) == {"error": too_large}


def test_a_chunked_body_is_read_to_one_byte_past_the_limit_and_no_further(
    tmp_path: Path, catalog: Catalog
) -> None:
    app = _app(tmp_path, catalog, "app")
    streams: list[io.BytesIO] = []

    def chunked() -> dict[str, Any]:
        streams.append(io.BytesIO(b" " * (3 * MAX_BODY_BYTES)))
        return _environ(b"", extra={"CONTENT_LENGTH": None, "HTTP_TRANSFER_ENCODING": "chunked",
                                    "wsgi.input_terminated": True, "wsgi.input": streams[-1]})

    status, _, answer = _same(app, chunked)
    assert status == "413 REQUEST ENTITY TOO LARGE"
    assert json.loads(answer) == {"error": f"body too large: chunked body (limit {MAX_BODY_BYTES})"}
    assert [stream.tell() for stream in streams] == [MAX_BODY_BYTES + 1] * 2


def test_a_failure_of_the_skill_is_a_400_naming_its_class_and_logged_with_its_traceback(
    tmp_path: Path, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(tmp_path, catalog, "app")

    class Broken:
        def invoke(self, **_: Any) -> Any:
            raise RuntimeError("a bug of ours")

    app.extensions["footwork"].skill = Broken()
    launch = json.dumps(Conversation().launch()).encode()
    with caplog.at_level(logging.ERROR, logger="footwork.skill"):
        status, _, answer = _same(app, lambda: _environ(launch))
    assert status == "400 BAD REQUEST"
    assert json.loads(answer) == {"error": "request could not be handled: RuntimeError"}
    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert failures  # a repeat within the log limiter's window is counted, not logged again
    assert all(record.getMessage().startswith("skill failed") for record in failures)
    assert all(record.exc_info is not None for record in failures)


def test_a_wsgi_server_gets_answers_to_the_skill_before_flask_is_imported(tmp_path: Path) -> None:
    import subprocess
    import sys
    import textwrap

    # As a gunicorn worker: import footwork.skill.wsgi, call its app; then a health check.
    program = textwrap.dedent("""
        import io, json, sys
        from footwork.skill.dev.envelopes import Conversation
        from footwork.skill.wsgi import app
        def call(method, path, body=b""):
            environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
                       "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                       "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
                       "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                       "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
                       "wsgi.run_once": False}
            started = []
            data = b"".join(app(environ, lambda status, headers, exc_info=None: started.append(status)))
            return started[0], json.loads(data)
        status, answer = call("POST", "/alexa", json.dumps(Conversation().launch()).encode())
        flask_after_answer = "flask" in sys.modules
        health = call("GET", "/healthz")
        print(json.dumps([status, "outputSpeech" in answer["response"], flask_after_answer,
                          health[0], health[1]["status"], len(health[1]["packs"])]))
    """)
    env = {**os.environ, "FOOTWORK_VERIFY": "0", "FOOTWORK_DEV": "0",
           "FOOTWORK_DB": str(tmp_path / "footwork.sqlite3")}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == ["200 OK", True, False, "200 OK", "ok", 4]
