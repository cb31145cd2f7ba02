"""Findings of the sales tools: the period as read, the figures, the change that matters, and
whether the period is complete."""

from __future__ import annotations

import re

from tools.findings.profiling import segment_name
from tools.findings.say import Say
from tools.findings.types import Findings
from tools.sales.results import (
    BreakdownRow,
    Change,
    SalesFigures,
    SalesSummary,
    SalesTrend,
    TrendPoint,
)


def _span(f: SalesFigures | TrendPoint) -> str:
    if f.start == f.end:
        return f.start.isoformat()
    return f"{f.start.isoformat()} – {f.end.isoformat()}"


def _change(c: Change, say: Say, money: bool) -> str:
    amount = say.money(c.change) if money else say.count(c.change)
    sign = "+" if c.change > 0 else ""
    pct = "" if c.change_pct is None else f" ({say.change(c.change_pct, 1)})"
    return f"{sign}{amount}{pct}"


def _row(row: BreakdownRow, by: str, say: Say) -> str:
    name = segment_name(row.key, say) if by == "segment" else row.key
    if row.key == "other":
        name = say("sales.other")
    change = ""
    if row.change_pct is not None:
        change = say("sales.row_change", change=say.change(row.change_pct, 1))
    return say(
        "sales.row",
        name=name,
        net=say.money(row.net),
        share=say.pct(row.share, 1),
        orders=say.count(row.orders),
        change=change,
    )


def sales_summary(result: SalesSummary, say: Say) -> Findings:
    """Net sales with orders and customers, the comparison, and the breakdown as items."""
    now = result.current
    only = []
    if result.where_by and result.where:
        value = segment_name(result.where, say) if result.where_by == "segment" else result.where
        only = [say("sales.only", by=say(f"sales.by.{result.where_by}"), value=value)]
    if now.orders == 0 and now.returns == 0:
        return Findings((*only, say("sales.none", span=_span(now), said=result.period)))
    sentences = [
        *only,
        say(
            "sales.head",
            said=result.period,
            span=_span(now),
            net=say.money(now.net),
            gross=say.money(now.gross),
            returns=say.money(now.returns),
            orders=say.count(now.orders),
            units=say.count(now.units),
            aov=say.money(now.aov or 0.0),
        ),
        say(
            "sales.customers",
            customers=say.count(now.customers),
            new=say.count(now.new_customers),
            returning=say.count(now.returning_customers),
        ),
    ]
    if now.partial:
        sentences.append(say("sales.partial", end=now.end.isoformat(), days=say.days(now.days)))
    if result.previous is not None and result.changes:
        by_metric = {c.metric: c for c in result.changes}
        sentences.append(
            say(
                "sales.compare_" + (result.compare_to or "previous_period"),
                span=_span(result.previous),
                net=say.money(result.previous.net),
                net_change=_change(by_metric["net"], say, money=True),
                orders_change=_change(by_metric["orders"], say, money=False),
                customers_change=_change(by_metric["customers"], say, money=False),
            )
        )
    items = tuple(_row(r, result.by or "", say) for r in result.breakdown)
    if items:
        sentences.append(say("sales.breakdown", by=say(f"sales.by.{result.by}")))
    return Findings(tuple(sentences), items)


def _said(period: str) -> str:
    """The period as the user said it, without a leading "for"/"in" (the wording has its own)."""
    return re.sub(r"^(?:for|in|during|over)\s+", "", period.strip(), flags=re.IGNORECASE)


def _value(metric: str, value: float | None, say: Say) -> str:
    if value is None:
        return say("sales.trend_no_value")
    return say.money(value) if metric in ("net", "aov") else say.count(value)


def _direction(result: SalesTrend, say: Say) -> str:
    d = result.direction
    grain = say(f"sales.grain.{result.grain}")
    if d.method == "too_short":
        return say("sales.trend_too_short", buckets=d.buckets, grain=grain)
    values = {
        "grain": grain,
        # "up 12.9%": the direction word carries the sign (an unclear change keeps it).
        "change": (
            say.change(d.change_pct or 0.0, 1)
            if d.direction == "unclear"
            else say.pct(abs(d.change_pct or 0.0) / 100, 1)
        ),
        "p": say.num(d.p_value or 0.0, 3),
        "buckets": d.buckets,
    }
    return say(f"sales.trend_{d.method}_{d.direction}", **values)


def sales_trend(result: SalesTrend, say: Say) -> Findings:
    """The series' span and peak, its direction with how it was tested, and the movers."""
    metric = say(f"sales.metric.{result.metric}")
    grain = say(f"sales.grain.{result.grain}")
    shown = result.points
    sentences = [
        say(
            "sales.trend_head",
            metric=metric,
            grain=grain,
            said=_said(result.period),
            span=f"{shown[0].start.isoformat()} – {shown[-1].end.isoformat()}",
        )
    ]
    if result.peak is not None:
        sentences.append(
            say(
                "sales.trend_peak",
                span=_span(result.peak),
                value=_value(result.metric, result.peak.value, say),
            )
        )
    sentences.append(_direction(result, say))
    if shown[-1].partial:
        sentences.append(say("sales.trend_partial", span=_span(shown[-1]), grain=grain))
    items = tuple(
        say(
            "sales.mover",
            name=segment_name(m.key, say) if result.by == "segment" else m.key,
            before=_value(result.metric, m.before, say),
            last=_value(result.metric, m.last, say),
            change="" if m.change_pct is None else f" ({say.change(m.change_pct, 1)})",
        )
        for m in result.movers
    )
    if items:
        sentences.append(say("sales.movers", by=say(f"sales.by.{result.by}"), grain=grain))
    return Findings(tuple(sentences), items)
