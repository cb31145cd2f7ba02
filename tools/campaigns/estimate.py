"""Treatment against holdout, per customer: the difference in means with a 95% interval, the
same with CUPED (each customer's pre-period spend as the covariate), and an always-valid
interval for looks before the planned end.

The always-valid interval is the normal-mixture confidence sequence on the cumulative
difference (Robbins' mixture; Johari et al., "Always valid inference", 2017): under no effect
the difference grows as a martingale whose variance is the squared standard error, so
``|d| <= sqrt((v + c) * log((v + c) / (c * alpha**2)))`` holds at every look at once with
probability 1 - alpha. ``c`` is fixed before the campaign from the pre-period (the variance
the difference would have at the planned end), so looking often cannot make it narrower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05


@dataclass(frozen=True)
class Difference:
    """Treatment mean minus holdout mean, with its standard error and interval."""

    treatment_mean: float
    holdout_mean: float
    diff: float
    se: float
    low: float
    high: float


def difference(y: np.ndarray, treated: np.ndarray) -> Difference:
    """Welch's difference in means with a fixed-horizon 95% interval (Student's t with the
    Welch-Satterthwaite degrees of freedom: a small holdout widens it)."""
    a, b = y[treated], y[~treated]
    if len(a) < 2 or len(b) < 2:
        raise ValueError("each arm needs at least two customers")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    d = float(a.mean() - b.mean())
    if se == 0:
        return Difference(float(a.mean()), float(b.mean()), d, 0.0, d, d)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    q = float(stats.t.ppf(0.975, df))
    return Difference(float(a.mean()), float(b.mean()), d, se, d - q * se, d + q * se)


@dataclass(frozen=True)
class Cuped:
    """The CUPED-adjusted difference and how much variance the covariate removed."""

    estimate: Difference
    theta: float
    variance_reduction: float
    """1 - var(adjusted) / var(raw), pooled over both arms (0 when the covariate is useless)."""


def cuped_adjusted(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """``y`` adjusted by the pre-period covariate ``x``: y - theta (x - mean x), with theta
    the least-squares slope (0 when ``x`` does not vary); and theta."""
    vx = float(np.var(x, ddof=1))
    theta = float(np.cov(x, y, ddof=1)[0, 1] / vx) if vx > 0 else 0.0
    return y - theta * (x - x.mean()), theta


def cuped(y: np.ndarray, x: np.ndarray, treated: np.ndarray) -> Cuped:
    """Adjust ``y`` by the pre-period covariate ``x`` (``cuped_adjusted``), theta fitted on
    both arms together (randomisation keeps the estimate unbiased)."""
    adjusted, theta = cuped_adjusted(y, x)
    vy = float(np.var(y, ddof=1))
    reduction = 1 - float(np.var(adjusted, ddof=1)) / vy if vy > 0 else 0.0
    return Cuped(difference(adjusted, treated), theta, reduction)


def always_valid_halfwidth(se: float, planned_se: float, alpha: float = ALPHA) -> float:
    """Half-width of the normal-mixture confidence sequence at a look whose standard error is
    ``se``, mixing over effects of the size of ``planned_se`` (fixed in advance)."""
    v, c = se**2, max(planned_se**2, 1e-12)
    return math.sqrt((v + c) * math.log((v + c) / (c * alpha**2)))


def planned_se(pre: np.ndarray, treated: np.ndarray) -> float:
    """The standard error the difference would have at the planned end, from the same-length
    pre-period outcome of the same customers (known before the campaign starts)."""
    n_t, n_h = int(treated.sum()), int((~treated).sum())
    return float(np.std(pre, ddof=1)) * math.sqrt(1 / max(n_t, 1) + 1 / max(n_h, 1))
