"""A sales series by day, week or month, and whether it really moved.

A series of shop sales is mostly season: November beats October every year. So the direction
is read against the same bucket a year earlier when the data reach back that far (a one-sample
t-test on the log year-over-year ratios, at least four pairs), and otherwise from the series
itself (Kendall's tau against time, Theil-Sen slope), saying that season is not removed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from tools.periods import Period
from tools.sales.results import TrendDirection, TrendPoint

Metric = Literal["net", "orders", "units", "customers", "aov"]
Grain = Literal["day", "week", "month"]
ALPHA = 0.05
MIN_PAIRS = 4
"""Year-over-year pairs needed before season is taken out of the test."""
MIN_POINTS = 6
_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}


def bucket_start(day: date, grain: Grain) -> date:
    """The first day of the bucket ``day`` falls in (weeks start on Monday)."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _bucket_end(start: date, grain: Grain) -> date:
    if grain == "week":
        return start + timedelta(days=6)
    if grain == "month":
        return (pd.Timestamp(start) + pd.offsets.MonthEnd(1)).date()
    return start


def series(valued: pd.DataFrame, period: Period, metric: Metric, grain: Grain) -> pd.Series:
    """``metric`` per bucket over the period's days with data (buckets without sales are 0).

    The first and last buckets may reach outside the period; they count only its days."""
    ts = valued["ts"]
    first, after = ts.searchsorted(
        [pd.Timestamp(period.start), pd.Timestamp(period.covered_end + timedelta(days=1))]
    )
    rows = valued.iloc[first:after]
    day = rows["ts"].dt.normalize()
    if grain == "week":
        starts = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    elif grain == "month":
        starts = day - pd.to_timedelta(day.dt.day - 1, unit="D")
    else:
        starts = day
    sold = rows["value"] > 0
    grouped = rows.groupby(starts)
    if metric == "net":
        values = grouped["value"].sum()
    elif metric == "units":
        values = rows[sold].groupby(starts[sold])["quantity"].sum()
    elif metric == "orders":
        values = rows[sold].groupby(starts[sold])["order_id"].nunique()
    elif metric == "customers":
        values = rows[sold].groupby(starts[sold])["customer_id"].nunique()
    else:  # average order value: gross sales per order
        gross = rows[sold].groupby(starts[sold])["value"].sum()
        values = gross / rows[sold].groupby(starts[sold])["order_id"].nunique()
    index = pd.date_range(bucket_start(period.start, grain), period.covered_end, freq=_FREQ[grain])
    full = pd.Series(values, dtype=float).reindex(index)
    full.index = [d.date() for d in index]
    return full.fillna(0.0) if metric != "aov" else full


def points(values: pd.Series, period: Period, grain: Grain) -> list[TrendPoint]:
    """The buckets, each marked partial when the period or the data cut it short."""
    out = []
    for start, value in zip(values.index, values.to_numpy(), strict=True):
        end = _bucket_end(start, grain)
        first, last = max(start, period.start), min(end, period.covered_end)
        out.append(
            TrendPoint(
                start=first,
                end=last,
                value=None if pd.isna(value) else round(float(value), 2),
                partial=(first, last) != (start, end),
            )
        )
    return out


def direction(shown: list[TrendPoint], year_ago: dict[date, float | None]) -> TrendDirection:
    """Rising, falling or no clear change, by the strongest test the data allow."""
    complete = [p for p in shown if not p.partial and p.value is not None]
    # A ratio needs two positive values: net sales can be negative (returns above sales).
    pairs = [
        (p.value, year_ago.get(p.start))
        for p in complete
        if (p.value or 0) > 0 and (year_ago.get(p.start) or 0) > 0
    ]
    if len(pairs) >= MIN_PAIRS:
        logs = np.log([now / before for now, before in pairs if now and before])
        test = stats.ttest_1samp(logs, 0.0)
        p_value = float(test.pvalue) if np.isfinite(test.pvalue) else 1.0
        change = float(np.expm1(logs.mean()) * 100)
        return TrendDirection(
            method="year_over_year",
            direction=_word(change, p_value),
            change_pct=round(change, 1),
            p_value=round(p_value, 4),
            buckets=len(pairs),
        )
    if len(complete) < MIN_POINTS:
        return TrendDirection(method="too_short", direction="unclear", buckets=len(complete))
    values = np.array([p.value for p in complete], dtype=float)
    steps = np.arange(len(values))
    tau = stats.kendalltau(steps, values)
    slope = stats.theilslopes(values, steps).slope
    mean = float(values.mean())
    change = 100 * float(slope) / mean if mean else 0.0
    p_value = float(tau.pvalue) if np.isfinite(tau.pvalue) else 1.0
    return TrendDirection(
        method="kendall_theil_sen",
        direction=_word(change, p_value),
        change_pct=round(change, 1),
        p_value=round(p_value, 4),
        buckets=len(complete),
    )


def _word(change: float, p_value: float) -> Literal["rising", "falling", "unclear"]:
    if p_value >= ALPHA or change == 0:
        return "unclear"
    return "rising" if change > 0 else "falling"
