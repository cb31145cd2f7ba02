"""The ``core`` suite as the evaluator runs it (``copilot eval``), gated by a committed baseline.

The real local model runs the required cases in ``make test`` (the whole suite takes ~46
minutes on 2 cores); the keyword-model run is the same plumbing in seconds and guards the
suite and the tools' facts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.cli import main
from copilot.core.settings import Settings
from copilot.llm.model_file import SIZE, model_path
from tools import ToolContext

REPO = Path(__file__).resolve().parents[1]
BASELINES = REPO / "evals" / "baselines"


def run_suite(
    suite: str,
    backend: str,
    home: Path,
    report: Path,
    monkeypatch: pytest.MonkeyPatch,
    *extra: str,
) -> tuple[int, str]:
    """``copilot eval SUITE`` against the committed baseline; (exit status, summary)."""
    monkeypatch.setenv("COPILOT_HOME", str(home))
    baseline = BASELINES / f"{suite}-{backend}.json"
    status = main(
        [
            "eval",
            suite,
            "--backend",
            backend,
            "--baseline",
            str(baseline),
            "--report",
            str(report),
            "--no-progress",
            *extra,
        ]
    )
    summary = (report / "summary.md").read_text(encoding="utf-8")
    return status, summary


def test_core_suite_with_the_keyword_model_matches_its_baseline(
    indexed_demo_ctx: ToolContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, summary = run_suite(
        "core", "scripted", indexed_demo_ctx.settings.home, tmp_path, monkeypatch
    )
    assert "**Newly failing (0)**" in summary, summary
    # The keyword model is deterministic: any change of verdict is a change in the tools,
    # the loop or the suite, and the baseline should be updated on purpose.
    assert "**Newly passing (0)**" in summary, summary
    # Its required-case misses are known failures in its baseline; what remains is the pass
    # rate threshold, which is set for real models.
    gate = summary.split("**Gate: ")[1].split("| suite |")[0]
    problems = [line for line in gate.splitlines() if line.startswith("- ")]
    assert status == 1 and len(problems) == 1 and "min_pass_rate" in problems[0], gate


@pytest.mark.real_model
@pytest.mark.parametrize("suite", ["core", "answers"])
def test_required_cases_with_the_local_model_have_no_regression(
    suite: str, indexed_demo_ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Join the model once per clone, outside the per-test folders (as test_local_model.py).
    path = model_path(Settings(home=REPO / ".copilot"))
    assert path.stat().st_size == SIZE
    monkeypatch.setenv("COPILOT_MODEL_PATH", str(path))
    report = REPO / ".copilot" / "reports" / f"eval-{suite}-local"  # kept for reading afterwards
    # The required cases are the gate (evaluators run whole suites with `copilot eval`).
    status, summary = run_suite(
        suite, "local", indexed_demo_ctx.settings.home, report, monkeypatch, "--required-only"
    )
    print(summary)
    assert status == 0, f"{suite} suite regressed; see {report / 'summary.md'}"
