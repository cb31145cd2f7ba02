"""Result tables for people: the columns a marketer reads first, labelled in the page's
language, numbers written as the answers write them (currency, thousands, percentages from
fractions). The numbers stay numbers underneath, so a click on a header still sorts them."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
from pandas.io.formats.style import Styler

from copilot.ui.i18n import Language
from tools.findings import Say
from tools.findings.profiling import segment_name

Kind = Literal["money", "fraction", "percent", "count", "number", "days", "segment"]

# field -> (kind, English label, Chinese label); fields not listed keep their name and value.
FIELDS: dict[str, tuple[Kind | None, str, str]] = {
    "customer_id": (None, "Customer", "客户"),
    "rfm_segment": ("segment", "Segment", "分群"),
    "segment": ("segment", "Segment", "分群"),
    "clv_12m": ("money", "CLV (12 months)", "客户终身价值（12 个月）"),
    "churn_risk": ("fraction", "Churn risk", "流失风险"),
    "recency_days": ("days", "Last order (days ago)", "最近下单（天前）"),
    "frequency": ("count", "Orders", "订单数"),
    "monetary": ("money", "Revenue", "消费金额"),
    "country": (None, "Country", "国家"),
    "channel": (None, "Channel", "渠道"),
    "profile_score": ("number", "Profile score", "画像评分"),
    "purchase_prob": ("fraction", "Purchase probability", "购买概率"),
    "customers": ("count", "Customers", "客户数"),
    "share": ("fraction", "Share", "占比"),
    "revenue": ("money", "Revenue", "销售额"),
    "revenue_share": ("fraction", "Share of revenue", "销售额占比"),
    "avg_churn_risk": ("fraction", "Average churn risk", "平均流失风险"),
    "avg_clv": ("money", "Average CLV", "平均客户终身价值"),
    "avg_clv_12m": ("money", "Average CLV (12 months)", "平均客户终身价值（12 个月）"),
    "rule": (None, "Rule", "规则"),
    "sku": (None, "SKU", "商品编码"),
    "title": (None, "Product", "商品"),
    "title_zh": (None, "Product (Chinese)", "商品"),
    "list_price": ("money", "List price", "标价"),
    "reason_kind": (None, "Reason type", "理由类型"),
    "also_bought": (None, "Also bought", "一同购买"),
    "category": (None, "Category", "品类"),
    "score": ("number", "Score", "得分"),
    "reason": (None, "Why", "推荐理由"),
    "net": ("money", "Net sales", "净销售额"),
    "gross": ("money", "Gross sales", "销售总额"),
    "returns": ("money", "Returns", "退货"),
    "orders": ("count", "Orders", "订单数"),
    "units": ("count", "Units", "件数"),
    "aov": ("money", "Average order value", "客单价"),
    "previous_net": ("money", "Net sales before", "上期净销售额"),
    "change_pct": ("percent", "Change", "变化"),
    "price": ("money", "Price", "价格"),
    "unit_cost": ("money", "Unit cost", "单位成本"),
    "profit": ("money", "Profit", "利润"),
    "roas": ("number", "ROAS", "投产比"),
}

PREFERRED: dict[str, tuple[str, ...]] = {
    # The segment column is named in the page's language: its English and Chinese label
    # columns would repeat it.
    "SegmentOverview": (
        "segment",
        "customers",
        "share",
        "revenue",
        "revenue_share",
        "avg_churn_risk",
        "avg_clv_12m",
        "rule",
    ),
    "CustomerList": (
        "customer_id",
        "rfm_segment",
        "clv_12m",
        "churn_risk",
        "recency_days",
        "frequency",
        "monetary",
        "country",
    ),
}
"""Per result type, the columns shown; the CSV download keeps every column."""


def _formatter(kind: Kind, say: Say) -> Callable[[Any], str]:
    def shown(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if kind == "segment":
            return segment_name(str(value), say)
        if not isinstance(value, int | float):
            return str(value)
        if kind == "money":
            return say.money(float(value))
        if kind == "fraction":
            return say.pct(float(value))
        if kind == "percent":
            return say.change(float(value), 1)
        if kind in ("count", "days"):
            return say.count(float(value))
        return say.num(float(value), 2)

    return shown


def people_table(frame: pd.DataFrame, result_type: str, lang: Language, currency: str) -> Styler:
    """``frame`` (a result's table) with its type's preferred columns, labelled in ``lang``
    and its numbers formatted; underlying values unchanged."""
    keep = [c for c in PREFERRED.get(result_type, ()) if c in frame.columns]
    chosen = frame[keep] if keep else frame
    zh = lang == "zh"
    if {"title", "title_zh"} <= set(chosen.columns):
        # One product column in the page's language (the English title where none is Chinese).
        if zh:
            chosen = chosen.assign(title=chosen["title_zh"].fillna(chosen["title"]))
        chosen = chosen.drop(columns="title_zh")
    say = Say(lang, currency)
    labels = {c: FIELDS[c][2 if zh else 1] for c in chosen.columns if c in FIELDS}
    shown = chosen.rename(columns=labels)
    formats = {
        labels[c]: _formatter(kind, say)
        for c in chosen.columns
        if c in FIELDS and (kind := FIELDS[c][0]) is not None
    }
    return shown.style.format(formats).hide(axis="index")  # type: ignore[arg-type]
