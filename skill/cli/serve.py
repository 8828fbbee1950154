"""``footwork serve``: run the skill on this machine.

Without ``--dev`` it runs gunicorn (sync workers, each killed and replaced when a request holds it past
the timeout); ``--dev`` runs Werkzeug's development server, which must never face the internet. Either
way the settings are checked first (:mod:`footwork.skill.service_policy`): a refused one is one line
naming the variable and exit status 2, not a traceback.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from werkzeug.serving import WSGIRequestHandler

#: Seconds a gunicorn worker may spend on one request. Alexa gives up after about 8 s, and the
#: verifier's certificate download has 5 s in all, so anything longer is a stuck or starved worker.
WORKER_TIMEOUT = 15

#: Seconds a development-server connection may sit silent (an idle or stalled client) before it is
#: dropped, so that such clients cannot pile up threads.
DEV_SOCKET_TIMEOUT = 10


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--dev", is_flag=True, help="Development mode: request verification OFF, web simulator ON.")
@click.option("--db", "database", default=None,
              help="Where progress is kept: a SQLite file or a store URL (default: FOOTWORK_DB, else a "
                   "SQLite file in your user data folder).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="gunicorn worker processes (not with --dev).")
def serve_command(host: str, port: int, dev: bool, database: str | None, workers: int) -> None:
    """Run the Footwork skill: POST /alexa, GET /healthz.

    Without --dev this is gunicorn with request verification on: set FOOTWORK_SKILL_ID first, and put
    nginx in front for HTTPS and slow clients (deploy/nginx/ in the repository, and the README).

    With --dev, requests are not checked for Amazon's signature, so you can talk to the skill with
    `footwork say`, `footwork chat` or the page at /dev/simulator. Never expose a --dev server.

    \b
    Examples:
      FOOTWORK_SKILL_ID=amzn1.ask.skill.... footwork serve --port 8000
      footwork serve --dev --port 5000
      footwork say --url http://127.0.0.1:5000/alexa "start the ankle routine"
    """
    from footwork.core.settings import Settings, SettingsError
    from footwork.skill.service_policy import service_policy
    from footwork.skill.stores import open_configured_store

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        env = Settings.from_env()
        policy = service_policy(dev=dev or env.dev, verify=env.verify, skill_ids=env.skill_ids)
        # An unknown or unreachable store is one line here, not a worker's traceback later.
        open_configured_store(database or env.db, on_lambda=env.on_lambda)
    except SettingsError as error:
        click.secho(f"footwork serve: cannot start: {error}", fg="red", err=True)
        raise click.exceptions.Exit(2) from None
    config: dict[str, Any] = {"FOOTWORK_DEV": policy.dev}
    if database:
        config["FOOTWORK_DB"] = database
    for warning in policy.warnings:
        bar = "!" * min(len(warning), 100)
        click.secho(f"{bar}\n{warning}\n{bar}", fg="red", bold=True, err=True)
    if policy.dev:
        _serve_dev(host, port, config)
    else:
        _serve_gunicorn(host, port, workers, config)


def _banner(host: str, port: int, dev: bool, database: str | None) -> None:
    from footwork.core import load_catalog
    from footwork.skill.stores import mask_url
    from footwork.skill.stores.sqlite import default_database_path

    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    click.echo(f"Footwork on http://{shown}:{port}/alexa  (health: http://{shown}:{port}/healthz)", err=True)
    if dev:
        click.echo(f"Web simulator: http://{shown}:{port}/dev/simulator", err=True)
    click.echo(f"Progress store: {mask_url(database) if database else default_database_path()}", err=True)
    catalog = load_catalog()
    for pack in catalog.packs:
        status = "ok" if pack.ok else f"ERROR: {pack.error}"
        click.echo(f"  pack {pack.name} {pack.version or ''}: {status}", err=True)
    if not catalog.routines:
        click.secho("No routines loaded: install a pack (see docs/packs.md).", fg="yellow", err=True)
    sys.stderr.flush()


def _serve_dev(host: str, port: int, config: dict[str, Any]) -> None:
    from footwork.skill.app import create_app
    from werkzeug.serving import run_simple

    app = create_app(config)
    _banner(host, port, True, app.extensions["footwork"].persistence.where)
    run_simple(host, port, app, threaded=True, request_handler=_dev_request_handler())


def _serve_gunicorn(host: str, port: int, workers: int, config: dict[str, Any]) -> None:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        click.secho(
            "footwork serve: cannot start: gunicorn is not installed. Install it with "
            "pip install 'footwork[serve]', or use --dev for the development server.",
            fg="red", err=True,
        )
        raise click.exceptions.Exit(2) from None
    from footwork.core.settings import Settings

    _banner(host, port, False, config.get("FOOTWORK_DB") or Settings.from_env().db)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "worker_class": "sync",
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": 10,
        "proc_name": "footwork",
        # gunicorn's control socket lives at one path per user: two servers would fight over it.
        "control_socket_disable": True,
    }

    class FootworkGunicorn(BaseApplication):  # type: ignore[misc]
        """gunicorn run from here: the options above, the app built in each worker (no --preload,
        so no database connection is opened before the fork)."""

        def load_config(self) -> None:
            for name, value in options.items():
                if name in self.cfg.settings:
                    self.cfg.set(name, value)

        def load(self) -> Any:
            from footwork.skill.app import create_app

            return create_app(config)

    FootworkGunicorn().run()


def _dev_request_handler() -> type[WSGIRequestHandler]:
    """Werkzeug's request handler with a socket timeout and no blocking drain of unread uploads.

    After answering, Werkzeug reads what is left of the body so that the client sees the answer, with
    ``rfile.read(10 MB)``, which blocks until 10 MB or the end of input: each stalled oversize upload
    held a thread and its buffers. Here that read takes only what has already arrived. (Defined on
    demand: importing Werkzeug would slow down ``footwork --help``, which lists this command.)
    """
    from werkzeug.serving import WSGIRequestHandler

    class DevRequestHandler(WSGIRequestHandler):
        timeout = DEV_SOCKET_TIMEOUT

        def make_environ(self) -> Any:
            environ = super().make_environ()  # wsgi.input keeps the real, blocking stream for the app
            self.rfile = _ArrivedOnly(self.rfile, self.connection)  # type: ignore[assignment]
            return environ

    return DevRequestHandler


class _ArrivedOnly:
    """A view of a socket's read stream whose ``read`` returns what has arrived, never waiting for more."""

    def __init__(self, rfile: Any, connection: socket.socket) -> None:
        self._rfile = rfile
        self._connection = connection

    def read(self, size: int = -1) -> bytes:
        limit = 64 * 1024 if size is None or size < 0 else min(size, 64 * 1024)
        timeout = self._connection.gettimeout()
        self._connection.settimeout(0)
        try:
            return bytes(self._rfile.read1(limit) or b"")
        except OSError:  # BlockingIOError: nothing more has arrived
            return b""
        finally:
            self._connection.settimeout(timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rfile, name)
