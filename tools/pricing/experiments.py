"""A/B test design and readout: sample size, holdout design, significance with a verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, stats

PEEKING_WARNING = (
    "Fix the sample size before starting and read the result once: checking "
    "repeatedly and stopping at the first significant result inflates false "
    "positives."
)


MAX_GROUP = 1e12
"""Customers per group beyond which a test is not sized (no shop has that many)."""


def _z(alpha: float, two_sided: bool) -> float:
    return float(stats.norm.ppf(1 - alpha / 2 if two_sided else 1 - alpha))


def _normal_size(effect: float, alpha: float, power: float, ratio: float, two_sided: bool) -> float:
    """Control-group size of the normal approximation for a standardised ``effect``; inf (not
    an overflow) when the effect is too small to size."""
    z = _z(alpha, two_sided) + float(stats.norm.ppf(power))
    with np.errstate(all="ignore"):
        return float((np.float64(z) / effect) ** 2 * (1 + np.float64(1) / ratio))


def _group_sizes(n1: float, ratio: float) -> tuple[int, int]:
    """(control, treatment) sizes, refused when a group would exceed ``MAX_GROUP``."""
    if not math.isfinite(n1) or n1 * max(ratio, 1.0) > MAX_GROUP:
        raise ValueError(
            f"a test would need more than {MAX_GROUP:,.0f} customers in a group: the change is "
            "too small to detect, the split between the groups too uneven or the significance "
            "level too strict; test a larger change, a more even split or a larger alpha"
        )
    # At least two per group (a readout needs them); the tolerance keeps 2.0000000000000004 at 2.
    return max(2, math.ceil(n1 - 1e-9)), max(2, math.ceil(n1 * ratio - 1e-9))


def sample_size_proportions(
    baseline: float,
    target: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    two_sided: bool = True,
) -> tuple[int, int]:
    """Customers per group (control, treatment) to detect ``baseline`` -> ``target``.

    Normal approximation on Cohen's h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)) (as in G*Power and
    statsmodels' NormalIndPower); ``ratio`` = treatment size / control size.
    """
    if not (0 < baseline < 1 and 0 < target < 1) or baseline == target:
        raise ValueError("baseline and target must be different rates strictly between 0 and 1")
    h = abs(2 * math.asin(math.sqrt(target)) - 2 * math.asin(math.sqrt(baseline)))
    return _group_sizes(_normal_size(h, alpha, power, ratio, two_sided), ratio)


def sample_size_means(
    delta: float,
    sd: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    two_sided: bool = True,
) -> tuple[int, int]:
    """Customers per group to detect a difference ``delta`` in a mean (t-test power, exact)."""
    if delta == 0 or sd <= 0:
        raise ValueError("delta must be non-zero and sd positive")
    d = abs(delta) / sd
    level = 1 - alpha / 2 if two_sided else 1 - alpha

    def shortfall(n1: float) -> float:
        n2 = n1 * ratio
        df = n1 + n2 - 2
        nc = d * math.sqrt(n1 * n2 / (n1 + n2))
        crit = stats.t.ppf(level, df)
        achieved = 1 - stats.nct.cdf(crit, df, nc)
        if two_sided:
            achieved += stats.nct.cdf(-crit, df, nc)
        if not math.isfinite(achieved):
            # SciPy's noncentral t gives NaN at millions of degrees of freedom, where the t
            # test is the z test.
            z = float(stats.norm.ppf(level))
            achieved = stats.norm.sf(z - nc) + (stats.norm.cdf(-z - nc) if two_sided else 0.0)
        return float(achieved - power)

    # The normal approximation brackets the exact t-based answer from above.
    guess = _normal_size(d, alpha, power, ratio, two_sided)
    _group_sizes(guess, ratio)  # refuses an effect too small to size
    low = max(2.0, 2.0 / ratio)  # at least two customers in each group
    if shortfall(low) >= 0:  # an effect so large that the smallest test has the power
        return _group_sizes(low, ratio)
    n1 = optimize.brentq(shortfall, low, max(2 * guess + 20, 2 * low))
    return _group_sizes(n1, ratio)


def detectable_lift(
    baseline: float, n_control: int, n_treatment: int, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Smallest absolute rate increase a test of these sizes detects (Cohen's h inverted)."""
    z = _z(alpha, True) + stats.norm.ppf(power)
    h = z * math.sqrt(1 / n_control + 1 / n_treatment)
    phi = 2 * math.asin(math.sqrt(baseline)) + h
    return min(math.sin(phi / 2) ** 2, 1.0) - baseline


