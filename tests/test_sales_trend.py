"""``sales_trend`` against pandas resampling of the same rows, and the demo shop's planted
season and growth: the direction is read against the same time a year earlier (issue 19)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from copilot.demo.orders import SEASON, TREND_PER_YEAR
from tools import ToolContext
from tools.findings import describe
from tools.periods import resolve_period
from tools.sales.results import TrendPoint
from tools.sales.trend import direction


def merchandise(ctx: ToolContext) -> pd.DataFrame:
    lines = ctx.shop.order_lines()
    products = ctx.shop.products()
    fees = set(products.loc[products["category"] == "non-merchandise", "sku"])
    rows = lines[~lines["sku"].isin(fees)]
    return rows.assign(value=rows["quantity"] * rows["unit_price"])


def test_monthly_net_sales_equal_a_pandas_resample(demo_ctx: ToolContext) -> None:
    from tools.sales.trend_tool import sales_trend

    result = sales_trend(demo_ctx, metric="net", grain="month", period="2026")
    rows = merchandise(demo_ctx)
    rows = rows[rows["ts"].dt.year == 2026]
    expected = rows.groupby(rows["ts"].dt.to_period("M"))["value"].sum()
    got = {p.start.strftime("%Y-%m"): p.value for p in result.points}
    assert set(got) == {str(m) for m in expected.index}
    for month, value in expected.items():
        assert got[str(month)] == pytest.approx(value, abs=0.005)
    # The data end on 2026-11-01: November is one day, flagged and kept out of the peak.
    assert [p.partial for p in result.points][-2:] == [False, True]
    assert result.peak is not None and result.peak.start == date(2026, 10, 1)


def test_weekly_orders_equal_a_pandas_count(demo_ctx: ToolContext) -> None:
    from tools.sales.trend_tool import sales_trend

    result = sales_trend(demo_ctx, metric="orders", grain="week", period="last 8 weeks")
    rows = merchandise(demo_ctx)
    sold = rows[rows["value"] > 0]
    monday = sold["ts"].dt.normalize() - pd.to_timedelta(sold["ts"].dt.day_of_week, unit="D")
    counts = sold.groupby(monday)["order_id"].nunique()
    for p in result.points:
        assert not p.partial and p.end.weekday() == 6
        assert p.value == counts[pd.Timestamp(p.start)]


def test_the_planted_growth_is_found_with_the_season_taken_out(demo_ctx: ToolContext) -> None:
    """The demo plants +12% a year on top of a holiday season (1.45 in December, 0.85 in
    January): year over year the rise is found and significant, and December is the peak."""
    from tools.sales.trend_tool import sales_trend

    result = sales_trend(demo_ctx, metric="net", grain="month", period="last 18 months")
    trend = result.direction
    assert trend.method == "year_over_year" and trend.direction == "rising"
    assert trend.p_value is not None and trend.p_value < 0.05
    assert trend.change_pct is not None
    assert 0.6 * 100 * TREND_PER_YEAR <= trend.change_pct <= 1.6 * 100 * TREND_PER_YEAR
    assert max(SEASON, key=lambda m: SEASON[m]) == 12
    assert result.peak is not None and result.peak.start == date(2025, 12, 1)


def test_a_seasonal_rise_without_a_year_back_is_not_called_growth() -> None:
    """Six months climbing into the holidays, no year-earlier data: the test runs on the
    series and says the season is not taken out; flat year-over-year ratios are no change."""
    climbing = [
        TrendPoint(
            start=date(2025, m, 1), end=date(2025, m, 28), value=100 * SEASON[m], partial=False
        )
        for m in range(7, 13)
    ]
    assert direction(climbing, {}).method == "kendall_theil_sen"
    factors = (1.02, 0.97, 1.01, 0.99, 1.03, 0.98)
    year_ago = {
        date(2025, m, 1): 100 * SEASON[m] * f for m, f in zip(range(7, 13), factors, strict=True)
    }
    same = direction(climbing, dict(year_ago.items()))
    assert same.method == "year_over_year" and same.direction == "unclear"
    assert direction(climbing[:3], {}).method == "too_short"


def test_a_bucket_with_negative_net_sales_is_left_out_of_the_ratios() -> None:
    """Returns above sales make a month's net negative: no ratio of it (a log of a negative
    number would make the change NaN); the other months still decide."""
    months = [
        TrendPoint(start=date(2025, m, 1), end=date(2025, m, 28), value=v, partial=False)
        for m, v in zip(
            range(6, 13), (120.0, -15.0, 130.0, 140.0, 150.0, 160.0, 170.0), strict=True
        )
    ]
    year_ago: dict[date, float | None] = {p.start: 100.0 for p in months}
    result = direction(months, year_ago)
    assert result.method == "year_over_year" and result.buckets == 6
    assert result.change_pct is not None and result.change_pct == result.change_pct  # not NaN
    assert result.direction == "rising"


def test_the_findings_say_how_the_direction_was_tested(demo_ctx: ToolContext) -> None:
    from tools.sales.trend_tool import sales_trend

    result = sales_trend(demo_ctx, period="last 12 months", by="category")
    en = describe(result, "en").text()
    zh = describe(result, "zh").text()
    assert "a year earlier" in en and "not the season" in en and "Electronics" in en
    assert "去年同一月" in zh and "季节" in zh
    assert resolve_period("last 12 months", result.data_end).end == result.data_end
