"""footwork.skill: the Alexa skill (ask-sdk-core handlers), served with Flask or run on AWS Lambda.

``create_app`` builds the web app. ``lambda_handler`` is the AWS Lambda entry point
(handler setting ``footwork.skill.lambda_handler``); it is built on first use, so importing this
package for the web app does not load a second skill.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "lambda_handler"]


def __getattr__(name: str) -> Any:
    # Flask and the Alexa SDK load only when the web app is wanted, so `footwork packs` and the
    # other commands that never serve stay quick to start.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_lambda_handler = None


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda's entry point: the skill built from the installed packs, once per instance."""
    global _lambda_handler
    if _lambda_handler is None:
        from .lambda_function import build_lambda_handler

        _lambda_handler = build_lambda_handler()
    return _lambda_handler(event, context)
