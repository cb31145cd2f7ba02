"""``plan_campaign``: a campaign proposal composed from the profiling, recommendation, discount
and experiment tools. Every number comes from those tools or the shop's past campaigns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal, cast, get_args

import pandas as pd
from pydantic import Field

from copilot.core.errors import ToolError
from copilot.core.vocabulary import Channel
from tools._tool import ToolContext, tool
from tools.findings.say import Say
from tools.plan_economics import (
    audience_margin,
    audience_members,
    budget_needed,
    budget_note,
    channel_stats,
    list_filters,
    past_measured,
    priced_alternatives,
    treated_of,
)
from tools.plan_goal import read_goal
from tools.plan_markdown import assumption_text, channel_reason, objective_text, outcome_text
from tools.plan_power import plan_power
from tools.plan_types import (
    CampaignPlan,
    ChannelBasis,
    EffectBasis,
    KpiCode,
    PlanAbTest,
    PlanAlternative,
    PlanAssumption,
    PlanAudience,
    PlanBudget,
    PlanChannel,
    PlanExpected,
    PlanOffer,
    PlanProduct,
    PlanReading,
    PlanRisk,
    PlanTiming,
    PlanVerdict,
    RiskCode,
)
from tools.plan_verdict import Variant, price, verdict
from tools.plan_words import (
    alternative_text,
    budget_text,
    history_text,
    power_text,
    reading_text,
    verdict_text,
)
from tools.pricing.api import audience_discount
from tools.pricing.discount import DiscountPlan
from tools.pricing.experiments import detectable_lift
from tools.profiling.api import empty_segment, scored_customers, segment_mask
from tools.profiling.model import profile_end
from tools.profiling.segments import EVERYONE, RFM_SEGMENTS, SegmentName
from tools.recommend.api import featured

HOLDOUT_SHARE = 0.10
KPIS: tuple[KpiCode, ...] = get_args(KpiCode)
"""What every campaign is measured by, in the order the plan lists them."""
RISKS: tuple[RiskCode, ...] = ("pull_forward", "holdout_contact")
"""The risks of every campaign; a plan without a price offer says why first."""


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
    *,
    filters: dict[str, Any] | None = None,
    depth_pct: float | None = None,
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
    reading = read_goal(goal, ctx.catalog(), audience)
    if filters is not None and not audience:  # a list naming no segment: all its customers
        reading = replace(reading, segment=EVERYONE[0], audience_basis="list")
    segment = reading.segment
    table = scored_customers(ctx)
    lines = ctx.shop.order_lines()
    kept = list_filters(filters)
    bought = reading.skus if reading.buyers_only else ()
    members = audience_members(table, lines, segment, bought, kept)
    if members.empty:
        if not segment_mask(table, segment).any():
            raise empty_segment(segment)
        raise _no_buyers(segment, reading.word or "") if bought else _empty_list(segment, kept)
    audience_table = table.loc[members]
    stats = channel_stats(ctx.shop.campaigns())
    best = cast("Channel", str(stats["roas"].idxmax())) if not stats.empty else None
    chosen_channel: Channel = channel or best or "email"
    channel_facts = stats.to_dict("index").get(chosen_channel, {})
    cost_per_send = float(channel_facts.get("cost_per_send", 0.0))
    treated = treated_of(len(members), holdout_share)
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
    offer_budget = (budget - channel_cost) / share  # discount plans are for the whole audience
    discount = audience_discount(ctx, segment, members, offer_budget, weeks, reading.skus)
    past = past_measured(ctx, segment)
    base = price(
        discount,
        channel=chosen_channel,
        cost_per_send=cost_per_send,
        customers=len(members),
        treated=treated,
        weeks=weeks,
        budget=budget,
        measured=past,
        depth=depth_pct,
    )
    if base is None:  # the channel fits (checked above): the chosen depth does not
        raise _depth_over_budget(depth_pct or 0.0, budget - channel_cost)
    # The JSON's few texts are for readers without the catalogue (the model): in English.
    say = Say("en")
    offer = _offer(discount, base, say, "analysis" if depth_pct is None else "manager")
    found = priced_alternatives(
        discount, base, stats, lines, members, holdout_share, budget, reading, past
    )
    margin = audience_margin(lines, members, ctx)
    break_even = base.channel_cost / margin if base.depth_pct is None and margin > 0 else None
    code, reason = verdict(
        base, found, discount.outcome, offer.incremental_profit, chosen=depth_pct is not None
    )
    picks = featured(
        ctx, [str(m) for m in members], 5, candidates=reading.skus, repeat=reading.repeat
    )
    p90 = float(audience_table["purchase_prob"].mean())
    window_rate = 1 - (1 - p90) ** (weeks * 7 / 90)
    holdout = len(members) - treated
    lift = detectable_lift(min(max(window_rate, 1e-4), 0.99), max(holdout, 1), max(treated, 1))
    basis_effect: EffectBasis = (
        "forecast" if base.revenue > 0 else "break_even" if break_even else "none"
    )
    effect = (base.revenue if base.revenue > 0 else break_even or 0.0) / treated
    power = plan_power(lines, members, effect / weeks, weeks, holdout)
    data_end = profile_end(lines)
    first_day = start or (data_end + pd.offsets.Week(weekday=0)).date().isoformat()
    label, label_zh = next(
        ((en, zh) for key, en, zh, _ in (*RFM_SEGMENTS, EVERYONE) if key == segment),
        (segment, segment),
    )
    rule = next(
        (r for key, _, _, r in (*RFM_SEGMENTS, EVERYONE) if key == segment), "data-driven cluster"
    )
    basis: ChannelBasis = "user" if channel else "best_past_return" if channel_facts else "default"
    roas = float(channel_facts["roas"]) if basis == "best_past_return" else None
    past_campaigns = int(channel_facts["campaigns"]) if channel_facts else 0
    needed = budget_needed(discount, base, share, budget)
    remainder = budget_note(
        discount.outcome if depth_pct is None else "chosen", budget - base.cost, budget
    )
    plan_reading = PlanReading(
        audience_basis=reading.audience_basis,
        word=reading.word,
        by_title=reading.by_title,
        products=reading.products,
        category=reading.category,
        repeat=reading.repeat,
        buyers_only=reading.buyers_only,
        text="",
    )
    plan_reading = replace(
        plan_reading, text=reading_text(plan_reading, label, len(members), kept, say)
    )
    test = PlanAbTest(
        holdout_share=holdout_share,
        holdout=holdout,
        treated=treated,
        weeks=weeks,
        baseline_rate=window_rate,
        detectable_lift_pct=100 * lift,
        effect_basis=basis_effect,
        effect_per_customer=effect,
        detectable_per_customer=power.detectable_per_customer,
        underpowered=power.underpowered and basis_effect != "none",
        needed_holdout=power.needed_holdout,
        needed_weeks=power.needed_weeks,
        needed_customers=power.needed_customers,
        text="",
    )
    shown = [] if code == "run" else [_alternative(v, discount.history_weeks, say) for v in found]
    expected = PlanExpected(
        revenue=base.revenue,
        profit=base.profit,
        revenue_range=(0.5 * base.revenue, 1.5 * base.revenue),
        profit_range=_range(base.profit),
        break_even_revenue=break_even,
        model_revenue=base.model_revenue,
        model_profit=base.model_profit,
        measured_plans=list(base.measured.plans) if base.measured else [],
        measured_revenue_week=base.measured.revenue if base.measured else None,
        measured_revenue_week_se=base.measured.revenue_se if base.measured else None,
        history=None,
    )
    return CampaignPlan(
        goal=goal,
        verdict=PlanVerdict(
            code=code,
            reason=reason,
            text=verdict_text(
                code,
                reason,
                profit=base.profit,
                offer_profit=offer.incremental_profit,
                channel_cost=base.channel_cost,
                offer_cost=base.offer_cost,
                break_even=break_even,
                treated=treated,
                history_weeks=discount.history_weeks,
                best=shown[0] if shown else None,
                say=say,
            ),
        ),
        reading=plan_reading,
        objective=objective_text(label, weeks, say),
        audience=PlanAudience(
            segment=segment,
            label=label,
            label_zh=label_zh,
            definition=rule,
            customers=len(members),
            avg_churn_risk=float(audience_table["churn_risk"].mean()),
            avg_clv_12m=float(audience_table["clv_12m"].mean()),
            bought_skus=list(bought),
            filters=kept,
        ),
        offer=offer,
        products=[
            PlanProduct(
                sku=p.sku,
                title=p.title or p.sku,
                title_zh=p.title_zh,
                customers_suited=p.customers_suited,
            )
            for p in picks
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
            offer_cost=round(base.offer_cost, 2),
            channel_cost=round(base.channel_cost, 2),
            unallocated=round(budget - base.offer_cost - base.channel_cost, 2),
            total=budget,
            needed=round(needed, 2),
            remainder=remainder,
            text=budget_text(remainder, needed, say),
        ),
        expected=replace(expected, history=history_text(expected, say)),
        ab_test=replace(test, text=power_text(test, len(members), say)),
        alternatives=shown,
        kpis=list(KPIS),
        risks=[PlanRisk(code=code, text=say(f"plan.risk.{code}")) for code in _risks(offer)],
        assumptions=[
            PlanAssumption(
                code=a.code, values=a.values, text=assumption_text(a.code, a.values, say)
            )
            for a in discount.assumptions
        ],
    )


def _alternative(v: Variant, history_weeks: int, say: Say) -> PlanAlternative:
    alternative = PlanAlternative(
        channel=v.channel,
        customers=v.customers,
        treated=v.treated,
        weeks=v.weeks,
        recent_only=v.recent_only,
        depth_pct=v.depth_pct,
        cost=round(v.cost, 2),
        revenue=v.revenue,
        profit=v.profit,
        text="",
    )
    return replace(alternative, text=alternative_text(alternative, history_weeks, say))


def _range(x: float) -> tuple[float, float]:
    return (min(0.5 * x, 1.5 * x), max(0.5 * x, 1.5 * x))


def _risks(offer: PlanOffer) -> list[RiskCode]:
    """Every campaign's risks, after why the analysis found no price offer (when it chose)."""
    found: list[RiskCode] = []
    if offer.chosen_by == "analysis" and offer.outcome != "offer":
        found.append(offer.outcome)
    return [*found, *RISKS]


