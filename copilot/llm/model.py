"""The model interface: what the agent loop asks of every backend in this package."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from copilot.llm.types import Message, ModelTurn
from tools import Tool


class Model(Protocol):
    """A chat model that can pick a tool or answer."""

    name: str
    remote: bool
    """True when messages leave this machine (PII is redacted unless allowed)."""

    def turn(self, messages: Sequence[Message], tools: Sequence[Tool]) -> ModelTurn:
        """Choose a tool call, or answer (``text``, or None to stream via ``answer``)."""
        ...

    def answer(self, messages: Sequence[Message]) -> Iterator[str]:
        """Stream the final answer's text."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` for this model (for the context budget)."""
        ...

    def read_prompt(self, messages: Sequence[Message]) -> None:
        """Read ``messages`` before the first question; a model with a prompt cache keeps
        them there, the others do nothing."""
        ...
