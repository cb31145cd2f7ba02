"""Ingest that cannot corrupt (issue 17): content keys, batches, dry runs, undo, dates,
encodings, long ids, a second writer, an old database layout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from copilot.cli import main
from copilot.core.errors import InputError
from copilot.core.settings import Settings
from copilot.shop import ShopData, ingest_file, ingest_files, store
from copilot.shop.busy import IngestMarker
from copilot.shop.remarks import Remark
from copilot.shop.writes import undo_ingest
from tests.conftest import db_digest
from tests.test_ingest import ROWS, write_csv

SIMPLE = "order_id,sku,quantity,unit_price,timestamp,customer_id"


@pytest.fixture(autouse=True)
def _cli_uses_the_test_shop(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("COPILOT_HOME", str(settings.home_dir))


def revenue(shop: ShopData) -> float:
    lines = shop.order_lines()
    return float((lines["quantity"] * lines["unit_price"]).sum())


def test_the_same_rows_in_another_order_update_in_place(tmp_path: Path, shop: ShopData) -> None:
    ingest_file(shop, write_csv(tmp_path, ROWS), fmt="online-retail")
    counts, total = shop.counts(), revenue(shop)
    resaved = ingest_file(shop, write_csv(tmp_path, ROWS[::-1], "resaved.csv"), fmt="online-retail")
    assert not resaved.already_ingested  # other bytes, same rows
    assert shop.counts() == counts and revenue(shop) == pytest.approx(total)
    assert resaved.changes["order_lines"].added == 0
    assert resaved.changes["order_lines"].unchanged == 10


def test_an_order_split_across_files_keeps_every_line_once(tmp_path: Path, shop: ShopData) -> None:
    rows = [
        "A1,S2,2,3.0,2024-03-01 10:00,u1",
        "A1,S1,1,2.0,2024-03-01 10:00,u1",
        "A1,S1,5,2.0,2024-03-01 10:00,u1",  # the same sku, time and price twice in one order
        "A1,S3,1,4.0,2024-03-01 10:00,u1",
    ]
    ingest_file(shop, write_csv(tmp_path, rows[:1], "part1.csv", SIMPLE))
    ingest_file(shop, write_csv(tmp_path, rows[1:], "part2.csv", SIMPLE))
    assert sorted(shop.order_lines()["quantity"]) == [1, 1, 2, 5]
    whole = ingest_file(shop, write_csv(tmp_path, rows[::-1], "whole.csv", SIMPLE))
    assert whole.changes["order_lines"].added == 0
    assert sorted(shop.order_lines()["quantity"]) == [1, 1, 2, 5]


def test_a_corrected_quantity_updates_the_line(tmp_path: Path, shop: ShopData) -> None:
    ingest_file(shop, write_csv(tmp_path, ["A1,S1,1,2.0,2024-03-01 10:00,u1"], "a.csv", SIMPLE))
    fixed = ingest_file(
        shop, write_csv(tmp_path, ["A1,S1,3,2.0,2024-03-01 10:00,u1"], "b.csv", SIMPLE)
    )
    assert fixed.changes["order_lines"].updated == 1
    assert shop.order_lines()["quantity"].tolist() == [3]


def test_a_batch_of_files_is_all_or_nothing(
    tmp_path: Path, shop: ShopData, settings: Settings
) -> None:
    good = write_csv(tmp_path, ROWS, "good.csv")
    bad = write_csv(tmp_path, [ROWS[0].replace(",6,", ",six,")], "bad.csv")
    before = db_digest(settings.home_dir / "shop.db")
    with pytest.raises(InputError, match=r"bad\.csv, row 1 .*'Quantity'"):
        ingest_files(shop, [good, bad], fmt="online-retail")
    assert shop.is_empty() and db_digest(settings.home_dir / "shop.db") == before
    assert main(["ingest", "--format", "online-retail", str(good), str(bad)]) == 2
    assert shop.is_empty()


def test_dry_run_reports_and_writes_nothing(tmp_path: Path, shop: ShopData) -> None:
    ingest_file(shop, write_csv(tmp_path, ROWS[:4]), fmt="online-retail")
    version, counts = shop.version(), shop.counts()
    [dry] = ingest_files(
        shop, [write_csv(tmp_path, ROWS, "all.csv")], fmt="online-retail", dry_run=True
    )
    assert dry.dry_run and "nothing written" in dry.lines()[0]
    assert dry.changes["order_lines"].added == 6 and dry.changes["order_lines"].unchanged == 4
    assert shop.version() == version and shop.counts() == counts


def test_undo_removes_exactly_the_rows_of_one_ingest(tmp_path: Path, shop: ShopData) -> None:
    products = "sku,title,list_price"
    first = ingest_file(shop, write_csv(tmp_path, ["P1,Mug,5", "P2,Cup,3"], "p1.csv", products))
    orders = ingest_file(
        shop,
        write_csv(
            tmp_path, ["A1,P1,1,5.0,2024-03-01,u1", "A2,P9,1,2.0,2024-03-02,u2"], "o.csv", SIMPLE
        ),
    )
    renamed = ingest_file(shop, write_csv(tmp_path, ["P1,Big mug,6"], "p2.csv", products))
    assert renamed.changes["products"].updated == 1
    with (
        shop.transaction() as conn,
        pytest.raises(InputError, match=f"undo ingest {renamed.ingest_id} first"),
    ):
        undo_ingest(conn, int(first.ingest_id or 0))
    with shop.transaction() as conn:
        undo_ingest(conn, int(renamed.ingest_id or 0))
    assert shop.products().set_index("sku").loc["P1", "title"] == "Mug"  # restored
    with shop.transaction() as conn:
        summary = undo_ingest(conn, int(orders.ingest_id or 0))
    assert summary.removed["order_lines"] == 2
    assert shop.order_lines().empty
    assert set(shop.products()["sku"]) == {"P1", "P2"}  # P9 came with the orders and left with them
    assert shop.customers().empty
    # The file can be ingested again once undone, and the CLI lists and undoes by id.
    again = ingest_file(shop, tmp_path / "o.csv")
    assert not again.already_ingested and len(shop.order_lines()) == 2
    assert main(["undo-ingest"]) == 0
    assert main(["undo-ingest", str(again.ingest_id)]) == 0
    assert shop.order_lines().empty
    assert main(["undo-ingest", "999"]) == 2


def test_day_and_month_order_is_decided_per_file(tmp_path: Path, shop: ShopData) -> None:
    uk = ["A1,S1,1,2.0,05/01/2011 10:00,u1", "A2,S1,1,2.0,13/01/2011 10:00,u1"]
    ingest_file(shop, write_csv(tmp_path, uk, "uk.csv", SIMPLE))
    assert sorted(shop.order_lines()["ts"].dt.strftime("%Y-%m-%d")) == ["2011-01-05", "2011-01-13"]
    mixed = ["A3,S1,1,2.0,13/01/2011,u1", "A4,S1,1,2.0,01/13/2011,u1"]
    with pytest.raises(InputError, match="dates in two orders.*row 1.*row 2"):
        ingest_file(shop, write_csv(tmp_path, mixed, "mixed.csv", SIMPLE))
    ambiguous = ["A5,S2,1,2.0,05/01/2011,u1"]
    summary = ingest_file(shop, write_csv(tmp_path, ambiguous, "amb.csv", SIMPLE))
    assert list(summary.notes) == [Remark("dates_month_day", column="timestamp")]
    assert "read as month/day" in "\n".join(summary.lines())
    forced = ingest_file(
        shop, write_csv(tmp_path, ["A6,S3,1,2.0,05/01/2011,u1"], "f.csv", SIMPLE), dayfirst=True
    )
    lines = shop.order_lines().set_index("order_id")
    assert lines.loc["A5", "ts"] == pd.Timestamp("2011-05-01") and not forced.notes
    assert lines.loc["A6", "ts"] == pd.Timestamp("2011-01-05")


def test_timezone_offsets_are_normalised_to_utc(tmp_path: Path, shop: ShopData) -> None:
    rows = ["A1,S1,1,2.0,2024-01-10T10:00:00+01:00,u1", "A2,S1,1,2.0,2024-07-10 10:00:00+0200,u1"]
    ingest_file(shop, write_csv(tmp_path, rows, "tz.csv", SIMPLE))
    ts = shop.order_lines().set_index("order_id")["ts"]
    assert ts["A1"] == pd.Timestamp("2024-01-10 09:00") and ts["A2"] == pd.Timestamp(
        "2024-07-10 08:00"
    )
    half = ["B1,S1,1,2.0,2024-01-10T10:00:00+01:00,u1", "B2,S1,1,2.0,2024-01-11 10:00,u1"]
    with pytest.raises(InputError, match=r"row 2 .*every time with a UTC offset"):
        ingest_file(shop, write_csv(tmp_path, half, "half.csv", SIMPLE))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "cp1252"])
def test_encodings_are_detected(tmp_path: Path, shop: ShopData, encoding: str) -> None:
    title = "Café crème" if encoding == "cp1252" else "咖啡杯，白色"
    path = tmp_path / "p.csv"
    path.write_bytes(f"sku,title\nP1,{title}\nP2,plain\n".encode(encoding))
    summary = ingest_file(shop, path)
    assert shop.products().set_index("sku").loc["P1", "title"] == title
    assert ("encoding" in {r.code for r in summary.notes}) == (encoding != "utf-8-sig")


def test_a_forced_encoding_that_does_not_fit_is_one_clear_error(
    tmp_path: Path, shop: ShopData
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("sku,title\nP1,咖啡杯\n".encode("gbk"))
    with pytest.raises(InputError, match="cannot decode the text as utf-8.*--encoding"):
        ingest_file(shop, path, encoding="utf-8")


def test_ids_longer_than_the_store_holds_name_the_row(tmp_path: Path, shop: ShopData) -> None:
    rows = ["A1,S1,1,2.0,2024-03-01,u1", f"A2,{'X' * 65},1,2.0,2024-03-01,u1"]
    with pytest.raises(InputError, match=r"row 2 .*'sku'.*at most 64 characters"):
        ingest_file(shop, write_csv(tmp_path, rows, "long.csv", SIMPLE))
    assert shop.is_empty()


def test_a_second_writer_is_told_who_holds_the_database(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "SQLITE_BUSY_SECONDS", 0.2)
    shop = ShopData.open(settings.effective_database_url)
    ingest_file(shop, write_csv(tmp_path, ROWS[:2]), fmt="online-retail")
    holder = sqlite3.connect(settings.home_dir / "shop.db")
    with IngestMarker(shop.engine, "big.csv") as marker:
        marker.advance(12_345)
        marker._write()
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE meta SET value = value")
        # Readers are not locked out while the other ingest writes (write-ahead log).
        assert shop.counts()["order_lines"] == 2
        with pytest.raises(InputError, match=r"an ingest is running .*big\.csv, 12,345 rows"):
            ingest_file(shop, write_csv(tmp_path, ROWS[2:], "more.csv"), fmt="online-retail")
        holder.rollback()
    holder.close()
    assert len(shop.order_lines()) == 2


def test_an_old_database_is_rekeyed_in_place(settings: Settings) -> None:
    path = settings.home_dir / "shop.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE order_lines (order_id VARCHAR(64) NOT NULL, line_no INTEGER NOT NULL, "
        "customer_id VARCHAR(64), sku VARCHAR(64) NOT NULL, quantity INTEGER NOT NULL, "
        "unit_price FLOAT NOT NULL, ts DATETIME NOT NULL, is_return BOOLEAN NOT NULL, "
        "promo BOOLEAN, PRIMARY KEY (order_id, line_no))"
    )
    old.executemany(
        "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)",
        [
            ("A1", 1, "u1", "S1", 1, 2.0, "2024-03-01 10:00:00.000000"),
            ("A1", 2, "u1", "S2", 2, 3.0, "2024-03-01 10:00:00.000000"),
        ],
    )
    old.commit()
    old.close()
    shop = ShopData.open(settings.effective_database_url)
    lines = shop.order_lines()
    assert sorted(lines["quantity"]) == [1, 2] and "line_key" in lines and "line_no" not in lines


def test_an_unexpected_error_is_one_line_without_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("boom\nsecond line with data")

    monkeypatch.setitem(__import__("copilot.cli").cli._COMMANDS, "status", broken)
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "error: internal error (RuntimeError: boom); rerun with --debug for the traceback"
    )
    with pytest.raises(RuntimeError, match="boom"):
        main(["--debug", "status"])


def test_plausibility_bounds_are_settings(
    tmp_path: Path,
    shop: ShopData,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A wholesaler's 5,000-unit lines and a pre-order dated next month: refused by default,
    # accepted once the shop says so.
    next_month = (pd.Timestamp.now() + pd.Timedelta(days=30)).strftime("%Y-%m-%d 10:00")
    rows = ["B1,S1,5000,2.0,2024-03-01 10:00,u1", f"B2,S1,1,2.0,{next_month},u1"]
    path = write_csv(tmp_path, rows, "wholesale.csv", SIMPLE)
    before = db_digest(settings.home_dir / "shop.db")
    monkeypatch.setenv("COPILOT_INGEST_FUTURE_DAYS", "60")
    monkeypatch.setenv("COPILOT_INGEST_MAX_COUNT", "1000")
    assert main(["ingest", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "row 1 (line 2)" in err and "between -1,000 and 1,000" in err and "'5000'" in err
    assert db_digest(settings.home_dir / "shop.db") == before
    monkeypatch.setenv("COPILOT_INGEST_MAX_COUNT", "10000")
    assert main(["ingest", str(path), "--no-progress"]) == 0
    assert sorted(shop.order_lines()["quantity"]) == [1, 5000]
    monkeypatch.setenv("COPILOT_INGEST_FUTURE_DAYS", "2")
    later = write_csv(tmp_path, [f"B3,S1,1,2.0,{next_month},u1"], "later.csv", SIMPLE)
    assert main(["ingest", str(later), "--no-progress"]) == 2
    assert "not in the future" in capsys.readouterr().err
