"""Where Footwork keeps each person's progress: one interface, several stores, chosen by ``FOOTWORK_DB``.

``FOOTWORK_DB`` is a path (a SQLite file) or a URL whose scheme names the store:

==========================================================  ==================================================
``/var/lib/footwork/footwork.sqlite3``, ``sqlite:///path``  one SQLite file (the default: in the user data
                                                            folder); one machine, any number of workers
``postgresql://user:pass@host:5432/db``                     PostgreSQL (``pip install 'footwork[postgres]'``)
``dynamodb://TABLE?region=eu-west-1``                       DynamoDB (``pip install 'footwork[dynamodb]'``);
                                                            ``&endpoint_url=http://...`` for a local one
==========================================================  ==================================================

Stores are found through the ``footwork.stores`` entry-point group (name = URL scheme, value = a
:class:`Store` subclass), so another store can be added by ``pip install``.

Every store keeps, per Amazon user id, one JSON document (the skill's persistent attributes) with a
version number. A write names the version it read and fails with :class:`StoreConflict` when someone
wrote in between (optimistic concurrency); :mod:`footwork.skill.optimistic` then runs the request
again on the fresh document, so two devices of one person never lose a completion.

The rules every store shares live here: what a user id may be (:func:`check_user_id`), what a
document may hold (:func:`encode_document`: JSON object, string keys, no health information, no NUL
characters, at most :data:`MAX_DOCUMENT_BYTES`) and what happens to a stored document that no longer
fits (:func:`decode_document`: logged, treated as empty, never an error for the person).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import time
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import EntryPoint, entry_points
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit, urlunsplit

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope
from footwork.core.settings import DB, SettingsError

__all__ = [
    "ENTRY_POINT_GROUP",
    "FORBIDDEN_KEYS",
    "MAX_DOCUMENT_BYTES",
    "MAX_USER_ID_LENGTH",
    "Health",
    "Record",
    "Stats",
    "Store",
    "StoreConflict",
    "StoreError",
    "check_user_id",
    "decode_document",
    "store_entries",
    "encode_document",
    "mask_url",
    "open_configured_store",
    "open_store",
    "store_classes",
]

log = logging.getLogger("footwork.stores")

#: Entry-point group of store classes; each entry's name is the URL scheme it serves.
ENTRY_POINT_GROUP = "footwork.stores"

#: DynamoDB refuses items over 400 KB; the key, version and timestamp need a few KB of that. Every
#: store keeps the same limit, so a document that fits one store fits all of them.
MAX_DOCUMENT_BYTES = 400 * 1024 - 4 * 1024

#: Amazon's user ids are about 200 characters; anything much longer is not from Amazon.
MAX_USER_ID_LENGTH = 512

#: Attribute keys that would hold information about a person's health. Alexa certification policy for
#: health skills: a skill must not collect information about a person's physical or mental health
#: ("recording which routines someone completed is fine; recording their pain is health information").
#: Keys are compared after lower-casing and dropping everything but letters and digits, so ``painLevel``,
#: ``pain-level`` and ``Pain_Level`` all match ``pain_level``.
FORBIDDEN_KEYS: frozenset[str] = frozenset(
    {
        "pain", "pain_level", "pain_score", "injury", "injuries", "symptom", "symptoms", "condition",
        "conditions", "diagnosis", "diagnoses", "medication", "medications", "medical_history", "health",
        "health_status",
    }
)


def _normalise_key(key: str) -> str:
    """Reduce a key to lower-case letters and digits, so spelling variants of a forbidden key match."""
    return re.sub(r"[^0-9a-z]", "", key.lower())


_FORBIDDEN_NORMALISED: frozenset[str] = frozenset(_normalise_key(key) for key in FORBIDDEN_KEYS)
#: The same keys come back with every save (a routine's id, "place"...): each is normalised once. Bounded,
#: so a document full of odd keys cannot grow it.
_normalised_key = functools.lru_cache(maxsize=4096)(_normalise_key)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class StoreError(PersistenceException):
    """The store cannot do what was asked: the message names the store (never its password)."""


class StoreConflict(StoreError):
    """Someone else wrote this person's document since it was read; read again and redo the change."""


