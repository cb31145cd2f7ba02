"""Tool results as tables, one-line summaries and chart specifications (pure, no Gradio)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from copilot.ui.i18n import Language, text
from tools.pricing.discount import DiscountPlan
from tools.pricing.results import ElasticityReport, PriceOptimization
from tools.profiling.results import SegmentOverview
from tools.recommend.results import (
    ProductRecommendations,
    RecommendedProduct,
    RelatedProducts,
    SegmentPicks,
)

MAX_ROWS = 500
"""Rows shown in the table; find_customers can match thousands (its CSV export has them all)."""
_SUMMARY_FIELDS = 6
_SUMMARY_CHARS = 90


@dataclass(frozen=True)
class ChartSpec:
    """What to plot: a line or bar chart of ``frame[y]`` against ``frame[x]``."""

    kind: Literal["line", "bar"]
    frame: pd.DataFrame
    x: str
    y: str
    title: str
    caption: str = ""


def _cell(value: Any) -> Any:
    """A value a table cell can hold; numbers stay numbers so columns sort numerically."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, tuple | list) and all(isinstance(v, int | float) for v in value):
        return " to ".join(f"{float(v):,.4g}" for v in value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return str(value)


def _nested(value: Any) -> bool:
    return (
        isinstance(value, dict)
        or dataclasses.is_dataclass(value)
        or (isinstance(value, list | tuple) and any(_record(v) for v in value))
    )


def _record(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _fields(value: Any) -> dict[str, Any]:
    return {
        f.name: getattr(value, f.name)
        for f in dataclasses.fields(value)
        if not f.name.startswith("_")
    }


def _rows(items: list[Any]) -> pd.DataFrame:
    flat = [
        {k: _cell(v) for k, v in _fields(item).items() if not _nested(v)}
        if _record(item)
        else {"value": _cell(item)}
        for item in items
    ]
    return pd.DataFrame(flat)


def result_table(result: Any) -> pd.DataFrame:
    """The table to show beside the chat for a tool result.

    The result's own ``to_frame`` when it has one, else its first list of records, else its
    scalar fields as (field, value) rows. Nested values are left to the chart.
    """
    if result is None:
        return pd.DataFrame()
    if hasattr(result, "to_frame"):
        frame = result.to_frame()
        if frame.index.name is not None:
            frame = frame.reset_index()
        frame = frame.head(MAX_ROWS)
        keep = [c for c in frame.columns if not frame[c].map(_nested).any()]
        return frame[keep].map(_cell)
    if not _record(result):
        return pd.DataFrame({"value": [_cell(result)]})
    fields = _fields(result)
    for key, value in fields.items():
        if isinstance(value, list) and value and _record(value[0]):
            if len(value) > 1:
                return _rows(value[:MAX_ROWS])
            # One record (one product's price decision) reads better as field/value rows.
            fields = {**{k: v for k, v in fields.items() if k != key}, **_fields(value[0])}
            break
    return pd.DataFrame(
        [{"field": k, "value": _cell(v)} for k, v in fields.items() if not _nested(v)]
    )


def _short(value: Any) -> str:
    shown = str(_cell(value))
    return shown if len(shown) <= _SUMMARY_CHARS else shown[: _SUMMARY_CHARS - 1] + "…"


def result_summary(result: Any, lang: Language) -> str:
    """A few lines for the collapsible tool message: headline fields and the row count."""
    if not _record(result):
        return _short(result)
    lines = []
    nested: list[str] = []
    for key, value in _fields(result).items():
        if isinstance(value, list) and len(value) == 1 and _record(value[0]):
            # One product's decision: its headline fields matter more than the wrapper's.
            inner = [(k, v) for k, v in _fields(value[0]).items() if not _nested(v)]
            nested = [f"- {key}:"] + [f"  - {k}: {_short(v)}" for k, v in inner[:_SUMMARY_FIELDS]]
        elif isinstance(value, list) and value and _record(value[0]):
            lines.append(f"- {key}: {text('rows', lang, n=len(value))}")
        elif not _nested(value) and not isinstance(value, list) and len(lines) < _SUMMARY_FIELDS:
            lines.append(f"- {key}: {_short(value)}")
    lines += nested
    return "\n".join(lines)


def result_chart(result: Any, lang: Language) -> ChartSpec | None:
    """A chart where one fits the result, titled in ``lang``; None otherwise."""
    from copilot.ui.sales_charts import sales_chart  # it builds on ChartSpec

    spec = sales_chart(result, lang)
    if spec is not None:
        return spec
    if isinstance(result, PriceOptimization):
        return _profit_curve(result, lang)
    if isinstance(result, SegmentOverview):
        return segment_chart(result, lang)
    if isinstance(result, ProductRecommendations | SegmentPicks) and result.items:
        picks = [
            {
                text("product", lang): _product_label(i.sku, i.title, i.title_zh, lang),
                text("score", lang): float(
                    i.score if isinstance(i, RecommendedProduct) else i.customers_suited
                ),
            }
            for i in result.items
        ]
        return ChartSpec(
            "bar",
            pd.DataFrame(picks),
            text("product", lang),
            text("score", lang),
            text("chart_recs", lang),
        )
    if isinstance(result, RelatedProducts) and result.items:
        frame = pd.DataFrame(
            {
                text("product", lang): [
                    _product_label(i.sku, i.title, None, lang) for i in result.items
                ],
                text("score", lang): [float(i.similarity) for i in result.items],
            }
        )
        return ChartSpec(
            "bar", frame, text("product", lang), text("score", lang), text("chart_related", lang)
        )
    if isinstance(result, DiscountPlan) and result.options:
        frame = pd.DataFrame(
            {
                text("depth", lang): [float(o.depth_pct) for o in result.options],
                text("profit", lang): [float(o.incremental_profit) for o in result.options],
            }
        )
        return ChartSpec(
            "line", frame, text("depth", lang), text("profit", lang), text("chart_discount", lang)
        )
    if isinstance(result, ElasticityReport) and len(result.products) > 1:
        frame = pd.DataFrame(
            {
                text("product", lang): [p.sku for p in result.products],
                text("elasticity", lang): [float(p.elasticity) for p in result.products],
            }
        )
        return ChartSpec(
            "bar",
            frame,
            text("product", lang),
            text("elasticity", lang),
            text("chart_elasticity", lang),
        )
    return None


def segment_chart(result: SegmentOverview, lang: Language) -> ChartSpec:
    """Customers per segment, labelled in ``lang``."""
    frame = pd.DataFrame(
        {
            text("segment", lang): [
                s.label_zh if lang == "zh" and s.label_zh else s.label for s in result.segments
            ],
            text("customers", lang): [int(s.customers) for s in result.segments],
        }
    )
    return ChartSpec(
        "bar", frame, text("segment", lang), text("customers", lang), text("chart_segments", lang)
    )


def _profit_curve(result: PriceOptimization, lang: Language) -> ChartSpec | None:
    decision = next((d for d in result.decisions if d.curve), None)
    if decision is None:
        return None
    frame = pd.DataFrame(
        {
            text("price", lang): [float(p.price) for p in decision.curve],
            text("profit", lang): [float(p.profit) for p in decision.curve],
        }
    )
    return ChartSpec(
        "line",
        frame,
        text("price", lang),
        text("profit", lang),
        text("chart_profit", lang, sku=decision.product),
        text(
            "chart_profit_caption",
            lang,
            current=decision.current_price,
            recommended=decision.recommended_price,
        ),
    )


def _product_label(sku: str, title: str | None, title_zh: str | None, lang: Language) -> str:
    name = title_zh if lang == "zh" and title_zh else title
    return f"{name} ({sku})" if name else sku
