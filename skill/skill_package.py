"""The ASK CLI skill package: ``skill.json`` and one interaction model per locale.

:func:`write_skill_package` builds everything, checks everything, and only then writes::

    DIRECTORY/skill.json
    DIRECTORY/interactionModels/custom/en-US.json   (and en-GB, en-CA, en-AU, en-IN)

so that ``ask deploy`` run from the project above DIRECTORY (usually called ``skill-package``)
publishes the routines of the packs installed now. When any check fails it raises
:class:`SkillPackageError` listing every problem and writes nothing.

Footwork is a health-related skill, so the store text carries the disclaimer that certification asks
for ("not a substitute for professional medical advice") and no claim that it treats, cures or
relieves anything; :func:`health_claims` looks for such claims in every text of the manifest,
including routine titles that packs supply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from footwork.core import Catalog, Routine

from .interaction_model import (
    INVOCATION_NAME,
    LOCALES,
    build_interaction_model,
    check_interaction_model,
    fold,
    intents_for,
    routine_values,
)

SKILL_NAME = "Foot Work"
CATEGORY = "HEALTH_AND_FITNESS"
DISCLAIMER_PHRASE = "not a substitute for professional medical advice"
DISCLAIMER = (
    f"{SKILL_NAME} is {DISCLAIMER_PHRASE}. If you have a health condition, check with a doctor or "
    "other health professional before you start, move gently, and stop if anything hurts."
)
SUMMARY = "Simple foot and ankle exercise routines, talked through one step at a time."

#: A clearly fake address: ``footwork package`` warns whenever it is used.
PLACEHOLDER_ENDPOINT = "https://replace-with-your-endpoint.example.com/alexa"
SSL_CERTIFICATE_TYPES: tuple[str, ...] = ("Wildcard", "SelfSigned", "Trusted")
DEFAULT_SSL_CERTIFICATE_TYPE = "Trusted"

#: Where each locale's skill is offered.
COUNTRIES: dict[str, str] = {"en-US": "US", "en-GB": "GB", "en-CA": "CA", "en-AU": "AU", "en-IN": "IN"}

KEYWORDS: tuple[str, ...] = (
    "foot exercises", "ankle exercises", "feet", "ankles", "exercise", "fitness", "guided workout",
)

PRIVACY_AND_COMPLIANCE: dict[str, bool] = {
    "allowsPurchases": False,
    "usesPersonalInfo": False,
    "isChildDirected": False,
    "isExportCompliant": True,
    "containsAds": False,
}

TESTING_INSTRUCTIONS = (
    "Say 'Alexa, open foot work', then 'list the routines', then 'start' and a routine's name. Say "
    "'next' to move through the steps, 'repeat', 'previous', 'pause' or 'stop'. The skill remembers only "
    "which routines were finished and where a routine was left off; it asks for no personal or health "
    "information."
)

#: Words that claim a health outcome. Certification refuses health skills that claim to treat,
#: cure or prevent anything; the disclaimer's own words ("medical advice", "health professional")
#: are not claims.
HEALTH_CLAIM = re.compile(
    r"\b(?:treat(?:s|ed|ing|ment|ments)?|cur(?:e|es|ed|ing)|heal(?:s|ed|ing)?|reliev\w*|relief|"
    r"prevent\w*|therap\w*|rehab\w*|diagnos\w*|recover\w*|remed\w*|"
    r"(?:reduc\w*|eas\w*|less|lower\w*|fix\w*|stop\w*|end\w*)\s+(?:your\s+)?(?:pain|aches?)|"
    r"pain[- ]?(?:relief|free life)|clinically|medically\s+proven|doctor[- ]recommended|"
    r"sav(?:e|es|ed|ing)\s+lives|arthritis|fasciitis|bunions?|neuropath\w*|diabet\w*|osteo\w*)\b",
    re.IGNORECASE,
)

NO_ROUTINES = "no routines are installed (or FOOTWORK_PACKS selects none): install a content pack first"

_LAMBDA_ARN = re.compile(r"^arn:aws:lambda:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}"
                         r"(?::[A-Za-z0-9_$-]+)?$")


#: Skill events the manifest subscribes to: SKILL_DISABLED lets Footwork forget a person who leaves.
EVENT_SUBSCRIPTIONS: tuple[str, ...] = ("SKILL_DISABLED",)


class SkillPackageError(ValueError):
    """The package was not written: ``problems`` says why, every reason at once."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the skill package has {len(self.problems)} problem(s):\n{lines}")


