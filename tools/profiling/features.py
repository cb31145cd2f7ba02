"""Layered customer features as of a date, vectorised over all customers."""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_CATEGORIES = 12
"""Category-share features are kept for at most this many categories (by spend)."""

LABELS: dict[str, str] = {
    "tenure_days": "days since first purchase",
    "recency_days": "days since last purchase",
    "frequency": "number of orders",
    "purchase_days": "number of distinct purchase days",
    "monetary": "total spend",
    "aov": "average order value",
    "basket_size": "items (lines) per order",
    "ipt_mean_days": "average days between purchases",
    "ipt_cv": "irregularity of purchase timing",
    "promo_share": "share of spend on promotion or below list price",
    "return_rate": "share of units returned",
    "orders_90d": "orders in the last 90 days",
    "spend_90d": "spend in the last 90 days",
    "views_90d": "product views in the last 90 days",
    "searches_90d": "searches in the last 90 days",
    "carts_90d": "add-to-cart events in the last 90 days",
}


def category_feature(category: str) -> str:
    """Column name of a category-share feature."""
    return "cat_share:" + category


LABELS_ZH: dict[str, str] = {
    "tenure_days": "首次购买至今的天数",
    "recency_days": "距上次购买的天数",
    "frequency": "订单数",
    "purchase_days": "不同购买日数",
    "monetary": "累计消费额",
    "aov": "平均客单价",
    "basket_size": "每单商品行数",
    "ipt_mean_days": "平均购买间隔天数",
    "ipt_cv": "购买间隔的不规律程度",
    "promo_share": "促销或低于标价的消费占比",
    "return_rate": "退货件数占比",
    "orders_90d": "近 90 天订单数",
    "spend_90d": "近 90 天消费额",
    "views_90d": "近 90 天商品浏览次数",
    "searches_90d": "近 90 天搜索次数",
    "carts_90d": "近 90 天加购次数",
}


def label(feature: str, language: str = "en") -> str:
    """Words a marketer understands for a feature name, in English or Chinese."""
    zh = language == "zh"
    if feature.startswith("cat_share:"):
        category = feature.split(":", 1)[1]
        return f"{category} 品类消费占比" if zh else f"share of spend on {category}"
    if zh and feature in LABELS_ZH:
        return LABELS_ZH[feature]
    return LABELS.get(feature, feature.replace("_", " "))


def is_share(feature: str) -> bool:
    """Features that are shares (shown as percentages)."""
    return feature.startswith("cat_share:") or feature in ("promo_share", "return_rate")


def customer_features(
    lines: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
    events: pd.DataFrame | None,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """One row per customer with a purchase before ``as_of``; index ``customer_id``."""
    past = lines[(lines["ts"] < as_of) & lines["customer_id"].notna()]
    sales = past[~past["is_return"].astype(bool)]
    if sales.empty:
        return pd.DataFrame(index=pd.Index([], name="customer_id"))
    sales = sales.assign(
        spend=sales["quantity"] * sales["unit_price"], day=sales["ts"].dt.normalize()
    )
    by = sales.groupby("customer_id", sort=True)
    first, last = by["ts"].min(), by["ts"].max()
    out = pd.DataFrame(index=first.index)
    out["tenure_days"] = (as_of - first).dt.total_seconds() / 86400
    out["recency_days"] = (as_of - last).dt.total_seconds() / 86400
    out["frequency"] = by["order_id"].nunique()
    out["purchase_days"] = by["day"].nunique()
    out["monetary"] = by["spend"].sum()
    out["aov"] = out["monetary"] / out["frequency"]
    out["basket_size"] = by.size() / out["frequency"]
    out = out.join(_inter_purchase(sales))
    out["ipt_mean_days"] = out["ipt_mean_days"].fillna(out["tenure_days"])
    out["ipt_cv"] = out["ipt_cv"].fillna(0.0)
    out["promo_share"] = _promo_share(sales, products).reindex(out.index).fillna(0.0)
    out["return_rate"] = _return_rate(past, by["quantity"].sum()).reindex(out.index).fillna(0.0)
    recent = sales[sales["ts"] >= as_of - pd.Timedelta(days=90)].groupby("customer_id")
    out["orders_90d"] = recent["order_id"].nunique().reindex(out.index).fillna(0)
    out["spend_90d"] = recent["spend"].sum().reindex(out.index).fillna(0.0)
    shares = _category_shares(sales, products)
    out = out.join(shares)
    out[list(shares.columns)] = out[list(shares.columns)].fillna(0.0)
    if events is not None and not events.empty:
        counts = _event_counts(events, as_of)
        out = out.join(counts)
        out[list(counts.columns)] = out[list(counts.columns)].fillna(0.0)
    attrs = customers.set_index("customer_id")
    for attribute in ("country", "channel"):
        if attribute in attrs:
            out[attribute] = attrs[attribute].reindex(out.index)
    out.index.name = "customer_id"
    return out


def _inter_purchase(sales: pd.DataFrame) -> pd.DataFrame:
    days = sales[["customer_id", "day"]].drop_duplicates().sort_values(["customer_id", "day"])
    gap = days.groupby("customer_id")["day"].diff().dt.days
    stats = gap.groupby(days["customer_id"]).agg(["mean", "std"])
    return pd.DataFrame(
        {
            "ipt_mean_days": stats["mean"],
            "ipt_cv": (stats["std"] / stats["mean"]).where(stats["mean"] > 0),
        }
    )


def _promo_share(sales: pd.DataFrame, products: pd.DataFrame) -> pd.Series:
    list_price = sales["sku"].map(products.set_index("sku")["list_price"])
    below = sales["unit_price"] < 0.98 * list_price
    # A recorded promotion flag wins; without one, "below list price" stands in for it.
    flag = (
        sales["promo"].astype("boolean")
        if "promo" in sales
        else pd.Series(pd.NA, index=sales.index, dtype="boolean")
    )
    discounted = flag.fillna(below.fillna(False)).astype(bool).to_numpy()
    spend = sales["spend"].to_numpy()
    share = pd.Series(np.where(discounted, spend, 0.0), index=sales.index)
    return share.groupby(sales["customer_id"]).sum() / sales.groupby("customer_id")["spend"].sum()


def _return_rate(past: pd.DataFrame, bought: pd.Series) -> pd.Series:
    returned = past[past["is_return"].astype(bool)]
    units = returned["quantity"].abs().groupby(returned["customer_id"]).sum()
    return (units / bought).clip(0, 1)


def _category_shares(sales: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    category = sales["sku"].map(products.set_index("sku")["category"])
    if category.isna().all():
        return pd.DataFrame(index=pd.Index([], name="customer_id"))
    spend = sales["spend"].groupby([sales["customer_id"], category]).sum()
    top = spend.groupby(level=1).sum().nlargest(MAX_CATEGORIES).index
    table = spend.unstack(fill_value=0)
    shares = table[top].div(table.sum(axis=1), axis=0)
    shares.columns = [category_feature(str(c)) for c in shares.columns]
    return shares


def _event_counts(events: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    recent = events[(events["ts"] < as_of) & (events["ts"] >= as_of - pd.Timedelta(days=90))]
    counts = recent.groupby(["customer_id", "type"]).size().unstack(fill_value=0)
    names = {"view": "views_90d", "search": "searches_90d", "cart": "carts_90d"}
    return counts[[n for n in names if n in counts.columns]].rename(columns=names)
