"""The Spark engine's customers: RFM segments by window ranks in Spark SQL, the profile score
with MLlib's logistic regression, clusters with MLlib's PCA and k-means, and CLV from BG/NBD +
Gamma-Gamma fitted on the driver over per-customer summaries that Spark computes.

Each follows the pandas engine's definitions (``tools.profiling``); where MLlib differs (its
k-means, silhouette and AUC) the batch run's meta says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression, LogisticRegressionModel
from pyspark.ml.clustering import KMeans
from pyspark.ml.evaluation import BinaryClassificationEvaluator, ClusteringEvaluator
from pyspark.ml.feature import PCA, StandardScaler
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tools._shop import no_customer_ids
from tools.batch.spark_features import DAY, WEEK, Features, Tables, customer_features
from tools.batch.spark_session import collect_through_files
from tools.profiling.clv import clv_from_summaries
from tools.profiling.score import EXCLUDED, RFM, C, check_history, check_labels
from tools.profiling.segments import RFM_GRID, Clustering, group_traits

HORIZON_DAYS = 90
CLV_HOLDOUT_WEEKS = 26.0
K_RANGE = range(3, 9)


@dataclass(frozen=True)
class Scored:
    """The end-of-data customer table (pandas, one row per customer) and the fitted parts."""

    table: pd.DataFrame
    z: pd.DataFrame
    """The standardised score inputs the weights apply to (for each card's drivers)."""
    weights: dict[str, float]
    clustering: Clustering
    features: tuple[str, ...]
    meta: dict[str, Any]


def score_customers(t: Tables, end: float, folder: Path) -> Scored:
    """Features, segments, score, clusters and CLV of every customer as of ``end``; the
    per-customer tables reach the driver through Parquet files in ``folder``."""
    start = t["order_lines"].where(F.col("customer_id").isNotNull()).agg(F.min("ts_s")).first()
    end_ts = pd.Timestamp(end, unit="s")
    if start is None or start[0] is None:
        raise no_customer_ids()
    check_history(pd.Timestamp(start[0], unit="s"), end_ts, HORIZON_DAYS)
    train_cut, test_cut = end - 2 * HORIZON_DAYS * DAY, end - HORIZON_DAYS * DAY
    train_features = customer_features(t, train_cut)
    test_features = customer_features(t, test_cut)
    train = _labelled(t, train_features, train_cut)
    test = _labelled(t, test_features, test_cut)
    for cut, frame in ((train_cut, train), (test_cut, test)):
        n, bought = frame.agg(F.count("*"), F.sum("y")).first()  # type: ignore[misc]
        check_labels(pd.Timestamp(cut, unit="s"), int(n), int(bought or 0), HORIZON_DAYS)
    columns = [c for c in train_features.columns if c not in EXCLUDED]
    final_features = customer_features(t, end)
    auc = _holdout_auc(
        Features(train, train_features.columns), Features(test, test_features.columns), columns
    )
    model = _score_model(_design(Features(test, test_features.columns), columns))
    scored = model.transform(_design(final_features, columns))
    lr = model.stages[-1]
    if not isinstance(lr, LogisticRegressionModel):
        raise TypeError(f"the score pipeline ends in {type(lr).__name__}, not a regression")
    intercept = float(lr.intercept)
    weights = dict(zip(columns, (float(w) for w in lr.coefficients.toArray()), strict=True))
    scores = scored.select(
        "customer_id",
        (vector_to_array(F.col("rawPrediction"))[1] - F.lit(intercept)).alias("profile_score"),
        vector_to_array(F.col("probability"))[1].alias("purchase_prob"),
        vector_to_array(F.col("z")).alias("z"),
    )
    segments = _rfm_segments(final_features.frame)
    clusters, silhouette, components = _clusters(final_features)
    joined = (
        final_features.frame.join(segments, "customer_id")
        .join(scores, "customer_id")
        .join(clusters, "customer_id")
    )
    table = _by_customer(joined, folder, "scored_customers")
    z = pd.DataFrame(table.pop("z").tolist(), index=table.index, columns=columns)
    table = table.rename(columns={v: k for k, v in final_features.columns.items()})
    table["churn_risk"] = 1 - table["purchase_prob"]
    table = table.join(_clv(t, end, folder))
    names = tuple(final_features.columns)
    traits_columns = [c for c in names if c != "purchase_days"]
    labels = table["cluster"].astype(int)
    k = max(silhouette, key=lambda c: silhouette[c])
    clustering = Clustering(
        labels, k, silhouette, components, group_traits(table[traits_columns], labels)
    )
    meta = {
        "profile_auc": auc,
        "notes": [
            "profile score: MLlib logistic regression (L2, as the pandas engine's C = "
            f"{C}); AUC from MLlib's binned ROC",
            "clusters: MLlib PCA and k-means, k by MLlib's squared-Euclidean silhouette",
            "CLV: BG/NBD and Gamma-Gamma fitted on the driver over per-customer summaries "
            "computed by Spark",
        ],
    }
    return Scored(table, z, weights, clustering, names, meta)


def _labelled(t: Tables, feats: Features, cut: float) -> DataFrame:
    """Features at ``cut`` and y: bought in the following horizon."""
    window = t["order_lines"].where(
        (F.col("ts_s") >= cut)
        & (F.col("ts_s") < cut + HORIZON_DAYS * DAY)
        & ~F.col("is_return")
        & F.col("customer_id").isNotNull()
    )
    buyers = window.select("customer_id").distinct().withColumn("y", F.lit(1.0))
    return feats.frame.join(buyers, "customer_id", "left").fillna(0.0, subset=["y"]).cache()


def _design(feats: Features, columns: list[str] | tuple[str, ...]) -> DataFrame:
    return feats.frame.withColumn("x", array_to_vector(feats.design(columns))).cache()


def _score_model(train: DataFrame) -> PipelineModel:
    """Standardise, then L2 logistic regression on the z-scores: scikit-learn's C becomes
    MLlib's regParam = 1 / (C n), as MLlib averages the loss where scikit-learn sums it."""
    n = train.count()
    return Pipeline(
        stages=[
            StandardScaler(inputCol="x", outputCol="z", withMean=True, withStd=True),
            LogisticRegression(
                featuresCol="z",
                labelCol="y",
                regParam=1.0 / (C * n),
                elasticNetParam=0.0,
                standardization=False,
                maxIter=200,
                tol=1e-7,
            ),
        ]
    ).fit(train)


def _holdout_auc(train: Features, test: Features, columns: list[str]) -> dict[str, float]:
    """Hold-out AUC of the profile score, the RFM-only model and the recency rule."""
    evaluator = BinaryClassificationEvaluator(labelCol="y", metricName="areaUnderROC")
    out = {}
    for name, names in (("profile_score", columns), ("rfm_model", list(RFM))):
        fitted = _score_model(_design(train, names))
        out[name] = float(evaluator.evaluate(fitted.transform(_design(test, names))))
    rule = test.frame.withColumn("rule", -F.col("recency_days"))
    out["recency_rule"] = float(evaluator.setRawPredictionCol("rule").evaluate(rule))
    return out


def _quintile(value: Column, descending: bool = False) -> Column:
    """Scores 1-5 by rank quintile, ties broken by customer id (the pandas engine's order)."""
    order = value.desc() if descending else value.asc()
    rank = F.row_number().over(Window.orderBy(order, F.col("customer_id").asc()))
    n = F.count(F.lit(1)).over(Window.partitionBy())
    return F.least(F.greatest(F.ceil(rank / n * 5), F.lit(1)), F.lit(5)).cast("int")


def _rfm_segments(features: DataFrame) -> DataFrame:
    """R, F, M scores and the named segment (``tools.profiling.segments``' grid)."""
    grid = F.create_map(
        *(
            item
            for r in range(1, 6)
            for f in range(1, 6)
            for item in (F.lit(r * 10 + f), F.lit(str(RFM_GRID[r, f])))
        )
    )
    scored = features.select(
        "customer_id",
        _quintile(F.col("recency_days"), descending=True).alias("r_score"),
        _quintile(F.col("frequency") + F.col("monetary") * 1e-9).alias("f_score"),
        _quintile(F.col("monetary")).alias("m_score"),
    )
    return scored.withColumn(
        "rfm_segment", F.element_at(grid, F.col("r_score") * 10 + F.col("f_score"))
    )


def _clusters(feats: Features) -> tuple[DataFrame, dict[int, float], int]:
    """k-means on standardised, PCA-reduced features (components with eigenvalue >= 1), k by
    silhouette over ``K_RANGE``."""
    names = [c for c in feats.columns if c not in ("purchase_days",)]
    x = _design(feats, names).select("customer_id", "x").cache()
    n = x.count()
    scaler = StandardScaler(inputCol="x", outputCol="z", withMean=True, withStd=True).fit(x)
    z = scaler.transform(x)
    varying = int((scaler.std.toArray() > 0).sum())
    pca = PCA(k=len(names), inputCol="z", outputCol="pcs").fit(z)
    # MLlib gives shares of the variance; scikit-learn's eigenvalues are the shares times the
    # total variance of population-scaled z-scores.
    eigen = pca.explainedVariance.toArray() * varying * n / max(n - 1, 1)
    components = max(2, int((eigen >= 1.0).sum()))
    reduced = PCA(k=components, inputCol="z", outputCol="features").fit(z).transform(z).cache()
    evaluator = ClusteringEvaluator(featuresCol="features", predictionCol="cluster")
    scores: dict[int, float] = {}
    fits: dict[int, DataFrame] = {}
    for k in (k for k in K_RANGE if k < n):
        fitted = KMeans(k=k, seed=0, featuresCol="features", predictionCol="cluster").fit(reduced)
        fits[k] = fitted.transform(reduced).select("customer_id", "cluster")
        scores[k] = float(evaluator.evaluate(fitted.transform(reduced)))
    best = max(scores, key=lambda k: scores[k])
    return fits[best], scores, components


def _summary(lines: DataFrame, end: float) -> DataFrame:
    """Per customer: x (repeat purchase days), t_x and T in weeks, m_x (mean repeat spend), as
    ``tools.profiling.clv.rfm_summary``."""
    sales = lines.where(
        (F.col("ts_s") < end) & F.col("customer_id").isNotNull() & ~F.col("is_return")
    )
    daily = (
        sales.withColumn("day", F.floor(F.col("ts_s") / DAY) * DAY)
        .groupBy("customer_id", "day")
        .agg(F.sum(F.col("quantity") * F.col("unit_price")).alias("spend"))
    )
    per = daily.groupBy("customer_id").agg(
        F.min("day").alias("first"),
        F.max("day").alias("last"),
        F.count(F.lit(1)).alias("n"),
        F.min_by("spend", "day").alias("first_spend"),
        F.sum("spend").alias("total"),
    )
    x = (F.col("n") - 1).cast("double")
    repeat = F.when(x > 0, (F.col("total") - F.col("first_spend")) / x).otherwise(0.0)
    return per.select(
        "customer_id",
        x.alias("x"),
        ((F.col("last") - F.col("first")) / WEEK).alias("t_x"),
        ((F.lit(np.floor(end / DAY) * DAY) - F.col("first")) / WEEK).alias("T"),
        F.greatest(repeat, F.lit(0.0)).alias("m_x"),
    )


def _clv(t: Tables, end: float, folder: Path) -> pd.DataFrame:
    """P(alive), expected purchases and 12-month CLV per customer (fitted on the driver)."""
    lines = t["order_lines"]
    cal_end = end - CLV_HOLDOUT_WEEKS * WEEK
    hold = lines.where(
        (F.col("ts_s") >= cal_end) & (F.col("ts_s") < end) & ~F.col("is_return")
    ).select("customer_id", F.floor(F.col("ts_s") / DAY).alias("day"))
    actual = hold.groupBy("customer_id").agg(F.countDistinct("day").alias("actual"))
    cal = _by_customer(
        _summary(lines, cal_end).join(actual, "customer_id", "left").fillna(0.0, subset=["actual"]),
        folder,
        "clv_calibration",
    )
    full = _by_customer(_summary(lines, end), folder, "clv_summaries")
    model = clv_from_summaries(
        cal.drop(columns="actual"), cal["actual"].to_numpy(float), full, CLV_HOLDOUT_WEEKS
    )
    return model.predict(full)


def _by_customer(frame: DataFrame, folder: Path, name: str) -> pd.DataFrame:
    """A per-customer Spark frame on the driver, indexed and ordered by customer id."""
    table = collect_through_files(frame, folder, name)
    return table.sort_values("customer_id", ignore_index=True).set_index("customer_id")
