"""Ingest time of the full UCI Online Retail file vs a no-validation pandas baseline.

Usage: .venv/bin/python benchmarks/bench_ingest.py [--repeat 3]
Also: the same rows re-saved in shuffled order (another file, other bytes) are ingested on top;
that must add no line and change no revenue, and its time is reported beside the first ingest.
Baseline: pd.read_parquet + DataFrame.to_sql into a fresh SQLite file (no validation, no
cleaning, no transactional upsert) - the least work that still lands the rows in a database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine

from copilot.shop import ShopData, ingest_file

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "online-retail"
FILE = DATA / "online_retail.parquet"


def ours(folder: Path) -> tuple[float, dict[str, int]]:
    shop = ShopData.open(f"sqlite:///{folder / 'ours.db'}")
    start = time.perf_counter()
    ingest_file(shop, FILE, fmt="online-retail", show_progress=False)
    return time.perf_counter() - start, shop.counts()


def resaved(folder: Path) -> None:
    """Ingest, then ingest the same rows shuffled: phantom lines and revenue drift must be 0."""
    shop = ShopData.open(f"sqlite:///{folder / 'resaved.db'}")
    ingest_file(shop, FILE, fmt="online-retail", show_progress=False)
    lines = shop.order_lines()
    before = (len(lines), float((lines["quantity"] * lines["unit_price"]).sum()))
    shuffled = folder / "shuffled.parquet"
    pd.read_parquet(FILE).sample(frac=1.0, random_state=0).to_parquet(shuffled)
    start = time.perf_counter()
    summary = ingest_file(shop, shuffled, fmt="online-retail", show_progress=False)
    seconds = time.perf_counter() - start
    lines = shop.order_lines()
    after = (len(lines), float((lines["quantity"] * lines["unit_price"]).sum()))
    change = summary.changes["order_lines"]
    print(
        f"re-saved shuffled file: {seconds:.2f} s; lines {before[0]:,} -> {after[0]:,} "
        f"(phantom {after[0] - before[0]:,}); revenue drift {after[1] - before[1]:.2f}; "
        f"{change.added:,} new, {change.updated:,} changed, {change.unchanged:,} already stored"
    )


def baseline(folder: Path) -> float:
    start = time.perf_counter()
    frame = pd.read_parquet(FILE)
    frame.to_sql("raw", create_engine(f"sqlite:///{folder / 'base.db'}"), index=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not FILE.exists():
        print(f"skipped: {FILE} not present")
        return 0
    ours_t, base_t = [], []
    counts: dict[str, int] = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            t, counts = ours(Path(tmp))
            ours_t.append(t)
            base_t.append(baseline(Path(tmp)))
    o, b = statistics.median(ours_t), statistics.median(base_t)
    print(f"rows: {counts}")
    print(f"copilot ingest: median {o:.2f} s  (runs {', '.join(f'{x:.2f}' for x in ours_t)})")
    print(f"baseline read_parquet+to_sql: median {b:.2f} s")
    print(f"ratio ours/baseline: {o / b:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        resaved(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
