"""Requests that Amazon really signed, from ``shared/alexa/signed-requests/`` beside the checkout.

Each folder there holds one recorded Alexa request (``body.json``, ``signature.txt``,
``cert_url.txt``, ``chain.pem``), and ``_roots/`` the roots its chain leads to; the folder's README
says where they come from.  Every leaf has long expired, so a verifier accepts them only with its
clock frozen at the request's own timestamp: :meth:`SignedRequest.verifier` builds such a verifier.

CI has the shared folder beside the repository; elsewhere it may be missing, and :func:`params`
then yields a single skipped parameter that says so, instead of silently collecting no tests.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from footwork.skill.verify import RequestVerifier

SIGNED_REQUESTS_DIR = Path(__file__).resolve().parents[2] / "shared" / "alexa" / "signed-requests"
ROOTS_DIR = SIGNED_REQUESTS_DIR / "_roots"
MISSING_REASON = f"recorded Alexa requests not found at {SIGNED_REQUESTS_DIR} (CI has them beside the repo)"


@dataclass(frozen=True)
class SignedRequest:
    """One recorded request, as the HTTP layer would hand it to the verifier."""

    name: str
    body: bytes
    signature: str
    cert_url: str
    chain_pem: bytes
    fetched_urls: list[str] = field(default_factory=list, compare=False)

    @property
    def envelope(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def timestamp(self) -> datetime:
        return datetime.fromisoformat(self.envelope["request"]["timestamp"])

    @property
    def application_id(self) -> str:
        envelope = self.envelope
        system = envelope.get("context", {}).get("System")
        return (system or envelope["session"])["application"]["applicationId"]

    @property
    def leaf(self) -> x509.Certificate:
        return x509.load_pem_x509_certificates(self.chain_pem)[0]

    @property
    def headers(self) -> dict[str, str]:
        return {"SignatureCertChainUrl": self.cert_url, "Signature": self.signature}

    def fetch_certificate(self, url: str) -> bytes:
        """Stand-in for the download: the chain the URL served then.  Records each URL asked for."""
        self.fetched_urls.append(url)
        return self.chain_pem

    def verifier(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        skill_ids: set[str] | None = None,
        trust_roots: list[x509.Certificate] | None = None,
    ) -> RequestVerifier:
        """A verifier for this request: clock at its timestamp, chain from file, the shared roots."""
        timestamp = self.timestamp
        return RequestVerifier(
            skill_ids=skill_ids,
            fetch_certificate=self.fetch_certificate,
            trust_roots=trust_roots if trust_roots is not None else load_roots(),
            clock=clock or (lambda: timestamp),
        )


def available() -> bool:
    return SIGNED_REQUESTS_DIR.is_dir()


def names() -> list[str]:
    """The folder names of the recorded requests, sorted (oldest first: they start with a date)."""
    if not available():
        return []
    return sorted(
        path.name for path in SIGNED_REQUESTS_DIR.iterdir() if path.is_dir() and not path.name.startswith("_")
    )


def params() -> list[Any]:
    """``pytest.mark.parametrize`` values, one per request with the folder name as id."""
    found = names()
    if not found:
        return [pytest.param(None, id="no-signed-requests", marks=pytest.mark.skip(reason=MISSING_REASON))]
    return [pytest.param(name, id=name) for name in found]


def load(name: str) -> SignedRequest:
    """A fresh :class:`SignedRequest` (fresh, so that ``fetched_urls`` starts empty)."""
    if not available():
        pytest.skip(MISSING_REASON)
    folder = SIGNED_REQUESTS_DIR / name
    return SignedRequest(
        name=name,
        body=(folder / "body.json").read_bytes(),  # bytes as signed: never decode and re-encode
        signature=(folder / "signature.txt").read_text("ascii").strip(),
        cert_url=(folder / "cert_url.txt").read_text("ascii").strip(),
        chain_pem=(folder / "chain.pem").read_bytes(),
    )


@cache
def load_roots() -> list[x509.Certificate]:
    """The roots in ``_roots/``: VeriSign G5, Amazon Root CA 1 and the Starfield roots."""
    if not ROOTS_DIR.is_dir():
        pytest.skip(MISSING_REASON)
    roots = []
    # The Starfield roots have serial number 0, which cryptography warns about; they are real roots.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for path in sorted(ROOTS_DIR.glob("*.pem")):
            roots.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    return roots
