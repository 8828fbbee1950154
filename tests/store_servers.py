"""Real store servers for the tests: PostgreSQL from Debian's binaries, DynamoDB from moto's server.

Each is started once per test session, in its own temporary folder, on a free loopback port, and stopped
at the end. Without the program, the tests that need it skip and say why; with
``FOOTWORK_REQUIRE_TOOLS=1`` (CI) they fail instead. ``fresh_store(kind)`` gives each test an empty
store of that kind: a new SQLite file, a new PostgreSQL database, a new DynamoDB table.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


def _postgres_bin() -> Path:
    """Debian keeps each PostgreSQL version's programs in /usr/lib/postgresql/VERSION/bin: the newest."""
    if os.environ.get("FOOTWORK_PG_BIN"):
        return Path(os.environ["FOOTWORK_PG_BIN"])
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _postgres_bin()
PG_PASSWORD = "s3cret-pa55"

#: Dummy credentials for moto: boto3 insists on some, and none may ever reach AWS.
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def missing(reason: str) -> None:
    """Skip (or, under FOOTWORK_REQUIRE_TOOLS=1, fail) a test whose program is not here."""
    if os.environ.get("FOOTWORK_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{reason}, and FOOTWORK_REQUIRE_TOOLS=1")
    pytest.skip(f"{reason}; set FOOTWORK_REQUIRE_TOOLS=1 to fail instead")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- PostgreSQL ------------------------------------------------------------------------------------


@dataclass
class Postgres:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{PG_PASSWORD}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database; return its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url(name)


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Unavailable(Exception):
    """A program or library a store server needs is not here; the message says which and how to get it."""


@contextmanager
def run_postgres(*, durable: bool = False) -> Iterator[Postgres]:
    """A PostgreSQL server (password authentication over TCP on 127.0.0.1) until the block ends.

    Tests run it without fsync (nothing in it outlives the session); ``durable`` keeps PostgreSQL's
    defaults, so that a benchmark compares like with like.
    """
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        raise Unavailable(f"PostgreSQL is not installed ({PG_BIN}/initdb; apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed (pip install 'footwork[postgres]')") from None
    if os.geteuid() == 0 and not shutil.which("runuser"):
        raise Unavailable("runuser is needed to start PostgreSQL as the postgres user")
    # Not under pytest's temporary root: the postgres user must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="footwork-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, log = folder / "data", folder / "server.log"
    (folder / "pw").write_text(PG_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder / "pw", "postgres", "postgres")
    port = free_port()
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
              "--auth-host=scram-sha-256", f"--pwfile={folder / 'pw'}", "-E", "UTF8", "--no-sync"]
    subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data)]
    start = [*pg_ctl, "-l", str(log), "-w", "-t", "60", "-o", options, "start"]
    started = subprocess.run(_as_postgres(start), capture_output=True, text=True)
    if started.returncode != 0:
        text = log.read_text() if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{text[-2000:]}")
    try:
        yield Postgres(port, folder)
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """A PostgreSQL server for the session (see :func:`run_postgres`)."""
    try:
        with run_postgres() as server:
            yield server
    except Unavailable as reason:
        missing(str(reason))


# --- DynamoDB (moto) -------------------------------------------------------------------------------


@dataclass
class Moto:
    endpoint: str

    def url(self, table: str) -> str:
        return f"dynamodb://{table}?region=us-east-1&endpoint_url={self.endpoint}"

    def new_table(self) -> str:
        """Create an empty table the way an operator does (``footwork data init``); return its URL."""
        from footwork.skill.stores import open_store

        url = self.url("t-" + uuid.uuid4().hex[:12])
        store = open_store(url)
        store.init()
        store.close()
        return url


#: moto's server, one request at a time. moto's DynamoDB checks a write's condition and then writes, with
#: no lock in between, so under its threaded server two conditional writes on one item can both pass (the
#: contention test lost 2 of 150 that way). Real DynamoDB makes each conditional write atomic; handling
#: one request at a time (connections still threaded) gives moto the same guarantee.
MOTO_SERVER = """
import sys, threading
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

app = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()

def serialised(environ, start_response):
    with one_at_a_time:
        return list(app(environ, start_response))

run_simple("127.0.0.1", int(sys.argv[1]), serialised, threaded=True, request_handler=MotoRequestHandler)
"""


@contextmanager
def run_moto() -> Iterator[Moto]:
    """moto's DynamoDB in server mode, a subprocess on a free loopback port, until the block ends.

    Sets dummy AWS credentials in this process's environment (setdefault), which boto3 insists on.
    """
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError:
        raise Unavailable("moto[server] and boto3 are not installed (pip install 'footwork[dynamodb]' "
                          "'moto[server]')") from None
    for name, value in AWS_ENV.items():
        os.environ.setdefault(name, value)
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="footwork-moto-"))
    with open(folder / "moto.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-c", MOTO_SERVER, str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **AWS_ENV})
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto's server exited: {(folder / 'moto.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).close()
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not answer within 60 s") from None
                time.sleep(0.2)
        yield Moto(endpoint)
    finally:
        process.kill()  # nothing in it is worth a graceful shutdown
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Moto]:
    """moto's DynamoDB for the session (see :func:`run_moto`)."""
    try:
        with run_moto() as server:
            yield server
    except Unavailable as reason:
        missing(str(reason))


# --- one empty store of each kind ------------------------------------------------------------------

STORE_KINDS = ("sqlite", "postgresql", "dynamodb")


@pytest.fixture(params=STORE_KINDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The FOOTWORK_DB of an empty store, once per kind of store."""
    if request.param == "sqlite":
        return str(tmp_path / "store" / "footwork.sqlite3")
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_server").new_database()
    return request.getfixturevalue("moto_server").new_table()
