"""Plans worth approving: the goal's words read and stated, a verdict with its reason, the
alternatives priced by the planner's own rule, the budget explained, the test's power."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from copilot.core.errors import ToolError
from tools import ToolContext
from tools.plan_goal import read_goal
from tools.plan_power import _Z, plan_power
from tools.planning import plan_campaign
from tools.profiling.api import profiles

SUITE = Path(__file__).resolve().parents[1] / "evals" / "suites" / "plans.yaml"


def test_a_goal_naming_coffee_plans_coffee_for_its_past_buyers(demo_ctx: ToolContext) -> None:
    plan = plan_campaign(demo_ctx, goal="Grow repeat purchases of coffee", budget=5000.0)
    catalog = demo_ctx.catalog()
    coffee = set(catalog.index[catalog["title"].str.contains("Coffee")])
    r = plan.reading
    assert (r.word, r.by_title, r.products, r.category) == (
        "coffee",
        True,
        len(coffee),
        "Coffee & Tea",
    )
    assert r.repeat and r.buyers_only and r.audience_basis == "default"
    assert plan.products and {p.sku for p in plan.products} <= coffee
    # The audience: at-risk customers who ever bought one of those products.
    lines = demo_ctx.shop.order_lines()
    buyers = set(
        lines[lines["sku"].isin(coffee) & (lines["quantity"] > 0)]["customer_id"].astype(str)
    )
    table = profiles(demo_ctx).table
    at_risk = set(table.index[table["rfm_segment"] == "at_risk"].astype(str))
    assert plan.audience.customers == len(at_risk & buyers) < len(at_risk)
    assert sorted(plan.audience.bought_skus) == sorted(coffee)
    assert "coffee" in r.text and "bought them before" in r.text
    assert "咖啡" not in r.text and "“coffee”" in plan.to_markdown("zh")


def test_a_chinese_goal_is_read_the_same_way(demo_ctx: ToolContext) -> None:
    catalog = demo_ctx.catalog()
    reading = read_goal("提升咖啡的复购", catalog, None)
    assert reading.word == "咖啡" and reading.repeat and reading.buyers_only
    assert set(reading.skus) == set(catalog.index[catalog["title_zh"].str.contains("咖啡")])
    assert reading.category == "Coffee & Tea"


def test_a_category_name_selects_the_category(demo_ctx: ToolContext) -> None:
    catalog = demo_ctx.catalog()
    reading = read_goal("Promote stationery to loyal customers", catalog, None)
    assert (reading.word, reading.by_title, reading.category) == ("stationery", False, "Stationery")
    assert set(reading.skus) == set(catalog.index[catalog["category"] == "Stationery"])
    assert reading.segment == "champions" and not reading.buyers_only  # "loyal" -> champions


def test_no_managers_brief_of_the_plans_suite_is_misread_as_products(
    demo_ctx: ToolContext,
) -> None:
    """Modifiers shared across categories ("premium", "family size") name no products."""
    cases = yaml.safe_load(SUITE.read_text(encoding="utf-8"))["cases"]
    catalog = demo_ctx.catalog()
    for case in (c for c in cases if "goal_words" not in c.get("tags", [])):
        said = case["input"] if isinstance(case["input"], list) else [case["input"]]
        for text in said:
            assert read_goal(text, catalog, None).word is None, text
    assert read_goal("A premium campaign for mini budgets", catalog, None).word is None


def test_a_losing_plan_says_do_not_run_and_prices_cheaper_ways(demo_ctx: ToolContext) -> None:
    plan = plan_campaign(demo_ctx, goal="Win back lapsed customers", budget=5000.0, channel="email")
    assert plan.offer.outcome == "no_profit" and plan.expected.profit < 0
    assert (plan.verdict.code, plan.verdict.reason) == ("dont_run", "no_offer_pays")
    # Without a price offer the campaign pays for itself at channel cost / margin.
    be = plan.expected.break_even_revenue
    assert be is not None and be > plan.budget.channel_cost
    assert plan.alternatives and all(a.cost < plan.budget.channel_cost for a in plan.alternatives)
    profits = [a.profit for a in plan.alternatives]
    assert profits == sorted(profits, reverse=True)
    assert "Do not run" in plan.verdict.text and "best alternative" in plan.verdict.text
    # The remainder of the budget is explained, and more budget changes nothing.
    assert plan.budget.remainder == "no_price_offer"
    assert plan.budget.needed == pytest.approx(plan.budget.channel_cost, abs=0.01)
    bigger = plan_campaign(
        demo_ctx, goal="Win back lapsed customers", budget=50000.0, channel="email"
    )
    assert bigger.expected == plan.expected and bigger.verdict.code == "dont_run"


def test_an_alternative_is_what_the_planner_gives_when_asked_for_it(
    demo_ctx: ToolContext,
) -> None:
    """Loyal customers at 5,000: the profitable depth costs more than the budget over four
    weeks; one week of it fits and makes money, so the verdict is to run it smaller."""
    plan = plan_campaign(
        demo_ctx, goal="Thank loyal customers", budget=5000.0, audience="loyal", channel="email"
    )
    assert plan.offer.outcome == "over_budget" and plan.expected.profit < 0
    assert plan.verdict.code == "run_smaller"
    best = plan.alternatives[0]
    assert best.profit > 0 and best.weeks < 4 and not best.recent_only
    asked = plan_campaign(
        demo_ctx,
        goal="Thank loyal customers",
        budget=5000.0,
        audience="loyal",
        channel=best.channel,
        weeks=best.weeks,
    )
    assert asked.verdict.code == "run"
    assert asked.expected.profit == pytest.approx(best.profit, abs=0.01)
    assert asked.budget.offer_cost + asked.budget.channel_cost == pytest.approx(best.cost, abs=0.02)
    assert asked.offer.depth_pct == best.depth_pct
    # The budget moves the plan: at the budget the profitable depth needs, it is offered.
    assert plan.budget.remainder == "over_budget" and plan.budget.needed > 5000
    enough = plan_campaign(
        demo_ctx,
        goal="Thank loyal customers",
        budget=math.ceil(plan.budget.needed) + 1.0,
        audience="loyal",
        channel="email",
    )
    assert enough.offer.outcome == "offer" and enough.offer.depth_pct is not None


def test_a_profitable_plan_runs_and_says_what_its_budget_needs(demo_ctx: ToolContext) -> None:
    plan = plan_campaign(
        demo_ctx, goal="Reactivate customers about to sleep", budget=5000.0, channel="social"
    )
    assert plan.audience.segment == "about_to_sleep"
    assert plan.expected.profit > 0 and plan.verdict.code == "run"
    assert plan.alternatives == []
    assert plan.budget.remainder == "best_depth_cheaper"
    assert plan.budget.needed == pytest.approx(5000 - plan.budget.unallocated, abs=0.02)
    richer = plan_campaign(
        demo_ctx, goal="Reactivate customers about to sleep", budget=9000.0, channel="social"
    )
    assert richer.expected == plan.expected


def _synthetic_lines(n: int, sd: float, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """One purchase per customer in the last four weeks with a known spread, nothing before."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2026-06-30")
    value = rng.normal(50, sd, n).clip(0.01)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "ts": end - pd.to_timedelta(rng.integers(0, 27, n), unit="D"),
            "quantity": 1,
            "unit_price": value,
        }
    ), value


