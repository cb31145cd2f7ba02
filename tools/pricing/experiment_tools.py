"""Agent-facing experiment tools: A/B test sample size and readout."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from copilot.core.errors import ToolError
from tools._tool import ToolContext, tool
from tools.pricing.experiments import (
    Readout,
    readout_means,
    readout_proportions,
    sample_size_means,
    sample_size_proportions,
)
from tools.pricing.results import SampleSizePlan


@tool
def ab_test_sample_size(
    ctx: ToolContext,
    metric: Literal["conversion", "revenue"],
    baseline: Annotated[float, Field(gt=0)],
    mde_pct: Annotated[float, Field(gt=0, le=500)],
    sd: Annotated[float | None, Field(gt=0)] = None,
    alpha: Annotated[float, Field(gt=0, lt=0.5)] = 0.05,
    power: Annotated[float, Field(gt=0.5, lt=1)] = 0.8,
    treatment_share: Annotated[float, Field(gt=0, lt=1)] = 0.5,
    daily_customers: Annotated[int | None, Field(gt=0)] = None,
) -> SampleSizePlan:
    """Customers needed per group for an A/B test or a campaign holdout to detect a relative
    change of mde_pct, and how many days that takes. Use for "how big must my test be".

    Args:
        metric: "conversion" (a rate, baseline like 0.05) or "revenue" (mean per customer).
        baseline: control conversion rate (0-1) or mean revenue per customer.
        mde_pct: smallest relative change worth detecting, in percent (10 = +10%).
        sd: standard deviation of revenue per customer (required for revenue).
        alpha: significance level (two-sided).
        power: probability of detecting the change if it is real.
        treatment_share: share of customers who get the treatment (0.9 = 10% holdout).
        daily_customers: eligible customers per day, to estimate the duration.
    """
    ratio = treatment_share / (1 - treatment_share)
    target = baseline * (1 + mde_pct / 100)
    if target == baseline:
        raise ToolError(
            f"a change of {mde_pct:g}% does not move a baseline of {baseline:g}; a larger "
            "change (mde_pct) is needed."
        )
    try:
        if metric == "conversion":
            if baseline >= 1 or target >= 1:
                raise ToolError(
                    "a conversion baseline is a rate below 1 (e.g. 0.05 for 5%), and "
                    "baseline x (1 + mde) must stay below 1."
                )
            control, treat = sample_size_proportions(baseline, target, alpha, power, ratio)
            method = "two-proportion test, normal approximation on Cohen's h"
        else:
            if sd is None:
                raise ToolError("revenue needs sd, the standard deviation of revenue per customer.")
            control, treat = sample_size_means(target - baseline, sd, alpha, power, ratio)
            method = "Welch/Student t-test power (noncentral t)"
    except ValueError as exc:  # a change too small (or a split too uneven) to size
        raise ToolError(f"{exc}.") from exc
    total = control + treat
    days = int(np.ceil(total / daily_customers)) if daily_customers else None
    return SampleSizePlan(
        metric=metric,
        baseline=baseline,
        target=target,
        control=control,
        treatment=treat,
        total=total,
        days=days,
        alpha=alpha,
        power=power,
        method=method,
        mde_pct=mde_pct,
        daily_customers=daily_customers,
        treatment_share=treatment_share,
    )


@tool
def ab_test_readout(
    ctx: ToolContext,
    metric: Literal["conversion", "revenue"],
    control_n: Annotated[int, Field(ge=2)],
    treatment_n: Annotated[int, Field(ge=2)],
    control_conversions: Annotated[int | None, Field(ge=0)] = None,
    treatment_conversions: Annotated[int | None, Field(ge=0)] = None,
    control_rate: Annotated[float | None, Field(ge=0, le=100)] = None,
    treatment_rate: Annotated[float | None, Field(ge=0, le=100)] = None,
    control_mean: float | None = None,
    control_sd: Annotated[float | None, Field(ge=0)] = None,
    treatment_mean: float | None = None,
    treatment_sd: Annotated[float | None, Field(ge=0)] = None,
) -> Readout:
    """Read out an A/B test: difference, 95% interval, p-value and a plain-words verdict
    (two-proportion z-test for conversion, Welch t-test for revenue per customer). Conversion
    takes counts, or rates with group sizes ("2.4% of 9,000").

    Args:
        metric: "conversion" or "revenue".
        control_n: customers in the control group.
        treatment_n: customers in the treatment group.
        control_conversions: converted control customers (conversion).
        treatment_conversions: converted treatment customers (conversion).
        control_rate: control conversion rate instead of a count: 0.024 or 2.4 for 2.4%.
        treatment_rate: treatment conversion rate instead of a count: 0.031 or 3.1 for 3.1%.
        control_mean: mean revenue per control customer (revenue).
        control_sd: standard deviation of revenue per control customer (revenue).
        treatment_mean: mean revenue per treatment customer (revenue).
        treatment_sd: standard deviation of revenue per treatment customer (revenue).
    """
    try:
        if metric == "conversion":
            conv_a = _conversions(control_conversions, control_rate, control_n, "control")
            conv_b = _conversions(treatment_conversions, treatment_rate, treatment_n, "treatment")
            return readout_proportions(conv_a, control_n, conv_b, treatment_n)
        if (
            control_mean is None
            or control_sd is None
            or treatment_mean is None
            or treatment_sd is None
        ):
            raise ToolError(
                "a revenue readout needs each group's mean and standard deviation of revenue "
                "per customer."
            )
        return readout_means(
            control_mean, control_sd, control_n, treatment_mean, treatment_sd, treatment_n
        )
    except ValueError as exc:
        raise ToolError(f"{exc}; check the numbers.") from exc


def as_rate(rate: float) -> float:
    """A conversion rate as a fraction: 2.4 (percent) and 0.024 both mean 2.4%."""
    return rate / 100 if rate > 1 else rate


def _conversions(count: int | None, rate: float | None, n: int, group: str) -> int:
    """Converted customers from a count, or from a rate times the group size."""
    if count is not None:
        return count
    if rate is None:
        raise ToolError(
            f"a conversion readout needs the {group} group's conversions, or its conversion "
            "rate with the group size."
        )
    return round(as_rate(rate) * n)
