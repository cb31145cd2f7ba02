"""Sales figures of a period from order lines, by plain aggregation (no model): the numbers a
marketer reconciles against their shop's own reports, so they must match to the cent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd

from tools.periods import Period
from tools.sales.results import BreakdownRow, Change, SalesFigures

COMPARED = ("net", "gross", "returns", "orders", "units", "aov", "customers", "new_customers")


def valued_lines(lines: pd.DataFrame, products: pd.DataFrame, exclude: set[str]) -> pd.DataFrame:
    """Order lines of merchandise (``exclude``: fee and postage skus) with their value and
    their product's category, in time order (so a period is a slice, not a scan of every
    line)."""
    kept = lines[~lines["sku"].astype(str).isin(exclude)] if exclude else lines
    # Keys as categories: counting distinct orders and mapping skus or customers to labels
    # then work on integer codes, not on a million strings per call.
    keys = {k: kept[k].astype("category") for k in ("order_id", "customer_id", "sku")}
    category = products.set_index("sku")["category"] if "category" in products else None
    valued = kept.assign(
        value=kept["quantity"] * kept["unit_price"],
        category=keys["sku"].map(category) if category is not None else None,
        **keys,
    )
    return valued.sort_values("ts", kind="stable")


def within(lines: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The lines (in time order) of the days ``start``..``end``."""
    ts = lines["ts"]
    first, after = ts.searchsorted([pd.Timestamp(start), pd.Timestamp(end + timedelta(days=1))])
    return lines.iloc[first:after]


def costed(rows: pd.DataFrame, unit_cost: pd.Series) -> tuple[float, float] | None:
    """Sales value and product cost (unit cost x units) of the ``rows`` whose product cost is
    known; None when no row's is."""
    # float: mapping a categorical sku gives a categorical when every cost is known
    cost = rows["sku"].map(unit_cost).astype(float)
    known = cost.notna()
    if not known.any():
        return None
    return float(rows.loc[known, "value"].sum()), float(
        (cost[known] * rows.loc[known, "quantity"]).sum()
    )


def first_purchase(valued: pd.DataFrame) -> pd.Series:
    """Each identified customer's first day with a sold line."""
    sold = valued[(valued["value"] > 0) & valued["customer_id"].notna()]
    return sold.groupby("customer_id")["ts"].min().dt.normalize()


def figures(valued: pd.DataFrame, period: Period, first: pd.Series) -> SalesFigures:
    """The figures of ``period`` (its days with data) from ``valued`` lines."""
    rows = within(valued, period.start, period.covered_end)
    sold = rows[rows["value"] > 0]
    gross = float(sold["value"].sum())
    returns = float(-rows.loc[rows["value"] < 0, "value"].sum())
    orders = int(sold["order_id"].nunique())
    buyers = pd.Index(sold["customer_id"].dropna().unique())
    firsts = first.reindex(buyers)
    since, until = pd.Timestamp(period.start), pd.Timestamp(period.covered_end)
    new = int(((firsts >= since) & (firsts <= until)).sum())
    return SalesFigures(
        start=period.start,
        end=period.covered_end,
        partial=period.partial,
        days=period.days,
        gross=round(gross, 2),
        returns=round(returns, 2),
        net=round(gross - returns, 2),
        orders=orders,
        units=int(sold["quantity"].sum()),
        aov=round(gross / orders, 2) if orders else None,
        customers=len(buyers),
        new_customers=new,
        returning_customers=len(buyers) - new,
    )


def changes(current: SalesFigures, previous: SalesFigures) -> list[Change]:
    """Each compared figure, its change and its change in percent."""
    out = []
    for metric in COMPARED:
        now, before = getattr(current, metric), getattr(previous, metric)
        if now is None or before is None:
            continue
        out.append(
            Change(
                metric=metric,
                current=float(now),
                previous=float(before),
                change=round(float(now) - float(before), 2),
                change_pct=round(100 * (now - before) / before, 1) if before else None,
            )
        )
    return out


def breakdown(
    valued: pd.DataFrame,
    label: Callable[[pd.DataFrame], pd.Series],
    period: Period,
    previous: Period | None,
    top: int,
) -> list[BreakdownRow]:
    """Net sales per key (``label``: one key per line of the lines it is given), the ``top``
    largest and one "other" row for the rest, with the change against ``previous``.

    An order with lines under two keys counts as an order of each (orders of a category)."""
    spans = [p for p in (period, previous) if p is not None]
    first, last = min(p.start for p in spans), max(p.covered_end for p in spans)
    rows = within(valued, first, last)  # label only the lines the periods cover
    labelled = rows.assign(key=label(rows).fillna("unknown").astype(str))
    now = within(labelled, period.start, period.covered_end)
    ranked = now.groupby("key")["value"].sum().sort_values(ascending=False)
    shown = set(ranked.index[:top])
    labelled["key"] = labelled["key"].where(labelled["key"].isin(shown), "other")

    def totals(p: Period) -> pd.DataFrame:
        rows = within(labelled, p.start, p.covered_end)
        sold = rows[rows["value"] > 0]
        grouped = rows.groupby("key")["value"].sum().rename("net").to_frame()
        grouped["orders"] = sold.groupby("key")["order_id"].nunique()
        grouped["units"] = sold.groupby("key")["quantity"].sum()
        return grouped.fillna(0)

    current = totals(period)
    before = totals(previous)["net"] if previous is not None else None
    total = float(current["net"].sum())
    order = [k for k in ranked.index[:top] if k in current.index]
    order += ["other"] if "other" in current.index else []
    out = []
    for key in order:
        row = current.loc[key]
        net = float(row["net"])
        prior = float(before.get(key, 0.0)) if before is not None else None
        out.append(
            BreakdownRow(
                key=str(key),
                net=round(net, 2),
                share=round(net / total, 4) if total else 0.0,
                orders=int(row["orders"]),
                units=int(row["units"]),
                previous_net=None if prior is None else round(prior, 2),
                change_pct=round(100 * (net - prior) / prior, 1) if prior else None,
            )
        )
    return out