# --- the manifest ----------------------------------------------------------------------------------


def example_routine_words(routines: Sequence[Routine]) -> str | None:
    """What to call a routine in the example phrases: the ankle routine when it is installed."""
    if not routines:
        return None
    routine = next((r for r in routines if r.id == "ankle"), routines[0])
    values, _ = routine_values(routines)
    value = next(v for v in values if v["id"] == routine.id)
    words = [value["name"]["value"], *value["name"]["synonyms"]]
    said = routine.id.replace("-", " ")
    return said if said in words else words[0]


def example_phrases(routines: Sequence[Routine]) -> list[str]:
    """The "try saying" phrases of the store page; each must be something the model understands."""
    phrases = [f"Alexa, open {INVOCATION_NAME}"]
    words = example_routine_words(routines)
    if words:
        phrases.append(f"Alexa, ask {INVOCATION_NAME} to start the {words} routine")
    phrases.append(f"Alexa, ask {INVOCATION_NAME} to list the routines")
    return phrases


def description(routines: Sequence[Routine]) -> str:
    titles = [r.title for r in routines]
    listed = (", ".join(titles[:-1]) + " and " + titles[-1]) if len(titles) > 1 else "".join(titles)
    routines_text = f" Routines: {listed}." if listed else ""
    return (
        f"{SKILL_NAME} talks you through simple foot and ankle exercise routines, one step at a time. "
        "It explains each exercise, counts your repetitions, times your holds and rests, and waits for "
        f"you to say next.{routines_text} Choose a level from first time to strong. {DISCLAIMER}"
    )


def endpoint_object(
    endpoint: str | None = None, *, lambda_arn: str | None = None, ssl_certificate_type: str | None = None
) -> dict[str, str]:
    """``apis.custom.endpoint``: a Lambda ARN, or an HTTPS URL with its certificate type."""
    if endpoint and lambda_arn:
        raise ValueError("give an HTTPS endpoint or a Lambda ARN, not both")
    if lambda_arn:
        if ssl_certificate_type:
            raise ValueError("an SSL certificate type applies to an HTTPS endpoint, not to a Lambda ARN")
        return {"uri": lambda_arn}
    return {
        "uri": endpoint or PLACEHOLDER_ENDPOINT,
        "sslCertificateType": ssl_certificate_type or DEFAULT_SSL_CERTIFICATE_TYPE,
    }


def build_manifest(
    catalog: Catalog | Iterable[Routine],
    *,
    endpoint: str | None = None,
    lambda_arn: str | None = None,
    ssl_certificate_type: str | None = None,
    locales: Sequence[str] = LOCALES,
    interfaces: Sequence[Mapping[str, Any]] = (),
    hosted_lambda: bool = False,
) -> dict[str, Any]:
    """``skill.json`` for the routines in ``catalog``. Not checked here: see :func:`check_manifest`.

    ``hosted_lambda``: ``ask deploy`` creates the Lambda function and fills in its endpoint, so without
    ``lambda_arn`` the manifest names none. With an endpoint, the manifest subscribes to
    ``SKILL_DISABLED`` events, sent to the skill's own endpoint, so a person who disables the skill can
    be forgotten (events need an endpoint of their own, so a function not yet deployed gets none).

    ``interfaces`` are declared as given (``{"type": "ALEXA_PRESENTATION_APL", ...}`` once the skill
    sends APL). Raises ValueError when both ``endpoint`` and ``lambda_arn`` are given.
    """
    routines = list(catalog)
    custom: dict[str, Any] = {"interfaces": [dict(i) for i in interfaces]}
    body: dict[str, Any] = {}
    if not (hosted_lambda and not lambda_arn):
        custom["endpoint"] = endpoint_object(endpoint, lambda_arn=lambda_arn,
                                             ssl_certificate_type=ssl_certificate_type)
        # Events need an endpoint of their own; before the first deploy a new function has none.
        body["events"] = {"subscriptions": [{"eventName": name} for name in EVENT_SUBSCRIPTIONS],
                          "endpoint": dict(custom["endpoint"])}
    store_text = {
        "name": SKILL_NAME,
        "summary": SUMMARY,
        "description": description(routines),
        "examplePhrases": example_phrases(routines),
        "keywords": list(KEYWORDS),
    }
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": {locale: dict(store_text) for locale in locales},
                "isAvailableWorldwide": False,
                "distributionCountries": sorted({COUNTRIES[loc] for loc in locales if loc in COUNTRIES}),
                "distributionMode": "PUBLIC",
                "category": CATEGORY,
                "testingInstructions": TESTING_INSTRUCTIONS,
            },
            "apis": {"custom": custom},
            **body,
            "privacyAndCompliance": dict(PRIVACY_AND_COMPLIANCE),
        }
    }


