"""Demo shop generation time and peak memory, default size and a large shop.

Usage: .venv/bin/python benchmarks/bench_demo.py [--large]
Baseline: drawing the same number of order lines as plain uniform random numbers with NumPy
(the floor for any generator of that many rows).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.shop import ShopData


def run(customers: int, products: int, per_customer: float, write: bool) -> None:
    start = time.perf_counter()
    demo = generate_demo(
        seed=7, n_customers=customers, n_products=products, lines_per_customer=per_customer
    )
    gen = time.perf_counter() - start
    n = len(demo.tables["order_lines"])
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    _ = rng.random((n, 9))
    floor = time.perf_counter() - start
    line = (
        f"{customers:,} customers, {products} products, {n:,} order lines: generate "
        f"{gen:.2f} s (numpy floor {floor:.3f} s, ratio {gen / floor:.0f})"
    )
    if write:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(home=Path(tmp))
            shop = ShopData.open(settings.effective_database_url)
            start = time.perf_counter()
            store_demo(shop, demo, settings, force=True)
            line += f", write to SQLite {time.perf_counter() - start:.2f} s"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{line}, peak RSS so far {peak:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--large", action="store_true", help="also 100,000 customers / ~1,000,000 lines (no write)"
    )
    args = parser.parse_args()
    run(5000, 300, 40.0, write=True)
    if args.large:
        run(100_000, 1000, 10.0, write=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
