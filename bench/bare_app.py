"""The baseline for the endpoint benchmark: a bare Flask app that does the least an Alexa endpoint must.

It reads the body, parses it as JSON, checks that it is an object with a ``request`` in it (the same
first checks Footwork's view makes) and answers a fixed, valid Alexa response. No SDK, no
verification, no database. Whatever Footwork costs above this is the cost of being a real skill;
the ratio of the two throughputs is the figure ``bench/endpoint.py`` prints.

Serve it with gunicorn exactly like the real app::

    gunicorn --workers 1 --bind 127.0.0.1:8000 --chdir bench bare_app:app
"""

from __future__ import annotations

import json

from flask import Flask, Response, request

#: What every request is answered with: a minimal valid Alexa response, serialised once.
FIXED_RESPONSE: bytes = json.dumps(
    {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": "<speak>Welcome to Foot Work.</speak>"},
            "shouldEndSession": False,
        },
    }
).encode()

#: Same limit as the real app, so that both refuse the same oversized bodies.
MAX_BODY_BYTES = 128 * 1024


def create_bare_app() -> Flask:
    """A Flask app with one view, POST /alexa, doing JSON parsing and nothing else."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @app.post("/alexa")
    def alexa() -> Response | tuple[Response, int]:
        try:
            data = json.loads(request.get_data(cache=False))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return Response(b'{"error":"body is not JSON"}', 400, mimetype="application/json")
        if not isinstance(data, dict) or not isinstance(data.get("request"), dict):
            return Response(b'{"error":"request is missing"}', 400, mimetype="application/json")
        return Response(FIXED_RESPONSE, mimetype="application/json")

    return app


app = create_bare_app()
