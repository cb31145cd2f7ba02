"""Findings of a campaign plan: who, what, how much, what to expect and how it is measured."""

from __future__ import annotations

from tools.findings.profiling import segment_name
from tools.findings.recommend import product_name
from tools.findings.say import Say
from tools.findings.types import Findings
from tools.plan_markdown import plan_power_text, plan_reading_text, plan_verdict_text
from tools.plan_types import CampaignPlan
from tools.plan_words import budget_text, history_text, space


def plan_campaign(result: CampaignPlan, say: Say) -> Findings:
    """The verdict first, then the plan in a few sentences; the products as items."""
    audience, offer, budget = result.audience, result.offer, result.budget
    expected, test = result.expected, result.ab_test
    sentences = [
        say("plan.verdict.lead", text=plan_verdict_text(result, say)),
        *(
            [say("plan.read.sentence", text=plan_reading_text(result, say))]
            if result.reading.word
            else []
        ),
        say(
            "plan.audience",
            name=segment_name(audience.segment, say),
            customers=say.count(audience.customers),
            churn=say.pct(audience.avg_churn_risk),
            channel=say(f"channel.{result.channel.name}"),
            weeks=result.timing.weeks,
            start=result.timing.start,
        ),
        say(
            "plan.offer" if offer.chosen_by == "analysis" else "plan.offer_chosen",
            depth=say.num(offer.depth_pct, 0),
        )
        if offer.depth_pct is not None
        else say("plan.chosen.none" if offer.chosen_by == "manager" else "plan.no_offer"),
        say(
            "plan.budget",
            total=say.money(budget.total),
            offer=say.money(budget.offer_cost),
            channel=say.money(budget.channel_cost),
            left=say.money(budget.unallocated),
        )
        + space(say)
        + budget_text(budget.remainder, budget.needed, say),
        say(
            "plan.expected",
            revenue=say.money(expected.revenue),
            profit=say.money(expected.profit),
            low=say.money(expected.profit_range[0]),
            high=say.money(expected.profit_range[1]),
        )
        + (space(say) + history if (history := history_text(expected, say)) else ""),
        say(
            "plan.holdout",
            share=say.pct(test.holdout_share),
            holdout=say.count(test.holdout),
            lift=say.num(test.detectable_lift_pct, 1),
        )
        + space(say)
        + plan_power_text(result, say),
    ]
    items = tuple(product_name(p.sku, p.title, p.title_zh, say) for p in result.products)
    return Findings(tuple(sentences), items)