@dataclass(frozen=True)
class Record:
    """One person's stored document, with its version and when it was last written."""

    user_id: str
    attributes: dict[str, Any]
    version: int
    updated_at: datetime
    #: The document's text as stored, when the store has it: a save of the same text is skipped.
    text: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Stats:
    """Counts only: how many people have progress stored, and how many wrote lately. Never an id."""

    users: int
    active_last_day: int
    active_last_week: int
    active_last_month: int

    def as_json(self) -> dict[str, int]:
        return {
            "users": self.users,
            "active_last_day": self.active_last_day,
            "active_last_week": self.active_last_week,
            "active_last_month": self.active_last_month,
        }


@dataclass(frozen=True)
class Health:
    """Whether the store answered a trivial request, and how long it took."""

    kind: str
    where: str
    ok: bool
    latency_ms: float
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "where": self.where, "answers": self.ok,
                                "latency_ms": round(self.latency_ms, 2)}
        if self.error:
            body["error"] = self.error
        return body


# --- the rules every store shares -----------------------------------------------------------------


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit for logs, errors and /healthz."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check_user_id(user_id: object) -> str:
    """Amazon's user id as a key: a non-empty string of printable characters, of reasonable length."""
    if not isinstance(user_id, str) or not user_id:
        raise StoreError("the user id must be a non-empty string")
    if len(user_id) > MAX_USER_ID_LENGTH:
        raise StoreError(f"the user id is {len(user_id)} characters long (limit {MAX_USER_ID_LENGTH})")
    if _CONTROL.search(user_id):
        raise StoreError("the user id contains control characters")
    return user_id


def user_id_of(request_envelope: RequestEnvelope) -> str:
    """Find Amazon's user id: ``context.System.user`` first, then ``session.user`` (older requests)."""
    context = getattr(request_envelope, "context", None)
    system = getattr(context, "system", None)
    user_id = getattr(getattr(system, "user", None), "user_id", None)
    if not user_id:
        session = getattr(request_envelope, "session", None)
        user_id = getattr(getattr(session, "user", None), "user_id", None)
    if user_id is None or user_id == "":
        raise StoreError(
            "Cannot find the user id in the request envelope (context.System.user.userId or "
            "session.user.userId)"
        )
    return check_user_id(user_id)


def encode_document(attributes: Mapping[str, Any], where: str) -> str:
    """Check a document against every store's rules and serialise it to compact JSON text.

    Refused (:class:`StoreError`, nothing written): not a dict, a non-string key (JSON would turn
    ``{1: ...}`` into ``{"1": ...}``), a key that looks like health information, a NUL character
    (PostgreSQL cannot store one), a value JSON cannot hold, or text over :data:`MAX_DOCUMENT_BYTES`.
    """
    if not isinstance(attributes, Mapping):
        raise StoreError(f"Not saving to {where}: attributes must be a dict, not {type(attributes).__name__}")
    try:
        if _has_problem(attributes):
            _check_value(attributes, "attributes", where)  # names the problem (and raises)
        text = _ENCODER.encode(attributes)
    except (TypeError, ValueError, RecursionError) as error:
        raise StoreError(f"Not saving to {where}: attributes are not JSON-serialisable ({error})") from error
    size = len(text.encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        raise StoreError(f"Not saving to {where}: the document is {size} bytes (limit {MAX_DOCUMENT_BYTES}, "
                         "set by DynamoDB's 400 KB item limit)")
    return text


#: What ``json.dumps(attributes, allow_nan=False, ensure_ascii=False, separators=(",", ":"))`` uses, made
#: once: ``dumps`` builds this same encoder for every call. It keeps no state between calls (each
#: ``encode`` starts its own circular-reference markers), so threads can share it.
_ENCODER = json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))

