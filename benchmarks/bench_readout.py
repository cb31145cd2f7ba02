"""Issue 21: does the campaign read-out keep its promises on the demo shop?

- Null coverage: 2,000 null campaigns per segment and holdout share, drawn from the segment's
  real customers (tools.campaigns.replicates): how often the 95% interval covers zero, raw
  (Welch's t) and CUPED, how much variance CUPED removed, and the interval widths.
- Peeking: 600 null campaigns read out every week for 8 weeks: how often any look excludes
  zero with the fixed interval (the naive baseline) and with the always-valid one.
- Recovery: the real simulation on a copy of the demo shop (copilot.demo.campaign_sim): plans
  with half their audience held out, planted uplifts 0, 6 and 20 points in conversion, and
  what the read-out finds.

Usage: .venv/bin/python benchmarks/bench_readout.py  (about a minute on 2 cores)
"""

from __future__ import annotations

import platform
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.campaign_sim import simulate_campaign
from copilot.demo.store import store_demo
from copilot.shop import ShopData
from copilot.shop.plans import PlanStore
from tools import ToolContext
from tools.campaigns.approval import approve_plan
from tools.campaigns.estimate import always_valid_halfwidth, cuped, difference, planned_se
from tools.campaigns.readout import campaign_readout
from tools.campaigns.replicates import segment_customers, weekly_revenue
from tools.planning import plan_campaign


def coverage(ctx: ToolContext) -> None:
    print(
        "| segment | customers | holdout | raw covers 0 | CUPED covers 0 | variance removed "
        "| CUPED width / raw width |"
    )
    print("|---|---|---|---|---|---|---|")
    for segment in ("at_risk", "loyal", "champions"):
        customers = segment_customers(ctx, segment)
        for holdout in (0.1, 0.5):
            rng = np.random.default_rng(2026)
            raw_hits = cup_hits = 0
            removed, ratio = [], []
            runs = 2000
            for _ in range(runs):
                y = weekly_revenue(rng, customers, 4).sum(axis=1)
                treated = rng.random(len(y)) >= holdout
                raw, cup = difference(y, treated), cuped(y, customers.spend, treated)
                raw_hits += raw.low <= 0 <= raw.high
                cup_hits += cup.estimate.low <= 0 <= cup.estimate.high
                removed.append(cup.variance_reduction)
                ratio.append((cup.estimate.high - cup.estimate.low) / (raw.high - raw.low))
            print(
                f"| {segment} | {len(y):,} | {holdout:.0%} | {raw_hits / runs:.3f} | "
                f"{cup_hits / runs:.3f} | {np.mean(removed):.0%} | {np.mean(ratio):.2f} |"
            )


def peeking(ctx: ToolContext) -> None:
    customers = segment_customers(ctx, "at_risk")
    rng = np.random.default_rng(21)
    runs, weeks = 600, 8
    fixed_errors = valid_errors = 0
    for _ in range(runs):
        during = weekly_revenue(rng, customers, weeks)
        before = weekly_revenue(rng, customers, weeks).sum(axis=1)
        treated = rng.random(len(before)) >= 0.5
        c = planned_se(before, treated)
        fixed = valid = False
        for week in range(1, weeks + 1):
            d = difference(during[:, :week].sum(axis=1), treated)
            fixed |= not d.low <= 0 <= d.high
            valid |= abs(d.diff) > always_valid_halfwidth(d.se, c)
        fixed_errors += fixed
        valid_errors += valid
    print(
        f"\nPeeking, at-risk, 8 weekly looks, {runs} null campaigns: any look excludes 0 with "
        f"the fixed interval {fixed_errors / runs:.1%} (baseline), with the always-valid one "
        f"{valid_errors / runs:.1%} (target <= 5%)"
    )


def recovery(demo_home: Path) -> None:
    print(
        "\n| plan | planted uplift | conversion estimate (CUPED) | 95% interval | covers planted "
        "| revenue variance removed |"
    )
    print("|---|---|---|---|---|---|")
    for n, (segment, uplift) in enumerate(
        (("at_risk", 0.0), ("at_risk", 0.06), ("at_risk", 0.20), ("loyal", 0.06))
    ):
        home = Path(tempfile.mkdtemp(prefix="bench-readout-"))
        source, target = sqlite3.connect(demo_home / "shop.db"), sqlite3.connect(home / "shop.db")
        source.backup(target)
        source.close()
        target.close()
        settings = Settings(home=home)
        ctx = ToolContext(ShopData.open(settings.effective_database_url), settings)
        inputs = {"goal": "a campaign", "budget": 5000.0, "audience": segment, "holdout_share": 0.5}
        plan = plan_campaign(ctx, **inputs)
        store = PlanStore(ctx.shop.engine)
        plan_id = store.save(inputs, plan.to_json_dict(), ctx.shop.version(), "bench")
        approve_plan(ctx, plan_id)
        simulate_campaign(ctx.shop, plan_id, uplift=uplift, seed=11 + n)
        r = campaign_readout(ctx, plan_id=plan_id)
        m = r.metrics[0]
        inside = m.cuped_low <= uplift <= m.cuped_high
        print(
            f"| {segment} (n={r.treatment + r.holdout:,}) | {uplift:.0%} | "
            f"{100 * m.cuped_diff:+.1f} pts | {100 * m.cuped_low:+.1f} to {100 * m.cuped_high:+.1f}"
            f" | {'yes' if inside else 'NO'} | {r.metrics[1].variance_reduction:.0%} |"
        )


def main() -> None:
    started = time.time()
    print(f"bench_readout {date.today()} on {platform.machine()}, {platform.python_version()}\n")
    home = Path(tempfile.mkdtemp(prefix="bench-readout-demo-"))
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    store_demo(shop, generate_demo(seed=7), settings, force=True)
    ctx = ToolContext(shop, settings)
    coverage(ctx)
    peeking(ctx)
    shop.engine.dispose()
    recovery(home)
    print(f"\n{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
