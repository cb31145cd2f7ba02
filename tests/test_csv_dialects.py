"""CSV files as spreadsheets in many locales write them (issue 20): separators ``;``, tab and
``|`` found from the rows, decimal commas read as decimals, never as thousands groups."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from copilot.shop import ShopData, ingest_file
from copilot.shop.readers import decimal_comma_columns, sniff_delimiter
from copilot.shop.remarks import Remark
from copilot.ui.ingest_view import summary_lines
from tests.test_ingest import HEADER, ROWS, write_csv


def lines_of(shop: ShopData) -> pd.DataFrame:
    columns = ["order_id", "sku", "quantity", "unit_price", "ts", "customer_id"]
    return shop.order_lines()[columns].sort_values(["order_id", "sku"]).reset_index(drop=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),  # decimal commas in the rows, none in the header
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('a,b,c\n1,"x; y; z",3\n', ","),  # a ";" inside quoted text splits nothing
        ("a,b;c\n1,2;3\n4,5;6\n", ","),  # ties go to the first (the comma)
        ("title\nonly one column\n", ","),
        ("a;b\n1;2\n3\n", ";"),  # a short last line may be cut by the sample
    ],
)
def test_the_separator_is_the_one_that_splits_every_row_alike(text: str, expected: str) -> None:
    assert sniff_delimiter(text.splitlines(keepends=True)) == expected


def test_decimal_commas_are_recognised_per_column_and_thousands_groups_decide_nothing() -> None:
    frame = pd.DataFrame(
        {
            "price": ["2,55", "1.003,39", "4"],  # decimal comma, dots group thousands
            "amount": ["1,234", "2,345", "3"],  # thousands groups only: not decided
            "mixed": ["2,55", "3.10", "1"],  # a decimal point too: not a decimal comma
            "title": ["a, b", "c", "d"],  # text
        }
    )
    assert decimal_comma_columns(frame) == frozenset({"price"})


def test_a_semicolon_export_with_decimal_commas_stores_what_the_comma_file_stores(
    tmp_path: Path, shop: ShopData
) -> None:
    ingest_file(shop, write_csv(tmp_path, ROWS), fmt="online-retail")
    expected = lines_of(shop)
    # The same rows as a European spreadsheet writes them: ";" between columns, "2,55".
    semi = [
        ";".join(
            cell.replace(".", ",") if i == 5 else cell for i, cell in enumerate(row.split(","))
        )
        for row in ROWS
    ]
    other = ShopData.open(f"sqlite:///{tmp_path / 'other.db'}")
    summary = ingest_file(
        other, write_csv(tmp_path, semi, "semi.csv", HEADER.replace(",", ";")), fmt="online-retail"
    )
    pd.testing.assert_frame_equal(lines_of(other), expected)
    assert Remark("delimiter", value="';'") in summary.notes
    assert Remark("decimal_comma", column="UnitPrice") in summary.notes
    assert "numbers in column 'UnitPrice' read with a decimal comma" in "\n".join(summary.lines())
    # A Chinese page words the same remarks in Chinese: no English beyond the file's names.
    zh = "\n".join(summary_lines(summary, "semi.csv", "zh"))
    assert "'UnitPrice' 列的数字按小数逗号读取" in zh and "列分隔符为 ';'" in zh, zh
    english = re.findall(
        r"[A-Za-z]{4,}",
        zh.replace("UnitPrice", "").replace("online-retail", "").replace("semi.csv", ""),
    )
    assert english == ["copilot", "undo", "ingest"], english


def test_a_tab_separated_txt_file_is_read(tmp_path: Path, shop: ShopData) -> None:
    path = tmp_path / "orders.txt"
    path.write_text(
        "\n".join([HEADER.replace(",", "\t"), *(r.replace(",", "\t") for r in ROWS)]) + "\n",
        encoding="utf-8",
    )
    summary = ingest_file(shop, path, fmt="online-retail")
    assert summary.rows_kept == 10
    assert shop.products().set_index("sku").loc["85123A", "list_price"] == pytest.approx(2.55)
