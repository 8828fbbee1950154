"""The web simulator: talk to the skill from a browser page on the local dev server, offline.

:func:`register_simulator` adds, in development mode only (``FOOTWORK_DEV``: verification off):

* ``GET /dev/simulator``: the page (static HTML, JavaScript and CSS from ``skill/static/``, no CDN);
* ``GET /dev/simulator/examples``: the routines and the sample utterances, for the page's hints;
* ``POST /dev/simulator/say`` with ``{"utterance", "session"}`` (or ``"action": "launch" | "end"``):
  the utterance is matched as Alexa would (:mod:`footwork.skill.utterances`), sent as a real request
  envelope through the app's own ``POST /alexa`` view, and the answer comes back with the match, the
  request, the response, the speech as timed pieces and the new ``session`` to send next time.

The server keeps no state: the page holds the session (user id, session id, attributes) and sends
it back with every utterance, as ``footwork say --session`` keeps it in a file. With verification
on, nothing is registered, so the paths do not exist (404): the simulator can never be reached on a
server that faces Alexa.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request, send_from_directory

from .dialog import Dialog, Exchange, InProcess, TransportError
from .envelopes import Conversation
from .utterances import Match, Matcher, phrases

STATIC = Path(__file__).with_name("static")
PAGE = "simulator.html"
ASSETS = frozenset({"simulator.js", "simulator.css"})
#: Longest utterance accepted: a spoken sentence, not a document.
MAX_UTTERANCE = 500
_KEY = "footwork.simulator"


def register_simulator(app: Flask) -> bool:
    """Add the simulator's routes to ``app`` if it is a dev app; return whether they were added."""
    state = app.extensions.get("footwork")
    if state is None or not state.dev or state.verifier is not None:
        return False
    if "footwork_simulator" in app.blueprints:  # already registered (create_app does it in dev mode)
        return True
    app.extensions[_KEY] = {"matcher": Matcher.from_catalog(state.catalog)}
    app.register_blueprint(_blueprint())
    return True


def _blueprint() -> Blueprint:
    pages = Blueprint("footwork_simulator", __name__, url_prefix="/dev/simulator")

    @pages.get("")
    @pages.get("/")
    def page() -> Response:
        return _static(PAGE)

    @pages.get("/<name>")
    def asset(name: str) -> Response | tuple[Response, int]:
        if name not in ASSETS:
            return jsonify({"error": "not found"}), 404
        return _static(name)

    @pages.get("/examples")
    def examples() -> Response:
        state = current_app.extensions["footwork"]
        matcher: Matcher = current_app.extensions[_KEY]["matcher"]
        return jsonify({
            "routines": [{"id": r.id, "title": r.title} for r in state.catalog.routines],
            "intents": phrases(matcher),
        })

    @pages.post("/say")
    def say() -> Response | tuple[Response, int]:
        return _say(request.get_json(silent=True))

    return pages


def _static(name: str) -> Response:
    response = send_from_directory(STATIC, name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if name == PAGE:
        # Everything the page needs comes from this server: say so, so nothing else can be loaded.
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    return response


def _bad(reason: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": reason}), status


def _say(body: Any) -> Response | tuple[Response, int]:
    """One turn for the page: read the request, run it through the skill, answer with everything."""
    if not isinstance(body, dict):
        return _bad("expected a JSON object: {\"utterance\": ..., \"session\": ...}")
    utterance = body.get("utterance")
    action = body.get("action")
    if action not in (None, "launch", "end"):
        return _bad("action must be \"launch\" or \"end\"")
    if action is None and (not isinstance(utterance, str) or not utterance.strip()):
        return _bad("utterance must be a non-empty string")
    if isinstance(utterance, str) and len(utterance) > MAX_UTTERANCE:
        return _bad(f"utterance is too long (limit {MAX_UTTERANCE} characters)")
    try:
        conversation = _conversation(body.get("session"))
    except (TypeError, ValueError) as error:
        return _bad(f"session is not a saved conversation: {error}")

    matcher: Matcher = current_app.extensions[_KEY]["matcher"]
    dialog = Dialog(matcher, InProcess(current_app._get_current_object()), conversation)  # type: ignore[attr-defined]
    try:
        if action == "launch":
            exchange: Exchange | None = dialog.launch(utterance if isinstance(utterance, str) else None)
        elif action == "end":
            exchange = dialog.end(utterance if isinstance(utterance, str) else None)
        else:
            exchange = dialog.say(str(utterance))  # a non-empty string: checked above
    except TransportError as error:
        return _bad(str(error), 502)

    session = _session_json(dialog.conversation)
    if exchange is None:
        match = Match("end").as_json()
        return jsonify({"utterance": utterance, "match": match, "request": None, "response": None,
                        "speech": {"text": "", "segments": [], "reprompt": ""}, "card": None,
                        "session_open": False, "session": session,
                        "note": "No session is open, so there is nothing to end."})
    answer = exchange.as_json()
    answer["session"] = session
    return jsonify(answer)


def _conversation(saved: Any) -> Conversation:
    """The page's saved session, or a new conversation (a new dev user) when it has none yet."""
    if saved is None:
        return Conversation()
    if not isinstance(saved, dict):
        raise TypeError("expected an object")
    return Conversation.from_json(json.dumps(saved))


def _session_json(conversation: Conversation) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(conversation.to_json())
    data["open"] = conversation.open
    return data