# --- checking ----------------------------------------------------------------------------------------


def _texts(value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, f"{path}[{i}]")


def health_claims(manifest: Any) -> list[str]:
    """Every text in ``manifest`` that sounds like a health claim, with where it is."""
    found = []
    for path, text in _texts(manifest):
        for match in HEALTH_CLAIM.finditer(text):
            found.append(f"{path}: '{match.group(0)}' sounds like a health claim; a health skill may not "
                         "claim to treat, cure, relieve or prevent anything")
    return found


def check_endpoint(endpoint: Any) -> list[str]:
    if not isinstance(endpoint, Mapping) or not isinstance(endpoint.get("uri"), str):
        return ["apis.custom.endpoint: no uri"]
    uri = endpoint["uri"]
    if uri.startswith("arn:"):
        problems = [] if _LAMBDA_ARN.match(uri) else [
            f"endpoint '{uri}' is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)"]
        if "sslCertificateType" in endpoint:
            problems.append("a Lambda endpoint takes no sslCertificateType")
        return problems
    problems = []
    parts = urlsplit(uri)
    if parts.scheme != "https" or not parts.hostname:
        problems.append(f"endpoint '{uri}' must be an https:// URL with a host name (or use a Lambda ARN)")
    else:
        try:
            port = parts.port
        except ValueError:
            port = -1
        if port not in (None, 443):
            problems.append(f"endpoint '{uri}': Alexa sends requests to port 443 only")
    if endpoint.get("sslCertificateType") not in SSL_CERTIFICATE_TYPES:
        problems.append(f"sslCertificateType {endpoint.get('sslCertificateType')!r} must be one of "
                        f"{', '.join(SSL_CERTIFICATE_TYPES)}")
    return problems


def check_events(events: Any, endpoint: Any) -> list[str]:
    """The manifest must subscribe to every event in :data:`EVENT_SUBSCRIPTIONS`, at the skill's endpoint."""
    if not isinstance(events, Mapping):
        return ["events: missing; Footwork subscribes to SKILL_DISABLED to forget people who leave"]
    names = {e.get("eventName") for e in events.get("subscriptions") or [] if isinstance(e, Mapping)}
    problems = [f"events.subscriptions lacks {name}" for name in EVENT_SUBSCRIPTIONS if name not in names]
    if events.get("endpoint") != endpoint:
        problems.append("events.endpoint must be the skill's own endpoint")
    return problems


def check_example_phrase(phrase: Any, model: Mapping[str, Any]) -> list[str]:
    """An example phrase must wake Alexa, name the skill, and say something the model understands."""
    if not isinstance(phrase, str):
        return ["an example phrase is not text"]
    invocation = model["interactionModel"]["languageModel"]["invocationName"]
    text = fold(phrase).rstrip(".")
    launch = re.fullmatch(rf"alexa, (?:open|launch|start|begin) {re.escape(invocation)}", text)
    ask = re.fullmatch(rf"alexa, (?:ask|tell) {re.escape(invocation)} (?:to |for |about )?(.+)", text)
    if launch:
        return []
    if not ask:
        return [f"example phrase '{phrase}' must start 'Alexa, open {invocation}' or 'Alexa, ask "
                f"{invocation} to ...'"]
    if not intents_for(ask.group(1), model):
        return [f"example phrase '{phrase}': '{ask.group(1)}' is not a sample utterance of any intent"]
    return []


