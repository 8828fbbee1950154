"""Progress in DynamoDB, the store for AWS Lambda (``pip install 'footwork[dynamodb]'``).

``FOOTWORK_DB=dynamodb://TABLE?region=eu-west-1`` (``region`` may come from ``AWS_REGION`` instead, as on
Lambda; ``&endpoint_url=http://127.0.0.1:8000`` points at a local DynamoDB). Credentials come from
boto3's usual chain (the Lambda role, ``AWS_PROFILE``, ...).

The client is botocore's, which boto3 hands out too: ``import boto3`` also imports its S3 transfer
manager (and with it ``multiprocessing``), three times what botocore costs a cold start, for nothing
a DynamoDB client uses.

One item per person, keyed by ``user_id``; the document is one JSON string attribute, so DynamoDB's
number type (which boto3 would hand back as ``Decimal``) never gets near it and every store gives back
the same types. Reads are strongly consistent; every write is conditional on the version read. The app
never creates the table: ``footwork data init`` does (on-demand billing, key ``user_id``).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import DB, Record, Stats, Store, StoreConflict, StoreError, decode_document, now

__all__ = ["DynamoDBStore"]

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_HEALTH_KEY = "footwork:health-check"


class DynamoDBStore(Store):
    """Persistent attributes in a DynamoDB table through boto3, one client per process."""

    kind = "dynamodb"

    def __init__(self, table: str, *, region: str | None = None, endpoint_url: str | None = None) -> None:
        super().__init__()
        self.table = table
        self.region = region
        self.endpoint_url = endpoint_url
        self._lock = threading.Lock()
        self._client: Any = None
        self._client_pid = 0

    @classmethod
    def from_url(cls, url: str) -> DynamoDBStore:
        parts = urlsplit(url)
        table = parts.netloc
        if not _TABLE_NAME.match(table):
            raise StoreError(f"{url!r}: the table name must be 3 to 255 letters, digits, '_', '-' or '.' "
                             "(dynamodb://TABLE?region=REGION)")
        query = parse_qs(parts.query)
        unknown = set(query) - {"region", "endpoint_url"}
        if unknown:
            raise StoreError(f"{url!r}: unknown parameter(s) {', '.join(sorted(unknown))} "
                             "(known: region, endpoint_url)")
        try:
            import botocore.session  # noqa: F401
        except ImportError as error:
            raise StoreError(f"{url} needs boto3: pip install 'footwork[dynamodb]' ({error})") from error
        region, endpoint_url = (query.get(name, [None])[-1] for name in ("region", "endpoint_url"))
        return cls(table, region=region, endpoint_url=endpoint_url)

    @property
    def where(self) -> str:
        extra = [f"region={self.region}"] if self.region else []
        extra += [f"endpoint_url={self.endpoint_url}"] if self.endpoint_url else []
        return f"dynamodb://{self.table}" + (f"?{'&'.join(extra)}" if extra else "")

    # -- Store ------------------------------------------------------------------------------------

    def read(self, user_id: str) -> Record | None:
        with self._errors("reading attributes") as client:
            item = client.get_item(TableName=self.table, Key={"user_id": {"S": user_id}},
                                   ConsistentRead=True).get("Item")
        if item is None:
            return None
        return Record(user_id, decode_document(item.get("attributes", {}).get("S"), self.where),
                      _number(item.get("version")), _moment(item.get("updated_at")))

    def write(self, user_id: str, text: str, version: int | None) -> int:
        import botocore.exceptions

        stamp = now().isoformat(timespec="milliseconds")
        with self._errors("saving attributes") as client:
            try:
                if version is not None and version < 0:
                    answer = client.update_item(
                        TableName=self.table, Key={"user_id": {"S": user_id}},
                        UpdateExpression="SET #a = :a, updated_at = :u ADD version :one",
                        ExpressionAttributeNames={"#a": "attributes"},
                        ExpressionAttributeValues={":a": {"S": text}, ":u": {"S": stamp}, ":one": {"N": "1"}},
                        ReturnValues="UPDATED_NEW",
                    )
                    return _number(answer["Attributes"].get("version"))
                new_version = 1 if version is None else version + 1
                item = {"user_id": {"S": user_id}, "attributes": {"S": text},
                        "version": {"N": str(new_version)}, "updated_at": {"S": stamp}}
                if version is None:
                    client.put_item(TableName=self.table, Item=item,
                                    ConditionExpression="attribute_not_exists(user_id)")
                else:
                    client.put_item(TableName=self.table, Item=item, ConditionExpression="version = :v",
                                    ExpressionAttributeValues={":v": {"N": str(version)}})
                return new_version
            except botocore.exceptions.ClientError as error:
                if _code(error) == "ConditionalCheckFailedException":
                    raise StoreConflict(f"DynamoDB {self.where}: the document changed since it was read"
                                        ) from None
                raise

    def delete(self, user_id: str) -> bool:
        with self._errors("deleting attributes") as client:
            answer = client.delete_item(TableName=self.table, Key={"user_id": {"S": user_id}},
                                        ReturnValues="ALL_OLD")
        return bool(answer.get("Attributes"))

    def stats(self) -> Stats:
        moment = now()
        cutoffs = [(moment - timedelta(days=d)).isoformat(timespec="milliseconds") for d in (1, 7, 30)]
        counts = [0, 0, 0, 0]
        with self._errors("counting users") as client:
            for item in self._scan(client, "updated_at"):
                counts[0] += 1
                stamp = item.get("updated_at", {}).get("S", "")
                for index, cutoff in enumerate(cutoffs, start=1):
                    counts[index] += stamp >= cutoff
        return Stats(*counts)

    def purge(self, older_than: timedelta) -> int:
        import botocore.exceptions

        cutoff = (now() - older_than).isoformat(timespec="milliseconds")
        deleted = 0
        with self._errors("purging old records") as client:
            for item in list(self._scan(client, "user_id, updated_at")):
                if item.get("updated_at", {}).get("S", "") >= cutoff:
                    continue
                try:
                    # Conditional: someone who came back since the scan keeps their progress.
                    client.delete_item(TableName=self.table, Key={"user_id": item["user_id"]},
                                       ConditionExpression="updated_at < :cut",
                                       ExpressionAttributeValues={":cut": {"S": cutoff}})
                    deleted += 1
                except botocore.exceptions.ClientError as error:
                    if _code(error) != "ConditionalCheckFailedException":
                        raise
        return deleted

    def init(self) -> str:
        import botocore.exceptions

        with self._errors("creating the table") as client:
            try:
                client.create_table(
                    TableName=self.table, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
                )
                done = "created"
            except botocore.exceptions.ClientError as error:
                if _code(error) != "ResourceInUseException":
                    raise
                done = "already exists"
            client.get_waiter("table_exists").wait(TableName=self.table,
                                                   WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        self._check_key()
        return f"DynamoDB table {self.table} {done} ({self.where})"

    def ping(self) -> None:
        with self._errors("answering") as client:
            client.get_item(TableName=self.table, Key={"user_id": {"S": _HEALTH_KEY}},
                            ProjectionExpression="user_id")

    def check(self) -> None:
        self._check_key()

    def close(self) -> None:
        # The client's connections are closed, the client is kept: making another costs a cold start
        # tens of milliseconds (the app checks the store and closes it before the first request), and
        # one made before a fork is never used after it (see _get_client).
        with self._lock:
            if self._client is not None:
                self._client.close()

    # -- internals ---------------------------------------------------------------------------------

    def _check_key(self) -> None:
        """The table must exist with ``user_id`` (a string) as its only key."""
        import botocore.exceptions

        with self._errors("describing the table") as client:
            try:
                table = client.describe_table(TableName=self.table)["Table"]
            except botocore.exceptions.ClientError as error:
                if _code(error) == "ResourceNotFoundException":
                    raise StoreError(f"DynamoDB {self.where}: there is no table {self.table!r}; create it "
                                     "with `footwork data init`") from None
                raise
        key = [(k["AttributeName"], k["KeyType"]) for k in table.get("KeySchema", [])]
        types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
        if key != [("user_id", "HASH")] or types.get("user_id") != "S":
            raise StoreError(f"DynamoDB {self.where}: table {self.table!r} must have the string key user_id "
                             f"and no sort key (it has {key})")

    def _scan(self, client: Any, projection: str) -> Iterator[dict[str, Any]]:
        paginator = client.get_paginator("scan")
        for page in paginator.paginate(TableName=self.table, ProjectionExpression=projection,
                                       ConsistentRead=True):
            for item in page.get("Items", []):
                if item.get("user_id", {}).get("S") != _HEALTH_KEY:
                    yield item

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is not None and self._client_pid == os.getpid():
                return self._client
            from botocore.config import Config

            session = _session()
            region = self.region or session.get_config_variable("region")
            if not region:
                raise StoreError(f"DynamoDB {self.where}: no AWS region: add ?region=REGION to {DB} "
                                 "or set AWS_REGION")
            config = Config(connect_timeout=3, read_timeout=5,
                            retries={"max_attempts": 3, "mode": "standard"})
            self._client = session.create_client("dynamodb", region_name=region,
                                                 endpoint_url=self.endpoint_url, config=config)
            self._client_pid = os.getpid()
            return self._client

    @contextmanager
    def _errors(self, action: str) -> Iterator[Any]:
        import botocore.exceptions

        started = time.monotonic()
        try:
            yield self._get_client()
        except StoreError:
            raise
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise StoreError(f"DynamoDB {self.where}: {action} failed after "
                             f"{time.monotonic() - started:.1f} s: {error}") from error


_sessions: dict[int, Any] = {}
_sessions_lock = threading.Lock()


def _session() -> Any:
    """One botocore session per process: making one reads every service model again (a third of a second)."""
    import botocore.session

    with _sessions_lock:
        pid = os.getpid()
        if pid not in _sessions:
            _sessions.clear()
            _sessions[pid] = botocore.session.get_session()
        return _sessions[pid]


def _code(error: Any) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def _number(value: Any) -> int:
    try:
        return int(value["N"])
    except (TypeError, KeyError, ValueError):
        return 0


def _moment(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(value["S"])
    except (TypeError, KeyError, ValueError):
        return datetime.fromtimestamp(0).astimezone()
