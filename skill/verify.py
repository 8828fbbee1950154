"""Check that an HTTP request really comes from Alexa.

A skill served from our own web service (rather than AWS Lambda) must prove to Amazon's certification
that it refuses requests Alexa did not send: each request carries a signature over its raw body and the
URL of the certificate chain that signed it.  :class:`RequestVerifier` applies Amazon's rules, in this
order, and stops at the first that fails:

1. the ``SignatureCertChainUrl`` header and a signature header are present, the signature base64 of
   an RSA signature's length (``Signature-256``; the legacy SHA-1 ``Signature`` only when there is no
   ``Signature-256`` at all, so a blank one is refused rather than downgraded);
2. the certificate URL points into Amazon's ``echo.api`` bucket over HTTPS;
3. ``request.timestamp`` is recent (150 s; one hour for ``AlexaSkillEvent.*``), which stops replays;
4. the application id is one of ours, when the verifier was told which ones those are;
5. the chain served at the URL is in date, names ``echo-api.amazon.com``, has an RSA key of at least
   2048 bits allowed to sign, and leads to a trusted root;
6. the signature matches the body, byte for byte as received.

Steps 1-4 cost no download, so a forged request is refused before any: the one cost a forger can
cause, step 5, is bounded. The chain of each URL (in its normal form, so ``?n=1`` variants count as
one) is downloaded once and remembered; a failed one is remembered for a minute; concurrent requests
for one URL share one download, and at most :data:`MAX_CONCURRENT_DOWNLOADS` run at once, each under
one deadline from connecting to the last byte.

Every failure raises :class:`VerificationError`, whose message is short and safe to send back in an
HTTP 400 reason; certification sends bad requests on purpose and fails a skill that answers them with
anything but 400, so no other exception may escape for bad input.

Typical use, in a Flask view::

    verifier = RequestVerifier(skill_ids={"amzn1.ask.skill.1234"})

    try:
        verifier.verify(request.headers, request.get_data())
    except VerificationError as exc:
        return {"error": str(exc)}, 400

The ask-sdk ``webservice-support`` verifier is not used: it is unmaintained and downloads the chain
without a timeout.  Everything here rests on ``cryptography`` alone.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import os
import posixpath
import re
import socket
import ssl
import threading
import time
import urllib.parse
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Generic, Protocol, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification as x509_verification

__all__ = [
    "CERTIFICATE_CACHE_SIZE",
    "ECHO_API_DOMAIN",
    "FAILURE_CACHE_TTL",
    "MAX_CONCURRENT_DOWNLOADS",
    "MIN_RSA_KEY_BITS",
    "SKILL_EVENT_TOLERANCE",
    "TIMESTAMP_TOLERANCE",
    "RequestVerifier",
    "VerificationError",
    "default_fetch_certificate",
]

#: The DNS name Amazon's signing certificate must carry in its subject alternative names.
ECHO_API_DOMAIN: Final = "echo-api.amazon.com"

#: How far ``request.timestamp`` may be from our clock, either way (Amazon's rule).
TIMESTAMP_TOLERANCE: Final = timedelta(seconds=150)

#: The tolerance for skill events (``AlexaSkillEvent.*``), which Amazon may deliver late.
SKILL_EVENT_TOLERANCE: Final = timedelta(hours=1)

#: How many certificate URLs a verifier remembers.  Amazon uses one URL at a time and rotates it about
#: once a year, so a few suffice; the bound stops forged URLs from growing memory without limit.
CERTIFICATE_CACHE_SIZE: Final = 32

#: How long a certificate URL whose download or chain failed is refused from memory.  Forged requests
#: repeat; each repeat within this window costs no download.  Short, so a passing outage heals itself.
FAILURE_CACHE_TTL: Final = timedelta(seconds=60)

#: Certificate downloads at once, over all URLs.  Forged requests naming many URLs wait for a slot
#: (or are refused) instead of each opening a connection.
MAX_CONCURRENT_DOWNLOADS: Final = 4

#: The smallest RSA key a signing certificate may have (Amazon's are 2048 bits).
MIN_RSA_KEY_BITS: Final = 2048

#: Byte lengths of an RSA signature by a 2048, 3072 or 4096-bit key: anything else is refused unread.
_SIGNATURE_LENGTHS: Final = frozenset({256, 384, 512})
_FAILURE_CACHE_SIZE: Final = 1024

_CERT_URL_HOST: Final = "s3.amazonaws.com"
_CERT_URL_PATH_PREFIX: Final = "/echo.api/"
_HEADER_CERT_URL: Final = "signaturecertchainurl"
_HEADER_SIGNATURE_256: Final = "signature-256"
_HEADER_SIGNATURE_SHA1: Final = "signature"

_FETCH_TIMEOUT: Final = 5.0  # seconds; Alexa waits about 8 s for the whole answer
_FETCH_MAX_BYTES: Final = 256 * 1024  # Amazon's chains are about 6 KiB

#: The header names as Alexa spells them (and the web app passes them), with their lower-case forms.
_USUAL_HEADER_NAMES: Final = {
    "SignatureCertChainUrl": _HEADER_CERT_URL,
    "Signature-256": _HEADER_SIGNATURE_256,
    "Signature": _HEADER_SIGNATURE_SHA1,
}

# Stateless, so one of each serves every request (cryptography keeps no state in them).
_PKCS1V15: Final = padding.PKCS1v15()
_SHA256: Final = hashes.SHA256()
_SHA1: Final = hashes.SHA1()

_MAX_TIMESTAMP_CHARS: Final = 64
_MAX_SHOWN_CHARS: Final = 80
_PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class VerificationError(Exception):
    """A request failed verification and must be answered with HTTP 400.

    The message names the failed check first (``"signature: does not match the body"``) and holds
    nothing secret, so it may go back to the caller as the reason for the refusal.
    """


def _fail(check: str, reason: str) -> VerificationError:
    return VerificationError(f"{check}: {reason}")


def _shown(value: object) -> str:
    """``repr`` of an untrusted value, cut short so that error messages stay small."""
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 3] + "..."


def _shown_text(value: str) -> str:
    """An untrusted string as is when short and printable (an id reads better without quotes)."""
    if not value.isprintable() or len(value) > _MAX_SHOWN_CHARS:
        return _shown(value)
    return value


def _describe_duration(seconds: float) -> str:
    seconds = round(abs(seconds))
    if seconds < 600:  # in seconds up to here, so that "151 s" reads against a "limit 150 s"
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} minutes"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours"
    return f"{seconds // 86400} days"


def _format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# --------------------------------------------------------------------------------------------------
# Downloading the certificate chain
# --------------------------------------------------------------------------------------------------


def default_fetch_certificate(
    url: str, *, timeout: float = _FETCH_TIMEOUT, max_bytes: int = _FETCH_MAX_BYTES
) -> bytes:
    """Download the PEM certificate chain at ``url`` and return its bytes.

    This is what :class:`RequestVerifier` uses unless given ``fetch_certificate``.  It speaks HTTPS
    only (refusing anything else before touching the network), follows no redirects, refuses answers
    over ``max_bytes``, and gives up ``timeout`` seconds after it started, whatever stage it is at:
    one deadline covers connecting, the TLS handshake, the headers and the body, so a server dripping
    bytes cannot hold a worker for longer (a watchdog shuts the socket down when time is up).  The
    download happens while Alexa waits for our answer.  Caching is the verifier's job, not this one's.

    :raises VerificationError: for a non-HTTPS URL or any failure to download.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        scheme, host, port = parts.scheme, parts.hostname, parts.port or 443
    except (ValueError, TypeError, AttributeError):
        raise _fail("certificate URL", f"cannot be parsed: {_shown(url)}") from None
    if scheme.lower() != "https":
        raise _fail("certificate URL", f"refusing to download over {scheme or 'no scheme'!r}, only https")
    if not host:
        raise _fail("certificate URL", f"has no host: {_shown(url)}")
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))

    deadline = time.monotonic() + timeout
    current: list[socket.socket] = []
    expired = threading.Event()

    def abort() -> None:
        expired.set()
        for sock in current:
            try:  # the plain socket method: it wakes a read blocked in another thread, TLS or not
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(timeout, abort)
    watchdog.daemon = True
    watchdog.start()
    connection: http.client.HTTPConnection | None = None
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
        current.append(raw)
        if expired.is_set():
            raise TimeoutError
        context = ssl.create_default_context()
        tls = context.wrap_socket(raw, server_hostname=host)
        current[:] = [tls]
        if expired.is_set():
            raise TimeoutError
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.sock = tls  # already connected: http.client only speaks HTTP over it
        connection.request("GET", target, headers={"Host": parts.netloc, "Connection": "close"})
        response = connection.getresponse()
        if response.status != 200:  # redirects included: they could lead anywhere
            raise _fail("certificate URL", f"download answered HTTP {response.status}")
        announced = response.headers.get("Content-Length")
        if announced is not None and announced.isdigit() and int(announced) > max_bytes:
            raise _fail("certificate URL", f"download is larger than {max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(16 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise _fail("certificate URL", f"download is larger than {max_bytes} bytes")
            chunks.append(chunk)
        if expired.is_set() or time.monotonic() > deadline:
            raise TimeoutError
    except VerificationError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # OSError covers timeouts, refused connections and TLS failures (ssl.SSLError is one).
        if expired.is_set() or isinstance(exc, TimeoutError) or time.monotonic() > deadline:
            raise _fail("certificate URL", f"download took longer than {timeout:g} s") from None
        if isinstance(exc, ssl.SSLCertVerificationError):
            raise _fail("certificate URL", f"download failed: {_shown(exc.verify_message)}") from None
        raise _fail("certificate URL", f"download failed: {type(exc).__name__}") from None
    finally:
        watchdog.cancel()
        if connection is not None:
            connection.close()
        for sock in current:
            sock.close()
    return b"".join(chunks)


# --------------------------------------------------------------------------------------------------
# Trust roots
# --------------------------------------------------------------------------------------------------


def _parse_pem_bundle(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle that ``cryptography`` can read, skipping the rest.

    ``load_pem_x509_certificates`` gives up on a whole bundle for one odd entry; a system store with
    one certificate we cannot read should still trust all the others.
    """
    certificates = []
    # Some store roots (the Starfield ones Amazon's chains cross-sign to) have serial number 0, for
    # which cryptography warns on every parse.  We cannot fix the store, so the warning is only noise.
    # catch_warnings is process-wide for its duration, but it lasts one parse, done once per process.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for block in _PEM_CERTIFICATE.findall(data):
            try:
                certificates.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return certificates


def _read_pem_file(path: str) -> list[x509.Certificate]:
    try:
        with open(path, "rb") as file:
            return _parse_pem_bundle(file.read())
    except OSError:  # unreadable: treat as absent, the next source may do
        return []


_default_roots_lock = threading.Lock()
_default_roots: list[x509.Certificate] | None = None


def _load_default_trust_roots() -> list[x509.Certificate]:
    """The roots of the system trust store, else of ``certifi``; loaded once per process.

    :raises VerificationError: when neither exists, so the operator learns why every request fails.
    """
    global _default_roots
    with _default_roots_lock:
        if _default_roots is not None:
            return _default_roots
        paths = ssl.get_default_verify_paths()
        bundles = [paths.cafile]
        try:
            import certifi
        except ImportError:
            pass
        else:
            bundles.append(certifi.where())
        for bundle in bundles:
            if bundle and os.path.isfile(bundle):
                roots = _read_pem_file(bundle)
                if roots:
                    _default_roots = roots
                    return roots
        # A hashed certificate directory (capath) is the last resort: slower to read, same content.
        if paths.capath and os.path.isdir(paths.capath):
            roots = []
            for entry in sorted(os.scandir(paths.capath), key=lambda e: e.name):
                if entry.is_file():
                    roots.extend(_read_pem_file(entry.path))
            if roots:
                _default_roots = roots
                return roots
    raise _fail(
        "certificate chain",
        "no trust store found (no system CA bundle and certifi is not installed); pass trust_roots",
    )


# --------------------------------------------------------------------------------------------------
# Certificate URL and chain
# --------------------------------------------------------------------------------------------------


def _check_certificate_url(url: str) -> str:
    """Refuse a certificate URL outside ``https://s3.amazonaws.com[:443]/echo.api/``; return it normalised.

    The normal form (``https://s3.amazonaws.com/echo.api/...``: scheme and host in lower case, no
    port, dot segments resolved, no query or fragment) is what gets downloaded and what the cache is
    keyed by, so ``?n=1``, ``?n=2``... or ``/./`` variants of one URL cost one download between them.

    The chain check alone would refuse a chain not issued to ``echo-api.amazon.com``; this rule is
    Amazon's defence in depth, and it runs before any download so that a caller cannot make the
    server fetch URLs of its choosing.
    """
    if not url.isascii() or any(char.isspace() or not char.isprintable() for char in url):
        raise _fail("certificate URL", "contains spaces, control or non-ASCII characters")
    if "\\" in url:
        # Some HTTP stacks read a backslash as a slash, which would let one hide a "..".
        raise _fail("certificate URL", "contains a backslash")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise _fail("certificate URL", f"cannot be parsed: {_shown(url)}") from None
    if parts.scheme.lower() != "https":
        raise _fail("certificate URL", f"scheme must be https, got {_shown(parts.scheme)}")
    if "@" in parts.netloc:
        raise _fail("certificate URL", "must not contain user information")
    host = parts.hostname or ""
    if host != _CERT_URL_HOST:  # urlsplit lower-cases the host name
        raise _fail("certificate URL", f"host must be {_CERT_URL_HOST}, got {_shown(host)}")
    if port is not None and port != 443:
        raise _fail("certificate URL", f"port must be 443, got {port}")
    # Decode before normalising so that "%2e%2e" or "%2F" cannot smuggle a ".." past normpath.
    path = posixpath.normpath(urllib.parse.unquote(parts.path)) if parts.path else ""
    if not path.startswith(_CERT_URL_PATH_PREFIX):
        raise _fail(
            "certificate URL", f"path must start with {_CERT_URL_PATH_PREFIX}, got {_shown(parts.path)}"
        )
    return f"https://{_CERT_URL_HOST}{urllib.parse.quote(path, safe='/')}"


@dataclass(frozen=True, slots=True)
class _TrustedChain:
    """A chain that passed path validation, kept so that the next request skips that work."""

    public_key: rsa.RSAPublicKey
    #: The window in which every certificate of the validated path is in date.  Validation depends
    #: on the time only through these dates, so inside it the earlier result still holds.
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True, slots=True)
class _FailedChain:
    """A certificate URL whose download or chain failed, remembered until ``until``."""

    reason: str
    until: datetime


_Entry = TypeVar("_Entry")


class _BoundedLRU(Generic[_Entry]):
    """A thread-safe, size-bounded LRU map from certificate URL to an entry."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None:
                self._entries.move_to_end(url)
            return entry

    def put(self, url: str, entry: _Entry) -> None:
        with self._lock:
            self._entries[url] = entry
            self._entries.move_to_end(url)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def discard(self, url: str) -> None:
        with self._lock:
            self._entries.pop(url, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class _ChainCache(_BoundedLRU[_TrustedChain]):
    """Validated chains by certificate URL."""


class _Failures(_BoundedLRU[_FailedChain]):
    """Recently failed certificate URLs (bounded, least recently failed forgotten first).

    Kept apart from the chains: forged URLs fail, and failures must never evict a genuine chain.
    """

    def failure(self, url: str, now: datetime) -> _FailedChain | None:
        """The failure remembered for ``url``, unless it has expired by ``now`` (then it is forgotten)."""
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None and now >= entry.until:
                del self._entries[url]
                return None
            return entry


class _Flight:
    """One download-and-validate of a URL in progress; other requests for the URL wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.chain: _TrustedChain | None = None
        self.error: str | None = None


def _validate_chain(pem: object, store: x509_verification.Store, now: datetime) -> _TrustedChain:
    """Parse a downloaded PEM chain (leaf first) and validate it at ``now``; see the module doc."""
    if not isinstance(pem, bytes | bytearray | memoryview):
        raise _fail("certificate chain", f"download gave {type(pem).__name__}, not bytes")
    try:
        certificates = x509.load_pem_x509_certificates(bytes(pem))
    except (ValueError, x509.InvalidVersion):
        raise _fail("certificate chain", "cannot be read as PEM certificates") from None
    leaf, intermediates = certificates[0], certificates[1:]

    # Leaf dates and names are checked by hand first, only for clearer messages than the path
    # validator's; the validator checks them again.
    if now < leaf.not_valid_before_utc:
        raise _fail("certificate", f"leaf is not valid before {_format_time(leaf.not_valid_before_utc)}")
    if now > leaf.not_valid_after_utc:
        raise _fail("certificate", f"leaf expired at {_format_time(leaf.not_valid_after_utc)}")
    try:
        # cryptography parses extensions lazily, so malformed ones surface here as ValueError.
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        raise _fail("certificate", "leaf has no subject alternative names") from None
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType):
        raise _fail("certificate", "leaf has malformed extensions") from None
    # An exact name, not a wildcard match: Amazon's rule is that this very name is present.
    if ECHO_API_DOMAIN not in {name.lower() for name in names.get_values_for_type(x509.DNSName)}:
        raise _fail("certificate", f"{ECHO_API_DOMAIN} is not among the leaf's subject alternative names")
    try:
        public_key = leaf.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise _fail("certificate", "leaf public key cannot be read") from None
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise _fail("certificate", "leaf key is not RSA")
    if public_key.key_size < MIN_RSA_KEY_BITS:
        bits = public_key.key_size
        raise _fail("certificate", f"leaf RSA key has {bits} bits, at least {MIN_RSA_KEY_BITS} required")
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    except (ValueError, x509.DuplicateExtension):
        raise _fail("certificate", "leaf has malformed extensions") from None
    if usage is not None and not usage.digital_signature:
        raise _fail("certificate", "leaf key usage does not allow digital signatures")

    # A server verifier for echo-api.amazon.com states exactly what Amazon asks: a certificate issued
    # to that name for TLS servers (EKU serverAuth), chained to a root we trust.  The strict Web PKI
    # defaults (RFC 5280 + CA/B Forum profile) accept every real Amazon chain we have, the 2015-2018
    # Symantec/VeriSign G5 ones included, so no extension policy is relaxed: a chain those defaults
    # refuse would be refused by browsers too, and is no certificate Amazon would sign with.
    verifier = (
        x509_verification.PolicyBuilder()
        .store(store)
        .time(now)
        .build_server_verifier(x509.DNSName(ECHO_API_DOMAIN))
    )
    try:
        path = verifier.verify(leaf, intermediates)
    except x509_verification.VerificationError as exc:
        raise _fail("certificate chain", _describe_path_failure(exc)) from None
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        # Malformed extensions of an intermediate, met while building the path.
        raise _fail("certificate chain", f"cannot be validated: {_shown(str(exc))}") from None
    return _TrustedChain(
        public_key=public_key,
        valid_from=max(certificate.not_valid_before_utc for certificate in path),
        valid_until=min(certificate.not_valid_after_utc for certificate in path),
    )


def _describe_path_failure(exc: Exception) -> str:
    message = str(exc).removeprefix("validation failed: ")
    if "candidates exhausted" in message:
        return "does not lead to a trusted root"
    # Drop the "(encountered processing <Certificate(...)>)" tail: long, and no help to a client.
    message = message.partition(" (encountered processing")[0]
    return message if len(message) <= 120 else message[:117] + "..."


# --------------------------------------------------------------------------------------------------
# The body
# --------------------------------------------------------------------------------------------------


def _parse_timestamp(value: object) -> datetime:
    """``request.timestamp`` as an aware datetime: ISO 8601, or integer epoch milliseconds.

    Alexa sends ISO 8601 in UTC ("2019-07-15T22:44:23Z"); some early requests and test tools sent
    epoch milliseconds, which costs nothing to accept.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            raise _fail("timestamp", f"{_shown(value)} is out of range") from None
    if not isinstance(value, str):
        raise _fail("timestamp", f"must be a string, got {type(value).__name__}")
    if len(value) > _MAX_TIMESTAMP_CHARS:
        raise _fail("timestamp", "is too long to be a date")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _fail("timestamp", f"{_shown(value)} is not an ISO 8601 date") from None
    # Alexa always says "Z"; a bare time is read as UTC rather than as this server's local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _decode_signature(header: str) -> bytes:
    """The signature header's bytes, refused unless base64 of an RSA signature's length."""
    try:
        signature = base64.b64decode(header, validate=True)
    except (binascii.Error, ValueError):  # ValueError: non-ASCII characters
        raise _fail("signature", "header is not valid base64") from None
    if len(signature) not in _SIGNATURE_LENGTHS:
        raise _fail("signature", f"is {len(signature)} bytes, not the length of an RSA signature")
    return signature


def _dig(node: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


_APPLICATION_ID_PLACES: Final = (
    ("context", "System", "application", "applicationId"),
    ("session", "application", "applicationId"),
)


def _application_ids(envelope: dict[str, Any]) -> list[str]:
    """Every application id the request states: ``context.System`` (current) and ``session`` (older)."""
    found = []
    for where in _APPLICATION_ID_PLACES:
        value = _dig(envelope, *where)
        if value is None:
            continue
        if not isinstance(value, str):
            raise _fail("application id", f"{'.'.join(where)} must be a string")
        found.append(value)
    return found


# --------------------------------------------------------------------------------------------------
# The verifier
# --------------------------------------------------------------------------------------------------


class _Headers(Protocol):
    """Whatever holds the request headers: a dict, werkzeug's ``Headers``... anything with ``items``."""

    def items(self) -> Iterable[tuple[Any, Any]]: ...


#: ``verify``'s default for ``parsed``: the body has not been parsed yet.
_UNPARSED: Final[Any] = object()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RequestVerifier:
    """Checks that requests come from Alexa, following Amazon's rules for web-service skills.

    One verifier serves the whole application and may be shared between threads.  It remembers the
    validated chain of each certificate URL (the last :data:`CERTIFICATE_CACHE_SIZE` of them), so that
    the usual request, signed with the same certificate as the one before, costs one RSA signature
    check and no download, PEM parsing or path building; the chain's dates are still compared with the
    clock on every request.  A URL whose download or chain failed is refused from memory for
    :data:`FAILURE_CACHE_TTL`, kept apart so that failures never evict a good chain.

    :param skill_ids: the application ids this skill answers to (``amzn1.ask.skill....``); a single
        string is one id.  ``None`` accepts any id, for a service that checks ids elsewhere.
    :param fetch_certificate: ``fetch_certificate(url) -> bytes`` returns the PEM chain at the
        certificate URL; it is called only for URLs that passed the URL check (in their normal form),
        and only for requests that passed every check needing no download.  Defaults to
        :func:`default_fetch_certificate`.  Tests pass one that reads a file.
    :param trust_roots: the root certificates a chain must lead to.  Defaults to the system trust
        store, else ``certifi``'s, read at the first request.
    :param clock: returns the current time as an aware datetime.  Tests freeze it, which is how
        recorded requests, long expired, can still be verified.
    """

    def __init__(
        self,
        skill_ids: Iterable[str] | str | None = None,
        fetch_certificate: Callable[[str], bytes] | None = None,
        trust_roots: Iterable[x509.Certificate] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if isinstance(skill_ids, str):
            skill_ids = [skill_ids]  # iterating a str would accept its single characters
        self.skill_ids: frozenset[str] | None = frozenset(skill_ids) if skill_ids is not None else None
        self._fetch_certificate = fetch_certificate or default_fetch_certificate
        self._trust_roots = list(trust_roots) if trust_roots is not None else None
        self._clock = clock or _utc_now
        self._store: x509_verification.Store | None = None
        self._store_lock = threading.Lock()
        self._chains = _ChainCache(CERTIFICATE_CACHE_SIZE)
        #: Certificate URLs that passed the URL check, with their normal form: the check is a pure
        #: function of the string, and Alexa sends the same URL for months. Bounded like the chains.
        self._normal_urls = _BoundedLRU[str](CERTIFICATE_CACHE_SIZE)
        self._failures = _Failures(_FAILURE_CACHE_SIZE)
        #: The last certificate URL checked and its normal form, and the last chain used with its
        #: (normal) URL: Alexa signs request after request with one certificate, so these answer the
        #: usual request without the locks and reordering of the LRU maps. Each is one tuple, replaced
        #: whole, so a thread reads a pair that belongs together. Both are only ever set to what the
        #: maps gave or were given (a URL that passed the check; a chain validated for that URL) and
        #: the chain's dates are still compared with the clock on every request.
        self._last_url: tuple[str, str] | None = None
        self._last_chain: tuple[str, _TrustedChain] | None = None
        self._flights: dict[str, _Flight] = {}
        self._flights_lock = threading.Lock()
        self._download_slots = threading.BoundedSemaphore(MAX_CONCURRENT_DOWNLOADS)

    def verify(self, headers: _Headers, body: bytes, *, parsed: Any = _UNPARSED) -> None:
        """Return quietly if the request comes from Alexa; raise :class:`VerificationError` if not.

        :param headers: the request headers, in any mapping (``dict``, werkzeug ``Headers``...);
            names are matched without regard to case.
        :param body: the body exactly as received.  Never a re-serialised JSON document: the
            signature covers the bytes, spacing and key order included.
        :param parsed: ``json.loads(body)``, when the caller has already parsed it (the web app
            does, once per request); the same checks apply to it.  The signature is still checked
            over ``body``, so a ``parsed`` that is not the body's cannot pass a forged body.
        :raises VerificationError: naming the first check that failed.
        :raises TypeError: if ``body`` is not bytes, or the clock gives a naive datetime; these are
            mistakes in the calling code, not in the request.
        """
        if not isinstance(body, bytes | bytearray | memoryview):
            raise TypeError(f"body must be the raw bytes of the request, not {type(body).__name__}")
        body = bytes(body)
        now = self._clock()
        if now.tzinfo is None:
            raise TypeError("clock() must return an aware datetime")

        # Every check that needs no download comes first, so a forged request is refused for free.
        cert_url, signature, signature_hash = self._read_headers(headers)
        last_url = self._last_url
        if last_url is not None and last_url[0] == cert_url:
            normal_url = last_url[1]
        else:
            remembered = self._normal_urls.get(cert_url)
            if remembered is None:
                normal_url = _check_certificate_url(cert_url)  # raises for a URL outside Amazon's bucket
                self._normal_urls.put(cert_url, normal_url)
            else:
                normal_url = remembered
            self._last_url = (cert_url, normal_url)
        envelope = self._parse_body(body) if parsed is _UNPARSED else self._check_body(parsed)
        self._check_timestamp(envelope, now)
        self._check_application_id(envelope)
        chain = self._trusted_chain(normal_url, now)
        self._check_signature(chain.public_key, signature, signature_hash, body)

    # -- steps, in the order verify() runs them ----------------------------------------------------

    @staticmethod
    def _read_headers(headers: _Headers) -> tuple[str, bytes, hashes.HashAlgorithm]:
        if type(headers) is dict and headers.keys() <= _USUAL_HEADER_NAMES.keys():
            # The web app's dict: only these names, each once and spelled as Alexa spells them, so
            # matching without regard to case finds each under its own name and nothing else. Any
            # value but a str (bytes to decode, junk to refuse) takes the general road below.
            usual: dict[str, str] = {}
            for name, value in headers.items():
                if type(value) is not str:
                    break
                usual[_USUAL_HEADER_NAMES[name]] = value.strip()
            else:
                return RequestVerifier._chosen_signature(usual)
        wanted = {_HEADER_CERT_URL, _HEADER_SIGNATURE_256, _HEADER_SIGNATURE_SHA1}
        found: dict[str, str] = {}
        try:
            items = list(headers.items())
        except Exception:  # any object at all may arrive here; all that matters is that it is unusable
            raise _fail("headers", "cannot be read") from None
        for item in items:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise _fail("headers", "cannot be read")
            name, value = item
            if isinstance(name, bytes):
                name = name.decode("latin-1")
            if not isinstance(name, str) or (key := name.lower()) not in wanted or key in found:
                continue
            if isinstance(value, bytes):
                value = value.decode("latin-1")  # how HTTP servers decode header bytes they cannot type
            if not isinstance(value, str):
                raise _fail("headers", f"{name} is not text")
            found[key] = value.strip()
        return RequestVerifier._chosen_signature(found)

    @staticmethod
    def _chosen_signature(found: dict[str, str]) -> tuple[str, bytes, hashes.HashAlgorithm]:
        """From the headers read (lower-case names, stripped values): the URL, signature and hash."""
        cert_url = found.get(_HEADER_CERT_URL)
        if not cert_url:
            raise _fail("headers", "SignatureCertChainUrl is missing")
        # Signature-256 wins when present, whatever the legacy header says: a downgrade to SHA-1 must
        # not be possible by spoiling (or blanking) the SHA-256 signature and keeping an old valid one.
        if _HEADER_SIGNATURE_256 in found:
            if not found[_HEADER_SIGNATURE_256]:
                raise _fail("headers", "Signature-256 is empty")
            return cert_url, _decode_signature(found[_HEADER_SIGNATURE_256]), _SHA256
        if found.get(_HEADER_SIGNATURE_SHA1):  # Amazon's pre-2022 scheme, only without Signature-256
            return cert_url, _decode_signature(found[_HEADER_SIGNATURE_SHA1]), _SHA1
        raise _fail("headers", "Signature-256 (or Signature) is missing")

    def _trusted_chain(self, url: str, now: datetime) -> _TrustedChain:
        """The validated chain at ``url`` (normalised): from memory, else downloaded once for everyone."""
        last = self._last_chain
        if last is not None and last[0] == url and last[1].valid_from <= now <= last[1].valid_until:
            return last[1]
        cached = self._chains.get(url)
        if cached is not None:
            if cached.valid_from <= now <= cached.valid_until:
                self._last_chain = (url, cached)
                return cached
            # Out of date for this clock: Amazon may have put a renewed chain at the same URL, so
            # download again rather than refuse from memory.
            self._chains.discard(url)
            if self._last_chain is not None and self._last_chain[0] == url:
                self._last_chain = None  # forgotten with it, so that only a fresh download answers again
        failed = self._failures.failure(url, now)
        if failed is not None:
            raise VerificationError(failed.reason)
        with self._flights_lock:
            flight = self._flights.get(url)
            leading = flight is None
            if flight is None:
                flight = self._flights[url] = _Flight()
        if not leading:
            if not flight.done.wait(_FETCH_TIMEOUT + 1):
                raise _fail("certificate URL", "download is taking too long")
        else:
            try:
                flight.chain = self._download_and_validate(url, now)
            except VerificationError as exc:
                flight.error = str(exc)
            except BaseException:  # a bug of ours: the waiters get a refusal, the leader the error
                flight.error = "certificate chain: could not be checked"
                raise
            finally:
                with self._flights_lock:
                    del self._flights[url]
                flight.done.set()
        if flight.error is not None:
            raise VerificationError(flight.error)
        assert flight.chain is not None
        if not flight.chain.valid_from <= now <= flight.chain.valid_until:
            raise _fail("certificate chain", "is not valid at this time")
        self._last_chain = (url, flight.chain)
        return flight.chain

    def _download_and_validate(self, url: str, now: datetime) -> _TrustedChain:
        if not self._download_slots.acquire(timeout=1.0):
            # Not the URL's fault, so not remembered as a failure.
            raise _fail("certificate URL", "too many certificate downloads in progress")
        try:
            try:
                pem = self._fetch_certificate(url)
            except VerificationError as exc:
                self._remember_failure(url, str(exc), now)
                raise
            except Exception as exc:
                # fetch_certificate is pluggable and network errors come in many classes; whatever
                # went wrong, the request cannot be verified, which is a 400 and not a crash.
                error = _fail("certificate URL", f"download failed: {type(exc).__name__}")
                self._remember_failure(url, str(error), now)
                raise error from None
        finally:
            self._download_slots.release()
        try:
            chain = _validate_chain(pem, self._trust_store(), now)
        except VerificationError as exc:
            self._remember_failure(url, str(exc), now)
            raise
        self._failures.discard(url)
        self._chains.put(url, chain)
        return chain

    def _remember_failure(self, url: str, reason: str, now: datetime) -> None:
        self._failures.put(url, _FailedChain(reason, now + FAILURE_CACHE_TTL))

    def _trust_store(self) -> x509_verification.Store:
        with self._store_lock:
            if self._store is None:
                roots = self._trust_roots if self._trust_roots is not None else _load_default_trust_roots()
                if not roots:
                    raise _fail("certificate chain", "no trust roots configured")
                self._store = x509_verification.Store(roots)
            return self._store

    @staticmethod
    def _check_signature(
        public_key: rsa.RSAPublicKey, signature: bytes, algorithm: hashes.HashAlgorithm, body: bytes
    ) -> None:
        try:
            public_key.verify(signature, body, _PKCS1V15, algorithm)
        except (InvalidSignature, ValueError):
            raise _fail("signature", "does not match the body") from None

    @staticmethod
    def _parse_body(body: bytes) -> dict[str, Any]:
        try:
            envelope = json.loads(body)
        except (ValueError, RecursionError):  # ValueError covers bad UTF-8 as well as bad JSON
            raise _fail("body", "is not valid JSON") from None
        return RequestVerifier._check_body(envelope)

    @staticmethod
    def _check_body(envelope: Any) -> dict[str, Any]:
        if not isinstance(envelope, dict):
            raise _fail("body", "is not a JSON object")
        if not isinstance(envelope.get("request"), dict):
            raise _fail("body", "has no request object")
        return envelope

    @staticmethod
    def _check_timestamp(envelope: dict[str, Any], now: datetime) -> None:
        request = envelope["request"]
        if "timestamp" not in request:
            raise _fail("timestamp", "request.timestamp is missing")
        sent = _parse_timestamp(request["timestamp"])
        request_type = request.get("type")
        is_skill_event = isinstance(request_type, str) and request_type.startswith("AlexaSkillEvent.")
        limit = SKILL_EVENT_TOLERANCE if is_skill_event else TIMESTAMP_TOLERANCE
        age = now - sent
        if abs(age) <= limit:
            return
        when = "old" if age > timedelta(0) else "in the future"
        raise _fail(
            "timestamp",
            f"request is {_describe_duration(age.total_seconds())} {when} "
            f"(limit {int(limit.total_seconds())} s)",
        )

    def _check_application_id(self, envelope: dict[str, Any]) -> None:
        if self.skill_ids is None:
            return
        found = _application_ids(envelope)
        if not found:
            raise _fail("application id", "missing from the request")
        for application_id in found:
            if application_id not in self.skill_ids:
                raise _fail("application id", f"{_shown_text(application_id)} is not this skill")
