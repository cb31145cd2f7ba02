"""Reports: JUnit XML valid against its XSD, the Markdown summary, and an end-to-end run of
``copilot eval`` with the offline keyword backend (reports, baseline update, regression gate)."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from copilot.agent import Agent
from copilot.cli import main
from copilot.core.settings import Settings
from copilot.evaluation.cases import EVALS_DIR, Case, Expect, Suite, Thresholds
from copilot.evaluation.command import add_arguments, run_command
from copilot.evaluation.report import junit_xml
from copilot.evaluation.results import (
    Attempt,
    CaseResult,
    RunResult,
    SuiteResult,
    Turn,
    suite_metrics,
    threshold_verdicts,
)
from copilot.evaluation.scorers import Verdict
from copilot.evaluation.summary import markdown
from copilot.llm.demo_script import KeywordModel
from tools import ToolContext

XSD = etree.XMLSchema(etree.parse(str(EVALS_DIR / "schemas" / "junit.xsd")))


def sample_run() -> RunResult:
    def attempt(ok: bool, error: str | None = None, seconds: float = 2.0) -> Attempt:
        verdicts = [Verdict("tools", ok, "called [x]" if ok else "missing <profile_customer> & co")]
        tools = [
            {
                "name": "profile_customer",
                "arguments": {"customer_id": "C1"},
                "ok": ok,
                "result": "{}",
            }
        ]
        return Attempt(verdicts, [Turn("客户 C1 的画像?", "答案 <b>", seconds, "zh", tools)], error)

    cases = {
        "pass": [attempt(True, seconds=1.0)],
        "fail": [attempt(False, seconds=9.0)],
        "flaky": [attempt(True), attempt(False)],
        "boom": [Attempt([Verdict("error", False, "RuntimeError: x")], [], "RuntimeError: x")],
    }
    suite = Suite(
        "core",
        Path("core.yaml"),
        "agent",
        tuple(Case(k, ("q",), Expect(tools=("profile_customer",)), ("tag1",), "zh") for k in cases),
        Thresholds(min_pass_rate=0.9, required=("fail",)),
    )
    results = [CaseResult(c, cases[c.id], c.id == "fail") for c in suite.cases]
    return RunResult(
        [
            SuiteResult(
                suite, results, suite_metrics(results), threshold_verdicts(suite, results), 14.0
            )
        ],
        "2026-11-28T07:00:00+00:00",
        15.0,
        "local",
        "qwen",
        2,
        "abc123",
    )


def test_junit_is_valid_and_counts_failures_errors_and_thresholds(tmp_path: Path) -> None:
    tree = junit_xml(sample_run())
    path = tmp_path / "junit.xml"
    tree.write(path, encoding="utf-8", xml_declaration=True)
    doc = etree.parse(str(path))
    assert XSD.validate(doc), XSD.error_log
    suite = doc.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "3", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"pass", "fail", "flaky", "boom", "thresholds"}
    assert cases["pass"].find("failure") is None and cases["pass"].get("time") == "1.000"
    flaky = cases["flaky"].find("failure")
    assert flaky is not None and flaky.get("type") == "flaky"
    assert cases["boom"].find("error") is not None
    below = cases["thresholds"].find("failure")
    assert below is not None and "minimum 90.0%" in (below.get("message") or "")
    out = cases["fail"].find("system-out")
    assert (
        out is not None
        and "profile_customer" in (out.text or "")
        and "答案 <b>" in (out.text or "")
    )


def test_the_xsd_rejects_what_ci_servers_cannot_read() -> None:
    bad = etree.fromstring(b'<testsuites><testsuite tests="1"><testcase/></testsuite></testsuites>')
    assert not XSD.validate(bad)  # a testsuite and a testcase need names


def test_markdown_summary_has_every_section() -> None:
    text = markdown(sample_run(), ["core: min_pass_rate: pass rate 25.0% (minimum 90.0%)"])
    assert "**Gate: FAIL**" in text and "- core: min_pass_rate" in text
    for heading in (
        "## Pass rate by tag",
        "## Pass rate by language",
        "## Scorers",
        "## Tool routing",
        "## Slowest cases",
        "## Failing cases (3)",
    ):
        assert heading in text, heading
    assert "| core / zh | 4 | 1 | 25% |" in text
    # The errored attempt never reached a tool: it counts as a miss and an unexpected "no tool".
    assert "| profile_customer | 5 | 4 | 80% | 0 |" in text
    assert "| (no tool) | 0 | 0 | - | 1 |" in text
    slowest = text.split("## Slowest cases")[1]
    assert slowest.index("core/fail") < slowest.index("core/pass")


SUITE = """suite: e2e
documents: [docs]
thresholds: {min_pass_rate: 0.5}
cases:
  - id: recs
    required: true
    input: Recommend products for customer C10001
    expect:
      tools: [recommend_products]
      arguments: {recommend_products: {customer_id: C10001}}
  - id: segments
    input: What customer segments do I have?
    expect: {tools: [segment_overview], contains: [champions]}
  - id: gift-policy
    input: What is the gift wrapping policy?
    expect: {tools: [search_knowledge], tools_forbidden: [find_customers], not_contains: [TFIG]}
  - id: segments-zh
    language: zh
    input: 我有哪些客户分群？
    expect: {tools: [segment_overview], language: en}
