"""Prompt templates as data (prompts/*.yaml), rendered with Jinja StrictUndefined."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import jinja2
import yaml

from copilot.errors import ConfigError

_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False
)
REQUIRED = {"en", "zh", "retry_grounding", "retry_arguments"}


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
    elif key in ("en", "zh"):
        template = _templates()[language if language in ("en", "zh") else "en"]
    try:
        return _ENV.from_string(str(template)).render(**values).strip()
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"prompt {key!r} needs a value the code did not pass: {exc}") from exc


def check_prompts() -> None:
    """Render every prompt once with sample values (run at startup)."""
    sample = {
        "tools": [{"name": "t", "summary": "s"}],
        "today": "2026-01-01",
        "shop_name": "x",
        "numbers": "1",
        "error": "e",
    }
    for language in ("en", "zh"):
        render(language, language, **sample)
        render("retry_grounding", language, **sample)
        render("retry_arguments", language, **sample)
