"""A Spark session for the batch, and the shop copied out of its database as Parquet files the
Spark engine reads (any master: ``local[2]``, ``spark://host:7077``, a cluster URL)."""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from copilot.core.errors import ConfigError
from copilot.shop.store import table_chunks

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from sqlalchemy import Engine

JAVA_HOMES = ("/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/java-17-openjdk-arm64")
"""Debian's Java 17, which Spark 4 runs on (``make install`` puts it there when missing)."""

# Timestamps travel as seconds since the epoch (UTC): Spark then does plain arithmetic on them,
# with no session time zone or Parquet timestamp flavour to get wrong.
_SCHEMAS = {
    "order_lines": pa.schema(
        [
            ("order_id", pa.string()),
            ("customer_id", pa.string()),
            ("sku", pa.string()),
            ("quantity", pa.float64()),
            ("unit_price", pa.float64()),
            ("ts_s", pa.float64()),
            ("is_return", pa.bool_()),
            ("promo", pa.bool_()),
        ]
    ),
    "events": pa.schema(
        [("customer_id", pa.string()), ("type", pa.string()), ("ts_s", pa.float64())]
    ),
    "customers": pa.schema(
        [("customer_id", pa.string()), ("country", pa.string()), ("channel", pa.string())]
    ),
    "products": pa.schema(
        [("sku", pa.string()), ("category", pa.string()), ("list_price", pa.float64())]
    ),
}


def java_home() -> str:
    """A JAVA_HOME Spark 4 runs on: the environment's, else Debian's Java 17."""
    for home in (os.environ.get("JAVA_HOME"), *JAVA_HOMES):
        if home and Path(home, "bin", "java").exists():
            return home
    if shutil.which("java"):
        return str(Path(shutil.which("java") or "").resolve().parent.parent)
    raise ConfigError(
        "the Spark engine needs Java 17 or newer and none was found: run make install (it "
        "installs Debian's openjdk-17-jre-headless) or set JAVA_HOME"
    )


def driver_memory(master: str) -> str:
    """The driver JVM's heap ceiling: Spark's own ``SPARK_DRIVER_MEMORY`` when set; else, on
    ``local[N]`` (where the driver is the executor too), half the machine's memory, since the
    heap only grows as a big shop needs it; else 2 GB (on a cluster the driver only collects)."""
    given = os.environ.get("SPARK_DRIVER_MEMORY")
    if given:
        return given
    if master.startswith("local"):
        half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**21
        return f"{max(half, 2048)}m"
    return "2g"


@contextmanager
def spark_session(
    master: str, partitions: int = 8, app: str = "copilot-batch"
) -> Iterator[SparkSession]:
    """A session on ``master`` whose Python workers run this interpreter, shuffling into
    ``partitions`` parts; stopped on exit."""
    os.environ["JAVA_HOME"] = java_home()
    # Executors must run the interpreter that has numpy, pandas and pyarrow (this one).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # pyspark 4.3 warns on every pandas conversion that it was tested with pandas < 3; the
    # engine's parity test against the pandas engine is what tells whether results hold.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # pandas semantics: x / 0 is missing, not an error.
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.driver.memory", driver_memory(master))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def partitions_for(lines: int) -> int:
    """Shuffle partitions for a shop of ``lines`` order lines: two per million (a part of
    ~500k lines), at least 2. Every part costs a task per pass, and the models pass over the
    customers dozens of times, so a small shop in many parts is slow (measured: k-means on
    5k customers 2.5x slower in 8 parts than in 1)."""
    return max(2, min(400, round(2 * lines / 1e6)))


def stage(engine: Engine, folder: Path) -> dict[str, Path]:
    """Copy the shop's order lines, events, customers and products to Parquet files in
    ``folder``, a chunk at a time (the driver never holds a whole table)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, schema in _SCHEMAS.items():
        path = folder / f"{name}.parquet"
        with pq.ParquetWriter(path, schema) as writer:
            for chunk in table_chunks(engine, name):
                frame = _arrow_frame(chunk, schema)
                writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
        paths[name] = path
    return paths


def collect_through_files(frame: DataFrame, folder: Path, name: str) -> pd.DataFrame:
    """``frame`` on the driver, by way of Parquet files its executors write to ``folder/name``
    (a folder the driver and the workers share, as the staged shop is). A result of millions of
    rows, such as every customer's picks, would otherwise pass the driver's result channel,
    which ``spark.driver.maxResultSize`` caps (1 GB: 741,522 customers' picks failed there)."""
    path = folder / name
    frame.write.mode("overwrite").parquet(str(path))
    return pd.read_parquet(path)


def read(spark: SparkSession, paths: dict[str, Path]) -> dict[str, DataFrame]:
    """The staged tables as Spark frames."""
    return {name: spark.read.parquet(str(path)) for name, path in paths.items()}


def _arrow_frame(chunk: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    out = pd.DataFrame(index=chunk.index)
    for field in schema:
        name = field.name
        if name == "ts_s":
            out[name] = chunk["ts"].astype("datetime64[us]").astype("int64") / 1e6
        elif name not in chunk:
            out[name] = None
        elif pa.types.is_string(field.type) or pa.types.is_boolean(field.type):
            kind = "string" if pa.types.is_string(field.type) else "boolean"
            values = chunk[name].astype(kind)
            out[name] = values.astype(object).where(values.notna(), None)
        else:
            out[name] = pd.to_numeric(chunk[name], errors="coerce").astype(float)
    return out