def _depth_over_budget(depth: float, offer_budget: float) -> ToolError:
    return ToolError(
        f"a {depth:g}% offer costs more than the {offer_budget:,.0f} the budget leaves after "
        "the channel; raise the budget or choose a shallower offer.",
        key="refusal.depth_over_budget",
        values={"depth": f"{depth:g}", "left": f"{offer_budget:,.0f}"},
    )


def _empty_list(segment: str, filters: dict[str, float | str]) -> ToolError:
    shown = ", ".join(f"{k}={v}" for k, v in filters.items())
    return ToolError(
        f"no {segment} customer passes the list's filters ({shown}); widen them or plan for "
        "the whole segment.",
        key="refusal.empty_list",
        values={"segment": segment, "filters": shown},
    )


def _no_buyers(segment: str, word: str) -> ToolError:
    return ToolError(
        f"none of the {segment} customers ever bought {word!r}; leave the products out of the "
        "goal, or name another audience.",
        key="refusal.no_buyers",
        values={"segment": segment, "word": word},
    )


def _offer(
    discount: DiscountPlan, base: Variant, say: Say, chosen_by: Literal["analysis", "manager"]
) -> PlanOffer:
    """The audience's discount analysis for the plan's treated customers."""
    offer_profit = base.profit + base.channel_cost
    words = outcome_text(
        discount.outcome,
        say,
        depth=base.depth_pct,
        profit=offer_profit,
        cost=base.offer_cost,
        weeks=discount.history_weeks,
        chosen_by=chosen_by,
    )
    return PlanOffer(
        outcome=discount.outcome,
        depth_pct=base.depth_pct,
        chosen_by=chosen_by,
        summary=words,
        promo_response=discount.promo_response,
        discount_cost=base.offer_cost,
        incremental_profit=offer_profit,
        baseline_weeks=discount.history_weeks,
    )