"""


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
def suite_file(tmp_path: Path) -> Path:
    path = tmp_path / "suite" / "e2e.yaml"
    shutil.copytree(EVALS_DIR / "fixtures" / "docs", path.parent / "docs")
    path.write_text(SUITE, encoding="utf-8")
    return path


def test_copilot_eval_end_to_end_with_the_keyword_backend(
    indexed_demo_ctx: ToolContext,
    suite_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COPILOT_HOME", str(indexed_demo_ctx.settings.home))
    report = tmp_path / "report"
    argv = ["eval", str(suite_file), "--backend", "scripted", "--report", str(report)]
    assert main([*argv, "--no-progress"], context=indexed_demo_ctx) == 0
    printed = capsys.readouterr().out
    assert "e2e: 3/4 passed (75.0%)" in printed
    data = json.loads((report / "report.json").read_text("utf-8"))
    assert (data["backend"], data["model"], data["repeat"]) == ("scripted", "keyword", 1)
    cases = {c["id"]: c for c in data["suites"][0]["cases"]}
    assert set(cases) == {"recs", "segments", "gift-policy", "segments-zh"}
    recs = cases["recs"]["attempts"][0]
    assert {v["scorer"] for v in recs["verdicts"]} >= {"tools", "arguments", "grounded", "language"}
    (turn,) = recs["turns"]
    assert turn["tools"][0]["name"] == "recommend_products" and turn["tools"][0]["ok"]
    assert turn["answer"] and turn["latency_s"] > 0 and turn["grounding"]["ok"]
    zh = cases["segments-zh"]
    assert not zh["passed"] and zh["attempts"][0]["verdicts"][-1]["scorer"] == "language"
    # The suite's extra documents were searchable during the run (the injected note) ...
    gift = cases["gift-policy"]["attempts"][0]["turns"][0]["tools"][0]["result"]
    assert "gift-wrapping" in gift
    # ... and are gone from the knowledge base afterwards.
    from knowledge.store import KnowledgeStore

    hits = KnowledgeStore(indexed_demo_ctx.settings).search("gift wrapping supplier note", limit=10)
    assert hits and not any(h.citation.startswith("gift-wrapping") for h in hits)
    assert XSD.validate(etree.parse(str(report / "junit.xml")))
    summary = (report / "summary.md").read_text("utf-8")
    assert "**Gate: PASS**" in summary and "e2e/segments-zh" in summary


def test_baseline_update_then_regression_exits_1(
    indexed_demo_ctx: ToolContext, suite_file: Path, tmp_path: Path
) -> None:
    def agent(settings: Settings) -> Agent:
        return Agent(KeywordModel(), indexed_demo_ctx)  # share fitted models across runs

    def tools(settings: Settings) -> ToolContext:
        return indexed_demo_ctx

    settings = indexed_demo_ctx.settings
    baseline = tmp_path / "baseline.json"
    report = str(tmp_path / "r")
    common = [str(suite_file), "--report", report, "--no-progress", "--baseline", str(baseline)]
    assert run_command(_args(*common, "--update-baseline"), settings, agent, tools) == 0
    stored = json.loads(baseline.read_text("utf-8"))
    assert "turns" not in stored["suites"][0]["cases"][0]["attempts"][0]  # slim
    assert run_command(_args(*common), settings, agent, tools) == 0
    # The required case now expects another customer: it passed before and fails now.
    suite_file.write_text(SUITE.replace("customer_id: C10001}", "customer_id: C10002}"), "utf-8")
    assert run_command(_args(*common), settings, agent, tools) == 1
    summary = (Path(report) / "summary.md").read_text("utf-8")
    assert "**Gate: FAIL**" in summary and "required case recs fails" in summary
    assert "**Newly failing (1)**:" in summary and "- e2e/recs (required)" in summary
