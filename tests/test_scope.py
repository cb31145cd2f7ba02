"""Out-of-scope requests get a polite refusal; marketing questions are never refused."""

from __future__ import annotations

import pytest

from copilot.agent import Agent
from copilot.agent.events import Answered, Declined
from copilot.agent.scope import ScopeGuard, scope_examples
from copilot.core.labelled import load_labelled
from copilot.core.resources import data_dir
from copilot.testing import ScriptedModel, decline
from knowledge.embedder import USEEmbedder
from tools import ToolContext

EVALS = data_dir("evals")

# Held out: none of these is in prompts/scope.yaml.
OFF_TOPIC = [
    "Compose a haiku about spring",
    "Can you tell me a funny story?",
    "Write JavaScript code for a todo app",
    "Who is the president of France?",
    "How tall is Mount Everest?",
    "Will it rain tomorrow in London?",
    "What do you think about the war?",
    "Solve x^2 + 2x + 1 = 0",
    "Translate 'hello' to Spanish",
    "Give me a recipe for chocolate cake",
    "What's Tesla's market share?",
    "Write me a poem about cats",
    "写一首关于大海的诗",
    "讲一个有趣的故事",
    "用 Java 写一个冒泡排序",
    "法国总统是谁？",
    "珠穆朗玛峰有多高？",
    "明天北京会下雨吗？",
    "帮我解这个方程 x+1=2",
    "给我一个巧克力蛋糕的食谱",
]
FOLLOW_UPS = [
    "What about the loyal ones?",
    "And for 10 products?",
    "Why is that?",
    "Show me more",
    "那德国的客户呢？",
    "为什么？",
    "换成 20% 折扣呢？",
]


def _marketing_questions() -> list[str]:
    routing = [
        c["q"]
        for name in ("core", "dev")
        for c in load_labelled(EVALS / "routing" / f"{name}.yaml", "cases", ("q", "tool"))
        if c["tool"] != "decline"
    ]
    retrieval = [
        q["q"]
        for name in ("demo", "dev")
        for q in load_labelled(EVALS / "retrieval" / f"{name}.yaml", "queries", ("q",))
    ]
    return routing + retrieval + FOLLOW_UPS


@pytest.fixture(scope="module")
def guard() -> ScopeGuard:
    return ScopeGuard(USEEmbedder())


def test_held_out_questions_do_not_overlap_the_examples() -> None:
    inside, outside = scope_examples()
    assert not (set(OFF_TOPIC) | set(_marketing_questions())) & (set(inside) | set(outside))


def test_no_marketing_question_is_declined(guard: ScopeGuard) -> None:
    questions = _marketing_questions()
    assert len(questions) >= 90
    declined = [q for q in questions if guard.check(q).declined]
    assert declined == []


def test_most_off_topic_asks_are_declined(guard: ScopeGuard) -> None:
    missed = [q for q in OFF_TOPIC if not guard.check(q).declined]
    assert len(missed) <= len(OFF_TOPIC) // 4, missed


def test_a_declined_question_never_reaches_the_model(
    demo_ctx: ToolContext, guard: ScopeGuard
) -> None:
    model = ScriptedModel([])
    events = list(Agent(model, demo_ctx, scope=guard).run("给我讲个笑话"))
    assert isinstance(events[-1], Answered)
    answer = events[-1].answer
    assert isinstance(events[0], Declined) and model.calls == []
    assert answer.text.startswith("抱歉") and answer.tools == [] and answer.grounding.ok


def test_the_model_can_decline_too(demo_ctx: ToolContext) -> None:
    model = ScriptedModel([decline()])
    answer = Agent(model, demo_ctx).ask("Write me a limerick")
    assert answer.text.startswith("Sorry, I can only help with") and answer.tools == []
    assert len(model.calls) == 1


def test_the_agent_s_scope_guard_shares_the_knowledge_base_s_embedder(
    indexed_demo_ctx: ToolContext,
) -> None:
    from copilot.agent.factory import build_agent
    from tools.knowledge_search import knowledge_store

    agent = build_agent(indexed_demo_ctx.settings, model=ScriptedModel([]), ctx=indexed_demo_ctx)
    assert agent.scope is not None
    assert agent.scope._embedder is knowledge_store(indexed_demo_ctx).embedder
