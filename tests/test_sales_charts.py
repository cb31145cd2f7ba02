"""The sales and campaign tools' charts and tables show the tool's own numbers."""

from __future__ import annotations

import pytest

from copilot.ui.views import result_chart, result_table
from tools import ToolContext
from tools.campaigns.api import campaign_performance
from tools.sales.api import sales_summary
from tools.sales.trend_tool import sales_trend


def test_a_trend_is_a_line_of_its_points(demo_ctx: ToolContext) -> None:
    result = sales_trend(demo_ctx, grain="month", period="last 12 months")
    spec = result_chart(result, "en")
    assert spec is not None and spec.kind == "line"
    assert list(spec.frame[spec.y]) == [p.value for p in result.points if p.value is not None]
    assert list(spec.frame[spec.x])[0] == result.points[0].start.isoformat()
    zh = result_chart(result, "zh")
    assert zh is not None and "按月统计的净销售额" in zh.title


def test_a_breakdown_is_bars_in_the_tools_order(demo_ctx: ToolContext) -> None:
    result = sales_summary(demo_ctx, period="last month", by="category")
    spec = result_chart(result, "en")
    assert spec is not None and spec.kind == "bar"
    assert list(spec.frame[spec.y]) == [r.net for r in result.breakdown]
    assert sales_summary(demo_ctx, period="last month").breakdown == []
    assert result_chart(sales_summary(demo_ctx, period="last month"), "en") is None


def test_campaigns_chart_the_ranked_channels_and_table_every_campaign(
    demo_ctx: ToolContext,
) -> None:
    result = campaign_performance(demo_ctx, rank_by="roas")
    spec = result_chart(result, "en")
    assert spec is not None and spec.kind == "bar"
    assert list(spec.frame[spec.x]) == [c.channel for c in result.channels]
    assert list(spec.frame[spec.y]) == [c.funnel.roas for c in result.channels]
    table = result_table(result)
    assert len(table) == len(result.campaigns)
    assert {"campaign_id", "sends", "clicks", "roas", "profit", "standing"} <= set(table.columns)
    xmas = table[table["campaign_id"] == "CMP-2512-XMAS"].iloc[0]
    row = next(r for r in result.campaigns if r.campaign_id == "CMP-2512-XMAS")
    assert xmas["roas"] == pytest.approx(row.funnel.roas)
