"""``sales_trend``: a sales series over time, its direction and the largest movers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import pandas as pd
from pydantic import Field

from tools._tool import ToolContext, tool
from tools.periods import Period, compare_period, resolve_period
from tools.sales.lines import Dimension, data_end, line_keys, sales_lines
from tools.sales.results import Mover, SalesTrend, TrendPoint
from tools.sales.trend import Grain, Metric, direction, points, series


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
    keys = line_keys(ctx, rows, by).fillna("unknown").astype(str)
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
    end = data_end(ctx)
    current = resolve_period(period, end)
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
        data_end=end,
    )
