"""Tests for footwork.skill.verify: Alexa request verification.

Two sources of signed requests, no mocked cryptography:

* ``recorded``: the requests Amazon really signed, from ``shared/alexa/signed-requests/``
  (see ``signed_requests.py``); each verifies with the clock frozen at its own timestamp.
* ``pki``: a throwaway CA and ``echo-api.amazon.com`` leaf made here, for what no recording has:
  ``Signature-256``, odd certificates, and bodies built to order.

Sections follow the order in which the verifier runs its checks.
"""

from __future__ import annotations

import base64
import http.server
import ipaddress
import json
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from footwork.skill import verify
from footwork.skill.verify import (
    CERTIFICATE_CACHE_SIZE,
    ECHO_API_DOMAIN,
    RequestVerifier,
    VerificationError,
    default_fetch_certificate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers

try:  # tests/ as a plain folder: pytest's default import mode puts it on sys.path
    import signed_requests
except ModuleNotFoundError:  # tests/ made a package
    from tests import signed_requests

# ==================================================================================================
# Fixtures and helpers
# ==================================================================================================

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
T0_ISO = "2024-05-01T12:00:00Z"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


@pytest.fixture(params=signed_requests.params())
def recorded(request: pytest.FixtureRequest) -> signed_requests.SignedRequest:
    """Each request Amazon really signed (ids: the folder names)."""
    return signed_requests.load(request.param)


@pytest.fixture
def one_recorded() -> signed_requests.SignedRequest:
    """The newest recorded request, for checks that need real data but not all of it."""
    names = signed_requests.names()
    if not names:
        pytest.skip(signed_requests.MISSING_REASON)
    return signed_requests.load(names[-1])


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class ThrowawayPKI:
    """A root CA of our own and a leaf for ``echo-api.amazon.com`` that it issued."""

    ca_key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    leaf_cert: x509.Certificate

    @classmethod
    def create(cls) -> ThrowawayPKI:
        ca_key = _rsa_key()
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Footwork Throwaway Root"))
            .issuer_name(_name("Footwork Throwaway Root"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(T0 - timedelta(days=365))
            .not_valid_after(T0 + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        pki = cls(ca_key, ca_cert, ca_key, ca_cert)
        pki.leaf_key = _rsa_key()
        pki.leaf_cert = pki.issue(pki.leaf_key)
        return pki

    def issue(
        self,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        *,
        dns_names: tuple[str, ...] | None = (ECHO_API_DOMAIN,),
        ip_addresses: tuple[str, ...] = (),
        not_before: datetime = T0 - timedelta(days=30),
        not_after: datetime = T0 + timedelta(days=30),
        digital_signature: bool | None = True,
    ) -> x509.Certificate:
        """A server certificate for ``key`` signed by the CA; ``dns_names=None`` leaves out the SAN,
        ``digital_signature=None`` the key usage extension."""
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(dns_names[0] if dns_names else "no-san.example"))
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False
            )
        )
        if digital_signature is not None:
            usage = x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=False,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            )
            builder = builder.add_extension(usage, critical=True)
        if dns_names is not None or ip_addresses:
            names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names or ()]
            names += [x509.IPAddress(ipaddress.ip_address(address)) for address in ip_addresses]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(self.ca_key, hashes.SHA256())

    def intermediate(self, *extra: x509.ExtensionType) -> ThrowawayPKI:
        """A CA below this one (with ``extra`` extensions), holding a fresh ``echo-api`` leaf."""
        key = _rsa_key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name("Footwork Throwaway Intermediate"))
            .issuer_name(self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(T0 - timedelta(days=100))
            .not_valid_after(T0 + timedelta(days=100))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), critical=False
            )
        )
        for extension in extra:
            builder = builder.add_extension(extension, critical=False)
        below = ThrowawayPKI(key, builder.sign(self.ca_key, hashes.SHA256()), self.leaf_key, self.leaf_cert)
        below.leaf_cert = below.issue(self.leaf_key)
        return below

    @property
    def chain_pem(self) -> bytes:
        return self.leaf_cert.public_bytes(serialization.Encoding.PEM)

    def sign(self, body: bytes, algorithm: hashes.HashAlgorithm | None = None) -> str:
        signature = self.leaf_key.sign(body, padding.PKCS1v15(), algorithm or hashes.SHA256())
        return base64.b64encode(signature).decode()

    def headers(self, body: bytes, *, legacy: bool = False, url: str = CERT_URL) -> dict[str, str]:
        """Headers as Amazon sends them today (``Signature-256``), or before 2022 (``legacy``)."""
        if legacy:
            return {"SignatureCertChainUrl": url, "Signature": self.sign(body, hashes.SHA1())}
        return {"SignatureCertChainUrl": url, "Signature-256": self.sign(body)}

    def verifier(
        self,
        *,
        chain_pem: bytes | None = None,
        clock: Callable[[], datetime] = lambda: T0,
        skill_ids: Any = None,
        fetch_certificate: Callable[[str], bytes] | None = None,
    ) -> RequestVerifier:
        pem = self.chain_pem if chain_pem is None else chain_pem
        return RequestVerifier(
            skill_ids=skill_ids,
            fetch_certificate=fetch_certificate or (lambda url: pem),
            trust_roots=[self.ca_cert],
            clock=clock,
        )


@pytest.fixture(scope="module")
def pki() -> ThrowawayPKI:
    return ThrowawayPKI.create()


def make_body(
    *,
    timestamp: Any = T0_ISO,
    request_type: str = "LaunchRequest",
    context_app_id: str | None = SKILL_ID,
    session_app_id: str | None = SKILL_ID,
) -> bytes:
    """A request body shaped like Alexa's, compact as Alexa sends it."""
    envelope: dict[str, Any] = {
        "version": "1.0",
        "request": {
            "type": request_type,
            "requestId": "amzn1.echo-api.request.test",
            "timestamp": timestamp,
            "locale": "en-US",
        },
    }
    if session_app_id is not None:
        envelope["session"] = {"new": True, "application": {"applicationId": session_app_id}}
    if context_app_id is not None:
        envelope["context"] = {"System": {"application": {"applicationId": context_app_id}}}
    return json.dumps(envelope, separators=(",", ":")).encode()


