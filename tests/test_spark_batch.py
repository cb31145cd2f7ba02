"""The Spark batch engine against the pandas engine on the demo shop (parity), its ALS on the
recommenders' temporal split, and ``copilot batch --engine spark`` on a standalone cluster (a
master and a worker started from pyspark's own launcher, as separate processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from copilot.core.settings import Settings
from copilot.shop import ShopData
from copilot.shop.batch import last_run
from copilot.shop.store import copy_sqlite
from tools import ToolContext

pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by make install")
pytestmark = pytest.mark.spark

from pyspark.sql import functions as F  # noqa: E402

from tools.batch import pandas_engine, spark_engine  # noqa: E402
from tools.batch.parity import customer_gaps, ranked_metrics  # noqa: E402
from tools.batch.spark_items import merchandise_sales, recommendation_rows  # noqa: E402
from tools.batch.spark_session import java_home, read, spark_session, stage  # noqa: E402
from tools.profiling import profile_customer  # noqa: E402
from tools.recommend.components import catalogue, non_merchandise  # noqa: E402
from tools.recommend.evaluate import temporal_split  # noqa: E402
from tools.recommend.report import evaluate_all  # noqa: E402

RECALL_GAP = 0.03
"""How much lower ALS's recall@10 may be than the in-process hybrid's (measured on the demo
shop: 0.013 with re-buys, 0.012 without; BENCHMARKS.md)."""


@pytest.fixture(scope="module")
def engines(demo_ctx: ToolContext) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Both engines' batch rows for the demo shop."""
    pandas_rows, _ = pandas_engine.compute(demo_ctx, 10)
    spark_rows, meta = spark_engine.compute(demo_ctx, 10, "local[2]")
    assert meta["spark"]["master"] == "local[2]"
    return pandas_rows, spark_rows


def test_customers_agree_with_the_pandas_engine(engines: Any) -> None:
    pandas_rows, spark_rows = engines
    gaps = customer_gaps(pandas_rows["batch_customers"], spark_rows["batch_customers"])
    assert gaps["customers"][0] == gaps["customers"][1] > 4000
    assert gaps["missing"] == 0
    assert gaps["segments_differ"] == 0, gaps
    assert gaps["recency_days_max_abs"] == 0 and gaps["frequency_max_abs"] == 0, gaps
    assert gaps["monetary_max_abs"] < 1e-6, gaps
    # MLlib's logistic regression stops at its own tolerance: probabilities within 0.02.
    assert gaps["purchase_prob_max_abs"] < 0.02, gaps
    assert gaps["profile_score_corr"] > 0.999, gaps
    # The CLV fits run on the driver over Spark's summaries: the same up to float sums.
    assert gaps["p_alive_max_abs"] < 1e-6 and gaps["clv_12m_max_rel"] < 1e-3, gaps
    # MLlib's k-means (one k-means|| start) finds the same groups up to a few customers.
    assert gaps["cluster_ari"] > 0.95, gaps


def test_products_agree_with_the_pandas_engine(engines: Any) -> None:
    pandas_rows, spark_rows = engines
    kept = ["sku", "rank", "other", "together_orders", "sku_orders"]
    a = pandas_rows["batch_item_pairs"].query("kind == 'basket'").reset_index(drop=True)
    b = spark_rows["batch_item_pairs"].query("kind == 'basket'").reset_index(drop=True)
    assert len(a) > 1000
    pd.testing.assert_frame_equal(a[kept].astype(str), b[kept].astype(str))
    assert (a["lift"] - b["lift"]).abs().max() < 1e-4
    pe = pandas_rows["batch_elasticities"].set_index("sku").sort_index()
    se = spark_rows["batch_elasticities"].set_index("sku").sort_index()
    assert list(pe.index) == list(se.index)
    assert (pe["elasticity"] - se["elasticity"]).abs().max() < 1e-6
    assert (pe["usable"] == se["usable"]).all()
    near = spark_rows["batch_item_pairs"].query("kind == 'neighbour'")
    assert set(near["sku"]) == set(a["sku"])  # every product bought with another has neighbours
    assert near.groupby("sku")["similarity"].max().eq(1.0).all()


def test_every_customer_gets_new_and_repeat_recommendations(
    engines: Any, demo_ctx: ToolContext
) -> None:
    _, spark_rows = engines
    recs = spark_rows["batch_recommendations"]
    customers = set(spark_rows["batch_customers"]["customer_id"])
    for mode in ("new", "all"):
        picked = recs[recs["mode"] == mode]
        assert set(picked["customer_id"]) == customers
        assert picked.groupby("customer_id").size().eq(10).all()
    new = recs[recs["mode"] == "new"]
    assert (new["reason_kind"] == "also_bought").all()
    assert not new.duplicated(["customer_id", "sku"]).any()
    lines = demo_ctx.shop.order_lines()
    bought = set(zip(lines["customer_id"].astype(str), lines["sku"].astype(str), strict=True))
    assert not any((c, s) in bought for c, s in zip(new["customer_id"], new["sku"], strict=True))
    # With re-buys allowed, what a customer buys again is said so.
    repeat = recs[recs["mode"] == "all"]
    again = [(c, s) in bought for c, s in zip(repeat["customer_id"], repeat["sku"], strict=True)]
    assert ((repeat["reason_kind"] == "buy_again") == again).all()