ReadoutMetric = Literal["conversion_rate", "mean_per_customer"]
ReadoutVerdict = Literal["significant_higher", "significant_lower", "no_difference"]


@dataclass(frozen=True, kw_only=True)
class Readout:
    """The result of an A/B test; its metric and verdict are codes the findings put in words."""

    metric: ReadoutMetric
    control: float
    treatment: float
    difference: float
    relative_lift_pct: float | None
    ci95: tuple[float, float]
    statistic: float
    p_value: float
    significant: bool
    verdict: ReadoutVerdict
    warning: str = PEEKING_WARNING
    control_n: int = 0
    treatment_n: int = 0
    control_conversions: int | None = None
    treatment_conversions: int | None = None
    p_below: float | None = None
    """0.001 when the p-value is smaller than that (stated as "p < 0.001")."""

    def __post_init__(self) -> None:
        if self.p_below is None and self.p_value < 0.001:
            object.__setattr__(self, "p_below", 0.001)


def _verdict(significant: bool, difference: float) -> ReadoutVerdict:
    if not significant:
        return "no_difference"
    return "significant_higher" if difference > 0 else "significant_lower"


def readout_proportions(
    conv_a: int, n_a: int, conv_b: int, n_b: int, alpha: float = 0.05
) -> Readout:
    """Two-proportion z-test (pooled) and an unpooled 95% interval of the difference."""
    if min(n_a, n_b) <= 0 or not (0 <= conv_a <= n_a and 0 <= conv_b <= n_b):
        raise ValueError("conversions must be between 0 and the group size, sizes positive")
    pa, pb = conv_a / n_a, conv_b / n_b
    pooled = (conv_a + conv_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (pb - pa) / se0 if se0 > 0 else 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    se = math.sqrt(pa * (1 - pa) / n_a + pb * (1 - pb) / n_b)
    diff = pb - pa
    ci = (diff - 1.959964 * se, diff + 1.959964 * se)
    lift = 100 * diff / pa if pa > 0 else None
    return Readout(
        metric="conversion_rate",
        control=pa,
        treatment=pb,
        difference=diff,
        relative_lift_pct=lift,
        ci95=ci,
        statistic=z,
        p_value=p,
        significant=p < alpha,
        verdict=_verdict(p < alpha, diff),
        control_n=n_a,
        treatment_n=n_b,
        control_conversions=conv_a,
        treatment_conversions=conv_b,
    )


def readout_means(
    mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int, alpha: float = 0.05
) -> Readout:
    """Welch's t-test from summary statistics (e.g. revenue per user)."""
    if min(n_a, n_b) < 2 or min(sd_a, sd_b) < 0:
        raise ValueError("each group needs at least 2 customers and a non-negative sd")
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    se = math.sqrt(va + vb)
    diff = mean_b - mean_a
    t, p = 0.0, 1.0  # two groups without spread: no evidence either way
    if se > 0:
        welch = stats.ttest_ind_from_stats(mean_b, sd_b, n_b, mean_a, sd_a, n_a, equal_var=False)
        t, p = float(welch.statistic), float(welch.pvalue)
    # scipy gives no interval from summary statistics: Welch-Satterthwaite degrees of freedom.
    spread = (va**2 / (n_a - 1)) + (vb**2 / (n_b - 1))  # 0 also when tiny variances underflow
    df = (va + vb) ** 2 / spread if spread > 0 else n_a + n_b - 2
    q = float(stats.t.ppf(0.975, df))
    lift = 100 * diff / mean_a if mean_a else None
    return Readout(
        metric="mean_per_customer",
        control=mean_a,
        treatment=mean_b,
        difference=diff,
        relative_lift_pct=lift,
        ci95=(diff - q * se, diff + q * se),
        statistic=t,
        p_value=p,
        significant=p < alpha,
        verdict=_verdict(p < alpha, diff),
        control_n=n_a,
        treatment_n=n_b,
    )
