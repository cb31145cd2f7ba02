"""Periods and comparisons in the user's words, for the sales tools' arguments."""

from __future__ import annotations

from datetime import date
from typing import Any

from copilot.agent.lexicon import named
from copilot.core.errors import ToolError
from tools.periods import Period, compare_period, periods_in, resolve_period, same_span


def _named_periods(text: str) -> list[Period]:
    """The periods the latest turn that names one names (turns are lines of ``text``).

    Relative periods are read against today: only their spans are compared, and both sides
    are read against the same day."""
    for turn in reversed(text.splitlines()):
        found = periods_in(turn, date.today())
        if found:
            return found
    return []


def period_said(text: str) -> str | None:
    """The first period the latest turn names, in the user's words."""
    found = _named_periods(text)
    return found[0].said if found else None


def compare_to_said(text: str) -> str | None:
    """The comparison the words ask for: by name ("year on year", "环比"), or by naming a
    second period that is the first one a year (or a period) earlier."""
    hits = named("compare_to", text)
    if hits:
        return hits[0]
    found = _named_periods(text)
    if len(found) >= 2:
        for way in ("last_year", "previous_period"):
            if same_span(compare_period(found[0], way), found[1]):
                return way
    return None


def period_traced(value: Any, text: str) -> bool:
    """The model's period names the same days as a period in the user's words ("2026-10" for
    "October 2026")."""
    try:
        chosen = resolve_period(str(value), date.today())
    except ToolError:
        return False
    return any(same_span(chosen, p) for p in _named_periods(text))
