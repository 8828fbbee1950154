"""``footwork data``: the operator's tools for the progress store that ``FOOTWORK_DB`` names.

Every subcommand works the same on each store (SQLite, PostgreSQL, DynamoDB). Errors name
``FOOTWORK_DB`` (with any password masked) and exit with status 1; nothing prints a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import click
from footwork.core.settings import Settings, SettingsError

if TYPE_CHECKING:
    from footwork.skill.stores import Store

__all__ = ["data_group"]


@contextmanager
def _store(*, check: bool = True) -> Iterator[Store]:
    """The configured store; every store or settings error becomes one line on stderr and exit 1."""
    from footwork.skill.stores import StoreError, open_configured_store, open_store

    try:
        env = Settings.from_env()
        # `init` must not demand what it is about to create (the DynamoDB table).
        store = open_configured_store(env.db) if check else open_store(env.db)
    except (SettingsError, StoreError) as error:
        click.echo(f"footwork: {error}", err=True)
        raise click.exceptions.Exit(1) from None
    try:
        yield store
    except StoreError as error:
        click.echo(f"footwork: {error}", err=True)
        raise click.exceptions.Exit(1) from None
    finally:
        store.close()


def _user_id(value: str) -> str:
    from footwork.skill.stores import StoreError, check_user_id

    try:
        return check_user_id(value)
    except StoreError as error:
        raise click.BadParameter(str(error)) from None


@click.group("data", context_settings={"help_option_names": ["-h", "--help"]})
def data_group() -> None:
    """Look after the progress store that FOOTWORK_DB names (default: a SQLite file).

    \b
    Examples:
      FOOTWORK_DB='dynamodb://footwork?region=eu-west-1' footwork data init
      footwork data stats
      footwork data export amzn1.ask.account.XXXX > person.json
      footwork data forget amzn1.ask.account.XXXX
      footwork data purge --older-than 365
    """


@data_group.command("init")
def init_command() -> None:
    """Create what the store needs: the SQLite file or PostgreSQL table, or the DynamoDB table
    (key user_id, on-demand billing). Safe to run again."""
    with _store(check=False) as store:
        click.echo(store.init())


@data_group.command("forget")
@click.argument("user_id")
def forget_command(user_id: str) -> None:
    """Delete everything stored for USER_ID (Amazon's amzn1.ask.account... id)."""
    user_id = _user_id(user_id)
    with _store() as store:
        deleted = store.delete(user_id)
    click.echo("deleted that person's progress" if deleted else "nothing was stored for that user id")


@data_group.command("export")
@click.argument("user_id")
def export_command(user_id: str) -> None:
    """Print, as JSON, everything stored for USER_ID (for a person who asks what is kept about them)."""
    user_id = _user_id(user_id)
    with _store() as store:
        record = store.read(user_id)
    if record is None:
        click.echo("footwork: nothing is stored for that user id", err=True)
        raise click.exceptions.Exit(1)
    click.echo(json.dumps({"user_id": record.user_id, "updated_at": record.updated_at.isoformat(),
                           "version": record.version, "attributes": record.attributes},
                          indent=2, ensure_ascii=False))


@data_group.command("stats")
def stats_command() -> None:
    """Print counts (people with progress, and how many were active lately) as JSON; never an id."""
    with _store() as store:
        stats = store.stats()
        kind = store.kind
    click.echo(json.dumps({"store": kind, **stats.as_json()}, indent=2))


def _days(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value <= 0:
        raise click.BadParameter("must be more than 0 days")
    return value


@data_group.command("purge")
@click.option("--older-than", "days", type=float, required=True, callback=_days, metavar="DAYS",
              help="Delete the progress of everyone whose last visit is older than this many days.")
def purge_command(days: float) -> None:
    """Delete the progress of people not seen for more than DAYS days."""
    with _store() as store:
        count = store.purge(timedelta(days=days))
    click.echo(f"deleted the progress of {count} person(s) not seen for {days:g} days")
