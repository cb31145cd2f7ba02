"""A search the model reworded below the coverage threshold is tried in the user's words."""

from __future__ import annotations

from copilot.agent import Agent
from copilot.agent.events import Answered, ArgumentsChanged
from copilot.testing import ScriptedModel, function_call, respond
from tools import ToolContext
from tools.knowledge_search import search_knowledge

QUESTION = "How long do customers have to return apparel?"
REWORDED = "return window for apparel"  # what the local model wrote for it


def _run(ctx: ToolContext, question: str, query: str) -> list[object]:
    model = ScriptedModel([function_call("search_knowledge", query=query), respond()])
    return list(Agent(model, ctx).run(question))


def test_the_rewording_alone_is_not_covered(indexed_demo_ctx: ToolContext) -> None:
    """The premise: the model's query misses the threshold, the user's words do not."""
    assert not search_knowledge(indexed_demo_ctx, query=REWORDED).covered
    assert search_knowledge(indexed_demo_ctx, query=QUESTION).covered


def test_a_reworded_search_is_answered_in_the_users_words(indexed_demo_ctx: ToolContext) -> None:
    events = _run(indexed_demo_ctx, QUESTION, REWORDED)
    changed = [e for e in events if isinstance(e, ArgumentsChanged)]
    assert changed and changed[0].filled == {"query": QUESTION}
    assert changed[0].dropped == {"query": REWORDED}
    answer = events[-1]
    assert isinstance(answer, Answered)
    assert answer.answer.tools[0].arguments["query"] == QUESTION
    assert "14 days" in answer.answer.text
    assert "returns-policy#return-window" in answer.answer.text


def test_a_question_the_documents_do_not_cover_stays_not_covered(
    indexed_demo_ctx: ToolContext,
) -> None:
    question = "What is the shipping cost to Mars?"
    events = _run(indexed_demo_ctx, question, "shipping to mars")
    assert not any(isinstance(e, ArgumentsChanged) for e in events)
    answer = events[-1]
    assert isinstance(answer, Answered)
    assert answer.answer.tools[0].arguments["query"] == "shipping to mars"
    assert not answer.answer.tools[0].result.covered
