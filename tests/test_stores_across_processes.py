"""Progress shared between processes and hosts, through each real store, over real HTTP.

* 150 simultaneous "finish the routine" requests for one person, served by three gunicorn workers, store
  150 completions on every store (versioned writes, retried on a lost race).
* Two app servers (separate gunicorn masters, separate working folders) on one PostgreSQL, then on one
  DynamoDB: a person starts a routine on host A, the session ends, and launching on host B welcomes them
  back at the page A last told them.
* A bounded soak: two servers of two workers each, people bouncing between them, every place intact.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from footwork.core import load_catalog
from footwork.skill.envelopes import Conversation, SlotValue
from footwork.skill.stores import open_store
from store_servers import AWS_ENV, free_port

pytestmark = pytest.mark.slow

GUNICORN = Path(sys.executable).with_name("gunicorn")
SOAK_SECONDS = float(os.environ.get("FOOTWORK_STORE_SOAK_SECONDS", "15"))


@dataclass
class Host:
    process: subprocess.Popen[bytes]
    port: int

    def post(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("POST", "/alexa", body=json.dumps(payload).encode(),
                               headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            connection.close()


@contextmanager
def host(url: str, folder: Path, workers: int) -> Iterator[Host]:
    """A gunicorn master with ``workers`` workers, serving the app on ``url``'s store from ``folder``."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment (pip install footwork[serve])")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, **AWS_ENV, "FOOTWORK_VERIFY": "0", "FOOTWORK_DB": url, "FOOTWORK_SKILL_ID": "any"}
    env.pop("FOOTWORK_DEV", None)
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         "--log-level", "warning", "footwork.skill.wsgi:app"], cwd=folder, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"gunicorn exited with {process.returncode}"
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                health = json.loads(connection.getresponse().read())
                connection.close()
                children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
                if health["store"]["answers"] and len(children) == workers:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.1)
        yield Host(process, port)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def routine() -> str:
    """A routine long enough that "start" then "next" does not finish it."""
    catalog = load_catalog()
    if not catalog.routines:
        pytest.skip("no packs installed")
    return max(catalog.routines, key=lambda r: sum(len(e.steps) for e in r.exercises)).id


@pytest.fixture(scope="module")
def short_routine() -> str:
    catalog = load_catalog()
    if not catalog.routines:
        pytest.skip("no packs installed")
    return min(catalog.routines, key=lambda r: sum(len(e.steps) for e in r.exercises)).id


def start(talk: Conversation, routine: str) -> dict[str, Any]:
    return talk.intent("StartRoutineIntent", {"routine": SlotValue(routine, routine, None)})


# --- nothing lost under contention -----------------------------------------------------------------


def test_150_simultaneous_completions_for_one_person_across_three_workers_are_all_stored(
    store_url: str, tmp_path: Path, short_routine: str
) -> None:
    with host(store_url, tmp_path / "host", workers=3) as server:
        # Walk one conversation to the last page, to learn the session that the final "next" finishes.
        walker = Conversation()
        status, answer = server.post(start(walker, short_routine))
        while True:
            assert status == 200, answer
            before_last = dict(answer.get("sessionAttributes") or {})
            walker.receive(answer)
            status, answer = server.post(walker.intent("AMAZON.NextIntent"))
            if answer["response"].get("shouldEndSession"):
                break

        person = Conversation()
        person.session_id, person.attributes = "amzn1.echo-api.session.contention", before_last
        finish = person.intent("AMAZON.NextIntent")
        with ThreadPoolExecutor(max_workers=24) as pool:
            answers = list(pool.map(lambda _: server.post(finish), range(150)))

    assert [status for status, _ in answers] == [200] * 150
    sorry = [a for _, a in answers if "went wrong" in json.dumps(a)]
    assert not sorry, sorry[:2]
    with open_store(store_url) as store:
        stored = store.get_by_user_id(person.user_id)
    assert stored is not None
    assert len(stored["completed"]) == 150
    assert {item["routine"] for item in stored["completed"]} == {short_routine}


