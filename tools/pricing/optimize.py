"""Profit- (or revenue-) maximising prices under business constraints, a catalogue at a time.

Demand around the current price p0 follows the fitted constant elasticity:
q(p) = q0 * (p / p0)^e. The allowed range is the intersection of the observed price range
(widened by ``range_margin_pct``), the maximum change per decision and the margin floor; the
best price is searched on a fine grid (optionally snapped to .99/.95 endings). Uncertainty:
elasticity draws from its (shrunk) posterior give 90% intervals of the changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from tools._brief import BRIEF_OFF
from tools.pricing.demand import DemandFlag, ProductDemand

Objective = Literal["profit", "revenue"]


@dataclass(frozen=True, kw_only=True)
class Constraints:
    """Business rules for a pricing decision."""

    max_change_pct: float = 20.0
    min_margin_pct: float = 10.0
    """Minimum (price - cost) / price, in percent; prices below cost are never allowed."""
    range_margin_pct: float = 10.0
    """How far beyond the observed price range a price may go."""
    ending: float | None = None
    """Price ending such as 0.99 or 0.95; None for any cent."""


@dataclass(frozen=True, kw_only=True)
class CurvePoint:
    """Expected weekly outcome at one price (for a chart)."""

    price: float
    units: float
    revenue: float
    profit: float


@dataclass(frozen=True, kw_only=True)
class PriceDecision:
    """The recommended price of one product and what it is expected to change."""

    product: str
    status: str
    """"recommended", "flagged" (use with care) or "refused" (keep the current price)."""
    current_price: float
    recommended_price: float
    unit_cost: float
    cost_source: str = field(metadata=BRIEF_OFF)
    elasticity: float
    elasticity_ci90: tuple[float, float]
    objective: str = field(metadata=BRIEF_OFF)
    units_change_pct: float
    units_change_ci90: tuple[float, float] = field(metadata=BRIEF_OFF)
    revenue_change_pct: float
    revenue_change_ci90: tuple[float, float] = field(metadata=BRIEF_OFF)
    profit_change_pct: float
    profit_change_ci90: tuple[float, float]
    weekly_profit_now: float
    weekly_profit_new: float
    bounds: tuple[float, float] = field(metadata=BRIEF_OFF)
    binding: str
    """In words: what decided the price (the demand curve or which constraint)."""
    flags: list[DemandFlag]
    """The demand estimate's flags (why it is flagged or refused)."""
    notes: list[str]
    """Why the optimiser kept the current price, when it did."""
    curve: list[CurvePoint] = field(default_factory=list, metadata=BRIEF_OFF)
    binding_kind: str = field(default="demand_curve", metadata=BRIEF_OFF)
    """"demand_curve", "none" (refused), or "lower:"/"upper:" + "range", "step", "margin"."""
    price_change_pct: float = 0.0
    refusal: str = field(default="", metadata=BRIEF_OFF)
    """Why no price is recommended: "unreliable" estimate, "infeasible" limits or "no_ending"
    (no allowed price has the requested ending)."""
    lowest_allowed: float = field(default=0.0, metadata=BRIEF_OFF)
    highest_allowed: float = field(default=0.0, metadata=BRIEF_OFF)


def optimize_prices(
    demands: list[ProductDemand],
    costs: dict[str, tuple[float, str]],
    constraints: Constraints = Constraints(),
    objective: Objective = "profit",
    grid_size: int = 401,
    draws: int = 400,
    curve_points: int = 0,
    seed: int = 0,
) -> list[PriceDecision]:
    """Decide prices for many products at once (vectorised over products and grid)."""
    if not demands:
        return []
    p0 = np.array([d.current_price for d in demands])
    q0 = np.array([d.baseline_units for d in demands])
    e = np.array([d.elasticity for d in demands])
    sd = np.array([d.sd for d in demands])
    cost = np.array([costs[d.product][0] for d in demands])
    lows, highs, low_why, high_why = _bounds(demands, p0, cost, constraints)
    feasible = lows <= highs
    frac = np.linspace(0.0, 1.0, grid_size)[None, :]
    grid = lows[:, None] + (np.maximum(highs - lows, 0))[:, None] * frac
    valid = np.ones_like(grid, dtype=bool)
    if constraints.ending is not None:
        grid = np.floor(grid) + constraints.ending
        grid = np.where(grid > highs[:, None] + 1e-9, grid - 1.0, grid)
        valid = (grid >= lows[:, None] - 1e-9) & (grid <= highs[:, None] + 1e-9)
    # A narrow allowed range can hold no price with the ending (10.00-10.05 has no .99).
    snapped = np.asarray(valid.any(axis=1), dtype=bool)
    units = q0[:, None] * (grid / p0[:, None]) ** e[:, None]
    value = grid * units if objective == "revenue" else (grid - cost[:, None]) * units
    value = np.where(valid, value, -np.inf)
    best = np.argmax(value, axis=1)
    price = grid[np.arange(len(demands)), best]

    rng = np.random.default_rng(seed)
    e_draws = e[:, None] + sd[:, None] * rng.standard_normal((len(demands), draws))
    ratio = (price / p0)[:, None] ** e_draws
    out = []
    for i, d in enumerate(demands):
        why_low = _WHY[low_why[i]].format(**_limits(constraints))
        status, notes = _status(d, bool(feasible[i]), lows[i], highs[i], why_low)
        if status != "refused" and not snapped[i]:
            status = "refused"
            notes.append(
                f"no price ending in {constraints.ending:.2f} lies between {lows[i]:.2f} and "
                f"{highs[i]:.2f}"
            )
        new_price = float(price[i]) if status != "refused" else float(p0[i])
        r = ratio[i] if status != "refused" else np.ones(draws)
        r_point = (new_price / p0[i]) ** e[i]
        margin_now = p0[i] - cost[i]
        profit_ratio = (new_price - cost[i]) * r / margin_now if margin_now > 0 else r * np.nan
        kind = _binding(float(price[i]), grid[i][valid[i]], low_why[i], high_why[i], status)
        out.append(
            PriceDecision(
                product=d.product,
                status=status,
                current_price=float(p0[i]),
                recommended_price=round(new_price, 2),
                unit_cost=round(float(cost[i]), 4),
                cost_source=costs[d.product][1],
                elasticity=d.elasticity,
                elasticity_ci90=d.ci90,
                objective=objective,
                units_change_pct=float(100 * (r_point - 1)),
                units_change_ci90=_ci(100 * (r - 1)),
                revenue_change_pct=float(100 * (new_price / p0[i] * r_point - 1)),
                revenue_change_ci90=_ci(100 * (new_price / p0[i] * r - 1)),
                profit_change_pct=float(100 * ((new_price - cost[i]) * r_point / margin_now - 1))
                if margin_now > 0
                else float("nan"),
                profit_change_ci90=_ci(100 * (profit_ratio - 1)),
                weekly_profit_now=float(margin_now * q0[i]),
                weekly_profit_new=float((new_price - cost[i]) * q0[i] * r_point),
                bounds=(round(float(lows[i]), 2), round(float(highs[i]), 2)),
                binding=_BINDING_WORDS[kind.split(":")[0]].format(
                    why=_WHY[kind.split(":")[-1]].format(**_limits(constraints))
                ),
                flags=list(d.flags),
                notes=notes,
                curve=_curve(d, cost[i], lows[i], highs[i], curve_points),
                binding_kind=kind,
                price_change_pct=float(100 * (new_price / p0[i] - 1)),
                refusal=""
                if status != "refused"
                else "infeasible"
                if not feasible[i]
                else "no_ending"
                if not snapped[i]
                else "unreliable",
                lowest_allowed=float(lows[i]),
                highest_allowed=float(highs[i]),
            )
        )
    return out


