"""Values that flow through the agent loop: messages, model turns, events, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Event:
    """Something the UI can show while the agent works."""

    kind: Literal[
        "step", "guard", "tool_call", "tool_result", "tool_error", "token", "grounding", "answer"
    ]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolTrace:
    """One executed tool call."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    result_json: str
    """The compact JSON the model saw (or the error text)."""
    result: Any = field(default=None, repr=False, compare=False)
    error: str | None = None
    """The tool's own message when it refused (without the advice added for the model)."""


@dataclass(frozen=True)
class Grounding:
    """The verdict of the number check on the final answer."""

    ok: bool
    unsupported: list[str]
    attempts: int
    fallback: bool


@dataclass(frozen=True)
class AgentAnswer:
    """The final answer with its evidence."""

    text: str
    language: str
    tools: list[ToolTrace]
    grounding: Grounding
    citations: list[str]
