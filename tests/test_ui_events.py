"""Agent events -> chat messages, without Gradio: tool messages, streaming, badges, citations."""

from __future__ import annotations

from typing import Any

from copilot.agent.events import (
    Answered,
    Checked,
    Event,
    Step,
    Token,
    ToolCalled,
    ToolFailed,
    ToolResult,
)
from copilot.agent.types import AgentAnswer, Grounding, ToolTrace
from copilot.ui.events import badge, linkify, passage_url, turn_view
from tools.knowledge_search import KnowledgeResults, Passage

OK = Grounding(True, [], 1, False, "model", checked=1)


def answer_event(text: str, grounding: Grounding = OK, citations: list[str] | None = None) -> Event:
    answer = AgentAnswer(text, "en", [], grounding, citations or [])
    return Answered(answer=answer)


def tool_events(name: str, arguments: dict[str, Any], result: Any) -> list[Event]:
    return [
        ToolCalled(name=name, arguments=arguments),
        ToolResult(name=name, result=result, text="{}"),
    ]


def passages(*ids: str) -> KnowledgeResults:
    return KnowledgeResults(
        query="return policy",
        note="quoted data",
        passages=[
            Passage(
                citation=cid,
                title="Return and refund policy",
                type="policy",
                language="en",
                quote="30 days",
            )
            for cid in ids
        ],
    )


def test_a_tool_call_becomes_a_collapsible_message_with_arguments_and_summary() -> None:
    result = passages("returns-policy#return-window", "returns-policy#refunds")
    events = [
        Step(n=1),
        *tool_events("search_knowledge", {"query": "return policy"}, result),
        Step(n=2),
        *[Token(text=w) for w in ("Returns ", "within ", "30 days.")],
        answer_event("Returns within 30 days."),
    ]
    view = turn_view("What is the return policy?", events)
    user, tool, reply = view.messages
    assert user == {"role": "user", "content": "What is the return policy?"}
    assert tool["metadata"]["title"] == "⚙ Tool: search_knowledge"
    assert tool["metadata"]["status"] == "done"
    assert '`{"query": "return policy"}`' in tool["content"]
    assert "passages: 2 rows" in tool["content"] and "query: return policy" in tool["content"]
    assert reply["content"].startswith("Returns within 30 days.")
    assert "✔ 1 figure checked" in reply["content"]
    assert view.result is result and view.result_tool == "search_knowledge"


def test_thinking_is_pending_until_something_happens() -> None:
    pending = turn_view("hi", [Step(n=1)]).messages[-1]
    assert pending["metadata"]["status"] == "pending" and "step 1" in pending["metadata"]["title"]
    after = turn_view("hi", [Step(n=1), Token(text="Hello")])
    assert [m["content"] for m in after.messages] == ["hi", "Hello"]


def test_tokens_stream_then_the_final_text_replaces_them() -> None:
    streaming = [Token(text="The price "), Token(text="is 12")]
    assert turn_view("q", streaming).messages[-1]["content"] == "The price is 12"
    final = turn_view("q", [*streaming, answer_event("Shown as computed: 17.99")])
    contents = [m["content"] for m in final.messages]
    assert len(contents) == 2 and contents[1].startswith("Shown as computed: 17.99")
    assert final.answer is not None


def test_tool_errors_and_grounding_retries_are_visible() -> None:
    events: list[Event] = [
        ToolCalled(name="optimize_price", arguments={"sku": "XX-1"}),
        ToolFailed(name="optimize_price", text="no demand model for 'XX-1'"),
        Checked(ok=False, unsupported=["42"], retry=True),
    ]
    tool, check = turn_view("price of XX-1?", events).messages[1:]
    assert tool["metadata"]["title"] == "⚠ Tool failed: optimize_price"
    assert "no demand model for 'XX-1'" in tool["content"]
    assert "42" in check["content"] and check["metadata"]["status"] == "done"