def check_manifest(manifest: Any, models: Mapping[str, Mapping[str, Any]], *, hosted_lambda: bool = False
                   ) -> list[str]:
    """Problems with ``skill.json`` given the interaction model of each locale (``models``).

    With ``hosted_lambda`` (``ask deploy`` creates the function), a missing endpoint is expected.
    """
    try:
        body = manifest["manifest"]
        publishing = body["publishingInformation"]
        store = publishing["locales"]
    except (KeyError, TypeError):
        return ["skill.json has no manifest.publishingInformation.locales"]
    problems: list[str] = []
    for locale in models:
        if locale not in store:
            problems.append(f"publishingInformation has no store text for {locale}")
    for locale, text in store.items():
        where = f"publishingInformation.locales.{locale}"
        if locale not in models:
            problems.append(f"{where}: there is no interaction model for {locale}")
        for key, limit in (("name", 50), ("summary", 160), ("description", 4000)):
            value = text.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}.{key} is missing")
            elif len(value) > limit:
                problems.append(f"{where}.{key} is longer than {limit} characters")
        if DISCLAIMER_PHRASE not in str(text.get("description", "")):
            problems.append(f"{where}.description must say the skill is '{DISCLAIMER_PHRASE}'")
        phrases = text.get("examplePhrases") or []
        if not 1 <= len(phrases) <= 3:
            problems.append(f"{where}.examplePhrases must have one to three phrases")
        if locale in models:
            for phrase in phrases:
                problems += [f"{where}: {p}" for p in check_example_phrase(phrase, models[locale])]
    if publishing.get("category") != CATEGORY:
        problems.append(f"publishingInformation.category must be {CATEGORY}")
    try:
        endpoint = body["apis"]["custom"]["endpoint"]
    except (KeyError, TypeError):
        endpoint = None
    if endpoint is not None or not hosted_lambda:
        problems += check_endpoint(endpoint)
        problems += check_events(body.get("events"), endpoint)
    privacy = body.get("privacyAndCompliance") or {}
    for key, expected in PRIVACY_AND_COMPLIANCE.items():
        if privacy.get(key) is not expected:
            problems.append(f"privacyAndCompliance.{key} must be {str(expected).lower()}")
    problems += health_claims(manifest)
    return problems


# --- writing -----------------------------------------------------------------------------------------


def build_skill_package(
    catalog: Catalog | Iterable[Routine],
    *,
    endpoint: str | None = None,
    lambda_arn: str | None = None,
    ssl_certificate_type: str | None = None,
    locales: Sequence[str] = LOCALES,
    warnings: list[str] | None = None,
    hosted_lambda: bool = False,
) -> dict[str, Any]:
    """Every file of the package as {relative path: JSON}, checked; raises SkillPackageError."""
    routines = list(catalog)
    problems: list[str] = [] if routines else [NO_ROUTINES]
    found: list[str] = []
    models: dict[str, dict[str, Any]] = {}
    for locale in locales:
        try:
            model = build_interaction_model(routines, locale, warnings=found if not models else None)
        except ValueError as error:
            problems.append(str(error))
            continue
        models[locale] = model
        problems += [f"{locale}: {p}" for p in check_interaction_model(model)]
    try:
        manifest = build_manifest(routines, endpoint=endpoint, lambda_arn=lambda_arn,
                                  ssl_certificate_type=ssl_certificate_type, locales=list(models),
                                  hosted_lambda=hosted_lambda)
    except ValueError as error:
        problems.append(str(error))
    else:
        problems += check_manifest(manifest, models, hosted_lambda=hosted_lambda)
        uri = manifest["manifest"]["apis"]["custom"].get("endpoint") or {"uri": None}
        if hosted_lambda and uri["uri"] is None:
            found.append("no SKILL_DISABLED subscription yet (forgetting people who leave): skill events "
                         "need the function's ARN; after the first `ask deploy`, run footwork package again "
                         "with --lambda --lambda-arn ARN and deploy again")
        if uri["uri"] == PLACEHOLDER_ENDPOINT:
            found.append(f"skill.json points at the placeholder endpoint {PLACEHOLDER_ENDPOINT}; give "
                         "--endpoint URL or --lambda-arn ARN before deploying")
        if uri.get("sslCertificateType") == "SelfSigned":
            found.append("a SelfSigned certificate is for testing only; certification needs a certificate "
                         "from a trusted authority (Trusted or Wildcard)")
    if warnings is not None:
        warnings.extend(found)
    if problems:
        raise SkillPackageError(problems)
    files: dict[str, Any] = {"skill.json": manifest}
    for locale, model in models.items():
        files[f"interactionModels/custom/{locale}.json"] = model
    return files


def write_skill_package(
    directory: str | Path,
    catalog: Catalog | Iterable[Routine],
    endpoint: str | None = None,
    *,
    lambda_arn: str | None = None,
    ssl_certificate_type: str | None = None,
    locales: Sequence[str] = LOCALES,
    warnings: list[str] | None = None,
) -> list[Path]:
    """Check, then write the skill package into ``directory``; return the files written.

    Raises :class:`SkillPackageError` (nothing written) when any check fails. Warnings (the
    placeholder endpoint, synonyms two routines share) are appended to ``warnings`` if given.
    """
    files = build_skill_package(catalog, endpoint=endpoint, lambda_arn=lambda_arn,
                                ssl_certificate_type=ssl_certificate_type, locales=locales, warnings=warnings)
    root = Path(directory)
    written = []
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


