"""The Spark batch engine: the shop copied to Parquet, every customer and product scored on a
Spark master (``local[2]`` or any cluster URL), the same batch tables as the pandas engine.

The heavy passes (features, segments, score, clusters, ALS, co-occurrence, weekly sums) run in
Spark; what is per customer or per product-week and small (CLV's two-parameter fits, the demand
model, the cards' words) runs on the driver over Spark's summaries.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from pyspark.sql import functions as F

from tools._shop import no_customer_ids, no_orders
from tools._tool import ToolContext
from tools.batch.pandas_engine import Step, customer_frame, elasticity_frame, run_meta
from tools.batch.spark_customers import HORIZON_DAYS, score_customers
from tools.batch.spark_features import DAY
from tools.batch.spark_items import (
    basket_rows,
    merchandise_sales,
    neighbour_rows,
    recommendation_rows,
    weekly_sums,
)
from tools.batch.spark_session import partitions_for, read, spark_session, stage
from tools.pricing.demand import fit_demand
from tools.pricing.panel import weekly_panel
from tools.profiling.card import CardParts, pushes_of, top_categories
from tools.recommend.components import non_merchandise


def compute(
    ctx: ToolContext, top_n: int, master: str, step: Step = lambda _: None
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The batch tables' rows and the run's meta, computed on Spark ``master``."""
    products = ctx.shop.products()
    exclude = non_merchandise(products)
    with tempfile.TemporaryDirectory(prefix="copilot-spark-", dir=_staging(ctx)) as name:
        folder = Path(name)
        step("copy the shop to Parquet")
        paths = stage(ctx.shop.engine, folder)
        lines = pq.ParquetFile(paths["order_lines"]).metadata.num_rows
        with spark_session(master, partitions_for(lines)) as spark:
            t = read(spark, paths)
            end = _data_end(t)
            step("customers: features, segments, score, clusters, CLV")
            scored = score_customers(t, end, folder)
            sales = merchandise_sales(t["order_lines"], exclude).cache()
            step("recommendations (ALS)")
            recommendations = recommendation_rows(sales, top_n, folder)
            step("item neighbours (co-occurrence)")
            pairs = [neighbour_rows(sales, top_n)]
            step("co-purchases")
            pairs.append(basket_rows(sales, top_n))
            step("weekly demand sums")
            weekly = weekly_sums(t["order_lines"], exclude)
            executors = spark.sparkContext.defaultParallelism
    step("elasticities (driver)")
    table = scored.table
    shares = [c for c in scored.features if c.startswith("cat_share:")]
    parts = CardParts(pushes_of(scored.z, scored.weights), top_categories(table, shares))
    frames = {
        "batch_customers": customer_frame(table, parts),
        "batch_recommendations": recommendations.sort_values(
            ["customer_id", "mode", "rank"], ignore_index=True
        ),
        "batch_item_pairs": pd.concat(pairs, ignore_index=True),
        "batch_elasticities": elasticity_frame(fit_demand(weekly_panel(weekly, products))),
    }
    meta = run_meta(table, scored.clustering, pd.Timestamp(end, unit="s"), HORIZON_DAYS)
    meta.update(scored.meta)
    meta["products"] = int(frames["batch_elasticities"].shape[0])
    meta["spark"] = {"master": master, "parallelism": executors}
    return frames, meta


def _data_end(t: dict[str, Any]) -> float:
    """The day after the last customer's order line (the profiles' "as of"), in seconds."""
    lines = t["order_lines"]
    if lines.limit(1).count() == 0:
        raise no_orders()
    last = lines.where(F.col("customer_id").isNotNull()).agg(F.max("ts_s")).first()
    if last is None or last[0] is None:
        raise no_customer_ids()
    return float(np.floor(last[0] / DAY) * DAY + DAY)


def _staging(ctx: ToolContext) -> str | None:
    """Where the Parquet copy goes: the data directory when the shop is a file there (workers
    of a cluster must see it at the same path), else the system's temporary folder."""
    url = ctx.shop.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return str(Path(url.database).resolve().parent)
    return None
