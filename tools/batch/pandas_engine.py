"""The pandas batch engine: every customer's profile and recommendations, every product's
neighbours, co-purchases and elasticity, computed in this process by the same code the tools
run, as the rows of the batch tables."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from tools._tool import ToolContext
from tools.pricing.api import demand_model
from tools.pricing.demand import DemandModel
from tools.pricing.served import demand_record
from tools.profiling.api import profiles
from tools.profiling.card import CARD_FEATURES, CardParts, card_parts
from tools.profiling.segments import Clustering
from tools.recommend.api import basket_matrix, recommender

Step = Callable[[str], None]
_CHUNK = 2000
"""Customers per recommender call (bounds the score matrix's memory)."""
_SCORES = (
    "recency_days",
    "frequency",
    "monetary",
    "profile_score",
    "purchase_prob",
    "churn_risk",
    "p_alive",
    "expected_purchases_12m",
    "clv_12m",
)


def compute(
    ctx: ToolContext, top_n: int, step: Step = lambda _: None
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The batch tables' rows and the run's meta (cluster descriptions, score horizon)."""
    step("profiles")
    prof = profiles(ctx)
    customers = customer_rows(ctx)
    step("recommendations")
    recommendations = recommendation_rows(ctx, list(customers["customer_id"]), top_n)
    step("item neighbours")
    pairs = [neighbour_rows(ctx, top_n)]
    step("co-purchases")
    pairs.append(basket_rows(ctx, top_n))
    step("elasticities")
    frames = {
        "batch_customers": customers,
        "batch_recommendations": recommendations,
        "batch_item_pairs": pd.concat(pairs, ignore_index=True),
        "batch_elasticities": elasticity_rows(ctx),
    }
    meta = run_meta(prof.table, prof.clustering, prof.end, prof.score.horizon_days)
    meta["products"] = int(frames["batch_elasticities"].shape[0])
    return frames, meta


def run_meta(
    t: pd.DataFrame, clustering: Clustering, end: pd.Timestamp, horizon_days: int
) -> dict[str, Any]:
    """What a served answer needs beyond the rows: cluster descriptions and traits, the as-of
    day and the score horizon."""
    clusters = sorted(int(c) for c in t["cluster"].unique())
    return {
        "clusters": {str(c): clustering.describe(c) for c in clusters},
        "traits": {str(c): [dataclasses.asdict(x) for x in clustering.traits[c]] for c in clusters},
        "as_of": end.date().isoformat(),
        "horizon_days": horizon_days,
        "customers": len(t),
    }


def customer_rows(ctx: ToolContext) -> pd.DataFrame:
    """One row per customer: scores, segment, cluster, CLV and the card's parts as JSON."""
    prof = profiles(ctx)
    return customer_frame(prof.table, card_parts(prof, prof.table))


def customer_frame(t: pd.DataFrame, parts: CardParts) -> pd.DataFrame:
    """The rows of ``batch_customers`` from a profile table ``t`` (index ``customer_id``) and
    its cards' parts (any engine's)."""
    shown = [f for f in CARD_FEATURES if f in t]
    features = t[shown].astype(float).to_dict("records")
    out = pd.DataFrame({"customer_id": t.index.astype(str)})
    out["country"] = t["country"].astype("string").to_numpy() if "country" in t else None
    out["rfm_segment"] = t["rfm_segment"].astype(str).to_numpy()
    out["cluster"] = t["cluster"].astype(int).to_numpy()
    for column in _SCORES:
        out[column] = t[column].astype(float).to_numpy()
    out["features"] = [json.dumps(f) for f in features]
    out["top_categories"] = [json.dumps(c) for c in parts.categories]
    out["drivers"] = [json.dumps({"up": up, "down": down}) for up, down in parts.pushes]
    return out


def recommendation_rows(ctx: ToolContext, customer_ids: list[str], top_n: int) -> pd.DataFrame:
    """Every customer's top ``top_n`` new products and top ``top_n`` with re-buys (the shop's
    popular products for a customer the recommender has no purchases of, as the tool does)."""
    model = recommender(ctx)
    records: list[dict[str, Any]] = []
    for mode, exclude in (("new", True), ("all", False)):
        hybrid = model.for_mode(exclude)
        for chunk in _chunks(customer_ids, _CHUNK):
            for cid, rec in zip(chunk, hybrid.recommend(chunk, top_n, exclude), strict=True):
                for rank, (sku, score, reason) in enumerate(
                    zip(rec.items, rec.scores, rec.reasons, strict=True)
                ):
                    records.append(
                        {
                            "customer_id": cid,
                            "mode": mode,
                            "rank": rank,
                            "sku": str(sku),
                            "score": float(score),
                            "reason": str(reason),
                            "reason_kind": reason.kind,
                            "because": json.dumps(list(reason.products)),
                            "neighbours_bought": int(reason.counts[0]),
                            "neighbours": int(reason.counts[1]),
                            "cold_start": bool(rec.cold_start),
                        }
                    )
    return pd.DataFrame.from_records(records)


def neighbour_rows(ctx: ToolContext, top_n: int) -> pd.DataFrame:
    """Each bought product's nearest products by who buys them (1.0 = the closest)."""
    hybrid = recommender(ctx).for_mode(True)
    records = []
    for sku in recommender(ctx).data.items:
        pairs = hybrid.similar_items(str(sku), top_n)
        strongest = max((v for _, v in pairs), default=1.0) or 1.0
        records += [
            {
                "kind": "neighbour",
                "sku": str(sku),
                "rank": r,
                "other": str(o),
                "similarity": v / strongest,
            }
            for r, (o, v) in enumerate(pairs)
        ]
    return pd.DataFrame.from_records(records)


def basket_rows(ctx: ToolContext, top_n: int) -> pd.DataFrame:
    """Each product's most frequent companions in an order: orders together, confidence, lift."""
    baskets, items = basket_matrix(ctx)
    together = (baskets.T @ baskets).tocsr()
    together.setdiag(0)
    together.eliminate_zeros()
    orders = np.asarray(baskets.sum(axis=0)).ravel()
    share = orders / max(baskets.shape[0], 1)
    records = []
    for col in range(len(items)):
        start, end = together.indptr[col], together.indptr[col + 1]
        others, counts = together.indices[start:end], together.data[start:end]
        # Most orders together first; ties in column (sku) order, as the tool breaks them.
        order = np.lexsort((others, -counts))[:top_n]
        for rank, i in enumerate(order):
            confidence = float(counts[i]) / max(float(orders[col]), 1.0)
            records.append(
                {
                    "kind": "basket",
                    "sku": str(items[col]),
                    "rank": rank,
                    "other": str(items[others[i]]),
                    "similarity": confidence,
                    "together_orders": int(counts[i]),
                    "sku_orders": int(orders[col]),
                    "lift": confidence / max(float(share[others[i]]), 1e-12),
                }
            )
    return pd.DataFrame.from_records(records)


def elasticity_rows(ctx: ToolContext) -> pd.DataFrame:
    """Every product with a demand estimate: elasticity, 90% interval, usable or not and why."""
    return elasticity_frame(demand_model(ctx))


def elasticity_frame(model: DemandModel) -> pd.DataFrame:
    """The rows of ``batch_elasticities`` from a fitted demand model."""
    demands = model.products.values()
    return pd.DataFrame.from_records(
        [
            {
                "sku": d.product,
                "elasticity": float(d.elasticity),
                "low": float(d.ci90[0]),
                "high": float(d.ci90[1]),
                "usable": bool(d.reliable),
                "note": ", ".join(f.code for f in d.flags) or None,
                "demand": demand_record(d, model.priors.get(d.category or "(none)")),
            }
            for d in demands
        ],
        columns=["sku", "elasticity", "low", "high", "usable", "note", "demand"],
    )


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
