"""Any OpenAI-compatible endpoint through langchain-openai, with native tool calling."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from copilot.core.errors import ConfigError, ModelUnavailable
from copilot.core.settings import Settings
from copilot.llm.types import Message, ModelTurn, ToolCall
from copilot.llm.untrusted import outgoing
from tools import Tool


def _lc_messages(messages: Sequence[Message], allow_pii: bool) -> list[Any]:
    """LangChain messages; redacted and neutralised here too, whoever the caller (the agent
    already did, the evaluation's grader did not)."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {
        "system": SystemMessage,
        "user": HumanMessage,
        "tool": HumanMessage,
        "assistant": AIMessage,
    }
    sent = outgoing(messages, remote=True, allow_pii=allow_pii)
    return [kinds[m.role](content=m.content) for m in sent]


def tool_specs(tools: Sequence[Tool]) -> list[dict[str, Any]]:
    """The tools as OpenAI function specs (schemas from the registry)."""
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": t.json_schema(),
            },
        }
        for t in tools
    ]


class OpenAIModel:
    """A strong remote model: the same loop, native multi-step tool calls."""

    name = "openai"
    remote = True

    def __init__(self, settings: Settings) -> None:
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ConfigError("langchain-openai is missing: run `make install`") from exc
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if key is None and settings.openai_base_url is None:
            raise ConfigError(
                "COPILOT_LLM=openai needs OPENAI_API_KEY (or "
                "COPILOT_OPENAI_BASE_URL for a local server such as vLLM)"
            )
        from pydantic import SecretStr

        self._chat = ChatOpenAI(
            model=settings.openai_model,
            api_key=SecretStr(key or "unused"),
            base_url=settings.openai_base_url,
            temperature=0,
            max_tokens=settings.max_tokens,
            timeout=settings.request_timeout,
            max_retries=1,
        )  # type: ignore[call-arg]
        self._server = settings.openai_base_url or "api.openai.com"
        self._allow_pii = settings.allow_pii_remote
        self._timeout = settings.request_timeout
        # Answers stream under their own, shorter cap (COPILOT_ANSWER_TOKENS).
        self._answer = self._chat.bind(max_tokens=settings.answer_tokens)

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        """Let the model call a tool natively, or answer."""
        specs = tool_specs(tools)
        with self._reachable():
            reply = self._chat.bind(tools=specs, tool_choice="auto").invoke(
                _lc_messages(messages, self._allow_pii)
            )
        calls = getattr(reply, "tool_calls", None) or []
        if calls:
            return ModelTurn(tool_call=ToolCall(calls[0]["name"], dict(calls[0]["args"])))
        return ModelTurn(text=str(reply.content))

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        """Stream the answer."""
        with self._reachable():
            for chunk in self._answer.stream(_lc_messages(messages, self._allow_pii)):
                if chunk.content:
                    yield str(chunk.content)

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """Connection failures and timeouts become one line for people, not a traceback."""
        import openai

        try:
            yield
        except openai.APITimeoutError as exc:
            raise ModelUnavailable(
                f"the model server {self._server} did not answer within {self._timeout:g} s "
                "(raise COPILOT_REQUEST_TIMEOUT for a slow server)"
            ) from exc
        except openai.APIConnectionError as exc:
            raise ModelUnavailable(
                f"the model server {self._server} cannot be reached; is it running? "
                "(COPILOT_OPENAI_BASE_URL)"
            ) from exc

    def count_tokens(self, text: str) -> int:
        """About four characters per token (no tokenizer for unknown remote models)."""
        return len(text) // 4 + 1

    def read_prompt(self, messages: Sequence[Message]) -> None:
        """Nothing: a request would cost money, and servers manage their own prompt cache."""
