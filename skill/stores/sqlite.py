"""Progress in one local SQLite file: right for ``make run`` and for one server with several workers.

Concurrency: several gunicorn worker *processes* (and threads in each) share the file. It runs in WAL
mode, so readers never block the writer; each write is one conditional UPDATE (or INSERT) naming the
version read, so a write over someone else's newer document changes nothing and raises
:class:`~footwork.skill.stores.StoreConflict`. ``synchronous=NORMAL`` in WAL mode keeps every
committed write across a crash or ``SIGKILL`` of the process; only a power cut can lose the last few.

Connections: a process keeps a few idle connections and lends one to each operation, whichever thread
asks. (Keeping one per thread leaked two descriptors per request under a server that starts a thread per
request.) A connection opened before a ``fork()`` is never used by the child.

Privacy: the file is created 0600, in a folder created 0700: progress is nobody else's business.
"""

from __future__ import annotations

import os
import pathlib
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import platformdirs

from . import Record, Stats, Store, StoreConflict, StoreError, decode_document, now

__all__ = ["SCHEMA_VERSION", "SQLiteStore", "default_database_path"]

#: Version of the table layout this code writes, kept in the database as ``PRAGMA user_version``.
SCHEMA_VERSION: int = 2

#: Idle connections a process keeps for reuse; more are closed when given back.
IDLE_CONNECTIONS = 4


def default_database_path() -> pathlib.Path:
    """Where Footwork keeps its database unless told otherwise: the per-user data directory."""
    return platformdirs.user_data_path("footwork") / "footwork.sqlite3"


