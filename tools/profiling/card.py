"""A customer's card from one row of the profile table: the same words whether the row was
computed just now or read from a batch run's table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tools._tool import COMPUTED, text_or_none
from tools.profiling.features import label
from tools.profiling.model import CustomerProfiles
from tools.profiling.results import CustomerCard, Driver, OrderSummary
from tools.profiling.segments import SEGMENT_LABELS

CARD_FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "aov",
    "basket_size",
    "tenure_days",
    "promo_share",
    "return_rate",
    "orders_90d",
)
"""The behaviour features a card shows."""
TOP = 3
"""Drivers each way, and categories, a card names."""


@dataclass(frozen=True)
class CardParts:
    """What a card needs beyond the row's scores, for every customer of ``rows``."""

    pushes: list[tuple[list[tuple[str, float]], list[tuple[str, float]]]]
    """Per customer: features pushing the score up (strongest first) and down."""
    categories: list[dict[str, float]]
    """Per customer: the top category shares."""


def card_parts(prof: CustomerProfiles, rows: pd.DataFrame) -> CardParts:
    """Score drivers and top categories of ``rows`` (profile-table rows), vectorised."""
    shares = [c for c in prof.features if c.startswith("cat_share:")]
    return CardParts(
        pushes_of(prof.score.standardised(rows), prof.score.weights),
        top_categories(rows, shares),
    )


def pushes_of(
    z: pd.DataFrame, weights: dict[str, float]
) -> list[tuple[list[tuple[str, float]], list[tuple[str, float]]]]:
    """Per row of the standardised inputs ``z``: the features pushing the score up (strongest
    first) and down, at most ``TOP`` each way."""
    names = list(weights)
    push = z[names].to_numpy() * np.array([weights[f] for f in names])
    order = np.argsort(push, axis=1, kind="stable")
    pushes = []
    for i in range(len(z)):
        low = [(names[j], float(push[i, j])) for j in order[i, :TOP] if push[i, j] < 0]
        high = [(names[j], float(push[i, j])) for j in order[i, ::-1][:TOP] if push[i, j] > 0]
        pushes.append((high, low))
    return pushes


def top_categories(rows: pd.DataFrame, shares: list[str]) -> list[dict[str, float]]:
    """Per row: its largest category shares (of the ``shares`` columns), at most ``TOP``."""
    values = rows[shares].to_numpy(dtype=float) if shares else np.zeros((len(rows), 0))
    categories = []
    for i in range(len(rows)):
        top = sorted(
            ((shares[j].split(":", 1)[1], float(values[i, j])) for j in range(len(shares))),
            key=lambda kv: -kv[1],
        )
        categories.append(dict([(c, v) for c, v in top if v > 0][:TOP]))
    return categories


def card_of(
    cid: str,
    row: dict[str, Any],
    pushes: tuple[list[tuple[str, float]], list[tuple[str, float]]],
    categories: dict[str, float],
    *,
    cluster_description: list[str],
    last_orders: list[OrderSummary],
    horizon_days: int,
    source: str = COMPUTED,
) -> CustomerCard:
    """The card of customer ``cid`` from their profile ``row`` and its parts."""
    rfm_en, rfm_zh = SEGMENT_LABELS[row["rfm_segment"]]
    up, down = pushes
    return CustomerCard(
        customer_id=cid,
        country=text_or_none(row.get("country")),
        rfm_segment=row["rfm_segment"],
        rfm_label=rfm_en,
        rfm_label_zh=rfm_zh,
        cluster=int(row["cluster"]),
        cluster_description=cluster_description,
        profile_score=float(row["profile_score"]),
        purchase_prob=float(row["purchase_prob"]),
        churn_risk=float(row["churn_risk"]),
        p_alive=float(row["p_alive"]),
        expected_purchases_12m=float(row["expected_purchases_12m"]),
        clv_12m=float(row["clv_12m"]),
        features={f: float(row[f]) for f in CARD_FEATURES if f in row},
        top_categories=categories,
        pushes_up=[Driver(feature=f, label=label(f), value=v) for f, v in up],
        pushes_down=[Driver(feature=f, label=label(f), value=v) for f, v in down],
        last_orders=last_orders,
        horizon_days=horizon_days,
        source=source,
    )


def last_orders(lines: pd.DataFrame, n: int = 5) -> list[OrderSummary]:
    """A customer's ``n`` latest orders from their order lines (latest first; ties by order id).

    Plain Python: a customer has tens of lines, where a pandas group-by costs milliseconds.
    """
    orders: dict[str, list[Any]] = {}
    for oid, ts, quantity, price, returned in zip(
        lines["order_id"].astype(str),
        pd.to_datetime(lines["ts"]),
        lines["quantity"],
        lines["unit_price"],
        lines["is_return"].astype(bool),
        strict=True,
    ):
        row = orders.setdefault(oid, [ts, 0, 0.0, False])
        row[0] = max(row[0], ts)
        row[1] += 1
        row[2] += float(quantity) * float(price)
        row[3] = row[3] or bool(returned)
    latest = sorted(orders.items(), key=lambda kv: (-kv[1][0].value, kv[0]))[:n]
    return [
        OrderSummary(
            order_id=oid,
            date=ts.date().isoformat(),
            items=items,
            value=round(value, 2),
            returned=returned,
        )
        for oid, (ts, items, value, returned) in latest
    ]
