"""Issue 23 parts 1-2 (pandas engine): ``copilot batch`` writes every customer's profile and
recommendations, item neighbours, co-purchases and elasticities; the tools serve the same
answers from those tables while the data is unchanged, and compute again once it changes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import event, update

from copilot.cli import main
from copilot.core.errors import ToolError
from copilot.core.settings import Settings
from copilot.shop import ShopData, ingest_file, schema
from copilot.shop.batch import current_run, last_run, serving_words, write_batch
from copilot.shop.store import copy_sqlite, insert_rows, upsert
from tools import ToolContext, to_jsonable
from tools._tool import COMPUTED
from tools.planning import plan_campaign
from tools.pricing.api import demand_model, price_elasticity, recommend_discount
from tools.profiling import find_customers, profile_customer, segment_overview
from tools.recommend import (
    frequently_bought_with,
    recommend_for_segment,
    recommend_products,
    similar_products,
)
from tools.sales.api import sales_summary
from tools.sales.product import product_performance


@pytest.fixture(scope="module")
def batched(demo_ctx: ToolContext, tmp_path_factory: pytest.TempPathFactory) -> ToolContext:
    """A copy of the demo shop after ``copilot batch``; it shares the demo's fitted models (same
    data version), so only the batch itself runs."""
    home = tmp_path_factory.mktemp("batch") / "home"
    home.mkdir()
    copy_sqlite(demo_ctx.settings.home_dir / "shop.db", home / "shop.db")
    settings = Settings(home=home)
    ctx = ToolContext(ShopData.open(settings.effective_database_url), settings, demo_ctx._models)
    assert main(["batch", "--top-n", "10"], context=ctx) == 0
    return ctx


def _without_source(result: Any) -> dict[str, Any]:
    data = to_jsonable(result)
    data.pop("source")
    return dict(data)


def _sample(ctx: ToolContext, k: int = 25) -> list[str]:
    ids = sorted(ctx.shop.order_lines()["customer_id"].dropna().astype(str).unique())
    return random.Random(7).sample(ids, k)


def test_a_batch_run_covers_every_customer_and_product(batched: ToolContext) -> None:
    run = current_run(batched.shop.engine, batched.shop.version())
    assert run is not None and run.engine == "pandas" and run.top_n == 10
    with batched.shop.engine.connect() as conn:
        customers = pd.read_sql("SELECT * FROM batch_customers", conn)
        recs = pd.read_sql("SELECT * FROM batch_recommendations", conn)
        pairs = pd.read_sql("SELECT * FROM batch_item_pairs", conn)
        elasticities = pd.read_sql("SELECT * FROM batch_elasticities", conn)
    buyers = batched.shop.order_lines()["customer_id"].dropna().nunique()
    assert len(customers) == buyers == run.meta["customers"]
    # Ten new products and ten with re-buys for every customer.
    per = recs.groupby(["customer_id", "mode"]).size()
    assert set(per) == {10} and len(per) == 2 * buyers
    assert set(pairs["kind"]) == {"neighbour", "basket"}
    assert len(elasticities) == len(demand_model(batched).products)
    # The planted segments are there: every RFM segment the profiles know.
    assert customers["rfm_segment"].nunique() >= 5


def test_served_answers_are_the_computed_ones(batched: ToolContext, demo_ctx: ToolContext) -> None:
    for cid in _sample(batched):
        served = profile_customer(batched, customer_id=cid)
        computed = profile_customer(demo_ctx, customer_id=cid)
        assert served.source.startswith("precomputed by batch run") and computed.source == COMPUTED
        assert _without_source(served) == _without_source(computed), cid
        for exclude in (True, False):
            got = recommend_products(batched, customer_id=cid, n=5, exclude_purchased=exclude)
            want = recommend_products(demo_ctx, customer_id=cid, n=5, exclude_purchased=exclude)
            assert got.source.startswith("precomputed") and want.source == COMPUTED
            assert _without_source(got) == _without_source(want), (cid, exclude)


def test_the_segment_overview_is_served_as_computed(
    batched: ToolContext, demo_ctx: ToolContext
) -> None:
    for kind in ("rfm", "cluster"):
        got, want = segment_overview(batched, kind=kind), segment_overview(demo_ctx, kind=kind)
        assert got.source.startswith("precomputed") and want.source == COMPUTED
        assert _without_source(got) == _without_source(want), kind


CUSTOMER_ASKS: list[dict[str, Any]] = [
    {},
    {"segment": "at_risk", "sort_by": "churn_risk", "limit": 20},
    {"segment": "champions", "min_clv": 500, "country": "uk"},
    {"segment": "cluster 1", "sort_by": "recency", "limit": 5},
    {"churn_risk_above": 0.5, "inactive_days_over": 60, "sort_by": "monetary"},
    {"segment": "champions", "inactive_days_over": 3000},  # nobody: says which filter emptied it
]


def test_customer_lists_are_served_as_computed(batched: ToolContext, demo_ctx: ToolContext) -> None:
    for ask in CUSTOMER_ASKS:
        got, want = find_customers(batched, **ask), find_customers(demo_ctx, **ask)
        assert got.source.startswith("precomputed") and want.source == COMPUTED
        assert _without_source(got) == _without_source(want), ask
        # The whole list (the table beside the chat, the CSV, a plan's audience) too.
        shown = want.to_frame()[list(got.to_frame().columns)]
        pd.testing.assert_frame_equal(got.to_frame(), shown, check_dtype=False)
    assert find_customers(batched, **CUSTOMER_ASKS[-1]).relaxed  # the empty list's way out
    present = {row.segment for row in segment_overview(demo_ctx, kind="cluster").segments}
    absent = next(f"cluster {c}" for c in range(8) if f"cluster {c}" not in present)
    with pytest.raises(ToolError, match="unknown segment") as served_error:
        find_customers(batched, segment=absent)
    with pytest.raises(ToolError) as computed_error:
        find_customers(demo_ctx, segment=absent)
    assert str(served_error.value) == str(computed_error.value)


def test_price_elasticities_are_served_as_computed(
    batched: ToolContext, demo_ctx: ToolContext
) -> None:
    model = demand_model(demo_ctx)
    skus = sorted(model.products)
    categories = sorted({d.category for d in model.products.values() if d.category})
    asks = [{}, *({"category": c} for c in categories), *({"sku": s} for s in skus[::25])]
    for ask in asks:
        got, want = price_elasticity(batched, **ask), price_elasticity(demo_ctx, **ask)
        assert got.source.startswith("precomputed") and want.source == COMPUTED
        assert _without_source(got) == _without_source(want), ask
    for bad in ({"sku": "NO-SUCH-SKU"}, {"category": "Garden Furniture"}):
        with pytest.raises(ToolError) as served_error:
            price_elasticity(batched, **bad)
        with pytest.raises(ToolError) as computed_error:
            price_elasticity(demo_ctx, **bad)
        assert str(served_error.value) == str(computed_error.value)


def test_a_run_without_the_demand_figures_is_not_served_for_prices(
    batched: ToolContext, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    copy_sqlite(batched.settings.home_dir / "shop.db", home / "shop.db")
    settings = Settings(home=home)
    # The fitted models are reused; what was read from the other database's run is not.
    fitted = {k: v for k, v in batched._models.items() if not k.startswith("served_")}
    ctx = ToolContext(ShopData.open(settings.effective_database_url), settings, fitted)
    with ctx.shop.engine.begin() as conn:  # as a run from before the column was written
        conn.execute(update(schema.batch_elasticities).values(demand=None))
    sku = sorted(demand_model(ctx).products)[0]
    assert price_elasticity(ctx, sku=sku).source == COMPUTED
    assert segment_overview(ctx).source.startswith("precomputed")  # the rest still is


def test_the_served_tables_are_read_once_per_run(batched: ToolContext) -> None:
    """Customer lists and price estimates read their whole table at the first call of a run,
    and not again at the next calls (a large catalogue is not parsed per question)."""
    ctx = ToolContext(batched.shop, batched.settings)  # nothing read yet
    sku = str(batched.catalog().index[0])
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(ctx.shop.engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            assert price_elasticity(ctx, sku=sku).source.startswith("precomputed")
            assert find_customers(ctx, segment="at_risk").source.startswith("precomputed")
    finally:
        event.remove(ctx.shop.engine, "before_cursor_execute", record)
    for table in ("batch_elasticities", "batch_customers"):
        reads = [s for s in statements if f"FROM {table}" in s]
        assert len(reads) == 1, (table, len(reads))
    assert "profiles" not in ctx._models and "demand" not in ctx._models


def test_segment_audiences_come_from_the_run_without_fitting_the_profiles(
    batched: ToolContext, demo_ctx: ToolContext
) -> None:
    """Tools that need only customers' segments and scores (plans, segment picks and discounts,
    sales by segment, product performance) read them from the run: the profiles are never
    fitted, and the answers are the computed ones."""
    fitted = {k: v for k, v in demo_ctx._models.items() if k != "profiles"}  # the rest reused
    ctx = ToolContext(batched.shop, batched.settings, fitted)
    sku = str(demo_ctx.catalog().index[0])
    asks: list[tuple[Any, dict[str, Any]]] = [
        (
            plan_campaign,
            {"goal": "win back at-risk customers", "budget": 3000, "audience": "at_risk"},
        ),
        (recommend_for_segment, {"segment": "champions", "n": 5}),
        (recommend_discount, {"segment": "at_risk", "budget": 2000}),
        (sales_summary, {"period": "last 90 days", "by": "segment"}),
        (product_performance, {"sku": sku}),
    ]
    for tool, ask in asks:
        got, want = to_jsonable(tool(ctx, **ask)), to_jsonable(tool(demo_ctx, **ask))
        assert got == want, tool.name
    assert "profiles" not in ctx._models


def test_more_than_the_batch_kept_is_computed(batched: ToolContext) -> None:
    cid = _sample(batched, 1)[0]
    assert recommend_products(batched, customer_id=cid, n=15).source == COMPUTED


def test_product_pairs_are_served_as_the_tools_compute_them(
    batched: ToolContext, demo_ctx: ToolContext
) -> None:
    skus = sorted(demo_ctx.catalog().index.astype(str))
    for sku in skus[:: max(1, len(skus) // 20)]:
        for tool in (frequently_bought_with, similar_products):
            try:
                want = tool(demo_ctx, sku=sku, n=5)
            except ToolError:  # never bought: the batch has no pairs either, and says the same
                with pytest.raises(ToolError):
                    tool(batched, sku=sku, n=5)
                continue
            got = tool(batched, sku=sku, n=5)
            assert got.source.startswith("precomputed") and want.source == COMPUTED
            assert _without_source(got) == _without_source(want), (tool.name, sku)


def test_new_data_makes_the_batch_stale_until_it_runs_again(
    batched: ToolContext, demo_ctx: ToolContext, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    copy_sqlite(batched.settings.home_dir / "shop.db", home / "shop.db")
    settings = Settings(home=home)
    ctx = ToolContext(ShopData.open(settings.effective_database_url), settings)
    cid = _sample(ctx, 1)[0]
    assert ctx.shop.version() == demo_ctx.shop.version()
    assert profile_customer(ctx, customer_id=cid).source.startswith("precomputed")
    version = ctx.shop.version()
    assert serving_words(ctx.shop.engine, version) == (
        f"run 1 (pandas) for data version {version}: customer and product answers are read "
        "from its tables"
    )
    extra = tmp_path / "orders.csv"
    extra.write_text(
        "order_id,customer_id,sku,quantity,unit_price,timestamp\n"
        f"NEW-1,{cid},{ctx.catalog().index[0]},1,9.99,2025-06-01 10:00\n",
        encoding="utf-8",
    )
    ingest_file(ctx.shop, extra, show_progress=False)
    assert current_run(ctx.shop.engine, ctx.shop.version()) is None
    assert last_run(ctx.shop.engine) is not None  # kept, but no longer served
    assert serving_words(ctx.shop.engine, ctx.shop.version(), "zh") == (
        f"第 1 次（数据版本 {version}）已过期（现为 {ctx.shop.version()}）：工具现场计算"
    )
    assert recommend_products(ctx, customer_id=cid, n=3).source == COMPUTED


def test_a_failed_write_keeps_the_previous_run(batched: ToolContext, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    copy_sqlite(batched.settings.home_dir / "shop.db", home / "shop.db")
    engine = ShopData.open(Settings(home=home).effective_database_url).engine
    before = last_run(engine)
    assert before is not None
    broken = pd.DataFrame({"customer_id": ["x"], "rfm_segment": [None]})  # NOT NULL columns
    run = {
        "data_version": before.data_version,
        "engine": "pandas",
        "started_at": before.started_at,
        "seconds": 1.0,
        "top_n": 10,
        "meta": {},
    }
    with pytest.raises(Exception, match="(?i)not null|constraint"):
        write_batch(engine, run, {"batch_customers": broken})
    after = last_run(engine)
    assert after is not None and after.id == before.id
    with engine.connect() as conn:
        kept = pd.read_sql("SELECT COUNT(*) AS n FROM batch_customers", conn)["n"].iloc[0]
    assert kept == before.meta["customers"]
    assert json.dumps(after.meta) == json.dumps(before.meta)


def test_the_fast_sqlite_insert_stores_what_the_portable_upsert_stores(tmp_path: Path) -> None:
    """The batch writes SQLite rows through the driver's executemany, bypassing SQLAlchemy's
    types: missing numbers and text must land as NULL, flags as the upsert stores them."""
    rows = pd.DataFrame(
        {
            "sku": ["A", "B", "C"],
            "elasticity": [-1.5, float("nan"), 0.4],
            "low": [-2.0, None, 0.1],
            "high": [-1.0, None, 0.7],
            "usable": [True, False, False],
            "note": [None, "too few weeks", "positive"],
            "demand": ['{"weeks": 52}', None, "{}"],
            "not_a_column": [1, 2, 3],
        }
    )
    stored = []
    for how in (insert_rows, upsert):
        engine = ShopData.open(f"sqlite:///{tmp_path / how.__name__}.db").engine
        with engine.begin() as conn:
            how(conn, schema.batch_elasticities, rows)
        with engine.connect() as conn:
            stored.append(
                pd.read_sql(
                    "SELECT *, typeof(usable) AS t_flag, typeof(elasticity) AS t_e, "
                    "typeof(note) AS t_note FROM batch_elasticities ORDER BY sku",
                    conn,
                )
            )
    pd.testing.assert_frame_equal(stored[0], stored[1])
    assert stored[0]["t_e"].tolist() == ["real", "null", "real"]
    assert stored[0]["t_note"].tolist() == ["null", "text", "text"]
    assert stored[0]["t_flag"].tolist() == ["integer"] * 3