# --- two hosts, one store ---------------------------------------------------------------------------


@pytest.fixture(params=["postgresql", "dynamodb"])
def shared_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_server").new_database())
    return str(request.getfixturevalue("moto_server").new_table())


def test_a_routine_started_on_one_host_is_welcomed_back_on_the_other(
    shared_url: str, tmp_path: Path, routine: str
) -> None:
    with host(shared_url, tmp_path / "a", workers=1) as a, host(shared_url, tmp_path / "b", workers=1) as b:
        talk = Conversation()
        for envelope in (talk.launch, lambda: start(talk, routine), lambda: talk.intent("AMAZON.NextIntent")):
            status, answer = a.post(envelope())
            assert status == 200, answer
            talk.receive(answer)
        told = talk.attributes["place"]
        status, _ = a.post(talk.session_ended())
        assert status == 200
        talk.end()

        status, answer = b.post(talk.launch())

    assert status == 200
    speech = answer["response"]["outputSpeech"]["ssml"]
    assert "Welcome back" in speech
    assert answer["sessionAttributes"]["resume"] == told


# --- a bounded soak ----------------------------------------------------------------------------------


@dataclass
class Visit:
    user_id: str
    told: dict[str, Any] | None = None
    failure: str | None = None
    hosts: list[int] = field(default_factory=list)


def visit(hosts: list[Host], routine: str, offset: int) -> Visit:
    """Launch, start, next, stop: each request on the next host round the ring."""
    talk = Conversation()
    record = Visit(talk.user_id)
    steps = [talk.launch, lambda: start(talk, routine), lambda: talk.intent("AMAZON.NextIntent"),
             lambda: talk.intent("AMAZON.StopIntent")]
    for index, envelope in enumerate(steps):
        server = hosts[(offset + index) % len(hosts)]
        try:
            status, answer = server.post(envelope())
        except (OSError, http.client.HTTPException, ValueError) as error:
            record.failure = f"step {index}: {type(error).__name__}: {error}"
            return record
        if status != 200 or "response" not in answer or "went wrong" in json.dumps(answer):
            record.failure = f"step {index}: HTTP {status}: {str(answer)[:200]}"
            return record
        record.hosts.append(server.port)
        if index in (1, 2):
            record.told = (answer.get("sessionAttributes") or {}).get("place")
        talk.receive(answer)
    return record


def test_two_servers_of_two_workers_keep_every_place_through_a_soak(
    shared_url: str, tmp_path: Path, routine: str
) -> None:
    visits: list[Visit] = []
    lock = threading.Lock()
    with ExitStack() as stack:
        hosts = [stack.enter_context(host(shared_url, tmp_path / name, workers=2)) for name in ("a", "b")]
        deadline = time.monotonic() + SOAK_SECONDS

        def client(number: int) -> None:
            while time.monotonic() < deadline:
                record = visit(hosts, routine, number)
                with lock:
                    visits.append(record)

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SOAK_SECONDS + 120)
        assert not any(thread.is_alive() for thread in threads), "a client hung"

    failures = [v.failure for v in visits if v.failure]
    assert not failures, f"{len(failures)} of {len(visits)} visits failed, e.g. {failures[:3]}"
    assert len(visits) >= 6
    with open_store(shared_url) as store:
        for record in visits:
            assert len(set(record.hosts)) == 2, record  # the visit really crossed hosts
            stored = store.get_by_user_id(record.user_id)
            assert stored is not None and stored.get("unfinished") == record.told, record
        assert store.count_users() == len(visits)
    print(f"\n{len(visits)} visits ({4 * len(visits)} requests) in {SOAK_SECONDS:g} s, 2 hosts x 2 workers "
          f"on {shared_url.split(':', 1)[0]}")