#: Values that can hold no key and no text: nothing in them to check.
_LEAVES: frozenset[type] = frozenset({int, float, bool, type(None)})


@functools.lru_cache(maxsize=4096)
def _bad_key(key: str) -> bool:
    """Whether :func:`_check_value` refuses ``key`` itself (a NUL, or health information). The same keys
    come back with every save, so each is judged once; bounded, so odd keys cannot grow it."""
    return "\x00" in key or _normalise_key(key) in _FORBIDDEN_NORMALISED


def _has_problem(value: object) -> bool:
    """Whether :func:`_check_value` would refuse ``value``: the same rules, told without building an
    error path for every key, since nearly every document saved has no problem at all.

    Plain dicts, lists and strings (all that JSON parsing and the handlers make) are told by their
    exact type, which is cheaper than ``isinstance`` against ``Mapping``; anything else goes through the
    same ``isinstance`` tests as :func:`_check_value`.
    """
    items: Iterable[object] | None = None
    if type(value) is dict:
        mapping = cast("dict[object, object]", value)
        for key in mapping:
            if type(key) is str:
                if _bad_key(key):
                    return True
            elif (not isinstance(key, str) or "\x00" in key
                  or _normalised_key(key) in _FORBIDDEN_NORMALISED):
                return True
        items = mapping.values()
    elif type(value) is list:
        items = cast("list[object]", value)
    if items is not None:
        for item in items:
            if type(item) is str:
                if "\x00" in item:
                    return True
            elif type(item) not in _LEAVES and _has_problem(item):
                return True
        return False
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or "\x00" in key or _normalised_key(key) in _FORBIDDEN_NORMALISED:
                return True
            if type(item) not in _LEAVES and _has_problem(item):
                return True
    elif isinstance(value, list | tuple):
        for item in value:
            if type(item) not in _LEAVES and _has_problem(item):
                return True
    return False


