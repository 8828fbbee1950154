"""What only the SQLite store does: files, WAL, permissions, forks, killed writers, leaked connections.

The behaviour every store shares is pinned once, for each real store, in test_store_contract.py.

Request envelopes are built the way the web service builds them, by deserialising Alexa-shaped JSON
with the SDK's own serializer, so the tests exercise the same ``context.System.user.userId`` lookup
that live traffic does.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from typing import Any

import platformdirs
import pytest
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from footwork.skill.stores.sqlite import IDLE_CONNECTIONS, SCHEMA_VERSION, SQLiteStore, default_database_path

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


def launch_request_json(
    user_id: str | None, *, session_user_id: str | None = None, with_session: bool = True
) -> str:
    """Return the JSON of an Alexa LaunchRequest from ``user_id`` (omitted from context.System if None)."""
    system: dict[str, Any] = {
        "application": {"applicationId": SKILL_ID},
        "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
        "apiEndpoint": "https://api.amazonalexa.com",
    }
    if user_id is not None:
        system["user"] = {"userId": user_id}
    body: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": system},
        "request": {
            "type": "LaunchRequest",
            "requestId": "amzn1.echo-api.request.TEST",
            "timestamp": "2024-05-01T12:00:00Z",
            "locale": "en-US",
        },
    }
    if with_session:
        body["session"] = {
            "new": True,
            "sessionId": "amzn1.echo-api.session.TEST",
            "application": {"applicationId": SKILL_ID},
            "user": {"userId": session_user_id if session_user_id is not None else user_id},
        }
    return json.dumps(body)


def envelope(user_id: str | None, **kwargs: Any) -> RequestEnvelope:
    """Build a real ``RequestEnvelope`` for a LaunchRequest from ``user_id``."""
    return DefaultSerializer().deserialize(
        launch_request_json(user_id, **kwargs), "ask_sdk_model.RequestEnvelope"
    )


@pytest.fixture
def db_path(tmp_path: pathlib.Path) -> pathlib.Path:
    """A database path whose parent directories do not exist yet."""
    return tmp_path / "data" / "footwork" / "footwork.sqlite3"


@pytest.fixture
def adapter(db_path: pathlib.Path) -> Any:
    """An adapter on a fresh database, closed after the test."""
    with SQLiteStore(db_path) as created:
        yield created


def read_raw(db_path: pathlib.Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Query the database file directly, bypassing the adapter."""
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def run_python(code: str, *args: str, **popen: Any) -> subprocess.Popen[str]:
    """Start a separate Python process running ``code`` (this venv's interpreter, same import path)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], text=True, **popen)


# Shared by the worker processes: build an envelope exactly as the tests do.
WORKER_PRELUDE = """
import json, sys
from ask_sdk_core.serialize import DefaultSerializer
from footwork.skill.stores.sqlite import SQLiteStore

def envelope(user_id):
    body = {
        "version": "1.0",
        "context": {"System": {"application": {"applicationId": "skill"}, "user": {"userId": user_id}}},
        "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "2024-05-01T12:00:00Z",
                    "locale": "en-US"},
    }
    return DefaultSerializer().deserialize(json.dumps(body), "ask_sdk_model.RequestEnvelope")
