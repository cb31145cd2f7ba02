"""Customer profiling end to end: features + score + segments + clusters + CLV.

Usage: .venv/bin/python benchmarks/bench_profiling.py            (both cases, one process each)
       .venv/bin/python benchmarks/bench_profiling.py --case online-retail|synthetic
Baseline in the same process: plain pandas RFM aggregation (recency, frequency, monetary per
customer), the least any profiling must compute. Data loading is timed separately.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from tools.profiling.model import profiles_from_frames

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail.parquet"

Frames = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]
"""Order lines, products, customers and events, as ``profiles_from_frames`` takes them."""


def load_online_retail() -> Frames:
    from copilot.shop import ShopData, ingest_file

    tmp = Path(tempfile.mkdtemp())
    shop = ShopData.open(f"sqlite:///{tmp / 'or.db'}")
    ingest_file(shop, RETAIL, fmt="online-retail", show_progress=False)
    return shop.order_lines(), shop.products(), shop.customers(), shop.events()


def load_synthetic() -> Frames:
    from copilot.demo import generate_demo

    demo = generate_demo(seed=11, n_customers=100_000, n_products=1000, lines_per_customer=10.0)
    t = demo.tables
    return t["order_lines"], t["products"], t["customers"], t["events"]


def rfm_baseline(lines: pd.DataFrame) -> float:
    start = time.perf_counter()
    sales = lines[lines["customer_id"].notna() & ~lines["is_return"].astype(bool)]
    end = sales["ts"].max()
    sales.assign(spend=sales["quantity"] * sales["unit_price"]).groupby("customer_id").agg(
        last=("ts", "max"), orders=("order_id", "nunique"), spend=("spend", "sum")
    ).assign(recency=lambda d: (end - d["last"]).dt.days)
    return time.perf_counter() - start


def run(case: str) -> None:
    start = time.perf_counter()
    frames = load_online_retail() if case == "online-retail" else load_synthetic()
    load = time.perf_counter() - start
    lines = frames[0]
    base = rfm_baseline(lines)
    start = time.perf_counter()
    prof = profiles_from_frames(*frames)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    auc = prof.score.auc
    h = prof.clv.holdout
    print(
        f"| {case} | {len(lines):,} | {len(prof.table):,} | {took:.2f} s | {base:.2f} s | "
        f"{took / base:.0f} | {peak:,.0f} MB | {auc['profile_score']:.3f} / "
        f"{auc['rfm_model']:.3f} / {auc['recency_rule']:.3f} | {prof.clustering.k} | "
        f"{h['mae']:.2f} (actual mean {h['actual_mean']:.2f}) | {h['correlation']:.3f} | "
        f"{h['aggregate_error']:+.1%} | load {load:.1f} s |"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=["online-retail", "synthetic"])
    args = parser.parse_args()
    if args.case:
        if args.case == "online-retail" and not RETAIL.exists():
            print(f"| online-retail | skipped: {RETAIL} not present |")
            return 0
        run(args.case)
        return 0
    print(
        "| case | order lines | customers | profiling | RFM baseline | ratio | peak RSS | "
        "hold-out AUC profile / RFM / recency | k | CLV MAE per customer | CLV corr | "
        "CLV aggregate error | |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case in ("online-retail", "synthetic"):
        subprocess.run([sys.executable, __file__, "--case", case], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
