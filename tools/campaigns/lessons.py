"""What a measured campaign teaches, kept: its post-mortem stored with the plan and indexed
into the knowledge base, so the chat can cite it when the next campaign is planned."""

from __future__ import annotations

from typing import Any

from copilot.shop.plans import PlanStore
from knowledge.sources import lesson_source
from tools._tool import ToolContext
from tools.campaigns.readout import CampaignReadout
from tools.findings.readout import lesson
from tools.findings.say import Say
from tools.knowledge_search import knowledge_store


def measured_numbers(result: CampaignReadout, plan: dict[str, Any]) -> dict[str, Any]:
    """Per treated customer over the whole campaign: the CUPED revenue and profit differences
    with their 95% bounds, as a later plan weighs them (tools.plan_history)."""
    numbers: dict[str, Any] = {
        "weeks": int(plan["timing"]["weeks"]),
        "treated": result.treatment,
        "holdout": result.holdout,
        "depth_pct": plan["offer"]["depth_pct"],
    }
    for m in result.metrics:
        if m.metric in ("revenue", "profit"):
            numbers[m.metric] = m.cuped_diff
            numbers[f"{m.metric}_low"], numbers[f"{m.metric}_high"] = m.cuped_low, m.cuped_high
    return numbers


def remember_lesson(ctx: ToolContext, result: CampaignReadout) -> str:
    """Mark the plan measured with its post-mortem in English and Chinese and index it;
    returns the knowledge-base source key. Only a complete read-out teaches a lesson."""
    if not result.complete:
        raise ValueError("a campaign still running has no lesson yet")
    store = PlanStore(ctx.shop.engine)
    plan = store.get(result.plan_id).plan
    currency = ctx.settings.currency
    english, chinese = (lesson(result, plan, Say(lang, currency)) for lang in ("en", "zh"))
    store.record_lesson(result.plan_id, english, chinese, measured_numbers(result, plan))
    source = lesson_source(store.get(result.plan_id))
    knowledge_store(ctx).index([source], set())
    return source.key
