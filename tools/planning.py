"""``plan_campaign``: a campaign proposal composed from the profiling, recommendation, discount
and experiment tools. Every number comes from those tools or the shop's past campaigns."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, cast, get_args

import pandas as pd
from pydantic import Field

from copilot.core.errors import ToolError
from copilot.core.vocabulary import CHANNELS, Channel
from tools._tool import ToolContext, tool
from tools.findings.say import Say
from tools.plan_markdown import assumption_text, channel_reason, objective_text, outcome_text
from tools.plan_types import (
    CampaignPlan,
    ChannelBasis,
    KpiCode,
    PlanAbTest,
    PlanAssumption,
    PlanAudience,
    PlanBudget,
    PlanChannel,
    PlanExpected,
    PlanOffer,
    PlanProduct,
    PlanRisk,
    PlanTiming,
    RiskCode,
)
from tools.pricing.api import recommend_discount
from tools.pricing.discount import DiscountOption, DiscountPlan
from tools.pricing.experiments import detectable_lift
from tools.profiling.api import empty_segment, profiles, segment_mask
from tools.profiling.segments import RFM_SEGMENTS, SegmentName
from tools.recommend.api import recommend_for_segment

_GOALS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("win", "back", "lapsed", "churn", "retain", "召回", "流失", "挽回"), "at_risk"),
    (("vip", "loyal", "best", "champion", "忠诚", "冠军"), "champions"),
    (("new", "welcome", "first", "新客", "欢迎"), "new"),
    (("sleep", "reactivat", "沉睡", "唤醒"), "about_to_sleep"),
)
HOLDOUT_SHARE = 0.10
KPIS: tuple[KpiCode, ...] = get_args(KpiCode)
"""What every campaign is measured by, in the order the plan lists them."""
RISKS: tuple[RiskCode, ...] = ("pull_forward", "holdout_contact")
"""The risks of every campaign; a plan without a price offer says why first."""


def _audience_for(goal: str, audience: str | None) -> str:
    if audience:
        return audience
    text = goal.lower()
    for words, segment in _GOALS:
        if any(w in text for w in words):
            return segment
    return "at_risk"


def _channel_stats(campaigns: pd.DataFrame) -> pd.DataFrame:
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


@tool
def plan_campaign(
    ctx: ToolContext,
    goal: Annotated[str, Field(min_length=3, max_length=200)],
    budget: Annotated[float, Field(gt=0)],
    audience: SegmentName | None = None,
    channel: Channel | None = None,
    start: Annotated[str | None, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
    weeks: Annotated[int, Field(ge=1, le=12)] = 4,
    holdout_share: Annotated[float, Field(ge=0.05, le=0.5)] = HOLDOUT_SHARE,
) -> CampaignPlan:
    """A campaign plan a manager can approve: audience and size, offer with its data-based
    rationale, products, channel and timing, budget split, expected incremental revenue and
    profit with ranges, A/B holdout design, KPIs and risks. Use for "plan a win-back campaign
    with a budget of 5,000".

    Args:
        goal: what the campaign should achieve, in the user's words.
        budget: total budget (offer cost plus channel cost).
        audience: RFM segment key to target; default chosen from the goal.
        channel: email, sms, push or social; default: the best past return on spend.
        start: first day, YYYY-MM-DD; default: the Monday after the data ends.
        weeks: campaign length in weeks.
        holdout_share: share of the audience kept out of the campaign to measure it (0.05-0.5).
    """
    if start is not None:
        try:
            date.fromisoformat(start)
        except ValueError as exc:  # the pattern admits "2024-02-30" and non-ASCII digits
            raise ToolError(
                f"the start {start!r} is not a calendar date; give it as YYYY-MM-DD, or leave "
                "it out to start the Monday after the data ends.",
                key="refusal.bad_start",
                values={"start": start},
            ) from exc
    segment = _audience_for(goal, audience)
    table = profiles(ctx).table
    members = table[segment_mask(table, segment)]
    if members.empty:
        raise empty_segment(segment)
    stats = _channel_stats(ctx.shop.campaigns())
    best = cast("Channel", str(stats["roas"].idxmax())) if not stats.empty else None
    chosen_channel: Channel = channel or best or "email"
    channel_facts = stats.to_dict("index").get(chosen_channel, {})
    cost_per_send = float(channel_facts.get("cost_per_send", 0.0))
    treated = len(members) - math.floor(len(members) * holdout_share)
    channel_cost = cost_per_send * treated * weeks
    if channel_cost >= budget:
        raise ToolError(
            f"the budget {budget:,.0f} does not cover reaching {treated:,} customers by "
            f"{chosen_channel} for {weeks} weeks (about {channel_cost:,.0f} at the past cost "
            "per send); raise the budget, shorten the campaign or pick a cheaper "
            "channel.",
            key="refusal.budget_too_small",
            values={
                "budget": f"{budget:,.0f}",
                "customers": f"{treated:,}",
                "channel": chosen_channel,
                "weeks": weeks,
                "cost": f"{channel_cost:,.0f}",
            },
        )
    share = treated / len(members)
    offer_budget = (budget - channel_cost) / share  # discount plans are for the whole segment
    discount = recommend_discount(ctx, segment=segment, budget=offer_budget, weeks=weeks)
    chosen = next(
        (o for o in discount.options if o.depth_pct == discount.recommended_depth_pct), None
    )
    # The JSON's few texts are for readers without the catalogue (the model): in English.
    say = Say("en")
    offer = _offer(discount, chosen, share, say)
    revenue = chosen.incremental_revenue * share if chosen else 0.0
    profit = offer.incremental_profit - channel_cost
    picks = recommend_for_segment(ctx, segment=segment, n=5)
    p90 = float(members["purchase_prob"].mean())
    window_rate = 1 - (1 - p90) ** (weeks * 7 / 90)
    holdout = len(members) - treated
    lift = detectable_lift(min(max(window_rate, 1e-4), 0.99), max(holdout, 1), max(treated, 1))
    data_end = profiles(ctx).end
    first_day = start or (data_end + pd.offsets.Week(weekday=0)).date().isoformat()
    label, label_zh = next(
        ((en, zh) for key, en, zh, _ in RFM_SEGMENTS if key == segment), (segment, segment)
    )
    rule = next((r for key, _, _, r in RFM_SEGMENTS if key == segment), "data-driven cluster")
    basis: ChannelBasis = "user" if channel else "best_past_return" if channel_facts else "default"
    roas = float(channel_facts["roas"]) if basis == "best_past_return" else None
    past_campaigns = int(channel_facts["campaigns"]) if channel_facts else 0
    return CampaignPlan(
        goal=goal,
        objective=objective_text(label, weeks, say),
        audience=PlanAudience(
            segment=segment,
            label=label,
            label_zh=label_zh,
            definition=rule,
            customers=len(members),
            avg_churn_risk=float(members["churn_risk"].mean()),
            avg_clv_12m=float(members["clv_12m"].mean()),
        ),
        offer=offer,
        products=[
            PlanProduct(
                sku=p.sku,
                title=p.title,
                title_zh=p.title_zh,
                customers_suited=p.customers_suited,
            )
            for p in picks.items
        ],
        channel=PlanChannel(
            name=chosen_channel,
            basis=basis,
            rationale=channel_reason(basis, roas, past_campaigns, say),
            roas=roas,
            past_campaigns=past_campaigns,
            cost_per_send=cost_per_send,
        ),
        timing=PlanTiming(start=first_day, weeks=weeks),
        budget=PlanBudget(
            offer_cost=round(offer.discount_cost, 2),
            channel_cost=round(channel_cost, 2),
            unallocated=round(budget - offer.discount_cost - channel_cost, 2),
            total=budget,
        ),
        expected=PlanExpected(
            revenue=revenue,
            profit=profit,
            revenue_range=(0.5 * revenue, 1.5 * revenue),
            profit_range=(min(0.5 * profit, 1.5 * profit), max(0.5 * profit, 1.5 * profit)),
        ),
        ab_test=PlanAbTest(
            holdout_share=holdout_share,
            holdout=holdout,
            treated=treated,
            weeks=weeks,
            baseline_rate=window_rate,
            detectable_lift_pct=100 * lift,
        ),
        kpis=list(KPIS),
        risks=[
            PlanRisk(code=code, text=say(f"plan.risk.{code}"))
            for code in ([] if offer.outcome == "offer" else [offer.outcome]) + list(RISKS)
        ],
        assumptions=[
            PlanAssumption(
                code=a.code, values=a.values, text=assumption_text(a.code, a.values, say)
            )
            for a in discount.assumptions
        ],
    )


def _offer(
    discount: DiscountPlan, chosen: DiscountOption | None, share: float, say: Say
) -> PlanOffer:
    """The segment's discount analysis for the treated ``share`` of it."""
    outcome = discount.outcome
    cost = chosen.discount_cost * share if chosen else 0.0
    profit = chosen.incremental_profit * share if chosen else 0.0
    words = outcome_text(
        outcome,
        say,
        depth=discount.recommended_depth_pct,
        profit=profit,
        cost=cost,
        weeks=discount.history_weeks,
    )
    return PlanOffer(
        outcome=outcome,
        depth_pct=discount.recommended_depth_pct,
        summary=words,
        promo_response=discount.promo_response,
        discount_cost=cost,
        incremental_profit=profit,
        baseline_weeks=discount.history_weeks,
    )
