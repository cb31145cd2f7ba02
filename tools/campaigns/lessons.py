"""What a measured campaign teaches, kept: its post-mortem stored with the plan and indexed
into the knowledge base, so the chat can cite it when the next campaign is planned."""

from __future__ import annotations

from copilot.shop.plans import PlanStore
from knowledge.sources import lesson_source
from tools._tool import ToolContext
from tools.campaigns.readout import CampaignReadout
from tools.findings.readout import lesson
from tools.findings.say import Say
from tools.knowledge_search import knowledge_store


def remember_lesson(ctx: ToolContext, result: CampaignReadout) -> str:
    """Mark the plan measured with its post-mortem in English and Chinese and index it;
    returns the knowledge-base source key. Only a complete read-out teaches a lesson."""
    if not result.complete:
        raise ValueError("a campaign still running has no lesson yet")
    store = PlanStore(ctx.shop.engine)
    plan = store.get(result.plan_id).plan
    currency = ctx.settings.currency
    english, chinese = (lesson(result, plan, Say(lang, currency)) for lang in ("en", "zh"))
    store.record_lesson(result.plan_id, english, chinese)
    source = lesson_source(store.get(result.plan_id))
    knowledge_store(ctx).index([source], set())
    return source.key
