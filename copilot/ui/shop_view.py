"""The shop tab's figures: KPIs and top products, computed from the shop data (pure pandas)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from copilot.shop import ShopData
from copilot.ui.i18n import Language, text

ACTIVE_DAYS = 90


@dataclass(frozen=True)
class ShopKpis:
    """Headline figures of the shop, as of its last order."""

    customers: int
    orders: int
    revenue: float
    """Net of returns (return lines carry negative quantities)."""
    active_customers: int
    """Customers with an order in the last ``ACTIVE_DAYS`` days of the data."""
    as_of: str

    def to_frame(self, lang: Language = "en") -> pd.DataFrame:
        """(figure, value) rows for display, labelled in ``lang``."""
        return pd.DataFrame(
            {
                text("figure", lang): [
                    text("kpi_customers", lang),
                    text("kpi_orders", lang),
                    text("kpi_revenue", lang),
                    text("kpi_active", lang, days=ACTIVE_DAYS),
                    text("kpi_as_of", lang),
                ],
                text("value", lang): [
                    f"{self.customers:,}",
                    f"{self.orders:,}",
                    f"{self.revenue:,.2f}",
                    f"{self.active_customers:,}",
                    self.as_of,
                ],
            }
        )


def shop_kpis(shop: ShopData) -> ShopKpis:
    """Customers, orders, net revenue and recently active customers."""
    lines = shop.order_lines()
    customers = len(shop.customers())
    if lines.empty:
        return ShopKpis(customers, 0, 0.0, 0, "-")
    sales = lines[~lines["is_return"].astype(bool)]
    end = lines["ts"].max()
    recent = sales[sales["ts"] > end - pd.Timedelta(days=ACTIVE_DAYS)]
    return ShopKpis(
        customers=customers or int(lines["customer_id"].nunique()),
        orders=int(sales["order_id"].nunique()),
        revenue=float((lines["quantity"] * lines["unit_price"]).sum()),
        active_customers=int(recent["customer_id"].nunique()),
        as_of=end.date().isoformat(),
    )


def top_products(shop: ShopData, n: int = 10) -> pd.DataFrame:
    """Best sellers by revenue in the last ``ACTIVE_DAYS`` days of the data."""
    lines = shop.order_lines()
    if lines.empty:
        return pd.DataFrame(columns=["sku", "title", "units", "revenue"])
    end = lines["ts"].max()
    recent = lines[lines["ts"] > end - pd.Timedelta(days=ACTIVE_DAYS)]
    recent = recent.assign(revenue=recent["quantity"] * recent["unit_price"])
    top = (
        recent.groupby("sku")
        .agg(units=("quantity", "sum"), revenue=("revenue", "sum"))
        .sort_values("revenue", ascending=False)
        .head(n)
        .reset_index()
    )
    titles = shop.products().set_index("sku")["title"]
    top.insert(1, "title", top["sku"].map(titles))
    top["revenue"] = top["revenue"].round(2)
    return top
