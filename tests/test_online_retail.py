"""The full UCI Online Retail file (from ../shared/data; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from copilot.core.settings import Settings
from copilot.shop import ShopData, ingest_file
from copilot.shop.remarks import Remark
from tests.conftest import ONLINE_RETAIL, db_digest

pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(not ONLINE_RETAIL.exists(), reason="../shared/data not present"),
]


def test_full_file_loads_every_customer_and_stock_code(shop: ShopData, settings: Settings) -> None:
    summary = ingest_file(shop, ONLINE_RETAIL, fmt="online-retail", show_progress=False)
    assert summary.rows_read == 541_909
    counts = shop.counts()
    assert counts["customers"] == 4_372
    assert counts["products"] == 4_070
    dropped = sum(summary.dropped.values())
    assert summary.rows_kept + dropped == 541_909 and counts["order_lines"] == summary.rows_kept
    assert summary.dropped[Remark("price_not_positive")] > 2_000
    lines = shop.order_lines()
    assert lines["is_return"].sum() >= 9_000  # C-invoices (cancellations) kept as returns
    assert lines["customer_id"].isna().sum() > 100_000
    assert lines["ts"].min() == pd.Timestamp("2010-12-01 08:26:00")

    db = settings.home_dir / "shop.db"
    before = db_digest(db)
    again = ingest_file(shop, ONLINE_RETAIL, fmt="online-retail", show_progress=False)
    assert again.already_ingested and shop.counts() == counts and db_digest(db) == before


def test_a_slice_as_csv_round_trips(tmp_path: Path, shop: ShopData) -> None:
    raw = pd.read_parquet(ONLINE_RETAIL).iloc[:5_000]
    path = tmp_path / "slice.csv"
    raw.to_csv(path, index=False)
    summary = ingest_file(shop, path, fmt="online-retail")
    lines = shop.order_lines()
    assert summary.rows_read == 5_000 and len(lines) == summary.rows_kept
    sold = raw[raw["UnitPrice"] > 0]
    assert lines["quantity"].sum() == sold.drop_duplicates()["Quantity"].sum()
    assert set(shop.customers()["customer_id"]) == {
        str(int(c)) for c in raw["CustomerID"].dropna().unique()
    }


def test_sales_of_november_2011_against_october_match_pandas(
    shop: ShopData, settings: Settings
) -> None:
    """Issue 19: the tool's figures for 2011-11 vs 2011-10 equal a plain aggregation of the
    raw file's rows as stored (exact repeats dropped, merchandise stock codes, positive
    prices), sales and returns by sign."""
    from tools import ToolContext
    from tools.sales.api import sales_summary

    ingest_file(shop, ONLINE_RETAIL, fmt="online-retail", show_progress=False)
    result = sales_summary(ToolContext(shop, settings), period="2011-11")
    raw = pd.read_parquet(ONLINE_RETAIL).drop_duplicates()  # ingest drops exact repeats
    raw = raw[raw["StockCode"].astype(str).str.match(r"^\d") & (raw["UnitPrice"] > 0)]
    month = pd.to_datetime(raw["InvoiceDate"]).dt.to_period("M").astype(str)
    assert result.previous is not None
    for figures, name in [(result.current, "2011-11"), (result.previous, "2011-10")]:
        rows = raw[month == name]
        value = rows["Quantity"] * rows["UnitPrice"]
        assert figures.gross == pytest.approx(value[value > 0].sum(), abs=0.01)
        assert figures.returns == pytest.approx(-value[value < 0].sum(), abs=0.01)
        assert figures.orders == rows.loc[value > 0, "InvoiceNo"].nunique()
        assert figures.units == rows.loc[value > 0, "Quantity"].sum()
    # The monthly series over the same rows: every month's net sales equal the aggregation,
    # and December 2011 (data end 2011-12-09) is the one partial month.
    from tools.sales.trend_tool import sales_trend

    trend = sales_trend(ToolContext(shop, settings), metric="net", grain="month", period="2011")
    value = raw["Quantity"] * raw["UnitPrice"]
    by_month = value.groupby(month).sum()
    assert [p.start.isoformat()[:7] for p in trend.points] == [
        f"2011-{m:02d}" for m in range(1, 13)
    ]
    for point in trend.points:
        assert point.value == pytest.approx(by_month[point.start.isoformat()[:7]], abs=0.01)
    assert [p.partial for p in trend.points] == [False] * 11 + [True]
