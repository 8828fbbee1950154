"""The app for a WSGI server, with its settings from the environment::

    FOOTWORK_SKILL_ID=amzn1.ask.skill.... gunicorn --workers 2 footwork.skill.wsgi:app

Settings the service refuses (:mod:`footwork.skill.service_policy`) stop the server at start-up with
one line naming the variable, not a traceback: the process exits with status 4, which gunicorn reads as
"the application failed to load" and stops instead of restarting workers forever.
"""

from __future__ import annotations

import logging
import sys

from footwork.core.settings import SettingsError

from .app import create_app

#: gunicorn's exit status for "App failed to load": its master halts rather than respawn the worker.
APP_LOAD_ERROR = 4

# A WSGI server configures its own loggers only; without this Footwork's warnings would go unformatted.
if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

try:
    app = create_app()
except SettingsError as error:
    print(f"footwork: cannot start: {error}", file=sys.stderr, flush=True)
    raise SystemExit(APP_LOAD_ERROR) from None
