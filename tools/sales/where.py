"""Sales restricted to one category, country, acquisition channel or customer segment, named
the way the data (or the segment's label, English or Chinese) names it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from copilot.core.errors import ToolError
from tools._match import close_matches
from tools._tool import ToolContext
from tools.profiling.segments import SEGMENT_LABELS
from tools.sales.lines import Dimension, line_keys

_ORDER: tuple[Dimension, ...] = ("category", "country", "segment", "channel")
"""A word two vocabularies share is read in this order."""


@dataclass(frozen=True)
class Where:
    """The dimension and the data's own value a filter was read as."""

    by: Dimension
    value: str


def _vocabulary(ctx: ToolContext) -> dict[str, Where]:
    """Every filter value the shop knows, by its lower-cased spelling."""
    known: dict[str, Where] = {}
    customers = ctx.shop.customers()
    values: dict[Dimension, list[str]] = {
        "category": [
            str(c) for c in ctx.catalog()["category"].dropna().unique() if c != "non-merchandise"
        ],
        "country": [str(c) for c in customers.get("country", pd.Series()).dropna().unique()],
        "channel": [str(c) for c in customers.get("channel", pd.Series()).dropna().unique()],
    }
    for dimension in _ORDER:
        if dimension == "segment":
            for key, (en, zh) in SEGMENT_LABELS.items():
                for said in (key, key.replace("_", " "), en, zh):
                    known.setdefault(said.lower(), Where("segment", key))
            continue
        for value in values[dimension]:
            known.setdefault(value.lower(), Where(dimension, value))
    return known


def read_where(ctx: ToolContext, said: str) -> Where:
    """The filter ``said`` names; a ToolError with the closest known values otherwise."""
    known = _vocabulary(ctx)
    hit = known.get(said.strip().lower())
    if hit is not None:
        return hit
    hints = (
        close_matches(said, [w.value for w in known.values()])
        or sorted({w.value for w in known.values() if w.by == "category"})[:8]
    )
    raise ToolError(
        f"nothing in the shop is called {said!r}; restrict the sales to a category, country, "
        f"acquisition channel or customer segment, e.g. {', '.join(hints)}.",
        "Leave `where` empty for the whole shop.",
        key="refusal.unknown_filter",
        values={"where": said, "known": ", ".join(hints)},
    )


def restricted(ctx: ToolContext, valued: pd.DataFrame, where: Where) -> pd.DataFrame:
    """The lines of ``valued`` (still in time order) that ``where`` selects."""
    return valued[(line_keys(ctx, valued, where.by) == where.value).to_numpy()]
