"""``copilot demo``: a seeded synthetic shop with planted truths, written to the shop store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from copilot.demo.campaigns import CHANNEL_RATES, PLANTED_CLICK_LIFT, make_campaigns
from copilot.demo.catalog import make_catalog
from copilot.demo.customers import SEGMENTS, make_customers, taste_matrix
from copilot.demo.docs import POLICY, render_documents
from copilot.demo.orders import (
    PAIR_ATTACH,
    PROMO_RATE,
    SEASON,
    TREND_PER_YEAR,
    simulate_lines,
    simulate_prices,
)

START = pd.Timestamp("2025-05-05")
"""A Monday; 78 weeks (18 months) of history end on 2026-11-01."""
N_WEEKS = 78
RETURN_RATE = {"Apparel": 0.08}
DEFAULT_RETURN_RATE = 0.025


@dataclass(frozen=True)
class DemoShop:
    """Everything the generator produced: the tables, the documents and the planted truths."""

    tables: dict[str, pd.DataFrame]
    documents: dict[str, str]
    truths: dict[str, Any]


def generate_demo(
    seed: int = 7, n_customers: int = 5000, n_products: int = 300, lines_per_customer: float = 40.0
) -> DemoShop:
    """Build the demo shop deterministically from ``seed``."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range(START, periods=N_WEEKS, freq="7D")
    catalog = make_catalog(rng, n_products)
    customers = make_customers(rng, n_customers, N_WEEKS, START)
    taste = taste_matrix(rng, customers["seg_index"].to_numpy())
    price, promo = simulate_prices(rng, catalog["list_price"].to_numpy(), N_WEEKS)
    pairs = _choose_pairs(rng, catalog)
    lines = simulate_lines(
        rng,
        catalog,
        customers,
        taste,
        weeks,
        price,
        promo,
        int(n_customers * lines_per_customer),
        pairs,
    )
    orders = _order_table(rng, lines, catalog, customers)
    orders = pd.concat([orders, _returns(rng, orders, catalog)], ignore_index=True)
    events = _events(rng, orders, catalog, customers)
    sales = orders[~orders["is_return"]]
    aov = float((sales["quantity"] * sales["unit_price"]).groupby(sales["order_id"]).sum().mean())
    campaigns = make_campaigns(rng, START, n_customers, aov)
    end = START + pd.Timedelta(weeks=N_WEEKS)
    tables = {
        "products": catalog[
            [
                "sku",
                "title",
                "title_zh",
                "description",
                "description_zh",
                "category",
                "list_price",
                "unit_cost",
            ]
        ],
        "customers": customers[["customer_id", "country", "signup_date", "channel"]],
        "order_lines": orders,
        "events": events,
        "campaigns": campaigns,
    }
    truths = _truths(seed, catalog, customers, pairs, weeks, end)
    return DemoShop(tables, render_documents(campaigns, end), truths)


