"""The discount depth that maximises a segment's incremental profit within a budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from tools._brief import BRIEF_OFF
from tools.pricing.segment_response import LEVEL, PromoResponse, promo_response

DEPTHS = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30)

Outcome = Literal["offer", "over_budget", "no_profit", "no_baseline"]
AssumptionCode = Literal[
    "baseline",
    "baseline_none",
    "cost_all_units",
    "elasticity",
    "response_no_flags",
    "response_same",
    "response_scaled",
    "unit_cost",
    "no_halo",
]


@dataclass(frozen=True)
class Assumption:
    """One link of the assumption chain: a code (its words, in English and Chinese, are
    ``discount.assume.<code>`` in tools/findings/wording.yaml) and the numbers it states."""

    code: AssumptionCode
    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class DiscountOption:
    """Expected outcome of one discount depth over the campaign."""

    depth_pct: float
    discount_cost: float
    """Money given away: the discount on every unit the segment buys during the campaign."""
    incremental_units: float
    incremental_revenue: float
    incremental_profit: float
    within_budget: bool


@dataclass(frozen=True, kw_only=True)
class DiscountPlan:
    """The recommended depth, the options compared and the assumption chain behind them."""

    segment: str
    customers: int
    weeks: int
    budget: float
    recommended_depth_pct: float | None
    promo_response: float = field(metadata=BRIEF_OFF)
    """The factor applied to the elasticities: the segment's promotion response relative to
    the other customers when its interval excludes 1 (clipped to 0.5-3), else 1."""
    measured_response: PromoResponse | None = field(metadata=BRIEF_OFF)
    """The estimate behind it (None without promotion flags in the data)."""
    options: list[DiscountOption]
    assumptions: list[Assumption] = field(metadata=BRIEF_OFF)
    outcome: Outcome = "offer"
    """"offer" (a depth pays within budget), "over_budget" (a profitable depth costs more than
    the budget), "no_profit" (no depth raises profit) or "no_baseline" (no recent purchases);
    the findings say it in words."""
    best_any_budget: DiscountOption | None = None
    """The most profitable depth ignoring the budget (what "over_budget" would need)."""
    history_weeks: int = 12
    """The weeks of past purchases the baseline is taken from."""

    def to_frame(self) -> pd.DataFrame:
        """One row per depth."""
        return pd.DataFrame([o.__dict__ for o in self.options])


def unit_cost(
    skus: pd.Series, prices: pd.Series, costs: Mapping[str, float] | pd.Series, margin: float
) -> pd.Series:
    """Each line's unit cost: the catalogue's where it has one, else ``1 - margin`` of the
    line's price (the assumption the discount analysis states)."""
    return skus.map(costs).fillna(prices * (1 - margin))


def plan_discount(
    segment: str,
    members: pd.Index,
    lines: pd.DataFrame,
    elasticity: dict[str, float],
    cost: dict[str, float],
    budget: float,
    weeks: int = 4,
    history_weeks: int = 12,
    default_margin: float = 0.4,
    categories: pd.Series | None = None,
) -> DiscountPlan:
    """Compare discount depths for one segment (see ``assumptions`` in the result).

    ``categories`` (sku -> category) stratifies the promotion-response estimate."""
    end = lines["ts"].max()
    recent = lines[
        (lines["ts"] > end - pd.Timedelta(weeks=history_weeks))
        & ~lines["is_return"].astype(bool)
        & (lines["quantity"] > 0)
    ]
    mine = recent[recent["customer_id"].isin(members)]
    # The response is estimated on all the history (more weeks, tighter interval).
    measured = promo_response(lines, members, categories=categories)
    response = 1.0
    if measured is not None and measured.differs:
        response = float(np.clip(measured.ratio, 0.5, 3.0))
    if mine.empty:
        # Nothing bought lately: there is no baseline for a discount to scale (lost customers).
        return DiscountPlan(
            segment=segment,
            customers=len(members),
            weeks=weeks,
            budget=budget,
            recommended_depth_pct=None,
            promo_response=response,
            measured_response=measured,
            options=[],
            assumptions=[Assumption("baseline_none", {"weeks": history_weeks})],
            outcome="no_baseline",
            best_any_budget=None,
            history_weeks=history_weeks,
        )
    per_week = mine.groupby("sku").agg(units=("quantity", "sum"), price=("unit_price", "median"))
    per_week["units"] /= history_weeks
    per_week["e"] = per_week.index.map(lambda s: elasticity.get(s, np.nan))
    fallback = float(np.nanmedian(list(elasticity.values()))) if elasticity else -2.0
    per_week["e"] = per_week["e"].fillna(fallback) * response
    per_week["cost"] = unit_cost(
        per_week.index.to_series(), per_week["price"], cost, default_margin
    )
    q, p, e, c = (per_week[k].to_numpy(float) for k in ("units", "price", "e", "cost"))
    base_profit = float(((p - c) * q).sum() * weeks)
    base_revenue = float((p * q).sum() * weeks)
    options = []
    for depth in DEPTHS:
        units = q * (1 - depth) ** e
        revenue = float((p * (1 - depth) * units).sum() * weeks)
        profit = float(((p * (1 - depth) - c) * units).sum() * weeks)
        spend = float((p * depth * units).sum() * weeks)
        options.append(
            DiscountOption(
                depth_pct=100 * depth,
                discount_cost=spend,
                incremental_units=float((units - q).sum() * weeks),
                incremental_revenue=revenue - base_revenue,
                incremental_profit=profit - base_profit,
                within_budget=spend <= budget,
            )
        )
    good = [o for o in options if o.within_budget and o.incremental_profit > 0]
    best = max(good, key=lambda o: o.incremental_profit) if good else None
    profitable = [o for o in options if o.incremental_profit > 0]
    unbounded = max(profitable, key=lambda o: o.incremental_profit) if profitable else None
    outcome: Outcome = "offer" if best else "over_budget" if unbounded else "no_profit"
    assumptions = [
        Assumption(
            "baseline",
            {"weeks": history_weeks, "products": len(per_week), "units": float(q.sum())},
        ),
        Assumption("cost_all_units"),
        Assumption("elasticity", {"fallback": fallback}),
        _response_assumption(measured, response),
        Assumption("unit_cost", {"cost_share": 1 - default_margin, "margin": default_margin}),
        Assumption("no_halo"),
    ]
    return DiscountPlan(
        segment=segment,
        customers=len(members),
        weeks=weeks,
        budget=budget,
        recommended_depth_pct=best.depth_pct if best else None,
        promo_response=response,
        measured_response=measured,
        options=options,
        assumptions=assumptions,
        outcome=outcome,
        best_any_budget=unbounded,
        history_weeks=history_weeks,
    )


def _response_assumption(measured: PromoResponse | None, used: float) -> Assumption:
    if measured is None:
        return Assumption("response_no_flags")
    values = {
        "ratio": measured.ratio,
        "level": LEVEL,
        "low": measured.low,
        "high": measured.high,
    }
    if not measured.differs:
        return Assumption("response_same", values)
    return Assumption("response_scaled", {**values, "used": used})
