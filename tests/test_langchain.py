"""Issue 22 part 2: the tools as LangChain StructuredTools driven by a LangChain agent (a
LangGraph graph) whose chat model is scripted, and the knowledge base as a LangChain retriever."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from copilot.integrations.calls import ToolHost
from copilot.integrations.langchain import copilot_retriever, copilot_tools
from tools import TOOLS, ToolContext, to_jsonable
from tools.findings import describe
from tools.knowledge_search import knowledge_store
from tools.profiling import segment_overview
from tools.recommend import recommend_products


class ScriptedChat(FakeMessagesListChatModel):
    """A chat model that answers with the scripted messages, in order, whatever it is asked."""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChat:
        return self


def _call(name: str, args: dict[str, Any], call_id: str) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


def test_a_langgraph_agent_gets_what_a_direct_call_gives(indexed_demo_ctx: ToolContext) -> None:
    ctx = indexed_demo_ctx
    tools = copilot_tools(ToolHost(ctx))
    assert [t.name for t in tools] == [t.name for t in TOOLS]
    customer = str(ctx.shop.order_lines()["customer_id"].dropna().iloc[0])
    model = ScriptedChat(
        responses=[
            _call("segment_overview", {}, "c1"),
            _call("profile_customer", {"customer_id": "NO-SUCH-ONE"}, "c2"),
            _call("recommend_products", {"customer_id": customer, "n": 3}, "c3"),
            AIMessage(content="Done."),
        ]
    )
    agent = create_agent(model, tools)
    state = agent.invoke({"messages": [HumanMessage("segments, then a customer")]})
    replies = {m.tool_call_id: m for m in state["messages"] if isinstance(m, ToolMessage)}
    assert set(replies) == {"c1", "c2", "c3"}
    overview = segment_overview(ctx)
    assert replies["c1"].artifact == to_jsonable(overview)
    assert replies["c1"].content == describe(overview).text()
    # A refusal comes back to the model as an error message in the tool's words.
    assert replies["c2"].status == "error" and "NO-SUCH-ONE" in str(replies["c2"].content)
    assert replies["c3"].artifact == to_jsonable(recommend_products(ctx, customer_id=customer, n=3))
    assert state["messages"][-1].content == "Done."


def test_the_retriever_returns_passages_with_their_citation_ids(
    indexed_demo_ctx: ToolContext,
) -> None:
    retriever = copilot_retriever(ToolHost(indexed_demo_ctx), k=3)
    docs = retriever.invoke("how many days do customers have to return an item")
    assert len(docs) == 3
    assert docs[0].metadata["citation"].startswith("returns-policy")
    store = knowledge_store(indexed_demo_ctx)
    for doc in docs:
        passage = store.passage(doc.metadata["citation"])
        assert passage is not None and doc.page_content == passage.text
    only: Callable[[str], list[Any]] = copilot_retriever(
        ToolHost(indexed_demo_ctx), k=2, type="product"
    ).invoke
    assert {d.metadata["type"] for d in only("green tea")} == {"product"}
