"""The order lines every sales tool reads: merchandise only, valued, in time order, cached
per data version; the shop's last order day; one label per line for a breakdown."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pandas as pd

from tools._shop import no_orders
from tools._tool import ToolContext
from tools.recommend.components import non_merchandise
from tools.sales.summary import valued_lines

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


def data_end(ctx: ToolContext) -> date:
    """The last day of the shop's merchandise orders: what "last month" counts back from."""
    return sales_lines(ctx)["ts"].iloc[-1].date()  # the lines are in time order


def line_keys(ctx: ToolContext, valued: pd.DataFrame, by: Dimension) -> pd.Series:
    """One label per line of ``valued`` for the breakdown ``by`` (plain values, missing ones
    NaN: the keys are categories, and a label mapped from them would be one too)."""
    return _keys(ctx, valued, by).astype(object)


def _keys(ctx: ToolContext, valued: pd.DataFrame, by: Dimension) -> pd.Series:
    if by == "product":
        return valued["sku"]
    if by == "category":
        return valued["category"]
    if by in ("country", "channel"):
        customers = ctx.shop.customers().set_index("customer_id")
        if by not in customers:
            return pd.Series("unknown", index=valued.index)
        return valued["customer_id"].map(customers[by])
    from tools.profiling.api import scored_customers  # customers' segments at the data's end

    return valued["customer_id"].map(scored_customers(ctx)["rfm_segment"])