"""


# -- the basics -------------------------------------------------------------------------------------


def test_the_user_id_is_stored_exactly_as_amazon_sent_it(
    adapter: SQLiteStore, db_path: pathlib.Path
) -> None:
    user_id = "amzn1.ask.account.AF3EXAMPLE+/=="
    adapter.save_attributes(envelope(user_id), {"streak": 1})

    assert read_raw(db_path, "SELECT user_id FROM users") == [(user_id,)]


def test_constructing_the_adapter_does_not_touch_the_disk(db_path: pathlib.Path) -> None:
    SQLiteStore(db_path)

    assert not db_path.parent.exists()


def test_first_use_creates_the_parent_directories_and_the_database(
    adapter: SQLiteStore, db_path: pathlib.Path
) -> None:
    assert adapter.count_users() == 0

    assert db_path.is_file()
    assert read_raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    columns = [row[1] for row in read_raw(db_path, "PRAGMA table_info(users)")]
    assert columns == ["user_id", "attributes", "updated_at", "version"]


def test_the_database_runs_in_wal_mode_with_normal_sync(
    adapter: SQLiteStore, db_path: pathlib.Path
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})

    # journal_mode=WAL is stored in the file itself, so a fresh outside connection sees it.
    assert read_raw(db_path, "PRAGMA journal_mode") == [("wal",)]
    with adapter._connection("test") as connection:
        assert connection.execute("PRAGMA synchronous").fetchone() == (1,)  # 1 == NORMAL
        assert connection.execute("PRAGMA busy_timeout").fetchone() == (10_000,)


def _open_save_close(
    path: pathlib.Path, index: int, together: threading.Barrier, errors: list[BaseException]
) -> None:
    store = SQLiteStore(path, timeout=5.0)
    together.wait()
    try:
        store.save_attributes(envelope(f"amzn1.ask.account.{index}"), {"n": index})
    except BaseException as error:  # collected: a thread's exception would be lost
        errors.append(error)
    finally:
        store.close()


def test_many_stores_opening_one_new_file_at_once_all_switch_it_to_wal(tmp_path: pathlib.Path) -> None:
    # Switching the journal mode needs the file to itself, and SQLite answers "database is locked" at
    # once, without waiting out busy_timeout, when connections race for it: each store must wait.
    for trial in range(30):
        path = tmp_path / f"trial{trial}" / "footwork.sqlite3"
        together = threading.Barrier(8)
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_open_save_close, args=(path, index, together, errors))
            for index in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert read_raw(path, "PRAGMA journal_mode") == [("wal",)]
        assert read_raw(path, "SELECT count(*) FROM users") == [(8,)]


def test_a_file_held_longer_than_the_timeout_fails_with_a_clear_error(db_path: pathlib.Path) -> None:
    db_path.parent.mkdir(parents=True)
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE held (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with SQLiteStore(db_path, timeout=0.2) as store:
            with pytest.raises(PersistenceException, match="locked"):
                store.get_attributes(envelope("amzn1.ask.account.A"))
    finally:
        holder.execute("COMMIT")
        holder.close()


def test_updated_at_records_when_the_row_was_written(
    adapter: SQLiteStore, db_path: pathlib.Path
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})

    ((updated_at,),) = read_raw(db_path, "SELECT updated_at FROM users")
    assert updated_at.endswith("+00:00") and updated_at[:4].isdigit()


def test_the_file_is_private_to_its_owner(db_path: pathlib.Path) -> None:
    with SQLiteStore(db_path) as store:
        store.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})

        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
        for created in (db_path.parent, db_path.parent.parent):
            assert stat.S_IMODE(created.stat().st_mode) == 0o700
        wal = db_path.with_name(db_path.name + "-wal")
        assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_an_existing_folder_keeps_its_permissions(tmp_path: pathlib.Path) -> None:
    os.chmod(tmp_path, 0o755)
    with SQLiteStore(tmp_path / "footwork.sqlite3") as store:
        store.count_users()

    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "footwork.sqlite3").stat().st_mode) == 0o600


def test_a_thread_per_request_does_not_keep_a_connection_per_thread(adapter: SQLiteStore) -> None:
    # Werkzeug's development server starts a thread per request; each thread's request must not
    # leave a connection (two file descriptors) behind.
    def one_request(n: int) -> None:
        adapter.save_attributes(envelope(f"amzn1.ask.account.{n}"), {"n": n})
        adapter.get_attributes(envelope(f"amzn1.ask.account.{n}"))

    before = len(os.listdir("/proc/self/fd"))
    for n in range(300):
        thread = threading.Thread(target=one_request, args=(n,))
        thread.start()
        thread.join()

    assert adapter.open_connections() <= IDLE_CONNECTIONS
    assert len(os.listdir("/proc/self/fd")) - before <= 2 * IDLE_CONNECTIONS + 2
    assert adapter.count_users() == 300


def test_the_adapter_reopens_after_close(adapter: SQLiteStore) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})
    adapter.close()

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {"streak": 1}
    assert adapter.integrity_check() == "ok"


def test_default_database_path_is_in_the_user_data_directory() -> None:
    path = default_database_path()

    assert path == platformdirs.user_data_path("footwork") / "footwork.sqlite3"


# -- refused writes keep what was there ---------------------------------------------------------------


def test_a_write_that_fails_inside_sqlite_rolls_back(
    adapter: SQLiteStore, db_path: pathlib.Path
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 5})
    # A trigger makes the UPSERT itself fail half-way through the transaction.
    with adapter._connection("test") as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE UPDATE ON users BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
        )

    with pytest.raises(PersistenceException, match="refused by test") as raised:
        adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 6})

    assert str(db_path) in str(raised.value)
    with adapter._connection("test") as connection:
        assert not connection.in_transaction
    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {"streak": 5}


# -- damaged or foreign databases -----------------------------------------------------------------------


@pytest.mark.parametrize("stored", ["{not json", "[1, 2, 3]", ""], ids=["broken", "array", "empty"])
def test_a_row_that_no_longer_fits_is_logged_read_as_empty_and_replaced_by_the_next_save(
    adapter: SQLiteStore, db_path: pathlib.Path, stored: str, caplog: pytest.LogCaptureFixture
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE users SET attributes = ?", (stored,))
    connection.close()

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {}
    assert str(db_path) in caplog.text and "treating it as empty" in caplog.text
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 2})
    assert adapter.get_by_user_id("amzn1.ask.account.A") == {"streak": 2}


def test_a_file_that_is_not_a_database_raises_persistence_exception_naming_the_path(
    db_path: pathlib.Path,
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not an SQLite file, just some text " * 100)

    with SQLiteStore(db_path) as adapter:
        with pytest.raises(PersistenceException, match=str(db_path)):
            adapter.count_users()


def test_a_database_from_the_previous_footwork_is_migrated_keeping_every_row(db_path: pathlib.Path) -> None:
    db_path.parent.mkdir(parents=True)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("CREATE TABLE users (user_id TEXT PRIMARY KEY, attributes TEXT NOT NULL, "
                           "updated_at TEXT NOT NULL)")
        connection.execute("INSERT INTO users VALUES ('amzn1.ask.account.OLD', '{\"streak\": 4}', "
                           "'2024-05-01T12:00:00.000+00:00')")
        connection.execute("PRAGMA user_version = 1")
    connection.close()

    with SQLiteStore(db_path) as store:
        record = store.read("amzn1.ask.account.OLD")
        assert record is not None and record.attributes == {"streak": 4} and record.version == 0
        store.save_attributes(envelope("amzn1.ask.account.OLD"), {"streak": 5})
        assert store.get_by_user_id("amzn1.ask.account.OLD") == {"streak": 5}
    assert read_raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_a_database_from_a_newer_footwork_is_refused(db_path: pathlib.Path) -> None:
    db_path.parent.mkdir(parents=True)
    connection = sqlite3.connect(db_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()

    with SQLiteStore(db_path) as adapter:
        with pytest.raises(PersistenceException, match="newer"):
            adapter.count_users()


# -- threads and processes --------------------------------------------------------------------------


def test_threads_sharing_one_adapter_each_keep_their_own_writes(adapter: SQLiteStore) -> None:
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for counter in range(50):
                adapter.save_attributes(envelope(f"thread-{thread}"), {"counter": counter})
                adapter.save_attributes(envelope("shared"), {"counter": counter, "thread": thread})
        except BaseException as error:  # reported below; a thread cannot fail the test by itself
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    for n in range(6):
        assert adapter.get_by_user_id(f"thread-{n}") == {"counter": 49}
    assert adapter.get_by_user_id("shared")["counter"] == 49  # type: ignore[index]
    assert adapter.integrity_check() == "ok"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_worker_opens_its_own_connection(adapter: SQLiteStore) -> None:
    # gunicorn --preload: the adapter may have been used in the master before the workers fork.
    adapter.save_attributes(envelope("parent"), {"counter": 1})

    pid = os.fork()
    if pid == 0:  # the child: must not reuse the parent's connection
        status = 1
        try:
            adapter.save_attributes(envelope("child"), {"counter": 2})
            status = 0 if adapter.get_by_user_id("parent") == {"counter": 1} else 1
        finally:
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(wait_status) == 0
    assert adapter.get_by_user_id("child") == {"counter": 2}
    adapter.save_attributes(envelope("parent"), {"counter": 3})
    assert adapter.get_by_user_id("parent") == {"counter": 3}


CONCURRENT_WRITER = (
    WORKER_PRELUDE
    + """
