"""``sales_summary``: revenue, orders and customers of a period the way the user named it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from tools._tool import ToolContext, tool
from tools.periods import compare_period, resolve_period
from tools.sales.lines import Dimension, data_end, line_keys, sales_lines
from tools.sales.results import SalesSummary
from tools.sales.summary import breakdown, changes, figures, first_purchase
from tools.sales.where import read_where, restricted


@tool
def sales_summary(
    ctx: ToolContext,
    period: Annotated[str, Field(min_length=1, max_length=60)] = "last month",
    compare_to: Literal["previous_period", "last_year", "none"] = "previous_period",
    by: Dimension = "none",
    top: Annotated[int, Field(ge=1, le=20)] = 5,
    where: Annotated[str, Field(max_length=60)] = "",
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
        where: only the sales of one category, country, acquisition channel or customer
            segment, as the user named it ("Kitchen", "Germany", "at risk"); empty for the
            whole shop.
    """
    valued = sales_lines(ctx)
    end = data_end(ctx)
    current = resolve_period(period, end)
    previous = None if compare_to == "none" else compare_period(current, compare_to)
    # New customers are new to the shop, whatever the filter: first purchases of all lines.
    first = ctx.cached("first_purchase", lambda: first_purchase(valued))
    only = read_where(ctx, where) if where.strip() else None
    if only is not None:
        valued = restricted(ctx, valued, only)
    now = figures(valued, current, first)
    before = figures(valued, previous, first) if previous is not None else None
    rows = []
    if by != "none":
        rows = breakdown(valued, lambda part: line_keys(ctx, part, by), current, previous, top)
    return SalesSummary(
        period=period,
        current=now,
        compare_to=None if previous is None else compare_to,
        previous=before,
        changes=changes(now, before) if before is not None else [],
        by=None if by == "none" else by,
        breakdown=rows,
        data_end=end,
        where_by=None if only is None else only.by,
        where=None if only is None else only.value,
    )
