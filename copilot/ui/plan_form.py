"""The plan form's fields checked in the page's language before the plan tool runs: one line
naming the field and what to enter, never a pattern or a tool's instruction."""

from __future__ import annotations

import math
import re
from datetime import date

from copilot.core.errors import CopilotError, ToolError
from copilot.ui.i18n import Language, text
from tools.findings import Say
from tools.findings.profiling import segment_name
from tools.pricing.discount import DEPTHS
from tools.profiling.results import SegmentOverview
from tools.profiling.segments import EVERYONE

AUTO = "auto"
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def start_date(value: str | None) -> date | None:
    """The start day written "2026-12-07", "2026/12/7" or "2026年12月7日"; None when empty.

    Raises ValueError for anything else, or a day that is not in the calendar."""
    if value is None or not value.strip():
        return None
    found = _DATE.match(value)
    if found is None:
        raise ValueError(value)
    year, month, day = (int(part) for part in found.groups())
    return date(year, month, day)


def form_error(goal: str, budget: float | None, start: str | None, lang: Language) -> str | None:
    """The first field that cannot make a plan, said for people; None when all can."""
    if len(goal.strip()) < 3:
        return text("form_goal", lang)
    if budget is None or not math.isfinite(budget) or budget <= 0:
        return text("form_budget", lang)
    try:
        start_date(start)
    except ValueError:
        return text("form_start", lang, start=start)
    return None


def error_text(error: CopilotError, lang: Language) -> str:
    """A tool's refusal in the page's language (its own words when it has none)."""
    if isinstance(error, ToolError) and error.key:
        return Say(lang)(error.key, **error.values)
    if isinstance(error, ToolError):
        return error.message_for_people
    return str(error)


def offer_choices(lang: Language) -> list[tuple[str, str]]:
    """(label, value) pairs: the analysis's choice first, then no offer and each depth."""
    depths = [(text("offer_pct", lang, n=f"{100 * d:.0f}"), f"{100 * d:.0f}") for d in DEPTHS]
    return [(text("offer_auto", lang), AUTO), (text("offer_none", lang), "0"), *depths]


def offer_depth(offer: str) -> float | None:
    """The form's offer as ``plan_campaign``'s chosen depth (None: the analysis chooses)."""
    return None if offer in ("", AUTO) else float(offer)


def audience_choices(overview: SegmentOverview | None, lang: Language) -> list[tuple[str, str]]:
    """(label, key) pairs: "chosen from the goal" first, then each segment with its size."""
    say = Say(lang)
    choices = [(text("audience_auto", lang), AUTO)]
    rows = overview.segments if overview is not None else []
    for row in rows:
        label = segment_name(row.segment, say)
        choices.append(
            (text("audience_size", lang, name=label, n=f"{row.customers:,}"), row.segment)
        )
    if rows:  # a customer list naming no segment is handed over as all customers, narrowed
        everyone = segment_name(EVERYONE[0], say)
        total = f"{sum(r.customers for r in rows):,}"
        choices.append((text("audience_size", lang, name=everyone, n=total), EVERYONE[0]))
    return choices
