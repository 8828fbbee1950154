"""`footwork serve`, run as a real process: gunicorn without --dev, Werkzeug's server with --dev, and the
development server letting go of oversize uploads that stall instead of draining them."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from footwork.skill.app import MAX_BODY_BYTES

pytestmark = pytest.mark.slow

FOOTWORK = Path(sys.executable).with_name("footwork")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def footwork_serve(tmp_path: Path, *args: str, **settings: str) -> Iterator[tuple[int, Path]]:
    """`footwork serve ARGS` on a free port until /healthz answers; yields (port, log file)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTWORK_")}
    env.update(FOOTWORK_DB=str(tmp_path / "footwork.sqlite3"), **settings)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(FOOTWORK), "serve", "--port", str(port), *args], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"footwork serve exited ({process.returncode}):\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"footwork serve never answered /healthz:\n{log.read_text()}")
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield port, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, dict(answer.headers), answer.read()
    finally:
        connection.close()


def test_serve_without_dev_is_gunicorn_with_verification_on(tmp_path: Path) -> None:
    with footwork_serve(tmp_path, FOOTWORK_SKILL_ID="amzn1.ask.skill.test") as (port, log):
        status, headers, body = get(port, "/healthz")
        assert status == 200
        assert headers["Server"].startswith("gunicorn")
        health = json.loads(body)
        assert health["verification"] == "on" and health["dev"] is False and health["skill_ids"] == 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/alexa", body=b"{}", headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        assert answer.status == 400, "an unsigned request is refused"
        assert json.loads(answer.read())["error"].startswith("verification failed: headers")
        connection.close()


def test_serve_with_verification_off_warns_loudly(tmp_path: Path) -> None:
    with footwork_serve(tmp_path, FOOTWORK_VERIFY="off") as (port, log):
        assert json.loads(get(port, "/healthz")[2])["verification"] == "off"
    text = log.read_text()
    assert "request verification is OFF (FOOTWORK_VERIFY=0) outside development mode" in text
    assert "!!!!!!!!!!" in text


def test_dev_server_lets_go_of_stalled_oversize_uploads(tmp_path: Path) -> None:
    with footwork_serve(tmp_path, "--dev") as (port, log):
        assert get(port, "/healthz")[1]["Server"].startswith("Werkzeug")
        uploads = []
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"POST /alexa HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % (100 * MAX_BODY_BYTES))
            sock.sendall(b" " * (2 * MAX_BODY_BYTES))  # then stall, the rest never sent
            uploads.append(sock)
        for sock in uploads:
            received = b""
            # The server answers 413 and closes: the read ends (EOF) instead of waiting for the upload.
            # A server that held the connection to drain the rest would leave this read to time out.
            while chunk := sock.recv(65536):
                received += chunk
            assert received.startswith(b"HTTP/1.1 413"), received[:200]
            sock.close()
        assert get(port, "/healthz")[0] == 200