def _check_value(value: object, path: str, where: str) -> None:
    """Refuse non-string keys, health-information keys and NUL characters anywhere inside ``value``.

    The error names where the problem is but never the value stored there.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise StoreError(f"Not saving to {where}: {path} contains a NUL character")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise StoreError(f"Not saving to {where}: {path} has a non-string key {key!r}")
            if "\x00" in key:
                raise StoreError(f"Not saving to {where}: {path} has a key with a NUL character")
            if _normalise_key(key) in _FORBIDDEN_NORMALISED:
                raise StoreError(
                    f"Not saving to {where}: {path}[{key!r}] looks like health information, "
                    "which Footwork must not store (Alexa health-skill policy)"
                )
            _check_value(item, f"{path}[{key!r}]", where)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]", where)


def decode_document(text: object, where: str) -> dict[str, Any]:
    """A stored document as a dict; one that no longer fits is logged and read as empty.

    A document from an older Footwork or edited by hand must never turn a person's request into an
    error: they start afresh, and the next write replaces the bad document.
    """
    try:
        attributes = json.loads(text) if isinstance(text, str | bytes) else None
    except (ValueError, RecursionError) as error:
        log.warning("%s: a stored document is not valid JSON (%s); treating it as empty", where, error)
        return {}
    if not isinstance(attributes, dict):
        log.warning("%s: a stored document is %s, not a JSON object; treating it as empty",
                    where, type(attributes).__name__)
        return {}
    return attributes


def now() -> datetime:
    return datetime.now(UTC)


# --- the interface --------------------------------------------------------------------------------


class Store(AbstractPersistenceAdapter):
    """Persistent attributes, one JSON document per Amazon user id, with optimistic concurrency.

    Give a store to ``CustomSkillBuilder(persistence_adapter=...)``. Subclasses implement the
    abstract methods below and call ``super().__init__()``; the ask-sdk methods, the version
    bookkeeping and the shared rules are here. ``from_url`` builds one from ``FOOTWORK_DB``;
    constructing never connects: :meth:`check` (at start-up) or the first request does.
    """

    #: What /healthz and ``footwork data stats`` call this kind of store.
    kind: ClassVar[str] = "store"

    def __init__(self) -> None:
        # The version each thread last read, per user: a save writes only over that version.
        self._read_versions = threading.local()

    @classmethod
    @abstractmethod
    def from_url(cls, url: str) -> Store:
        """Build the store ``url`` names; :class:`StoreError` (naming FOOTWORK_DB) if it makes no sense."""

    @property
    @abstractmethod
    def where(self) -> str:
        """Where the store is, for people to read: a path, or the URL with its password masked."""

    # -- what each store implements ----------------------------------------------------------------

    @abstractmethod
    def read(self, user_id: str) -> Record | None:
        """The stored record for ``user_id``, or None. A malformed document reads as ``{}``."""

    @abstractmethod
    def write(self, user_id: str, text: str, version: int | None) -> int:
        """Store ``text`` for ``user_id`` if its version is still ``version`` (None: no record yet).

        Returns the new version; raises :class:`StoreConflict` when the stored version differs.
        ``version=-1`` writes whatever is stored (a handler that replaced the document unread).
        """

    @abstractmethod
    def delete(self, user_id: str) -> bool:
        """Delete everything stored for ``user_id``; True if there was something."""

    @abstractmethod
    def stats(self) -> Stats:
        """Counts of stored people; never an id."""

    @abstractmethod
    def purge(self, older_than: timedelta) -> int:
        """Delete every record last written more than ``older_than`` ago; return how many."""

    @abstractmethod
    def init(self) -> str:
        """Create what the store needs (schema, table); idempotent. Returns what was done, for people."""

    @abstractmethod
    def ping(self) -> None:
        """Ask the store something trivial; raise :class:`StoreError` if it does not answer."""

    def check(self) -> None:
        """At start-up: raise :class:`StoreError` naming FOOTWORK_DB unless the store can be used."""
        self.ping()

    def close(self) -> None:
        """Release connections this process holds; the store stays usable."""

    # -- AbstractPersistenceAdapter ---------------------------------------------------------------

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, object]:
        """The requesting user's document, ``{}`` for someone new; remembers the version for the save."""
        user_id = user_id_of(request_envelope)
        record = self.read(user_id)
        self._read_versions.last = (user_id, None, None) if record is None else (
            user_id, record.version, record.text)
        return {} if record is None else record.attributes

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, object]) -> None:
        """Write the requesting user's document over the version read in this request.

        Raises :class:`StoreConflict` when someone else wrote in between, and :class:`StoreError` when
        the document breaks a rule (see :func:`encode_document`); either way the stored state is kept.
        A document whose text is the one read (nothing changed) is not written at all: that request
        changed nothing, so it cannot lose anyone's change, whatever was written since the read.
        """
        user_id = user_id_of(request_envelope)
        text = encode_document(attributes, self.where)
        last = getattr(self._read_versions, "last", None)
        if last is not None and last[0] == user_id:
            version = last[1]
            if last[2] is not None and last[2] == text:
                return
        else:
            version = -1
        new_version = self.write(user_id, text, version)
        self._read_versions.last = (user_id, new_version, text)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the requesting user entirely (deleting twice is harmless)."""
        user_id = user_id_of(request_envelope)
        self.delete(user_id)
        self._read_versions.last = (user_id, None, None)

    # -- for the skill, the CLI and tests -------------------------------------------------------

    def get_by_user_id(self, user_id: str) -> dict[str, Any] | None:
        """The document stored for ``user_id``, or None if there is none."""
        record = self.read(check_user_id(user_id))
        return None if record is None else record.attributes

    def count_users(self) -> int:
        return self.stats().users

    def health(self) -> Health:
        """Ping the store and time it; never raises, never shows a password."""
        started = time.perf_counter()
        try:
            self.ping()
        except StoreError as error:
            return Health(self.kind, self.where, False, (time.perf_counter() - started) * 1000, str(error))
        return Health(self.kind, self.where, True, (time.perf_counter() - started) * 1000)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.where!r})"


# --- choosing a store -------------------------------------------------------------------------------


def store_entries() -> dict[str, list[EntryPoint]]:
    """URL scheme -> the ``footwork.stores`` entry points naming it, in the order Python finds them,
    none loaded: the scan reads names only, so a store nobody asked for is never imported."""
    found: dict[str, list[EntryPoint]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name.lower(), []).append(entry)
    return found


def _load_store_class(entries: list[EntryPoint]) -> type[Store] | None:
    """The first of ``entries`` that loads as a :class:`Store` class; broken ones logged and skipped."""
    for entry in entries:
        try:
            loaded = entry.load()
        except Exception as error:  # noqa: BLE001 - any import error in someone else's package
            log.warning("store %r (%s) failed to load: %s", entry.name, entry.value, error)
            continue
        if isinstance(loaded, type) and issubclass(loaded, Store):
            return loaded
        log.warning("store %r (%s) is not a footwork Store class", entry.name, entry.value)
    return None


def store_classes() -> dict[str, type[Store]]:
    """URL scheme -> store class, from the ``footwork.stores`` entry points (Footwork's own included),
    every one loaded (``open_store`` loads only the one it needs).

    A broken third-party entry point is logged and skipped: it must not take the other stores down.
    """
    found: dict[str, type[Store]] = {}
    for scheme, entries in store_entries().items():
        loaded = _load_store_class(entries)
        if loaded is not None:
            found[scheme] = loaded
    return found


def open_store(value: str | None, *, on_lambda: bool = False) -> Store:
    """The store ``FOOTWORK_DB`` names (None: the default SQLite file). Does not connect yet.

    On AWS Lambda a SQLite file is refused: each instance would have its own, and it vanishes with
    the instance, so people would lose their place.
    """
    if value is None or "://" not in value:
        if on_lambda:
            raise StoreError(
                f"on AWS Lambda progress must be kept in DynamoDB, not a SQLite file "
                f"({'unset' if value is None else repr(value)}): each Lambda instance has its own /tmp, "
                "lost when the instance is recycled. Set FOOTWORK_DB=dynamodb://TABLE?region=REGION "
                "(create the table with `footwork data init`)."
            )
        from .sqlite import SQLiteStore, default_database_path

        return SQLiteStore(value if value is not None else default_database_path())
    scheme = value.split("://", 1)[0].lower()
    if scheme == "sqlite" and on_lambda:
        return open_store(value.split("://", 1)[1] or "", on_lambda=True)
    entries = store_entries()
    store_class = _load_store_class(entries.get(scheme, []))
    if store_class is None:
        # Only the scheme asked for was loaded: the others are listed by name.
        known = ", ".join(sorted(name for name in entries if name != scheme)) or "none"
        raise StoreError(f"unknown store {scheme!r} in {mask_url(value)!r} (known: {known}; "
                         "a path means a SQLite file)")
    return store_class.from_url(value)


def open_configured_store(value: str | None, *, on_lambda: bool = False) -> Store:
    """The store ``FOOTWORK_DB`` names, checked now: a service must not start on a store it cannot use.

    Raises :class:`~footwork.core.settings.SettingsError` naming ``FOOTWORK_DB`` (password masked) for an
    unknown scheme, a missing driver, an unreachable store or a missing table. The store is closed again
    after the check, so no connection or pool crosses a later ``fork()``.
    """
    try:
        store = open_store(value, on_lambda=on_lambda)
        store.check()
    except StoreError as error:
        raise SettingsError(DB, str(error)) from None
    store.close()
    return store