db_path, writer, writes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
adapter = SQLiteStore(db_path)  # opens nothing yet: the first write races the others
sys.stdin.readline()  # wait for the start signal, so every process begins at once
own, shared = envelope(f"writer-{writer}"), envelope("shared")
for counter in range(writes):
    adapter.save_attributes(own, {"counter": counter, "writer": writer})
    adapter.save_attributes(shared, {"counter": counter, "writer": writer})
    if counter % 50 == 0:
        assert adapter.get_attributes(own) == {"counter": counter, "writer": writer}
adapter.close()
"""
)


def test_several_processes_writing_at_once_lose_no_last_write(db_path: pathlib.Path) -> None:
    processes, writes = 4, 200
    workers = [
        run_python(CONCURRENT_WRITER, str(db_path), str(n), str(writes), stdin=subprocess.PIPE)
        for n in range(processes)
    ]
    for worker in workers:  # start signal, sent only when every process is up and waiting
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.close()
        assert worker.wait(timeout=120) == 0

    with SQLiteStore(db_path) as adapter:
        for n in range(processes):
            assert adapter.get_by_user_id(f"writer-{n}") == {"counter": writes - 1, "writer": n}
        # The last write to the shared row is some writer's last write.
        shared = adapter.get_by_user_id("shared")
        assert shared is not None and shared["counter"] == writes - 1
        assert adapter.count_users() == processes + 1
        assert adapter.integrity_check() == "ok"


ENDLESS_WRITER = (
    WORKER_PRELUDE
    + """
