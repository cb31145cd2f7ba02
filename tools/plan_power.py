"""Whether a plan's holdout can detect the effect the plan expects, and what would.

The read-out compares revenue per customer between treatment and holdout, adjusted by each
customer's spend in the 12 weeks before (CUPED). The same quantities, measured on the audience's
own past weeks, give the smallest effect the test detects with 80% power at the 5% level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from tools.campaigns.estimate import cuped_adjusted

ALPHA, POWER = 0.05, 0.80
_Z = float(stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER))
PRE_WEEKS = 12
"""The read-out's covariate window (tools.campaigns.readout.PRE_WEEKS)."""
MAX_WEEKS = 12


@dataclass(frozen=True, kw_only=True)
class Power:
    """The test's reach for an effect of ``effect`` per treated customer."""

    sd: float
    """Revenue per customer over the campaign window, its standard deviation after the
    pre-period adjustment."""
    detectable_per_customer: float
    """The smallest rise in revenue per customer the test detects (80% power, 5% level)."""
    underpowered: bool
    needed_holdout: int | None
    """The smallest holdout that detects the effect with this audience and length."""
    needed_weeks: int | None
    """Else the shortest length (at a half-and-half split) that does, up to 12 weeks."""
    needed_customers: int | None
    """Else the audience size (half held out) that would, at the planned length."""


def _adjusted_sd(
    value: pd.Series, ts: pd.Series, who: pd.Series, ids: pd.Index, end: pd.Timestamp, weeks: int
) -> float:
    start = end - pd.Timedelta(weeks=weeks)
    inside = ts > start
    before = (ts > start - pd.Timedelta(weeks=PRE_WEEKS)) & ~inside
    y = value[inside].groupby(who[inside]).sum().reindex(ids).fillna(0).to_numpy()
    x = value[before].groupby(who[before]).sum().reindex(ids).fillna(0).to_numpy()
    if len(y) < 3:
        return float(np.std(y))
    return float(np.std(cuped_adjusted(y, x)[0], ddof=1))


def _detectable(sd: float, treated: int, holdout: int) -> float:
    return _Z * sd * math.sqrt(1 / max(treated, 1) + 1 / max(holdout, 1))


def plan_power(
    lines: pd.DataFrame,
    members: pd.Index,
    effect_per_week: float,
    weeks: int,
    holdout: int,
) -> Power:
    """The test of a campaign on ``members`` expecting ``effect_per_week`` more revenue per
    treated customer each week, ``weeks`` long with ``holdout`` customers held out."""
    ids = pd.Index(members.astype(str))
    mine = lines[lines["customer_id"].astype(str).isin(set(ids))]
    value = mine["quantity"] * mine["unit_price"]
    who, ts = mine["customer_id"].astype(str), mine["ts"]
    end = lines["ts"].max()
    n = len(ids)
    sd = _adjusted_sd(value, ts, who, ids, end, weeks)
    effect = effect_per_week * weeks
    detectable = _detectable(sd, n - holdout, holdout)
    if effect >= detectable:
        return Power(
            sd=sd,
            detectable_per_customer=detectable,
            underpowered=False,
            needed_holdout=None,
            needed_weeks=None,
            needed_customers=None,
        )
    sizes = np.arange(holdout + 1, n // 2 + 1)
    reach = _Z * sd * np.sqrt(1 / (n - sizes) + 1 / sizes) if len(sizes) else np.array([])
    fits = sizes[reach <= effect] if effect > 0 else np.array([], dtype=int)
    needed_weeks = needed_customers = None
    if not len(fits):
        for w in range(weeks + 1, MAX_WEEKS + 1):
            sd_w = _adjusted_sd(value, ts, who, ids, end, w)
            if effect_per_week * w >= _detectable(sd_w, n - n // 2, n // 2):
                needed_weeks = w
                break
        if needed_weeks is None and effect > 0:
            needed_customers = math.ceil(4 * (_Z * sd / effect) ** 2)
    return Power(
        sd=sd,
        detectable_per_customer=detectable,
        underpowered=True,
        needed_holdout=int(fits[0]) if len(fits) else None,
        needed_weeks=needed_weeks,
        needed_customers=needed_customers,
    )
