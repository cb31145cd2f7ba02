"""Run results as JSON (the full record, or a slim baseline) and as JUnit XML for CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from copilot.evaluation.cases import EVALS_DIR
from copilot.evaluation.results import Attempt, CaseResult, RunResult, SuiteResult
from copilot.evaluation.scorers import Verdict

FORMAT = "copilot-eval/1"
ANSWER_CHARS = 600
"""Answer text kept per case in a slim baseline (enough to see what changed)."""


def _shown_path(path: Path) -> str:
    """A suite's path as ``evals/suites/x.yaml`` wherever the package is installed."""
    try:
        return str(path.resolve().relative_to(EVALS_DIR.parent))
    except ValueError:
        return str(path)


def verdict_json(v: Verdict) -> dict[str, Any]:
    """One verdict as JSON."""
    out: dict[str, Any] = {"scorer": v.scorer, "passed": v.passed, "reason": v.reason}
    if v.metrics:
        out["metrics"] = {k: round(x, 4) for k, x in v.metrics.items()}
    if not v.deterministic:
        out["deterministic"] = False
    return out


def _attempt_json(a: Attempt, slim: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "passed": a.passed,
        "latency_s": round(a.latency_s, 3),
        "error": a.error,
        "verdicts": [verdict_json(v) for v in a.verdicts],
    }
    if slim:
        out["tools"] = a.tools_called
        out["answer"] = a.turns[-1].answer[:ANSWER_CHARS] if a.turns else ""
    else:
        out["turns"] = [
            {
                "question": t.question,
                "answer": t.answer,
                "language": t.language,
                "latency_s": round(t.latency_s, 3),
                "tools": t.tools,
                "grounding": t.grounding,
                "citations": t.citations,
            }
            for t in a.turns
        ]
    return out


def case_json(c: CaseResult, slim: bool = False) -> dict[str, Any]:
    """One case with every attempt, verdict and (unless slim) the full turns."""
    return {
        "id": c.case.id,
        "tags": list(c.case.tags),
        "language": c.case.language,
        "persona": c.case.persona,
        "required": c.required,
        "line": c.case.line,
        "note": c.case.note,
        "input": list(c.case.turns),
        "passed": c.passed,
        "flaky": c.flaky,
        "attempts": [_attempt_json(a, slim) for a in c.attempts],
    }


def suite_json(s: SuiteResult, slim: bool = False) -> dict[str, Any]:
    """One suite: metrics, threshold verdicts and cases."""
    return {
        "name": s.suite.name,
        "path": _shown_path(s.suite.path),
        "kind": s.suite.kind,
        "description": s.suite.description,
        "seconds": round(s.seconds, 2),
        "passed": s.passed,
        "metrics": {k: round(v, 4) for k, v in s.metrics.items()},
        "thresholds": [verdict_json(v) for v in s.thresholds],
        "cases": [case_json(c, slim) for c in s.cases],
    }


def run_json(run: RunResult, slim: bool = False) -> dict[str, Any]:
    """The whole run; ``slim`` drops tool outputs and keeps a short answer (for baselines)."""
    return {
        "format": FORMAT,
        "started": run.started,
        "seconds": round(run.seconds, 2),
        "backend": run.backend,
        "model": run.model,
        "repeat": run.repeat,
        "commit": run.commit,
        "suites": [suite_json(s, slim) for s in run.suites],
    }


def write_json(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` as UTF-8 JSON (Chinese kept readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def _failure_text(c: CaseResult) -> tuple[str, str]:
    """(short message, details) for a failing case."""
    lines = []
    first = ""
    for i, attempt in enumerate(c.attempts, 1):
        bad = [v for v in attempt.verdicts if not v.passed]
        for v in bad:
            first = first or f"{v.scorer}: {v.reason}"
            lines.append(f"attempt {i}: {v.scorer}: {v.reason}")
    prefix = "flaky: " if c.flaky else ""
    return prefix + first[:300], "\n".join(lines)


def _system_out(c: CaseResult) -> str:
    attempt = c.attempts[-1]
    parts = []
    for turn in attempt.turns:
        calls = ", ".join(
            f"{t['name']}({json.dumps(t['arguments'], ensure_ascii=False)})"
            + ("" if t["ok"] else " [error]")
            for t in turn.tools
        )
        parts.append(
            f"Q: {turn.question}\ntools: {calls or '(none)'}\nA: {turn.answer}\n"
            f"latency: {turn.latency_s:.2f} s"
        )
    return "\n\n".join(parts)


def junit_xml(run: RunResult) -> ET.ElementTree:
    """JUnit XML: one testsuite per suite, one testcase per case plus one for its thresholds."""
    root = ET.Element("testsuites", name="copilot eval", time=f"{run.seconds:.3f}")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for s in run.suites:
        failures = sum(not c.passed and not _errored(c) for c in s.cases) + (not s.passed)
        errors = sum(_errored(c) for c in s.cases)
        suite_el = ET.SubElement(
            root,
            "testsuite",
            name=s.suite.name,
            tests=str(len(s.cases) + 1),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{s.seconds:.3f}",
            timestamp=run.started[:19],
        )
        props = ET.SubElement(suite_el, "properties")
        for name, value in (("backend", run.backend), ("model", run.model), ("repeat", run.repeat)):
            ET.SubElement(props, "property", name=name, value=str(value))
        for c in s.cases:
            seconds = sum(t.latency_s for a in c.attempts for t in a.turns)
            case_el = ET.SubElement(
                suite_el, "testcase", classname=s.suite.name, name=c.case.id, time=f"{seconds:.3f}"
            )
            if not c.passed:
                message, details = _failure_text(c)
                tag = "error" if _errored(c) else "failure"
                kind = "error" if tag == "error" else ("flaky" if c.flaky else "failed")
                ET.SubElement(case_el, tag, message=message, type=kind).text = details
            ET.SubElement(case_el, "system-out").text = _system_out(c)
        gate_el = ET.SubElement(
            suite_el, "testcase", classname=s.suite.name, name="thresholds", time="0.000"
        )
        failed = [v for v in s.thresholds if not v.passed]
        if failed:
            ET.SubElement(
                gate_el, "failure", message="; ".join(v.reason for v in failed), type="threshold"
            ).text = "\n".join(f"{v.scorer}: {v.reason}" for v in s.thresholds)
        totals["tests"] += len(s.cases) + 1
        totals["failures"] += failures
        totals["errors"] += errors
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.ElementTree(root)


def _errored(c: CaseResult) -> bool:
    """Every failing attempt failed by an exception (not by a verdict)."""
    failing = [a for a in c.attempts if not a.passed]
    return bool(failing) and all(a.error is not None for a in failing)


def write_junit(run: RunResult, path: Path) -> Path:
    """Write the JUnit XML file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    junit_xml(run).write(path, encoding="utf-8", xml_declaration=True)
    return path
