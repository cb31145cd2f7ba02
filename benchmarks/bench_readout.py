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
from copilot.shop.store import copy_sqlite
from tools import ToolContext
from tools.campaigns.approval import approve_plan
from tools.campaigns.readout import campaign_readout
from tools.campaigns.replicates import null_coverage, peeking_errors, segment_customers
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
            c = null_coverage(customers, holdout, 2000, np.random.default_rng(2026))
            print(
                f"| {segment} | {len(customers.spend):,} | {holdout:.0%} | {c.raw:.3f} | "
                f"{c.cuped:.3f} | {c.variance_removed:.0%} | {c.width_ratio:.2f} |"
            )


def peeking(ctx: ToolContext) -> None:
    customers = segment_customers(ctx, "at_risk")
    fixed, valid = peeking_errors(customers, 600, 8, np.random.default_rng(21))
    print(
        f"\nPeeking, at-risk, 8 weekly looks, 600 null campaigns: any look excludes 0 with "
        f"the fixed interval {fixed:.1%} (baseline), with the always-valid one {valid:.1%} "
        "(target <= 5%)"
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
        copy_sqlite(demo_home / "shop.db", home / "shop.db")
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
