"""Null campaigns drawn from a segment's real customers, to check the read-out's intervals:
each replicate splits the customers at random and lets them buy as they did before, so any
effect the read-out finds is a false one (tests/test_readout_stats.py, bench_readout.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools._tool import ToolContext
from tools.campaigns.estimate import always_valid_halfwidth, cuped, difference, planned_se
from tools.profiling.api import scored_customers, segment_mask


@dataclass(frozen=True)
class Customers:
    """What each customer of a segment did before: the read-out's covariate and the rates a
    replicate draws from."""

    spend: np.ndarray
    """Spend over the 12 weeks before the data's end (the CUPED covariate)."""
    weekly_rate: np.ndarray
    """Orders per week over the 26 weeks before the end (clipped to 0.002-0.9)."""
    order_value: np.ndarray
    """Mean order value (the shop's mean for a customer without orders)."""


def segment_customers(ctx: ToolContext, segment: str) -> Customers:
    """The customers of ``segment`` as the shop's orders describe them."""
    table = scored_customers(ctx)
    ids = table.index[segment_mask(table, segment)].astype(str)
    lines = ctx.shop.order_lines()
    lines = lines[lines["customer_id"].astype(str).isin(set(ids))]
    who = lines["customer_id"].astype(str)
    value = lines["quantity"] * lines["unit_price"]
    end = lines["ts"].max()
    recent = lines["ts"] > end - pd.Timedelta(weeks=12)
    spend = value[recent].groupby(who[recent]).sum().reindex(ids).fillna(0).to_numpy()
    half = lines["ts"] > end - pd.Timedelta(weeks=26)
    orders = lines[half].groupby(who[half])["order_id"].nunique()
    rate = np.clip(orders.reindex(ids).fillna(0).to_numpy() / 26, 0.002, 0.9)
    order_value = value.groupby(lines["order_id"]).sum()
    owner = lines.drop_duplicates("order_id").set_index("order_id")["customer_id"].astype(str)
    mean_value = order_value.groupby(owner.reindex(order_value.index)).mean()
    return Customers(spend, rate, mean_value.reindex(ids).fillna(order_value.mean()).to_numpy())


def weekly_revenue(rng: np.random.Generator, customers: Customers, weeks: int) -> np.ndarray:
    """Each customer's revenue per week (customers x weeks): a purchase at their own weekly
    rate, worth their mean order value with gamma noise (shape 4)."""
    rate, value = customers.weekly_rate, customers.order_value
    buys = rng.random((len(rate), weeks)) < rate[:, None]
    return buys * value[:, None] * rng.gamma(4.0, 0.25, buys.shape)


@dataclass(frozen=True)
class Coverage:
    """How often the 95% intervals of null campaigns held zero, and what CUPED did."""

    raw: float
    cuped: float
    variance_removed: float
    """Mean share of the revenue variance the pre-period spend removed."""
    width_ratio: float
    """Mean CUPED interval width over the raw one."""


def null_coverage(
    customers: Customers, holdout: float, runs: int, rng: np.random.Generator, weeks: int = 4
) -> Coverage:
    """``runs`` null campaigns of ``weeks`` weeks with ``holdout`` of the customers held out."""
    raw_hits = cuped_hits = 0
    removed, ratio = [], []
    for _ in range(runs):
        y = weekly_revenue(rng, customers, weeks).sum(axis=1)
        treated = rng.random(len(y)) >= holdout
        raw, cup = difference(y, treated), cuped(y, customers.spend, treated)
        raw_hits += raw.low <= 0 <= raw.high
        cuped_hits += cup.estimate.low <= 0 <= cup.estimate.high
        removed.append(cup.variance_reduction)
        ratio.append((cup.estimate.high - cup.estimate.low) / (raw.high - raw.low))
    return Coverage(
        raw_hits / runs, cuped_hits / runs, float(np.mean(removed)), float(np.mean(ratio))
    )


def peeking_errors(
    customers: Customers, runs: int, weeks: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Share of null campaigns (half held out) read out every week in which some look
    excludes zero: with the fixed interval, and with the always-valid one."""
    fixed_errors = valid_errors = 0
    for _ in range(runs):
        during = weekly_revenue(rng, customers, weeks)
        before = weekly_revenue(rng, customers, weeks).sum(axis=1)  # pre-period, same length
        treated = rng.random(len(before)) >= 0.5
        c = planned_se(before, treated)
        fixed = valid = False
        for week in range(1, weeks + 1):
            d = difference(during[:, :week].sum(axis=1), treated)
            fixed |= not d.low <= 0 <= d.high
            valid |= abs(d.diff) > always_valid_halfwidth(d.se, c)
        fixed_errors += fixed
        valid_errors += valid
    return fixed_errors / runs, valid_errors / runs
