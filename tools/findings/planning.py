"""Findings of a campaign plan: who, what, how much, what to expect and how it is measured."""

from __future__ import annotations

from tools.findings.profiling import segment_name
from tools.findings.recommend import product_name
from tools.findings.say import Say
from tools.findings.types import Findings
from tools.plan_types import CampaignPlan


def plan_campaign(result: CampaignPlan, say: Say) -> Findings:
    """The plan in five sentences; the products as items."""
    audience, offer, budget = result.audience, result.offer, result.budget
    expected, test = result.expected, result.ab_test
    sentences = [
        say(
            "plan.audience",
            name=segment_name(audience.segment, say),
            customers=say.count(audience.customers),
            churn=say.pct(audience.avg_churn_risk),
            channel=say(f"channel.{result.channel.name}"),
            weeks=result.timing.weeks,
            start=result.timing.start,
        ),
        say("plan.offer", depth=say.num(offer.depth_pct, 0))
        if offer.depth_pct is not None
        else say("plan.no_offer"),
        say(
            "plan.budget",
            total=say.money(budget.total),
            offer=say.money(budget.offer_cost),
            channel=say.money(budget.channel_cost),
            left=say.money(budget.unallocated),
        ),
        say(
            "plan.expected",
            revenue=say.money(expected.revenue),
            profit=say.money(expected.profit),
            low=say.money(expected.profit_range[0]),
            high=say.money(expected.profit_range[1]),
        ),
        say(
            "plan.holdout",
            share=say.pct(test.holdout_share),
            holdout=say.count(test.holdout),
            lift=say.num(test.detectable_lift_pct, 1),
        ),
    ]
    items = tuple(product_name(p.sku, p.title, p.title_zh, say) for p in result.products)
    return Findings(tuple(sentences), items)
