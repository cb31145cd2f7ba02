"""The full UCI Online Retail file (from ../shared/data; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from copilot.core.settings import Settings
from copilot.shop import ShopData, ingest_file
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
    assert summary.dropped["unit price <= 0"] > 2_000
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
