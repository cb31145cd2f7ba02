"""The numbers a campaign plan is made of, apart from its words: what each channel cost and
returned before, the treated share, the customers a discount acts on, the audience's margin,
the variants worth pricing, what the budget needs and what measured campaigns found."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

import pandas as pd

from copilot.core.errors import InputError
from copilot.core.vocabulary import CHANNELS, Channel
from copilot.shop.plans import PlanStore
from tools._tool import ToolContext
from tools.plan_goal import GoalReading, buyers_of
from tools.plan_history import Measured, measured_response
from tools.plan_types import BudgetNote
from tools.plan_verdict import Variant, alternatives, fitting_weeks, price
from tools.pricing.discount import DiscountPlan, unit_cost
from tools.profiling.api import customer_mask


def channel_stats(campaigns: pd.DataFrame) -> pd.DataFrame:
    """Past return and cost per send of the channels a plan can propose (a shop's campaigns
    may name others, such as print)."""
    past = campaigns.dropna(subset=["spend", "revenue", "sends"])
    past = past[(past["spend"] > 0) & (past["sends"] > 0) & past["channel"].isin(CHANNELS)]
    stats = past.groupby("channel").agg(
        revenue=("revenue", "sum"),
        spend=("spend", "sum"),
        sends=("sends", "sum"),
        campaigns=("campaign_id", "size"),
    )
    stats["roas"] = stats["revenue"] / stats["spend"]
    stats["cost_per_send"] = stats["spend"] / stats["sends"]
    return stats


def past_measured(ctx: ToolContext, segment: str) -> dict[bool, Measured | None]:
    """What measured plans for ``segment`` found, with a discount (True) and without."""
    runs = [
        (r.id, r.plan, r.measured)
        for r in PlanStore(ctx.shop.engine).plans()
        if r.status == "measured" and r.measured
    ]
    return {priced: measured_response(runs, segment, priced) for priced in (True, False)}


LIST_FILTERS = ("min_clv", "churn_risk_above", "country", "inactive_days_over")
"""The filters of a customer list (``find_customers``) a plan's audience can carry."""


def list_filters(filters: Mapping[str, Any] | None) -> dict[str, float | str]:
    """The set filters of a customer list, checked; an unknown one is an ``InputError``."""
    given = {k: v for k, v in (filters or {}).items() if v is not None and k != "segment"}
    unknown = sorted(set(given) - set(LIST_FILTERS))
    if unknown:
        raise InputError(
            f"a plan's audience cannot be filtered by {', '.join(unknown)}; "
            f"known filters: {', '.join(LIST_FILTERS)}"
        )
    return {k: (v if isinstance(v, str) else float(v)) for k, v in given.items()}


def audience_members(
    table: pd.DataFrame,
    lines: pd.DataFrame,
    segment: str,
    bought_skus: Sequence[str] = (),
    filters: Mapping[str, Any] | None = None,
) -> pd.Index:
    """A plan's audience: the segment's customers, only those who bought one of
    ``bought_skus`` when given, and only those passing a customer list's ``filters``. The plan
    and its approval both select it here."""
    members = table.index[customer_mask(table, segment=segment, **(filters or {}))]
    if bought_skus:
        members = buyers_of(lines, tuple(bought_skus), members)
    return members


def treated_of(customers: int, holdout_share: float) -> int:
    """The audience less its holdout (rounded down, as the approval's split is)."""
    return customers - math.floor(customers * holdout_share)


def recent_buyers(
    lines: pd.DataFrame, members: pd.Index, weeks: int, skus: tuple[str, ...]
) -> pd.Index:
    """The ``members`` with a purchase of ``skus`` (any product when empty) in the discount's
    baseline weeks, counted back from the last of those products' lines as the discount
    analysis counts them: the only customers a discount acts on under its model."""
    scoped = lines[lines["sku"].isin(skus)] if skus else lines
    recent = scoped[scoped["ts"] > scoped["ts"].max() - pd.Timedelta(weeks=weeks)]
    return buyers_of(recent, skus, members)


def priced_alternatives(
    discount: DiscountPlan,
    base: Variant,
    stats: pd.DataFrame,
    lines: pd.DataFrame,
    members: pd.Index,
    holdout_share: float,
    budget: float,
    reading: GoalReading,
    past: dict[bool, Measured | None],
) -> list[Variant]:
    """The plan on the cheapest channel, on recent buyers only, over fewer weeks, and their
    combinations, priced by the plan's own analysis."""
    sends = {base.channel: base.channel_cost / max(base.treated * base.weeks, 1)}
    if not stats.empty:
        cheapest = cast("Channel", str(stats["cost_per_send"].idxmin()))
        sends[cheapest] = float(stats["cost_per_send"].min())
    recent = len(recent_buyers(lines, members, discount.history_weeks, reading.skus))
    sizes = {len(members): False, **({recent: True} if 0 < recent < len(members) else {})}
    candidates: list[Variant | None] = []
    for ch, per_send in sends.items():
        for customers, recent_only in sizes.items():
            treated = treated_of(customers, holdout_share)
            weeks = {base.weeks}
            fit = fitting_weeks(discount, treated / customers, per_send, treated, budget)
            if fit:
                weeks.add(fit)
            candidates += [
                price(
                    discount,
                    channel=ch,
                    cost_per_send=per_send,
                    customers=customers,
                    treated=treated,
                    weeks=w,
                    budget=budget,
                    recent_only=recent_only,
                    measured=past,
                )
                for w in sorted(weeks)
            ]
    return alternatives(base, candidates)


def audience_margin(lines: pd.DataFrame, members: pd.Index, ctx: ToolContext) -> float:
    """The audience's gross margin on its purchases (catalogue costs, else the default)."""
    mine = lines[lines["customer_id"].astype(str).isin(set(members.astype(str)))]
    mine = mine[mine["quantity"] > 0]
    if mine.empty:
        return ctx.settings.default_margin
    costs = ctx.catalog()["unit_cost"].dropna()
    cost = unit_cost(mine["sku"], mine["unit_price"], costs, ctx.settings.default_margin)
    revenue = float((mine["unit_price"] * mine["quantity"]).sum())
    return 1 - float((cost * mine["quantity"]).sum()) / revenue if revenue > 0 else 0.0


def budget_needed(discount: DiscountPlan, base: Variant, share: float, budget: float) -> float:
    """What the plan's most profitable version costs (its offer at the best depth, if any, plus
    the channel)."""
    if discount.outcome == "over_budget" and discount.best_any_budget is not None:
        return discount.best_any_budget.discount_cost * share + base.channel_cost
    return base.cost


def budget_note(outcome: str, left: float, budget: float) -> BudgetNote:
    """Why ``left`` of the budget is not spent, from the discount analysis's outcome."""
    if left <= 0.01 * budget:
        return "spent"
    if outcome == "chosen":
        return "chosen_depth"
    if outcome == "offer":
        return "best_depth_cheaper"
    if outcome == "over_budget":
        return "over_budget"
    return "no_price_offer"
