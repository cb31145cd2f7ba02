"""The plans suite's campaign-loop cases run in a private copy of the shop where plan 1 went
the whole loop; the evaluated shop and its knowledge base are left exactly as they were."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from copilot.agent import Agent
from copilot.evaluation.cases import load_suite
from copilot.evaluation.runner import RunOptions, run_suites
from copilot.llm.demo_script import KeywordModel
from copilot.shop.plans import PlanStore
from tests.conftest import db_digest
from tools import ToolContext
from tools.knowledge_search import knowledge_store

SUITE = Path(__file__).resolve().parents[1] / "evals" / "suites" / "plans.yaml"


def test_played_cases_ask_a_private_shop_where_the_campaign_went_the_whole_loop(
    indexed_demo_ctx: ToolContext,
) -> None:
    ctx = indexed_demo_ctx
    suite = load_suite(SUITE)
    wanted = {"readout-en", "after-en"}
    suite = replace(suite, cases=tuple(c for c in suite.cases if c.id in wanted))
    shop_db = ctx.settings.home_dir / "shop.db"
    before, plans = db_digest(shop_db), PlanStore(ctx.shop.engine).count()
    chunks = knowledge_store(ctx).count()
    run = run_suites([suite], ctx, Agent(KeywordModel(), ctx), RunOptions(progress=False))
    results = {r.case.id: r for r in run.suites[0].cases}
    readout = results["readout-en"].attempts[0]
    traces = readout.turns[-1].tools
    assert [t["name"] for t in traces] == ["campaign_readout"] and traces[0]["ok"]
    assert "made money" in readout.turns[-1].answer, readout.turns[-1].answer
    assert results["readout-en"].passed, [v.reason for v in readout.verdicts if not v.passed]
    # The evaluated shop never saw the plan, the simulated orders or the lesson.
    assert db_digest(shop_db) == before and PlanStore(ctx.shop.engine).count() == plans
    assert knowledge_store(ctx).count() == chunks
    hits = knowledge_store(ctx).search("what did we learn from win-back campaigns", limit=10)
    assert not any(h.citation.startswith("lesson-") for h in hits)
