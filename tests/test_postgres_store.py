"""What only the PostgreSQL store does: its pool never crosses a fork, its schema is migrated once."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from footwork.core.settings import SettingsError
from footwork.skill.stores import open_configured_store, open_store
from footwork.skill.stores.postgres import SCHEMA_VERSION


def test_a_forked_worker_opens_its_own_pool(postgres_server: Any) -> None:
    # gunicorn --preload: the store may have been used in the master before the workers fork.
    store = open_configured_store(postgres_server.new_database())
    store.write("parent", '{"n": 1}', None)

    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            store.write("child", '{"n": 2}', None)
            status = 0 if store.get_by_user_id("parent") == {"n": 1} else 1
        finally:
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(wait_status) == 0
    assert store.get_by_user_id("child") == {"n": 2}
    store.close()


def test_hosts_starting_at_once_migrate_the_schema_once(postgres_server: Any) -> None:
    import psycopg

    url = postgres_server.new_database()
    code = ("import sys; from footwork.skill.stores import open_configured_store; "
            "open_configured_store(sys.argv[1])")
    starts = [subprocess.Popen([sys.executable, "-c", code, url]) for _ in range(4)]

    assert [p.wait(timeout=120) for p in starts] == [0, 0, 0, 0]
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT version FROM footwork_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_a_schema_from_a_newer_footwork_is_refused_at_start_up(postgres_server: Any) -> None:
    import psycopg

    url = postgres_server.new_database()
    with open_store(url) as store:
        store.init()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("UPDATE footwork_schema SET version = %s", (SCHEMA_VERSION + 1,))

    with pytest.raises(SettingsError, match="newer than this Footwork"):
        open_configured_store(url)
