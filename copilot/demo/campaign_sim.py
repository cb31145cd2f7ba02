"""Play an approved plan on the demo shop: the orders its audience places during the campaign,
with a planted uplift for the treatment group and none for the holdout, written as a later data
version (an ingest, so ``copilot undo-ingest`` takes it back).

What is planted: each customer buys in a campaign week with their own weekly rate of the 26
weeks before the start, replaying one of their past baskets at today's price. On top, treated
customers who would not have bought convert with the probability that raises the treatment
group's expected conversion by exactly ``uplift`` (absolute). Treated customers pay the plan's
discount on every line and their lines carry the promotion flag; the holdout pays full price.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from copilot.core.errors import InputError
from copilot.demo.docs import POLICY
from copilot.shop.plans import PlanStore
from copilot.shop.store import ShopData, utc_now
from copilot.shop.transform import Shaped
from copilot.shop.writes import write_shaped

PLANTED_UPLIFT = {"at_risk": 0.06, "about_to_sleep": 0.05, "loyal": 0.03, "champions": 0.02}
"""The planted absolute rise in conversion over the campaign, per audience segment."""
DEFAULT_UPLIFT = 0.04
HISTORY_WEEKS = 26


@dataclass(frozen=True)
class Simulated:
    """What the simulation wrote."""

    plan_id: int
    uplift: float
    orders: int
    lines: int
    ingest_id: int | None


def _baskets(history: pd.DataFrame) -> dict[str, list[pd.DataFrame]]:
    bought = history[(~history["is_return"].astype(bool)) & (history["quantity"] > 0)]
    return {
        str(c): [g for _, g in orders.groupby("order_id")]
        for c, orders in bought.groupby("customer_id")
    }


def simulate_campaign(
    shop: ShopData, plan_id: int, uplift: float | None = None, seed: int = 11
) -> Simulated:
    """Write the campaign's orders for approved plan ``plan_id`` (see the module docstring)."""
    if shop.name() != POLICY["shop"]:
        raise InputError(
            "campaigns are simulated on the demo shop only (`copilot demo`): it writes made-up "
            "orders, which must never mix with a real shop's"
        )
    store = PlanStore(shop.engine)
    record = store.get(plan_id)
    if record.status == "draft":
        raise InputError(f"plan {plan_id} is a draft: approve it before simulating its campaign")
    plan = record.plan
    segment = str(plan["audience"]["segment"])
    lift = PLANTED_UPLIFT.get(segment, DEFAULT_UPLIFT) if uplift is None else uplift
    if not 0 <= lift < 1:
        raise InputError(f"the planted uplift must be a share in [0, 1), not {lift}")
    start = date.fromisoformat(plan["timing"]["start"])
    weeks = int(plan["timing"]["weeks"])
    depth = (plan["offer"]["depth_pct"] or 0.0) / 100
    arms = store.assignments(plan_id)
    ids = arms["customer_id"].astype(str).to_numpy()
    treated = (arms["arm"] == "treatment").to_numpy()
    rng = np.random.default_rng([seed, plan_id])

    lines = shop.order_lines()
    t0 = pd.Timestamp(start)
    history = lines[
        lines["customer_id"].astype(str).isin(set(ids))
        & (lines["ts"] >= t0 - pd.Timedelta(weeks=HISTORY_WEEKS))
        & (lines["ts"] < t0)
    ]
    rate = history.groupby(history["customer_id"].astype(str))["order_id"].nunique()
    weekly = np.clip(rate.reindex(ids).fillna(0).to_numpy(float) / HISTORY_WEEKS, 0.002, 0.9)
    buys = rng.random((len(ids), weeks)) < weekly[:, None]
    base_conversion = 1 - (1 - weekly) ** weeks
    # Exactly ``lift`` more treated converters in expectation: non-buyers convert with q.
    q = min(1.0, lift / float(np.mean(1 - base_conversion[treated]))) if treated.any() else 0.0
    extra = treated & ~buys.any(axis=1) & (rng.random(len(ids)) < q)
    buys[extra, rng.integers(0, weeks, int(extra.sum()))] = True

    baskets = _baskets(lines[lines["customer_id"].astype(str).isin(set(ids))])
    pool = [b for group in baskets.values() for b in group]
    prices = shop.products().set_index("sku")["list_price"]
    out: list[pd.DataFrame] = []
    for i, week in zip(*np.nonzero(buys), strict=True):
        cid = ids[i]
        own = baskets.get(cid) or pool
        basket = own[int(rng.integers(len(own)))]
        at = t0 + pd.Timedelta(
            days=7 * int(week) + int(rng.integers(7)), hours=9 + int(rng.integers(12))
        )
        price = basket["sku"].map(prices).fillna(basket["unit_price"]).to_numpy(float)
        on_offer = bool(treated[i])
        out.append(
            pd.DataFrame(
                {
                    "order_id": f"SIM{plan_id}-{len(out) + 1:06d}",
                    "customer_id": cid,
                    "sku": basket["sku"].to_numpy(),
                    "quantity": basket["quantity"].to_numpy(int),
                    "unit_price": np.round(price * (1 - depth if on_offer else 1.0), 2),
                    "ts": at,
                    "is_return": False,
                    "promo": on_offer and depth > 0,
                }
            )
        )
    frame = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    digest = hashlib.sha256(f"campaign-sim|{plan_id}|{lift}|{seed}".encode()).hexdigest()
    record_row: dict[str, object] = {
        "source": f"simulated campaign of plan {plan_id} (planted uplift {lift:.0%})",
        "sha256": digest,
        "kind": "orders",
        "format": "simulation",
        "rows_read": len(frame),
        "rows_kept": len(frame),
        "ingested_at": utc_now(),
    }
    ingest_id, _ = write_shaped(
        shop, Shaped(tables={"order_lines": frame}, rows_kept=len(frame)), record_row
    )
    store.set_status(plan_id, "running")
    return Simulated(plan_id, lift, len(out), len(frame), ingest_id)
