"""What a chat model reads and decides: messages, tool calls and turns.

They live with the backends so that a backend needs nothing from the agent that drives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass
class Message:
    """One chat message; tool results carry the tool's name."""

    role: Role
    content: str
    name: str | None = None


@dataclass(frozen=True)
class ToolCall:
    """A tool the model wants to run, with its arguments."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ModelTurn:
    """What the model decided: call a tool, answer (text now, or streamed by ``answer``), or
    decline a request outside the shop's marketing."""

    tool_call: ToolCall | None = None
    text: str | None = None
    decline: bool = False
