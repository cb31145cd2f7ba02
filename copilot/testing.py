"""A step-driven scripted model for tests and the offline demo (``COPILOT_LLM=scripted``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from copilot.llm.types import Message, ModelTurn, ToolCall
from tools import Tool


class UnexpectedModelCall(AssertionError):
    """The loop asked the model for more steps than the script has."""


class UnconsumedModelSteps(AssertionError):
    """The script has steps the loop never asked for."""


def function_call(name: str, **arguments: Any) -> ModelTurn:
    """A scripted step: call tool ``name`` with ``arguments``."""
    return ModelTurn(tool_call=ToolCall(name, arguments))


def decline() -> ModelTurn:
    """A scripted step: the request is out of scope."""
    return ModelTurn(decline=True)


def respond() -> ModelTurn:
    """A scripted step: answer now, streamed by the next (``assistant_message``) step."""
    return ModelTurn()


def assistant_message(text: str) -> ModelTurn:
    """A scripted step: answer with ``text``."""
    return ModelTurn(text=text)


@dataclass
class ScriptedModel:
    """Replays ``steps`` in order and records every call (``calls``)."""

    steps: list[ModelTurn]
    name: str = "scripted"
    remote: bool = False
    calls: list[list[Message]] = field(default_factory=list)
    prompts_read: list[list[Message]] = field(default_factory=list)

    def _next(self, messages: Sequence[Message]) -> ModelTurn:
        self.calls.append([Message(m.role, m.content, m.name) for m in messages])
        if not self.steps:
            raise UnexpectedModelCall(f"no scripted step left for call {len(self.calls)}")
        return self.steps.pop(0)

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        """The next scripted step."""
        return self._next(messages)

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        """The next scripted step must be a text answer; streamed word by word."""
        step = self._next(messages)
        if step.text is None:
            raise UnexpectedModelCall("the script has a tool call where an answer was asked")
        for word in step.text.split(" "):
            yield word + " "

    def count_tokens(self, text: str) -> int:
        """About four characters per token."""
        return len(text) // 4 + 1

    def read_prompt(self, messages: Sequence[Message]) -> None:
        """Recorded in ``prompts_read``; it uses no scripted step."""
        self.prompts_read.append(list(messages))

    def assert_complete(self) -> None:
        """Fail if scripted steps were left unused."""
        if self.steps:
            raise UnconsumedModelSteps(f"{len(self.steps)} scripted step(s) never used")
