"""``sales_summary`` against plain pandas aggregations of the same rows, to the cent, with
partial periods flagged and compared like for like (issue 19)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from copilot.core.errors import ToolError
from tools import ToolContext
from tools.sales.api import sales_summary
from tools.sales.lines import Dimension


def reference(ctx: ToolContext, first: str, last: str) -> dict[str, float]:
    """The figures by hand: merchandise lines between two days, sales and returns by sign."""
    lines = ctx.shop.order_lines()
    products = ctx.shop.products()
    fees = set(products.loc[products["category"] == "non-merchandise", "sku"])
    days = lines["ts"].dt.normalize()
    rows = lines[(days >= first) & (days <= last) & ~lines["sku"].isin(fees)]
    value = rows["quantity"] * rows["unit_price"]
    sold = rows[value > 0]
    return {
        "gross": round(value[value > 0].sum(), 2),
        "returns": round(-value[value < 0].sum(), 2),
        "net": round(value.sum(), 2),
        "orders": sold["order_id"].nunique(),
        "units": sold["quantity"].sum(),
        "customers": sold["customer_id"].dropna().nunique(),
    }


def test_a_month_equals_the_plain_aggregation(demo_ctx: ToolContext) -> None:
    result = sales_summary(demo_ctx, period="2026-10", compare_to="previous_period")
    now, before = result.current, result.previous
    assert before is not None
    for figures, (first, last) in [
        (now, ("2026-10-01", "2026-10-31")),
        (before, ("2026-09-01", "2026-09-30")),
    ]:
        expected = reference(demo_ctx, first, last)
        assert figures.gross == pytest.approx(expected["gross"], abs=0.005)
        assert figures.returns == pytest.approx(expected["returns"], abs=0.005)
        assert figures.net == pytest.approx(expected["net"], abs=0.005)
        assert (figures.orders, figures.units, figures.customers) == (
            expected["orders"],
            expected["units"],
            expected["customers"],
        )
        assert figures.aov == pytest.approx(figures.gross / figures.orders, abs=0.005)
        assert figures.new_customers + figures.returning_customers == figures.customers
    net = next(c for c in result.changes if c.metric == "net")
    assert net.change == pytest.approx(now.net - before.net, abs=0.01)
    assert net.change_pct == pytest.approx(100 * (now.net - before.net) / before.net, abs=0.05)


def test_last_month_counts_back_from_the_data_not_the_clock(demo_ctx: ToolContext) -> None:
    # The demo's orders end on 2026-11-01: "last month" is October 2026 whatever today is.
    result = sales_summary(demo_ctx, period="上个月", compare_to="none")
    assert result.data_end == date(2026, 11, 1)
    assert (result.current.start, result.current.end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert result.previous is None and result.changes == []


def test_a_partial_month_is_flagged_and_compared_with_the_same_days(
    demo_ctx: ToolContext,
) -> None:
    result = sales_summary(demo_ctx, period="this month", compare_to="previous_period")
    assert result.current.partial and result.current.days == 1
    assert result.previous is not None and not result.previous.partial
    assert (result.previous.start, result.previous.end) == (date(2026, 10, 1), date(2026, 10, 1))
    expected = reference(demo_ctx, "2026-10-01", "2026-10-01")
    assert result.previous.net == pytest.approx(expected["net"], abs=0.005)


def test_new_customers_are_first_purchases_in_the_period(demo_ctx: ToolContext) -> None:
    lines = demo_ctx.shop.order_lines()
    sold = lines[lines["quantity"] * lines["unit_price"] > 0]
    first = sold.groupby("customer_id")["ts"].min()
    expected = int(((first >= "2026-10-01") & (first < "2026-11-01")).sum())
    result = sales_summary(demo_ctx, period="October 2026", compare_to="none")
    assert result.current.new_customers == expected > 0


@pytest.mark.parametrize("by", ["category", "product", "country", "channel", "segment"])
def test_a_breakdown_adds_up_to_the_total(demo_ctx: ToolContext, by: Dimension) -> None:
    result = sales_summary(demo_ctx, period="last quarter", by=by, top=3)
    rows = result.breakdown
    assert rows and len(rows) <= 4
    assert sum(r.net for r in rows) == pytest.approx(result.current.net, abs=0.05)
    assert sum(r.share for r in rows) == pytest.approx(1.0, abs=0.001)
    shown = [r.net for r in rows if r.key != "other"]
    assert shown == sorted(shown, reverse=True)
    assert result.previous is not None
    assert sum(r.previous_net or 0 for r in rows) == pytest.approx(result.previous.net, abs=0.05)


def test_category_breakdown_names_the_demo_categories(demo_ctx: ToolContext) -> None:
    result = sales_summary(demo_ctx, period="2026-10", by="category", top=20)
    products = demo_ctx.shop.products()
    assert {r.key for r in result.breakdown} <= set(products["category"].astype(str))
    lines = demo_ctx.shop.order_lines()
    october = lines[(lines["ts"] >= "2026-10-01") & (lines["ts"] < "2026-11-01")]
    category = october["sku"].map(products.set_index("sku")["category"])
    by_hand = (october["quantity"] * october["unit_price"]).groupby(category).sum()
    for row in result.breakdown:
        assert row.net == pytest.approx(by_hand[row.key], abs=0.005)


def test_a_period_nobody_can_read_is_refused_with_examples(demo_ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="as a period"):
        sales_summary(demo_ctx, period="whenever")


def test_an_empty_shop_says_to_load_orders(shop: object, settings: object) -> None:
    from copilot.core.settings import Settings
    from copilot.shop import ShopData

    assert isinstance(shop, ShopData) and isinstance(settings, Settings)
    with pytest.raises(ToolError, match="no orders yet"):
        sales_summary(ToolContext(shop, settings))


def test_a_period_without_sales_is_zero_not_an_error(demo_ctx: ToolContext) -> None:
    result = sales_summary(demo_ctx, period="2020-01", compare_to="last_year")
    assert result.current.net == 0 and result.current.orders == 0 and result.current.aov is None
    assert all(c.change_pct is None for c in result.changes)
    assert pd.Timestamp(result.current.start) == pd.Timestamp("2020-01-01")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_findings_state_the_period_the_figures_and_the_change(
    demo_ctx: ToolContext, language: str
) -> None:
    from tools.findings import describe

    result = sales_summary(demo_ctx, period="this month", by="category", top=2)
    text = describe(result, language).text()
    assert "2026-11-01" in text  # the covered day, and the data's end for a partial month
    net = f"{result.current.net:,.0f}" if result.current.net >= 100 else f"{result.current.net:.2f}"
    assert net in text
    assert ("not over" in text) if language == "en" else ("尚未结束" in text)
    assert len(describe(result, language).items) == len(result.breakdown) == 3
    assert ("Other" if language == "en" else "其他") in text


@pytest.mark.parametrize(
    ("where", "by", "value"),
    [("kitchen", "category", "Kitchen"), ("Germany", "country", "Germany"), ("邮件", "", "")],
)
def test_sales_of_one_category_or_country_equal_the_filtered_aggregation(
    demo_ctx: ToolContext, where: str, by: str, value: str
) -> None:
    lines = demo_ctx.shop.order_lines()
    customers = demo_ctx.shop.customers().set_index("customer_id")
    products = demo_ctx.shop.products().set_index("sku")
    if not by:  # a word the shop does not know is refused with what it does know
        with pytest.raises(ToolError, match="nothing in the shop is called '邮件'.*e.g."):
            sales_summary(demo_ctx, period="2026-10", where=where)
        return
    result = sales_summary(demo_ctx, period="2026-10", where=where)
    assert (result.where_by, result.where) == (by, value)
    label = (
        lines["sku"].map(products["category"])
        if by == "category"
        else lines["customer_id"].map(customers["country"])
    )
    days = lines["ts"].dt.normalize()
    fees = set(products.index[products["category"] == "non-merchandise"])
    rows = lines[
        (label == value)
        & (days >= "2026-10-01")
        & (days <= "2026-10-31")
        & ~lines["sku"].isin(fees)
    ]
    amount = rows["quantity"] * rows["unit_price"]
    assert result.current.net == pytest.approx(amount.sum(), abs=0.005)
    assert result.current.orders == rows.loc[amount > 0, "order_id"].nunique()
    # New customers are new to the shop: their first purchase of anything is in October.
    first = lines[lines["quantity"] > 0].groupby("customer_id")["ts"].min()
    buyers = rows.loc[amount > 0, "customer_id"].dropna().unique()
    new = int(
        ((first.reindex(buyers) >= "2026-10-01") & (first.reindex(buyers) < "2026-11-01")).sum()
    )
    assert result.current.new_customers == new
    whole = sales_summary(demo_ctx, period="2026-10")
    assert result.current.net < whole.current.net


def test_a_segment_filter_reads_its_label_in_either_language(demo_ctx: ToolContext) -> None:
    english = sales_summary(demo_ctx, period="last 90 days", where="At risk")
    chinese = sales_summary(demo_ctx, period="last 90 days", where="有流失风险")
    assert (english.where_by, english.where) == ("segment", "at_risk")
    assert english.current == chinese.current and english.current.net > 0
