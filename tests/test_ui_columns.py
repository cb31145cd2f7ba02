"""Result tables for people (issue 20): the customer list's columns, labels in the page's
language, figures written as the answers write them, numbers still numbers for sorting."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd
from pandas.io.formats.style import Styler

from copilot.ui.columns import people_table
from copilot.ui.views import result_table
from tools import ToolContext
from tools.findings import Say
from tools.profiling.api import find_customers


def shown(styler: Styler) -> tuple[list[str], list[Any], list[Any]]:
    """Headers, values and display values as the page receives them."""
    data = gr.Dataframe(interactive=False).postprocess(styler)
    assert data.metadata is not None
    return list(data.headers), list(data.data), list(data.metadata["display_value"] or [])


def test_a_customer_list_shows_the_columns_a_marketer_reads(demo_ctx: ToolContext) -> None:
    result = find_customers(demo_ctx, segment="at_risk")
    frame = result_table(result)
    assert len(frame.columns) > 30  # every feature: the CSV download keeps them
    headers, values, display = shown(people_table(frame, "CustomerList", "en", "£"))
    assert headers == [
        "Customer",
        "Segment",
        "CLV (12 months)",
        "Churn risk",
        "Last order (days ago)",
        "Orders",
        "Revenue",
        "Country",
    ]
    first = frame.iloc[0]
    assert values[0][2] == first["clv_12m"]  # the value sorts as a number
    assert display[0][1] == "At risk"
    assert display[0][2] == f"£{first['clv_12m']:,.0f}"
    # Written exactly as the answer's findings write it (one precision in text and table).
    assert display[0][3] == Say("en", "£").pct(first["churn_risk"])
    headers_zh, _, display_zh = shown(people_table(frame, "CustomerList", "zh", "¥"))
    assert headers_zh[:4] == ["客户", "分群", "客户终身价值（12 个月）", "流失风险"]
    assert display_zh[0][1] == "有流失风险" and display_zh[0][2].startswith("¥")


def test_other_tables_keep_their_columns_with_labels_and_formats() -> None:
    frame = pd.DataFrame(
        {"key": ["Kitchen", "other"], "net": [12345.678, 99.5], "share": [0.8, 0.0065]}
    )
    headers, values, display = shown(people_table(frame, "SalesSummary", "en", "$"))
    assert headers == ["key", "Net sales", "Share"]
    assert values[0][1] == 12345.678
    assert display[0][1:] == ["$12,346", "80%"] and display[1][1:] == ["$99.50", "0.7%"]


def test_a_product_column_reads_in_the_page_s_language() -> None:
    frame = pd.DataFrame(
        {"sku": ["A-1", "B-2"], "title": ["Mug", "Kettle"], "title_zh": ["马克杯", None]}
    )
    headers, values, _ = shown(people_table(frame, "ProductRecommendations", "zh", ""))
    assert headers == ["商品编码", "商品"] and [v[1] for v in values] == ["马克杯", "Kettle"]
    headers, values, _ = shown(people_table(frame, "ProductRecommendations", "en", ""))
    assert headers == ["SKU", "Product"] and [v[1] for v in values] == ["Mug", "Kettle"]


def test_a_segment_table_names_each_segment_once_in_the_page_s_language(
    demo_ctx: ToolContext,
) -> None:
    from tools.profiling.api import segment_overview

    frame = result_table(segment_overview(demo_ctx))
    shown = people_table(frame, "SegmentOverview", "zh", "")
    assert list(shown.columns)[:3] == ["分群", "客户数", "占比"]
    assert "label" not in shown.columns and "label_zh" not in shown.columns
    page = shown.to_html()
    assert "冠军客户" in page and "Champions" not in page
