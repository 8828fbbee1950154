"""Footwork's own requests (Launch, StartRoutine, Next), signed as Alexa signs, for the endpoint benchmark.

Amazon's recorded requests (``shared/alexa/signed-requests``) were sent to other skills, so none of them
starts a Footwork routine or moves to its next step. To load the real app with what a person actually
says, this module plays conversations through the app in process (verification off) to get
the requests Alexa would send, session attributes included: for each of ``users`` people a
LaunchRequest, a StartRoutineIntent (heel raises, as in issue 14) and an AMAZON.NextIntent. Each body is
then signed with a throwaway RSA-2048 key whose certificate, for ``echo-api.amazon.com``, a throwaway
root issued; the verifier of the benchmark trusts that root, reads the chain from the folder and has its
clock frozen at the requests' timestamp. Verification costs exactly what it costs with Amazon's keys:
the same RSA-2048 signature check (``Signature-256``, SHA-256, as Alexa signs today), the same cached
chain, the same URL and timestamp checks.

Everything is written to one folder (``requests.json``, ``chain.pem``, ``root.pem``), which
``bench_app.py`` reads when ``BENCH_MIX`` names it.
"""

from __future__ import annotations

import base64
import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem"
#: The three kinds of request in the mix, in the order each person sends them.
KINDS = ("LaunchRequest", "StartRoutineIntent", "AMAZON.NextIntent")


@dataclass(frozen=True)
class SignedMix:
    """The signed requests (kind, body, headers), the chain, its root and the moment they were sent."""

    requests: list[tuple[str, bytes, dict[str, str]]]
    chain_pem: bytes
    root_pem: bytes
    timestamp: datetime
    application_id: str
    name: str = "mix"

    def verifier(self) -> Any:
        from footwork.skill.verify import RequestVerifier

        frozen = self.timestamp
        return RequestVerifier(
            skill_ids={self.application_id},
            fetch_certificate=lambda url: self.chain_pem,
            trust_roots=[x509.load_pem_x509_certificate(self.root_pem)],
            clock=lambda: frozen,
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificates(now: datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate, x509.Certificate]:
    """A root and the leaf it issued for ``echo-api.amazon.com``; the leaf's key."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("Footwork bench root"))
        .issuer_name(_name("Footwork bench root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("echo-api.amazon.com"))
        .issuer_name(root.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("echo-api.amazon.com")]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    return leaf_key, leaf, root


def _conversations(users: int, now: datetime) -> list[tuple[str, bytes]]:
    """What ``users`` people send: Launch, start heel raises, next; played through the app to be real."""
    from footwork.skill.app import create_app
    from footwork.skill.dev.envelopes import Conversation, SlotValue

    with tempfile.TemporaryDirectory(prefix="footwork-mix-") as scratch:
        app = create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DEV": False,
                          "FOOTWORK_DB": str(Path(scratch) / "mix.sqlite3")})
        client = app.test_client()
        routines = app.extensions["footwork"].catalog.routines
        routine = next((r for r in routines if "heel" in r.id), routines[0])
        slot = SlotValue(routine.title, routine.id, routine.title)
        sent: list[tuple[str, bytes]] = []
        for _ in range(users):
            talk = Conversation(clock=lambda: now)
            for kind in KINDS:
                if kind == "LaunchRequest":
                    envelope = talk.launch()
                elif kind == "StartRoutineIntent":
                    envelope = talk.intent(kind, {"routine": slot, "level": None})
                else:
                    envelope = talk.intent(kind)
                body = json.dumps(envelope).encode()
                answer = client.post("/alexa", data=body, content_type="application/json")
                if answer.status_code != 200:
                    raise RuntimeError(f"{kind}: HTTP {answer.status_code} {answer.data[:200]!r}")
                talk.receive(answer.get_json())
                sent.append((kind, body))
        return sent


def build_mix(folder: Path, users: int = 12) -> Path:
    """Write ``users`` x (Launch, StartRoutine, Next), signed, with the chain and root, into ``folder``."""
    from footwork.skill.dev.envelopes import DEV_SKILL_ID

    now = datetime.now(UTC).replace(microsecond=0)
    leaf_key, leaf, root = _certificates(now)
    requests = []
    for kind, body in _conversations(users, now):
        signature = leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        headers = {"Content-Type": "application/json", "SignatureCertChainUrl": CERT_URL,
                   "Signature-256": base64.b64encode(signature).decode()}
        requests.append({"kind": kind, "body": body.decode(), "headers": headers})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "requests.json").write_text(json.dumps({
        "timestamp": now.isoformat(), "application_id": DEV_SKILL_ID, "requests": requests}), "utf-8")
    (folder / "chain.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (folder / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return folder


def load_mix(folder: Path) -> SignedMix:
    """Read a folder :func:`build_mix` wrote."""
    data = json.loads((folder / "requests.json").read_text("utf-8"))
    return SignedMix(
        requests=[(r["kind"], r["body"].encode(), r["headers"]) for r in data["requests"]],
        chain_pem=(folder / "chain.pem").read_bytes(),
        root_pem=(folder / "root.pem").read_bytes(),
        timestamp=datetime.fromisoformat(data["timestamp"]),
        application_id=data["application_id"],
    )
