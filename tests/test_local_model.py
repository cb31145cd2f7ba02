"""The real local model: the build runs, constrained tool choice works, answers stream."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.agent import Agent
from copilot.agent.routing_eval import load_cases, route
from copilot.agent.types import Message
from copilot.llm.local import LocalModel, routing_schema
from copilot.llm.model_file import SIZE, model_path
from copilot.settings import Settings
from tools import TOOLS, ToolContext

pytestmark = pytest.mark.real_model
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def local() -> LocalModel:
    # Join the model once per clone (1.1 GB), outside the per-test temporary folders.
    path = model_path(Settings(home=REPO / ".copilot"))
    assert path.stat().st_size == SIZE
    return LocalModel(Settings(model_path=path, n_ctx=2048))


def test_constrained_tool_choice_and_streamed_answer(local: LocalModel) -> None:
    tools = [
        t for t in TOOLS if t.name in ("profile_customer", "segment_overview", "recommend_products")
    ]
    assert len(routing_schema(tools)["anyOf"]) == 4
    system = Message("system", "Pick the tool that answers the marketer's question.")
    turn = local.turn([system, Message("user", "Show me the profile of customer C10001")], tools)
    assert turn.tool_call is not None and turn.tool_call.name == "profile_customer"
    assert turn.tool_call.arguments.get("customer_id") == "C10001"
    text = "".join(local.answer([Message("user", "Say hello in three words.")]))
    assert text.strip()
    assert local.count_tokens("hello world") >= 2


def test_routing_of_bilingual_marketer_questions(local: LocalModel, demo_ctx: ToolContext) -> None:
    """evals/routing/core.yaml: right tool and key arguments for at least 11 of 12."""
    agent = Agent(local, demo_ctx, shop_name="Lumen & Leaf")
    results = route(agent, load_cases(REPO / "evals" / "routing" / "core.yaml"))
    misses = [(r.question, r.chosen, r.arguments) for r in results if not r.args_ok]
    print(f"routing core: {len(results) - len(misses)}/{len(results)} right; misses {misses}")
    assert len(results) == 12 and len(misses) <= 1, misses


def test_one_full_ask_is_grounded(local: LocalModel, demo_ctx: ToolContext) -> None:
    agent = Agent(local, demo_ctx, shop_name="Lumen & Leaf")
    answer = agent.ask("What customer segments do I have?")
    print(answer.text, answer.grounding)
    assert [t.name for t in answer.tools][:1] == ["segment_overview"]
    assert answer.grounding.ok and not answer.grounding.fallback
    assert answer.text.strip() and answer.language == "en"
