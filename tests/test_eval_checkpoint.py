"""Finished cases survive a killed run: saved per case, reused by --resume when unchanged."""

from __future__ import annotations

from pathlib import Path

from copilot.agent import Agent
from copilot.evaluation.cases import Case, Expect, Suite
from copilot.evaluation.checkpoint import Checkpoint
from copilot.evaluation.report import case_json
from copilot.evaluation.results import Attempt, CaseResult, Turn
from copilot.evaluation.runner import RunOptions, run_agent_suite
from copilot.evaluation.scorers import Verdict
from copilot.testing import ScriptedModel, assistant_message
from tools import ToolContext

KEY = {"backend": "local", "model": "m", "repeat": 1, "rubric": False}


def finished(case: Case, passed: bool = True) -> CaseResult:
    tools = [{"name": "segment_overview", "arguments": {}, "ok": True, "result": "{}"}]
    attempt = Attempt(
        [Verdict("tools", passed, "why", {"f1": 1.0, "exact": 1.0})],
        [Turn(case.turns[0], "answer", 3.5, "en", tools, {"ok": True}, ["a#b"])],
    )
    return CaseResult(case, [attempt])


def test_saved_cases_round_trip_and_stale_ones_are_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    a, b = Case("a", ("q1",), Expect()), Case("b", ("q2",), Expect())
    fresh = Checkpoint(path, KEY, resume=False)
    fresh.save("core", finished(a))
    fresh.save("core", finished(b, passed=False))
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"run": {"backend": "lo')  # the line a kill cut short
    again = Checkpoint(path, KEY, resume=True)
    assert again.reusable == 2
    reused = again.lookup("core", a, required=True)
    assert reused is not None and reused.required and reused.passed
    assert case_json(reused) == case_json(CaseResult(a, finished(a).attempts, True))
    assert again.lookup("core", Case("b", ("edited question",), Expect()), False) is None
    assert again.lookup("plans", a, False) is None
    other_model = Checkpoint(path, {**KEY, "model": "other"}, resume=True)
    assert other_model.reusable == 0
    assert Checkpoint(path, KEY, resume=False).reusable == 0 and path.read_text() == ""


def test_resumed_run_asks_the_model_only_for_unfinished_cases(
    indexed_demo_ctx: ToolContext, tmp_path: Path
) -> None:
    done = Case("done", ("What customer segments do I have?",), Expect(tools=("segment_overview",)))
    todo = Case("todo", ("Hello!",), Expect(tools=()))
    checkpoint = Checkpoint(tmp_path / "p.jsonl", KEY, resume=False)
    checkpoint.save("s", finished(done))
    model = ScriptedModel([assistant_message("Hello! How can I help?")])  # one step: "todo"
    suite = Suite("s", Path("s.yaml"), "agent", (done, todo))
    options = RunOptions(checkpoint=Checkpoint(tmp_path / "p.jsonl", KEY, resume=True))
    result = run_agent_suite(suite, Agent(model, indexed_demo_ctx), options)
    model.assert_complete()
    assert len(model.calls) == 1
    assert [c.case.id for c in result.cases] == ["done", "todo"]
    assert all(c.passed for c in result.cases)
    assert result.cases[0].attempts[0].turns[0].latency_s == 3.5  # the saved one
    assert len((tmp_path / "p.jsonl").read_text("utf-8").splitlines()) == 2


def test_extra_documents_live_in_a_private_copy_of_the_knowledge_base(
    indexed_demo_ctx: ToolContext,
) -> None:
    """A concurrent run (or the UI) on the same data directory never sees them come and go."""
    from copilot.evaluation.cases import EVALS_DIR
    from copilot.evaluation.runner import extra_documents
    from tools.knowledge_search import knowledge_store, search_knowledge

    shared = knowledge_store(indexed_demo_ctx)
    before = sorted(shared.collection.get()["ids"])
    question = "How much does gift wrapping cost?"
    with extra_documents(indexed_demo_ctx, [EVALS_DIR / "fixtures" / "docs"]):
        inside = search_knowledge(indexed_demo_ctx, query=question)
        assert inside.passages[0].citation.startswith("gift-wrapping")
        assert knowledge_store(indexed_demo_ctx) is not shared
        assert sorted(shared.collection.get()["ids"]) == before
    assert knowledge_store(indexed_demo_ctx) is shared
    after = search_knowledge(indexed_demo_ctx, query=question)
    assert not any(p.citation.startswith("gift-wrapping") for p in after.passages)
    assert sorted(shared.collection.get()["ids"]) == before
