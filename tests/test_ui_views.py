"""Tables, summaries and charts of tool results; shop KPIs (pure functions, no Gradio)."""

from __future__ import annotations

import pandas as pd
import pytest

from copilot.ui.shop_view import shop_kpis, top_products
from copilot.ui.views import MAX_ROWS, result_chart, result_summary, result_table
from tools import ToolContext
from tools.pricing.api import optimize_price
from tools.profiling.api import find_customers
from tools.profiling.results import SegmentOverview, SegmentRow
from tools.recommend.results import ProductRecommendations, RecommendedProduct


def overview() -> SegmentOverview:
    rows = [
        SegmentRow(
            segment="champions",
            label="Champions",
            label_zh="冠军客户",
            customers=650,
            share=0.13,
            revenue=2.7e6,
            revenue_share=0.42,
            avg_profile_score=4.5,
            avg_purchase_prob=0.99,
            avg_churn_risk=0.002,
            avg_clv_12m=2731.0,
            rule="R 5 and F 4-5",
        ),
        SegmentRow(
            segment="lost",
            label="Lost",
            label_zh="已流失",
            customers=868,
            share=0.18,
            revenue=1.8e5,
            revenue_share=0.03,
            avg_profile_score=-7.9,
            avg_purchase_prob=0.01,
            avg_churn_risk=0.99,
            avg_clv_12m=7.1,
            rule="R 1 and F 1-2",
        ),
    ]
    return SegmentOverview(
        kind="rfm", as_of="2026-11-02", horizon_days=90, total_customers=1518, segments=rows
    )


def recommendations() -> ProductRecommendations:
    items = [
        RecommendedProduct(
            sku="SN-0005",
            title="Eco Dark Chocolate",
            title_zh="环保黑巧克力",
            category="Snacks",
            list_price=19.99,
            score=2.36,
            reason="customers who bought SN-0012 also bought this",
        ),
        RecommendedProduct(
            sku="PC-0002",
            title="Classic Hand Cream",
            title_zh=None,
            category="Beauty",
            list_price=6.99,
            score=1.78,
            reason="popular with similar customers",
        ),
    ]
    return ProductRecommendations(
        customer_id="C10001", cold_start=False, note="", exclude_purchased=True, items=items
    )


def test_segment_results_table_and_bar_chart_in_both_languages() -> None:
    table = result_table(overview())
    assert list(table["segment"]) == ["champions", "lost"]
    assert table["customers"].dtype.kind == "i"  # numeric, so the column sorts numerically
    chart = result_chart(overview(), "en")
    assert chart is not None and chart.kind == "bar" and chart.title == "Customers per segment"
    assert list(chart.frame[chart.x]) == ["Champions", "Lost"]
    assert list(chart.frame[chart.y]) == [650, 868]
    zh = result_chart(overview(), "zh")
    assert zh is not None and list(zh.frame[zh.x]) == ["冠军客户", "已流失"]
    assert zh.title == "各客户分群人数"


def test_recommendations_keep_their_reasons_and_chart_scores() -> None:
    table = result_table(recommendations())
    reason = table.loc[0, "reason"]
    assert isinstance(reason, str) and reason.startswith("customers who")
    chart = result_chart(recommendations(), "zh")
    assert chart is not None
    assert list(chart.frame[chart.x]) == ["环保黑巧克力 (SN-0005)", "Classic Hand Cream (PC-0002)"]
    assert list(chart.frame[chart.y]) == [2.36, 1.78]


