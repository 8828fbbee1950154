"""The apps the endpoint benchmark serves under gunicorn, one per layer of cost, chosen by environment.

``BENCH_LAYER`` picks the app (default ``full``); each layer adds one thing to the one before, so the
difference between two neighbours is the cost of that thing:

=================  ==========================================================================
``bare``           :mod:`bare_app`: Flask, ``json.loads``, a fixed answer
``sdk``            + ask-sdk-core: deserialise the envelope, a one-line handler, serialise
``verify``         + :class:`RequestVerifier` on the signed request (signature, chain, clock)
``persist``        + the one-line handler reads and writes the user's attributes in SQLite
``full-noverify``  Footwork's real app (``create_app``), verification off, SQLite on
``full``           Footwork's real app, verification on, SQLite on: what Alexa talks to
``full-sdk-reader``  ``full`` reading envelopes with ``RequestSerializer`` (the SDK's, as before)
``full-before``    ``full`` from another checkout (``endpoint.py --before``), for before/after
=================  ==========================================================================

Every layer is sent the same recorded request that Amazon really signed (``BENCH_REQUEST``, a folder
name under ``/work/shared/alexa/signed-requests``; default the 2019 LaunchRequest), byte for byte. Its
certificate has long expired, so the verifier's clock is frozen at the request's own timestamp, its
"download" reads the recorded ``chain.pem`` (a local cache: no network) and its trust roots are the
recorded ``_roots``. The database is ``BENCH_DB`` (a file the benchmark deletes afterwards).

Run under gunicorn from the repository root::

    BENCH_LAYER=full BENCH_DB=/tmp/bench.sqlite3 \\
        .venv/bin/gunicorn --workers 1 --bind 127.0.0.1:8000 --chdir bench bench_app:app
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope, Response
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from flask import Flask, request
from flask import Response as FlaskResponse
from footwork.skill.stores.sqlite import SQLiteStore
from footwork.skill.verify import RequestVerifier, VerificationError

SIGNED_REQUESTS_DIR = Path(os.environ.get("BENCH_SIGNED_REQUESTS", "/work/shared/alexa/signed-requests"))
DEFAULT_REQUEST = "2019-07-15_alexa-ask-sdk-nodejs_cert-7"
LAYERS = ("bare", "sdk", "verify", "persist", "full-noverify", "full")
#: Not a layer of the ladder: the real app reading envelopes with ask-sdk-core's ``DefaultSerializer``,
#: as it did before ``footwork.skill.envelope_reader`` (issue 14), so both are measured in one run.
SDK_READER = "full-sdk-reader"
#: The real app from another checkout (``BENCH_BEFORE`` is put first on ``PYTHONPATH`` by endpoint.py).
BEFORE = "full-before"


@dataclass(frozen=True)
class Recorded:
    """One request Amazon signed: the body exactly as sent, its headers and its certificate chain."""

    name: str
    body: bytes
    headers: dict[str, str]
    chain_pem: bytes

    @property
    def timestamp(self) -> datetime:
        """The request's own ``request.timestamp``, at which its chain was in date."""
        return datetime.fromisoformat(json.loads(self.body)["request"]["timestamp"])

    @property
    def application_id(self) -> str:
        """The skill the request was sent to: the app must be configured with it (issue 12's policy)."""
        envelope = json.loads(self.body)
        system = envelope.get("context", {}).get("System") or envelope["session"]
        return str(system["application"]["applicationId"])

    @property
    def requests(self) -> list[tuple[str, bytes, dict[str, str]]]:
        """The one request, in the shape of :attr:`signed_mix.SignedMix.requests`."""
        return [(self.name, self.body, self.headers)]

    def fetch_certificate(self, url: str) -> bytes:
        """The verifier's certificate "download": the recorded chain, from memory."""
        return self.chain_pem

    def verifier(self) -> RequestVerifier:
        """A verifier that accepts this request: frozen clock, recorded chain and roots, any skill id."""
        frozen = self.timestamp
        return RequestVerifier(
            skill_ids=None,
            fetch_certificate=self.fetch_certificate,
            trust_roots=load_roots(),
            clock=lambda: frozen,
        )


def load_recorded(name: str = DEFAULT_REQUEST) -> Recorded:
    """Read one recorded request folder: ``body.json``, ``signature.txt``, ``cert_url.txt``, ``chain.pem``."""
    folder = SIGNED_REQUESTS_DIR / name
    if not folder.is_dir():
        raise SystemExit(f"recorded request not found: {folder} (set BENCH_SIGNED_REQUESTS)")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "SignatureCertChainUrl": (folder / "cert_url.txt").read_text("ascii").strip(),
        "Signature": (folder / "signature.txt").read_text("ascii").strip(),
    }
    return Recorded(name, (folder / "body.json").read_bytes(), headers, (folder / "chain.pem").read_bytes())


