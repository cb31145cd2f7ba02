"""Issue 23: ``copilot batch`` on synthetic shops of growing size (the demo generator at scale),
and what serving one customer from the batch tables costs against computing it in-process.

For each size: the demo generator writes a shop of N order lines (40 lines per customer, 300
products) to a fresh SQLite home, then ``copilot batch --engine ENGINE`` runs in a subprocess
(wall time and the child's peak memory). Then, in this process with every model fitted:
``profile_customer`` and ``recommend_products`` for 50 customers, served from the batch tables
and computed in-process (the same tools, the run's tables taken away), p50 each.

Both engines on the same shop: ``--engine pandas,spark`` (the Spark engine on
``COPILOT_SPARK_MASTER``, default ``local[2]``; its peak counts the JVM, a child of the batch
process). The last column is lines per second per core (2 cores), for a cluster projection.

Usage: .venv/bin/python benchmarks/bench_batch.py [--lines 200000,1000000] [--engine pandas,spark]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import delete

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.shop import ShopData, schema
from tools import ToolContext
from tools.profiling import profile_customer
from tools.recommend import recommend_products

LINES_PER_CUSTOMER = 40


def _shop(home: Path, lines: int) -> Settings:
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    customers = max(lines // LINES_PER_CUSTOMER, 100)
    store_demo(shop, generate_demo(seed=7, n_customers=customers), settings, force=True)
    return settings


def _batch(home: Path, engine: str) -> tuple[float, float, int]:
    """Wall seconds, peak MB of the batch process, and its exit status."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_") or "SPARK" in k}
    env["COPILOT_HOME"] = str(home)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "batch", "--engine", engine],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
    # ru_maxrss is the largest child so far (KB): only a new maximum is this run's.
    return seconds, max(peak, before) / 1024, done.returncode


def _serving(settings: Settings, n: int = 50) -> dict[str, tuple[float, float]]:
    """p50 ms per tool: (from the tables, computed in-process)."""
    shop = ShopData.open(settings.effective_database_url)
    ctx = ToolContext(shop, settings)
    ids = sorted(shop.order_lines()["customer_id"].dropna().astype(str).unique())
    sample = random.Random(7).sample(ids, min(n, len(ids)))
    calls = {
        "profile_customer": lambda c: profile_customer(ctx, customer_id=c),
        "recommend_products": lambda c: recommend_products(ctx, customer_id=c, n=5),
    }
    served: dict[str, list[float]] = {k: [] for k in calls}
    for name, call in calls.items():
        for cid in sample:
            start = time.perf_counter()
            assert call(cid).source.startswith("precomputed")
            served[name].append(time.perf_counter() - start)
    # In-process: the same calls once the run's rows are gone (models fitted first).
    with shop.engine.begin() as conn:
        conn.execute(delete(schema.batch_runs))
    computed: dict[str, list[float]] = {k: [] for k in calls}
    for name, call in calls.items():
        call(sample[0])  # fit
        for cid in sample:
            start = time.perf_counter()
            call(cid)
            computed[name].append(time.perf_counter() - start)
    return {
        k: (float(np.median(served[k]) * 1e3), float(np.median(computed[k]) * 1e3)) for k in calls
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", default="200000,1000000")
    parser.add_argument("--engine", default="pandas")
    args = parser.parse_args()
    print(f"# bench_batch {date.today()} on {platform.machine()}, {os.cpu_count()} cores")
    print(
        f"{'lines':>10} {'customers':>9} {'engine':>7} {'batch s':>8} {'peak MB':>8} "
        f"{'card tab/in ms':>15} {'recs tab/in ms':>15} {'lines/s/core':>12}"
    )
    for lines in (int(x) for x in args.lines.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            settings = _shop(Path(tmp) / "home", lines)
            shop = ShopData.open(settings.effective_database_url)
            real = shop.counts()["order_lines"]
            customers = shop.counts()["customers"]
            for engine in args.engine.split(","):
                seconds, peak, status = _batch(settings.home_dir, engine)
                if status:
                    print(f"{real:>10,} {customers:>9,} {engine:>7} failed (exit {status})")
                    continue
                serve = _serving(settings)
                card, recs = serve["profile_customer"], serve["recommend_products"]
                per_core = real / seconds / (os.cpu_count() or 1)
                print(
                    f"{real:>10,} {customers:>9,} {engine:>7} {seconds:>8.1f} {peak:>8.0f} "
                    f"{card[0]:>6.1f} / {card[1]:>6.1f} {recs[0]:>6.1f} / {recs[1]:>6.1f} "
                    f"{per_core:>10,.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
