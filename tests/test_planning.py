"""Campaign plans: composed from the tools, within budget, exportable."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from copilot.core.errors import ToolError
from tools import ToolContext
from tools.findings.say import Say
from tools.plan_markdown import assumption_text
from tools.plan_types import PlanTiming, plan_json_schema
from tools.planning import plan_campaign


def test_win_back_plan_is_complete_and_within_budget(demo_ctx: ToolContext) -> None:
    plan = plan_campaign(demo_ctx, goal="Win back lapsed customers", budget=5000.0)
    assert plan.audience.segment == "at_risk" and plan.audience.customers > 0
    assert plan.budget.offer_cost + plan.budget.channel_cost <= 5000.0 + 1e-6
    assert plan.budget.unallocated >= -1e-6
    assert plan.products and all(p.customers_suited > 0 for p in plan.products)
    assert plan.channel.name in ("email", "sms", "push", "social")
    holdout = plan.ab_test
    assert holdout.holdout + holdout.treated == plan.audience.customers
    assert 0 < holdout.detectable_lift_pct < 100
    low, high = plan.expected.revenue_range
    assert low <= plan.expected.revenue <= high
    text = plan.to_markdown()
    assert "# Campaign plan: Win back lapsed customers" in text and "**A/B design.**" in text
    assert json.loads(json.dumps(plan.to_json_dict()))["audience"]["segment"] == "at_risk"


def test_explicit_audience_and_channel(demo_ctx: ToolContext) -> None:
    plan = plan_campaign(
        demo_ctx,
        goal="Thank our best customers",
        budget=3000.0,
        audience="champions",
        channel="email",
        start="2026-12-07",
        weeks=2,
    )
    assert plan.audience.segment == "champions"
    assert plan.timing == PlanTiming(start="2026-12-07", weeks=2)
    assert plan.channel.basis == "user" and plan.channel.rationale == "chosen by the user"


def test_budget_too_small_for_the_channel_is_refused(demo_ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="does not cover reaching"):
        plan_campaign(demo_ctx, goal="Win back lapsed customers", budget=1.0, channel="sms")


def test_plan_command_writes_markdown_and_json(
    demo_ctx: ToolContext, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from copilot.cli import main

    monkeypatch.setenv("COPILOT_HOME", str(demo_ctx.settings.home))
    out = Path(str(tmp_path)) / "plan.md"
    args = ["plan", "Win back lapsed customers", "--budget", "5000", "--backend", "scripted"]
    assert main([*args, "--out", str(out)], context=demo_ctx) == 0
    assert out.read_text().startswith("# Campaign plan")
    assert json.loads(out.with_suffix(".json").read_text())["budget"]["total"] == 5000.0
    assert (
        main(["plan", "x y z", "--budget", "5000", "--audience", "nobody"], context=demo_ctx) == 2
    )


def test_chinese_markdown_has_the_same_numbers(demo_ctx: ToolContext) -> None:
    plan = plan_campaign(demo_ctx, goal="召回有流失风险的客户", budget=5000.0)
    zh, en = plan.to_markdown("zh"), plan.to_markdown("en")
    assert zh.startswith("# 活动方案：召回有流失风险的客户") and "**A/B 设计。**" in zh
    assert "**Audience.**" not in zh and "有流失风险" in zh
    customers = f"{plan.audience.customers:,}"
    assert f"{customers} 位客户" in zh and f"{customers} customers" in en
    holdout = f"{plan.ab_test.holdout:,}"
    assert f"对照 {holdout} 位" in zh


def test_narrative_is_grounded_in_the_plan_or_left_out(demo_ctx: ToolContext) -> None:
    from copilot.agent.narrative import write_narrative
    from copilot.testing import ScriptedModel, assistant_message

    plan = plan_campaign(demo_ctx, goal="Win back lapsed customers", budget=5000.0)
    size = plan.audience.customers
    good = f"Target the {size:,} at-risk customers with a 10% holdout."
    ok = write_narrative(ScriptedModel([assistant_message(good)]), plan, "en")
    assert ok.text == good.strip() and ok.grounding.ok and ok.grounding.attempts == 1

    bad = "This campaign will bring 123,456 in revenue."
    fixed = write_narrative(
        ScriptedModel([assistant_message(bad), assistant_message(good)]), plan, "en"
    )
    assert fixed.text == good.strip() and fixed.grounding.attempts == 2

    dropped = write_narrative(
        ScriptedModel([assistant_message(bad), assistant_message(bad)]), plan, "en"
    )
    assert dropped.text is None and dropped.grounding.fallback
    assert dropped.grounding.unsupported == ["123,456"]
    markdown = plan.to_markdown("en", good)
    assert markdown.index("## Summary") < markdown.index("**Objective.**")


@pytest.mark.parametrize(
    ("audience", "outcome"),
    [("at_risk", "no_profit"), ("lost", "no_baseline"), ("loyal", "offer")],
)
def test_the_offer_outcome_is_a_code_the_words_come_from(
    demo_ctx: ToolContext, audience: str, outcome: str
) -> None:
    """No discount pays for the at-risk customers, the lost ones bought nothing lately, the
    loyal ones get an offer; the JSON says so in codes and English words, the Markdown in the
    reader's language from the codes."""
    plan = plan_campaign(
        demo_ctx, goal="a campaign", budget=10000.0, audience=audience, channel="email"
    )
    assert plan.offer.outcome == outcome
    assert (plan.offer.depth_pct is not None) == (outcome == "offer")
    risks = [r.code for r in plan.risks]
    assert risks == ([] if outcome == "offer" else [outcome]) + ["pull_forward", "holdout_contact"]
    en, zh = Say("en"), Say("zh")
    assert plan.risks[-1].text == en("plan.risk.holdout_contact")
    assert [plan.kpis[0]] == ["revenue_per_customer"]
    data = json.loads(json.dumps(plan.to_json_dict()))
    assert list(jsonschema.Draft202012Validator(plan_json_schema()).iter_errors(data)) == []
    assert data["offer"]["outcome"] == outcome and data["offer"]["summary"] == plan.offer.summary
    markdown = plan.to_markdown("zh")
    if outcome != "offer":
        assert zh(f"plan.outcome.{outcome}", weeks=plan.offer.baseline_weeks) in markdown
        assert en(f"plan.outcome.{outcome}", weeks=plan.offer.baseline_weeks) == plan.offer.summary
    assert zh("plan.risk.holdout_contact") in markdown and zh("plan.kpi.purchase_rate") in markdown
    for a in plan.assumptions:  # the discount analysis's chain, in Chinese too
        assert a.text == assumption_text(a.code, a.values, en)
        assert assumption_text(a.code, a.values, zh) in markdown and a.text not in markdown
    body = markdown.replace("a campaign", "").replace(plan.audience.definition, "")
    for p in plan.products:
        body = body.replace(p.title_zh or p.title, "")
    assert re.findall(r"[A-Za-z]{4,}", body) == [], body
