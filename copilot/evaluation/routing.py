"""Routing accuracy of a model on labelled questions (right tool, right key arguments)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot.agent import Agent
from copilot.core.labelled import load_labelled
from copilot.core.text import language_of
from copilot.llm.types import Message


@dataclass(frozen=True)
class RoutingResult:
    """One question's routing outcome."""

    question: str
    expected: str
    chosen: str
    arguments: dict[str, Any]
    tool_ok: bool
    args_ok: bool
    seconds: float


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Cases with ``q``, ``tool`` and optional ``args``."""
    return load_labelled(path, "cases", ("q", "tool"))


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return abs(float(expected) - float(got)) <= 1e-6 + 0.01 * abs(float(expected))
    return str(expected).strip().lower() == str(got).strip().lower()


def route(agent: Agent, cases: list[dict[str, Any]]) -> list[RoutingResult]:
    """First decision of the agent's model for each question (no tool is run)."""
    out = []
    for case in cases:
        language = language_of(case["q"])
        messages = [
            Message("system", agent.system_prompt(language)),
            Message("user", case["q"]),
        ]
        started = time.perf_counter()
        turn = agent.model.turn(messages, list(agent.tools.values()))
        took = time.perf_counter() - started
        chosen = turn.tool_call.name if turn.tool_call else "decline" if turn.decline else "respond"
        args = turn.tool_call.arguments if turn.tool_call else {}
        expected_args = case.get("args") or {}
        args_ok = all(k in args and _same(v, args[k]) for k, v in expected_args.items())
        out.append(
            RoutingResult(
                case["q"],
                case["tool"],
                chosen,
                args,
                chosen == case["tool"],
                chosen == case["tool"] and args_ok,
                took,
            )
        )
    return out
