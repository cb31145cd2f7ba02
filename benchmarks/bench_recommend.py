"""Recommendation quality and speed on Online Retail, plus a memory run at scale.

Usage:
  bash benchmarks/install_anchors.sh                 # implicit + LightFM, benchmark only
  .venv/bin/python benchmarks/bench_recommend.py     # Online Retail (skips when absent)
  .venv/bin/python benchmarks/bench_recommend.py --scale   # 100k x 20k x 2M synthetic
  .venv/bin/python benchmarks/bench_recommend.py --fit-cost   # grocery-sized shop: fit + tune
  .venv/bin/python benchmarks/bench_recommend.py --als-candidate  # would implicit ALS join?
One temporal split (test = last 60 days; hybrid weights tuned on the 60 days before), one
process. Anchors: implicit ALS (128 factors, log1p weights) and LightFM WARP (64 dims).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tools.recommend.base import Recommender
from tools.recommend.interactions import Interactions, build_interactions
from tools.recommend.report import as_table, evaluate_all

RETAIL = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "online-retail"
    / "online_retail.parquet"
)


class ImplicitALS(Recommender):
    """Anchor: implicit's ALS on the same log1p matrix."""

    name = "implicit_als"

    def __init__(self, factors: int = 128) -> None:
        self.factors = factors

    def _fit(self, data: Interactions) -> None:
        from implicit.als import AlternatingLeastSquares

        self.model = AlternatingLeastSquares(factors=self.factors, iterations=15, random_state=0)
        self.model.fit(data.matrix.tocsr(), show_progress=False)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.user_factors[rows] @ self.model.item_factors.T)


class LightFMWarp(Recommender):
    """Anchor: LightFM with the WARP loss."""

    name = "lightfm_warp"

    def _fit(self, data: Interactions) -> None:
        from lightfm import LightFM

        self.model = LightFM(no_components=64, loss="warp", random_state=0)
        self.model.fit(data.matrix.tocoo(), epochs=30, num_threads=2)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        n_items = self.data.shape[1]
        users = np.repeat(rows, n_items).astype(np.int32)
        items = np.tile(np.arange(n_items, dtype=np.int32), len(rows))
        return self.model.predict(users, items, num_threads=2).reshape(len(rows), n_items)


def anchors() -> dict[str, Recommender]:
    out: dict[str, Recommender] = {}
    for cls, module in ((ImplicitALS, "implicit"), (LightFMWarp, "lightfm")):
        try:
            __import__(module)
            out[cls.name] = cls()
        except ImportError as exc:
            print(f"anchor {cls.name} unavailable: {exc} (run benchmarks/install_anchors.sh)")
    return out


def online_retail() -> int:
    from copilot.shop import ShopData, ingest_file
    from tools.recommend.pipeline import fit_shop_recommender

    if not RETAIL.exists():
        print(f"skipped: {RETAIL} not present")
        return 0
    shop = ShopData.open(f"sqlite:///{Path(tempfile.mkdtemp()) / 'or.db'}")
    ingest_file(shop, RETAIL, fmt="online-retail", show_progress=False)
    lines, products = shop.order_lines(), shop.products()
    from knowledge.embedder import USEEmbedder

    encoder = USEEmbedder()
    rows, notes = evaluate_all(lines, None, products, extra=anchors(), encoder=encoder)
    for mode, note in notes.items():
        print(f"hybrid, {mode} items: {note}")
    for group in ("all", "cold", "warm"):
        print(f"\n{group} customers\n{as_table(rows, group)}")

    new_arrivals(lines, products, encoder)

    start = time.perf_counter()
    model = fit_shop_recommender(lines, None, products, encoder=encoder)
    print(
        f"\nfull fit (tuning + fit on all data): {time.perf_counter() - start:.2f} s; "
        f"validation NDCG@10 {model.validation_ndcg}"
    )
    hybrid = model.for_mode(True)
    users = list(model.data.users)
    rng = np.random.default_rng(0)
    times = []
    for cid in rng.choice(users, 200, replace=False):
        t0 = time.perf_counter()
        hybrid.recommend([str(cid)], n=10)
        times.append(time.perf_counter() - t0)
    print(
        f"single customer, n=10 with reasons: p50 {np.median(times) * 1000:.1f} ms, "
        f"p95 {np.percentile(times, 95) * 1000:.1f} ms"
    )
    t0 = time.perf_counter()
    hybrid.recommend([str(u) for u in users], n=10, explain=False)
    print(f"all {len(users):,} customers in batch: {time.perf_counter() - t0:.2f} s")
    return 0


