"""The robustness harness: the same protocols on every data set present, each shipped model
beside its baselines; exits 1 when any shipped model loses to a baseline on test or produces
a non-finite or out-of-support prediction.

Usage: .venv/bin/python benchmarks/bench_robustness.py [--skip-forecasts]

- Forecasts (``bench_pricing.py``'s protocol): Breakfast at the Frat (last 26 weeks), Online
  Retail and the demo shop (last 13): the shipped forecaster vs the naive unit x product mean.
- Recommendations (data sets with customer ids: Online Retail, the demo shop): test window =
  the last 60 days, weights tuned on the 60 before; per mode ("all" re-buys allowed, "new"
  excluded) the shipped hybrid vs popularity and vs each component it blends, on test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pricing  # noqa: E402

from tools.recommend.report import EvalRow, evaluate_all  # noqa: E402


def recommender_protocol(name: str, lines: pd.DataFrame, products: pd.DataFrame) -> bool:
    """The shipped hybrid against popularity and its own components, per mode, on test."""
    from knowledge.embedder import USEEmbedder

    t0 = time.perf_counter()
    rows, notes = evaluate_all(lines, None, products, encoder=USEEmbedder())
    took = time.perf_counter() - t0
    ok = True
    for mode, note in notes.items():
        ndcg = _ndcg(rows, mode)
        hybrid = ndcg["hybrid"]
        used = [n for n in _blended(note) if n in ndcg]
        rivals = {"popularity": ndcg["popularity"], **{n: ndcg[n] for n in used}}
        lost = [n for n, v in rivals.items() if v > hybrid + 1e-9]
        finite = all(np.isfinite(r.metrics.ndcg) for r in rows if r.mode == mode)
        verdict = "ok" if not lost and finite else "FAIL"
        ok &= verdict == "ok"
        beside = ", ".join(f"{n} {v:.3f}" for n, v in rivals.items())
        print(
            f"{name}, recommendations ({mode}): hybrid NDCG@10 {hybrid:.3f} vs {beside} -> "
            f"{verdict}" + (f" (loses to {', '.join(lost)})" if lost else "")
        )
        print(f"  ships: {note}")
    print(f"  ({took:.0f} s, tuning + every component on the test split)")
    return ok


def _ndcg(rows: list[EvalRow], mode: str) -> dict[str, float]:
    return {r.model: r.metrics.ndcg for r in rows if r.mode == mode and r.group == "all"}


def _blended(note: str) -> list[str]:
    """Component labels named in a tuning note ("ships the blend 0.5 a + 1 b: ...")."""
    head = note.split(":", 1)[0].removeprefix("ships the blend ").removeprefix("ships ")
    head = head.removesuffix(" alone")
    return [part.split(" ", 1)[-1] for part in head.split(" + ")]


def online_retail() -> bool:
    shop = bench_pricing.online_retail_shop()
    if shop is None:
        return True
    return recommender_protocol("online-retail", shop.order_lines(), shop.products())


def demo() -> bool:
    from copilot.demo import generate_demo

    tables = generate_demo(seed=7).tables
    return recommender_protocol("demo shop", tables["order_lines"], tables["products"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-forecasts", action="store_true")
    args = parser.parse_args()
    results = [] if args.skip_forecasts else [bench_pricing.main() == 0]
    results += [online_retail(), demo()]
    print("robustness harness:", "ok" if all(results) else "FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
