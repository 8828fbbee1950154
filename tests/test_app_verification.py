"""The real app over real HTTP refuses every request that fails verification with a 400 and a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import signed_requests
from footwork.core import load_catalog
from footwork.skill import create_app
from live_server import LiveServer, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("db") / "footwork.sqlite3"
    # Verification on; each test puts in the verifier for its recorded request.
    app = create_app({"FOOTWORK_VERIFY": True, "FOOTWORK_SKILL_ID": "any", "FOOTWORK_DB": str(database),
                      "FOOTWORK_CATALOG": load_catalog()})
    with serve(app) as live:
        yield live


def use(server: LiveServer, verifier: object) -> None:
    server.app.extensions["footwork"].verifier = verifier


@pytest.mark.parametrize("name", signed_requests.params())
def test_every_request_amazon_signed_is_answered(server: LiveServer, name: str) -> None:
    recorded = signed_requests.load(name)
    use(server, recorded.verifier())
    reply = server.post("/alexa", recorded.body, recorded.headers)
    assert reply.status == 200, reply.body
    assert reply.json["version"] == "1.0"
    assert "response" in reply.json


@pytest.mark.parametrize("name", signed_requests.params())
def test_body_altered_by_one_byte_is_refused_with_400(server: LiveServer, name: str) -> None:
    recorded = signed_requests.load(name)
    use(server, recorded.verifier())
    body = bytearray(recorded.body)
    index = body.index(b'"requestId"') + 1
    body[index] ^= 0x01
    reply = server.post("/alexa", bytes(body), recorded.headers)
    assert reply.status == 400
    assert reply.json["error"].startswith("verification failed: signature")


@pytest.mark.parametrize(("url", "check"), [
    ("https://s3.amazonaws.com/echo.api/../evil.pem", "certificate URL"),
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "certificate URL"),
    ("https://evil.example.com/echo.api/echo-api-cert.pem", "certificate URL"),
    ("https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem", "certificate URL"),
])
def test_wrong_certificate_url_is_refused_with_400(server: LiveServer, url: str, check: str) -> None:
    if not signed_requests.available():
        pytest.skip(signed_requests.MISSING_REASON)
    name = signed_requests.names()[-1]
    recorded = signed_requests.load(name)
    use(server, recorded.verifier())
    reply = server.post("/alexa", recorded.body, {**recorded.headers, "SignatureCertChainUrl": url})
    assert reply.status == 400
    assert check in reply.json["error"]


def test_expired_clock_foreign_skill_and_missing_headers_are_refused_with_400(server: LiveServer) -> None:
    if not signed_requests.available():
        pytest.skip(signed_requests.MISSING_REASON)
    recorded = signed_requests.load(signed_requests.names()[-1])
    years_later = recorded.timestamp + dt.timedelta(days=3650)
    cases = [
        (recorded.verifier(clock=lambda: years_later), recorded.headers),
        (recorded.verifier(clock=lambda: recorded.timestamp + dt.timedelta(seconds=151)), recorded.headers),
        (recorded.verifier(skill_ids={"amzn1.ask.skill.someone-else"}), recorded.headers),
        (recorded.verifier(), {"SignatureCertChainUrl": recorded.cert_url}),
        (recorded.verifier(), {}),
    ]
    for verifier, headers in cases:
        use(server, verifier)
        reply = server.post("/alexa", recorded.body, headers)
        assert reply.status == 400, (headers, reply.body)
        assert reply.json["error"].startswith("verification failed:")
    # The server is still answering good requests after all that.
    use(server, recorded.verifier(skill_ids={recorded.application_id}))
    assert server.post("/alexa", recorded.body, recorded.headers).status == 200


def test_dev_mode_turns_verification_off_and_says_so(tmp_path: object) -> None:
    app = create_app({"FOOTWORK_DEV": True, "FOOTWORK_DB": str(tmp_path) + "/f.sqlite3",
                      "FOOTWORK_CATALOG": load_catalog()})
    with serve(app) as live:
        health = live.get("/healthz").json
    assert health["verification"] == "off"
    assert health["dev"] is True
    assert any("verification is OFF" in warning for warning in health["warnings"])


def test_simulator_does_not_exist_when_verification_is_on(server: LiveServer) -> None:
    assert server.get("/dev/simulator").status == 404


def test_blank_signature_256_beside_a_valid_legacy_signature_is_refused_with_400(server: LiveServer) -> None:
    if not signed_requests.available():
        pytest.skip(signed_requests.MISSING_REASON)
    recorded = signed_requests.load(signed_requests.names()[-1])
    use(server, recorded.verifier())
    assert server.post("/alexa", recorded.body, recorded.headers).status == 200
    reply = server.post("/alexa", recorded.body, {**recorded.headers, "Signature-256": ""})
    assert reply.status == 400
    assert reply.json["error"] == "verification failed: headers: Signature-256 is empty"


def test_healthz_says_any_skill_is_answered(server: LiveServer) -> None:
    health = server.get("/healthz").json
    assert health["verification"] == "on"
    assert health["skill_ids"] == "any"
    assert any("FOOTWORK_SKILL_ID=any" in warning for warning in health["warnings"])
