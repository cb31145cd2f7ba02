"""How strongly a customer segment responds to promotions, estimated from its order lines.

A promotion is set per product and week, so the comparison is made inside strata of one week
and one category: among the lines sold there on promotion and at the regular price, how much
more often was the buyer in the segment than in the reference group? The strata are pooled
with the Mantel-Haenszel odds ratio (robust to strata with few lines), and its interval comes
from resampling whole weeks. Under the demo's generator (a segment is ``affinity`` times more
likely to be the buyer of a promoted item) the ratio estimates affinity(segment) /
affinity(reference), which ``tests/test_findings.py`` checks against the planted values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVEL = 0.90
BOOTSTRAP = 400


@dataclass(frozen=True)
class PromoResponse:
    """A segment's odds of buying on promotion relative to the reference group's."""

    ratio: float
    low: float
    high: float
    """The interval (``LEVEL`` by default; weeks resampled)."""
    segment_lines: int
    reference_lines: int
    weeks: int

    @property
    def differs(self) -> bool:
        """True when the interval excludes 1 (the segment really responds differently)."""
        return not self.low <= 1.0 <= self.high


def promo_response(
    lines: pd.DataFrame,
    segment: pd.Index,
    reference: pd.Index | None = None,
    categories: pd.Series | None = None,
    seed: int = 0,
    level: float = LEVEL,
) -> PromoResponse | None:
    """Mantel-Haenszel promotion response of ``segment`` against ``reference`` (default: every
    other customer), stratified by week and category; None without usable promotion flags.

    Args:
        lines: order lines with customer_id, sku, ts, quantity, is_return and promo.
        segment: customer ids of the segment.
        reference: customer ids compared against; every other customer when None.
        categories: sku -> category (strata are weeks only when None).
        seed: seed of the week resampling.
        level: coverage of the interval.
    """
    if "promo" not in lines or not lines["promo"].notna().any():
        return None
    sold = lines[
        ~lines["is_return"].astype(bool) & (lines["quantity"] > 0) & lines["promo"].notna()
    ]
    in_segment = sold["customer_id"].isin(segment)
    in_reference = (
        ~in_segment & sold["customer_id"].notna()
        if reference is None
        else sold["customer_id"].isin(reference) & ~in_segment
    )
    sold = sold[in_segment | in_reference]
    frame = pd.DataFrame(
        {
            "week": sold["ts"].dt.to_period("W").astype(str),
            "stratum": sold["sku"].map(categories) if categories is not None else "",
            "segment": in_segment[sold.index].to_numpy(),
            "promo": sold["promo"].astype(bool).to_numpy(),
        }
    )
    counts = (
        frame.groupby(["week", "stratum", "segment", "promo"])
        .size()
        .unstack(["segment", "promo"], fill_value=0)
    )
    cell = {
        key: counts[key].to_numpy(float) if key in counts else np.zeros(len(counts))
        for key in ((True, True), (True, False), (False, True), (False, False))
    }
    a, b, c, d = cell[True, True], cell[True, False], cell[False, True], cell[False, False]
    n = a + b + c + d
    weeks = counts.index.get_level_values("week")
    num = pd.Series(a * d / np.maximum(n, 1)).groupby(weeks.to_numpy()).sum()
    den = pd.Series(b * c / np.maximum(n, 1)).groupby(weeks.to_numpy()).sum()
    if float(den.sum()) <= 0 or float(num.sum()) <= 0:
        return None
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(num), size=(BOOTSTRAP, len(num)))
    nums, dens = num.to_numpy()[picks].sum(axis=1), den.to_numpy()[picks].sum(axis=1)
    ratios = nums[dens > 0] / dens[dens > 0]
    tail = (1 - level) / 2
    return PromoResponse(
        float(num.sum() / den.sum()),
        float(np.quantile(ratios, tail)),
        float(np.quantile(ratios, 1 - tail)),
        int(in_segment.sum()),
        int(in_reference.sum()),
        len(num),
    )
