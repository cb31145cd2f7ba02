"""Intervals and tests for campaign counts: a rate of sends, a count of orders, two rates.

Counts here are large for sends and small for orders (a campaign converts tens of people), so
the intervals are the ones that stay honest at small counts: Wilson for a proportion, the exact
(Garwood) interval for a Poisson count.
"""

from __future__ import annotations

import math

from scipy import stats

LEVEL = 0.95
_Z = float(stats.norm.ppf(0.5 + LEVEL / 2))


def wilson(successes: int, trials: int) -> tuple[float, float] | None:
    """The 95% Wilson interval of ``successes / trials`` (None without trials)."""
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + _Z**2 / trials
    centre = (p + _Z**2 / (2 * trials)) / denominator
    half = _Z * math.sqrt(p * (1 - p) / trials + _Z**2 / (4 * trials**2)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def poisson_interval(count: int) -> tuple[float, float]:
    """The exact 95% interval of a Poisson mean from one observed ``count``."""
    alpha = 1 - LEVEL
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return low, high


def two_rates_p(a: int, n_a: int, b: int, n_b: int) -> float | None:
    """Two-sided p-value that ``a / n_a`` and ``b / n_b`` differ (pooled z-test); None when
    either side has no trials or the pooled rate is 0 or 1."""
    if n_a <= 0 or n_b <= 0:
        return None
    pooled = (a + b) / (n_a + n_b)
    if pooled in (0.0, 1.0):
        return None
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (a / n_a - b / n_b) / se
    return float(2 * stats.norm.sf(abs(z)))
