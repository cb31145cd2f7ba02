"""Demand model accuracy and pricing speed.

Usage: .venv/bin/python benchmarks/bench_pricing.py
Breakfast at the Frat (../shared/data, skipped when absent): fit on all but the last 26 weeks,
predict weekly units of the last 26 weeks from their actual prices and promotion flags, WAPE
against (a) the store x product training mean and (b) the same model without promotion
controls. Online Retail: catalogue-wide fit time and elasticity distribution. Demo shop:
optimisation time for the whole catalogue and for one product.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tools.pricing.demand import fit_demand
from tools.pricing.optimize import optimize_prices
from tools.pricing.panel import frat_panel, shop_panel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
META_MEAN = -2.62  # Bijmolt, van Heerde & Pieters (2005)


def wape(y: np.ndarray, yhat: np.ndarray) -> float:
    return float(np.abs(y - yhat).sum() / y.sum())


def frat() -> None:
    folder = DATA / "breakfast-at-the-frat"
    if not folder.exists():
        print("breakfast-at-the-frat: skipped (not present)")
        return
    panel = frat_panel(
        pd.read_parquet(folder / "transaction.parquet"),
        pd.read_csv(folder / "product.csv", dtype={"upc_id": str}),
    )
    cut = panel["week"].max() - pd.Timedelta(weeks=26)
    train, test = panel[panel["week"] <= cut], panel[panel["week"] > cut].copy()
    t0 = time.perf_counter()
    full = fit_demand(train)
    fit_s = time.perf_counter() - t0
    plain = fit_demand(train, promo_controls=False)
    naive = train.groupby(["unit", "product"])["units"].mean()
    test = test[test["product"].isin(list(full.products))]
    y = test["units"].to_numpy()
    key = pd.MultiIndex.from_frame(test[["unit", "product"]])
    base = naive.reindex(key).to_numpy()
    ok = ~np.isnan(base)
    pred_full = full.predict(test)
    pred_plain = plain.predict(test)
    ok &= ~np.isnan(pred_full) & ~np.isnan(pred_plain)
    e = np.array([p.elasticity for p in full.products.values()])
    raw = np.array([p.raw_elasticity for p in full.products.values()])
    print(
        f"breakfast-at-the-frat: {len(train):,} train rows, {ok.sum():,} test rows, "
        f"{len(full.products)} products, fit {fit_s:.2f} s"
    )
    print(
        f"  WAPE naive store x product mean {wape(y[ok], base[ok]):.3f} | log-log without "
        f"promotion controls {wape(y[ok], pred_plain[ok]):.3f} | with controls "
        f"{wape(y[ok], pred_full[ok]):.3f}"
    )
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


def online_retail() -> None:
    path = DATA / "online-retail" / "online_retail.parquet"
    if not path.exists():
        print("online-retail: skipped (not present)")
        return
    from copilot.shop import ShopData, ingest_file
    from tools.recommend.pipeline import non_merchandise

    shop = ShopData.open(f"sqlite:///{Path(tempfile.mkdtemp()) / 'or.db'}")
    ingest_file(shop, path, fmt="online-retail", show_progress=False)
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


def demo_optimisation() -> None:
    from copilot.demo import generate_demo

    demo = generate_demo(seed=7)
    products = demo.tables["products"]
    t0 = time.perf_counter()
    model = fit_demand(shop_panel(demo.tables["order_lines"], products))
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


def main() -> int:
    frat()
    online_retail()
    demo_optimisation()
    return 0


if __name__ == "__main__":
    sys.exit(main())