def test_price_optimisation_gives_a_profit_curve_with_its_optimum(demo_ctx: ToolContext) -> None:
    result = optimize_price(demo_ctx, sku="CT-0002")
    decision = result.decisions[0]
    chart = result_chart(result, "en")
    assert chart is not None and chart.kind == "line" and "CT-0002" in chart.title
    prices, profits = chart.frame[chart.x], chart.frame[chart.y]
    assert len(prices) == len(decision.curve) >= 10 and prices.is_monotonic_increasing
    # The curve's best point is the recommended price (within one grid step).
    best = prices.iloc[profits.argmax()]
    step = float(prices.diff().max())
    assert abs(best - decision.recommended_price) <= step + 1e-9
    assert f"{decision.recommended_price:.2f}" in chart.caption
    # One decision reads as field/value rows, with the nested curve left to the chart.
    table = result_table(result)
    values = dict(zip(table["field"], table["value"], strict=True))
    assert values["recommended_price"] == decision.recommended_price
    assert "curve" not in values and values["scope"] == "CT-0002"
    summary = result_summary(result, "en")
    assert "- decisions:\n  - product: CT-0002" in summary
    assert f"  - recommended_price: {decision.recommended_price}" in summary


def test_long_customer_lists_are_capped_and_results_without_a_chart_say_so(
    demo_ctx: ToolContext,
) -> None:
    found = find_customers(demo_ctx, limit=5)
    assert found.count > MAX_ROWS
    table = result_table(found)
    assert len(table) == MAX_ROWS and "customer_id" in table.columns
    assert result_chart(found, "en") is None
    assert result_table(None).empty


def test_scalar_results_become_field_value_rows() -> None:
    from tools.pricing.results import SampleSizePlan

    plan = SampleSizePlan(
        metric="conversion",
        baseline=0.05,
        target=0.055,
        control=31200,
        treatment=31200,
        total=62400,
        days=14,
        alpha=0.05,
        power=0.8,
        method="z",
    )
    table = result_table(plan)
    assert list(table.columns) == ["field", "value"]
    assert table.set_index("field").loc["total", "value"] == 62400
    assert result_summary(plan, "en").splitlines()[0] == "- metric: conversion"


def test_shop_kpis_match_the_order_lines(demo_ctx: ToolContext) -> None:
    kpis = shop_kpis(demo_ctx.shop)
    lines = demo_ctx.shop.order_lines()
    assert kpis.customers == len(demo_ctx.shop.customers()) == 5000
    sales = lines[~lines["is_return"].astype(bool)]
    assert kpis.orders == sales["order_id"].nunique()
    assert kpis.revenue == pytest.approx(float((lines["quantity"] * lines["unit_price"]).sum()))
    assert 0 < kpis.active_customers < kpis.customers
    top = top_products(demo_ctx.shop, n=5)
    assert len(top) == 5 and top["revenue"].is_monotonic_decreasing
    assert top["title"].notna().all()
    frame = kpis.to_frame()
    assert isinstance(frame, pd.DataFrame) and frame.iloc[0, 1] == "5,000"


def test_every_chart_has_a_one_line_text_alternative() -> None:
    import pandas as pd

    from copilot.ui.charts import described, plot_updates
    from copilot.ui.views import ChartSpec

    bars = ChartSpec(
        "bar",
        pd.DataFrame({"segment": ["Loyal", "Lost", "New"], "customers": [1115, 868, 89]}),
        "segment",
        "customers",
        "Customers per segment",
    )
    assert described(bars, "en") == (
        "Customers per segment, 3 bars: highest Loyal (1,115), lowest New (89)."
    )
    assert (
        described(bars, "zh")
        == "Customers per segment，共 3 个柱：最高 Loyal（1,115），最低 New（89）。"
    )
    line = ChartSpec(
        "line",
        pd.DataFrame({"price": [4.0, 5.0, 6.0], "profit": [10.5, 12.25, 11.0]}),
        "price",
        "profit",
        "Profit by price",
        "current 4.99",
    )
    text = described(line, "en")
    assert (
        text
        == "Profit by price, 3 points from 4.0 to 6.0: highest 12.25 at 5.0, lowest 10.5 at 4.0."
    )
    _, shown = plot_updates(bars, "en")
    assert shown.caption == described(bars, "en")
    drawn, _ = plot_updates(line, "en")
    assert drawn.caption == text + "\ncurrent 4.99"  # the chart's own caption follows