adapter = SQLiteStore(sys.argv[1])
me = envelope("killed")
counter = 0
while True:
    counter += 1
    adapter.save_attributes(me, {"counter": counter, "padding": "x" * 2000})
    print(counter, flush=True)  # printed only once the write has committed
"""
)


@pytest.mark.parametrize("kill_after", [1, 300])
def test_a_killed_writer_loses_nothing_already_committed(db_path: pathlib.Path, kill_after: int) -> None:
    writer = run_python(ENDLESS_WRITER, str(db_path), stdout=subprocess.PIPE)
    assert writer.stdout is not None
    last_printed = 0
    try:
        for line in writer.stdout:
            last_printed = int(line)
            if last_printed >= kill_after:
                os.kill(writer.pid, signal.SIGKILL)  # mid-loop, most likely mid-write
                break
    finally:
        if writer.poll() is None:
            os.kill(writer.pid, signal.SIGKILL)
        for line in writer.stdout:  # anything printed between the last read and the kill
            last_printed = int(line)
        writer.wait(timeout=30)

    assert writer.returncode == -signal.SIGKILL
    assert last_printed >= kill_after
    with SQLiteStore(db_path) as adapter:
        stored = adapter.get_by_user_id("killed")
        assert stored is not None and stored["counter"] >= last_printed
        assert adapter.integrity_check() == "ok"
        # The database is still writable after the crash.
        adapter.save_attributes(envelope("killed"), {"counter": 0})
        assert adapter.get_by_user_id("killed") == {"counter": 0}