# --- the ASK CLI project -------------------------------------------------------------------------------

#: ``ask deploy`` reads this project layout (ASK CLI v2).
ASK_RESOURCES_VERSION = "2020-03-31"
LAMBDA_RUNTIME = "python3.12"
LAMBDA_HANDLER = "footwork.skill.lambda_handler"
DEFAULT_TABLE = "footwork"
DEFAULT_REGION = "us-east-1"


def ask_resources(*, hosted_lambda: bool, region: str = DEFAULT_REGION,
                  environment: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``ask-resources.json``: the skill package, and for Lambda the code and its deployer."""
    profile: dict[str, Any] = {"skillMetadata": {"src": "./skill-package"}}
    if hosted_lambda:
        profile["code"] = {"default": {"src": "./lambda"}}
        profile["skillInfrastructure"] = {
            "type": "@ask-cli/lambda-deployer",
            # The lambda-deployer reads the function's environment from userConfig.lambda.
            "userConfig": {"runtime": LAMBDA_RUNTIME, "handler": LAMBDA_HANDLER, "awsRegion": region,
                           "lambda": {"environmentVariables": dict(environment or {})}},
        }
    return {"askcliResourcesVersion": ASK_RESOURCES_VERSION, "profiles": {"default": profile}}


def lambda_requirements(packs: Iterable[tuple[str, str | None]]) -> str:
    """``lambda/requirements.txt``: this footwork with its DynamoDB extra, and each installed pack, pinned."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        footwork = f"footwork[dynamodb]=={version('footwork')}"
    except PackageNotFoundError:
        footwork = "footwork[dynamodb]"
    lines = [footwork] + sorted({f"{name}=={pinned}" if pinned else name for name, pinned in packs})
    return "# Written by `footwork package --lambda`: the function's code is these distributions.\n" + \
        "\n".join(lines) + "\n"


def build_project(
    catalog: Catalog,
    *,
    endpoint: str | None = None,
    lambda_arn: str | None = None,
    hosted_lambda: bool = False,
    ssl_certificate_type: str | None = None,
    region: str = DEFAULT_REGION,
    table: str = DEFAULT_TABLE,
    skill_id: str | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """Every file of an ASK CLI project, {relative path: JSON, or text}; raises SkillPackageError.

    ``hosted_lambda``: ``ask deploy`` creates the function from ``lambda/`` (its requirements pin footwork
    with the DynamoDB extra and the installed packs) with FOOTWORK_DB pointing at DynamoDB ``table``.
    Otherwise the skill is a web service at ``endpoint`` (or an existing function, ``lambda_arn``).
    """
    found: list[str] = []
    package = build_skill_package(catalog, endpoint=endpoint, lambda_arn=lambda_arn,
                                  ssl_certificate_type=ssl_certificate_type, warnings=found,
                                  hosted_lambda=hosted_lambda)
    files: dict[str, Any] = {f"skill-package/{path}": content for path, content in package.items()}
    environment: dict[str, str] = {}
    if hosted_lambda:
        environment = {"FOOTWORK_DB": f"dynamodb://{table}", "FOOTWORK_SKILL_ID": skill_id or "any"}
        if not skill_id:
            found.append("FOOTWORK_SKILL_ID=any: the function answers requests for any skill (its Alexa "
                         "trigger admits only this one); after the first `ask deploy`, run footwork package "
                         "again with --skill-id (from .ask/ask-states.json)")
        found.append(f"create the DynamoDB table once: FOOTWORK_DB='dynamodb://{table}?region={region}' "
                     "footwork data init; and let the function's role read and write it")
        packs = [(p.distribution, p.version) for p in catalog.packs if p.ok and p.distribution]
        files["lambda/requirements.txt"] = lambda_requirements(packs)
    files["ask-resources.json"] = ask_resources(hosted_lambda=hosted_lambda, region=region,
                                                environment=environment)
    if warnings is not None:
        warnings.extend(found)
    return files


def write_project(directory: str | Path, catalog: Catalog, **options: Any) -> list[Path]:
    """Check, then write the ASK CLI project (see :func:`build_project`) into ``directory``."""
    files = build_project(catalog, **options)
    root = Path(directory)
    written = []
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not isinstance(content, str):
            content = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        text = content
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
