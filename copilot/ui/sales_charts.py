"""Charts of the sales and campaign tools: a trend line, a breakdown's bars, channels ranked."""

from __future__ import annotations

from typing import Any

import pandas as pd

from copilot.ui.i18n import Language, text
from copilot.ui.views import ChartSpec
from tools.campaigns.results import CampaignReport
from tools.findings import Say
from tools.sales.results import SalesSummary, SalesTrend


def _say(lang: Language) -> Say:
    return Say("zh" if lang == "zh" else "en")


def trend_chart(result: SalesTrend, lang: Language) -> ChartSpec | None:
    """The series as a line, one point per bucket start."""
    points = [p for p in result.points if p.value is not None]
    if len(points) < 2:
        return None
    say = _say(lang)
    metric = say(f"sales.metric.{result.metric}")
    x, y = text("period_start", lang), metric
    frame = pd.DataFrame({x: [p.start.isoformat() for p in points], y: [p.value for p in points]})
    grain = say(f"sales.grain.{result.grain}")
    return ChartSpec("line", frame, x, y, text("chart_trend", lang, metric=metric, grain=grain))


def breakdown_chart(result: SalesSummary, lang: Language) -> ChartSpec | None:
    """Net sales of each key of the breakdown, largest first ("other" last)."""
    if not result.breakdown or result.by is None:
        return None
    say = _say(lang)
    x, y = say(f"sales.by.{result.by}"), text("net_sales", lang)
    keys = [say("sales.other") if r.key == "other" else r.key for r in result.breakdown]
    frame = pd.DataFrame({x: keys, y: [r.net for r in result.breakdown]})
    return ChartSpec("bar", frame, x, y, text("chart_breakdown", lang, by=x))


def campaign_chart(result: CampaignReport, lang: Language) -> ChartSpec | None:
    """Channels on the ranking metric when there are several, else each campaign's ROAS."""
    say = _say(lang)
    if len(result.channels) > 1:
        metric = say(f"campaigns.rank.{result.rank_by}")
        x = text("channel", lang)
        values: list[Any] = [getattr(c.funnel, result.rank_by) for c in result.channels]
        frame = pd.DataFrame({x: [c.channel for c in result.channels], metric: values})
        title = text("chart_channels", lang, metric=metric)
        return ChartSpec("bar", frame.dropna(), x, metric, title)
    rows = [r for r in result.campaigns if r.funnel.roas is not None]
    if len(rows) < 2:
        return None
    x, y = text("campaign", lang), "ROAS"
    frame = pd.DataFrame({x: [r.name for r in rows], y: [r.funnel.roas for r in rows]})
    return ChartSpec("bar", frame, x, y, text("chart_campaigns", lang))


def sales_chart(result: object, lang: Language) -> ChartSpec | None:
    """A chart for a sales or campaign result; None for other results."""
    if isinstance(result, SalesTrend):
        return trend_chart(result, lang)
    if isinstance(result, SalesSummary):
        return breakdown_chart(result, lang)
    if isinstance(result, CampaignReport):
        return campaign_chart(result, lang)
    return None