def new_arrivals(lines: pd.DataFrame, products: pd.DataFrame, encoder: object) -> None:
    """Products first sold in the test window, ranked among themselves by text similarity to
    each buyer's history (nothing else can rank them), against a random order."""
    from tools.recommend.components import catalogue, non_merchandise, product_texts
    from tools.recommend.content import ContentRecommender
    from tools.recommend.evaluate import evaluate_new_arrivals, temporal_split

    exclude, texts = non_merchandise(products), product_texts(products)
    cutoff = lines["ts"].max() + pd.Timedelta(seconds=1) - pd.Timedelta(days=60)
    split = temporal_split(
        lines, None, cutoff, 60, exclude, items=catalogue(products, lines, exclude)
    )
    print("\nnew arrivals (first sold in the test window), ranked among themselves:")
    print("| ranking | customers | HR@10 | NDCG@10 |\n|---|---|---|---|")
    for name, model in (
        ("content[tfidf]", ContentRecommender(texts)),
        ("content[embedder]", ContentRecommender(texts, encoder)),  # type: ignore[arg-type]
    ):
        found, random = evaluate_new_arrivals(model.fit(split.train), split)
        print(f"| {name} | {found.customers:,} | {found.hr:.3f} | {found.ndcg:.3f} |")
    print(f"| random order | {random.customers:,} | {random.hr:.3f} | {random.ndcg:.3f} |")


def scale(users: int = 100_000, items: int = 20_000, interactions: int = 2_000_000) -> int:
    """Memory at scale: power-law items, users in 50 taste groups."""
    from tools.recommend.hybrid import HybridRecommender
    from tools.recommend.neighbours import ItemKNNRecommender, UserKNNRecommender
    from tools.recommend.simple import PopularityRecommender

    rng = np.random.default_rng(0)
    group = rng.integers(0, 50, users)
    item_group = rng.integers(0, 50, items)
    pop = rng.pareto(1.2, items) + 1
    u = rng.integers(0, users, interactions)
    own = rng.random(interactions) < 0.7
    # 70% of interactions fall in the user's taste group, the rest anywhere (by popularity).
    by_group = {g: np.flatnonzero(item_group == g) for g in range(50)}
    i = rng.choice(items, interactions, p=pop / pop.sum())
    for g in range(50):
        idx = np.flatnonzero(own & (group[u] == g))
        cand = by_group[g]
        w = pop[cand] / pop[cand].sum()
        i[idx] = rng.choice(cand, len(idx), p=w)
    lines = pd.DataFrame(
        {
            "customer_id": np.char.add("u", u.astype(str)),
            "sku": np.char.add("i", i.astype(str)),
            "quantity": 1 + rng.poisson(0.5, interactions),
            "order_id": "o",
            "unit_price": 1.0,
            "is_return": False,
            "ts": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365, interactions), "D"),
        }
    )
    t0 = time.perf_counter()
    data = build_interactions(lines)
    del lines
    print(f"interactions {data.matrix.nnz:,} on {data.shape}: {time.perf_counter() - t0:.1f} s")
    comps = {
        "popularity": PopularityRecommender(),
        "item_cf": ItemKNNRecommender(k_neighbours=50),
        "user_cf": UserKNNRecommender(k_neighbours=50),
    }
    hybrid = HybridRecommender(comps, {"popularity": 0.5, "item_cf": 1.0, "user_cf": 0.5})
    t0 = time.perf_counter()
    hybrid.fit(data)
    print(
        f"fit (item-item top-50 pruned, user-CF neighbours at query time): "
        f"{time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    sample = [str(x) for x in data.users[:10_000]]
    hybrid.recommend(sample, n=10, explain=False, batch_size=256)
    took = time.perf_counter() - t0
    print(
        f"10,000 customers in batch: {took:.1f} s (all {data.shape[0]:,}: "
        f"~{took * data.shape[0] / 10_000:.0f} s extrapolated)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")
    return 0


def grocery_like(
    customers: int = 2_500, products: int = 60_000, lines: int = 1_500_000, seed: int = 0
) -> pd.DataFrame:
    """Order lines shaped like the issue's grocery set: each household re-buys its own staples
    and explores its taste group's products by (Pareto) popularity over two years; products
    have no names (the content components drop out)."""
    rng = np.random.default_rng(seed)
    groups = 40
    taste = rng.integers(0, groups, customers)
    item_group = rng.integers(0, groups, products)
    pop = rng.pareto(1.1, products) + 1
    members = [np.flatnonzero(item_group == g) for g in range(groups)]
    weights = [pop[m] / pop[m].sum() for m in members]
    activity = rng.gamma(1.5, 1.0, customers)
    who = rng.choice(customers, lines, p=activity / activity.sum())
    staples = np.stack([rng.choice(members[g], 30, p=weights[g]) for g in taste])
    item = np.empty(lines, dtype=np.int64)
    own = rng.random(lines) < 0.6
    item[own] = staples[who[own], rng.integers(0, 30, own.sum())]
    for g in range(groups):
        idx = np.flatnonzero(~own & (taste[who] == g))
        item[idx] = rng.choice(members[g], len(idx), p=weights[g])
    day = rng.integers(0, 730, lines)
    return pd.DataFrame(
        {
            "customer_id": np.char.add("h", who.astype(str)).astype(object),
            "sku": np.char.add("p", item.astype(str)).astype(object),
            "order_id": np.char.add(np.char.add("h", who.astype(str)), day.astype(str)).astype(
                object
            ),
            "quantity": 1 + rng.poisson(0.3, lines),
            "unit_price": 1.0,
            "is_return": False,
            "ts": pd.Timestamp("2022-01-03") + pd.to_timedelta(day, "D"),
        }
    )


def fit_cost(path: str | None) -> int:
    """Fit + tune the shop recommender on a grocery-sized synthetic shop, in a child process
    (so that its peak memory is the fit's, data loading included)."""
    import subprocess

    from tools.recommend.pipeline import fit_shop_recommender

    if path is None:
        folder = Path(tempfile.mkdtemp())
        t0 = time.perf_counter()
        data = grocery_like()
        data.to_parquet(folder / "lines.parquet")
        print(
            f"synthetic: {len(data):,} lines, {data['sku'].nunique():,} products sold, "
            f"{data['customer_id'].nunique():,} customers ({time.perf_counter() - t0:.1f} s)"
        )
        del data
        return subprocess.call(
            [sys.executable, __file__, "--fit-cost-child", str(folder / "lines.parquet")]
        )
    lines = pd.read_parquet(path)
    products = pd.DataFrame({"sku": [f"p{i}" for i in range(60_000)]})
    t0 = time.perf_counter()
    model = fit_shop_recommender(lines, None, products)
    total = time.perf_counter() - t0
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in model.fit_seconds.items())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fit + tune {total:.1f} s ({stages}); peak RSS {peak:,.0f} MB (lines loaded)")
    for mode, hybrid in model.hybrids.items():
        used = {n: w for n, w in hybrid.weights.items() if w > 0}
        print(f"  {mode}: {used}, validation NDCG@10 {model.validation_ndcg[mode]:.3f}")
    return 0