def _bounds(
    demands: list[ProductDemand], p0: np.ndarray, cost: np.ndarray, c: Constraints
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    seen_lo = np.array([d.price_range[0] for d in demands]) * (1 - c.range_margin_pct / 100)
    seen_hi = np.array([d.price_range[1] for d in demands]) * (1 + c.range_margin_pct / 100)
    step_lo = p0 * (1 - c.max_change_pct / 100)
    step_hi = p0 * (1 + c.max_change_pct / 100)
    floor = np.maximum(cost / max(1 - c.min_margin_pct / 100, 1e-6), cost + 0.01)
    lo_options = np.stack([seen_lo, step_lo, floor])
    hi_options = np.stack([seen_hi, step_hi])
    lo_names = ["range", "step", "margin"]
    hi_names = lo_names[:2]
    lows, highs = lo_options.max(axis=0), hi_options.min(axis=0)
    low_why = [lo_names[k] for k in lo_options.argmax(axis=0)]
    high_why = [hi_names[k] for k in hi_options.argmin(axis=0)]
    return lows, highs, low_why, high_why


def _status(
    d: ProductDemand, feasible: bool, low: float, high: float, low_why: str
) -> tuple[str, list[str]]:
    if not feasible:
        return "refused", [
            f"no allowed price: {low_why} requires at least {low:.2f} "
            f"but the highest allowed price is {high:.2f}"
        ]
    if not d.reliable:
        return "refused", ["the demand estimate is unreliable; keeping the current price"]
    if d.elasticity > -1:
        return "flagged", []
    return "recommended", []


_BINDING_WORDS = {
    "none": "no change: the estimate or the constraints do not allow a recommendation",
    "lower": "the lower bound set by {why} (the demand curve wants lower)",
    "upper": "the upper bound set by {why} (the demand curve wants higher)",
    "demand_curve": "the demand curve: an interior optimum inside all constraints",
}
_WHY = {
    "range": "the observed price range widened by {range}%",
    "step": "the maximum change of {step}% per decision",
    "margin": "the minimum margin of {margin}% over unit cost",
    "none": "",
    "demand_curve": "",
}


def _limits(c: Constraints) -> dict[str, str]:
    return {
        "range": f"{c.range_margin_pct:g}",
        "step": f"{c.max_change_pct:g}",
        "margin": f"{c.min_margin_pct:g}",
    }


def _binding(price: float, allowed: np.ndarray, low_why: str, high_why: str, status: str) -> str:
    """What decided the price: "demand_curve", "none" (refused), "lower:<why>", "upper:<why>"."""
    if status == "refused":
        return "none"
    if price <= allowed.min() + 1e-9:
        return f"lower:{low_why}"
    if price >= allowed.max() - 1e-9:
        return f"upper:{high_why}"
    return "demand_curve"


def _ci(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return (float("nan"), float("nan"))
    return (float(np.percentile(finite, 5)), float(np.percentile(finite, 95)))


def _curve(d: ProductDemand, cost: float, low: float, high: float, n: int) -> list[CurvePoint]:
    if n <= 0 or low > high:
        return []
    prices = np.unique(np.append(np.linspace(low, high, n), d.current_price))
    units = d.baseline_units * (prices / d.current_price) ** d.elasticity
    return [
        CurvePoint(
            price=round(float(p), 2),
            units=float(u),
            revenue=float(p * u),
            profit=float((p - cost) * u),
        )
        for p, u in zip(prices, units, strict=True)
    ]