class CountingFetcher:
    """Serves one chain for any URL and counts the downloads, per URL."""

    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, url: str) -> bytes:
        with self._lock:
            self.calls.append(url)
        return self.pem


def refused(check: str) -> Any:
    """``pytest.raises`` for a VerificationError whose message names ``check`` first."""
    return pytest.raises(VerificationError, match=rf"^{check}: ")


# ==================================================================================================
# Requests Amazon really signed
# ==================================================================================================


def test_recorded_request_verifies_at_its_own_timestamp(recorded: signed_requests.SignedRequest) -> None:
    recorded.verifier().verify(recorded.headers, recorded.body)
    assert recorded.fetched_urls == [verify._check_certificate_url(recorded.cert_url)]


def test_recorded_request_verifies_with_its_skill_id_configured(
    recorded: signed_requests.SignedRequest,
) -> None:
    recorded.verifier(skill_ids={recorded.application_id}).verify(recorded.headers, recorded.body)


def test_recorded_request_verifies_up_to_150_s_either_side_of_its_timestamp(
    recorded: signed_requests.SignedRequest,
) -> None:
    for offset in (-150, 150):
        moment = recorded.timestamp + timedelta(seconds=offset)
        recorded.verifier(clock=lambda moment=moment: moment).verify(recorded.headers, recorded.body)


def test_body_altered_by_one_byte_is_refused(recorded: signed_requests.SignedRequest) -> None:
    body = bytearray(recorded.body)
    body[body.index(b'"requestId"') + 1] ^= 0x01  # still JSON, so only the signature can tell
    with refused("signature") as caught:
        recorded.verifier().verify(recorded.headers, bytes(body))
    assert str(caught.value) == "signature: does not match the body"


def test_body_with_trailing_newline_is_refused(recorded: signed_requests.SignedRequest) -> None:
    with refused("signature"):
        recorded.verifier().verify(recorded.headers, recorded.body + b"\n")


def test_recorded_request_long_after_leaf_expiry_is_refused_without_a_download(
    recorded: signed_requests.SignedRequest,
) -> None:
    later = recorded.leaf.not_valid_after_utc + timedelta(days=365)
    with refused("timestamp") as caught:
        recorded.verifier(clock=lambda: later).verify(recorded.headers, recorded.body)
    assert "old" in str(caught.value)
    assert recorded.fetched_urls == [], "a stale request is refused before the certificate is fetched"


def test_expired_leaf_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(pki.leaf_key, not_before=T0 - timedelta(days=9), not_after=T0 - timedelta(hours=1))
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)
    assert "expired" in str(caught.value)


def test_clock_151_s_after_timestamp_is_refused(recorded: signed_requests.SignedRequest) -> None:
    later = recorded.timestamp + timedelta(seconds=151)
    with refused("timestamp") as caught:
        recorded.verifier(clock=lambda: later).verify(recorded.headers, recorded.body)
    assert str(caught.value) == "timestamp: request is 151 s old (limit 150 s)"


def test_clock_151_s_before_timestamp_is_refused(recorded: signed_requests.SignedRequest) -> None:
    earlier = recorded.timestamp - timedelta(seconds=151)
    with refused("timestamp") as caught:
        recorded.verifier(clock=lambda: earlier).verify(recorded.headers, recorded.body)
    assert "in the future" in str(caught.value)


def test_foreign_skill_id_is_refused(recorded: signed_requests.SignedRequest) -> None:
    with refused("application id") as caught:
        recorded.verifier(skill_ids={SKILL_ID}).verify(recorded.headers, recorded.body)
    assert str(caught.value) == f"application id: {recorded.application_id} is not this skill"


def test_chain_to_a_root_we_do_not_trust_is_refused(
    recorded: signed_requests.SignedRequest, pki: ThrowawayPKI
) -> None:
    with refused("certificate chain") as caught:
        recorded.verifier(trust_roots=[pki.ca_cert]).verify(recorded.headers, recorded.body)
    assert str(caught.value) == "certificate chain: does not lead to a trusted root"


def test_signature_from_another_recorded_request_is_refused(recorded: signed_requests.SignedRequest) -> None:
    others = [name for name in signed_requests.names() if name != recorded.name]
    other = signed_requests.load(others[0])
    headers = {**recorded.headers, "Signature": other.signature}
    with refused("signature"):
        recorded.verifier().verify(headers, recorded.body)


def test_amazon_root_ca_chain_verifies_with_the_default_trust_store(
    one_recorded: signed_requests.SignedRequest,
) -> None:
    # The newest recording chains to Amazon Root CA 1, which every current trust store holds.
    timestamp = one_recorded.timestamp
    verifier = RequestVerifier(fetch_certificate=one_recorded.fetch_certificate, clock=lambda: timestamp)
    verifier.verify(one_recorded.headers, one_recorded.body)


# ==================================================================================================
# Headers
# ==================================================================================================


@pytest.mark.parametrize("rename", [str.lower, str.upper, str.swapcase], ids=["lower", "upper", "swapcase"])
def test_header_names_in_any_case_are_accepted(
    recorded: signed_requests.SignedRequest, rename: Callable[[str], str]
) -> None:
    headers = {rename(name): value for name, value in recorded.headers.items()}
    recorded.verifier().verify(headers, recorded.body)


def test_werkzeug_headers_are_accepted(one_recorded: signed_requests.SignedRequest) -> None:
    headers = Headers([("Content-Type", "application/json"), *one_recorded.headers.items()])
    one_recorded.verifier().verify(headers, one_recorded.body)


def test_headers_as_bytes_are_accepted(pki: ThrowawayPKI) -> None:
    body = make_body()
    headers = {name.encode(): value.encode() for name, value in pki.headers(body).items()}
    pki.verifier().verify(headers, body)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("SignatureCertChainUrl", "headers: SignatureCertChainUrl is missing"),
        ("Signature", "headers: Signature-256 (or Signature) is missing"),
    ],
)
def test_missing_header_is_refused(
    one_recorded: signed_requests.SignedRequest, drop: str, message: str
) -> None:
    headers = {name: value for name, value in one_recorded.headers.items() if name != drop}
    with pytest.raises(VerificationError) as caught:
        one_recorded.verifier().verify(headers, one_recorded.body)
    assert str(caught.value) == message
    assert one_recorded.fetched_urls == []