def test_badges_say_what_was_checked_and_never_tick_text_with_nothing_to_check() -> None:
    model = Grounding(True, [], 1, False, "model", checked=3)
    assert badge(model, "en") == "✔ 3 figures checked against the tool results"
    assert badge(Grounding(True, [], 1, False, "findings", 4), "en").startswith("✔ Stated by the")
    quoted = Grounding(True, [], 1, False, "findings", 0, 2)
    assert badge(quoted, "en") == "✔ Quoted from 2 passages"
    # A greeting, a decline or prose without figures: nothing was verified, and no tick says so.
    assert badge(Grounding(True, [], 1, False, "model"), "en") == "○ No figures to check"
    assert badge(Grounding(True, [], 0, False, "fixed"), "zh") == "○ 没有需要核对的数字"
    assert badge(Grounding(True, [], 2, True, "findings", 5), "en").startswith("⚠ The model's")
    assert "Step limit" in badge(Grounding(True, [], 1, True, "findings", 5), "en")
    assert badge(Grounding(True, [], 0, False, "model", 2), "en") == "○ Number check off"
    assert badge(Grounding(False, ["7"], 1, False, "findings", 2), "en").endswith(": 7")
    assert badge(model, "zh") == "✔ 3 个数字已与工具结果核对"


def test_chinese_questions_get_chinese_labels() -> None:
    events = [*tool_events("segment_overview", {}, None), answer_event("共有 11 个分群")]
    tool, reply = turn_view("我的客户分群是怎样的？", events).messages[1:]
    assert tool["metadata"]["title"] == "⚙ 工具: segment_overview"
    assert "参数" in tool["content"] and "（无）" in tool["content"]
    assert "个数字已与工具结果核对" in reply["content"]


def test_cited_passages_become_links_bracketed_or_bare() -> None:
    result = passages("returns-policy#return-window", "returns-policy#refunds")
    text = (
        "Unused items within 30 days [returns-policy#return-window]. See also "
        "citation: returns-policy#refunds, and [made-up#id]."
    )
    events = [
        *tool_events("search_knowledge", {"query": "returns"}, result),
        answer_event(text, citations=["returns-policy#return-window"]),
    ]
    view = turn_view("returns?", events)
    body = view.messages[-1]["content"]
    window = passage_url("returns-policy#return-window")
    assert window == "/passage/returns-policy%23return-window"
    assert f"[[returns-policy#return-window]]({window})" in body
    assert f"citation: [[returns-policy#refunds]]({passage_url('returns-policy#refunds')})" in body
    assert "[made-up#id]." in body  # not returned by any tool: no link
    assert "**Sources:**" in body
    assert view.citations[:2] == ["returns-policy#return-window", "returns-policy#refunds"]


def test_a_short_id_never_links_inside_a_longer_one() -> None:
    text = "[a#b-c] and [a#b]"
    out = linkify(text, ["a#b", "a#b-c"])
    assert out == (f"[[a#b-c]]({passage_url('a#b-c')}) and [[a#b]]({passage_url('a#b')})")


def test_a_stopped_turn_closes_pending_messages_and_says_so() -> None:
    events: list[Event] = [
        ToolCalled(name="segment_overview", arguments={}),
        Step(n=2),
        Token(text="There are"),
    ]
    view = turn_view("segments?", events, stopped=True)
    assert all(m.get("metadata", {}).get("status") != "pending" for m in view.messages)
    assert view.messages[-1]["content"] == "■ Stopped."
    assert view.messages[-2]["content"] == "There are"


def test_the_real_agent_stream_renders(demo_ctx: Any) -> None:
    """The scripted backend end to end: events of a real run render to a grounded answer."""
    from copilot.agent import Agent
    from copilot.llm.demo_script import demo_model

    agent = Agent(demo_model(), demo_ctx)
    events = list(agent.run("What price should I set for CT-0002?"))
    view = turn_view("What price should I set for CT-0002?", events)
    titles = [m["metadata"]["title"] for m in view.messages if "metadata" in m]
    assert titles == ["⚙ Tool: optimize_price"]
    final = view.messages[-1]["content"]
    assert "The profit-maximising price for" in final and "recommended_price" not in final
    assert "figures, each checked against the results" in final
    assert isinstance(events[-1], Answered)
    assert isinstance(events[-1].answer.tools[0], ToolTrace)
    assert view.result is not None and view.result.decisions[0].product == "CT-0002"