def _migrate_to_1(connection: sqlite3.Connection) -> None:
    """The first layout: one row per user, attributes as a JSON object text."""
    connection.execute(
        "CREATE TABLE IF NOT EXISTS users ("
        " user_id TEXT PRIMARY KEY, attributes TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )


def _migrate_to_2(connection: sqlite3.Connection) -> None:
    """A version per row, for optimistic concurrency; rows written before it start at 0."""
    connection.execute("ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
    connection.execute("CREATE INDEX IF NOT EXISTS users_updated_at ON users (updated_at)")


#: ``_MIGRATIONS[n]`` upgrades a database from version ``n - 1`` to ``n``, inside the same
#: ``BEGIN IMMEDIATE`` transaction as the version bump, so a failed migration changes nothing and two
#: processes never migrate twice.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_to_1, 2: _migrate_to_2}

#: Connections inherited across ``fork()`` (gunicorn ``--preload``). SQLite forbids using them in the
#: child, and closing them there could drop the child's own POSIX locks on the file, so they are parked
#: here and never touched again.
_ABANDONED_AFTER_FORK: list[sqlite3.Connection] = []

#: Counts the ``fork()``s between the first process and this one: a store compares it with the count
#: when it last lent a connection, which tells a forked child as ``os.getpid()`` would, without a
#: system call per operation. ``os.fork`` (gunicorn's, multiprocessing's) runs the hook in the child.
_forks = 0


def _count_fork() -> None:
    global _forks
    _forks += 1


os.register_at_fork(after_in_child=_count_fork)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


class SQLiteStore(Store):
    """Persistent attributes in a SQLite file, safe for several processes and threads at once."""

    kind = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 10.0) -> None:
        """Remember where the database lives; nothing touches the disk until first use.

        :param path: the SQLite file; created (0600), with its missing parent folders (0700), on first use.
        :param timeout: seconds a statement waits for another process's lock before failing.
        """
        super().__init__()
        self._path = pathlib.Path(path)
        self._where = str(self._path)  # named in every read's warnings: made once
        self._timeout = timeout
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._forks = _forks

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        """``sqlite:///var/lib/footwork.db`` (like a file URL: three slashes, then an absolute path)."""
        path = url.split("://", 1)[1]
        if not path:
            raise StoreError(f"{url!r} names no file (use sqlite:///absolute/path)")
        return cls(path)

    @property
    def path(self) -> pathlib.Path:
        """The database file this store reads and writes."""
        return self._path

    @property
    def where(self) -> str:
        return self._where

    # -- Store ------------------------------------------------------------------------------------

    def read(self, user_id: str) -> Record | None:
        with self._connection("reading attributes") as connection:
            row = connection.execute(
                "SELECT attributes, version, updated_at FROM users WHERE user_id = ?", (user_id,)
            ).fetchone()
        if row is None:
            return None
        text = row[0] if isinstance(row[0], str) else None
        return Record(user_id, decode_document(row[0], self.where), int(row[1]), _parse_stamp(row[2]), text)

    def write(self, user_id: str, text: str, version: int | None) -> int:
        stamp = _stamp(now())
        with self._connection("saving attributes") as connection:
            if version is None:
                cursor = connection.execute(
                    "INSERT INTO users (user_id, attributes, updated_at, version) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (user_id) DO NOTHING",
                    (user_id, text, stamp),
                )
                new_version = 1
            elif version < 0:
                row = connection.execute(
                    "INSERT INTO users (user_id, attributes, updated_at, version) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (user_id) DO UPDATE SET attributes = excluded.attributes, "
                    "updated_at = excluded.updated_at, version = users.version + 1 RETURNING version",
                    (user_id, text, stamp),
                ).fetchone()
                return int(row[0])
            else:
                cursor = connection.execute(
                    "UPDATE users SET attributes = ?, updated_at = ?, version = version + 1 "
                    "WHERE user_id = ? AND version = ?",
                    (text, stamp, user_id, version),
                )
                new_version = version + 1
        if cursor.rowcount != 1:
            raise StoreConflict(f"SQLite database {self._path}: the document changed since it was read")
        return new_version

    def delete(self, user_id: str) -> bool:
        with self._connection("deleting attributes") as connection:
            return connection.execute("DELETE FROM users WHERE user_id = ?", (user_id,)).rowcount > 0

    def stats(self) -> Stats:
        moment = now()
        with self._connection("counting users") as connection:
            row = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE updated_at >= ?), "
                "count(*) FILTER (WHERE updated_at >= ?), count(*) FILTER (WHERE updated_at >= ?) FROM users",
                tuple(_stamp(moment - timedelta(days=d)) for d in (1, 7, 30)),
            ).fetchone()
        return Stats(*(int(n) for n in row))

    def purge(self, older_than: timedelta) -> int:
        with self._connection("purging old records") as connection:
            return connection.execute(
                "DELETE FROM users WHERE updated_at < ?", (_stamp(now() - older_than),)
            ).rowcount

    def init(self) -> str:
        with self._connection("creating the database"):
            pass
        return f"SQLite database {self._path} is ready (schema version {SCHEMA_VERSION})"

    def ping(self) -> None:
        with self._connection("answering") as connection:
            connection.execute("SELECT 1").fetchone()

    def integrity_check(self) -> str:
        """Run ``PRAGMA integrity_check`` and return its report: ``"ok"`` for a healthy file."""
        with self._connection("checking integrity") as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    def open_connections(self) -> int:
        """How many idle connections this process keeps (for tests of the pool's bound)."""
        return len(self._idle)

    def close(self) -> None:
        """Close this process's idle connections, so the last one out can checkpoint the WAL."""
        with self._lock:
            idle, self._idle = (self._idle, []) if self._forks == _forks else ([], [])
        for connection in idle:
            connection.close()

    # -- internals ---------------------------------------------------------------------------------

    def _connection(self, action: str) -> _Loan:
        """Lend a connection for one operation (``with store._connection("reading") as connection``);
        SQLite and file errors become a StoreError naming ``action``."""
        return _Loan(self, action)

    def _borrow(self) -> sqlite3.Connection:
        with self._lock:
            if self._forks != _forks:
                _ABANDONED_AFTER_FORK.extend(self._idle)
                self._idle, self._forks = [], _forks
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _give_back(self, connection: sqlite3.Connection, healthy: bool) -> None:
        with self._lock:
            if healthy and self._forks == _forks and len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def _open(self) -> sqlite3.Connection:
        """Open a connection, switch on WAL, and bring the schema up to :data:`SCHEMA_VERSION`."""
        self._create_file()
        # isolation_level=None: no implicit transactions; check_same_thread=False: a connection is lent
        # to one thread at a time, but not always the same thread.
        connection = sqlite3.connect(
            self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            self._switch_to_wal(connection)
            connection.execute("PRAGMA synchronous = NORMAL")
            self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _switch_to_wal(self, connection: sqlite3.Connection) -> None:
        """Put the file in WAL mode, once: the mode is stored in the file and outlives connections.

        Switching needs an exclusive lock, and SQLite answers "database is locked" at once, without
        waiting out ``busy_timeout``, when another process holds the file at that moment. So the
        switch is retried until this store's timeout, and skipped when the file is already in WAL.
        """
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
        deadline = time.monotonic() + self._timeout
        pause = 0.005
        while str(mode).lower() != "wal":
            try:
                (mode,) = connection.execute("PRAGMA journal_mode = WAL").fetchone()
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
                continue
            if str(mode).lower() != "wal":
                raise StoreError(
                    f"SQLite database {self._path}: cannot switch to WAL journal mode (got {mode!r}); "
                    "is it on a network file system?"
                )

    def _create_file(self) -> None:
        """Create missing parent folders 0700 and the file 0600 (the WAL files copy its mode)."""
        missing = []
        folder = self._path.parent
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for created in reversed(missing):
            created.mkdir(mode=0o700, exist_ok=True)
            os.chmod(created, 0o700)  # the umask may have taken bits away, never added
        if not self._path.exists():
            descriptor = os.open(self._path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(descriptor)

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Apply the migrations between the file's ``user_version`` and :data:`SCHEMA_VERSION`."""
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if version == SCHEMA_VERSION:
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            (version,) = connection.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"SQLite database {self._path} has schema version {version}, newer than this "
                    f"Footwork's {SCHEMA_VERSION}; upgrade Footwork"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                _MIGRATIONS[target](connection)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise


class _Loan:
    """One operation's connection: borrowed on entry, given back on exit (closed instead after an error
    that may have left it unusable), errors told as :class:`StoreError`.

    A class rather than a ``@contextmanager`` generator: every read and save goes through it, and a
    generator-based manager costs a generator, a wrapper object and three more calls per operation.
    """

    __slots__ = ("_action", "_connection", "_store")

    def __init__(self, store: SQLiteStore, action: str) -> None:
        self._store = store
        self._action = action

    def __enter__(self) -> sqlite3.Connection:
        store = self._store
        try:
            self._connection = store._borrow()
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as error:
            raise StoreError(
                f"SQLite database {store._path}: opening the database failed: {error}") from error
        return self._connection

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        connection, store = self._connection, self._store
        # Healthy unless something went wrong: an OperationalError (locked, busy) leaves the connection
        # fit for the next operation; any other error, or an interruption, may not.
        healthy = error is None or isinstance(error, sqlite3.OperationalError)
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        finally:
            store._give_back(connection, healthy)
        if isinstance(error, sqlite3.Error | OSError):
            raise StoreError(f"SQLite database {store._path}: {self._action} failed: {error}") from error


def _parse_stamp(text: object) -> datetime:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.fromtimestamp(0).astimezone()