def write_truths(truths: dict[str, Any], path: Path) -> None:
    """Write the planted truths as JSON beside the data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truths, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _choose_pairs(rng: np.random.Generator, catalog: pd.DataFrame) -> list[tuple[int, int]]:
    """Planted co-purchase pairs among the more popular products, each product in one pair."""
    popular = np.argsort(-catalog["popularity"].to_numpy())[: max(8, len(catalog) // 3)]
    picked = rng.permutation(popular)[: 2 * min(15, len(popular) // 2)]
    return [(int(picked[i]), int(picked[i + 1])) for i in range(0, len(picked), 2)]


def _order_table(
    rng: np.random.Generator, lines: pd.DataFrame, catalog: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    keys = lines.groupby(["cust", "w", "slot"], sort=True).ngroup().to_numpy()
    n_orders = int(keys.max()) + 1
    day = rng.integers(0, 7, n_orders)
    seconds = rng.integers(8 * 3600, 23 * 3600, n_orders)
    order_week = np.zeros(n_orders, dtype=np.int64)
    order_week[keys] = lines["w"].to_numpy()
    ts = START + pd.to_timedelta(order_week * 7 + day, unit="D") + pd.to_timedelta(seconds, "s")
    rank = np.empty(n_orders, dtype=np.int64)
    rank[np.lexsort((np.arange(n_orders), ts.to_numpy()))] = np.arange(n_orders)
    out = pd.DataFrame(
        {
            "order_id": pd.Series(rank[keys] + 100001).map("SO{}".format),
            "customer_id": customers["customer_id"].to_numpy()[lines["cust"].to_numpy()],
            "sku": catalog["sku"].to_numpy()[lines["j"].to_numpy()],
            "quantity": lines["quantity"].to_numpy(),
            "unit_price": lines["unit_price"].to_numpy(),
            "ts": ts[keys],
            "is_return": False,
            "promo": lines["promo"].to_numpy(),
        }
    )
    out = out.sort_values(["ts", "order_id", "sku"], kind="stable").reset_index(drop=True)
    return out


def _returns(rng: np.random.Generator, orders: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    category = orders["sku"].map(catalog.set_index("sku")["category"])
    rate = category.map(RETURN_RATE).fillna(DEFAULT_RETURN_RATE).to_numpy()
    picked = orders[rng.random(len(orders)) < rate].copy()
    picked["ts"] = picked["ts"] + pd.to_timedelta(rng.integers(3, 21, len(picked)), unit="D")
    picked = picked[picked["ts"] < START + pd.Timedelta(weeks=N_WEEKS)]
    picked["order_id"] = "R" + picked["order_id"]
    picked["quantity"] = -picked["quantity"]
    picked["is_return"] = True
    return picked


def _events(
    rng: np.random.Generator, orders: pd.DataFrame, catalog: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """Views and cart adds before purchases, and searches in the customer's language."""
    sales = orders[~orders["is_return"]]
    views = sales[rng.random(len(sales)) < 0.3]
    carts = sales[rng.random(len(sales)) < 0.2]
    searches = sales[rng.random(len(sales)) < 0.08]
    chinese = searches["customer_id"].map(customers.set_index("customer_id")["country"]) == "China"
    nouns = catalog.set_index("sku")
    query = np.where(
        chinese,
        searches["sku"].map(nouns["noun_zh"]),
        searches["sku"].map(nouns["noun"]).str.lower(),
    )
    parts = [
        pd.DataFrame(
            {
                "customer_id": views["customer_id"],
                "type": "view",
                "sku": views["sku"],
                "query": None,
                "ts": views["ts"]
                - pd.to_timedelta(rng.integers(600, 3 * 86400, len(views)), unit="s"),
            }
        ),
        pd.DataFrame(
            {
                "customer_id": carts["customer_id"],
                "type": "cart",
                "sku": carts["sku"],
                "query": None,
                "ts": carts["ts"] - pd.to_timedelta(rng.integers(60, 1800, len(carts)), unit="s"),
            }
        ),
        pd.DataFrame(
            {
                "customer_id": searches["customer_id"],
                "type": "search",
                "sku": None,
                "query": query,
                "ts": searches["ts"]
                - pd.to_timedelta(rng.integers(1800, 86400, len(searches)), unit="s"),
            }
        ),
    ]
    events = pd.concat(parts, ignore_index=True)
    events = events.sort_values(["ts", "customer_id", "type"], kind="stable").reset_index(drop=True)
    events.insert(0, "event_id", [f"E{i + 1:07d}" for i in range(len(events))])
    return events


def _truths(
    seed: int,
    catalog: pd.DataFrame,
    customers: pd.DataFrame,
    pairs: list[tuple[int, int]],
    weeks: pd.DatetimeIndex,
    end: pd.Timestamp,
) -> dict[str, Any]:
    sku = catalog["sku"].to_numpy()
    lapsed = customers[customers["segment"] == "lapsed"]
    return {
        "seed": seed,
        "start": START.date().isoformat(),
        "end": end.date().isoformat(),
        "segments": {
            "definitions": {
                s.key: {
                    "share": s.share,
                    "rate": s.rate,
                    "basket": s.basket,
                    "promo_affinity": s.promo_affinity,
                    "taste": list(s.taste),
                    "lifecycle": s.lifecycle,
                }
                for s in SEGMENTS
            },
            "customer_segment": dict(
                zip(customers["customer_id"], customers["segment"], strict=True)
            ),
        },
        "lapsed_after": {
            c: (START + pd.Timedelta(weeks=int(w) + 1)).date().isoformat()
            for c, w in zip(lapsed["customer_id"], lapsed["last_week"], strict=True)
        },
        "elasticity": dict(zip(sku, catalog["elasticity"].astype(float), strict=True)),
        "unit_cost": {
            s: float(c) for s, c in zip(sku, catalog["unit_cost"], strict=True) if not pd.isna(c)
        },
        "co_purchase_pairs": [[str(sku[a]), str(sku[b])] for a, b in pairs],
        "pair_attach_share": PAIR_ATTACH,
        "season_by_month": SEASON,
        "trend_per_year": TREND_PER_YEAR,
        "promo_rate": PROMO_RATE,
        "week_starts": [w.date().isoformat() for w in weeks],
        "channel_rates": {k: vars(v) for k, v in CHANNEL_RATES.items()},
        "campaign_click_lift": PLANTED_CLICK_LIFT,
        "documents": POLICY,
    }
