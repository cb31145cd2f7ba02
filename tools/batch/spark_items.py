"""The Spark engine's products: MLlib ALS recommendations scored for every customer partition
by partition, item neighbours from a distributed co-occurrence, co-purchases from an order
self-join, and the weekly demand panel that the driver fits elasticities on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyspark.ml.recommendation import ALS
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from tools.batch.spark_features import DAY
from tools.batch.spark_session import collect_through_files
from tools.recommend.base import Reason

ALS_RANK = 16
ALS_ITERATIONS = 12
ALS_REGULARISATION = 0.5
ALS_ALPHA = 3.0
"""ALS on log1p(orders with the product), implicit feedback: chosen on the demo shop's temporal
split (benchmarks/bench_spark_parity.py)."""
NEIGHBOUR_ITEMS = 200
"""Each customer's most recently bought products that enter the co-occurrence (bounds the pairs
a heavy buyer adds, which grow with the square of their products)."""

_RECS = (
    "customer_id string, mode string, rank int, sku string, score double, reason string, "
    "reason_kind string, because string, neighbours_bought int, neighbours int, cold_start boolean"
)


def merchandise_sales(lines: DataFrame, exclude: set[str]) -> DataFrame:
    """Sale lines of products that are not fees (returns and zero quantities left out)."""
    sales = lines.where(~F.col("is_return") & (F.col("quantity") > 0))
    return sales.where(~F.col("sku").isin(sorted(exclude))) if exclude else sales


def recommendation_rows(sales: DataFrame, top_n: int, folder: Path) -> pd.DataFrame:
    """Every customer's top ``top_n`` products they have not bought ("new") and top ``top_n``
    with re-buys ("all"), from ALS factors, with the bought product behind each (brought to
    the driver through files in ``folder``)."""
    spark = sales.sparkSession
    pairs = (
        sales.where(F.col("customer_id").isNotNull())
        .groupBy("customer_id", "sku")
        .agg(F.countDistinct("order_id").alias("orders"))
    )
    users = _index(pairs, "customer_id", "uid")
    items = _index(pairs, "sku", "iid")
    rated = (
        pairs.join(users, "customer_id")
        .join(items, "sku")
        .withColumn("confidence", F.log1p("orders"))
        .cache()
    )
    model = ALS(
        rank=ALS_RANK,
        maxIter=ALS_ITERATIONS,
        regParam=ALS_REGULARISATION,
        alpha=ALS_ALPHA,
        implicitPrefs=True,
        userCol="uid",
        itemCol="iid",
        ratingCol="confidence",
        seed=0,
    ).fit(rated)
    factors = model.itemFactors.orderBy("id").toPandas()
    skus = items.orderBy("iid").toPandas()["sku"].to_numpy(dtype=object)
    matrix = np.zeros((len(skus), ALS_RANK), dtype=np.float64)
    matrix[factors["id"].to_numpy()] = np.stack(list(factors["features"]))
    shared = spark.sparkContext.broadcast((matrix, skus))
    bought = rated.groupBy("uid").agg(F.collect_list("iid").alias("bought"))
    people = (
        model.userFactors.withColumnRenamed("id", "uid")
        .join(bought, "uid")
        .join(users, "uid")
        .select("customer_id", "features", "bought")
    )

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        v, names = shared.value
        unit = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        for batch in batches:
            records: list[dict[str, Any]] = []
            scores = np.stack(list(batch["features"])) @ v.T
            for cid, row, had in zip(batch["customer_id"], scores, batch["bought"], strict=True):
                had = np.asarray(had, dtype=int)
                for mode in ("new", "all"):
                    records += _picks(cid, mode, row, had, top_n, unit, names)
            yield pd.DataFrame.from_records(records, columns=_COLUMNS)

    return collect_through_files(people.mapInPandas(score, _RECS), folder, "recommendations")


_COLUMNS = [c.split()[0] for c in _RECS.split(", ")]


def _picks(
    cid: str,
    mode: str,
    scores: np.ndarray,
    had: np.ndarray,
    top_n: int,
    unit: np.ndarray,
    names: np.ndarray,
) -> list[dict[str, Any]]:
    scores = scores.copy()
    if mode == "new":
        scores[had] = -np.inf
    n = min(top_n, int(np.isfinite(scores).sum()))
    top = np.argpartition(-scores, n - 1)[:n] if n else np.array([], dtype=int)
    top = top[np.lexsort((top, -scores[top]))]
    near = unit[top] @ unit[had].T  # each pick vs each bought product
    out = []
    for rank, (item, sims) in enumerate(zip(top, near, strict=True)):
        if item in had:
            reason = Reason("buy_again")
        else:
            reason = Reason("also_bought", (str(names[had[int(np.argmax(sims))]]),))
        out.append(
            {
                "customer_id": cid,
                "mode": mode,
                "rank": rank,
                "sku": str(names[item]),
                "score": float(scores[item]),
                "reason": str(reason),
                "reason_kind": reason.kind,
                "because": json.dumps(list(reason.products)),
                "neighbours_bought": 0,
                "neighbours": 0,
                "cold_start": False,
            }
        )
    return out


def _index(frame: DataFrame, column: str, name: str) -> DataFrame:
    """Dense integer ids 0..n-1 for the distinct values of ``column`` (in value order)."""
    values = frame.select(column).distinct()
    return values.withColumn(name, F.row_number().over(Window.orderBy(column)) - 1)


def neighbour_rows(sales: DataFrame, top_n: int) -> pd.DataFrame:
    """Each bought product's nearest products by who buys them: cosine of the customer sets
    from a distributed co-occurrence (1.0 = the closest)."""
    recent = Window.partitionBy("customer_id").orderBy(F.col("last").desc(), F.col("sku"))
    pairs = (
        sales.where(F.col("customer_id").isNotNull())
        .groupBy("customer_id", "sku")
        .agg(F.max("ts_s").alias("last"))
        .withColumn("n", F.row_number().over(recent))
        .where(F.col("n") <= NEIGHBOUR_ITEMS)
        .select("customer_id", "sku")
        .cache()
    )
    together = _together(pairs, "customer_id", "together", "buyers")
    cosine = together.withColumn("cos", F.col("together") / F.sqrt(F.col("buyers") * F.col("o")))
    top = _top(cosine, "cos", top_n)
    strongest = F.max("cos").over(Window.partitionBy("sku"))
    return (
        top.select(
            F.lit("neighbour").alias("kind"),
            "sku",
            "rank",
            "other",
            (F.col("cos") / strongest).alias("similarity"),
        )
        .toPandas()
        .sort_values(["sku", "rank"], ignore_index=True)
    )


def basket_rows(sales: DataFrame, top_n: int) -> pd.DataFrame:
    """Each product's most frequent companions in an order: orders together, confidence, lift
    (as the pandas engine: most orders together first, ties by sku)."""
    baskets = sales.select("order_id", "sku").distinct().cache()
    orders = baskets.select("order_id").distinct().count()
    together = _together(baskets, "order_id", "together_orders", "sku_orders")
    top = _top(together, "together_orders", top_n)
    confidence = F.col("together_orders") / F.col("sku_orders")
    return (
        top.select(
            F.lit("basket").alias("kind"),
            "sku",
            "rank",
            "other",
            confidence.alias("similarity"),
            F.col("together_orders").cast("long"),
            F.col("sku_orders").cast("long"),
            (confidence / (F.col("o") / F.lit(max(orders, 1)))).alias("lift"),
        )
        .toPandas()
        .sort_values(["sku", "rank"], ignore_index=True)
    )


def _together(pairs: DataFrame, by: str, name: str, counted: str) -> DataFrame:
    """Pairs of different skus sharing a ``by`` (a customer, an order) in ``pairs`` (``by``,
    ``sku``): how many share them (``name``), and how many ``by`` each has (``counted`` for
    ``sku``, ``o`` for ``other``)."""
    counts = pairs.groupBy("sku").agg(F.count(F.lit(1)).alias(counted))
    together = (
        pairs.alias("a")
        .join(pairs.alias("b"), by)
        .where(F.col("a.sku") != F.col("b.sku"))
        .groupBy(F.col("a.sku").alias("sku"), F.col("b.sku").alias("other"))
        .agg(F.count(F.lit(1)).alias(name))
    )
    other = counts.withColumnRenamed("sku", "other").withColumnRenamed(counted, "o")
    return together.join(counts, "sku").join(other, "other")


def _top(frame: DataFrame, by: str, n: int) -> DataFrame:
    order = Window.partitionBy("sku").orderBy(F.col(by).desc(), F.col("other"))
    ranked = frame.withColumn("rank", F.row_number().over(order) - 1)
    return ranked.where(F.col("rank") < n)


def weekly_sums(lines: DataFrame, exclude: set[str]) -> pd.DataFrame:
    """Units, revenue (and promoted units where recorded) per product and week (weeks start on
    Monday), as ``tools.pricing.panel.shop_panel`` sums them."""
    sales = merchandise_sales(lines, exclude).where(F.col("unit_price") > 0)
    day = F.floor(F.col("ts_s") / DAY)
    # 1970-01-01 was a Thursday: day + 3 counts from a Monday.
    week = (day - F.pmod(day + 3, F.lit(7))).alias("week_day")
    sums = [
        F.sum("quantity").cast("long").alias("units"),
        F.sum(F.col("quantity") * F.col("unit_price")).alias("revenue"),
    ]
    if sales.where(F.col("promo").isNotNull()).limit(1).count():
        promoted = F.col("quantity") * F.coalesce(F.col("promo"), F.lit(False)).cast("double")
        sums.append(F.sum(promoted).alias("promo_units"))
    panel = sales.groupBy("sku", week).agg(*sums).toPandas()
    panel["week"] = pd.to_datetime(panel.pop("week_day").astype("int64"), unit="D")
    order = ["sku", "week", "units", "revenue", *(["promo_units"] if len(sums) > 2 else [])]
    return panel[order].sort_values(["sku", "week"], ignore_index=True)
