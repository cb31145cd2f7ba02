"""A customer list from the chat handed to the plan form as its audience (no browser)."""

from __future__ import annotations

from copilot.agent import Agent
from copilot.llm.demo_script import demo_model
from copilot.ui.audience import audience_offer, offer_label, offer_note
from copilot.ui.runtime import LockedModel
from copilot.ui.session import ChatSession, run_turn
from tools import ToolContext
from tools.profiling.api import find_customers, segment_overview


def test_a_segment_list_offers_its_segment_and_its_filters_in_words(
    demo_ctx: ToolContext,
) -> None:
    whole = audience_offer(find_customers(demo_ctx, segment="at_risk"))
    assert whole is not None and whole.segment == "at_risk" and not whole.other_filters
    size = {s.segment: s.customers for s in segment_overview(demo_ctx).segments}["at_risk"]
    assert whole.matched == size
    assert offer_label(whole, "en") == "Plan a campaign for At risk"
    assert offer_note(whole, "zh") == "目标人群来自对话中的客户名单：有流失风险。"
    narrow = audience_offer(find_customers(demo_ctx, segment="champions", country="Germany"))
    assert narrow is not None and narrow.other_filters == {"country": "Germany"}
    note = offer_note(narrow, "en")
    assert "(country Germany)" in note and f"the {narrow.matched} customers of" in note
    assert "国家/地区为 Germany" in offer_note(narrow, "zh")
    # No segment named: the list itself, across segments; no filter at all: nothing to offer
    # (the plan form's audience list has "All customers").
    risky = find_customers(demo_ctx, churn_risk_above=0.5)
    across = audience_offer(risky)
    assert across is not None and across.segment == "all" and across.matched == risky.count
    assert offer_label(across, "en") == "Plan a campaign for this list"
    assert "churn risk above 50%" in offer_note(across, "en")
    assert audience_offer(find_customers(demo_ctx)) is None
    assert audience_offer(segment_overview(demo_ctx)) is None


def test_the_chat_s_last_customer_list_is_what_is_offered(demo_ctx: ToolContext) -> None:
    agent = Agent(LockedModel(demo_model()), demo_ctx)
    session = ChatSession()
    list(run_turn(agent, session, "What customer segments do I have?"))
    assert audience_offer(session.last_result().result) is None  # type: ignore[union-attr]
    step = next(s for s in session.next_steps() if s.tool == "find_customers")
    list(run_turn(agent, session, step.question))  # the next step the answer offered
    view = session.last_result()
    assert view is not None and view.result_tool == "find_customers"
    offer = audience_offer(view.result)
    assert offer is not None and offer.segment == step.arguments["segment"]
