"""Is every number in an answer backed by a tool result, a retrieved passage or the question?"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from copilot.agent.prompts import render
from copilot.llm.types import Message

_NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.#:-])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
    r"(?![\d.,]*-[A-Za-z])"
    r"\s*(?:%|万|亿|k\b|K\b|m\b|M\b)?"
)
"""A number (scientific notation included: 3.552e-06 is not 3.552); "12-month" style terms
are names, not claims, and are skipped."""
_IGNORED_MAX = 10
"""Small integers (list numbering, "top 5") are not checked."""
_SCALE = {"万": 1e4, "亿": 1e8, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6}


def parse_numbers(text: str) -> list[tuple[str, float]]:
    """(as written, value) for every number in ``text``; % values also count as fractions."""
    text = re.sub(r"\[[^\]]*\]", " ", text)  # citation ids such as [postmortem-cmp-2512-xmas]
    text = re.sub(r"\b[A-Z]{1,4}-\d{3,}\b", " ", text)  # product codes such as CT-0001
    out = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0).strip()
        unit = raw[-1] if raw[-1] in "%万亿kKmM" else ""
        digits = raw.rstrip("%万亿kKmM ").replace(",", "")
        try:
            value = float(digits)
        except ValueError:
            continue
        if unit in _SCALE:
            value *= _SCALE[unit]
        out.append((raw, value))
    return out


def evidence_numbers(values: Iterable[Any]) -> set[float]:
    """Every number inside tool results (nested JSON values and numbers written in strings)."""
    found: set[float] = set()

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            found.add(float(value))
        elif isinstance(value, str):
            found.update(v for _, v in parse_numbers(value))
        elif isinstance(value, dict):
            for k, v in value.items():
                # A field such as clv_12m or views_90d states its horizon: "12 months" is traced.
                found.update(float(d) for d in re.findall(r"\d+", str(k)))
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for item in values:
        if isinstance(item, str) and item[:1] in "{[":
            try:
                item = json.loads(item)
            except json.JSONDecodeError:
                pass  # text that merely starts with a bracket
        walk(item)
    return found


def matches(value: float, evidence: set[float]) -> bool:
    """Whether ``value`` (as written in an answer) is one of ``evidence``, allowing rounding,
    the sign and percentages (12% = 0.12)."""
    # Signs are compared loosely: "falls by 24%" states the evidence -24% correctly.
    value = abs(value)
    for signed in evidence:
        known = abs(signed)
        for candidate in (known, known * 100, known / 100):  # 0.12 <-> 12%
            if candidate == 0:
                if value == 0:
                    return True
                continue
            if abs(value - candidate) <= max(0.005 * abs(candidate), 0.005):
                return True
            # A rounded rendering of the evidence (12.3 for 12.34, 1,235 for 1234.6).
            for digits in range(0, 4):
                if round(candidate, digits) == value:
                    return True
    return False


def claimed_numbers(answer: str) -> list[tuple[str, float]]:
    """The numbers of ``answer`` the check looks at (small integers such as "top 5" are not)."""
    return [
        (raw, value)
        for raw, value in parse_numbers(answer)
        if not (float(value).is_integer() and abs(value) <= _IGNORED_MAX and not raw.endswith("%"))
    ]


def unsupported_numbers(answer: str, evidence: set[float]) -> list[str]:
    """Numbers in ``answer`` that no evidence supports (small integers are ignored)."""
    bad = []
    for raw, value in claimed_numbers(answer):
        if not matches(value, evidence) and not (
            raw.endswith("%") and matches(value / 100, evidence)
        ):
            bad.append(raw)
    return bad


def rewrite_once(
    answer: Callable[[list[Message]], Iterator[str]],
    messages: list[Message],
    text: str,
    bad: list[str],
    evidence: set[float],
    language: str,
) -> tuple[str, list[str]]:
    """Ask once more, naming the unsupported numbers; (the new text, what it still lacks)."""
    retry = [
        *messages,
        Message("assistant", text),
        Message("user", render("retry_grounding", language, numbers=", ".join(bad))),
    ]
    second = "".join(answer(retry)).strip()
    return second, unsupported_numbers(second, evidence)
