"""Profiling answers read from the last batch run's tables, when it computed the shop's current
data: one customer's card by an indexed lookup, the segment overview from the scored table,
and no model fitted for either."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from copilot.shop import schema
from copilot.shop.batch import BatchRun, current_run, rows
from tools._tool import COMPUTED, ToolContext
from tools.profiling.card import card_of, last_orders
from tools.profiling.results import CustomerCard, SegmentOverview, SegmentRow
from tools.profiling.segments import RFM_SEGMENTS, Trait

_SCORED_COLUMNS = (
    "customer_id",
    "country",
    "rfm_segment",
    "cluster",
    "recency_days",
    "frequency",
    "monetary",
    "profile_score",
    "purchase_prob",
    "churn_risk",
    "p_alive",
    "expected_purchases_12m",
    "clv_12m",
)
"""What the segment overview and customer lists read of every customer (not the card's JSON)."""


@dataclass(frozen=True)
class ServedProfiles:
    """Every customer's scores from a batch run, as the profile table has them."""

    run: BatchRun
    table: pd.DataFrame

    @property
    def horizon_days(self) -> int:
        """The horizon of the purchase probability and churn risk, in days."""
        return int(self.run.meta["horizon_days"])


def served_profiles(ctx: ToolContext) -> ServedProfiles | None:
    """The scored customers of the batch run for the current data (None: no such run), read
    once per run."""
    run = current_run(ctx.shop.engine, ctx.shop.version())
    if run is None:
        return None

    def read() -> ServedProfiles:
        table = schema.batch_customers
        query = select(*(table.c[c] for c in _SCORED_COLUMNS)).order_by(table.c.customer_id)
        with ctx.shop.engine.connect() as conn:
            t = pd.read_sql(query, conn).set_index("customer_id")
        t["frequency"] = t["frequency"].astype(int)  # stored as a float; a count of orders
        return ServedProfiles(run, t)

    return ctx.cached_per_run("served_profiles", run.id, read)


@dataclass(frozen=True)
class Clusters:
    """What the overview says of each cluster: its description and its traits."""

    describe: Callable[[int], list[str]]
    traits: dict[int, list[Trait]]


def overview_of(
    t: pd.DataFrame,
    kind: str,
    clusters: Clusters,
    *,
    as_of: str,
    horizon_days: int,
    source: str = COMPUTED,
) -> SegmentOverview:
    """Sizes and value of the segments of ``kind`` in the scored customers ``t``."""
    total_revenue = float(t["monetary"].sum())
    rows_out = []
    if kind == "rfm":
        groups = {key: t[t["rfm_segment"] == key] for key, *_ in RFM_SEGMENTS}
        names = {key: (en, zh, rule) for key, en, zh, rule in RFM_SEGMENTS}
    else:
        labels = sorted(t["cluster"].unique())
        groups = {f"cluster {c}": t[t["cluster"] == c] for c in labels}
        names = {
            f"cluster {c}": (f"Cluster {c}", f"客群 {c}", "; ".join(clusters.describe(int(c))))
            for c in labels
        }
    for key, part in groups.items():
        if part.empty:
            continue
        en, zh, rule = names[key]
        revenue = float(part["monetary"].sum())
        rows_out.append(
            SegmentRow(
                segment=key,
                label=en,
                label_zh=zh,
                customers=len(part),
                share=len(part) / len(t),
                revenue=revenue,
                revenue_share=revenue / total_revenue if total_revenue else 0.0,
                avg_profile_score=float(part["profile_score"].mean()),
                avg_purchase_prob=float(part["purchase_prob"].mean()),
                avg_churn_risk=float(part["churn_risk"].mean()),
                avg_clv_12m=float(part["clv_12m"].mean()),
                rule=rule,
                traits=clusters.traits[int(key.split()[1])] if kind == "cluster" else [],
            )
        )
    rows_out.sort(key=lambda r: -r.revenue)
    return SegmentOverview(
        kind=kind,
        as_of=as_of,
        horizon_days=horizon_days,
        total_customers=len(t),
        segments=rows_out,
        source=source,
    )


def served_overview(ctx: ToolContext, kind: str) -> SegmentOverview | None:
    """The segment overview from the batch table (None: no run for the current data)."""
    served = served_profiles(ctx)
    if served is None:
        return None
    run, t = served.run, served.table
    described = {int(c): list(d) for c, d in run.meta["clusters"].items()}
    traits = {int(c): [Trait(**x) for x in ts] for c, ts in run.meta["traits"].items()}
    return overview_of(
        t,
        kind,
        Clusters(lambda c: described[c], traits),
        as_of=str(run.meta["as_of"]),
        horizon_days=int(run.meta["horizon_days"]),
        source=run.source(),
    )


def served_card(ctx: ToolContext, cid: str) -> CustomerCard | None:
    """Customer ``cid``'s card from the batch tables (None: no run for the current data, or a
    customer it did not score)."""
    run = current_run(ctx.shop.engine, ctx.shop.version())
    if run is None:
        return None
    found = rows(ctx.shop.engine, schema.batch_customers, customer_id=cid)
    if not found:
        return None
    row = found[0]._asdict()
    drivers = json.loads(row["drivers"])
    pushes = (
        [(str(f), float(v)) for f, v in drivers["up"]],
        [(str(f), float(v)) for f, v in drivers["down"]],
    )
    return card_of(
        cid,
        {**row, **json.loads(row["features"])},
        pushes,
        json.loads(row["top_categories"]),
        cluster_description=list(run.meta["clusters"][str(row["cluster"])]),
        last_orders=last_orders(ctx.shop.customer_lines(cid)),
        horizon_days=int(run.meta["horizon_days"]),
        source=run.source(),
    )