def test_the_test_power_is_the_textbook_one_and_its_remedy_is_the_smallest() -> None:
    lines, value = _synthetic_lines(2000, 20.0)
    members = pd.Index(lines["customer_id"])
    sd = float(np.std(value, ddof=1))
    expected = _Z * sd * math.sqrt(1 / 1800 + 1 / 200)
    enough = plan_power(lines, members, effect_per_week=expected / 4 * 1.01, weeks=4, holdout=200)
    assert not enough.underpowered
    assert enough.detectable_per_customer == pytest.approx(expected, rel=1e-6)
    short = plan_power(lines, members, effect_per_week=expected / 4 * 0.8, weeks=4, holdout=200)
    assert short.underpowered and short.needed_holdout is not None
    h = short.needed_holdout
    reach = lambda k: _Z * sd * math.sqrt(1 / (2000 - k) + 1 / k)  # noqa: E731
    assert reach(h) <= 0.8 * expected < reach(h - 1)


def test_an_underpowered_plan_says_what_would_detect_its_effect(demo_ctx: ToolContext) -> None:
    plan = plan_campaign(
        demo_ctx, goal="Reactivate customers about to sleep", budget=5000.0, channel="social"
    )
    x = plan.ab_test
    assert x.effect_basis == "forecast"
    assert x.effect_per_customer == pytest.approx(plan.expected.revenue / x.treated)
    assert x.underpowered and x.detectable_per_customer > x.effect_per_customer
    assert (x.needed_holdout, x.needed_weeks, x.needed_customers) != (None, None, None)
    assert "underpowered" in x.text


