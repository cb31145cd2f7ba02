"""The openai backend over HTTP: langchain-openai against a local OpenAI-compatible endpoint.

The endpoint is a stand-in served on 127.0.0.1 that replays scripted replies and records what
it received, so these tests check the wire: tool schemas sent, native tool calls parsed, tool
results returned to the model, streamed answers, answer token cap, PII kept on this machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from copilot.agent import Agent
from copilot.core.settings import Settings
from copilot.llm.stand_in import StandInServer
from tools import ToolContext
from tools.profiling.api import segment_overview

pytestmark = pytest.mark.endpoint


class Endpoint:
    """Scripted replies: a dict {"tool": name, "arguments": {...}} or answer text."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def reply(self, request: dict[str, Any]) -> Any:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError("the endpoint got more requests than scripted")
        return self.replies.pop(0)


@pytest.fixture
def endpoint() -> Iterator[tuple[Endpoint, str]]:
    script = Endpoint([])
    with StandInServer(script.reply) as server:
        yield script, server.url


def _agent(ctx: ToolContext, base_url: str, **overrides: Any) -> Agent:
    from copilot.llm.openai_chat import OpenAIModel

    settings = ctx.settings.model_copy(
        update={"llm": "openai", "openai_base_url": base_url, "openai_model": "stand-in"}
        | overrides
    )
    return Agent(OpenAIModel(settings), ToolContext(ctx.shop, settings, ctx._models))


def _segments_then(ctx: ToolContext, script: Endpoint, *answers: str) -> int:
    """Script a segment_overview call, then ``answers`` with {total} filled in; the total."""
    total = segment_overview(ctx).total_customers
    script.replies = [
        {"tool": "segment_overview", "arguments": {"kind": "rfm"}},
        *(a.format(total=total) for a in answers),
    ]
    return total


def test_native_tool_call_then_answer_over_http(
    demo_ctx: ToolContext, endpoint: tuple[Endpoint, str]
) -> None:
    script, url = endpoint
    total = _segments_then(
        demo_ctx, script, "You have {total:,} customers; most revenue: champions."
    )
    answer = _agent(demo_ctx, url).ask("What customer segments do I have?")

    assert [t.name for t in answer.tools] == ["segment_overview"] and answer.tools[0].ok
    assert answer.text.startswith(f"You have {total:,} customers")
    assert answer.grounding.ok and answer.grounding.attempts == 1
    first, second = script.requests
    sent = {t["function"]["name"]: t["function"]["parameters"] for t in first["tools"]}
    assert "segment_overview" in sent and "plan_campaign" in sent
    assert sent["plan_campaign"]["required"] == ["goal", "budget"]
    assert first["model"] == "stand-in" and first["temperature"] == 0
    # The tool's result went back to the model in the second request.
    assert str(total) in json.dumps(second["messages"], ensure_ascii=False)


def test_an_ungrounded_answer_is_rewritten_through_a_streamed_call_with_the_answer_cap(
    demo_ctx: ToolContext, endpoint: tuple[Endpoint, str]
) -> None:
    script, url = endpoint
    total = _segments_then(
        demo_ctx, script, "You have 123,456 customers.", "You have {total} customers."
    )
    answer = _agent(demo_ctx, url, answer_tokens=64).ask("How many customers do I have?")

    assert answer.grounding.ok and answer.grounding.attempts == 2
    assert answer.text == f"You have {total} customers."
    rewrite = script.requests[-1]
    # langchain-openai sends the cap under its current API name.
    assert rewrite["stream"] is True and rewrite["max_completion_tokens"] == 64
    assert "123,456" in rewrite["messages"][-1]["content"]  # the offending number is named


def test_customer_contact_details_stay_on_this_machine(
    demo_ctx: ToolContext, endpoint: tuple[Endpoint, str]
) -> None:
    script, url = endpoint
    script.replies = ["I cannot look up people by e-mail; ask about a customer id."]
    question = "Find anna.lee@example.com, phone +44 20 7946 0958"
    _agent(demo_ctx, url).ask(question)
    sent = json.dumps(script.requests[0]["messages"])
    assert "anna.lee@example.com" not in sent and "7946" not in sent
    assert "[email]" in sent and "[phone]" in sent

    script.replies = ["Noted."]
    _agent(demo_ctx, url, allow_pii_remote=True).ask(question)
    assert "anna.lee@example.com" in json.dumps(script.requests[-1]["messages"])


def test_a_missing_endpoint_is_a_config_error_that_names_the_fix(demo_ctx: ToolContext) -> None:
    from copilot.core.errors import ConfigError
    from copilot.llm.openai_chat import OpenAIModel

    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIModel(Settings(home=demo_ctx.settings.home, llm="openai"))


def test_a_silent_or_absent_server_is_one_line_not_a_hang(demo_ctx: ToolContext) -> None:
    """Issue 17: against a server that accepts and never replies, `ask` waited 7+ minutes;
    with the server down it printed a 130-line traceback."""
    import socket
    import time

    from copilot.core.errors import ModelUnavailable

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        started = time.perf_counter()
        with pytest.raises(ModelUnavailable, match="did not answer within 0.5 s"):
            _agent(demo_ctx, url, request_timeout=0.5).ask("What customer segments do I have?")
        assert time.perf_counter() - started < 20
    finally:
        silent.close()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(ModelUnavailable, match="cannot be reached"):
        _agent(demo_ctx, f"http://127.0.0.1:{port}/v1").ask("What customer segments do I have?")
