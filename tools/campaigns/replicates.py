"""Null campaigns drawn from a segment's real customers, to check the read-out's intervals:
each replicate splits the customers at random and lets them buy as they did before, so any
effect the read-out finds is a false one (tests/test_readout_stats.py, bench_readout.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools._tool import ToolContext
from tools.profiling.api import profiles, segment_mask


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
    table = profiles(ctx).table
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
