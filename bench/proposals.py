"""Cuts proposed for code the benchmark's author does not own, written out so that their gain is measured.

:func:`build_lambda_handler` measures the one change left for ``skill/lambda_function.py``: it builds
the skill once already, but reads each event with ``RequestSerializer().deserialize(json.dumps(event),
RequestEnvelope)``: the event (already a dict) turned back into text, parsed again and walked by
ask-sdk-core's reflective ``DefaultSerializer``, which imports ``dateutil.parser`` on the first
timestamp, during the cold start. The proposal reads it with
``footwork.skill.skill_events.read_request_envelope(event)``, the web app's reader (pinned equal to
the SDK's by ``tests/test_envelope_reader.py``). Here it is applied by swapping those two names in the
module, so the rest of the handler is today's; ``bench/startup.py`` measures it beside today's
("Lambda proposed").

:func:`cheaper_health_guard` is a cut for the stores' health-information guard (see its docstring);
the ``full-proposed`` layer of ``endpoint.py`` serves the app with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def build_lambda_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """``footwork.skill.lambda_function.build_lambda_handler`` with the event read by
    ``skill_events.read_request_envelope`` (the web app's reader) instead of
    ``RequestSerializer().deserialize(json.dumps(event), RequestEnvelope)``."""
    from footwork.skill import lambda_function
    from footwork.skill.skill_events import read_request_envelope

    class Reader(lambda_function.RequestSerializer):  # type: ignore[misc, name-defined]
        def deserialize(self, payload: Any, obj_type: Any) -> Any:
            return read_request_envelope(payload)

    # The handler reads the event with json.dumps + deserialize; give it the event itself instead.
    original_dumps = lambda_function.json.dumps
    lambda_function.RequestSerializer = Reader  # type: ignore[attr-defined, misc]
    lambda_function.json = _NoDumps(original_dumps)  # type: ignore[attr-defined]
    return lambda_function.build_lambda_handler()


class _NoDumps:
    """Stands in for the ``json`` module inside lambda_function: ``dumps`` hands the event through."""

    def __init__(self, dumps: Callable[..., str]) -> None:
        self._dumps = dumps

    def dumps(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return value


def cheaper_health_guard() -> None:
    """Apply, in this process, the proposed cut to the stores' health-information guard.

    ``_check_keys`` walks every saved attribute and, for each key, formats the path it would name in
    an error (``where``) and normalises the key with ``re.sub``, before knowing whether anything is
    wrong (``skill/stores/__init__.py``, ``_check_value``).
    The proposal: the same refusals, with the path formatted only when refusing and each distinct key
    normalised once (keys repeat from request to request). The layer ``full-proposed`` serves the app
    with this applied; whoever owns the progress stores would write it into the module.
    """
    import functools

    from footwork.skill import stores

    normalise = functools.lru_cache(maxsize=4096)(stores._normalise_key)
    forbidden = stores._FORBIDDEN_NORMALISED

    def has_problem(value: object) -> bool:
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                if "\x00" in node:
                    return True
            elif isinstance(node, dict):
                for key, item in node.items():
                    if not isinstance(key, str) or "\x00" in key or normalise(key) in forbidden:
                        return True
                    if not isinstance(item, int | float | bool) and item is not None:
                        stack.append(item)
            elif isinstance(node, list | tuple):
                stack.extend(node)
        return False

    original = stores._check_value

    def check_value(value: object, path: str, where: str) -> None:
        if has_problem(value):
            original(value, path, where)  # the original names the problem, exactly as before

    stores._check_value = check_value  # type: ignore[assignment]
