"""Weekly product demand panels: from the shop's order lines, or any store x product x week data.

A panel has one row per (product, unit, week) with columns ``product``, ``category``, ``unit``
(store, or "all"), ``week``, ``units``, ``price`` and optionally ``base_price`` (regular
price) and promotion flags (``feature``, ``display``, ``tpr``, ``promo``: shares in 0..1).
"""

from __future__ import annotations

import pandas as pd

FLAGS = ("feature", "display", "tpr")
"""Merchandising flags used as demand controls. A generic "promo" flag (sold at a promotional
price) is kept for reporting but not used as a control: it only labels a price cut, so it
would absorb the price variation that identifies the elasticity."""


def shop_panel(
    lines: pd.DataFrame, products: pd.DataFrame, exclude: set[str] | None = None
) -> pd.DataFrame:
    """Weekly units and average paid price per product from order lines (returns excluded).

    Weeks without sales have no observed price and are absent: the model sees only weeks
    with sales (stated in its results).
    """
    sales = lines[
        ~lines["is_return"].astype(bool) & (lines["quantity"] > 0) & (lines["unit_price"] > 0)
    ]
    if exclude:
        sales = sales[~sales["sku"].isin(exclude)]
    sales = sales.assign(
        week=sales["ts"].dt.to_period("W-SUN").dt.start_time,
        revenue=sales["quantity"] * sales["unit_price"],
    )
    agg = {"units": ("quantity", "sum"), "revenue": ("revenue", "sum")}
    if "promo" in sales and sales["promo"].notna().any():
        sales = sales.assign(
            promo_units=sales["quantity"] * sales["promo"].fillna(False).astype(float)
        )
        agg["promo_units"] = ("promo_units", "sum")
    return weekly_panel(
        sales.groupby(["sku", "week"], sort=True).agg(**agg).reset_index(), products
    )


def weekly_panel(panel: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """The demand panel from weekly sums per product (``sku``, ``week``, ``units``, ``revenue``
    and, where promotions are recorded, ``promo_units``; any engine may sum them)."""
    panel["price"] = panel["revenue"] / panel["units"]
    if "promo_units" in panel:
        panel["promo"] = panel["promo_units"] / panel["units"]
        panel = panel.drop(columns=["promo_units"])
    catalog = products.set_index("sku")
    panel["category"] = panel["sku"].map(catalog["category"]) if "category" in catalog else None
    if "list_price" in catalog:
        panel["base_price"] = panel["sku"].map(catalog["list_price"])
    panel["unit"] = "all"
    return panel.rename(columns={"sku": "product"}).drop(columns=["revenue"])
