"""Customer features as of an instant, in Spark SQL: the same definitions as
``tools.profiling.features`` (which documents them), one row per customer who bought before it.

Times are seconds since the epoch (``ts_s``); a day is ``floor(ts_s / 86400)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from tools.profiling.features import MAX_CATEGORIES, category_feature
from tools.profiling.score import LOG_FEATURES

DAY = 86400.0
WEEK = 7 * DAY
Tables = dict[str, DataFrame]
_EVENTS = {"view": "views_90d", "search": "searches_90d", "cart": "carts_90d"}


@dataclass(frozen=True)
class Features:
    """A customer feature frame and its columns' names as the pandas engine calls them."""

    frame: DataFrame
    """``customer_id``, ``country``, ``channel`` and one column per feature."""
    columns: dict[str, str]
    """Feature name -> column of ``frame`` (category shares have safe internal names)."""

    def design(self, names: list[str] | tuple[str, ...]) -> Column:
        """The model inputs ``names`` as an array: heavy-tailed features log1p-transformed, a
        feature this frame lacks as 0 (as ``tools.profiling.score.design``)."""
        values = []
        for name in names:
            column = self.columns.get(name)
            value = F.col(column).cast("double") if column else F.lit(0.0)
            if name in LOG_FEATURES:
                value = F.log1p(F.greatest(value, F.lit(0.0)))
            values.append(value)
        return F.array(*values)


def sales_before(lines: DataFrame, as_of: float) -> DataFrame:
    """Customers' sale lines (returns left out) before ``as_of``, with spend and day."""
    return (
        lines.where((F.col("ts_s") < as_of) & F.col("customer_id").isNotNull())
        .where(~F.col("is_return"))
        .withColumn("spend", F.col("quantity") * F.col("unit_price"))
        .withColumn("day", F.floor(F.col("ts_s") / DAY))
    )


def customer_features(t: Tables, as_of: float) -> Features:
    """Every customer's features as of ``as_of`` (see ``tools.profiling.features``)."""
    lines = t["order_lines"]
    sales = sales_before(lines, as_of)
    base = sales.groupBy("customer_id").agg(
        F.min("ts_s").alias("first"),
        F.max("ts_s").alias("last"),
        F.countDistinct("order_id").alias("frequency"),
        F.countDistinct("day").alias("purchase_days"),
        F.sum("spend").alias("monetary"),
        F.count(F.lit(1)).alias("n_lines"),
        F.sum("quantity").alias("bought"),
    )
    out = (
        base.withColumn("tenure_days", (F.lit(as_of) - F.col("first")) / DAY)
        .withColumn("recency_days", (F.lit(as_of) - F.col("last")) / DAY)
        .withColumn("aov", F.col("monetary") / F.col("frequency"))
        .withColumn("basket_size", F.col("n_lines") / F.col("frequency"))
    )
    out = out.join(_inter_purchase(sales), "customer_id", "left")
    out = out.withColumn("ipt_mean_days", F.coalesce("ipt_mean_days", "tenure_days")).withColumn(
        "ipt_cv", F.coalesce("ipt_cv", F.lit(0.0))
    )
    out = out.join(_promo_share(sales, t["products"]), "customer_id", "left")
    out = out.join(_returned(lines, as_of), "customer_id", "left")
    rate = F.when(F.col("bought") == 0, F.when(F.col("returned") > 0, 1.0)).otherwise(
        F.col("returned") / F.col("bought")
    )
    out = out.withColumn("return_rate", F.least(F.greatest(rate, F.lit(0.0)), F.lit(1.0)))
    recent = (
        sales.where(F.col("ts_s") >= as_of - 90 * DAY)
        .groupBy("customer_id")
        .agg(
            F.countDistinct("order_id").alias("orders_90d"),
            F.sum("spend").alias("spend_90d"),
        )
    )
    out = out.join(recent, "customer_id", "left")
    columns = {
        name: name
        for name in (
            "tenure_days",
            "recency_days",
            "frequency",
            "purchase_days",
            "monetary",
            "aov",
            "basket_size",
            "ipt_mean_days",
            "ipt_cv",
            "promo_share",
            "return_rate",
            "orders_90d",
            "spend_90d",
        )
    }
    shares, names = _category_shares(sales, t["products"])
    if names:
        out = out.join(shares, "customer_id", "left")
        columns.update(names)
    counts, kinds = _event_counts(t["events"], as_of)
    if kinds:
        out = out.join(counts, "customer_id", "left")
        columns.update(kinds)
    zero_filled = ["promo_share", "return_rate", "orders_90d", "spend_90d"]
    out = out.fillna(0.0, subset=zero_filled + list(names.values()) + list(kinds.values()))
    attributes = t["customers"].select("customer_id", "country", "channel")
    out = out.join(attributes, "customer_id", "left")
    selected = out.select("customer_id", "country", "channel", *columns.values())
    # Cached: the models read these rows many times (an iteration each).
    return Features(selected.cache(), columns)


