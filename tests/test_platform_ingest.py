"""Issue 22 part 3: Shopify and WooCommerce order exports, read from the example files shipped
in ``examples/`` (written from the platforms' public column documentation)."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from copilot.cli import main
from copilot.core.errors import InputError
from copilot.core.settings import Settings
from copilot.shop import ShopData, ingest_file, ingest_files
from copilot.shop.remarks import Remark
from tests.conftest import db_digest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHOPIFY = EXAMPLES / "shopify_orders_export.csv"
WOO = EXAMPLES / "woocommerce_orders_export.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _lines(shop: ShopData) -> dict[tuple[str, str], dict[Any, Any]]:
    """Order lines by (order, sku)."""
    frame = shop.order_lines()
    return {(str(r["order_id"]), str(r["sku"])): dict(r) for r in frame.to_dict("records")}


def _no_address_stored(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "@" not in dump


def test_a_shopify_export_loads_with_its_statuses_refunds_and_blank_later_rows(
    shop: ShopData, settings: Settings
) -> None:
    summary = ingest_file(shop, SHOPIFY, show_progress=False)
    assert (summary.format, summary.rows_read, summary.rows_kept) == ("shopify", 17, 15)
    assert summary.dropped == {Remark("order_cancelled"): 1, Remark("order_not_paid"): 2}
    assert summary.notes[Remark("refund_lines")] == 1
    assert summary.notes[Remark("partial_refund")] == 1
    assert summary.notes[Remark("no_customer_id")] == 1
    assert shop.counts()["customers"] == 4 and shop.counts()["products"] == 5
    assert summary.notes[Remark("emails_not_kept", column="Email")] == 4
    lines = _lines(shop)
    # #1005 voided, #1012 pending (never paid) and #1007 cancelled are not sales.
    assert not {"#1005", "#1007", "#1012"} & {order for order, _ in lines}
    # The wholly refunded #1006 is a sale and a return.
    refund = lines[("#1006-R", "BRW-DRIP-01")]
    assert refund["quantity"] == -1 and bool(refund["is_return"])
    # A line discount lowers the price paid; a discount code marks a promotion.
    assert float(lines[("#1002", "COF-COL-250")]["unit_price"]) == pytest.approx(10.71)
    assert bool(lines[("#1008", "COF-COL-250")]["promo"])
    assert not bool(lines[("#1001", "COF-ETH-250")]["promo"])
    # Later rows of an order leave order-level cells blank: they belong to the same customer
    # and time as the first row.
    first, later = lines[("#1001", "COF-ETH-250")], lines[("#1001", "BRW-DRIP-01")]
    assert first["customer_id"] == later["customer_id"] and first["ts"] == later["ts"]
    assert str(first["ts"]) == "2026-09-01 08:15:00"  # +02:00 read as UTC
    # One person, the address written in two cases, is one customer.
    assert (
        lines[("#1010", "TEA-JAS-100")]["customer_id"]
        == (lines[("#1011", "COF-COL-250")]["customer_id"])
    )
    assert all(pd.isna(r["customer_id"]) for (o, _), r in lines.items() if o == "#1009")
    # A product without a SKU is keyed by its name and keeps it as its title.
    products = shop.products().set_index("sku")
    assert "Glass Tea Infuser" in set(products["title"])
    assert set(shop.customers()["country"]) == {"PT", "DE", "FR", "NL"}
    assert shop.customer_contacts().empty
    _no_address_stored(settings.home_dir / "shop.db")


def test_a_woocommerce_export_keys_guests_by_their_address(
    shop: ShopData, settings: Settings
) -> None:
    summary = ingest_file(shop, WOO, show_progress=False)
    assert (summary.format, summary.rows_read, summary.rows_kept) == ("woocommerce", 12, 12)
    assert summary.dropped == {Remark("order_cancelled"): 1, Remark("order_not_paid"): 1}
    lines = _lines(shop)
    customers = {r["customer_id"] for r in lines.values()}
    assert {"14", "15"} <= customers and len(customers) == 4
    # Guest orders 202 and 209 come from one address: one customer, keyed by its hash.
    guest = lines[("202", "BRW-CB-1L")]["customer_id"]
    assert guest.startswith("e-") and guest == lines[("209", "COF-KEN-250")]["customer_id"]
    # item_refunded_qty -1 on order 205 is one unit returned; order 206 was refunded whole.
    assert lines[("205-R", "COF-KEN-250")]["quantity"] == -1
    assert lines[("206-R", "BRW-GAI-01")]["quantity"] == -1
    # item_total after the coupon is the price paid.
    assert lines[("203", "TEA-PUER-200")]["unit_price"] == pytest.approx(22.4)
    assert bool(lines[("203", "TEA-PUER-200")]["promo"])
    assert "product-34" in set(shop.products()["sku"])
    _no_address_stored(settings.home_dir / "shop.db")


def test_keep_email_stores_addresses_apart_and_the_audience_export_carries_them(
    shop: ShopData,
) -> None:
    summary = ingest_file(shop, WOO, show_progress=False, keep_email=True)
    assert summary.notes[Remark("emails_kept")] == 4
    contacts = shop.customer_contacts().set_index("customer_id")["email"]
    assert contacts["14"] == "li.na@example.cn" and contacts["15"] == "omar.haddad@example.com"
    # The analytic frames never carry an address.
    assert "email" not in shop.customers().columns


def test_reingest_changes_nothing_even_when_the_file_was_saved_again(
    shop: ShopData, tmp_path: Path
) -> None:
    ingest_file(shop, SHOPIFY, show_progress=False)
    before = shop.counts()
    again = ingest_file(shop, SHOPIFY, show_progress=False)
    assert again.already_ingested and shop.counts() == before
    # Re-exported: rows in another order (an order's rows still together), new bytes.
    rows = _rows(SHOPIFY)
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row["Name"], []).append(row)
    resaved = _write(
        tmp_path / "orders_export_2.csv", [r for g in reversed(groups.values()) for r in g]
    )
    summary = ingest_file(shop, resaved, show_progress=False)
    assert not summary.already_ingested
    assert all(change.added == 0 and change.updated == 0 for change in summary.changes.values())
    assert shop.counts() == before


@pytest.mark.parametrize(
    ("platform", "column", "value", "expected"),
    [
        ("shopify", "Lineitem quantity", "two", "expected a whole number, got 'two'"),
        ("shopify", "Email", "ana.silva-at-example.com", "expected an e-mail address"),
        ("shopify", "Created at", "someday", "got 'someday'"),
        ("woocommerce", "item_total", "12.5 USD", "expected a number"),
        ("woocommerce", "order_currency", "EUR", "expected USD like the rows before it"),
    ],
)
def test_a_malformed_row_exits_2_naming_file_row_and_column_and_writes_nothing(
    platform: str,
    column: str,
    value: str,
    expected: str,
    tmp_path: Path,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COPILOT_HOME", str(settings.home_dir))
    source = SHOPIFY if platform == "shopify" else WOO
    assert main(["ingest", "--no-progress", str(source)]) == 0
    db = settings.home_dir / "shop.db"
    before = db_digest(db)
    rows = _rows(source)
    rows[4][column] = value
    bad = _write(tmp_path / f"bad_{platform}.csv", rows)
    capsys.readouterr()
    assert main(["ingest", "--format", platform, str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    for part in (str(bad), "row 5 (line 6)", repr(column), expected):
        assert part in err, (part, err)
    assert db_digest(db) == before


def test_an_export_in_another_currency_than_the_shop_is_refused(
    shop: ShopData, settings: Settings
) -> None:
    ingest_file(shop, SHOPIFY, show_progress=False)
    before = db_digest(settings.home_dir / "shop.db")
    with pytest.raises(InputError, match="amounts in USD, but the shop's orders are in EUR"):
        ingest_file(shop, WOO, show_progress=False)
    assert db_digest(settings.home_dir / "shop.db") == before


def test_a_missing_column_names_what_the_platform_export_has(
    shop: ShopData, tmp_path: Path
) -> None:
    rows = [{k: v for k, v in r.items() if k != "Lineitem price"} for r in _rows(SHOPIFY)]
    bad = _write(tmp_path / "orders.csv", rows)
    with pytest.raises(InputError, match="missing column 'Lineitem price' of a shopify order"):
        ingest_file(shop, bad, fmt="shopify", show_progress=False)


def test_a_customers_file_with_addresses_keeps_them_only_when_asked(
    shop: ShopData, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,country,email\nc1,DE,a@example.com\nc2,FR,\n", encoding="utf-8")
    summary = ingest_file(shop, path, show_progress=False)
    assert summary.notes[Remark("emails_not_kept", column="email")] == 1
    assert shop.customer_contacts().empty and shop.counts()["customers"] == 2
    kept = ingest_file(shop, path, show_progress=False, keep_email=True)
    assert kept.notes[Remark("emails_kept")] == 1
    assert shop.customer_contacts().to_dict("records")[0]["email"] == "a@example.com"


def test_files_ingested_together_key_one_address_as_one_customer(
    shop: ShopData, tmp_path: Path
) -> None:
    rows = _rows(SHOPIFY)
    first = _write(tmp_path / "september.csv", [r for r in rows if r["Name"] <= "#1004"])
    second = _write(tmp_path / "october.csv", [r for r in rows if r["Name"] > "#1004"])
    ingest_files(shop, [first, second], show_progress=False)
    lines = _lines(shop)
    # chloe.martin@example.com placed #1003 (first file) and #1008 (second file); a shop's
    # first ingest creates the key secret once for all its files.
    assert (
        lines[("#1003", "TEA-JAS-100")]["customer_id"]
        == (lines[("#1008", "COF-ETH-250")]["customer_id"])
    )
    assert shop.counts()["customers"] == 4
