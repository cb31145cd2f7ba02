"""A plan's verdict and the alternatives the tools can price: the same discount analysis on a
cheaper channel, on the audience's recent buyers only, or over fewer weeks.

Under the discount model every outcome is a sum over the audience's recent purchases, week by
week: a variant's numbers are the plan's analysis scaled by its treated share and its weeks,
so the plan and its alternatives are priced by one rule (``price``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from copilot.core.vocabulary import Channel
from tools.plan_history import Measured, shrink
from tools.pricing.discount import DiscountOption, DiscountPlan

Verdict = Literal["run", "run_smaller", "dont_run"]
VerdictReason = Literal[
    "profitable",
    "smaller_pays",
    "measured_short",
    "chosen_loses",
    "channel_cost",
    "no_offer_pays",
    "no_baseline",
    "over_budget",
]
KEEP = 3
"""Alternatives shown, best first."""


@dataclass(frozen=True, kw_only=True)
class Variant:
    """One way to run the campaign, priced by the discount analysis."""

    channel: Channel
    customers: int
    treated: int
    weeks: int
    recent_only: bool
    """Only the audience's customers who bought in the discount's baseline weeks."""
    depth_pct: float | None
    offer_cost: float
    channel_cost: float
    revenue: float
    profit: float
    """After the offer and the channel."""
    model_revenue: float
    model_profit: float
    """The discount analysis's own figures, before past measurements moved them."""
    measured: Measured | None = None
    """The past campaigns whose read-outs moved them (same segment, same kind of offer)."""

    @property
    def cost(self) -> float:
        """The offer and the channel together."""
        return self.offer_cost + self.channel_cost

    def key(self) -> tuple[str, int, int, float | None]:
        """What tells two variants apart."""
        return (self.channel, self.customers, self.weeks, self.depth_pct)


def _best(
    options: list[DiscountOption], scale: float, offer_budget: float
) -> DiscountOption | None:
    fits = [
        o
        for o in options
        if o.incremental_profit > 0 and o.discount_cost * scale <= offer_budget + 1e-9
    ]
    return max(fits, key=lambda o: o.incremental_profit) if fits else None


def price(
    discount: DiscountPlan,
    *,
    channel: Channel,
    cost_per_send: float,
    customers: int,
    treated: int,
    weeks: int,
    budget: float,
    recent_only: bool = False,
    measured: dict[bool, Measured | None] | None = None,
    depth: float | None = None,
) -> Variant | None:
    """The variant's best depth within ``budget`` and its numbers (None when the channel alone
    costs the budget). ``discount`` was computed for the plan's audience and weeks; buyers
    outside the baseline add no units, so a recent-only audience keeps its totals.
    ``measured`` (by whether there is a price offer) shrinks the figures toward what past
    campaigns measured per treated customer and week. ``depth`` (percent; 0: no price offer)
    is the manager's choice instead of the most profitable depth: it is priced even when it
    loses money, and left out (None) when it costs more than the budget."""
    channel_cost = cost_per_send * treated * weeks
    if channel_cost >= budget:
        return None
    scale = treated / customers * weeks / discount.weeks
    if depth is None:
        chosen = _best(discount.options, scale, budget - channel_cost)
    else:
        chosen = next((o for o in discount.options if o.depth_pct == depth), None)
        if chosen is not None and chosen.discount_cost * scale > budget - channel_cost + 1e-9:
            return None
    offer_cost = chosen.discount_cost * scale if chosen else 0.0
    revenue = chosen.incremental_revenue * scale if chosen else 0.0
    offer_profit = chosen.incremental_profit * scale if chosen else 0.0
    past = (measured or {}).get(chosen is not None)
    model_revenue, model_profit = revenue, offer_profit - channel_cost
    if past is not None:
        per = treated * weeks
        revenue = shrink(revenue / per, past.revenue, past.revenue_se) * per
        offer_profit = shrink(offer_profit / per, past.profit, past.profit_se) * per
    return Variant(
        channel=channel,
        customers=customers,
        treated=treated,
        weeks=weeks,
        recent_only=recent_only,
        depth_pct=chosen.depth_pct if chosen else None,
        offer_cost=offer_cost,
        channel_cost=channel_cost,
        revenue=revenue,
        profit=offer_profit - channel_cost,
        model_revenue=model_revenue,
        model_profit=model_profit,
        measured=past,
    )


def fitting_weeks(
    discount: DiscountPlan, treated_share: float, cost_per_send: float, treated: int, budget: float
) -> int | None:
    """The most weeks (fewer than planned) over which the most profitable depth fits
    ``budget``, when it does not over the planned weeks."""
    best = discount.best_any_budget
    if best is None:
        return None
    per_week = best.discount_cost * treated_share / discount.weeks + cost_per_send * treated
    weeks = int(budget // per_week) if per_week > 0 else 0
    return weeks if 1 <= weeks < discount.weeks else None


def alternatives(plan: Variant, candidates: list[Variant | None]) -> list[Variant]:
    """The candidates that differ from ``plan``, most profitable first, then cheapest."""
    seen = {plan.key()}
    out: list[Variant] = []
    for v in sorted(
        (c for c in candidates if c is not None), key=lambda v: (-round(v.profit, 2), v.cost)
    ):
        if v.key() not in seen:
            seen.add(v.key())
            out.append(v)
    return out[:KEEP]


def verdict(
    plan: Variant, found: list[Variant], outcome: str, offer_profit: float, chosen: bool = False
) -> tuple[Verdict, VerdictReason]:
    """Run when the plan makes money; run smaller when a cheaper variant does; else do not.
    ``chosen``: the manager chose the offer, so the analysis's reasons are not the plan's."""
    if plan.profit > 0:
        return "run", "profitable"
    if found and found[0].profit > 0:
        return "run_smaller", "smaller_pays"
    if chosen:
        return "dont_run", "chosen_loses"
    if plan.measured is not None:
        return "dont_run", "measured_short"
    if outcome == "no_baseline":
        return "dont_run", "no_baseline"
    if outcome == "over_budget":
        return "dont_run", "over_budget"
    if offer_profit > 0:
        return "dont_run", "channel_cost"
    return "dont_run", "no_offer_pays"
