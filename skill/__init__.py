"""footwork.skill: the Alexa skill (ask-sdk-core handlers), served with Flask or run on AWS Lambda.

``create_app`` builds the web app. ``lambda_handler`` is the AWS Lambda entry point (handler setting
``footwork.skill.lambda_handler``). Both load only when asked for, so importing this package for the
web app does not load a second skill, nor the commands that never serve either.

The Lambda runtime looks the handler up once, in the function's init phase, before the first event:
that is when the handler is built (packs loaded, store client made and checked), so that with
SnapStart the snapshot holds all of it and a restored instance answers its first request at once.
A handler that cannot be built there (a missing setting, an unreachable table) is built again on the
first event, whose invocation then fails with the message naming the setting, as it always did.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "lambda_handler"]

_lambda_handler: Any = None


def __getattr__(name: str) -> Any:
    # Flask and the Alexa SDK load only when the web app or the Lambda handler is wanted, so
    # `footwork packs` and the other commands that never serve stay quick to start.
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "lambda_handler":
        try:
            _build_lambda_handler()
        except Exception:  # noqa: BLE001 - raised again, with its message, by the first event
            pass
        _after_snapshot_restore()
        globals()["lambda_handler"] = _handle_event
        return _handle_event
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build_lambda_handler() -> Any:
    global _lambda_handler
    if _lambda_handler is None:
        from .lambda_function import build_lambda_handler

        _lambda_handler = build_lambda_handler()
    return _lambda_handler


def _handle_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda's entry point: the skill built from the installed packs, once per instance."""
    answer: dict[str, Any] = _build_lambda_handler()(event, context)
    return answer


def _after_snapshot_restore() -> None:
    """Under SnapStart, give each restored instance random numbers of its own.

    Every instance resumes the one snapshot, ``random``'s state included, so two instances retrying a
    lost race (``optimistic.py``) would pause for the same "random" times and collide again. The hook
    library is part of Lambda's Python runtimes; elsewhere there is nothing to do.
    """
    try:
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
    except ImportError:
        return
    import random

    register_after_restore(random.seed)