@pytest.mark.parametrize("name", ["SignatureCertChainUrl", "Signature"])
def test_empty_header_counts_as_missing(one_recorded: signed_requests.SignedRequest, name: str) -> None:
    with refused("headers"):
        one_recorded.verifier().verify({**one_recorded.headers, name: "  "}, one_recorded.body)


@pytest.mark.parametrize("headers", [None, 42, ["SignatureCertChainUrl"], {"Signature": 42}])
def test_unreadable_headers_are_refused(pki: ThrowawayPKI, headers: Any) -> None:
    with pytest.raises(VerificationError):
        pki.verifier().verify(headers, make_body())


@pytest.mark.parametrize(
    "signature",
    ["not base64!", "QUJD=x", "Zm9v\x00", "é" * 344, "\u2028abc"],
    ids=["punctuation", "padding", "nul", "latin1", "unicode"],
)
def test_signature_that_is_not_base64_is_refused(
    one_recorded: signed_requests.SignedRequest, signature: str
) -> None:
    with refused("signature") as caught:
        one_recorded.verifier().verify({**one_recorded.headers, "Signature": signature}, one_recorded.body)
    assert str(caught.value) == "signature: header is not valid base64"


def test_signature_of_wrong_length_is_refused_without_a_download(
    one_recorded: signed_requests.SignedRequest,
) -> None:
    headers = {**one_recorded.headers, "Signature": base64.b64encode(b"short").decode()}
    with refused("signature") as caught:
        one_recorded.verifier().verify(headers, one_recorded.body)
    assert str(caught.value) == "signature: is 5 bytes, not the length of an RSA signature"
    assert one_recorded.fetched_urls == []


@pytest.mark.parametrize(
    ("body", "check"),
    [
        (make_body(timestamp="2024-05-01T11:00:00Z"), "timestamp"),
        (make_body(context_app_id="amzn1.ask.skill.someone-else"), "application id"),
        (b"not json", "body"),
    ],
    ids=["stale", "foreign-skill", "not-json"],
)
def test_cheap_checks_refuse_before_any_download(pki: ThrowawayPKI, body: bytes, check: str) -> None:
    fetcher = CountingFetcher(pki.chain_pem)
    with refused(check):
        pki.verifier(fetch_certificate=fetcher, skill_ids=SKILL_ID).verify(pki.headers(body), body)
    assert fetcher.calls == []


# ==================================================================================================
# Certificate URL
# ==================================================================================================

REFUSED_URLS = {
    "dot-dot": "https://s3.amazonaws.com/echo.api/../evil.pem",
    "dot-dot-encoded": "https://s3.amazonaws.com/echo.api/%2e%2e/evil.pem",
    "dot-dot-encoded-upper": "https://s3.amazonaws.com/echo.api/%2E%2E%2Fevil.pem",
    "dot-dot-deeper": "https://s3.amazonaws.com/echo.api/a/../../evil/echo.api/x.pem",
    "backslash": "https://s3.amazonaws.com/echo.api/..\\evil.pem",
    "http": "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "no-scheme": "s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "ftp": "ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "other-host": "https://notamazon.com/echo.api/echo-api-cert.pem",
    "host-suffix": "https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert.pem",
    "host-prefix": "https://evils3.amazonaws.com/echo.api/echo-api-cert.pem",
    "host-trailing-dot": "https://s3.amazonaws.com./echo.api/echo-api-cert.pem",
    "userinfo": "https://s3.amazonaws.com@evil.com/echo.api/echo-api-cert.pem",
    "userinfo-on-amazon": "https://user:pw@s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "port-563": "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "port-80": "https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem",
    "port-garbage": "https://s3.amazonaws.com:https/echo.api/echo-api-cert.pem",
    "path-case": "https://s3.amazonaws.com/Echo.api/echo-api-cert.pem",
    "path-upper": "https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem",
    "path-prefix-only": "https://s3.amazonaws.com/echo.api.evil/echo-api-cert.pem",
    "path-no-file": "https://s3.amazonaws.com/echo.api/",
    "path-other-bucket": "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "double-slash": "https://s3.amazonaws.com//echo.api/echo-api-cert.pem",
    "non-ascii": "https://s3.amazonaws.com/echo.api/\u00e9cho-api-cert.pem",
    "space": "https://s3.amazonaws.com/echo.api/echo api.pem",
    "newline": "https://s3.amazonaws.com/echo.api/x.pem\nHost: evil.com",
}

ACCEPTED_URLS = {
    "scheme-upper": "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "host-upper": "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
    "port-443": "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "dot-dot-back-inside": "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "dot-segment": "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
}


@pytest.mark.parametrize("url", REFUSED_URLS.values(), ids=REFUSED_URLS.keys())
def test_certificate_url_outside_amazons_bucket_is_refused(pki: ThrowawayPKI, url: str) -> None:
    fetcher = CountingFetcher(pki.chain_pem)
    body = make_body()
    with refused("certificate URL"):
        pki.verifier(fetch_certificate=fetcher).verify(pki.headers(body, url=url), body)
    assert fetcher.calls == [], "nothing may be downloaded from a refused URL"


def test_refused_certificate_url_message_names_the_host(pki: ThrowawayPKI) -> None:
    body = make_body()
    with pytest.raises(VerificationError) as caught:
        pki.verifier().verify(pki.headers(body, url="https://evil.com/echo.api/x.pem"), body)
    assert str(caught.value) == "certificate URL: host must be s3.amazonaws.com, got 'evil.com'"


@pytest.mark.parametrize("url", ACCEPTED_URLS.values(), ids=ACCEPTED_URLS.keys())
def test_certificate_url_variants_amazon_allows_are_accepted(pki: ThrowawayPKI, url: str) -> None:
    fetcher = CountingFetcher(pki.chain_pem)
    body = make_body()
    pki.verifier(fetch_certificate=fetcher).verify(pki.headers(body, url=url), body)
    assert fetcher.calls == ["https://s3.amazonaws.com/echo.api/echo-api-cert.pem"], "downloaded normalised"


# ==================================================================================================
# Certificate chain
# ==================================================================================================


