"""What the agent loop returns: tool traces, the grounding verdict, answers (events are in
``copilot.agent.events``).

The messages and turns it exchanges with a model are ``copilot.llm.types``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tools.findings import Findings, NextStep


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
    findings: Findings | None = field(default=None, compare=False)
    """What the result means, in the question's language (successful calls)."""
    final: bool = False
    """A refusal only the user can resolve (an id that does not exist, a budget too small):
    another tool would answer a different question, so the turn ends with it."""


Source = Literal["findings", "model", "fixed"]


@dataclass(frozen=True)
class Grounding:
    """The verdict of the number check on the final answer, and what was checked."""

    ok: bool
    unsupported: list[str]
    attempts: int
    fallback: bool
    source: Source = "model"
    """Who wrote the text: the tools' findings, the model, or a fixed message."""
    checked: int = 0
    """Figures in the text that were checked against the tool results."""
    quoted: int = 0
    """Document passages the text quotes."""


@dataclass(frozen=True)
class AgentAnswer:
    """The final answer with its evidence."""

    text: str
    language: str
    tools: list[ToolTrace]
    grounding: Grounding
    citations: list[str]
    next_steps: list[NextStep] = field(default_factory=list)
    """Follow-ups the user can take with one click (from the last result's findings)."""
