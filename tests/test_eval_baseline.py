"""Baseline diff and the CI gate; repeats and flaky cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copilot.agent import Agent
from copilot.core.errors import InputError
from copilot.evaluation.baseline import diff_runs, gate_problems, load_baseline
from copilot.evaluation.cases import Case, Expect, Suite, Thresholds
from copilot.evaluation.report import run_json, write_json
from copilot.evaluation.results import (
    Attempt,
    CaseResult,
    RunResult,
    SuiteResult,
    Turn,
    suite_metrics,
    threshold_verdicts,
)
from copilot.evaluation.runner import RunOptions, run_agent_suite
from copilot.evaluation.scorers import Verdict
from copilot.testing import ScriptedModel, assistant_message, function_call
from tools import ToolContext


def attempt(passed: bool, seconds: float = 1.0) -> Attempt:
    verdict = Verdict("tools", passed, "ok" if passed else "missing x")
    return Attempt([verdict], [Turn("q", "a", seconds)])


def run_of(
    outcomes: dict[str, list[bool]],
    required: tuple[str, ...] = (),
    min_pass_rate: float = 0.0,
) -> dict[str, object]:
    """A one-suite run in JSON form; each case id maps to its attempts' outcomes."""
    cases = tuple(Case(cid, ("q",), Expect()) for cid in outcomes)
    suite = Suite("core", Path("core.yaml"), "agent", cases, Thresholds(min_pass_rate, required))
    results = [CaseResult(c, [attempt(p) for p in outcomes[c.id]], c.id in required) for c in cases]
    result = SuiteResult(suite, results, suite_metrics(results), threshold_verdicts(suite, results))
    return run_json(RunResult([result], "2026-01-01T00:00:00+00:00", 1.0, "local", "m", 1))


PASSING = {f"c{i}": [True] for i in range(20)}


def test_newly_failing_required_case_fails_the_gate() -> None:
    baseline = run_of(PASSING, required=("c0",))
    now = run_of({**PASSING, "c0": [False]}, required=("c0",))
    diff = diff_runs(now, baseline, "b.json")
    assert [(c.case, c.required) for c in diff.newly_failing] == [("c0", True)]
    problems = gate_problems(now, diff, tolerance=0.10)
    assert problems == ["core: required case c0 fails: tools: missing x"]


def test_non_required_regressions_within_tolerance_pass() -> None:
    baseline = run_of(PASSING, required=("c0",))
    now = run_of({**PASSING, "c5": [False]}, required=("c0",))
    diff = diff_runs(now, baseline)
    assert [c.case for c in diff.newly_failing] == ["c5"]
    assert diff.common_pass_rate["core"] == (1.0, 0.95)
    assert gate_problems(now, diff, tolerance=0.05) == []
    assert diff.metrics["core"]["pass_rate"] == (1.0, 0.95)


def test_pass_rate_drop_beyond_tolerance_fails() -> None:
    baseline = run_of(PASSING)
    now = run_of({**PASSING, "c1": [False], "c2": [False]})
    problems = gate_problems(now, diff_runs(now, baseline), tolerance=0.05)
    assert len(problems) == 1 and "pass rate fell from 100.0% to 90.0%" in problems[0]
    assert gate_problems(now, diff_runs(now, baseline), tolerance=0.10) == []


def test_known_failures_and_new_cases() -> None:
    baseline = run_of({**PASSING, "c0": [False], "c1": [False]}, required=("c0",))
    now = run_of({**PASSING, "c0": [False], "c1": [True], "new": [False]}, required=("c0", "new"))
    diff = diff_runs(now, baseline)
    assert [c.case for c in diff.known_failing] == ["c0"]
    assert [c.case for c in diff.newly_passing] == ["c1"]
    assert diff.added == ["core/new"] and diff.removed == []
    # c0 already failed in the baseline; the new required case "new" has no excuse.
    assert gate_problems(now, diff) == ["core: required case new fails: tools: missing x"]
    # Without a baseline every failing required case counts.
    assert len(gate_problems(now)) == 2


def test_pass_rate_is_compared_on_the_cases_both_runs_have() -> None:
    baseline = run_of(PASSING)
    subset = run_of({"c0": [True], "c1": [True]})  # e.g. run with --case c0 --case c1
    diff = diff_runs(subset, baseline)
    assert diff.common_pass_rate["core"] == (1.0, 1.0) and len(diff.removed) == 18
    assert gate_problems(subset, diff) == []


def test_minimum_pass_rate_threshold_fails_without_baseline() -> None:
    now = run_of({"a": [True], "b": [False]}, min_pass_rate=0.8)
    assert gate_problems(now) == ["core: min_pass_rate: pass rate 50.0% (minimum 80.0%)"]


def test_slim_baseline_round_trip_and_bad_files(tmp_path: Path) -> None:
    baseline = run_of({"a": [True]})
    path = write_json(baseline, tmp_path / "b.json")
    assert load_baseline(path) == json.loads(path.read_text("utf-8"))
    (tmp_path / "bad.json").write_text("{\n  nope", "utf-8")
    with pytest.raises(InputError, match=r"bad\.json:2: not valid JSON"):
        load_baseline(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"format": "x"}', "utf-8")
    with pytest.raises(InputError, match="not a copilot-eval/1 report"):
        load_baseline(tmp_path / "other.json")
    with pytest.raises(InputError, match="--update-baseline"):
        load_baseline(tmp_path / "missing.json")


def test_flaky_case_is_neither_passing_nor_failing_quietly() -> None:
    case = Case("c", ("q",), Expect())
    flaky = CaseResult(case, [attempt(True), attempt(False)])
    steady = CaseResult(case, [attempt(False), attempt(False)])
    assert flaky.flaky and not flaky.passed
    assert not steady.flaky and not steady.passed
    assert suite_metrics([flaky, steady])["flaky"] == 1.0
    assert run_of({"c": [True, False]})["suites"][0]["cases"][0]["flaky"] is True  # type: ignore[index]


def test_repeats_run_the_agent_again_and_detect_flakiness(indexed_demo_ctx: ToolContext) -> None:
    # The same question answered two ways: first with the right tool, then without any.
    model = ScriptedModel(
        [
            function_call("segment_overview"),
            assistant_message("These are your segments."),
            assistant_message("I cannot tell."),
            function_call("segment_overview"),
            assistant_message("These are your segments."),
        ]
    )
    case = Case("seg", ("What customer segments do I have?",), Expect(tools=("segment_overview",)))
    suite = Suite("s", Path("s.yaml"), "agent", (case,))
    result = run_agent_suite(suite, Agent(model, indexed_demo_ctx), RunOptions(repeat=3))
    model.assert_complete()
    (case_result,) = result.cases
    assert [a.passed for a in case_result.attempts] == [True, False, True]
    assert case_result.flaky and not case_result.passed
    assert result.metrics["flaky"] == 1.0 and result.metrics["tools_pass_rate"] == pytest.approx(
        2 / 3
    )