def _pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(certificate.public_bytes(serialization.Encoding.PEM) for certificate in certificates)


def test_leaf_without_subject_alternative_names_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(pki.leaf_key, dns_names=None)
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)
    assert str(caught.value) == "certificate: leaf has no subject alternative names"


@pytest.mark.parametrize(
    "dns_names",
    [("example.com",), ("*.amazon.com",), ("echo-api.amazon.com.evil.com",)],
    ids=["other-name", "wildcard", "suffix"],
)
def test_leaf_not_naming_echo_api_is_refused(pki: ThrowawayPKI, dns_names: tuple[str, ...]) -> None:
    body = make_body()
    leaf = pki.issue(pki.leaf_key, dns_names=dns_names)
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)
    assert "echo-api.amazon.com is not among" in str(caught.value)


def test_leaf_naming_echo_api_among_others_is_accepted(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(pki.leaf_key, dns_names=("example.com", "ECHO-API.amazon.com"))
    pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)


def test_leaf_not_yet_valid_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(pki.leaf_key, not_before=T0 + timedelta(hours=1), not_after=T0 + timedelta(days=9))
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)
    assert "not valid before" in str(caught.value)


def test_leaf_with_a_non_rsa_key_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(ec.generate_private_key(ec.SECP256R1()))
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)
    assert str(caught.value) == "certificate: leaf key is not RSA"


def test_leaf_with_an_rsa_key_under_2048_bits_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)
    assert str(caught.value) == "certificate: leaf RSA key has 1024 bits, at least 2048 required"


def test_leaf_whose_key_usage_lacks_digital_signature_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(pki.leaf_key, digital_signature=False)
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)
    assert str(caught.value) == "certificate: leaf key usage does not allow digital signatures"


def test_leaf_without_key_usage_is_accepted(pki: ThrowawayPKI) -> None:
    body = make_body()
    leaf = pki.issue(pki.leaf_key, digital_signature=None)
    pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)


def test_self_signed_leaf_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    impostor = ThrowawayPKI(pki.leaf_key, pki.leaf_cert, pki.leaf_key, pki.leaf_cert)
    leaf = impostor.issue(pki.leaf_key)  # right name and key, but issued by the leaf itself
    with refused("certificate chain"):
        pki.verifier(chain_pem=_pem(leaf)).verify(pki.headers(body), body)


def test_chain_through_an_intermediate_is_accepted(pki: ThrowawayPKI) -> None:
    below = pki.intermediate()
    body = make_body()
    pki.verifier(chain_pem=_pem(below.leaf_cert, below.ca_cert)).verify(pki.headers(body), body)


def test_chain_missing_its_intermediate_is_refused(pki: ThrowawayPKI) -> None:
    below = pki.intermediate()
    body = make_body()
    with refused("certificate chain") as caught:
        pki.verifier(chain_pem=_pem(below.leaf_cert)).verify(pki.headers(body), body)
    assert str(caught.value) == "certificate chain: does not lead to a trusted root"


def _private_extensions() -> tuple[x509.UnrecognizedExtension, x509.UnrecognizedExtension]:
    """Two extensions whose DER differs in one byte, so that a byte swap makes them duplicates."""
    return (
        x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00"),
        x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.5"), b"\x05\x00"),
    )


