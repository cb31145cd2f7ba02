"""What a run produced: attempts, cases, suites; and the metrics computed from them."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from copilot.evaluation.cases import Case, Suite
from copilot.evaluation.scorers import NO_TOOL, Verdict


@dataclass(frozen=True)
class Turn:
    """One question asked and what came back."""

    question: str
    answer: str
    latency_s: float
    language: str = ""
    tools: list[dict[str, Any]] = field(default_factory=list)
    """name, arguments, ok and the (truncated) result the model saw."""
    grounding: dict[str, Any] = field(default_factory=dict)
    citations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Attempt:
    """One run of a case (``--repeat`` makes several)."""

    verdicts: list[Verdict]
    turns: list[Turn] = field(default_factory=list)
    error: str | None = None
    """An exception that ended the attempt (counted as a failure)."""

    @property
    def passed(self) -> bool:
        """No error and every verdict passed."""
        return self.error is None and all(v.passed for v in self.verdicts)

    @property
    def latency_s(self) -> float:
        """Latency of the last turn (the one the expectations apply to)."""
        return self.turns[-1].latency_s if self.turns else 0.0

    @property
    def tools_called(self) -> list[str]:
        """Tool names of the last turn, in call order."""
        return [t["name"] for t in self.turns[-1].tools] if self.turns else []


@dataclass(frozen=True)
class CaseResult:
    """A case and all its attempts."""

    case: Case
    attempts: list[Attempt]
    required: bool = False

    @property
    def passed(self) -> bool:
        """Passed in every attempt (a flaky case is not a passing one)."""
        return bool(self.attempts) and all(a.passed for a in self.attempts)

    @property
    def flaky(self) -> bool:
        """The verdict differed across repeats."""
        return len({a.passed for a in self.attempts}) > 1


@dataclass(frozen=True)
class SuiteResult:
    """A suite's cases, metrics and threshold verdicts."""

    suite: Suite
    cases: list[CaseResult]
    metrics: dict[str, float] = field(default_factory=dict)
    thresholds: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Every threshold verdict passed."""
        return all(v.passed for v in self.thresholds)


@dataclass(frozen=True)
class RunResult:
    """One invocation of the runner."""

    suites: list[SuiteResult]
    started: str
    seconds: float
    backend: str
    model: str
    repeat: int
    commit: str = ""


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def pass_rate(cases: Iterable[CaseResult]) -> float:
    """Share of cases that passed every attempt (1.0 for none)."""
    items = list(cases)
    return sum(c.passed for c in items) / len(items) if items else 1.0


def latencies(cases: Iterable[CaseResult]) -> list[float]:
    """Last-turn latency of every attempt."""
    return [a.latency_s for c in cases for a in c.attempts if a.turns]


def suite_metrics(cases: Sequence[CaseResult]) -> dict[str, float]:
    """Pass rate, flakiness, per-scorer pass rates, tool-choice exact/F1 and latency."""
    attempts = [a for c in cases for a in c.attempts]
    out: dict[str, float] = {
        "cases": float(len(cases)),
        "passed": float(sum(c.passed for c in cases)),
        "pass_rate": pass_rate(cases),
        "flaky": float(sum(c.flaky for c in cases)),
        "errors": float(sum(a.error is not None for a in attempts)),
    }
    by_scorer: dict[str, list[Verdict]] = defaultdict(list)
    for attempt in attempts:
        for verdict in attempt.verdicts:
            by_scorer[verdict.scorer].append(verdict)
    for name, verdicts in sorted(by_scorer.items()):
        out[f"{name}_pass_rate"] = sum(v.passed for v in verdicts) / len(verdicts)
    tool_verdicts = [v for v in by_scorer.get("tools", []) if "f1" in v.metrics]
    if tool_verdicts:
        out["tool_exact"] = sum(v.metrics["exact"] for v in tool_verdicts) / len(tool_verdicts)
        out["tool_f1"] = sum(v.metrics["f1"] for v in tool_verdicts) / len(tool_verdicts)
    times = latencies(cases)
    if times:
        out["latency_p50_s"] = percentile(times, 50)
        out["latency_p95_s"] = percentile(times, 95)
        out["latency_max_s"] = max(times)
    return out


def threshold_verdicts(suite: Suite, cases: Sequence[CaseResult]) -> list[Verdict]:
    """The suite's thresholds applied to its results (required cases without a baseline)."""
    t = suite.thresholds
    rate = pass_rate(cases)
    out = [
        Verdict(
            "min_pass_rate",
            rate >= t.min_pass_rate,
            f"pass rate {rate:.1%} (minimum {t.min_pass_rate:.1%})",
        )
    ]
    required = suite.required_ids()
    if required:
        failing = sorted(c.case.id for c in cases if c.case.id in required and not c.passed)
        out.append(
            Verdict(
                "required",
                not failing,
                f"failing: {', '.join(failing)}" if failing else f"all {len(required)} passed",
            )
        )
    if t.max_p95_latency_s is not None:
        p95 = percentile(latencies(cases), 95)
        out.append(
            Verdict(
                "max_p95_latency_s",
                p95 <= t.max_p95_latency_s,
                f"p95 {p95:.1f} s (limit {t.max_p95_latency_s:g} s)",
            )
        )
    return out


def tool_routing(cases: Iterable[CaseResult]) -> dict[str, dict[str, int]]:
    """Per tool: cases expecting it, attempts that called it when expected, unexpected calls."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for result in cases:
        wanted = result.case.expect.tools
        if wanted is None:
            continue
        names = set(wanted) or {NO_TOOL}
        for attempt in result.attempts:
            called = set(attempt.tools_called) or {NO_TOOL}
            for name in names:
                table[name]["expected"] += 1
                table[name]["routed"] += name in called
            for name in called - names:
                table[name]["unexpected"] += 1
    return {name: dict(counts) for name, counts in sorted(table.items())}
