"""``product_performance`` against plain pandas over the same order lines (issue 19)."""

from __future__ import annotations

import pandas as pd
import pytest

from copilot.core.errors import ToolError
from tools import ToolContext
from tools.findings import describe
from tools.profiling.api import profiles
from tools.sales.product import product_performance


def _merchandise(ctx: ToolContext) -> pd.DataFrame:
    lines, products = ctx.shop.order_lines(), ctx.shop.products().set_index("sku")
    fees = products.index[products["category"] == "non-merchandise"]
    lines = lines[~lines["sku"].isin(fees)].copy()
    lines["value"] = lines["quantity"] * lines["unit_price"]
    lines["category"] = lines["sku"].map(products["category"])
    return lines


def _days(lines: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    day = lines["ts"].dt.normalize()
    return lines[(day >= first) & (day <= last)]


def test_a_products_figures_rank_and_change_equal_pandas(demo_ctx: ToolContext) -> None:
    result = product_performance(demo_ctx, sku="ct-0001", period="2026-10")
    assert result.key == "CT-0001" and result.category == "Coffee & Tea"
    lines = _merchandise(demo_ctx)
    month = _days(lines, "2026-10-01", "2026-10-31")
    mine = month[month["sku"] == "CT-0001"]
    sold = mine[mine["value"] > 0]
    assert result.net == pytest.approx(mine["value"].sum(), abs=0.005)
    assert result.returns == pytest.approx(-mine.loc[mine["value"] < 0, "value"].sum(), abs=0.005)
    assert (result.units, result.orders, result.customers) == (
        mine["quantity"].sum(),
        sold["order_id"].nunique(),
        sold["customer_id"].dropna().nunique(),
    )
    by_sku = month.groupby("sku")["value"].sum().sort_values(ascending=False, kind="stable")
    assert result.rank == list(by_sku.index).index("CT-0001") + 1
    assert result.rank_of == len(by_sku)
    in_cat = month[month["category"] == "Coffee & Tea"].groupby("sku")["value"].sum()
    assert result.rank_in_category == int((in_cat > in_cat["CT-0001"]).sum()) + 1
    before = _days(lines, "2026-09-01", "2026-09-30")
    previous = before.loc[before["sku"] == "CT-0001", "value"].sum()
    assert result.previous_net == pytest.approx(previous, abs=0.005)
    assert result.change_pct == pytest.approx(100 * (result.net - previous) / previous, abs=0.05)


def test_segments_are_shares_of_the_items_sales_against_the_shops(demo_ctx: ToolContext) -> None:
    result = product_performance(demo_ctx, category="Kitchen", period="last 90 days")
    segment = profiles(demo_ctx).table["rfm_segment"]
    lines = _merchandise(demo_ctx)
    span = _days(lines, result.start.isoformat(), result.end.isoformat())
    kitchen = span[span["category"] == "Kitchen"]
    shares = kitchen["value"].groupby(kitchen["customer_id"].map(segment)).sum()
    shares = shares / kitchen["value"].sum()
    shop = span["value"].groupby(span["customer_id"].map(segment)).sum() / span["value"].sum()
    top = shares.sort_values(ascending=False).head(3)
    assert [s.segment for s in result.segments] == list(top.index)
    for s in result.segments:
        assert s.share == pytest.approx(top[s.segment], abs=1e-4)
        assert s.index == pytest.approx(top[s.segment] / shop[s.segment], abs=0.01)
    nets = [t.net for t in result.top_products]
    assert nets == sorted(nets, reverse=True) and len(nets) == 5
    assert result.margin_coverage is not None and 0 < result.margin_coverage < 1
    zh = describe(result, "zh").text()
    assert "购买人群" in zh and "毛利只计算这部分" in zh


def test_bad_items_are_refused_with_what_to_give(demo_ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="unknown category 'Kitchn'.*Kitchen"):
        product_performance(demo_ctx, category="Kitchn")
    with pytest.raises(ToolError, match="unknown product 'CT-9999'"):
        product_performance(demo_ctx, sku="CT-9999")
    with pytest.raises(ToolError, match="give a product's stock code or a category"):
        product_performance(demo_ctx)
    quiet = product_performance(demo_ctx, sku="CT-0001", period="2020")
    assert quiet.orders == 0
    assert (
        describe(quiet, "en")
        .sentences[0]
        .endswith("had no sales in 2020 (2020-01-01 – 2020-12-31).")
    )


def test_a_category_passed_as_the_sku_is_read_as_the_category(demo_ctx: ToolContext) -> None:
    as_sku = product_performance(demo_ctx, sku="kitchen", period="last quarter")
    assert (as_sku.scope, as_sku.key) == ("category", "Kitchen")
    assert as_sku == product_performance(demo_ctx, category="Kitchen", period="last quarter")


def test_margin_counts_costed_lines_when_every_cost_is_known() -> None:
    """Skus held as categories: a cost for every sku maps to a categorical, which must still
    multiply (a shop whose catalogue is fully costed)."""
    from tools.sales.summary import costed

    rows = pd.DataFrame(
        {"sku": ["A", "B", "A"], "quantity": [2, 1, -1], "value": [20.0, 15.0, -10.0]}
    ).astype({"sku": "category"})
    assert costed(rows, pd.Series({"A": 4.0, "B": 6.0})) == (25.0, 4.0 * 1 + 6.0)
    assert costed(rows, pd.Series({"C": 1.0})) is None
    partly = costed(rows, pd.Series({"B": 6.0}))
    assert partly == (15.0, 6.0)
