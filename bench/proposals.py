"""Cuts proposed for code the benchmark's author does not own, written out so that their gain is measured.

:func:`build_lambda_handler` is what ``skill/lambda_function.py`` would become. ask-sdk-core's
``CustomSkillBuilder.lambda_handler()`` wrapper, which the handler uses today, builds a new
``CustomSkill`` for every event, turns the event (already a dict) back into JSON text and has
``DefaultSerializer`` parse it again and walk it by reflection, importing ``dateutil.parser`` on the
first timestamp: on a cold start that import is part of what the person waits for. The proposal builds
the skill once and reads the event with :func:`footwork.skill.envelope_reader.read_envelope`, the
reader the web app uses (pinned equal to the SDK's by ``tests/test_envelope_reader.py``).
``bench/startup.py`` measures it beside today's handler (``BENCH_LAMBDA=proposed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def build_lambda_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Today's ``footwork.skill.lambda_function.build_lambda_handler``, with the skill built once and
    the event read by ``envelope_reader``."""
    from footwork.core import load_catalog
    from footwork.core.settings import Settings
    from footwork.skill.builder import skill_builder
    from footwork.skill.envelope_reader import read_envelope
    from footwork.skill.persistence import SQLitePersistenceAdapter, default_database_path

    catalog = load_catalog()
    env = Settings.from_env()
    persistence = SQLitePersistenceAdapter(env.db or default_database_path())
    ids = sorted(env.skill_ids) if isinstance(env.skill_ids, frozenset) else []
    skill = skill_builder(catalog, persistence, ids[0] if len(ids) == 1 else None).create()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        response = skill.invoke(request_envelope=read_envelope(event), context=context)
        return skill.serializer.serialize(response)  # type: ignore[no-any-return]

    return handler


def cheaper_health_guard() -> None:
    """Apply, in this process, the proposed cut to ``skill/persistence.py``'s health-information guard.

    ``_check_keys`` walks every saved attribute and, for each key, formats the path it would name in
    an error (``where``) and normalises the key with ``re.sub``, before knowing whether anything is
    wrong: with the mix's progress attributes that was a quarter of a StartRoutine or Next request.
    The proposal: the same refusals, with the path formatted only when refusing and each distinct key
    normalised once (keys repeat from request to request). The layer ``full-proposed`` serves the app
    with this applied; whoever owns the progress stores would write it into the module.
    """
    import functools

    from footwork.skill import persistence

    normalise = functools.lru_cache(maxsize=4096)(persistence._normalise_key)
    forbidden = persistence._FORBIDDEN_NORMALISED

    def find_problem(value: object) -> tuple[list[object], object, bool] | None:
        # (path to the key, the key, whether it is health information), found depth first.
        stack: list[tuple[object, list[object]]] = [(value, [])]
        while stack:
            node, path = stack.pop()
            if isinstance(node, dict):
                for key, item in node.items():
                    if not isinstance(key, str):
                        return path, key, False
                    if normalise(key) in forbidden:
                        return path, key, True
                    if isinstance(item, dict | list | tuple):
                        stack.append((item, [*path, key]))
            elif isinstance(node, list | tuple):
                stack.extend((item, [*path, index]) for index, item in enumerate(node)
                             if isinstance(item, dict | list | tuple))
        return None

    original = persistence._check_keys

    def check_keys(value: object, where: str, path: Any) -> None:
        if find_problem(value) is not None:
            original(value, where, path)  # the original names the problem, exactly as before

    persistence._check_keys = check_keys  # type: ignore[assignment]
