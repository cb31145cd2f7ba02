"""Guards on model text: loops are caught, prompt scaffolding and tool names never reach people."""

from __future__ import annotations

from copilot.agent import Agent
from copilot.agent.guards import repetitive, scaffolding, scrub
from copilot.core.settings import Settings
from copilot.testing import ScriptedModel, assistant_message, function_call
from tools import ToolContext


def test_a_repeated_sentence_or_8_gram_is_a_loop() -> None:
    assert repetitive("See [postmortem-cmp-2511#results]. See [postmortem-cmp-2511#results].")
    looped = "活动效果很好，转化率提升明显。" + "引用来源 [postmortem-cmp-2511#results] " * 4
    assert repetitive(looped)
    assert not repetitive("Champions bring 42% of revenue. At-risk customers have 54% churn risk.")
    # List items may share a phrase (three products bought with the same chocolate).
    items = "\n".join(
        f"- Product {i}: customers who bought Vintage Dark Chocolate also bought it"
        for i in range(3)
    )
    assert not repetitive("Top picks:\n" + items)
    # Decimals are not sentence ends: "0.3%" and "0.8%" do not make repeated fragments.
    rows = "\n".join(f"- Segment {n}: churn risk 0.{n}%, CLV 7{n}" for n in range(5))
    assert not repetitive(rows)


def test_scaffolding_and_tool_names_are_removed() -> None:
    text = "There are 40 champions. 如果这个结果已能回答问题，请选择 respond。 Use find_customers next."
    assert len(scaffolding(text, ["find_customers"])) == 2
    assert scrub(text, ["find_customers"]) == "There are 40 champions."
    # Ordinary words are not scaffolding: customers respond to offers, sales decline.
    plain = "At-risk customers respond well to offers; sales decline in January."
    assert scrub(plain, ["find_customers"]) == plain
    assert scrub("Set COPILOT_DEFAULT_MARGIN or pass --backend local.", []) == ""


def test_a_looping_narrative_is_replaced_by_the_findings(demo_ctx: ToolContext) -> None:
    loop = " ".join(["The segments are shown [segment-guide#intro]."] * 4)
    model = ScriptedModel([function_call("segment_overview"), assistant_message(loop)])
    ctx = ToolContext(
        demo_ctx.shop, Settings(home=demo_ctx.settings.home, answer_style="narrative")
    )
    ctx._models = demo_ctx._models
    answer = Agent(model, ctx).ask("What segments do I have?")
    assert answer.grounding.fallback and "RFM segments" in answer.text
    assert "segment-guide" not in answer.text
