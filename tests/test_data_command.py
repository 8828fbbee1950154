"""``footwork data`` in a new process, on each real store: init, forget, export, stats, purge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from footwork.skill.stores import open_store
from store_servers import AWS_ENV, PG_PASSWORD

FOOTWORK = Path(sys.executable).with_name("footwork")
A, B = "amzn1.ask.account.A", "amzn1.ask.account.B"


def footwork(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **AWS_ENV, "FOOTWORK_DB": db}
    return subprocess.run([str(FOOTWORK), "data", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def seed(url: str, **people: dict[str, Any]) -> None:
    with open_store(url) as store:
        store.init()
        for user_id, attributes in people.items():
            store.write(user_id, json.dumps(attributes), None)


def test_forget_deletes_one_person_and_says_so(store_url: str) -> None:
    seed(store_url, **{A: {"streak": 1}, B: {"streak": 2}})

    first, again = footwork("forget", A, db=store_url), footwork("forget", A, db=store_url)

    assert first.returncode == 0 and "deleted" in first.stdout
    assert again.returncode == 0 and "nothing was stored" in again.stdout
    with open_store(store_url) as store:
        assert store.get_by_user_id(A) is None and store.get_by_user_id(B) == {"streak": 2}


def test_export_prints_everything_kept_about_one_person_as_json(store_url: str) -> None:
    seed(store_url, **{A: {"completed": [{"routine": "ankle", "date": "2024-05-01"}], "page": 3}})

    result = footwork("export", A, db=store_url)

    assert result.returncode == 0, result.stderr
    exported = json.loads(result.stdout)
    assert exported["user_id"] == A and exported["version"] == 1
    assert exported["attributes"] == {"completed": [{"routine": "ankle", "date": "2024-05-01"}], "page": 3}
    missing = footwork("export", B, db=store_url)
    assert missing.returncode == 1 and "nothing is stored" in missing.stderr


def test_stats_prints_counts_and_no_ids(store_url: str) -> None:
    seed(store_url, **{A: {"streak": 1}, B: {"streak": 2}})

    result = footwork("stats", db=store_url)

    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["users"] == 2 and stats["active_last_day"] == 2
    assert "amzn1" not in result.stdout


def test_purge_deletes_people_not_seen_for_the_given_days(store_url: str) -> None:
    seed(store_url, **{A: {"streak": 1}})

    kept = footwork("purge", "--older-than", "30", db=store_url)
    refused = footwork("purge", "--older-than", "0", db=store_url)

    assert kept.returncode == 0 and "0 person(s)" in kept.stdout
    assert refused.returncode == 2 and "more than 0 days" in refused.stderr
    with open_store(store_url) as store:
        assert store.get_by_user_id(A) == {"streak": 1}


def test_init_creates_the_dynamodb_table_once_and_the_app_can_then_use_it(moto_server: Any) -> None:
    url = moto_server.url("footwork-init")

    before = footwork("stats", db=url)
    first, second = footwork("init", db=url), footwork("init", db=url)

    assert before.returncode == 1 and "footwork data init" in before.stderr
    assert first.returncode == 0 and "created" in first.stdout
    assert second.returncode == 0 and "already exists" in second.stdout
    assert footwork("stats", db=url).returncode == 0


def test_init_creates_the_postgresql_schema(postgres_server: Any) -> None:
    url = postgres_server.new_database()

    result = footwork("init", db=url)

    assert result.returncode == 0, result.stderr
    assert "footwork_users" in result.stdout and PG_PASSWORD not in result.stdout


@pytest.mark.parametrize("args", [("forget", "x" * 600), ("export", "a\nb")])
def test_a_user_id_that_cannot_be_amazons_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = footwork(*args, db=str(tmp_path / "f.sqlite3"))

    assert result.returncode == 2 and "user id" in result.stderr


def test_an_unreachable_store_is_one_line_naming_the_setting_without_a_traceback() -> None:
    result = footwork("stats", db="postgresql://footwork:hunter2@127.0.0.1:1/footwork")

    assert result.returncode == 1
    assert result.stderr.startswith("footwork: FOOTWORK_DB:") and "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
