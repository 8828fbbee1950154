"""The ``footwork`` command: one click group, with each subcommand in its own module.

Subcommands are imported only when they are used (or listed by ``--help``), so ``footwork packs``
never pays for importing Flask or the Alexa SDK. To add a command, write ``skill/cli/NAME.py`` with a
click command and add one line to :data:`COMMANDS`::

    "serve": ".serve:serve_command",

Commands that need the installed content use the helpers here rather than calling
:func:`footwork.core.load_catalog` themselves, so every command treats broken packs the same way::

    from footwork.skill.cli import load_catalog, strict_option

    @click.command()
    @strict_option
    def narrate(strict: bool) -> None:
        catalog = load_catalog(strict=strict)

A broken pack never stops another pack from loading: by default its problems are reported on stderr
and the command goes on with the packs that loaded. ``--strict`` (or ``FOOTWORK_STRICT=1``) makes any
pack problem fatal, with exit status 1, for CI and deployments that must ship every pack.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TypeVar

import click
from footwork.core import Catalog, PackStatus
from footwork.core import load_catalog as load_core_catalog
from footwork.core.settings import strict_from_env

#: Subcommand name -> "module:attribute", the module relative to this package.
COMMANDS: dict[str, str] = {
    "chat": ".talk:chat_command",
    "data": ".data:data_group",
    "exercises": ".packs:exercises",
    "model": ".model:model_command",
    "narrate": ".narrate:narrate",
    "package": ".model:package_command",
    "packs": ".packs:packs",
    "routines": ".packs:routines",
    "say": ".talk:say_command",
    "serve": ".serve:serve_command",
    "show": ".packs:show",
}

#: Exit status when ``--strict`` finds a pack problem.
STRICT_EXIT = 1

F = TypeVar("F", bound=Callable[..., object])


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module the first time the subcommand is needed."""

    def __init__(self, *args: object, lazy_commands: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            self.add_command(self._import(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def _import(self, cmd_name: str) -> click.Command:
        module_name, _, attribute = self.lazy_commands[cmd_name].partition(":")
        module = importlib.import_module(module_name, package=__name__)
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):
            # A wrong COMMANDS entry is our bug, not the user's: say which one.
            raise TypeError(f"COMMANDS[{cmd_name!r}] names {command!r}, which is not a click command")
        return command


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  footwork packs                 the installed content packs and their status
  footwork show ankle            the ankle routine, as a person would read it
  footwork packs new stretches   start a new content pack""",
)
@click.version_option(package_name="footwork", prog_name="footwork")
def main() -> None:
    """Footwork: voice-guided foot and ankle exercise for Alexa.

    Content comes from packs: pip-installable distributions found through the
    "footwork" entry-point group. Set FOOTWORK_PACKS=a,b to load only those packs.
    """


# --- loading the catalog, the same way for every command ------------------------------------------


def strict_option(function: F) -> F:
    """The ``--strict`` flag, for any command that loads packs; pass its value to :func:`load_catalog`."""
    return click.option(
        "--strict",
        is_flag=True,
        help="Exit with status 1 if any pack failed to load or reported a problem (also FOOTWORK_STRICT=1).",
    )(function)  # type: ignore[return-value]


def is_strict(flag: bool) -> bool:
    """Whether strict mode is on: the ``--strict`` flag, or ``FOOTWORK_STRICT=1`` in the environment."""
    return flag or strict_from_env()


def load_catalog(*, strict: bool = False) -> Catalog:
    """The installed packs (as ``FOOTWORK_PACKS`` selects them), with their problems reported on stderr.

    With ``strict`` (or ``FOOTWORK_STRICT=1``), any problem ends the command with exit status 1 after
    it is reported; otherwise the command carries on with the packs that loaded.
    """
    catalog = load_core_catalog()
    echo_problems(catalog)
    exit_if_strict(catalog, strict)
    return catalog


def echo_problems(catalog: Catalog) -> None:
    """Report every failed pack and every warning on stderr, one problem a line, naming the pack."""
    for pack in catalog.packs:
        if pack.error:
            click.echo(f"footwork: pack '{pack.name}' failed to load:", err=True)
            for line in error_lines(pack):
                click.echo(f"  {line}", err=True)
        for warning in pack.warnings:
            click.echo(f"footwork: warning: pack '{pack.name}': {warning}", err=True)


def error_lines(pack: PackStatus) -> list[str]:
    """A pack's error as lines: a data file with five problems gives five lines."""
    return pack.error.splitlines() if pack.error else []


def exit_if_strict(catalog: Catalog, strict: bool) -> None:
    """In strict mode, exit with status 1 if any pack has a problem; call it after showing the problems."""
    if not is_strict(strict):
        return
    troubled = [p.name for p in catalog.packs if p.error or p.warnings]
    if troubled:
        noun = "pack has" if len(troubled) == 1 else "packs have"
        click.echo(f"footwork: strict: {len(troubled)} {noun} problems: {', '.join(troubled)}", err=True)
        raise click.exceptions.Exit(STRICT_EXIT)
