"""What past campaigns measured, as a planning input: the incremental revenue and profit per
treated customer and week that the read-outs of measured plans for the same audience found,
and the forecast shrunk toward it.

A measured campaign counts for a new plan only when it targeted the same segment with the same
kind of offer (a discount, or a message without one): a discount's response says little about
a plain message's, and the other way round.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

Z95 = 1.959964


@dataclass(frozen=True, kw_only=True)
class Measured:
    """The measured response of past campaigns, pooled by precision."""

    plans: tuple[int, ...]
    revenue: float
    """Incremental revenue per treated customer and week."""
    revenue_se: float
    profit: float
    """Incremental profit (before channel cost) per treated customer and week."""
    profit_se: float


def _per_week(measured: dict[str, Any], metric: str) -> tuple[float, float]:
    weeks = float(measured["weeks"])
    low, high = float(measured[f"{metric}_low"]), float(measured[f"{metric}_high"])
    return float(measured[metric]) / weeks, (high - low) / (2 * Z95) / weeks


def _pool(values: list[tuple[float, float]]) -> tuple[float, float]:
    weights = [1 / se**2 for _, se in values if se > 0]
    if len(weights) != len(values):  # a zero-width interval: nothing to pool by
        return values[0][0], 0.0
    total = sum(weights)
    mean = sum(w * v for w, (v, _) in zip(weights, values, strict=True)) / total
    return mean, math.sqrt(1 / total)


def measured_response(
    records: list[tuple[int, dict[str, Any], dict[str, Any]]], segment: str, priced: bool
) -> Measured | None:
    """Pool the read-outs of measured plans (id, plan JSON, measured numbers) that targeted
    ``segment`` with a discount (``priced``) or without one."""
    same = [
        (plan_id, m)
        for plan_id, plan, m in records
        if plan["audience"]["segment"] == segment
        and (plan["offer"]["depth_pct"] is not None) == priced
    ]
    if not same:
        return None
    revenue = _pool([_per_week(m, "revenue") for _, m in same])
    profit = _pool([_per_week(m, "profit") for _, m in same])
    return Measured(
        plans=tuple(plan_id for plan_id, _ in same),
        revenue=revenue[0],
        revenue_se=revenue[1],
        profit=profit[0],
        profit_se=profit[1],
    )


def shrink(model: float, measured: float, measured_se: float) -> float:
    """The forecast moved toward what was measured, each weighted by its precision. The model's
    own uncertainty is its stated range (half the estimate), but never below the measurement's:
    a model that sees no effect (a message without an offer) cannot outweigh one that was
    measured."""
    if measured_se <= 0:
        return measured
    model_sd = max(0.5 * abs(model), measured_se)
    w_model, w_measured = 1 / model_sd**2, 1 / measured_se**2
    return (w_model * model + w_measured * measured) / (w_model + w_measured)
