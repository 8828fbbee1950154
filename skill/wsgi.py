"""The app for a WSGI server, with its settings from the environment::

    FOOTWORK_SKILL_ID=amzn1.ask.skill.... gunicorn --workers 2 footwork.skill.wsgi:app

Settings the service refuses (:mod:`footwork.skill.service_policy`) stop the server at start-up with
one line naming the variable, not a traceback: the process exits with status 4, which gunicorn reads as
"the application failed to load" and stops instead of restarting workers forever.

``app`` answers the skill's requests (POST /alexa) itself (:mod:`footwork.skill.endpoint`) and hands
every other request to the Flask app, which is made on the first such request: a worker that has just
started answers Alexa without waiting for Flask's import, about a third of its start-up.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from footwork.core.settings import SettingsError

from .endpoint import AlexaEndpoint
from .service import Footwork, open_service, service_config

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: gunicorn's exit status for "App failed to load": its master halts rather than respawn the worker.
APP_LOAD_ERROR = 4

# A WSGI server configures its own loggers only; without this Footwork's warnings would go unformatted.
if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")



class FlaskOnFirstUse:
    """The Flask app of :func:`footwork.skill.app.create_app` around ``service``, made on first use."""

    def __init__(self, service: Footwork) -> None:
        self.service = service
        self._app: WSGIApplication | None = None
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._app is None:
            with self._lock:  # threaded workers: one app, made once
                if self._app is None:
                    from .app import create_app

                    self._app = create_app(service=self.service)
        return self._app(environ, start_response)


try:
    service = open_service(service_config())
except SettingsError as error:
    print(f"footwork: cannot start: {error}", file=sys.stderr, flush=True)
    raise SystemExit(APP_LOAD_ERROR) from None

app = AlexaEndpoint(service, FlaskOnFirstUse(service))
