"""Findings of the sales tools: the period as read, the figures, the change that matters, and
whether the period is complete."""

from __future__ import annotations

from tools.findings.profiling import segment_name
from tools.findings.say import Say
from tools.findings.types import Findings
from tools.sales.results import BreakdownRow, Change, SalesFigures, SalesSummary


def _span(f: SalesFigures) -> str:
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
    if now.orders == 0 and now.returns == 0:
        return Findings((say("sales.none", span=_span(now), said=result.period),))
    sentences = [
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
