"""A tool result as short text for a small model: the facts that answer, in few tokens.

Prompt evaluation dominates a local model's latency (~90 tokens/s on two cores, and every
digit is a token), so the model reads a brief instead of the full JSON: floats at two
decimals or three significant digits, rows of records as ``a | b | c`` tables, fields
marked ``BRIEF_OFF`` (curves, assumption lists, methods) left out, and only the question's
language of bilingual names. The full result still goes to the UI and to the grounding check.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from tools._tool import to_jsonable

BRIEF_OFF = {"brief": False}
"""Field metadata: leave this field out of the model's brief (the UI still shows it)."""
MAX_ROWS = 12
_INLINE_LIST = 6


def _drop_hidden(value: Any) -> Any:
    """Dataclasses as dicts without the fields marked ``BRIEF_OFF``; a dataclass with one field
    left (a flag's code) as that field's value, so a list of them stays one table cell."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        shown = {
            f.name: _drop_hidden(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("brief", True) and not f.name.startswith("_")
        }
        return next(iter(shown.values())) if len(shown) == 1 else shown
    if isinstance(value, dict):
        return {k: _drop_hidden(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_drop_hidden(v) for v in value]
    return value


def _localise(record: dict[str, Any], language: str) -> dict[str, Any]:
    """Keep ``title`` or ``title_zh`` (whichever fits the language) under the plain name."""
    out = {}
    for key, value in record.items():
        if key.endswith("_zh"):
            base = key[:-3]
            if language == "zh" and value:
                out[base] = value
            continue
        if language == "zh" and record.get(f"{key}_zh"):
            continue
        out[key] = value
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _num(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{round(value):d}"
    if abs(value) >= 1:  # prices keep their cents: 19.99, not 20
        return f"{round(value, 2):g}"
    return f"{value:.3g}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return str(value)


def _is_inline(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) <= _INLINE_LIST and all(_is_inline(v) for v in value)
    return not isinstance(value, dict)


def _lines(value: Any, language: str, indent: str = "") -> list[str]:
    if isinstance(value, dict):
        value = _localise(value, language)
        lines = []
        for key, item in value.items():
            if _empty(item):
                continue
            if _is_inline(item):
                lines.append(f"{indent}{key}: {_scalar(item)}")
            else:
                lines.append(f"{indent}{key}:")
                lines += _lines(item, language, indent + "  ")
        return lines
    if isinstance(value, list):
        return _rows(value, language, indent)
    return [f"{indent}{_scalar(value)}"]


def _rows(items: list[Any], language: str, indent: str) -> list[str]:
    shown, more = items[:MAX_ROWS], len(items) - MAX_ROWS
    records = [_localise(i, language) for i in shown if isinstance(i, dict)]
    if (
        records
        and len(records) == len(shown)
        and all(_is_inline(v) for r in records for v in r.values())
    ):
        columns = [c for c in records[0] if any(not _empty(r.get(c)) for r in records)]
        # A value every row shares is said once (recommendation reasons often repeat): the
        # model reads each token at ~90 tokens/s.
        repeated = len(records) > 2
        same = [c for c in columns if repeated and all(r.get(c) == records[0][c] for r in records)]
        lines = [f"{indent}{c} (every row): {_scalar(records[0][c])}" for c in same]
        columns = [c for c in columns if c not in same]
        if len(columns) == 1:  # a one-column table is a list: no header to read
            lines += [f"{indent}- {_scalar(r.get(columns[0]))}" for r in records]
        else:
            lines.append(indent + " | ".join(columns))
            lines += [
                indent + " | ".join("" if _empty(r.get(c)) else _scalar(r.get(c)) for c in columns)
                for r in records
            ]
    else:
        lines = []
        for item in shown:
            sub = _lines(item, language, indent + "  ")
            if sub:
                lines.append(indent + "- " + sub[0].lstrip())
                lines += sub[1:]
    if more > 0:
        lines.append(f"{indent}(+{more} more)")
    return lines


def to_llm_brief(value: Any, language: str = "en") -> str:
    """The facts of a tool result as compact text for the model (see the module doc)."""
    return "\n".join(_lines(to_jsonable(_drop_hidden(value)), language))
