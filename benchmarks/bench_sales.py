"""Latency of ``sales_summary``, ``sales_trend``, ``product_performance`` and
``campaign_performance`` on a ~1,000,000-line synthetic shop (issue 19: < 200 ms).

Usage: .venv/bin/python benchmarks/bench_sales.py [--customers 100000]
Baseline: the same month's net sales, orders and category breakdown as three plain pandas
aggregations over the same in-memory lines (what any implementation must at least do).
Warm calls only: the first call builds the cached valued lines (reported separately).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from copilot.core.settings import Settings
from copilot.demo import generate_demo
from copilot.demo.store import store_demo
from copilot.shop import ShopData
from tools import Tool, ToolContext
from tools.campaigns.api import campaign_performance
from tools.sales.api import sales_summary
from tools.sales.product import product_performance
from tools.sales.trend_tool import sales_trend

CALLS: list[tuple[Tool, dict[str, object]]] = [
    (sales_summary, {"period": "last month"}),
    (sales_summary, {"period": "上个月", "by": "category"}),
    (sales_summary, {"period": "this quarter", "compare_to": "last_year"}),
    (sales_summary, {"period": "last 30 days", "by": "product", "top": 10}),
    (sales_summary, {"period": "双十一期间", "by": "country"}),
    (sales_trend, {"period": "last 12 months"}),
    (sales_trend, {"grain": "week", "period": "last 26 weeks", "metric": "orders"}),
    (sales_trend, {"period": "this year", "by": "category"}),
    (sales_trend, {"grain": "day", "period": "last 90 days", "metric": "aov"}),
    (product_performance, {"sku": "TOP"}),
    (product_performance, {"sku": "TOP", "period": "this year"}),
    (product_performance, {"category": "CATEGORY", "period": "last quarter"}),
    (campaign_performance, {}),
    (campaign_performance, {"campaign": "双十一"}),
    (campaign_performance, {"period": "this year", "rank_by": "conversions_per_send"}),
]


def baseline(lines: pd.DataFrame, products: pd.DataFrame, end: pd.Timestamp) -> float:
    started = time.perf_counter()
    month = lines[(lines["ts"] >= end.replace(day=1)) & (lines["ts"] <= end)]
    value = month["quantity"] * month["unit_price"]
    _ = value.sum(), month.loc[value > 0, "order_id"].nunique()
    _ = value.groupby(month["sku"].map(products.set_index("sku")["category"])).sum()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        shop = ShopData.open(settings.effective_database_url)
        demo = generate_demo(
            seed=7, n_customers=args.customers, n_products=1000, lines_per_customer=10.0
        )
        store_demo(shop, demo, settings, force=True)
        ctx = ToolContext(shop, settings)
        lines, products = shop.order_lines(), shop.products()
        print(f"{len(lines):,} order lines, {args.customers:,} customers")
        started = time.perf_counter()
        sales_summary(ctx, period="last month")
        print(
            f"first call (reads and values the lines once per data version): "
            f"{time.perf_counter() - started:.2f} s"
        )
        end = lines["ts"].max()
        floor = statistics.median(baseline(lines, products, end) for _ in range(args.repeat))
        top = lines.groupby("sku")["quantity"].sum().idxmax()
        category = str(products["category"].mode()[0])
        for tool, template in CALLS:
            call = {
                k: {"TOP": top, "CATEGORY": category}.get(str(v), v) for k, v in template.items()
            }
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                tool(ctx, **call)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            print(
                f"{tool.name}{call}: median {1000 * median:.0f} ms "
                f"(baseline {1000 * floor:.0f} ms, ratio {median / floor:.1f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
