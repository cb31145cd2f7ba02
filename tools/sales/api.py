"""``sales_summary``: revenue, orders and customers of a period the way the user named it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

import pandas as pd
from pydantic import Field

from tools._shop import no_orders
from tools._tool import ToolContext, tool
from tools.periods import Period, compare_period, resolve_period
from tools.recommend.components import non_merchandise
from tools.sales.results import Mover, SalesSummary, SalesTrend, TrendPoint
from tools.sales.summary import breakdown, changes, figures, first_purchase, valued_lines
from tools.sales.trend import Grain, Metric, direction, points, series

Dimension = Literal["none", "category", "product", "country", "channel", "segment"]


def sales_lines(ctx: ToolContext) -> pd.DataFrame:
    """Merchandise order lines with their value (cached per data version)."""

    def build() -> pd.DataFrame:
        lines, products = ctx.shop.order_lines(), ctx.shop.products()
        valued = valued_lines(lines, products, non_merchandise(products))
        if valued.empty:
            raise no_orders()
        return valued

    return ctx.cached("sales_lines", build)


def _keys(ctx: ToolContext, valued: pd.DataFrame, by: Dimension) -> pd.Series:
    """One label per line of ``valued`` for the breakdown ``by``."""
    if by == "product":
        return valued["sku"].astype(str)
    if by == "category":
        return valued["category"]
    if by in ("country", "channel"):
        customers = ctx.shop.customers().set_index("customer_id")
        if by not in customers:
            return pd.Series("unknown", index=valued.index)
        return valued["customer_id"].map(customers[by])
    from tools.profiling.api import profiles  # customers' segments at the data's end

    return valued["customer_id"].map(profiles(ctx).table["rfm_segment"])


@tool
def sales_summary(
    ctx: ToolContext,
    period: Annotated[str, Field(min_length=1, max_length=60)] = "last month",
    compare_to: Literal["previous_period", "last_year", "none"] = "previous_period",
    by: Dimension = "none",
    top: Annotated[int, Field(ge=1, le=20)] = 5,
) -> SalesSummary:
    """Sales of a period: gross sales, returns, net sales, orders, units, average order value,
    customers (new and returning), compared with the period before or the same period last
    year, and optionally broken down by category, product, country, channel or segment. Use
    for "what were total sales last month", "上个月销售额", "sales by category this quarter".

    Args:
        period: the period in the user's words: "last month", "this quarter", "2026-10",
            "last 30 days", "上个月", "最近30天", "双十一期间"; counted back from the data's last
            day.
        compare_to: "previous_period", "last_year", or "none".
        by: break net sales down by "category", "product", "country", "channel" or "segment";
            "none" for totals only.
        top: how many rows the breakdown shows before "other".
    """
    valued = sales_lines(ctx)
    data_end = valued["ts"].max().date()
    current = resolve_period(period, data_end)
    previous = None if compare_to == "none" else compare_period(current, compare_to)
    first = ctx.cached("first_purchase", lambda: first_purchase(valued))
    now = figures(valued, current, first)
    before = figures(valued, previous, first) if previous is not None else None
    rows = []
    if by != "none":
        rows = breakdown(valued, lambda part: _keys(ctx, part, by), current, previous, top)
    return SalesSummary(
        period=period,
        current=now,
        compare_to=None if previous is None else compare_to,
        previous=before,
        changes=changes(now, before) if before is not None else [],
        by=None if by == "none" else by,
        breakdown=rows,
        data_end=data_end,
    )


def _year_ago(
    valued: pd.DataFrame, period: Period, shown: list[TrendPoint], metric: Metric, grain: Grain
) -> dict[date, float | None]:
    """Each shown bucket's value a year earlier (same month; 52 weeks back for weeks and
    days), for buckets whose year-earlier days all have data."""
    back = compare_period(period, "last_year")
    first_day = valued["ts"].iloc[0].date()
    earlier = points(series(valued, back, metric, grain), back, grain)
    by_start = {p.start: p.value for p in earlier if not p.partial and p.start >= first_day}
    shift = (lambda d: d.replace(year=d.year - 1)) if grain == "month" else None
    out: dict[date, float | None] = {}
    for start in (p.start for p in shown):
        before = shift(start) if shift else start - timedelta(days=364)
        out[start] = by_start.get(before)
    return out


def _movers(
    ctx: ToolContext,
    valued: pd.DataFrame,
    shown: list[TrendPoint],
    metric: Metric,
    grain: Grain,
    by: Dimension,
    top: int,
) -> list[Mover]:
    complete = [p for p in shown if not p.partial]
    if len(complete) < 2:
        return []
    before, last = complete[-2], complete[-1]
    span = Period(before.start, last.end, "range", "", last.end)
    rows = series_by_key(ctx, valued, span, metric, grain, by)
    moved = []
    for key, values in rows.items():
        a, b = float(values.get(before.start, 0.0)), float(values.get(last.start, 0.0))
        moved.append(
            Mover(
                key=key,
                before=round(a, 2),
                last=round(b, 2),
                change=round(b - a, 2),
                change_pct=round(100 * (b - a) / a, 1) if a else None,
            )
        )
    return sorted(moved, key=lambda m: -abs(m.change))[:top]


def series_by_key(
    ctx: ToolContext,
    valued: pd.DataFrame,
    span: Period,
    metric: Metric,
    grain: Grain,
    by: Dimension,
) -> dict[str, pd.Series]:
    """The metric per bucket for each key of the breakdown ``by`` over ``span``."""
    ts = valued["ts"]
    first, after = ts.searchsorted(
        [pd.Timestamp(span.start), pd.Timestamp(span.covered_end + timedelta(days=1))]
    )
    rows = valued.iloc[first:after]
    keys = _keys(ctx, rows, by).fillna("unknown").astype(str)
    return {
        str(key): series(part, span, metric, grain) for key, part in rows.groupby(keys, sort=True)
    }


@tool
def sales_trend(
    ctx: ToolContext,
    metric: Metric = "net",
    grain: Grain = "month",
    period: Annotated[str, Field(min_length=1, max_length=60)] = "last 12 months",
    by: Dimension = "none",
    top: Annotated[int, Field(ge=1, le=20)] = 5,
) -> SalesTrend:
    """Sales over time: net sales, orders, units, customers or average order value per day,
    week or month, whether they are rising or falling (against the same time a year earlier
    when the data go back that far, so the season is not mistaken for a trend), the peak, and
    the categories, products, countries, channels or segments that moved most lately. Use for
    "how are sales trending", "weekly orders this quarter", "最近一年每月销售额走势".

    Args:
        metric: "net" (net sales), "orders", "units", "customers" or "aov".
        grain: "day", "week" or "month".
        period: the span in the user's words: "last 12 months", "this year", "2026", "最近90天".
        by: show the largest movers by "category", "product", "country", "channel" or
            "segment"; "none" for the total only.
        top: how many movers.
    """
    valued = sales_lines(ctx)
    data_end = valued["ts"].max().date()
    current = resolve_period(period, data_end)
    shown = points(series(valued, current, metric, grain), current, grain)
    trend = direction(shown, _year_ago(valued, current, shown, metric, grain))
    complete = [p for p in shown if not p.partial and p.value is not None]
    return SalesTrend(
        metric=metric,
        grain=grain,
        period=period,
        points=shown,
        direction=trend,
        peak=max(complete, key=lambda p: p.value or 0.0) if complete else None,
        by=None if by == "none" else by,
        movers=[] if by == "none" else _movers(ctx, valued, shown, metric, grain, by, top),
        data_end=data_end,
    )