INTERNAL = re.compile(r"COPILOT_|\b[a-z]+_[a-z_]+\b|plan_campaign|recommend_discount")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_nothing_internal_appears_in_a_plan(demo_ctx: ToolContext, language: str) -> None:
    for kw in (
        {"goal": "Win back lapsed customers"},
        {"goal": "Grow repeat purchases of coffee"},
        {"goal": "Thank loyal customers", "audience": "loyal", "channel": "email"},
        {"goal": "Reactivate customers about to sleep", "channel": "social"},
    ):
        text = plan_campaign(demo_ctx, budget=5000.0, **kw).to_markdown(language)
        assert not INTERNAL.findall(text), (kw, INTERNAL.findall(text))


def test_a_customer_list_is_the_audience_the_approval_freezes(demo_ctx: ToolContext) -> None:
    """A list from find_customers (at-risk customers with churn risk above 60% and CLV of at
    least 100) handed to the planner: the plan targets exactly those customers, says so, and
    the model-facing schema never offers the filters."""
    from tools.plan_economics import audience_members
    from tools.profiling.api import find_customers

    listed = find_customers(
        demo_ctx, segment="at_risk", churn_risk_above=0.6, min_clv=100.0, limit=100
    )
    plan = plan_campaign.run(
        demo_ctx,
        {"goal": "Win back lapsed customers", "budget": 5000.0, "audience": "at_risk"},
        filters=listed.filters,
    )
    assert plan.audience.customers == listed.count < 666
    assert plan.audience.filters == {"churn_risk_above": 0.6, "min_clv": 100.0}
    assert "churn risk above 60%" in plan.reading.text and "the list" in plan.reading.text
    assert "流失风险高于 60%" in plan.to_markdown("zh")
    table = profiles(demo_ctx).table
    members = audience_members(
        table, demo_ctx.shop.order_lines(), "at_risk", (), plan.audience.filters
    )
    assert len(members) == listed.count
    assert "filters" not in plan_campaign.json_schema()["properties"]
    with pytest.raises(ToolError, match="passes the list's filters"):
        plan_campaign.run(
            demo_ctx,
            {"goal": "Win back lapsed customers", "budget": 5000.0, "audience": "at_risk"},
            filters={"min_clv": 10**9},
        )


def test_a_list_naming_no_segment_is_planned_across_segments(demo_ctx: ToolContext) -> None:
    from tools.profiling.api import find_customers

    listed = find_customers(demo_ctx, churn_risk_above=0.6, min_clv=100.0)
    plan = plan_campaign.run(
        demo_ctx, {"goal": "Keep our valuable customers", "budget": 5000.0}, filters=listed.filters
    )
    assert plan.audience.segment == "all" and plan.audience.label == "All customers"
    assert plan.audience.customers == listed.count
    assert plan.reading.audience_basis == "list"
    assert "the customer list, across segments" in plan.reading.text
    assert "全部客户" in plan.to_markdown("zh")


def test_a_depth_the_manager_chooses_is_priced_by_the_same_analysis(
    demo_ctx: ToolContext,
) -> None:
    """The what-if's offer control: a chosen depth is priced even when it loses money, never
    beats the analysis's own choice, and says it was chosen."""
    brief = {"goal": "Reactivate customers about to sleep", "budget": 5000.0, "channel": "social"}
    best = plan_campaign.run(demo_ctx, brief)
    assert best.offer.chosen_by == "analysis" and best.offer.depth_pct == 5.0
    for depth in (10.0, 15.0, 20.0):
        chosen = plan_campaign.run(demo_ctx, brief, depth_pct=depth)
        assert chosen.offer.depth_pct == depth and chosen.offer.chosen_by == "manager"
        assert chosen.expected.profit < best.expected.profit
        assert chosen.budget.offer_cost > best.budget.offer_cost
        assert f"{depth:.0f}% off, as chosen" in chosen.to_markdown()
    deep = plan_campaign.run(demo_ctx, brief, depth_pct=20.0)
    # 20% loses money; the analysis's own 5% is the alternative that pays.
    assert deep.expected.profit < 0 and deep.verdict.code == "run_smaller"
    assert deep.alternatives[0].depth_pct == 5.0
    assert deep.alternatives[0].profit == pytest.approx(best.expected.profit)
    plain = plan_campaign.run(demo_ctx, brief, depth_pct=0.0)
    assert plain.offer.depth_pct is None and plain.budget.offer_cost == 0.0
    assert "No price offer, as chosen." in plain.to_markdown()
    with pytest.raises(ToolError, match="costs more than"):
        plan_campaign.run(demo_ctx, {**brief, "budget": 300.0}, depth_pct=30.0)
