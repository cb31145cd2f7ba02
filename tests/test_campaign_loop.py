"""Issue 21: a plan saved, approved (audience frozen and split by a seeded hash), exported,
played on the demo shop with a planted uplift, and read out against its holdout."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from copilot.core.errors import InputError, ToolError
from copilot.core.settings import Settings
from copilot.demo.campaign_sim import simulate_campaign
from copilot.shop import ShopData
from copilot.shop.plans import PlanStore
from copilot.shop.store import copy_sqlite
from tools import ToolContext
from tools.campaigns.approval import approve_plan, audience_frame, hash_share, split
from tools.campaigns.lessons import measured_numbers
from tools.campaigns.readout import CampaignReadout, campaign_readout
from tools.findings import Say, describe
from tools.findings.readout import lesson
from tools.planning import plan_campaign
from tools.profiling.api import find_customers, profiles


def _writable_copy(demo_ctx: ToolContext, home: Path) -> ToolContext:
    """The session's demo shop copied (SQLite's backup: the open original stays as it is)."""
    home.mkdir(parents=True, exist_ok=True)
    copy_sqlite(demo_ctx.settings.home_dir / "shop.db", home / "shop.db")
    settings = Settings(home=home)
    return ToolContext(ShopData.open(settings.effective_database_url), settings)


def _save(
    ctx: ToolContext,
    goal: str,
    audience: str,
    holdout: float,
    start: str | None = None,
    weeks: int = 4,
) -> int:
    inputs = {
        "weeks": weeks,
        "goal": goal,
        "budget": 5000.0,
        "audience": audience,
        "holdout_share": holdout,
        "start": start,
    }
    plan = plan_campaign(ctx, **inputs)
    return PlanStore(ctx.shop.engine).save(inputs, plan.to_json_dict(), ctx.shop.version(), "t")


@pytest.fixture(scope="module")
def played(
    demo_ctx: ToolContext, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ToolContext, dict[str, int]]:
    """Two approved plans with half their audience held out: at-risk customers with a planted
    20-point rise in conversion, loyal customers with none; both campaigns simulated. A third
    (champions, 12 weeks) started two weeks before the data ended: about half-way through
    once the simulated orders extend the data."""
    ctx = _writable_copy(demo_ctx, tmp_path_factory.mktemp("loop"))
    end = ctx.shop.order_lines()["ts"].max().normalize()
    ids = {
        "at_risk": _save(ctx, "win back at-risk customers", "at_risk", 0.5),
        "loyal": _save(ctx, "thank loyal customers", "loyal", 0.5),
        "running": _save(
            ctx,
            "thank champions",
            "champions",
            0.5,
            start=str((end - pd.Timedelta(days=13)).date()),
            weeks=12,
        ),
    }
    for plan_id in ids.values():
        approve_plan(ctx, plan_id)
    simulate_campaign(ctx.shop, ids["at_risk"], uplift=0.20)  # after the data end
    simulate_campaign(ctx.shop, ids["loyal"], uplift=0.0)
    return ctx, ids


def test_the_split_is_stable_uniform_and_depends_on_the_plan() -> None:
    customers = [f"C{n}" for n in range(20_000)]
    first = split(customers, 7, 0.1)
    assert first == split(customers, 7, 0.1)  # re-running gives the same groups
    held = sum(arm == "holdout" for arm in first.values())
    assert abs(held - 2_000) < 3 * np.sqrt(20_000 * 0.1 * 0.9)
    other = split(customers, 8, 0.1)
    both = sum(first[c] == other[c] == "holdout" for c in customers)
    assert abs(both - 200) < 3 * np.sqrt(20_000 * 0.01)  # independent across plans
    shares = np.array([hash_share(c, "plan-7") for c in customers])
    assert stats.kstest(shares, "uniform").pvalue > 0.01


def test_a_saved_plan_moves_from_draft_to_approved_once(
    demo_ctx: ToolContext, tmp_path: Path
) -> None:
    ctx = _writable_copy(demo_ctx, tmp_path / "home")
    plan_id = _save(ctx, "win back at-risk customers", "at_risk", 0.1)
    store = PlanStore(ctx.shop.engine)
    record = store.get(plan_id)
    assert record.status == "draft" and record.data_version == ctx.shop.version()
    assert record.inputs["holdout_share"] == 0.1 and record.plan["audience"]["segment"] == "at_risk"
    with pytest.raises(InputError, match="is a draft: approve it first"):
        audience_frame(ctx, plan_id)
    with pytest.raises(ToolError, match="is a draft"):
        campaign_readout(ctx, plan_id=plan_id)
    done = approve_plan(ctx, plan_id)
    assert done.record.status == "approved" and done.record.offer_code == f"PLAN{plan_id}-NOPRICE"
    assert done.treatment + done.holdout == record.plan["audience"]["customers"]
    with pytest.raises(InputError, match="already approved; its audience is frozen"):
        approve_plan(ctx, plan_id)
    frame = audience_frame(ctx, plan_id)
    assert list(frame.columns) == ["customer_id", "group", "offer_code"]
    assert set(frame.loc[frame["group"] == "holdout", "offer_code"]) == {""}
    assert set(frame.loc[frame["group"] == "treatment", "offer_code"]) == {done.record.offer_code}
    # The data ends before the campaign starts: nothing to read out yet, and it says so.
    with pytest.raises(ToolError, match="no orders since plan"):
        campaign_readout(ctx, plan_id=plan_id)
    with pytest.raises(InputError, match="no saved plan 99"):
        store.get(99)


def test_the_groups_are_balanced_before_the_start(
    played: tuple[ToolContext, dict[str, int]],
) -> None:
    """Pre-period spend and country mix of treatment and holdout: chi-square tests."""
    ctx, ids = played
    for plan_id in ids.values():
        arms = PlanStore(ctx.shop.engine).assignments(plan_id).set_index("customer_id")["arm"]
        customers = ctx.shop.customers().set_index("customer_id").reindex(arms.index)
        result = campaign_readout(ctx, plan_id=plan_id)
        assert result.balance_p > 0.01
        countries = stats.chi2_contingency(
            np.array(
                [
                    customers.loc[arms == arm, "country"]
                    .value_counts()
                    .reindex(sorted(customers["country"].unique()), fill_value=0)
                    for arm in ("treatment", "holdout")
                ]
            )
        )
        assert countries.pvalue > 0.01, plan_id


def _conversion(result: CampaignReadout) -> tuple[float, float, float]:
    m = result.metrics[0]
    return m.cuped_diff, m.cuped_low, m.cuped_high


def test_the_readout_recovers_the_planted_uplift(
    played: tuple[ToolContext, dict[str, int]],
) -> None:
    ctx, ids = played
    treated = campaign_readout(ctx, plan_id=ids["at_risk"])
    diff, low, high = _conversion(treated)
    assert treated.complete and low <= 0.20 <= high and low > 0, (diff, low, high)
    assert treated.incremental_revenue_low > 0  # more buyers, more revenue
    null = campaign_readout(ctx, plan_id=ids["loyal"])
    diff, low, high = _conversion(null)
    assert low <= 0 <= high, (diff, low, high)
    # CUPED: the pre-period spend narrows the revenue interval (by how much is in the result).
    revenue = treated.metrics[1]
    assert revenue.variance_reduction > 0.05
    assert revenue.cuped_high - revenue.cuped_low < revenue.high - revenue.low
    en = describe(treated, "en").text()
    # The verdict follows the profit interval; the conversion sentence states the estimate.
    low, high = treated.incremental_profit_low, treated.incremental_profit_high
    verdict = "made money" if low > 0 else "lost money" if high < 0 else "Too close to call"
    assert verdict in en and f"+{100 * treated.metrics[0].cuped_diff:.1f} points" in en, en
    zh = describe(null, "zh").text()
    assert "对照" in zh and "无法判定" in zh, zh
    # The post-mortem: planned, happened, learned; the Chinese one in Chinese.
    record = PlanStore(ctx.shop.engine).get(ids["at_risk"])
    text = lesson(treated, record.plan, Say("en"))
    assert (
        text.startswith("# Lesson from the win-back campaign of plan")
        and "## What we learned" in text
    )
    chinese = lesson(treated, record.plan, Say("zh"))
    body = chinese.replace(record.goal, "").replace("CUPED", "")
    assert re.findall(r"[A-Za-z]{4,}", body) == [], body


def test_a_look_before_the_planned_end_gives_an_always_valid_interval(
    played: tuple[ToolContext, dict[str, int]],
) -> None:
    ctx, ids = played
    result = campaign_readout(ctx, plan_id=ids["running"])
    assert not result.complete and 0.4 < result.elapsed_share < 0.7
    for m in result.metrics:
        assert m.always_valid_low is not None and m.always_valid_high is not None
        assert m.always_valid_low < m.cuped_low and m.always_valid_high > m.cuped_high
    n = result.treatment
    profit = result.metrics[2]
    assert result.incremental_profit_low == pytest.approx(n * (profit.always_valid_low or 0.0))
    assert "still running" in describe(result, "en").text()
    assert "仍在进行" in describe(result, "zh").text()


def test_the_cli_carries_a_plan_from_save_to_readout(demo_ctx: ToolContext, tmp_path: Path) -> None:
    ctx = _writable_copy(demo_ctx, tmp_path / "home")
    ctx.shop.engine.dispose()
    cli = str(Path(sys.executable).parent / "copilot")
    env = {"COPILOT_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [cli, *args], env=env, capture_output=True, text=True, check=False, cwd=tmp_path
        )

    saved = run(
        "plan", "win back at-risk customers", "--budget", "5000", "--no-narrative", "--save"
    )
    assert saved.returncode == 0 and "saved as plan 1 (draft)" in saved.stdout, saved.stderr
    early = run("readout", "1")
    assert early.returncode == 2 and "is a draft" in early.stderr
    approved = run("approve", "1", "--out", "audience.csv")
    assert approved.returncode == 0 and "held out (do not contact them)" in approved.stdout
    with (tmp_path / "audience.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["group"] for r in rows} == {"treatment", "holdout"}
    assert run("simulate-campaign", "1").returncode == 0
    readout = run("readout", "1", "--language", "zh")
    assert readout.returncode == 0 and "对照" in readout.stdout, readout.stderr
    assert "lesson written to the knowledge base: shop:lesson:plan-1" in readout.stderr
    listed = run("plans")
    assert "measured" in listed.stdout
    # The lesson is remembered: a search for what past win-back campaigns taught finds it.
    found = run("search", "what did we learn from win-back campaigns", "--type", "lesson")
    assert "[lesson-plan-1#what-we-learned]" in found.stdout, found.stdout
    found = run("search", "what did we learn from win-back campaigns")  # among every document
    assert "[lesson-plan-1#what-we-learned]" in found.stdout, found.stdout


def test_a_plan_for_past_buyers_of_coffee_freezes_exactly_those_customers(
    demo_ctx: ToolContext, tmp_path: Path
) -> None:
    ctx = _writable_copy(demo_ctx, tmp_path / "coffee")
    plan_id = _save(ctx, "Grow repeat purchases of coffee", "at_risk", 0.2)
    plan = PlanStore(ctx.shop.engine).get(plan_id).plan
    done = approve_plan(ctx, plan_id)
    assert done.treatment + done.holdout == plan["audience"]["customers"]
    frozen = set(PlanStore(ctx.shop.engine).assignments(plan_id)["customer_id"])
    lines = ctx.shop.order_lines()
    coffee = lines[lines["sku"].isin(plan["audience"]["bought_skus"]) & (lines["quantity"] > 0)]
    assert frozen <= set(coffee["customer_id"].astype(str))


def test_a_measured_campaign_moves_the_next_plan_for_its_audience(
    played: tuple[ToolContext, dict[str, int]],
) -> None:
    """The discount analysis sees no effect of a message without an offer; once a win-back
    campaign was measured (a planted 20-point rise in conversion), the next at-risk plan weighs
    the measurement by its precision and says so. A measurement counts only for the same kind
    of offer."""
    ctx, ids = played
    goal = "win back at-risk customers"
    before = plan_campaign(ctx, goal=goal, budget=5000.0, audience="at_risk", holdout_share=0.5)
    assert before.offer.depth_pct is None and before.expected.measured_plans == []
    assert before.expected.revenue == before.expected.model_revenue == 0.0
    assert before.verdict.code != "run"
    store = PlanStore(ctx.shop.engine)
    for key in ("at_risk", "loyal"):
        result = campaign_readout(ctx, plan_id=ids[key])
        plan = store.get(ids[key]).plan
        store.record_lesson(ids[key], "lesson", "教训", measured_numbers(result, plan))
    measured = campaign_readout(ctx, plan_id=ids["at_risk"]).metrics
    revenue_week = measured[1].cuped_diff / 4
    profit_week = measured[2].cuped_diff / 4
    after = plan_campaign(ctx, goal=goal, budget=5000.0, audience="at_risk", holdout_share=0.5)
    e, t = after.expected, after.ab_test.treated * after.timing.weeks
    assert e.measured_plans == [ids["at_risk"]]
    assert e.measured_revenue_week == pytest.approx(revenue_week, rel=1e-4)
    # A model that sees nothing counts as much as the measurement: halfway between them.
    assert e.revenue == pytest.approx(0.5 * revenue_week * t, rel=1e-4)
    assert e.profit == pytest.approx(0.5 * profit_week * t - after.budget.channel_cost, rel=1e-4)
    assert e.model_revenue == 0.0
    assert e.model_profit == pytest.approx(-after.budget.channel_cost, abs=0.01)
    assert after.verdict.code == "run" and e.profit > 0
    assert f"plans {ids['at_risk']} found" in (e.history or "")
    assert "Measured before" in after.to_markdown() and "以往实测" in after.to_markdown("zh")
    loyal = plan_campaign(
        ctx, goal="thank loyal customers", budget=5000.0, audience="loyal", holdout_share=0.5
    )
    # The measured loyal campaign gave 5% off; a plain message for them borrows nothing from it.
    assert store.get(ids["loyal"]).plan["offer"]["depth_pct"] == 5.0
    assert loyal.offer.depth_pct is None and loyal.expected.measured_plans == []


def test_a_plan_for_a_customer_list_freezes_exactly_the_list(
    demo_ctx: ToolContext, tmp_path: Path
) -> None:
    ctx = _writable_copy(demo_ctx, tmp_path / "list")
    listed = find_customers(ctx, churn_risk_above=0.6, country="Germany", limit=100)
    inputs = {"goal": "Keep German customers at risk", "budget": 5000.0, "holdout_share": 0.2}
    plan = plan_campaign.run(ctx, inputs, filters=listed.filters)
    plan_id = PlanStore(ctx.shop.engine).save(
        {**inputs, "filters": listed.filters}, plan.to_json_dict(), ctx.shop.version(), "t"
    )
    done = approve_plan(ctx, plan_id)
    assert done.treatment + done.holdout == listed.count == plan.audience.customers
    table = profiles(ctx).table
    frozen = table.loc[PlanStore(ctx.shop.engine).assignments(plan_id)["customer_id"]]
    assert (frozen["churn_risk"] > 0.6).all() and (frozen["country"] == "Germany").all()


def test_the_audience_export_carries_the_addresses_the_shop_keeps(
    demo_ctx: ToolContext, tmp_path: Path
) -> None:
    from copilot.shop import ingest_file

    ctx = _writable_copy(demo_ctx, tmp_path / "home")
    plan_id = _save(ctx, "win back at-risk customers", "at_risk", 0.2)
    approve_plan(ctx, plan_id)
    with pytest.raises(InputError, match="stores no e-mail addresses.*--keep-email"):
        audience_frame(ctx, plan_id, with_email=True)
    frame = audience_frame(ctx, plan_id)
    known = pd.concat(
        [frame[frame["group"] == "treatment"].head(3), frame[frame["group"] == "holdout"].head(1)]
    )
    addresses = {c: f"buyer{i}@example.com" for i, c in enumerate(known["customer_id"])}
    listed = tmp_path / "customers.csv"
    listed.write_text(
        "customer_id,email\n" + "".join(f"{c},{a}\n" for c, a in addresses.items()),
        encoding="utf-8",
    )
    ingest_file(ctx.shop, listed, show_progress=False, keep_email=True)
    out = audience_frame(ctx, plan_id, with_email=True)
    assert list(out.columns) == ["customer_id", "email", "group", "offer_code"]
    assert len(out) == len(frame)
    emails = out.set_index("customer_id")["email"]
    assert {c: emails[c] for c in addresses} == addresses
    assert (emails.drop(list(addresses)) == "").all()
    # The frozen split is the same with or without addresses.
    assert out["group"].tolist() == frame["group"].tolist()
