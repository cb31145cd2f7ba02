"""Simulate 18 months of prices and order lines with planted elasticities and co-purchases.

Demand is generated per product and week first, so each product's units follow its constant
elasticity exactly in expectation: E[q_jw] = base_j * season_w * trend_w * (p_jw / L_j)^e_j.
Customers are then drawn as the buyers of those lines (by activity, category taste and promotion
affinity), and lines are grouped into orders. Planted co-purchase pairs move some of B's lines
into orders that contain A, which changes who buys B but not how much B sells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from copilot.demo.customers import SEGMENTS

SEASON = {
    1: 0.85,
    2: 0.85,
    3: 0.95,
    4: 1.0,
    5: 1.0,
    6: 1.1,
    7: 0.9,
    8: 0.9,
    9: 1.0,
    10: 1.05,
    11: 1.35,
    12: 1.45,
}
"""Planted monthly demand multiplier (June: mid-year sales; November/December: holidays)."""
TREND_PER_YEAR = 0.12
PROMO_RATE = 0.15
PROMO_DEPTHS = np.array([0.10, 0.15, 0.20, 0.25, 0.30, 0.40])
REGULAR_LEVELS = np.array([0.85, 0.90, 0.95, 1.0, 1.05, 1.10, 1.15])
PAIR_ATTACH = 0.6
"""Share of a paired product's weekly lines moved into orders that contain its partner."""


def simulate_prices(
    rng: np.random.Generator, list_price: np.ndarray, n_weeks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weekly prices (products x weeks): regular-price moves plus random promotions."""
    shape = (len(list_price), n_weeks)
    change = rng.random(shape) < 1 / 13
    change[:, 0] = True
    level = np.where(change, rng.choice(REGULAR_LEVELS, size=shape), np.nan)
    level[:, 0] = 1.0
    level = pd.DataFrame(level).ffill(axis=1).to_numpy()
    promo = rng.random(shape) < PROMO_RATE
    depth = np.where(promo, rng.choice(PROMO_DEPTHS, size=shape), 0.0)
    price = np.round(list_price[:, None] * level * (1 - depth), 2)
    return price, promo


def season_trend(weeks: pd.DatetimeIndex) -> np.ndarray:
    """The planted demand multiplier of each week (season times linear trend)."""
    mid = weeks + pd.Timedelta(days=3)
    season = np.array([SEASON[m] for m in mid.month])
    years = np.arange(len(weeks)) / 52.0
    result: np.ndarray = season * (1 + TREND_PER_YEAR * years)
    return result


def simulate_lines(
    rng: np.random.Generator,
    catalog: pd.DataFrame,
    customers: pd.DataFrame,
    taste: np.ndarray,
    weeks: pd.DatetimeIndex,
    price: np.ndarray,
    promo: np.ndarray,
    target_lines: int,
    pairs: list[tuple[int, int]],
) -> pd.DataFrame:
    """Sales lines with product, week, price, promotion flag, buyer and order key."""
    lp = catalog["list_price"].to_numpy()
    e = catalog["elasticity"].to_numpy()
    shape = catalog["popularity"].to_numpy()[:, None] * season_trend(weeks)[None, :]
    lam = shape * (price / lp[:, None]) ** e[:, None]
    lam *= target_lines / lam.sum()
    counts = rng.poisson(lam)
    prod, week = np.nonzero(counts)
    n = counts[prod, week]
    lines = pd.DataFrame({"j": np.repeat(prod, n), "w": np.repeat(week, n)})
    lines["promo"] = promo[lines["j"], lines["w"]]
    lines["unit_price"] = price[lines["j"], lines["w"]]
    lines["cat"] = catalog["cat_index"].to_numpy()[lines["j"]]
    lines["cust"] = _draw_buyers(rng, lines, customers, taste)
    lines["slot"] = _order_slots(rng, lines, customers)
    _attach_pairs(rng, lines, pairs)
    lines["quantity"] = 1 + rng.poisson(0.3, len(lines))
    return lines


def _draw_buyers(
    rng: np.random.Generator, lines: pd.DataFrame, customers: pd.DataFrame, taste: np.ndarray
) -> np.ndarray:
    act = customers["activity"].to_numpy()
    first = customers["first_week"].to_numpy()
    last = customers["last_week"].to_numpy()
    affinity = np.array([SEGMENTS[s].promo_affinity for s in customers["seg_index"]])
    buyers = np.empty(len(lines), dtype=np.int64)
    keys = lines[["w", "cat", "promo"]].to_numpy()
    order = np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))
    sorted_keys = keys[order]
    bounds = np.flatnonzero(np.any(np.diff(sorted_keys, axis=0) != 0, axis=1)) + 1
    for chunk in np.split(order, bounds):
        w, cat, on_promo = keys[chunk[0]]
        alive = (first <= w) & (last >= w)
        weight = act * alive * taste[:, cat] * (affinity if on_promo else 1.0)
        cdf = np.cumsum(weight)
        buyers[chunk] = np.searchsorted(cdf, rng.random(len(chunk)) * cdf[-1], side="right")
    return buyers


def _order_slots(
    rng: np.random.Generator, lines: pd.DataFrame, customers: pd.DataFrame
) -> np.ndarray:
    """Split a customer's lines of one week into orders; big-basket segments split less."""
    basket = np.array([SEGMENTS[s].basket for s in customers["seg_index"]])
    per_group = lines.groupby(["cust", "w"]).ngroup().to_numpy()
    group_k = np.bincount(per_group)
    first_cust = lines.groupby(["cust", "w"])["cust"].first().to_numpy()
    m = 1 + rng.binomial(group_k - 1, 1 / basket[first_cust])
    slots: np.ndarray = np.floor(rng.random(len(lines)) * m[per_group]).astype(np.int64)
    return slots


def _attach_pairs(
    rng: np.random.Generator, lines: pd.DataFrame, pairs: list[tuple[int, int]]
) -> None:
    by_pw = lines.groupby(["j", "w"]).indices
    cust = lines["cust"].to_numpy().copy()
    slot = lines["slot"].to_numpy().copy()
    for a, b in pairs:
        for w in range(int(lines["w"].max()) + 1):
            a_idx = by_pw.get((a, w))
            b_idx = by_pw.get((b, w))
            if a_idx is None or b_idx is None:
                continue
            take = min(int(round(PAIR_ATTACH * len(b_idx))), len(a_idx))
            if take == 0:
                continue
            movers = rng.choice(b_idx, size=take, replace=False)
            hosts = rng.choice(a_idx, size=take, replace=False)
            cust[movers] = cust[hosts]
            slot[movers] = slot[hosts]
    lines["cust"] = cust
    lines["slot"] = slot
