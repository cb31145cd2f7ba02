"""``product_performance``: how one product or category sold over a period, where it ranks,
how it changed, what it earned, and which customer segments buy it most."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import pandas as pd
from pydantic import Field

from copilot.core.errors import ToolError
from tools._match import close_matches
from tools._tool import ToolContext, tool
from tools.periods import Period, compare_period, resolve_period
from tools.recommend.api import resolve_sku
from tools.sales.lines import data_end, sales_lines
from tools.sales.product_results import ProductPerformance, SegmentShare, TopItem
from tools.sales.summary import costed, within

TOP_SEGMENTS = 3


def _category(ctx: ToolContext, said: str) -> str:
    catalog = ctx.catalog()
    known = sorted(str(c) for c in catalog["category"].dropna().unique() if c != "non-merchandise")
    match = [c for c in known if c.lower() == said.strip().lower()]
    if match:
        return match[0]
    hints = close_matches(said, known) or known[:10]
    raise ToolError(
        f"unknown category {said!r}; categories: {', '.join(hints)}.",
        key="refusal.unknown_category",
        values={"category": said, "known": ", ".join(hints)},
    )


def _margin(rows: pd.DataFrame, cost: pd.Series) -> tuple[float | None, float | None]:
    """Net sales minus unit cost x net units over the lines whose cost is known, and the share
    of net sales those lines are."""
    total = float(rows["value"].sum())
    found = costed(rows, cost) if not rows.empty and total > 0 else None
    if found is None:
        return None, None
    value, spent = found
    return round(value - spent, 2), round(value / total, 4)


def _title(catalog: pd.DataFrame, sku: str, column: str) -> str | None:
    value = catalog[column].get(sku) if column in catalog else None
    return value if isinstance(value, str) else None


def _rank(net_by_key: pd.Series, key: str) -> int | None:
    ordered = net_by_key.sort_values(ascending=False, kind="stable")
    return int(list(ordered.index).index(key)) + 1 if key in ordered.index else None


def _segments(ctx: ToolContext, rows: pd.DataFrame, all_rows: pd.DataFrame) -> list[SegmentShare]:
    """Segments by their part of the item's net sales, with how that compares to the shop."""
    from tools.profiling.api import scored_customers  # segments at the data's end

    segment = scored_customers(ctx)["rfm_segment"]
    mine = rows["value"].groupby(rows["customer_id"].map(segment)).sum()
    shop = all_rows["value"].groupby(all_rows["customer_id"].map(segment)).sum()
    total, shop_total = float(rows["value"].sum()), float(all_rows["value"].sum())
    if total <= 0 or shop_total <= 0:
        return []
    out = []
    for key, net in mine.sort_values(ascending=False).head(TOP_SEGMENTS).items():
        share, shop_share = float(net) / total, float(shop.get(key, 0.0)) / shop_total
        out.append(
            SegmentShare(
                segment=str(key),
                net=round(float(net), 2),
                share=round(share, 4),
                shop_share=round(shop_share, 4),
                index=round(share / shop_share, 2) if shop_share > 0 else None,
            )
        )
    return out


def _previous(
    valued: pd.DataFrame, span: Period, pick: Callable[[pd.DataFrame], pd.Series]
) -> float | None:
    before = compare_period(span, "previous_period")
    if before.start < valued["ts"].iloc[0].date():
        return None  # the data do not reach back that far
    rows = within(valued, before.start, before.covered_end)
    return round(float(rows.loc[pick(rows), "value"].sum()), 2)


@tool
def product_performance(
    ctx: ToolContext,
    sku: Annotated[str, Field(max_length=40)] = "",
    category: Annotated[str, Field(max_length=60)] = "",
    period: Annotated[str, Field(min_length=1, max_length=60)] = "last 90 days",
) -> ProductPerformance:
    """How one product or one category sold: net sales, units, orders, customers, margin where
    costs are known, its rank, the change on the period before, and the customer segments that
    buy it most (against their share of all sales). Use for "how is CT-0001 selling", "how did
    Kitchen do last quarter", "这个商品卖得怎么样".

    Args:
        sku: the product's stock code, e.g. "CT-0001"; empty when asking about a category.
        category: a product category, e.g. "Kitchen"; used when no sku is given.
        period: the period in the user's words: "last 90 days", "last month", "2026", "上个月".
    """
    valued = sales_lines(ctx)
    if not sku.strip() and not category.strip():
        raise ToolError("give a product's stock code or a category.", key="refusal.need_item")
    span = resolve_period(period, data_end(ctx))
    rows_all = within(valued, span.start, span.covered_end)
    catalog = ctx.catalog()
    known = {str(c).lower(): str(c) for c in catalog["category"].dropna().unique()}
    if sku.strip() and not category.strip() and sku.strip().lower() in known:
        sku, category = "", known[sku.strip().lower()]  # a category passed as the sku
    if sku.strip():
        code = resolve_sku(ctx, sku)
        scope, key, cat = "product", code, catalog["category"].get(code)
        column = "sku"
    else:
        key = _category(ctx, category)
        scope, cat, column = "category", key, "category"

    def pick(lines: pd.DataFrame) -> pd.Series:
        return lines[column] == key

    net_by_key = rows_all["value"].groupby(rows_all[column], observed=True).sum()
    rows = rows_all[pick(rows_all)]
    sold = rows[rows["value"] > 0]
    net = round(float(rows["value"].sum()), 2)
    margin, coverage = (
        _margin(rows, catalog["unit_cost"]) if "unit_cost" in catalog else (None, None)
    )
    previous = _previous(valued, span, pick)
    in_category = None
    if scope == "product" and cat is not None:
        mates = rows_all[rows_all["category"] == cat]
        in_category = mates["value"].groupby(mates["sku"], observed=True).sum()
    top: list[TopItem] = []
    if scope == "category" and not rows.empty:
        by_sku = rows.groupby("sku", observed=True).agg(
            net=("value", "sum"), units=("quantity", "sum")
        )
        for s, r in by_sku.sort_values("net", ascending=False).head(5).iterrows():
            top.append(
                TopItem(
                    sku=str(s),
                    title=_title(catalog, str(s), "title"),
                    title_zh=_title(catalog, str(s), "title_zh"),
                    net=round(r.net, 2),
                    units=int(r.units),
                )
            )
    return ProductPerformance(
        scope=scope,
        key=key,
        title=_title(catalog, key, "title") if scope == "product" else None,
        title_zh=_title(catalog, key, "title_zh") if scope == "product" else None,
        category=str(cat) if isinstance(cat, str) else None,
        period=period,
        start=span.start,
        end=span.covered_end,
        partial=span.partial,
        net=net,
        gross=round(float(sold["value"].sum()), 2),
        returns=round(float(-rows.loc[rows["value"] < 0, "value"].sum()), 2),
        units=int(rows["quantity"].sum()),
        orders=int(sold["order_id"].nunique()),
        customers=int(sold["customer_id"].dropna().nunique()),
        margin=margin,
        margin_coverage=coverage,
        margin_rate=(
            round(margin / (net * coverage), 4) if margin is not None and coverage else None
        ),
        rank=_rank(net_by_key, key),
        rank_of=int(net_by_key.size),
        rank_in_category=None if in_category is None else _rank(in_category, key),
        category_size=None if in_category is None else int(in_category.size),
        previous_net=previous,
        change_pct=(
            round(100 * (net - previous) / previous, 1) if previous not in (None, 0.0) else None
        ),
        segments=_segments(ctx, rows, rows_all),
        top_products=top,
    )
