"""What the agent loop reports while it works: one dataclass per kind, matched by type.

The UI draws a turn from them, the CLI prints tool calls, the audit records calls and text,
and ``Agent.ask`` waits for the ``Answered`` one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from copilot.agent.types import AgentAnswer
from tools.findings import Findings


@dataclass(frozen=True, kw_only=True)
class Step:
    """The model is deciding step ``n`` (which tool, or the answer)."""

    n: int


@dataclass(frozen=True, kw_only=True)
class Declined:
    """The scope guard declined the question; ``nearest`` is the out-of-scope example that won."""

    nearest: str


@dataclass(frozen=True, kw_only=True)
class ArgumentsChanged:
    """The argument check changed the model's call: a tool swapped (``instead_of``), filters
    the user never said dropped, values the user said filled, required values missing."""

    tool: str
    instead_of: str | None = None
    dropped: dict[str, Any] = field(default_factory=dict)
    filled: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ToolCalled:
    """A tool runs with these (checked) arguments."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ToolResult:
    """A tool answered: its result, the JSON the model read, and what the result means."""

    name: str
    result: Any = field(default=None, repr=False)
    text: str = ""
    findings: Findings | None = None


@dataclass(frozen=True, kw_only=True)
class ToolFailed:
    """A tool refused (a bad argument, missing data) or failed (a bug, with a reference)."""

    name: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Token:
    """A piece of the answer as it streams."""

    text: str


@dataclass(frozen=True, kw_only=True)
class Checked:
    """A verdict of the answer checks: numbers without support (``retry``: one rewrite
    follows; ``fallback``: the findings replace the text), a loop, or the step limit."""

    ok: bool
    unsupported: list[str] = field(default_factory=list)
    retry: bool = False
    fallback: bool = False
    repetition: bool = False
    attempts: int | None = None
    source: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class Answered:
    """The turn's final answer (after every check)."""

    answer: AgentAnswer


Event = (
    Step
    | Declined
    | ArgumentsChanged
    | ToolCalled
    | ToolResult
    | ToolFailed
    | Token
    | Checked
    | Answered
)
"""Every event the agent loop yields."""
