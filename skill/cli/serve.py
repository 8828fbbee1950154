"""``footwork serve``: run the skill on this machine."""

from __future__ import annotations

import logging
import sys

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
@click.option("--dev", is_flag=True, help="Development mode: request verification OFF, web simulator ON.")
@click.option("--db", "database", type=click.Path(dir_okay=False), default=None,
              help="SQLite database file (default: FOOTWORK_DB, else one in your user data folder).")
def serve_command(host: str, port: int, dev: bool, database: str | None) -> None:
    """Run the Footwork skill: POST /alexa, GET /healthz.

    With --dev, requests are not checked for Amazon's signature, so you can talk to the skill with
    `footwork say`, `footwork chat` or the page at /dev/simulator. Never expose a --dev server.
    In production, run `gunicorn footwork.skill.wsgi:app` behind HTTPS instead.

    \b
    Example:
      footwork serve --dev --port 5000
      footwork say --url http://127.0.0.1:5000/alexa "start the ankle routine"
    """
    from footwork.skill.app import DEV_WARNING, create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config: dict[str, object] = {}
    if dev:
        config["FOOTWORK_DEV"] = True
    if database:
        config["FOOTWORK_DB"] = database
    app = create_app(config)
    state = app.extensions["footwork"]
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    if dev:
        bar = "!" * len(DEV_WARNING)
        click.secho(f"{bar}\n{DEV_WARNING}\n{bar}", fg="red", bold=True, err=True)
    click.echo(f"Footwork on http://{shown}:{port}/alexa  (health: http://{shown}:{port}/healthz)", err=True)
    if dev:
        click.echo(f"Web simulator: http://{shown}:{port}/dev/simulator", err=True)
    click.echo(f"Progress store: {state.persistence.where}", err=True)
    for pack in state.catalog.packs:
        status = "ok" if pack.ok else f"ERROR: {pack.error}"
        click.echo(f"  pack {pack.name} {pack.version or ''}: {status}", err=True)
    if not state.catalog.routines:
        click.secho("No routines loaded: install a pack (see docs/packs.md).", fg="yellow", err=True)
    sys.stderr.flush()
    app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)
