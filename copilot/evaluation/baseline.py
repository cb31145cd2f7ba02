"""Compare a run with a stored baseline and decide the exit status (the CI gate).

Both sides are the JSON form of a run (``report.run_json``), so a baseline is just a slim
report that was committed. The gate fails when:

- a suite threshold other than ``required`` fails (minimum pass rate, p95 latency, hit@k);
- a required case fails, unless the baseline already recorded it failing (a known failure);
- with a baseline, the pass rate over the cases both runs share drops by more than the
  tolerance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copilot.core.errors import InputError
from copilot.evaluation.report import FORMAT

TOLERANCE = 0.05
"""Default allowed drop of a suite's pass rate against the baseline (absolute)."""
COMPARED_METRICS = (
    "pass_rate",
    "tool_exact",
    "tool_f1",
    "arguments_pass_rate",
    "grounded_pass_rate",
    "language_pass_rate",
    "latency_p50_s",
    "latency_p95_s",
    "hybrid_all_hit1",
    "hybrid_all_hit3",
    "hybrid_all_mrr",
)


@dataclass(frozen=True)
class CaseChange:
    """A case whose verdict differs from the baseline."""

    suite: str
    case: str
    required: bool
    reason: str = ""


@dataclass(frozen=True)
class Diff:
    """What changed against the baseline."""

    baseline: str
    newly_failing: list[CaseChange] = field(default_factory=list)
    newly_passing: list[CaseChange] = field(default_factory=list)
    known_failing: list[CaseChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    common_pass_rate: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per suite: (baseline, now) pass rate over the cases both runs have."""
    metrics: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load_baseline(path: Path) -> dict[str, Any]:
    """A stored run; a clear error for a file that is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such baseline (write one with --update-baseline)") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{path}: not a {FORMAT} report or baseline")
    return data


def _cases(run: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["name"], c["id"]): c for s in run["suites"] for c in s["cases"]}


def _first_failure(case: dict[str, Any]) -> str:
    for attempt in case["attempts"]:
        for v in attempt["verdicts"]:
            if not v["passed"]:
                return f"{v['scorer']}: {v['reason']}"
    return ""


def diff_runs(current: dict[str, Any], baseline: dict[str, Any], name: str = "") -> Diff:
    """Case-level and metric-level changes from ``baseline`` to ``current``."""
    now, before = _cases(current), _cases(baseline)
    diff = Diff(name)
    for key in sorted(now):
        case = now[key]
        change = CaseChange(key[0], key[1], bool(case["required"]), _first_failure(case))
        if key not in before:
            diff.added.append(f"{key[0]}/{key[1]}")
        elif before[key]["passed"] and not case["passed"]:
            diff.newly_failing.append(change)
        elif not before[key]["passed"] and case["passed"]:
            diff.newly_passing.append(change)
        elif not case["passed"]:
            diff.known_failing.append(change)
    diff.removed.extend(f"{s}/{c}" for s, c in sorted(set(before) - set(now)))
    old_suites = {s["name"]: s for s in baseline["suites"]}
    for suite in current["suites"]:
        name_ = suite["name"]
        shared = [k for k in now if k[0] == name_ and k in before]
        if shared:
            diff.common_pass_rate[name_] = (
                sum(before[k]["passed"] for k in shared) / len(shared),
                sum(now[k]["passed"] for k in shared) / len(shared),
            )
        old = old_suites.get(name_, {}).get("metrics", {})
        diff.metrics[name_] = {
            m: (float(old[m]), float(suite["metrics"][m]))
            for m in COMPARED_METRICS
            if m in old and m in suite["metrics"]
        }
    for label in ("backend", "model", "repeat"):
        if baseline.get(label) != current.get(label):
            diff.notes.append(
                f"the baseline was made with {label} {baseline.get(label)!r}, this run with "
                f"{current.get(label)!r}"
            )
    return diff


def gate_problems(
    current: dict[str, Any], diff: Diff | None = None, tolerance: float = TOLERANCE
) -> list[str]:
    """Why this run should fail CI (empty: it passes)."""
    problems = []
    for suite in current["suites"]:
        for v in suite["thresholds"]:
            if not v["passed"] and v["scorer"] != "required":
                problems.append(f"{suite['name']}: {v['scorer']}: {v['reason']}")
    known = {(c.suite, c.case) for c in diff.known_failing} if diff else set()
    for (suite_name, case_id), case in _cases(current).items():
        if case["required"] and not case["passed"] and (suite_name, case_id) not in known:
            problems.append(f"{suite_name}: required case {case_id} fails: {_first_failure(case)}")
    if diff is not None:
        for suite_name, (before, now) in diff.common_pass_rate.items():
            if now < before - tolerance - 1e-9:
                problems.append(
                    f"{suite_name}: pass rate fell from {before:.1%} to {now:.1%} on the "
                    f"cases the baseline has (tolerance {tolerance:.1%})"
                )
    return problems
