"""Findings of a campaign plan: who, what, how much, what to expect and how it is measured."""

from __future__ import annotations

from copilot.core.vocabulary import CHANNELS
from tools.findings.profiling import segment_name
from tools.findings.recommend import product_name
from tools.findings.say import Say
from tools.findings.types import Findings
from tools.planning import CampaignPlan


def _f(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def plan_campaign(result: CampaignPlan, say: Say) -> Findings:
    """The plan in five sentences; the products as items."""
    audience, offer, budget = result.audience, result.offer, result.budget
    expected, test = result.expected, result.ab_test
    channel = str(result.channel.get("name", ""))
    sentences = [
        say(
            "plan.audience",
            name=segment_name(str(audience.get("segment")), say),
            customers=say.count(_f(audience.get("customers"))),
            churn=say.pct(_f(audience.get("avg_churn_risk"))),
            channel=say(f"channel.{channel}") if channel in CHANNELS else channel,
            weeks=result.timing.get("weeks"),
            start=result.timing.get("start"),
        ),
        say("plan.offer", depth=say.num(_f(offer["depth_pct"]), 0))
        if offer.get("depth_pct") is not None
        else say("plan.no_offer"),
        say(
            "plan.budget",
            total=say.money(_f(budget.get("total"))),
            offer=say.money(_f(budget.get("offer_cost"))),
            channel=say.money(_f(budget.get("channel_cost"))),
            left=say.money(_f(budget.get("unallocated"))),
        ),
        say(
            "plan.expected",
            revenue=say.money(_f(expected.get("revenue"))),
            profit=say.money(_f(expected.get("profit"))),
            low=say.money(_f(expected["profit_range"][0])),
            high=say.money(_f(expected["profit_range"][1])),
        ),
        say(
            "plan.holdout",
            share=say.pct(_f(test.get("holdout_share"))),
            holdout=say.count(_f(test.get("holdout"))),
            lift=say.num(_f(test.get("detectable_lift_pct")), 1),
        ),
    ]
    items = tuple(
        product_name(str(p["sku"]), p.get("title"), p.get("title_zh"), say)  # type: ignore[arg-type]
        for p in result.products
    )
    return Findings(tuple(sentences), items)
