"""Persistent attributes for the Footwork skill, stored in one local SQLite file.

The Alexa Skills Kit SDK for Python ships DynamoDB and S3 persistence adapters only. Footwork runs as a
web service (Flask under gunicorn) on one machine, so a single SQLite database is enough: one row per
Alexa user, holding that user's persistent attributes as a JSON object.

What is stored, and why that is allowed:

* ``user_id`` is Amazon's opaque, per-skill user identifier (``amzn1.ask.account...``) exactly as Amazon
  sends it. It identifies an Alexa account to this skill only; it is not health information.
* ``attributes`` is whatever the skill's handlers put in the persistent attributes -- which routines were
  completed and when. Alexa's health-skill policy forbids collecting information about a person's
  physical or mental health (recording their pain is health information), so :data:`FORBIDDEN_KEYS`
  makes the adapter refuse attribute dicts that carry such keys, at any depth. That guard is defence in
  depth: the handlers must not ask for such information in the first place.

Concurrency model: several gunicorn worker *processes* (and possibly several threads in each) share the
file. The database runs in WAL mode, so readers never block the writer; every write is one UPSERT or
DELETE inside ``BEGIN IMMEDIATE``, so writers queue on SQLite's file lock (waiting up to ``timeout``
seconds) instead of failing half-way, and a write that fails rolls back leaving the previous row intact.
``synchronous=NORMAL`` in WAL mode keeps every committed write across a crash or ``SIGKILL`` of the
process; only a power cut or OS crash can lose the last few commits, never corrupt the file.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import platformdirs
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

__all__ = [
    "FORBIDDEN_KEYS",
    "SCHEMA_VERSION",
    "SQLitePersistenceAdapter",
    "default_database_path",
]

#: Attribute keys that would hold information about a person's health. Alexa certification policy for
#: health skills: a skill must not collect information about a person's physical or mental health
#: ("recording which routines someone completed is fine; recording their pain is health information").
#: Keys are compared after lower-casing and dropping everything but letters and digits, so ``painLevel``,
#: ``pain-level`` and ``Pain_Level`` all match ``pain_level``.
FORBIDDEN_KEYS: frozenset[str] = frozenset(
    {
        "pain",
        "pain_level",
        "pain_score",
        "injury",
        "injuries",
        "symptom",
        "symptoms",
        "condition",
        "conditions",
        "diagnosis",
        "diagnoses",
        "medication",
        "medications",
        "medical_history",
        "health",
        "health_status",
    }
)

#: Version of the table layout this code writes, kept in the database as ``PRAGMA user_version``.
SCHEMA_VERSION: int = 1


def _normalise_key(key: str) -> str:
    """Reduce a key to lower-case letters and digits, so spelling variants of a forbidden key match."""
    return re.sub(r"[^0-9a-z]", "", key.lower())


_FORBIDDEN_NORMALISED: frozenset[str] = frozenset(_normalise_key(key) for key in FORBIDDEN_KEYS)


def _migrate_to_1(connection: sqlite3.Connection) -> None:
    """Create the first layout: one row per user, attributes as a JSON object text."""
    connection.execute(
        """
        CREATE TABLE IF NOT EXISTS users (
            user_id    TEXT PRIMARY KEY,
            attributes TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )


#: Migration hook: ``_MIGRATIONS[n]`` upgrades a database from version ``n - 1`` to ``n``. To change the
#: layout, add ``_migrate_to_2``, register it here and bump :data:`SCHEMA_VERSION`; every migration runs
#: inside the same ``BEGIN IMMEDIATE`` transaction as the version bump, so a failed migration leaves the
#: database at its old version and concurrent processes never migrate twice.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_to_1}

#: Connections inherited across ``fork()`` (gunicorn ``--preload``). SQLite forbids using them in the
#: child, and closing them there could drop the child's own POSIX locks on the file, so they are parked
#: here and never touched again.
_ABANDONED_AFTER_FORK: list[sqlite3.Connection] = []


def default_database_path() -> pathlib.Path:
    """Where Footwork keeps its database unless told otherwise: the per-user data directory."""
    return platformdirs.user_data_path("footwork") / "footwork.sqlite3"


