"""Progress in PostgreSQL, for several hosts behind a load balancer (``pip install 'footwork[postgres]'``).

``FOOTWORK_DB=postgresql://user:password@host:5432/database`` (any libpq URL parameter may follow, e.g.
``?sslmode=require``). Each worker process opens its own small connection pool (psycopg_pool) on first
use, after gunicorn has forked it: a pool never crosses a ``fork()``.

The table is ``footwork_users`` (one row per Amazon user id: the document as JSON text, a version, when
it was written); ``footwork_schema`` holds the layout's version. Migrations run in one transaction under
an advisory lock, so two hosts starting at once migrate once, and a failed migration changes nothing.
The document is kept as text, not ``jsonb``, so that every store gives back exactly what was saved.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from . import Record, Stats, Store, StoreConflict, StoreError, decode_document, mask_url

__all__ = ["SCHEMA_VERSION", "PostgresStore"]

SCHEMA_VERSION = 1

#: An arbitrary, fixed key for ``pg_advisory_xact_lock``: "footwork" in ASCII, as an integer.
_MIGRATION_LOCK = 0x666F6F74776F726B & 0x7FFFFFFFFFFFFFFF

_MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE TABLE IF NOT EXISTS footwork_users ("
        " user_id text PRIMARY KEY,"
        " attributes text NOT NULL,"
        " version bigint NOT NULL,"
        " updated_at timestamptz NOT NULL DEFAULT now())",
        "CREATE INDEX IF NOT EXISTS footwork_users_updated_at ON footwork_users (updated_at)",
    ],
}


class PostgresStore(Store):
    """Persistent attributes in a PostgreSQL table, through a per-process connection pool."""

    kind = "postgresql"

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 4, timeout: float = 10.0) -> None:
        super().__init__()
        self._url = url
        self._min_size = min_size
        self._max_size = max_size
        self._timeout = timeout
        self._lock = threading.Lock()
        self._pool: Any = None
        self._pool_pid = 0
        self._migrated = False

    @classmethod
    def from_url(cls, url: str) -> PostgresStore:
        try:
            import psycopg  # noqa: F401
            import psycopg_pool  # noqa: F401
        except ImportError as error:
            raise StoreError(f"{mask_url(url)} needs psycopg 3 and psycopg-pool: "
                             f"pip install 'footwork[postgres]' ({error})") from error
        return cls(url)

    @property
    def where(self) -> str:
        return mask_url(self._url)

    # -- Store ------------------------------------------------------------------------------------

    def read(self, user_id: str) -> Record | None:
        with self._cursor("reading attributes") as cursor:
            cursor.execute(
                "SELECT attributes, version, updated_at FROM footwork_users WHERE user_id = %s", (user_id,)
            )
            row = cursor.fetchone()
        if row is None:
            return None
        return Record(user_id, decode_document(row[0], self.where), int(row[1]), row[2])

    def write(self, user_id: str, text: str, version: int | None) -> int:
        with self._cursor("saving attributes") as cursor:
            if version is None:
                cursor.execute(
                    "INSERT INTO footwork_users (user_id, attributes, version) VALUES (%s, %s, 1) "
                    "ON CONFLICT (user_id) DO NOTHING RETURNING version",
                    (user_id, text),
                )
            elif version < 0:
                cursor.execute(
                    "INSERT INTO footwork_users (user_id, attributes, version) VALUES (%s, %s, 1) "
                    "ON CONFLICT (user_id) DO UPDATE SET attributes = excluded.attributes, "
                    "version = footwork_users.version + 1, updated_at = now() RETURNING version",
                    (user_id, text),
                )
            else:
                cursor.execute(
                    "UPDATE footwork_users SET attributes = %s, version = version + 1, updated_at = now() "
                    "WHERE user_id = %s AND version = %s RETURNING version",
                    (text, user_id, version),
                )
            row = cursor.fetchone()
        if row is None:
            raise StoreConflict(f"PostgreSQL {self.where}: the document changed since it was read")
        return int(row[0])

    def delete(self, user_id: str) -> bool:
        with self._cursor("deleting attributes") as cursor:
            cursor.execute("DELETE FROM footwork_users WHERE user_id = %s", (user_id,))
            return bool(cursor.rowcount)

    def stats(self) -> Stats:
        with self._cursor("counting users") as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE updated_at >= now() - interval '1 day'), "
                "count(*) FILTER (WHERE updated_at >= now() - interval '7 days'), "
                "count(*) FILTER (WHERE updated_at >= now() - interval '30 days') FROM footwork_users"
            )
            row = cursor.fetchone()
        return Stats(*(int(n) for n in row))

    def purge(self, older_than: timedelta) -> int:
        with self._cursor("purging old records") as cursor:
            cursor.execute("DELETE FROM footwork_users WHERE updated_at < now() - %s", (older_than,))
            return int(cursor.rowcount)

    def init(self) -> str:
        self._ensure_schema()
        return f"PostgreSQL {self.where}: table footwork_users is ready (schema version {SCHEMA_VERSION})"

    def ping(self) -> None:
        with self._cursor("answering", migrate=False) as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    def check(self) -> None:
        self._ensure_schema()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = (self._pool, None) if self._pool_pid == os.getpid() else (None, None)
            self._migrated = False
        if pool is not None:
            pool.close()

    # -- internals ---------------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        """Create or upgrade the tables, once per process, in one transaction under an advisory lock."""
        if self._migrated and self._pool_pid == os.getpid():
            return
        import psycopg

        # A direct connection, not the pool: a pool retries a refused connection until its timeout,
        # and a start-up check should fail at once, saying why.
        with self._errors("connecting"), psycopg.connect(self._url, autocommit=True,
                                                         connect_timeout=int(self._timeout)) as connection:
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                connection.execute("CREATE TABLE IF NOT EXISTS footwork_schema (version integer NOT NULL)")
                row = connection.execute("SELECT max(version) FROM footwork_schema").fetchone()
                current = int(row[0]) if row and row[0] is not None else 0
                if current > SCHEMA_VERSION:
                    raise StoreError(f"PostgreSQL {self.where} has schema version {current}, newer than this "
                                     f"Footwork's {SCHEMA_VERSION}; upgrade Footwork")
                for target in range(current + 1, SCHEMA_VERSION + 1):
                    for statement in _MIGRATIONS[target]:
                        connection.execute(statement)  # type: ignore[arg-type]
                if current < SCHEMA_VERSION:
                    connection.execute("DELETE FROM footwork_schema")
                    connection.execute("INSERT INTO footwork_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        self._migrated = True

    def _get_pool(self) -> Any:
        """This process's pool, opened on first use (after any fork)."""
        with self._lock:
            if self._pool is not None and self._pool_pid == os.getpid():
                return self._pool
            from psycopg_pool import ConnectionPool

            # A pool inherited from the parent is left alone: its connections belong to the parent.
            self._pool = ConnectionPool(
                self._url, min_size=self._min_size, max_size=self._max_size, open=False,
                kwargs={"autocommit": True}, timeout=self._timeout, num_workers=1,
                check=ConnectionPool.check_connection, name="footwork",
            )
            self._pool_pid = os.getpid()
            self._migrated = False
            pool = self._pool
        try:
            pool.open(wait=True, timeout=self._timeout)
        except Exception as error:
            with self._lock:
                self._pool = None
            pool.close()
            raise StoreError(f"PostgreSQL {self.where}: cannot connect: {_reason(error)}") from error
        return pool

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        import psycopg
        import psycopg_pool

        try:
            yield
        except StoreError:
            raise
        except (psycopg.Error, psycopg_pool.PoolTimeout, OSError) as error:
            raise StoreError(f"PostgreSQL {self.where}: {action} failed: {_reason(error)}") from error

    @contextmanager
    def _cursor(self, action: str, *, migrate: bool = True) -> Iterator[Any]:
        if migrate:
            self._ensure_schema()
        with self._errors(action), self._get_pool().connection() as connection, connection.cursor() as cursor:
            yield cursor


def _reason(error: BaseException) -> str:
    """An error's first line; libpq repeats itself over several."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