def _tampered_pem(certificate: x509.Certificate, old: bytes, new: bytes) -> bytes:
    """The certificate with one DER fragment replaced (its signature is then wrong, which is fine:
    these certificates must be refused before any signature is looked at)."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert der.count(old) == 1
    encoded = base64.encodebytes(der.replace(old, new))
    return b"-----BEGIN CERTIFICATE-----\n" + encoded + b"-----END CERTIFICATE-----\n"


OID_1_2_3_5, OID_1_2_3_4 = b"\x06\x03\x2a\x03\x05", b"\x06\x03\x2a\x03\x04"


def test_leaf_with_duplicate_extensions_is_refused(pki: ThrowawayPKI) -> None:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(ECHO_API_DOMAIN))
        .issuer_name(pki.ca_cert.subject)
        .public_key(pki.leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(T0 - timedelta(days=1))
        .not_valid_after(T0 + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(ECHO_API_DOMAIN)]), critical=False)
    )
    for extension in _private_extensions():
        builder = builder.add_extension(extension, critical=False)
    leaf = builder.sign(pki.ca_key, hashes.SHA256())
    body = make_body()
    with refused("certificate") as caught:
        pki.verifier(chain_pem=_tampered_pem(leaf, OID_1_2_3_5, OID_1_2_3_4)).verify(pki.headers(body), body)
    assert str(caught.value) == "certificate: leaf has malformed extensions"


def test_intermediate_with_duplicate_extensions_is_refused(pki: ThrowawayPKI) -> None:
    below = pki.intermediate(*_private_extensions())
    chain = _pem(below.leaf_cert) + _tampered_pem(below.ca_cert, OID_1_2_3_5, OID_1_2_3_4)
    body = make_body()
    with refused("certificate chain"):
        pki.verifier(chain_pem=chain).verify(pki.headers(body), body)


def test_certificate_with_an_unknown_x509_version_is_refused(pki: ThrowawayPKI) -> None:
    version_3, version_8 = b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x07"
    body = make_body()
    with refused("certificate chain"):
        pki.verifier(chain_pem=_tampered_pem(pki.leaf_cert, version_3, version_8)).verify(
            pki.headers(body), body
        )


@pytest.mark.parametrize(
    "pem",
    [
        b"",
        b"garbage",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(b"\x30\x82\xff\xff" + bytes(64)) + b"-----END",
        "text, not bytes",
        None,
    ],
    ids=["empty", "garbage", "bad-der", "truncated", "str", "none"],
)
def test_unusable_certificate_download_is_refused(pki: ThrowawayPKI, pem: Any) -> None:
    body = make_body()
    with refused("certificate chain"):
        pki.verifier(fetch_certificate=lambda url: pem).verify(pki.headers(body), body)


def test_failing_certificate_download_is_refused(pki: ThrowawayPKI) -> None:
    def unreachable(url: str) -> bytes:
        raise TimeoutError("timed out")

    body = make_body()
    with refused("certificate URL") as caught:
        pki.verifier(fetch_certificate=unreachable).verify(pki.headers(body), body)
    assert str(caught.value) == "certificate URL: download failed: TimeoutError"


def test_empty_trust_roots_are_refused_with_a_clear_reason(pki: ThrowawayPKI) -> None:
    body = make_body()
    verifier = RequestVerifier(fetch_certificate=lambda url: pki.chain_pem, trust_roots=[], clock=lambda: T0)
    with refused("certificate chain") as caught:
        verifier.verify(pki.headers(body), body)
    assert "no trust roots" in str(caught.value)


def test_missing_system_trust_store_is_refused_with_a_clear_reason(
    pki: ThrowawayPKI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nowhere = str(tmp_path / "none")
    paths = ssl.DefaultVerifyPaths(nowhere, nowhere, "SSL_CERT_FILE", nowhere, "SSL_CERT_DIR", nowhere)
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: paths)
    monkeypatch.setitem(sys.modules, "certifi", None)  # "import certifi" now fails
    monkeypatch.setattr(verify, "_default_roots", None)
    body = make_body()
    verifier = RequestVerifier(fetch_certificate=lambda url: pki.chain_pem, clock=lambda: T0)
    with refused("certificate chain") as caught:
        verifier.verify(pki.headers(body), body)
    assert "no trust store found" in str(caught.value)


# ==================================================================================================
# Signature: Signature-256 (SHA-256) first, legacy Signature (SHA-1) otherwise
# ==================================================================================================


def test_signature_256_is_accepted(pki: ThrowawayPKI) -> None:
    body = make_body()
    pki.verifier().verify(pki.headers(body), body)


def test_legacy_sha1_signature_alone_is_accepted(pki: ThrowawayPKI) -> None:
    body = make_body()
    pki.verifier().verify(pki.headers(body, legacy=True), body)


def test_signature_256_takes_precedence_over_a_bad_legacy_signature(pki: ThrowawayPKI) -> None:
    body = make_body()
    headers = {**pki.headers(body), "Signature": "bm90IGEgc2lnbmF0dXJl"}
    pki.verifier().verify(headers, body)


def test_bad_signature_256_is_refused_even_with_a_good_legacy_signature(pki: ThrowawayPKI) -> None:
    body = make_body()
    headers = {**pki.headers(body, legacy=True), "Signature-256": pki.sign(body + b" ")}
    with refused("signature"):
        pki.verifier().verify(headers, body)


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_signature_256_is_refused_even_with_a_good_legacy_signature(
    pki: ThrowawayPKI, blank: str
) -> None:
    fetcher = CountingFetcher(pki.chain_pem)
    body = make_body()
    headers = {**pki.headers(body, legacy=True), "Signature-256": blank}
    with refused("headers") as caught:
        pki.verifier(fetch_certificate=fetcher).verify(headers, body)
    assert str(caught.value) == "headers: Signature-256 is empty"
    assert fetcher.calls == []


def test_sha1_signature_sent_as_signature_256_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": pki.sign(body, hashes.SHA1())}
    with refused("signature"):
        pki.verifier().verify(headers, body)


def test_signature_by_another_key_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body()
    signature = base64.b64encode(pki.ca_key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
    with refused("signature"):
        pki.verifier().verify({"SignatureCertChainUrl": CERT_URL, "Signature-256": signature}, body)


def test_body_given_as_text_is_a_programming_error(pki: ThrowawayPKI) -> None:
    body = make_body()
    with pytest.raises(TypeError, match="raw bytes"):
        pki.verifier().verify(pki.headers(body), body.decode())  # type: ignore[arg-type]


# ==================================================================================================
# Body and timestamp
# ==================================================================================================


MALFORMED_BODIES = {
    "empty": (b"", "body"),
    "not-json": (b"not json", "body"),
    "bad-utf8": (b"\xff\xfe{}", "body"),
    "deep-nesting": (b"[" * 100_000, "body"),
    "array": (b"[]", "body"),
    "string": (b'"text"', "body"),
    "no-request": (b"{}", "body"),
    "request-not-object": (b'{"request": 1}', "body"),
    "no-timestamp": (b'{"request": {}}', "timestamp"),
    "timestamp-null": (b'{"request": {"timestamp": null}}', "timestamp"),
    "timestamp-words": (b'{"request": {"timestamp": "yesterday"}}', "timestamp"),
    "timestamp-empty": (b'{"request": {"timestamp": ""}}', "timestamp"),
    "timestamp-float": (b'{"request": {"timestamp": 1.5}}', "timestamp"),
    "timestamp-bool": (b'{"request": {"timestamp": true}}', "timestamp"),
    "timestamp-list": (b'{"request": {"timestamp": [2024]}}', "timestamp"),
    "timestamp-huge-int": (b'{"request": {"timestamp": 1' + b"0" * 40 + b"}}", "timestamp"),
    "timestamp-long-string": (b'{"request": {"timestamp": "' + b"2" * 500 + b'"}}', "timestamp"),
    "timestamp-year-1": (b'{"request": {"timestamp": "0001-01-01T00:00:00+23:59"}}', "timestamp"),
}


@pytest.mark.parametrize(("body", "check"), MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_malformed_signed_body_is_refused(pki: ThrowawayPKI, body: bytes, check: str) -> None:
    # Signed properly, so that the verifier gets as far as reading the body.
    with refused(check):
        pki.verifier().verify(pki.headers(body), body)


def test_timestamp_as_epoch_milliseconds_is_accepted(pki: ThrowawayPKI) -> None:
    body = make_body(timestamp=int(T0.timestamp() * 1000))
    pki.verifier().verify(pki.headers(body), body)


@pytest.mark.parametrize(
    "timestamp",
    ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123Z", "2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00"],
    ids=["zulu", "fraction", "offset", "naive-as-utc"],
)
def test_iso_8601_timestamp_forms_are_accepted(pki: ThrowawayPKI, timestamp: str) -> None:
    body = make_body(timestamp=timestamp)
    pki.verifier().verify(pki.headers(body), body)


def test_old_request_message_says_how_old(pki: ThrowawayPKI) -> None:
    body = make_body()
    later = T0 + timedelta(hours=3, minutes=5)
    with pytest.raises(VerificationError) as caught:
        pki.verifier(clock=lambda: later).verify(pki.headers(body), body)
    assert str(caught.value) == "timestamp: request is 3 hours old (limit 150 s)"


def test_skill_event_an_hour_old_is_accepted(pki: ThrowawayPKI) -> None:
    body = make_body(request_type="AlexaSkillEvent.SkillEnabled")
    pki.verifier(clock=lambda: T0 + timedelta(minutes=59)).verify(pki.headers(body), body)


def test_skill_event_over_an_hour_old_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body(request_type="AlexaSkillEvent.SkillEnabled")
    with refused("timestamp") as caught:
        pki.verifier(clock=lambda: T0 + timedelta(minutes=61)).verify(pki.headers(body), body)
    assert "(limit 3600 s)" in str(caught.value)


def test_ordinary_request_an_hour_old_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body(request_type="IntentRequest")
    with refused("timestamp"):
        pki.verifier(clock=lambda: T0 + timedelta(minutes=59)).verify(pki.headers(body), body)


# ==================================================================================================
# Application id
# ==================================================================================================


def test_any_application_id_is_accepted_without_skill_ids(pki: ThrowawayPKI) -> None:
    body = make_body(context_app_id="amzn1.ask.skill.someone-else", session_app_id=None)
    pki.verifier(skill_ids=None).verify(pki.headers(body), body)


@pytest.mark.parametrize(
    ("context_app_id", "session_app_id"),
    [(SKILL_ID, SKILL_ID), (SKILL_ID, None), (None, SKILL_ID)],
    ids=["both", "context-only", "session-only"],
)
def test_matching_application_id_is_accepted(
    pki: ThrowawayPKI, context_app_id: str | None, session_app_id: str | None
) -> None:
    body = make_body(context_app_id=context_app_id, session_app_id=session_app_id)
    pki.verifier(skill_ids={SKILL_ID, "amzn1.ask.skill.other"}).verify(pki.headers(body), body)


def test_single_skill_id_string_means_that_one_id(pki: ThrowawayPKI) -> None:
    body = make_body()
    pki.verifier(skill_ids=SKILL_ID).verify(pki.headers(body), body)
    body = make_body(context_app_id="a", session_app_id=None)
    with refused("application id"):
        pki.verifier(skill_ids=SKILL_ID).verify(pki.headers(body), body)


def test_session_application_id_disagreeing_with_context_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body(session_app_id="amzn1.ask.skill.someone-else")
    with refused("application id"):
        pki.verifier(skill_ids={SKILL_ID}).verify(pki.headers(body), body)


def test_missing_application_id_is_refused_when_skill_ids_are_set(pki: ThrowawayPKI) -> None:
    body = make_body(context_app_id=None, session_app_id=None)
    with refused("application id") as caught:
        pki.verifier(skill_ids={SKILL_ID}).verify(pki.headers(body), body)
    assert str(caught.value) == "application id: missing from the request"


def test_application_id_of_wrong_type_is_refused(pki: ThrowawayPKI) -> None:
    body = make_body().replace(f'"applicationId":"{SKILL_ID}"'.encode(), b'"applicationId":["x"]', 1)
    with refused("application id"):
        pki.verifier(skill_ids={SKILL_ID}).verify(pki.headers(body), body)


# ==================================================================================================
# Arbitrary input: VerificationError or success, never another exception
# ==================================================================================================

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _verify_or_refuse(verifier: RequestVerifier, headers: Any, body: bytes) -> None:
    try:
        verifier.verify(headers, body)
    except VerificationError:
        pass


@FUZZ
@given(body=st.binary(max_size=300))
def test_any_signed_bytes_are_refused_cleanly(pki: ThrowawayPKI, body: bytes) -> None:
    _verify_or_refuse(pki.verifier(), pki.headers(body), body)


@FUZZ
@given(
    envelope=st.fixed_dictionaries(
        {},
        optional={
            "request": st.fixed_dictionaries({}, optional={"timestamp": json_values, "type": json_values})
            | json_values,
            "context": json_values,
            "session": json_values,
        },
    )
)
def test_any_signed_json_is_refused_cleanly(pki: ThrowawayPKI, envelope: dict[str, Any]) -> None:
    body = json.dumps(envelope).encode()
    _verify_or_refuse(pki.verifier(skill_ids={SKILL_ID}), pki.headers(body), body)


@FUZZ
@given(
    headers=st.dictionaries(
        st.sampled_from(["SignatureCertChainUrl", "signature", "SIGNATURE-256", "Other"])
        | st.text(max_size=8),
        st.text(max_size=120) | st.binary(max_size=40),
        max_size=4,
    )
)
def test_any_headers_are_refused_cleanly(pki: ThrowawayPKI, headers: dict[str, Any]) -> None:
    _verify_or_refuse(pki.verifier(), headers, make_body())


@FUZZ
@given(
    path=st.text(st.characters(codec="ascii"), max_size=40),
    prefix=st.sampled_from(["https://s3.amazonaws.com/", "https://s3.amazonaws.com/echo.api/", "HTTPS://"]),
)
def test_any_certificate_url_is_refused_cleanly_or_stays_in_the_bucket(
    pki: ThrowawayPKI, prefix: str, path: str
) -> None:
    url = prefix + path
    fetcher = CountingFetcher(pki.chain_pem)
    body = make_body()
    _verify_or_refuse(pki.verifier(fetch_certificate=fetcher), pki.headers(body, url=url), body)
    for fetched in fetcher.calls:
        assert fetched.lower().startswith(("https://s3.amazonaws.com/", "https://s3.amazonaws.com:443/"))


@FUZZ
@given(
    pem=st.binary(max_size=200).map(
        lambda der: (
            b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
        )
    )
    | st.binary(max_size=200)
)
def test_any_certificate_download_is_refused_cleanly(pki: ThrowawayPKI, pem: bytes) -> None:
    body = make_body()
    _verify_or_refuse(pki.verifier(fetch_certificate=lambda url: pem), pki.headers(body), body)


# ==================================================================================================
# Caching the validated chain
# ==================================================================================================


def test_same_certificate_url_is_downloaded_once(one_recorded: signed_requests.SignedRequest) -> None:
    verifier = one_recorded.verifier()
    for _ in range(5):
        verifier.verify(one_recorded.headers, one_recorded.body)
    assert one_recorded.fetched_urls == [one_recorded.cert_url]


def test_cached_chain_is_still_checked_against_the_clock(pki: ThrowawayPKI) -> None:
    now = [T0]
    fetcher = CountingFetcher(pki.chain_pem)
    verifier = pki.verifier(fetch_certificate=fetcher, clock=lambda: now[0])
    body = make_body()
    verifier.verify(pki.headers(body), body)

    now[0] = pki.leaf_cert.not_valid_after_utc + timedelta(days=1)
    late_body = make_body(timestamp=now[0].isoformat())  # timely, so only the certificate can fail
    with refused("certificate") as caught:
        verifier.verify(pki.headers(late_body), late_body)
    assert "expired" in str(caught.value)
    assert len(fetcher.calls) == 2, "an out-of-date cached chain is downloaded again, in case it was renewed"


def test_certificate_cache_is_bounded_and_least_recently_used(pki: ThrowawayPKI) -> None:
    fetcher = CountingFetcher(pki.chain_pem)
    verifier = pki.verifier(fetch_certificate=fetcher)
    body = make_body()
    urls = [
        f"https://s3.amazonaws.com/echo.api/echo-api-cert-{i}.pem" for i in range(CERTIFICATE_CACHE_SIZE + 1)
    ]
    for url in urls:
        verifier.verify(pki.headers(body, url=url), body)
    assert len(fetcher.calls) == CERTIFICATE_CACHE_SIZE + 1

    verifier.verify(pki.headers(body, url=urls[-1]), body)  # still cached
    assert len(fetcher.calls) == CERTIFICATE_CACHE_SIZE + 1
    verifier.verify(pki.headers(body, url=urls[0]), body)  # evicted by the last one
    assert fetcher.calls[-1] == urls[0]
    assert len(fetcher.calls) == CERTIFICATE_CACHE_SIZE + 2


def test_failed_chain_is_remembered_for_a_minute(pki: ThrowawayPKI) -> None:
    now = [T0]
    fetcher = CountingFetcher(b"garbage")
    verifier = pki.verifier(fetch_certificate=fetcher, clock=lambda: now[0])
    body = make_body()
    for _ in range(3):
        with refused("certificate chain"):
            verifier.verify(pki.headers(body), body)
    assert len(fetcher.calls) == 1, "a failed URL is not downloaded again straight away"
    fetcher.pem = pki.chain_pem
    now[0] = T0 + verify.FAILURE_CACHE_TTL
    timely = make_body(timestamp=now[0].isoformat())
    verifier.verify(pki.headers(timely), timely)
    assert len(fetcher.calls) == 2, "after the minute it is tried again"


def test_url_variants_share_one_download(pki: ThrowawayPKI) -> None:
    fetcher = CountingFetcher(pki.chain_pem)
    verifier = pki.verifier(fetch_certificate=fetcher)
    body = make_body()
    variants = [f"{CERT_URL}?n={i}" for i in range(50)] + [
        CERT_URL.replace("https://s3", "HTTPS://S3"),
        CERT_URL.replace(".com/", ".com:443/"),
        CERT_URL.replace("echo.api/", "echo.api/./"),
        CERT_URL.replace("echo.api/", "echo.api/../echo.api/"),
        CERT_URL + "#fragment",
    ]
    for url in variants:
        verifier.verify(pki.headers(body, url=url), body)
    assert fetcher.calls == [CERT_URL]


def test_concurrent_requests_for_one_url_share_one_download(pki: ThrowawayPKI) -> None:
    release = threading.Event()
    fetcher = CountingFetcher(pki.chain_pem)

    def slow_fetch(url: str) -> bytes:
        release.wait(10)
        return fetcher(url)

    verifier = pki.verifier(fetch_certificate=slow_fetch)
    body = make_body()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [pool.submit(verifier.verify, pki.headers(body), body) for _ in range(8)]
        time.sleep(0.2)  # let all eight reach the download; correctness does not depend on it
        release.set()
        for result in results:
            result.result()
    assert fetcher.calls == [CERT_URL]


def test_downloads_at_once_are_bounded(pki: ThrowawayPKI) -> None:
    release = threading.Event()
    running = [0]
    most = [0]
    lock = threading.Lock()

    def blocking_fetch(url: str) -> bytes:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(10)
        with lock:
            running[0] -= 1
        return b"not a certificate"

    verifier = pki.verifier(fetch_certificate=blocking_fetch)
    body = make_body()
    count = 3 * verify.MAX_CONCURRENT_DOWNLOADS
    urls = [f"https://s3.amazonaws.com/echo.api/forged-{i}.pem" for i in range(count)]
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        results = [pool.submit(_verify_or_refuse, verifier, pki.headers(body, url=url), body) for url in urls]
        deadline = time.monotonic() + 5
        while running[0] < verify.MAX_CONCURRENT_DOWNLOADS and time.monotonic() < deadline:
            time.sleep(0.01)
        release.set()
        for result in results:
            result.result()
    assert most[0] == verify.MAX_CONCURRENT_DOWNLOADS


def test_verifier_can_be_shared_between_threads(pki: ThrowawayPKI) -> None:
    fetcher = CountingFetcher(pki.chain_pem)
    verifier = pki.verifier(fetch_certificate=fetcher)
    body = make_body()
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{i % 40}.pem" for i in range(400)]
    signed = [pki.headers(body, url=url) for url in urls[:40]]

    def check(i: int) -> None:
        verifier.verify(signed[i % 40], body)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(check, range(len(urls))))
    assert len(verifier._chains) <= CERTIFICATE_CACHE_SIZE


# ==================================================================================================
# The default download
# ==================================================================================================


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any attempt to open a connection."""

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr("socket.create_connection", forbidden)
    monkeypatch.setattr("socket.socket.connect", forbidden)
    monkeypatch.setattr("urllib.request.OpenerDirector.open", forbidden)


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert-7.pem",
        "ftp://s3.amazonaws.com/echo.api/echo-api-cert-7.pem",
        "file:///etc/passwd",
        "s3.amazonaws.com/echo.api/echo-api-cert-7.pem",
    ],
    ids=["http", "ftp", "file", "no-scheme"],
)
def test_default_fetcher_refuses_non_https_urls_before_any_network(no_network: None, url: str) -> None:
    with refused("certificate URL") as caught:
        default_fetch_certificate(url)
    assert "only https" in str(caught.value)