def _inter_purchase(sales: DataFrame) -> DataFrame:
    days = sales.select("customer_id", "day").distinct()
    gap = F.col("day") - F.lag("day").over(Window.partitionBy("customer_id").orderBy("day"))
    stats = (
        days.withColumn("gap", gap)
        .groupBy("customer_id")
        .agg(F.avg("gap").alias("mean"), F.stddev_samp("gap").alias("std"))
    )
    return stats.select(
        "customer_id",
        F.col("mean").alias("ipt_mean_days"),
        F.when(F.col("mean") > 0, F.col("std") / F.col("mean")).alias("ipt_cv"),
    )


def _promo_share(sales: DataFrame, products: DataFrame) -> DataFrame:
    priced = sales.join(products.select("sku", "list_price"), "sku", "left")
    below = F.col("unit_price") < 0.98 * F.col("list_price")
    # A recorded promotion flag wins; without one, "below list price" stands in for it.
    discounted = F.coalesce(F.col("promo"), below, F.lit(False))
    return priced.groupBy("customer_id").agg(
        (F.sum(F.when(discounted, F.col("spend")).otherwise(0.0)) / F.sum("spend")).alias(
            "promo_share"
        )
    )


def _returned(lines: DataFrame, as_of: float) -> DataFrame:
    returns = lines.where(
        (F.col("ts_s") < as_of) & F.col("customer_id").isNotNull() & F.col("is_return")
    )
    return returns.groupBy("customer_id").agg(F.sum(F.abs("quantity")).alias("returned"))


def _category_shares(sales: DataFrame, products: DataFrame) -> tuple[DataFrame, dict[str, str]]:
    bought = sales.join(products.select("sku", "category"), "sku", "left").where(
        F.col("category").isNotNull()
    )
    totals = bought.groupBy("category").agg(F.sum("spend").alias("spend")).collect()
    # The largest by spend, ties in category order (as pandas' nlargest over sorted groups).
    top = [r["category"] for r in sorted(totals, key=lambda r: (-r["spend"], r["category"]))]
    top = top[:MAX_CATEGORIES]
    names = {category_feature(str(c)): f"cat_{i}" for i, c in enumerate(top)}
    spend = [
        F.sum(F.when(F.col("category") == c, F.col("spend")).otherwise(0.0)).alias(f"s_{i}")
        for i, c in enumerate(top)
    ]
    per = bought.groupBy("customer_id").agg(F.sum("spend").alias("total"), *spend)
    shares = per.select(
        "customer_id",
        *[(F.col(f"s_{i}") / F.col("total")).alias(f"cat_{i}") for i in range(len(top))],
    )
    return shares, names


def _event_counts(events: DataFrame, as_of: float) -> tuple[DataFrame, dict[str, str]]:
    recent = events.where((F.col("ts_s") < as_of) & (F.col("ts_s") >= as_of - 90 * DAY))
    present = {r["type"] for r in recent.select("type").distinct().collect()}
    kinds = {column: column for kind, column in _EVENTS.items() if kind in present}
    counts = recent.groupBy("customer_id").agg(
        *(
            F.sum(F.when(F.col("type") == kind, 1).otherwise(0)).cast("double").alias(column)
            for kind, column in _EVENTS.items()
            if kind in present
        ),
        F.count(F.lit(1)).alias("_events"),
    )
    return counts.drop("_events"), kinds