def als_candidate() -> int:
    """Issue 16 asks for implicit's ALS as a hybrid component if it wins on validation: tune
    with two ALS variants among the candidates, on every data set present, and report whether
    validation gives ALS a weight."""
    from bench_pricing import online_retail_shop

    import tools.recommend.pipeline as pipeline
    from copilot.demo import generate_demo
    from tools.recommend.components import (
        catalogue,
        make_components,
        non_merchandise,
        product_texts,
    )

    __import__("implicit")  # run benchmarks/install_anchors.sh first

    def with_als(*args: object, **kwargs: object) -> dict[str, Recommender]:
        out = make_components(*args, **kwargs)  # type: ignore[arg-type]
        out.update({f"implicit_als[{f}]": ImplicitALS(f) for f in (32, 128)})
        return out

    vars(pipeline)["make_components"] = with_als  # tune() builds its candidates with it
    shops = {"demo shop": generate_demo(seed=7).tables}
    shop = online_retail_shop()
    if shop is not None:
        shops["online-retail"] = {"order_lines": shop.order_lines(), "products": shop.products()}
    from knowledge.embedder import USEEmbedder

    encoder = USEEmbedder()
    for name, tables in shops.items():
        lines, products = tables["order_lines"], tables["products"]
        exclude = non_merchandise(products)
        end = lines["ts"].max() + pd.Timedelta(seconds=1)
        cutoff = end - pd.Timedelta(days=60)  # the test cutoff: tuning never sees the test
        tuning = pipeline.tune(
            lines,
            None,
            product_texts(products),
            cutoff,
            60,
            exclude,
            items=catalogue(products, lines, exclude),
            encoder=encoder,
        )
        for mode, t in tuning.items():
            als = {n: v for n, v in t.singles.items() if n.startswith("implicit_als")}
            best = max(t.singles, key=t.singles.__getitem__)
            weight = max(t.weights[n] for n in als)
            print(
                f"{name}, {mode}: validation NDCG@10 "
                + ", ".join(f"{n} {v:.3f}" for n, v in als.items())
                + f"; best single {best} {t.singles[best]:.3f}; ALS weight in the blend "
                f"{weight:g}; blend {t.value:.4f}; {t.note()}",
                flush=True,
            )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--fit-cost", action="store_true")
    parser.add_argument("--fit-cost-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--als-candidate", action="store_true")
    args = parser.parse_args()
    if args.als_candidate:
        return als_candidate()
    if args.fit_cost or args.fit_cost_child:
        return fit_cost(args.fit_cost_child)
    return scale() if args.scale else online_retail()


if __name__ == "__main__":
    sys.exit(main())
