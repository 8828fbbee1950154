"""Footwork under gunicorn with several worker processes sharing one SQLite file, for a minute of load.

Many distinct people each open the skill, start a routine, say "next" and then "stop", from several
client threads at once, against three sync workers (no ``--preload``). Afterwards the database must
hold, for every person, exactly the place the skill last told them: progress written during the run
is never lost or crossed between people. A second run SIGKILLs one worker in the middle of the load:
requests in flight on it may fail (that is what a kill does), gunicorn must replace it, nobody whose
"stop" was answered may lose their saved place, and ``PRAGMA integrity_check`` must say ``ok``.

``FOOTWORK_SOAK_SECONDS`` sets the length of the load (default 60; shorter to iterate locally).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from footwork.core import load_catalog
from footwork.skill.dev.envelopes import Conversation, SlotValue

pytestmark = pytest.mark.slow

SOAK_SECONDS = float(os.environ.get("FOOTWORK_SOAK_SECONDS", "60"))
WORKERS = 3
CLIENTS = 8
GUNICORN = Path(sys.executable).with_name("gunicorn")


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's child processes (its workers), from /proc."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


@dataclass
class Server:
    """A running gunicorn: its master process, port and database file."""

    process: subprocess.Popen[bytes]
    port: int
    database: Path


@contextmanager
def gunicorn(database: Path, workers: int = WORKERS) -> Iterator[Server]:
    """gunicorn serving ``footwork.skill.wsgi:app``, verification off, on a free loopback port."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment (pip install footwork[serve])")
    port = free_port()
    env = {**os.environ, "FOOTWORK_VERIFY": "0", "FOOTWORK_DB": str(database)}
    env.pop("FOOTWORK_DEV", None)
    command = [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "30",
               "--no-control-socket",
               "--graceful-timeout", "10", "--log-level", "warning", "footwork.skill.wsgi:app"]
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"gunicorn exited with {process.returncode}"
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            try:
                status, _ = post(port, "GET", "/healthz", None)
                if status == 200 and len(worker_pids(process.pid)) == workers:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield Server(process, port, database)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post(port: int, method: str, path: str, payload: dict[str, Any] | None) -> tuple[int, Any]:
    """One request on a fresh connection; (status, parsed JSON body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps(payload).encode() if payload is not None else None
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


# --- the people ------------------------------------------------------------------------------------


@dataclass
class Visit:
    """One person's visit: launch, start a routine, next, stop; what they were told and what failed."""

    user_id: str
    told: dict[str, Any] | None = None  # the place in the last answered routine page (None: finished)
    answered: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def stopped(self) -> bool:
        return "stop" in self.answered


def visit(port: int, routine: str) -> Visit:
    """One person, start to finish; stops at the first failure and records it."""
    talk = Conversation()
    record = Visit(talk.user_id)
    steps = [
        ("launch", talk.launch),
        ("start", lambda: talk.intent("StartRoutineIntent", {"routine": SlotValue(routine, routine, None)})),
        ("next", lambda: talk.intent("AMAZON.NextIntent")),
        ("stop", lambda: talk.intent("AMAZON.StopIntent")),
    ]
    for name, envelope in steps:
        try:
            status, answer = post(port, "POST", "/alexa", envelope())
        except (OSError, http.client.HTTPException, ValueError) as error:
            record.failure = f"{name}: {type(error).__name__}: {error}"
            return record
        if status != 200 or "response" not in answer:
            record.failure = f"{name}: HTTP {status}: {str(answer)[:200]}"
            return record
        record.answered.append(name)
        if name in ("start", "next"):
            record.told = (answer.get("sessionAttributes") or {}).get("place")
        talk.receive(answer)
    return record


def load(port: int, routine: str, seconds: float, during: threading.Event | None = None) -> list[Visit]:
    """``CLIENTS`` threads of back-to-back visits for ``seconds``; every visit, in any order."""
    visits: list[Visit] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            record = visit(port, routine)
            with lock:
                visits.append(record)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return visits


def stored_places(database: Path) -> dict[str, Any]:
    """Every user's saved place ('unfinished', without the day it was saved), read straight from the
    SQLite file."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT user_id, attributes FROM users").fetchall()
    places = {user: json.loads(attributes).get("unfinished") for user, attributes in rows}
    return {user: {k: v for k, v in place.items() if k != "saved"} if isinstance(place, dict) else place
            for user, place in places.items()}


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        return "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))


@pytest.fixture(scope="module")
def routine() -> str:
    """A routine long enough that "start" then "next" does not finish it."""
    catalog = load_catalog()
    if not catalog.routines:
        pytest.skip("no packs installed")
    return max(catalog.routines, key=lambda r: sum(len(e.steps) for e in r.exercises)).id


# --- the tests -------------------------------------------------------------------------------------


def test_soak_three_workers_loses_nothing(tmp_path: Path, routine: str) -> None:
    database = tmp_path / "footwork.sqlite3"
    with gunicorn(database) as server:
        visits = load(server.port, routine, SOAK_SECONDS)
        assert len(worker_pids(server.process.pid)) == WORKERS
    failures = [v.failure for v in visits if v.failure]
    assert not failures, f"{len(failures)} of {len(visits)} visits failed, e.g. {failures[:5]}"
    assert len(visits) >= CLIENTS
    stored = stored_places(database)
    for record in visits:
        assert record.told is not None, "start + next finished the routine; pick a longer one"
        assert stored.get(record.user_id) == record.told, record
    assert len(stored) == len(visits)
    assert integrity(database) == "ok"
    print(f"\n{len(visits)} visits ({4 * len(visits)} requests) in {SOAK_SECONDS:g} s, "
          f"{4 * len(visits) / SOAK_SECONDS:.0f} requests/s, {WORKERS} workers")


def test_killing_a_worker_loses_nothing_saved(tmp_path: Path, routine: str) -> None:
    database = tmp_path / "footwork.sqlite3"
    seconds = max(6.0, SOAK_SECONDS / 3)
    killed: list[int] = []
    with gunicorn(database) as server:

        def kill_one() -> None:
            time.sleep(seconds / 2)
            victim = worker_pids(server.process.pid)[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        killer = threading.Thread(target=kill_one)
        killer.start()
        visits = load(server.port, routine, seconds)
        killer.join()
        assert killed, "no worker was killed"
        # gunicorn replaced the worker, and the service answers as before.
        deadline = time.monotonic() + 30
        while len(worker_pids(server.process.pid)) != WORKERS or killed[0] in worker_pids(server.process.pid):
            assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
            time.sleep(0.1)
        after = visit(server.port, routine)
        assert after.failure is None and after.stopped, after
        visits.append(after)

    failures = [v for v in visits if v.failure]
    # Only requests in flight on the killed worker may fail: at most one per client thread.
    assert len(failures) <= CLIENTS, [v.failure for v in failures]
    stored = stored_places(database)
    for record in visits:
        if record.stopped:
            assert stored.get(record.user_id) == record.told, record
    assert sum(v.stopped for v in visits) >= len(visits) - CLIENTS
    assert integrity(database) == "ok"
    print(f"\nworker {killed[0]} killed after {seconds / 2:g} s: {len(failures)} of {len(visits)} visits cut "
          f"short ({[v.failure for v in failures]}), {sum(v.stopped for v in visits)} stopped with "
          "their place kept")