class _CertificateServer(http.server.BaseHTTPRequestHandler):
    """Routes that a certificate download may meet."""

    chain = b""
    hits: dict[str, int] = {}
    lock = threading.Lock()
    bucket_delay = 0.2

    def do_GET(self) -> None:
        with self.lock:
            self.hits[self.path] = self.hits.get(self.path, 0) + 1
        if self.path == "/slow.pem":
            time.sleep(1.5)
        if self.path == "/drip.pem":  # a status line, then one header byte every 0.2 s for 10 s
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            try:
                for _ in range(50):
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return
        if self.path.startswith("/echo.api/"):  # the stand-in for Amazon's bucket, a little slow
            time.sleep(self.bucket_delay)
            self.path = "/chain.pem" if self.path == "/echo.api/echo-api-cert-test.pem" else "/missing.pem"
        if self.path == "/redirect.pem":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/chain.pem")
            self.end_headers()
            return
        status, body = {
            "/chain.pem": (200, self.chain),
            "/slow.pem": (200, self.chain),
            "/huge.pem": (200, b"A" * (300 * 1024)),
        }.get(self.path, (404, b"no such file"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up, which is what some tests want
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def https_server(pki: ThrowawayPKI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A local HTTPS server with a certificate from the throwaway CA; yields (base URL, CA file)."""
    folder = tmp_path_factory.mktemp("https")
    now, day = datetime.now(UTC), timedelta(days=1)  # real time: the client checks this certificate's dates
    key = _rsa_key()
    (folder / "server.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        + _pem(
            pki.issue(
                key,
                dns_names=("localhost",),
                ip_addresses=("127.0.0.1",),
                not_before=now - day,
                not_after=now + day,
            )
        )
    )
    (folder / "ca.pem").write_bytes(_pem(pki.ca_cert))
    _CertificateServer.chain = pki.chain_pem
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CertificateServer)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "server.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}", folder / "ca.pem"
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_https(https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> str:
    """Base URL of the local server, trusted through SSL_CERT_FILE and reached without proxies."""
    base, ca_file = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    for proxy in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    return base


def test_default_fetcher_downloads_over_https(local_https: str, pki: ThrowawayPKI) -> None:
    assert default_fetch_certificate(f"{local_https}/chain.pem") == pki.chain_pem


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing.pem", "certificate URL: download answered HTTP 404"),
        ("/redirect.pem", "certificate URL: download answered HTTP 302"),
        ("/huge.pem", "certificate URL: download is larger than 262144 bytes"),
    ],
    ids=["not-found", "redirect", "too-large"],
)
def test_default_fetcher_refuses_bad_answers(local_https: str, path: str, message: str) -> None:
    with pytest.raises(VerificationError) as caught:
        default_fetch_certificate(f"{local_https}{path}")
    assert str(caught.value) == message


def test_default_fetcher_gives_up_on_a_slow_server(local_https: str) -> None:
    started = time.monotonic()
    with refused("certificate URL"):
        default_fetch_certificate(f"{local_https}/slow.pem", timeout=0.3)
    assert time.monotonic() - started < 1.2


def test_default_fetcher_refuses_an_untrusted_server(
    https_server: tuple[str, Path], local_https: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")  # so the throwaway CA is not trusted
    base = local_https
    with refused("certificate URL") as caught:
        default_fetch_certificate(f"{base}/chain.pem")
    assert "download failed" in str(caught.value)


def test_default_fetcher_gives_up_on_a_server_dripping_headers(local_https: str) -> None:
    with refused("certificate URL") as caught:
        default_fetch_certificate(f"{local_https}/drip.pem", timeout=1.0)
    assert str(caught.value) == "certificate URL: download took longer than 1 s"


def test_a_thousand_forged_requests_cause_a_few_downloads(local_https: str, pki: ThrowawayPKI) -> None:
    """Forged requests (copied body, made-up signature) naming the genuine certificate URL in many
    spellings, or ten made-up URLs in Amazon's bucket, against a slow certificate host reached with
    the real download code; meanwhile genuine requests keep being verified."""
    base = local_https

    def fetch_from_local_bucket(url: str) -> bytes:
        return default_fetch_certificate(url.replace("https://s3.amazonaws.com", base))

    verifier = pki.verifier(fetch_certificate=fetch_from_local_bucket, skill_ids=SKILL_ID)
    body = make_body()
    genuine = pki.headers(body)
    verifier.verify(genuine, body)
    with _CertificateServer.lock:
        _CertificateServer.hits.clear()

    forged_signature = base64.b64encode(bytes(range(256))).decode()
    spellings = [
        f"{CERT_URL}?n={{}}",
        CERT_URL.replace("https://s3.amazonaws.com", "HTTPS://S3.amazonaws.COM:443") + "#{}",
        CERT_URL.replace("echo.api/", "echo.api/./") + "?{}",
        "https://s3.amazonaws.com/echo.api/forged-{}.pem",
    ]
    urls = [spellings[i % 4].format(i % 10 if i % 4 == 3 else i) for i in range(1000)]

    def forge(url: str) -> str:
        try:
            verifier.verify({"SignatureCertChainUrl": url, "Signature-256": forged_signature}, body)
        except VerificationError as error:
            return str(error)
        return "accepted"

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = pool.map(forge, urls)
        genuine_times = []
        for _ in range(50):  # genuine requests, while the forged ones run
            started = time.monotonic()
            verifier.verify(genuine, body)
            genuine_times.append(time.monotonic() - started)
        reasons = list(answers)

    assert "accepted" not in reasons
    downloads = sum(_CertificateServer.hits.values())
    assert downloads <= 10, _CertificateServer.hits  # at most one per made-up URL, none for the genuine one
    assert set(_CertificateServer.hits) <= {f"/echo.api/forged-{i}.pem" for i in range(10)}
    print(f"\n1000 forged requests: {downloads} downloads; slowest genuine verification during them "
          f"{max(genuine_times) * 1000:.1f} ms")