def test_als_ranks_close_to_the_in_process_recommenders(demo_ctx: ToolContext) -> None:
    """BENCHMARKS.md's protocol: the last 60 days are the test window."""
    shop = demo_ctx.shop
    lines, events, products = shop.order_lines(), shop.events(), shop.products()
    rows, _ = evaluate_all(lines, events, products, 60, 10)
    end = lines["ts"].max() + pd.Timedelta(seconds=1)
    cutoff = end - pd.Timedelta(days=60)
    exclude = non_merchandise(products)
    split = temporal_split(
        lines, events, cutoff, 60, exclude, items=catalogue(products, lines, exclude)
    )
    with spark_session("local[2]", 2) as spark:
        folder = Path(demo_ctx.settings.home_dir) / "spark-test-stage"
        lines_before = read(spark, stage(shop.engine, folder))["order_lines"]
        before = lines_before.where(F.col("ts_s") < cutoff.value / 1e9)
        recs = recommendation_rows(merchandise_sales(before, exclude), 10, folder)
    for mode in ("all", "new"):
        als = ranked_metrics(recs, split, mode)
        by_model = {r.model: r.metrics for r in rows if r.mode == mode and r.group == "all"}
        assert als.customers == by_model["hybrid"].customers
        assert als.recall > by_model["popularity"].recall + 0.05, (mode, als)
        assert als.recall > by_model["hybrid"].recall - RECALL_GAP, (mode, als, by_model["hybrid"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(path: Path, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise AssertionError(f"{text!r} not in {path} after {seconds} s:\n{path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A standalone Spark master and one worker on loopback, as separate processes."""
    folder = tmp_path_factory.mktemp("spark-cluster")
    launcher = Path(pyspark.__file__).parent / "bin" / "spark-class"
    env = {**os.environ, "JAVA_HOME": java_home(), "SPARK_LOCAL_IP": "127.0.0.1"}
    env["PYSPARK_PYTHON"] = sys.executable
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    master_log, worker_log = folder / "master.log", folder / "worker.log"
    master_cmd = [str(launcher), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1"]
    master_cmd += ["--port", str(port), "--webui-port", str(_free_port())]
    worker_cmd = [str(launcher), "org.apache.spark.deploy.worker.Worker", url]
    worker_cmd += ["--host", "127.0.0.1", "--cores", "2", "--memory", "2g"]
    worker_cmd += ["--webui-port", str(_free_port()), "--work-dir", str(folder / "work")]
    processes = []
    try:
        with master_log.open("w") as out:
            processes.append(subprocess.Popen(master_cmd, env=env, stdout=out, stderr=out))
        _wait_for(master_log, "I have been elected leader", 90)
        with worker_log.open("w") as out:
            processes.append(subprocess.Popen(worker_cmd, env=env, stdout=out, stderr=out))
        _wait_for(master_log, "Registering worker", 90)
        yield url, master_log
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_copilot_batch_runs_on_a_standalone_cluster(
    demo_ctx: ToolContext, cluster: tuple[str, Path], tmp_path: Path
) -> None:
    url, master_log = cluster
    home = tmp_path / "home"
    home.mkdir()
    copy_sqlite(demo_ctx.settings.home_dir / "shop.db", home / "shop.db")
    env = {**os.environ, "COPILOT_HOME": str(home), "COPILOT_SPARK_MASTER": url}
    done = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "batch", "--engine", "spark", "--top-n", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(spark)" in done.stdout
    assert f"Spark master {url}" in done.stderr
    # The application ran on this cluster's worker, not in a local JVM.
    _wait_for(master_log, "Registering app copilot-batch", 5)
    settings = Settings(home=home)
    shop = ShopData.open(settings.effective_database_url)
    run = last_run(shop.engine)
    assert run is not None and run.engine == "spark" and run.data_version == shop.version()
    assert run.meta["spark"]["master"] == url
    served = ToolContext(shop, settings)
    cid = str(shop.customers()["customer_id"].iloc[0])
    card = profile_customer(served, customer_id=cid)
    assert "spark engine" in card.source
    computed = profile_customer(demo_ctx, customer_id=cid)
    assert card.rfm_segment == computed.rfm_segment
    assert abs(card.purchase_prob - computed.purchase_prob) < 0.02


def test_the_local_driver_may_grow_to_half_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.batch.spark_session import driver_memory

    monkeypatch.delenv("SPARK_DRIVER_MEMORY", raising=False)
    half_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**21
    assert driver_memory("local[2]") == f"{max(half_mb, 2048)}m"
    assert driver_memory("spark://127.0.0.1:7077") == "2g"  # a cluster's driver only collects
    monkeypatch.setenv("SPARK_DRIVER_MEMORY", "3g")  # Spark's own setting wins
    assert driver_memory("local[2]") == driver_memory("spark://127.0.0.1:7077") == "3g"
