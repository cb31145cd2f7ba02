"""Demand forecasts on every data set present, elasticities, and pricing speed.

Usage: .venv/bin/python benchmarks/bench_pricing.py [--pooling]
Forecast protocol, the same on every data set (Breakfast at the Frat: last 26 weeks; Online
Retail and the demo shop: last 13 weeks): fit on the weeks before, predict the held-out weeks
from their actual prices and promotion flags, and print the WAPE of each candidate beside the
naive unit x product mean and the forecaster that ships (chosen on validation, see forecast.py).
Exits 1 when the shipped forecaster loses to naive on test or any forecast is non-finite or
outside the product's training range. Also: elasticity distributions, catalogue-wide fit
time, optimisation time on the demo shop.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from copilot.shop import ShopData
from tools.pricing.demand import fit_demand
from tools.pricing.forecast import CANDIDATES, fit_candidates, fit_forecaster, wape
from tools.pricing.optimize import optimize_prices
from tools.pricing.panel import shop_panel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
META_MEAN = -2.62  # Bijmolt, van Heerde & Pieters (2005)


def frat_panel(transactions: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """The dunnhumby Breakfast at the Frat layout as a panel (store x UPC x week)."""
    t = transactions.dropna(subset=["price"])
    t = t[(t["units"] > 0) & (t["price"] > 0)]
    category = products.set_index("upc_id")["category"]
    return pd.DataFrame(
        {
            "product": t["upc_id"].astype(str),
            "category": t["upc_id"].map(category),
            "unit": t["store_id"].astype(str),
            "week": t["week_end_date"],
            "units": t["units"].astype(float),
            "price": t["price"].astype(float),
            "base_price": t["base_price"].fillna(t["price"]).astype(float),
            "feature": t["feature"].fillna(0.0),
            "display": t["display"].fillna(0.0),
            "tpr": t["tpr_only"].fillna(0.0),
        }
    ).reset_index(drop=True)


def forecast_protocol(name: str, panel: pd.DataFrame, test_weeks: int) -> bool:
    """Every candidate and the shipped choice on the last weeks; False when the choice fails."""
    cut = panel["week"].max() - pd.Timedelta(weeks=test_weeks)
    train = panel[panel["week"] <= cut]
    test = panel[(panel["week"] > cut) & panel["product"].isin(set(train["product"]))]
    test = test.reset_index(drop=True)
    y = test["units"].to_numpy(float)
    t0 = time.perf_counter()
    fitted = fit_candidates(train, CANDIDATES)
    fit_s = time.perf_counter() - t0
    scores = {name: wape(y, predict(test)) for name, predict in fitted.items()}
    t0 = time.perf_counter()
    forecaster = fit_forecaster(train)
    predicted = forecaster.predict(test)
    took = time.perf_counter() - t0
    bounds = train.groupby("product")["units"].agg(["min", "max"])
    lo = test["product"].map(bounds["min"]).to_numpy(float)
    hi = test["product"].map(bounds["max"]).to_numpy(float)
    finite = bool(np.isfinite(predicted).all())
    inside = bool(((predicted >= lo) & (predicted <= hi)).all())
    shipped = wape(y, predicted)
    naive = scores["naive"]
    chosen = forecaster.summary()["model"].value_counts().to_dict()
    print(
        f"{name}: forecast of the last {test_weeks} weeks, {len(train):,} train rows, "
        f"{len(test):,} test rows, {train['product'].nunique():,} products"
    )
    for candidate, score in scores.items():
        print(f"  WAPE {candidate:<15} {score:.3f}")
    print(f"  fit of all candidates {fit_s:.1f} s")
    verdict = "ok" if finite and inside and shipped <= naive else "FAIL"
    print(
        f"  WAPE shipped (chosen on validation) {shipped:.3f} vs naive {naive:.3f} "
        f"({shipped / naive:.2f}x); finite {finite}, inside training range {inside}; "
        f"chosen {chosen}; {took:.1f} s  [{verdict}]"
    )
    return verdict == "ok"


def frat() -> bool:
    folder = DATA / "breakfast-at-the-frat"
    if not folder.exists():
        print("breakfast-at-the-frat: skipped (not present)")
        return True
    panel = frat_panel(
        pd.read_parquet(folder / "transaction.parquet"),
        pd.read_csv(folder / "product.csv", dtype={"upc_id": str}),
    )
    ok = forecast_protocol("breakfast-at-the-frat", panel, 26)
    train = panel[panel["week"] <= panel["week"].max() - pd.Timedelta(weeks=26)]
    t0 = time.perf_counter()
    full = fit_demand(train)
    fit_s = time.perf_counter() - t0
    plain = fit_demand(train, promo_controls=False)
    e = np.array([p.elasticity for p in full.products.values()])
    raw = np.array([p.raw_elasticity for p in full.products.values()])
    print(f"  demand model fit of {len(full.products)} products {fit_s:.2f} s")
    print(
        f"  regular-price elasticity (shrunk): negative {np.mean(e < 0):.0%}, median "
        f"{np.median(e):.2f} (IQR {np.percentile(e, 25):.2f} to {np.percentile(e, 75):.2f}); "
        f"raw median {np.median(raw):.2f}; meta-analysis mean {META_MEAN}"
    )
    depth = [p.depth_elasticity for p in full.products.values() if p.depth_elasticity is not None]
    if depth:
        print(
            f"  promotion-depth coefficient: median {np.median(depth):.2f} ({len(depth)} products)"
        )
    e_plain = np.array([p.elasticity for p in plain.products.values()])
    print(
        f"  without promotion controls: negative {np.mean(e_plain < 0):.0%}, median "
        f"{np.median(e_plain):.2f}"
    )
    return ok


def online_retail_shop() -> ShopData | None:
    """Online Retail ingested into a fresh SQLite store; None (said) when it is not present."""
    from copilot.shop import ShopData, ingest_file

    path = DATA / "online-retail" / "online_retail.parquet"
    if not path.exists():
        print("online-retail: skipped (not present)")
        return None
    shop = ShopData.open(f"sqlite:///{Path(tempfile.mkdtemp()) / 'or.db'}")
    ingest_file(shop, path, fmt="online-retail", show_progress=False)
    return shop


def online_retail() -> bool:
    from tools.recommend.components import non_merchandise

    shop = online_retail_shop()
    if shop is None:
        return True
    products = shop.products()
    t0 = time.perf_counter()
    panel = shop_panel(shop.order_lines(), products, non_merchandise(products))
    model = fit_demand(panel)
    took = time.perf_counter() - t0
    e = np.array([p.elasticity for p in model.products.values()])
    reliable = [p for p in model.products.values() if p.reliable]
    print(
        f"online-retail: panel + fit of {len(model.products):,} products in {took:.2f} s; "
        f"negative {np.mean(e < 0):.0%}, median {np.median(e):.2f}; {len(reliable):,} without "
        f"an unreliability flag"
    )
    return forecast_protocol("online-retail", panel, 13)


def demo_optimisation() -> bool:
    from copilot.demo import generate_demo

    demo = generate_demo(seed=7)
    products = demo.tables["products"]
    t0 = time.perf_counter()
    panel = shop_panel(demo.tables["order_lines"], products)
    model = fit_demand(panel)
    fit_s = time.perf_counter() - t0
    demands = list(model.products.values())
    cost = products.set_index("sku")["unit_cost"]
    costs = {
        d.product: (
            float(cost[d.product]) if not pd.isna(cost[d.product]) else 0.6 * d.current_price,
            "data",
        )
        for d in demands
    }
    t0 = time.perf_counter()
    optimize_prices(demands, costs)
    whole = time.perf_counter() - t0
    singles = []
    for d in demands[:100]:
        t0 = time.perf_counter()
        optimize_prices([d], costs, curve_points=25)
        singles.append(time.perf_counter() - t0)
    print(
        f"demo shop: fit {len(demands)} products {fit_s:.2f} s; optimise whole catalogue "
        f"{whole * 1000:.0f} ms; one product p50 {np.median(singles) * 1000:.2f} ms "
        f"(max {max(singles) * 1000:.2f} ms)"
    )
    return forecast_protocol("demo shop", panel, 13)


def elasticity_pooling() -> None:
    """Shrinking each raw elasticity toward its category (shipped) or toward its nearest
    products by text (TF-IDF or the bundled embedder), scored on the demo's planted
    elasticities (MAE) and by the leave-one-out marginal likelihood of the raw estimates
    (what a data set without planted truths could choose by)."""
    from copilot.demo import generate_demo
    from knowledge.embedder import USEEmbedder
    from tools.recommend.base import row_normalise
    from tools.recommend.components import product_texts
    from tools.recommend.content import TfidfEncoder

    demo = generate_demo(seed=7)
    products = demo.tables["products"]
    fits = fit_demand(shop_panel(demo.tables["order_lines"], products), shrink=False).products
    keys = sorted(fits)
    e = np.array([fits[k].raw_elasticity for k in keys])
    s2 = np.array([fits[k].raw_se ** 2 for k in keys])
    truth = np.array([demo.truths["elasticity"][k] for k in keys])
    texts = product_texts(products)
    docs = [texts[k] for k in keys]
    category = np.array([fits[k].category or "" for k in keys])
    same = (category[:, None] == category[None, :]).astype(float)
    tfidf = row_normalise(TfidfEncoder().encode(docs).tocsr())
    sims = {
        "category (shipped)": same,
        "text neighbours, TF-IDF": np.asarray((tfidf @ tfidf.T).todense()),
        "text neighbours, embedder": (lambda v: v @ v.T)(USEEmbedder().encode(docs)),
    }
    print(
        f"elasticity pooling, demo shop ({len(keys)} products), "
        f"raw MAE {np.abs(e - truth).mean():.3f}"
    )
    print("| prior | neighbours | MAE vs planted | LOO log-likelihood |\n|---|---|---|---|")
    for name, sim in sims.items():
        for k in (0,) if name.startswith("category") else (10, 20, 40):
            mae, loglik = _pooled(e, s2, truth, sim, k)
            print(f"| {name} | {k or 'all in category'} | {mae:.3f} | {loglik:.1f} |")


def _pooled(
    e: np.ndarray, s2: np.ndarray, truth: np.ndarray, sim: np.ndarray, k: int
) -> tuple[float, float]:
    """Leave-one-out prior means from the ``k`` most similar products (all with sim 1 when
    k = 0), a method-of-moments prior variance, and the posterior means' error."""
    sim = sim.astype(float).copy()
    np.fill_diagonal(sim, -np.inf)
    prior = np.empty(len(e))
    for i in range(len(e)):
        near = np.argsort(-sim[i])[:k] if k else np.flatnonzero(sim[i] > 0.5)
        w = np.maximum(sim[i, near], 1e-6) / s2[near]
        prior[i] = np.sum(w * e[near]) / w.sum()
    tau2 = max(float(np.var(e - prior) - s2.mean()), 0.05)
    post = (e / s2 + prior / tau2) / (1 / s2 + 1 / tau2)
    loglik = -0.5 * np.sum(np.log(2 * np.pi * (s2 + tau2)) + (e - prior) ** 2 / (s2 + tau2))
    return float(np.abs(post - truth).mean()), float(loglik)


def main() -> int:
    if "--pooling" in sys.argv:
        elasticity_pooling()
        return 0
    results = [frat(), online_retail(), demo_optimisation()]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