class SQLitePersistenceAdapter(AbstractPersistenceAdapter):
    """Persistent attributes in a SQLite file, safe for several processes and threads at once.

    Give it to ``CustomSkillBuilder(persistence_adapter=...)``. The database file and its parent
    directories are created on first use, not in the constructor, so building the adapter never touches
    the disk.

    Connections: each thread of each process lazily opens its own connection and keeps it (a
    ``threading.local`` keyed by process id). Opening a connection costs a file open plus the PRAGMA and
    schema checks; reusing one makes a read or write a single statement. A connection opened before a
    ``fork()`` is never used by the child: the child opens a fresh one.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 10.0) -> None:
        """Remember where the database lives and how long a write may wait for the file lock.

        :param path: the SQLite file; created, with its parent directories, on first use.
        :param timeout: seconds a statement waits for another process's lock before failing.
        """
        self._path = pathlib.Path(path)
        self._timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._generation = 0

    @property
    def path(self) -> pathlib.Path:
        """The database file this adapter reads and writes."""
        return self._path

    # -- AbstractPersistenceAdapter ---------------------------------------------------------------

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, object]:
        """Return the requesting user's persistent attributes, or ``{}`` for a user never seen before."""
        attributes = self.get_by_user_id(self._user_id(request_envelope))
        return {} if attributes is None else attributes

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, object]) -> None:
        """Replace the requesting user's persistent attributes with ``attributes``.

        The dict must be JSON-serialisable with string keys and must not contain any of
        :data:`FORBIDDEN_KEYS`. Anything refused, and any database failure, raises
        :class:`PersistenceException` and leaves the previously stored attributes untouched.
        """
        user_id = self._user_id(request_envelope)
        text = self._encode(attributes)
        updated_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._transaction("saving attributes") as connection:
            connection.execute(
                """
                INSERT INTO users (user_id, attributes, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE
                SET attributes = excluded.attributes, updated_at = excluded.updated_at
                """,
                (user_id, text, updated_at),
            )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the requesting user entirely (their row is deleted; deleting twice is harmless)."""
        user_id = self._user_id(request_envelope)
        with self._transaction("deleting attributes") as connection:
            connection.execute("DELETE FROM users WHERE user_id = ?", (user_id,))

    # -- helpers for the skill, the CLI and tests -------------------------------------------------

    def get_by_user_id(self, user_id: str) -> dict[str, object] | None:
        """Return the attributes stored for ``user_id``, or ``None`` if there is no row for it."""
        with self._errors("reading attributes"):
            row = (
                self._connection()
                .execute("SELECT attributes FROM users WHERE user_id = ?", (user_id,))
                .fetchone()
            )
        if row is None:
            return None
        try:
            attributes = json.loads(row[0])
        except (TypeError, ValueError) as error:
            raise PersistenceException(
                f"SQLite database {self._path}: the stored attributes of a user are not valid JSON ({error})"
            ) from error
        if not isinstance(attributes, dict):
            raise PersistenceException(
                f"SQLite database {self._path}: the stored attributes of a user are JSON "
                f"{type(attributes).__name__}, not an object"
            )
        return attributes

    def count_users(self) -> int:
        """Return how many users have stored attributes."""
        with self._errors("counting users"):
            (count,) = self._connection().execute("SELECT count(*) FROM users").fetchone()
        return int(count)

    def integrity_check(self) -> str:
        """Run ``PRAGMA integrity_check`` and return its report: ``"ok"`` for a healthy file."""
        with self._errors("checking integrity"):
            rows = self._connection().execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    def close(self) -> None:
        """Close every connection this process opened through this adapter.

        The adapter stays usable: the next call opens a fresh connection. Call it at worker shutdown
        so the last connection to close can checkpoint the WAL into the main file.
        """
        with self._lock:
            pid = os.getpid()
            mine = [connection for owner, connection in self._connections if owner == pid]
            self._connections = []
            self._generation += 1
        for connection in mine:
            connection.close()

    def __enter__(self) -> SQLitePersistenceAdapter:
        """Use the adapter in a ``with`` block that closes its connections on the way out."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the connections (see :meth:`close`)."""
        self.close()

    def __repr__(self) -> str:
        """Show the database path, which is what tells two adapters apart."""
        return f"{type(self).__name__}({str(self._path)!r})"

    # -- internals ---------------------------------------------------------------------------------

    @staticmethod
    def _user_id(request_envelope: RequestEnvelope) -> str:
        """Find Amazon's user id: ``context.System.user`` first, then ``session.user`` (older requests)."""
        context = getattr(request_envelope, "context", None)
        system = getattr(context, "system", None)
        user_id = getattr(getattr(system, "user", None), "user_id", None)
        if not user_id:
            session = getattr(request_envelope, "session", None)
            user_id = getattr(getattr(session, "user", None), "user_id", None)
        if not isinstance(user_id, str) or not user_id:
            raise PersistenceException(
                "Cannot find the user id in the request envelope (context.System.user.userId or "
                "session.user.userId)"
            )
        return user_id

    def _encode(self, attributes: Mapping[str, Any]) -> str:
        """Check ``attributes`` against the health guard and serialise it to JSON text.

        Serialising before the transaction starts means a refused dict never reaches the database.
        """
        if not isinstance(attributes, Mapping):
            raise PersistenceException(
                f"Not saving to SQLite database {self._path}: attributes must be a dict, "
                f"not {type(attributes).__name__}"
            )
        try:
            _check_keys(attributes, "attributes", self._path)
            return json.dumps(attributes, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError) as error:
            raise PersistenceException(
                f"Not saving to SQLite database {self._path}: attributes are not JSON-serialisable ({error})"
            ) from error

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn SQLite and file-system errors into a PersistenceException naming the path and action."""
        try:
            yield
        except PersistenceException:
            raise
        except (sqlite3.Error, OSError) as error:
            raise PersistenceException(f"SQLite database {self._path}: {action} failed: {error}") from error

    @contextmanager
    def _transaction(self, action: str) -> Iterator[sqlite3.Connection]:
        """Run the body inside ``BEGIN IMMEDIATE``; commit on success, roll back on any failure.

        ``IMMEDIATE`` takes the write lock up front, so the busy timeout applies to waiting for it and a
        read-then-upgrade deadlock between processes cannot happen.
        """
        with self._errors(action):
            connection = self._connection()
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    def _connection(self) -> sqlite3.Connection:
        """Return this thread's connection, opening (and preparing the database) on first use."""
        pid = os.getpid()
        local = self._local
        cached = getattr(local, "connection", None)
        if cached is not None:
            if local.pid == pid and local.generation == self._generation:
                return cached
            if local.pid != pid:
                _ABANDONED_AFTER_FORK.append(cached)
            local.connection = None
        with self._errors("opening the database"):
            connection = self._open()
        with self._lock:
            self._connections.append((pid, connection))
            local.connection, local.pid, local.generation = connection, pid, self._generation
        return connection

    def _open(self) -> sqlite3.Connection:
        """Open a connection, switch on WAL, and bring the schema up to :data:`SCHEMA_VERSION`."""
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # isolation_level=None: no implicit transactions; this class issues BEGIN/COMMIT itself.
        # check_same_thread=False only so close() may close other threads' connections; each
        # connection is otherwise used by the thread that opened it.
        connection = sqlite3.connect(
            self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            (mode,) = connection.execute("PRAGMA journal_mode = WAL").fetchone()
            if str(mode).lower() != "wal":
                raise PersistenceException(
                    f"SQLite database {self._path}: cannot switch to WAL journal mode (got {mode!r}); "
                    "is it on a network file system?"
                )
            connection.execute("PRAGMA synchronous = NORMAL")
            self._migrate(connection)
        except BaseException:
            connection.close()
            raise
        return connection

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
                raise PersistenceException(
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


def _check_keys(value: object, where: str, path: pathlib.Path) -> None:
    """Refuse non-string keys and health-information keys anywhere inside ``value``.

    Non-string keys are refused because JSON would silently turn ``{1: ...}`` into ``{"1": ...}``, so
    what is read back would differ from what was saved. The error names where the key was found but
    never the value stored under it.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PersistenceException(
                    f"Not saving to SQLite database {path}: {where} has a non-string key {key!r}"
                )
            if _normalise_key(key) in _FORBIDDEN_NORMALISED:
                raise PersistenceException(
                    f"Not saving to SQLite database {path}: {where}[{key!r}] looks like health information, "
                    "which Footwork must not store (Alexa health-skill policy)"
                )
            _check_keys(item, f"{where}[{key!r}]", path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_keys(item, f"{where}[{index}]", path)