@cache
def load_roots() -> tuple[x509.Certificate, ...]:
    """The recorded trust roots (VeriSign G5, Amazon Root CA 1, Starfield) in ``_roots/``."""
    roots: list[x509.Certificate] = []
    with warnings.catch_warnings():  # the Starfield roots have serial 0, which cryptography warns about
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for path in sorted((SIGNED_REQUESTS_DIR / "_roots").glob("*.pem")):
            roots.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    return tuple(roots)


# --- the ladder's own layers: the SDK with a one-line handler, then + verification, + SQLite ---------


class OneLine(AbstractRequestHandler):
    """Handles anything with one sentence: the least work an ask-sdk handler can do."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak("Welcome to Foot Work.").ask("Which routine?").response


class OneLineWithMemory(OneLine):
    """The one-line handler, plus a read and a write of the user's persistent attributes."""

    def handle(self, handler_input: HandlerInput) -> Response:
        manager = handler_input.attributes_manager
        attributes = manager.persistent_attributes
        attributes["visits"] = int(attributes.get("visits", 0)) + 1
        manager.save_persistent_attributes()
        return super().handle(handler_input)


def sdk_skill(persistence: SQLiteStore | None = None) -> CustomSkill:
    """An ask-sdk skill with one handler: :class:`OneLine`, or :class:`OneLineWithMemory` with a database."""
    builder = CustomSkillBuilder(persistence_adapter=persistence)
    builder.add_request_handler(OneLine() if persistence is None else OneLineWithMemory())
    return builder.create()


def handle_with_sdk(skill: CustomSkill, serializer: DefaultSerializer, body: bytes) -> bytes:
    """What an ask-sdk webservice does per request: deserialise, invoke, serialise."""
    envelope = serializer.deserialize(body.decode("utf-8"), RequestEnvelope)
    response = skill.invoke(request_envelope=envelope, context=None)
    return json.dumps(serializer.serialize(response)).encode()


def create_layer_app(
    layer: str, recorded: Any = None, database: str | os.PathLike[str] | None = None
) -> Flask:
    """The Flask app for one layer of the ladder (see the module docstring)."""
    known = (*LAYERS, SDK_READER, BEFORE)
    if layer not in known:
        raise SystemExit(f"BENCH_LAYER must be one of {', '.join(known)}, not {layer!r}")
    if layer == "bare":
        from bare_app import create_bare_app

        return create_bare_app()
    recorded = recorded or load_recorded()
    database = database or Path(tempfile.mkdtemp(prefix="footwork-bench-")) / "bench.sqlite3"
    if layer in ("full", "full-noverify", SDK_READER, BEFORE):
        from footwork.skill.app import create_app

        config: dict[str, Any] = {"FOOTWORK_DB": str(database), "FOOTWORK_DEV": False}
        if layer == "full-noverify":
            config.update(FOOTWORK_VERIFY=False)
        else:
            config.update(FOOTWORK_VERIFY=True, FOOTWORK_VERIFIER=recorded.verifier(),
                          FOOTWORK_SKILL_ID=recorded.application_id)
        app = create_app(config)
        if layer == SDK_READER:
            from footwork.skill.skill_events import RequestSerializer

            serializer = RequestSerializer()
            app.extensions["footwork"].read_envelope = lambda data: serializer.deserialize(
                json.dumps(data), RequestEnvelope)
        return app

    persistence = SQLiteStore(database) if layer == "persist" else None
    skill = sdk_skill(persistence)
    serializer = DefaultSerializer()
    verifier = recorded.verifier() if layer in ("verify", "persist") else None
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 128 * 1024

    @app.post("/alexa")
    def alexa() -> FlaskResponse:
        body = request.get_data(cache=False)
        if verifier is not None:
            try:
                verifier.verify(request.headers, body)
            except VerificationError as error:
                return FlaskResponse(json.dumps({"error": str(error)}), 400, mimetype="application/json")
        return FlaskResponse(handle_with_sdk(skill, serializer, body), mimetype="application/json")

    return app


def app_from_env() -> Flask:
    """The app gunicorn serves: ``BENCH_LAYER``, ``BENCH_REQUEST`` (or ``BENCH_MIX``, a folder of
    :mod:`signed_mix`) and ``BENCH_DB`` from the environment."""
    recorded: Any
    if os.environ.get("BENCH_MIX"):
        from signed_mix import load_mix

        recorded = load_mix(Path(os.environ["BENCH_MIX"]))
    else:
        recorded = load_recorded(os.environ.get("BENCH_REQUEST", DEFAULT_REQUEST))
    return create_layer_app(os.environ.get("BENCH_LAYER", "full"), recorded, os.environ.get("BENCH_DB"))


def __getattr__(name: str) -> Any:
    """Build ``app`` only when gunicorn asks for it, so that importing this module builds nothing."""
    if name == "app":
        built = app_from_env()
        globals()["app"] = built
        return built
    raise AttributeError(name)
