"""Cuts proposed for code the benchmark's author does not own, written out so that their gain is measured.

(The Lambda handler's cut, reading the event without a dumps/loads round trip, is applied.)

:func:`cheaper_health_guard` is a cut for the stores' health-information guard (see its docstring);
the ``full-proposed`` layer of ``endpoint.py`` serves the app with it.
"""

from __future__ import annotations


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
