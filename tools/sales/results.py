"""What the sales tools return: figures of a period, their changes, and a breakdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal


@dataclass(frozen=True, kw_only=True)
class SalesFigures:
    """Merchandise sales of the days ``start``..``end`` that have data (fees and postage out).

    A line's value is quantity x unit price: sales are the positive values, returns the
    negative ones (cancellations and returns), net the sum of both.
    """

    start: date
    end: date
    """The last day counted (the data's last day when the period is not over)."""
    partial: bool
    """The data ends before the period does."""
    days: int
    gross: float
    returns: float
    """Value of returned lines, as a positive amount."""
    net: float
    orders: int
    """Orders with at least one sold line."""
    units: int
    aov: float | None
    """Gross sales per order (None without orders)."""
    customers: int
    """Identified customers who bought (anonymous orders are in the money, not here)."""
    new_customers: int
    """Customers whose first purchase ever falls in the period."""
    returning_customers: int


@dataclass(frozen=True, kw_only=True)
class Change:
    """One figure against the comparison period."""

    metric: str
    current: float
    previous: float
    change: float
    change_pct: float | None
    """None when the comparison figure is 0 (no percentage of nothing)."""


@dataclass(frozen=True, kw_only=True)
class BreakdownRow:
    """Net sales of one category, product, country or channel (or "other": the rest)."""

    key: str
    net: float
    share: float
    """Of the period's net sales."""
    orders: int
    units: int
    previous_net: float | None = None
    change_pct: float | None = None


@dataclass(frozen=True, kw_only=True)
class SalesSummary:
    """Sales of a period as the user named it, compared and broken down when asked."""

    period: str
    """The words the period was read from."""
    current: SalesFigures
    compare_to: str | None = None
    previous: SalesFigures | None = None
    changes: list[Change] = field(default_factory=list)
    by: str | None = None
    breakdown: list[BreakdownRow] = field(default_factory=list)
    data_end: date
    """The last day with data: what "last month" counts back from."""
    where_by: str | None = None
    """The dimension the sales were restricted to (category, country, channel, segment)."""
    where: str | None = None
    """Its value as the data names it; new customers still mean new to the shop."""


@dataclass(frozen=True, kw_only=True)
class TrendPoint:
    """One bucket of a series: the days it counts and the metric over them."""

    start: date
    end: date
    value: float | None
    """None for an average order value without orders."""
    partial: bool
    """The bucket is cut short by the period or the data's end (not comparable as a whole)."""


@dataclass(frozen=True, kw_only=True)
class TrendDirection:
    """Whether the series moved, and how that was tested."""

    method: Literal["year_over_year", "kendall_theil_sen", "too_short"]
    """``year_over_year``: complete buckets against the same ones a year earlier (season
    removed); ``kendall_theil_sen``: the series against time (season not removed)."""
    direction: Literal["rising", "falling", "unclear"]
    change_pct: float | None = None
    """Year over year: the average change; otherwise the Theil-Sen slope per bucket as a
    percentage of the mean bucket."""
    p_value: float | None = None
    buckets: int
    """Complete buckets (or year-over-year pairs) the test used."""


@dataclass(frozen=True, kw_only=True)
class Mover:
    """A category, product, country, channel or segment whose metric moved most between the
    last two complete buckets."""

    key: str
    before: float
    last: float
    change: float
    change_pct: float | None


@dataclass(frozen=True, kw_only=True)
class SalesTrend:
    """A metric per day, week or month over a period, its direction, and the largest movers."""

    metric: str
    grain: str
    period: str
    """The words the period was read from."""
    points: list[TrendPoint]
    direction: TrendDirection
    peak: TrendPoint | None
    """The highest complete bucket."""
    by: str | None = None
    movers: list[Mover] = field(default_factory=list)
    data_end: date
