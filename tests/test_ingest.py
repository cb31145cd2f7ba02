"""Ingest: happy paths, every bad-input case (message + database unchanged), idempotency."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from copilot.cli import main
from copilot.core.errors import InputError
from copilot.core.settings import Settings
from copilot.shop import ShopData, ingest_file
from copilot.shop.remarks import Remark
from tests.conftest import db_digest

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
ROWS = [
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom",
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850,United Kingdom",
    "536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047,United Kingdom",
    "536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047,United Kingdom",
    "536368,22960,JAM MAKING SET WITH JARS,6,2010-12-01 08:34:00,4.25,,United Kingdom",
    "536369,21756,BATH BUILDING BLOCK WORD,3,2010-12-01 08:35:00,5.95,13047,United Kingdom",
    "536370,22728,ALARM CLOCK BAKELIKE PINK,24,2010-12-01 08:45:00,3.75,12583,France",
    "536370,POST,POSTAGE,3,2010-12-01 08:45:00,18.0,12583,France",
    "536371,22086,PAPER CHAIN KIT 50'S CHRISTMAS,80,2010-12-01 09:00:00,0,13748,United Kingdom",
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527,United Kingdom",
    "C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,2010-12-01 09:49:00,4.65,15311,United Kingdom",
]


def write_csv(
    folder: Path, rows: list[str], name: str = "retail.csv", header: str = HEADER
) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_online_retail_layout_happy_path(tmp_path: Path, shop: ShopData) -> None:
    summary = ingest_file(shop, write_csv(tmp_path, ROWS), fmt="online-retail")
    assert summary.rows_read == 12
    assert summary.dropped == {Remark("price_not_positive"): 1, Remark("duplicate_line"): 1}
    shown = "\n".join(summary.lines())
    assert "dropped, unit price <= 0: 1" in shown
    assert "dropped, exact duplicate of an earlier line in the same order: 1" in shown
    assert summary.rows_kept == 10
    lines = shop.order_lines()
    assert len(lines) == 10
    assert set(lines.loc[lines["is_return"], "order_id"]) == {"C536379", "C536383"}
    assert lines["customer_id"].isna().sum() == 1  # kept for product statistics only
    # Every stock code and customer id is registered, even those seen only on dropped lines.
    products = shop.products().set_index("sku")
    assert len(products) == 11 and "22086" in products.index
    assert products.loc["85123A", "title"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert products.loc["85123A", "list_price"] == pytest.approx(2.55)
    assert products.loc["POST", "category"] == "non-merchandise"
    customers = shop.customers().set_index("customer_id")
    assert set(customers.index) == {"17850", "13047", "12583", "13748", "14527", "15311"}
    assert customers.loc["12583", "country"] == "France"
    assert lines["ts"].min() == pd.Timestamp("2010-12-01 08:26:00")


def test_auto_detection_and_map_override(tmp_path: Path, shop: ShopData) -> None:
    header = "order,Product Code,qty,Price,Order Date,Buyer"
    rows = [
        "A1,SKU-1,2,9.5,2024-03-01,u1",
        "A1,SKU-2,1,4,2024-03-01,u1",
        "A2,SKU-1,1,9.5,2024-03-02,",
    ]
    summary = ingest_file(shop, write_csv(tmp_path, rows, "shop.csv", header))
    assert summary.kind == "orders" and summary.rows_kept == 3
    # "Buyer" is not a known synonym: the customer column needs an explicit mapping.
    assert shop.order_lines()["customer_id"].isna().all()
    other = tmp_path / "other"
    other.mkdir()
    fresh = ShopData.open(f"sqlite:///{other / 'shop.db'}")
    ingest_file(fresh, write_csv(tmp_path, rows, "shop.csv", header), mapping=["Buyer=customer_id"])
    assert fresh.order_lines()["customer_id"].fillna("-").tolist() == ["u1", "u1", "-"]


def test_products_campaigns_and_events_files(tmp_path: Path, shop: ShopData) -> None:
    products = write_csv(
        tmp_path,
        ["P1,Mug,马克杯,Kitchen,12.99,5.2", "P2,Tea,茶,Coffee & Tea,8,"],
        "products.csv",
        "sku,title,title_zh,category,list_price,unit_cost",
    )
    assert ingest_file(shop, products).kind == "products"
    campaigns = write_csv(
        tmp_path,
        ["X1,Spring,email,2024-03-01,2024-03-10,1000,240,30,4,410.5"],
        "campaigns.csv",
        "campaign_id,name,channel,start_date,end_date,sends,opens,clicks,conversions,revenue",
    )
    assert ingest_file(shop, campaigns).kind == "campaigns"
    events = write_csv(
        tmp_path,
        [
            "u1,view,P1,,2024-03-01 10:00",
            "u1,search,,mug,2024-03-01 10:01",
            "u1,add_to_cart,P1,,2024-03-01 10:02",
        ],
        "events.csv",
        "customer_id,event_type,sku,query,timestamp",
    )
    assert ingest_file(shop, events).kind == "events"
    assert ingest_file(shop, events).already_ingested
    assert shop.events()["type"].tolist() == ["view", "search", "cart"]
    p = shop.products().set_index("sku")
    assert p.loc["P1", "title_zh"] == "马克杯" and pd.isna(p["unit_cost"]["P2"])
    assert shop.campaigns().loc[0, "conversions"] == 4


def test_reingest_is_idempotent_even_when_the_bytes_differ(
    tmp_path: Path, shop: ShopData, settings: Settings
) -> None:
    path = write_csv(tmp_path, ROWS)
    ingest_file(shop, path, fmt="online-retail")
    counts = shop.counts()
    db = settings.home_dir / "shop.db"
    before = db_digest(db)
    again = ingest_file(shop, path, fmt="online-retail")
    assert again.already_ingested and db_digest(db) == before
    # Same rows, different bytes (CRLF line ends): recognised by keys, not by hash.
    crlf = tmp_path / "retail_crlf.csv"
    crlf.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    third = ingest_file(shop, crlf, fmt="online-retail")
    assert not third.already_ingested
    assert shop.counts() == counts
    assert len(shop.order_lines()) == 10


def test_cache_follows_the_data_version(tmp_path: Path, shop: ShopData) -> None:
    ingest_file(shop, write_csv(tmp_path, ROWS[:3]), fmt="online-retail")
    first = shop.order_lines()
    first["quantity"] = 0  # callers' edits must not reach the cache
    assert (shop.order_lines()["quantity"] > 0).all()
    v = shop.version()
    ingest_file(shop, write_csv(tmp_path, ROWS[3:], "more.csv"), fmt="online-retail")
    assert shop.version() == v + 1
    assert len(shop.order_lines()) == 10 - 3 + 3


def edited_row(index: int, old: str, new: str) -> Callable[[Path], Path]:
    """A maker of bad.csv: ROWS with the first ``old`` of row ``index`` replaced by ``new``."""

    def make(folder: Path) -> Path:
        rows = [r if i != index else r.replace(old, new, 1) for i, r in enumerate(ROWS)]
        return write_csv(folder, rows, "bad.csv")

    return make


BAD_CASES = {
    "missing column": (
        lambda d: write_csv(
            d, ["1,SKU,2,2024-01-01,u1"], "bad.csv", "order_id,sku,quantity,timestamp,customer_id"
        ),
        ["bad.csv", "unit_price", "--map"],
    ),
    "price abc on row 7": (
        edited_row(6, ",5.95,", ",abc,"),
        ["bad.csv", "row 7", "UnitPrice", "expected a number", "'abc'"],
    ),
    "unparseable date": (
        edited_row(2, "2010-12-01 08:28:00", "yesterday-ish"),
        ["bad.csv", "row 3", "InvoiceDate", "date/time", "yesterday-ish"],
    ),
    "fractional quantity": (
        edited_row(1, ",6,", ",6.5,"),
        ["bad.csv", "row 2", "Quantity", "whole number"],
    ),
    # Issue 17: these were stored (1e30 as a negative quantity, inf crashed tools, a line in
    # 2099 moved "today" for every customer tool).
    "quantity 1e30": (
        edited_row(1, ",6,", ",1e30,"),
        ["bad.csv", "row 2", "Quantity", "between -1,000,000,000 and 1,000,000,000", "1e30"],
    ),
    "infinite price": (
        edited_row(6, ",5.95,", ",inf,"),
        ["bad.csv", "row 7", "UnitPrice", "a number between", "'inf'"],
    ),
    "a line dated 2099": (
        edited_row(2, "2010-12-01 08:28:00", "2099-01-01 10:00:00"),
        ["bad.csv", "row 3", "InvoiceDate", "not in the future", "2099-01-01"],
    ),
    "empty file": (
        lambda d: (d / "empty.csv").write_text("") and d / "empty.csv" or d / "empty.csv",
        ["empty.csv", "empty"],
    ),
    "header only": (
        lambda d: write_csv(d, [], "header.csv"),
        ["header.csv", "no data rows"],
    ),
    "not csv or parquet (binary)": (
        lambda d: (
            (d / "image.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00") and d / "image.csv"
        ),
        ["image.csv", "not Parquet"],
    ),
    "unknown file type": (
        lambda d: (d / "orders.xlsx").write_text("whatever") and d / "orders.xlsx",
        ["orders.xlsx", ".xlsx", "expected .csv or .parquet"],
    ),
    "corrupt parquet": (
        lambda d: (
            (d / "broken.parquet").write_bytes(b"PAR1 this is not really parquet")
            and d / "broken.parquet"
        ),
        ["broken.parquet", "not a readable Parquet file"],
    ),
    "missing file": (lambda d: d / "nope.csv", ["nope.csv", "no such file"]),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exits_2_with_one_line_and_leaves_db_unchanged(
    case: str,
    tmp_path: Path,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make, expected = BAD_CASES[case]
    monkeypatch.setenv("COPILOT_HOME", str(settings.home_dir))
    assert main(["ingest", "--format", "online-retail", str(write_csv(tmp_path, ROWS[:4]))]) == 0
    db = settings.home_dir / "shop.db"
    before = db_digest(db)
    capsys.readouterr()
    fmt = [] if case == "missing column" else ["--format", "online-retail"]
    status = main(["ingest", *fmt, str(make(tmp_path))])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for part in expected:
        assert part in err, (part, err)
    assert db_digest(db) == before


def test_bad_row_stops_a_multi_row_file_before_any_write(tmp_path: Path, shop: ShopData) -> None:
    rows = [*ROWS, ROWS[0].replace("536365", "536999").replace("2.55", "two")]
    with pytest.raises(InputError, match=r"row 13 \(line 14\)"):
        ingest_file(shop, write_csv(tmp_path, rows), fmt="online-retail")
    assert shop.is_empty()


def test_bad_map_option_is_explained(tmp_path: Path, shop: ShopData) -> None:
    path = write_csv(tmp_path, ROWS)
    with pytest.raises(InputError, match="not a orders field"):
        ingest_file(shop, path, kind="orders", mapping=["CustomerID=buyer"])
    with pytest.raises(InputError, match="no column 'Client'"):
        ingest_file(shop, path, kind="orders", mapping=["Client=customer_id"])


def test_parquet_typed_columns(tmp_path: Path, shop: ShopData) -> None:
    frame = pd.read_csv(write_csv(tmp_path, ROWS), dtype={"InvoiceNo": str, "StockCode": str})
    frame["CustomerID"] = frame["CustomerID"].astype(float)  # as in the UCI export: 17850.0
    path = tmp_path / "retail.parquet"
    frame.to_parquet(path)
    summary = ingest_file(shop, path, fmt="online-retail")
    assert summary.rows_kept == 10
    assert "17850" in set(shop.customers()["customer_id"])
