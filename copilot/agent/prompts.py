"""Prompt templates as data (prompts/*.yaml), rendered with Jinja StrictUndefined."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2
import yaml

from copilot.core.errors import ConfigError

_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
)
REQUIRED = {
    "system",
    "after_tool",
    "reply_language",
    "write_answer",
    "explain_error",
    "retry_grounding",
    "retry_arguments",
    "decline",
    "plan_system",
    "plan_narrative",
    "plan_brief",
    "need_values",
}


@cache
def _templates() -> dict[str, Any]:
    text = resources.files("prompts").joinpath("system.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    missing = REQUIRED - set(data)
    if missing:
        raise ConfigError(f"prompts/system.yaml lacks {sorted(missing)}; restore the file")
    return dict(data)


def render(key: str, language: str, **values: Any) -> str:
    """Render a prompt in ``language`` ("en" or "zh"); a missing variable is an error."""
    template = _templates()[key]
    if isinstance(template, dict):
        template = template["zh" if language == "zh" else "en"]
    try:
        return _ENV.from_string(str(template)).render(**values).strip()
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"prompt {key!r} needs a value the code did not pass: {exc}") from exc


@cache
def argument_labels() -> dict[str, dict[str, str]]:
    """What each tool argument is, in words for people (asking for a missing value)."""
    labels = _templates().get("argument_labels") or {}
    return {str(k): {str(lang): str(t) for lang, t in v.items()} for k, v in labels.items()}


@cache
def routing() -> dict[str, Any]:
    """Per-tool hints and worked examples (prompts/routing.yaml)."""
    text = resources.files("prompts").joinpath("routing.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    if not isinstance(data.get("hints"), dict) or not isinstance(data.get("examples"), list):
        raise ConfigError("prompts/routing.yaml needs 'hints' and 'examples'; restore the file")
    return dict(data)


def check_prompts() -> None:
    """Render every prompt once with sample values (run at startup)."""
    sample = {
        "tools": [{"name": "t", "summary": "s"}],
        "data_end": "2026-01-01",
        "shop_name": "x",
        "numbers": "1",
        "examples": [{"q": "q", "a": "a"}],
        "error": "e",
        "question": "q",
        "values": "v",
        "goal": "g",
        "budget": "1",
        "audience": "a",
        "weeks": "4",
    }
    for language in ("en", "zh"):
        for key in REQUIRED:
            render(key, language, **sample)
