"""``footwork serve`` must not leak: 2,000 requests under a low descriptor limit, descriptors flat.

Werkzeug's development server runs each request on a new thread; the SQLite store used to open a
connection per thread and keep every one (two descriptors a request), so from about request 500 under
``ulimit -n 1024`` every answer was "Sorry, something went wrong".
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from footwork.skill.envelopes import Conversation
from store_servers import free_port

pytestmark = pytest.mark.slow

FOOTWORK = Path(sys.executable).with_name("footwork")
LIMIT = 256


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def post(port: int, payload: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/alexa", body=json.dumps(payload),
                           headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_two_thousand_requests_through_footwork_serve_keep_the_descriptor_count_flat(tmp_path: Path
                                                                                    ) -> None:
    port = free_port()
    env = {**os.environ, "FOOTWORK_SKILL_ID": "any"}
    env.pop("FOOTWORK_DB", None)

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))

    server = subprocess.Popen([str(FOOTWORK), "serve", "--dev", "--port", str(port), "--db",
                               str(tmp_path / "footwork.sqlite3")], env=env, preexec_fn=low_limit,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "footwork serve exited"
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                probe.close()
                break
            except OSError:
                assert time.monotonic() < deadline, "footwork serve did not start"
                time.sleep(0.2)
        people = [Conversation() for _ in range(20)]
        failures: list[str] = []
        counts: list[int] = []
        for n in range(2000):
            status, answer = post(port, people[n % 20].launch())
            if status != 200 or "went wrong" in json.dumps(answer):
                failures.append(f"request {n}: {status} {str(answer)[:120]}")
            if n == 100:
                warm = descriptors(server.pid)
            if n % 250 == 0:
                counts.append(descriptors(server.pid))
        final = descriptors(server.pid)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    assert not failures, f"{len(failures)} failures, e.g. {failures[:3]}"
    assert final - warm <= 10, f"descriptors grew from {warm} to {final} ({counts})"
    print(f"\ndescriptors after 100 requests: {warm}, after 2,000: {final}; samples {counts}")
