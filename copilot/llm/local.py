"""llama.cpp backend: JSON-schema-constrained tool choice (one anyOf branch per tool)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from copilot.core.errors import ConfigError, ModelBehaviorError
from copilot.core.settings import Settings
from copilot.llm.model_file import model_path
from copilot.llm.types import Message, ModelTurn, ToolCall
from copilot.llm.untrusted import outgoing
from tools import Tool

MAX_STRING = 120
"""Longest string argument the grammar allows (small models ramble otherwise)."""


def _tighten(schema: Any) -> Any:
    """Drop titles and cap string lengths so the grammar stays small and generation short."""
    if isinstance(schema, dict):
        # Regex patterns and formats are not supported by llama.cpp's schema-to-grammar
        # converter (a parse error silently disables the grammar); pydantic checks them after.
        out = {
            k: _tighten(v)
            for k, v in schema.items()
            if k not in ("title", "default", "pattern", "format")
        }
        if out.get("type") == "string" and "enum" not in out and "const" not in out:
            out["maxLength"] = min(int(out.get("maxLength", MAX_STRING)), MAX_STRING)
        return out
    if isinstance(schema, list):
        return [_tighten(v) for v in schema]
    return schema


def routing_schema(tools: Sequence[Tool]) -> dict[str, Any]:
    """anyOf: {tool: const name, arguments: its schema} per tool, plus "respond" and "decline"."""
    branches = []
    for tool in tools:
        args = _tighten(tool.json_schema())
        args.pop("additionalProperties", None)
        branches.append(
            {
                "type": "object",
                "properties": {"tool": {"const": tool.name}, "arguments": args},
                "required": ["tool", "arguments"],
            }
        )
    for choice in ("respond", "decline"):
        branches.append(
            {"type": "object", "properties": {"tool": {"const": choice}}, "required": ["tool"]}
        )
    return {"anyOf": branches}


class LocalModel:
    """Qwen2.5-Coder-1.5B-Instruct (or any GGUF) through llama-cpp-python."""

    name = "local"
    remote = False
    max_tool_chars = 2400
    """Tool output shown to the small model: prompt evaluation (~90 tokens/s) dominates."""

    def __init__(self, settings: Settings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ConfigError(
                "llama-cpp-python is not installed: run `make install`, or set "
                "COPILOT_LLM=openai / scripted"
            ) from exc
        path = model_path(settings)
        self.settings = settings
        self._llm = Llama(
            model_path=str(path),
            n_ctx=settings.n_ctx,
            n_threads=settings.threads,
            n_batch=256,
            verbose=False,
        )
        self._schemas: dict[tuple[str, ...], dict[str, Any]] = {}
        self._shared = 0
        """Prompt tokens every conversation shares (set by :meth:`read_prompt`)."""

    def _chat(self, messages: Sequence[Message]) -> Any:
        # The agent already neutralised control tokens; again here, because llama-cpp-python
        # tokenises the rendered template with special tokens on, whoever the caller.
        return [
            {"role": "user" if m.role == "tool" else m.role, "content": m.content}
            for m in outgoing(messages, remote=False, allow_pii=True)
        ]

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        """One constrained decision: a tool with arguments, or respond."""
        key = tuple(t.name for t in tools)
        schema = self._schemas.setdefault(key, routing_schema(tools))
        out = self._llm.create_chat_completion(
            messages=self._chat(messages),
            temperature=0.0,
            max_tokens=self.settings.max_tokens,
            response_format={"type": "json_object", "schema": schema},
        )
        content = out["choices"][0]["message"]["content"] or ""  # type: ignore[index]
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise ModelBehaviorError(
                f"the local model produced invalid JSON: {content[:200]!r}"
            ) from exc
        if data.get("tool") == "respond":
            return ModelTurn()
        if data.get("tool") == "decline":
            return ModelTurn(decline=True)
        return ModelTurn(
            tool_call=ToolCall(str(data.get("tool")), dict(data.get("arguments") or {}))
        )

    def read_prompt(self, messages: Sequence[Message]) -> None:
        """Evaluate ``messages`` without answering: llama.cpp keeps them in its prompt cache,
        and later prompts that start the same way skip that part.

        Also finds where every conversation with these system messages starts to differ (the
        first user message), for :meth:`new_conversation`.
        """
        self._llm.create_chat_completion(messages=self._chat(messages), max_tokens=1)
        first = list(self._llm.input_ids[: self._llm.n_tokens])
        other = [*messages[:-1], Message(messages[-1].role, "Bonjour")]
        self._llm.create_chat_completion(messages=self._chat(other), max_tokens=1)
        second = list(self._llm.input_ids[: self._llm.n_tokens])
        self._shared = next(
            (i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
            min(len(first), len(second)),
        )

    def new_conversation(self) -> None:
        """Forget the cached conversation beyond the shared system prompt.

        llama.cpp reuses the longest cached prefix, so where evaluation of a prompt starts (and
        with it the float rounding of every later token) would depend on what was asked before;
        an evaluation that calls this before each case gets the same answers in any order, on
        any run.
        """
        self._llm.n_tokens = min(self._llm.n_tokens, self._shared)

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        """Stream a free-text answer."""
        stream = self._llm.create_chat_completion(
            messages=self._chat(messages),
            temperature=0.0,
            stream=True,
            max_tokens=self.settings.answer_tokens,
        )
        for chunk in stream:
            delta: Any = chunk["choices"][0]["delta"]  # type: ignore[index]
            delta = delta.get("content") if isinstance(delta, dict) else None
            if delta:
                yield str(delta)

    def count_tokens(self, text: str) -> int:
        """Exact token count with the model's tokenizer."""
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False))
