"""``footwork model`` and ``footwork package``: the Alexa interaction model and the ASK skill package.

Both read the packs installed now (``FOOTWORK_PACKS`` selects some by name), so after
``pip install`` of a new pack, running them again makes its routines speakable. Both check what they
build before they print or write it: a problem is reported on stderr, every one, with exit status 1
and nothing printed or written. Warnings (a pack that failed to load, a synonym two routines share,
the placeholder endpoint) go to stderr and do not stop the command; with ``--strict`` (or
``FOOTWORK_STRICT=1``) a pack problem does, as in every footwork command.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..interaction_model import LOCALES, build_interaction_model, check_interaction_model
from ..skill_package import (
    DEFAULT_REGION,
    DEFAULT_SSL_CERTIFICATE_TYPE,
    DEFAULT_TABLE,
    NO_ROUTINES,
    PLACEHOLDER_ENDPOINT,
    SSL_CERTIFICATE_TYPES,
    SkillPackageError,
    write_project,
)
from . import load_catalog, strict_option


def _fail(what: str, problems: list[str]) -> None:
    click.echo(f"error: {what}:", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    raise click.exceptions.Exit(1)


@click.command("model")
@click.option("--locale", type=click.Choice(LOCALES), default="en-US", show_default=True,
              help="The locale whose interaction model to print.")
@strict_option
def model_command(locale: str, strict: bool) -> None:
    """Print the Alexa interaction model (JSON) for the installed packs.

    The model has the invocation name "foot work", the skill's intents with their sample
    utterances, and a ROUTINE slot type with every installed routine's name and synonyms. It is
    checked first: on any problem nothing is printed, the problems go to stderr, and the exit
    status is 1.

    \b
    Examples:
      footwork model
      footwork model --locale en-GB > skill-package/interactionModels/custom/en-GB.json
    """
    catalog = load_catalog(strict=strict)
    warnings: list[str] = []
    model = build_interaction_model(catalog, locale, warnings=warnings)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    problems = ([] if catalog.routines else [NO_ROUTINES]) + check_interaction_model(model)
    if problems:
        _fail(f"the {locale} interaction model has {len(problems)} problem(s)", problems)
    click.echo(json.dumps(model, indent=2, ensure_ascii=False))


@click.command("package")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--endpoint", metavar="URL",
              help=f"The skill's HTTPS endpoint (a web service). Default: a placeholder "
                   f"({PLACEHOLDER_ENDPOINT}), with a warning.")
@click.option("--ssl-certificate-type", type=click.Choice(SSL_CERTIFICATE_TYPES),
              help=f"The HTTPS endpoint's certificate. Default: {DEFAULT_SSL_CERTIFICATE_TYPE}.")
@click.option("--lambda", "hosted_lambda", is_flag=True,
              help="Host the skill on AWS Lambda: `ask deploy` creates the function from DIRECTORY/lambda.")
@click.option("--lambda-arn", metavar="ARN",
              help="An existing AWS Lambda function ARN instead of --endpoint.")
@click.option("--region", default=DEFAULT_REGION, show_default=True, help="With --lambda: the AWS region.")
@click.option("--table", default=DEFAULT_TABLE, show_default=True,
              help="With --lambda: the DynamoDB table that keeps progress (FOOTWORK_DB).")
@click.option("--skill-id", metavar="ID",
              help="With --lambda: the skill id the function answers (default: any).")
@strict_option
def package_command(directory: Path, endpoint: str | None, ssl_certificate_type: str | None,
                    hosted_lambda: bool, lambda_arn: str | None, region: str, table: str,
                    skill_id: str | None, strict: bool) -> None:
    """Write an ASK CLI project for the installed packs into DIRECTORY, ready for `ask deploy`.

    Writes DIRECTORY/ask-resources.json, DIRECTORY/skill-package/skill.json (store text with the
    health disclaimer, endpoint, the SKILL_DISABLED event subscription, privacy and compliance answers)
    and DIRECTORY/skill-package/interactionModels/custom/LOCALE.json for en-US, en-GB, en-CA, en-AU and
    en-IN. With --lambda, also DIRECTORY/lambda/requirements.txt (footwork with its dynamodb extra and
    the installed packs, pinned); the function's handler is footwork.skill.lambda_handler. Everything
    is checked first; on any problem nothing is written, the problems go to stderr, and the exit
    status is 1.

    \b
    Examples:
      footwork package footwork-skill --endpoint https://footwork.example.org/alexa
      footwork package footwork-skill --lambda --region eu-west-1 --table footwork
      footwork package footwork-skill --lambda-arn arn:aws:lambda:us-east-1:123456789012:function:footwork
      cd footwork-skill && ask deploy
    """
    if (lambda_arn or hosted_lambda) and (endpoint or ssl_certificate_type):
        raise click.UsageError("--lambda and --lambda-arn replace --endpoint and --ssl-certificate-type; "
                               "give one or the other")
    catalog = load_catalog(strict=strict)
    warnings: list[str] = []
    try:
        written = write_project(directory, catalog, endpoint=endpoint, lambda_arn=lambda_arn,
                                hosted_lambda=hosted_lambda, ssl_certificate_type=ssl_certificate_type,
                                region=region, table=table, skill_id=skill_id, warnings=warnings)
    except SkillPackageError as error:
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        _fail(f"nothing written; the skill package has {len(error.problems)} problem(s)", error.problems)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in written:
        click.echo(f"wrote {path}")
    routines = ", ".join(r.id for r in catalog) or "none"
    click.echo(f"{len(catalog.routines)} routine(s): {routines}")
    click.echo(f"deploy with: cd {directory} && ask deploy")
