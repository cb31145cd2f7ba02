"""``campaign_readout``: how an approved campaign did, from the orders since its start,
treatment against its random holdout, beside what the plan forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field
from scipy import stats

from copilot.core.errors import InputError, ToolError
from copilot.shop.plans import PlanRecord, PlanStore, Status
from tools._shop import no_orders
from tools._tool import ToolContext, tool
from tools.campaigns.estimate import (
    always_valid_halfwidth,
    cuped,
    difference,
    planned_se,
)
from tools.pricing.discount import unit_cost

Metric = Literal["conversion", "revenue", "profit"]
PRE_WEEKS = 12
"""The pre-period whose spend is the CUPED covariate."""


@dataclass(frozen=True, kw_only=True)
class MetricReadout:
    """One outcome per customer over the campaign so far, treatment against holdout."""

    metric: Metric
    treatment_mean: float
    holdout_mean: float
    diff: float
    """Treatment minus holdout, per customer (a share for conversion)."""
    low: float
    high: float
    """The fixed-horizon 95% interval of ``diff``."""
    cuped_diff: float
    cuped_low: float
    cuped_high: float
    variance_reduction: float
    """How much of the variance the pre-period spend removed (CUPED)."""
    always_valid_low: float | None
    always_valid_high: float | None
    """The 95% interval valid at any look: set while the campaign is still running."""

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval in use: always-valid while running, else the CUPED fixed-horizon one."""
        if self.always_valid_low is not None and self.always_valid_high is not None:
            return self.always_valid_low, self.always_valid_high
        return self.cuped_low, self.cuped_high


@dataclass(frozen=True, kw_only=True)
class CampaignReadout:
    """The measured result of an approved plan, and how it compares with the forecast."""

    plan_id: int
    goal: str
    segment: str
    status: Status
    start: str
    planned_end: str
    as_of: str
    """The last day with orders in the data."""
    complete: bool
    """Whether the data covers the whole campaign (else the always-valid intervals apply)."""
    elapsed_share: float
    treatment: int
    holdout: int
    metrics: list[MetricReadout]
    incremental_revenue: float
    incremental_revenue_low: float
    incremental_revenue_high: float
    incremental_profit: float
    incremental_profit_low: float
    incremental_profit_high: float
    """Totals over the treated customers, from the CUPED estimate (the interval in use)."""
    forecast_revenue: float
    forecast_profit: float
    forecast_inside: bool
    """Whether the plan's expected profit lies inside the measured profit interval."""
    offer_cost: float | None
    """The discount given on promotion lines of treated customers (None: no price offer or no
    promotion flags in the data)."""
    balance_p: float
    """Pre-period spend, treatment against holdout (Welch's t-test): a small p means the
    groups differed before the campaign."""
    interval_level: float = 0.95
    pre_weeks: int = PRE_WEEKS
    """The weeks before the start whose spend adjusts the estimates (CUPED)."""


def _record(store: PlanStore, plan_id: int) -> PlanRecord:
    try:
        record = store.get(plan_id)
    except InputError as exc:
        known = [r.id for r in store.plans() if r.status != "draft"]
        raise ToolError(
            f"{exc}; approved plans: {known or 'none'}",
            key="refusal.unknown_plan",
            values={"plan": plan_id, "known": ", ".join(map(str, known)) or "-"},
        ) from exc
    if record.status == "draft":
        raise ToolError(
            f"plan {plan_id} is a draft: it has no audience to measure until it is approved",
            key="refusal.plan_draft",
            values={"plan": plan_id},
        )
    return record


def _per_customer(
    lines: pd.DataFrame, ids: pd.Index, costs: pd.Series, margin: float
) -> pd.DataFrame:
    """Converted (bought anything), revenue and profit of each customer in ``ids``; a line
    without a catalogue cost costs ``1 - margin`` of its price (as in the discount analysis)."""
    value = lines["quantity"] * lines["unit_price"]
    cost = lines["quantity"] * unit_cost(lines["sku"], lines["unit_price"], costs, margin)
    frame = pd.DataFrame(
        {
            "customer_id": lines["customer_id"].astype(str),
            "bought": (~lines["is_return"].astype(bool)) & (lines["quantity"] > 0),
            "revenue": value,
            "profit": value - cost,
        }
    )
    per = frame.groupby("customer_id").agg(
        conversion=("bought", "max"), revenue=("revenue", "sum"), profit=("profit", "sum")
    )
    per = per.reindex(ids).fillna(0.0)
    per["conversion"] = per["conversion"].astype(float)
    return per


@tool
def campaign_readout(ctx: ToolContext, plan_id: Annotated[int, Field(ge=1)]) -> CampaignReadout:
    """The measured result of one saved campaign plan, by its plan number: contacted against
    uncontacted customers since the plan's start, and whether its forecast was right. Only
    for a question that gives a plan number ("how did plan 3 do?"); channels, ROAS and past
    campaigns by name are campaign_performance, and their post-mortems (复盘) are documents.

    Args:
        plan_id: the number of the saved plan, as the user gave it.
    """
    if not ctx.shop.counts().get("order_lines"):
        raise no_orders()
    store = PlanStore(ctx.shop.engine)
    record = _record(store, plan_id)
    plan = record.plan
    start = date.fromisoformat(plan["timing"]["start"])
    weeks = int(plan["timing"]["weeks"])
    end = start + timedelta(weeks=weeks)
    lines = ctx.shop.order_lines()
    lines = lines[lines["customer_id"].notna()]
    as_of = pd.Timestamp(lines["ts"].max()).normalize() if len(lines) else None
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    if as_of is None or as_of < t0:
        raise ToolError(
            f"no orders since plan {plan_id} started on {start} (the data ends "
            f"{as_of.date() if as_of is not None else 'before any order'}); ingest the orders "
            "since then and ask again",
            key="refusal.readout_too_early",
            values={"plan": plan_id, "start": str(start)},
        )
    arms = store.assignments(plan_id).set_index("customer_id")["arm"]
    ids = pd.Index(arms.index.astype(str))
    treated = (arms == "treatment").to_numpy()
    costs = ctx.catalog()["unit_cost"].dropna()
    margin = ctx.settings.default_margin

    def between(since: pd.Timestamp, until: pd.Timestamp) -> pd.DataFrame:
        return lines[(lines["ts"] >= since) & (lines["ts"] < until)]

    def per_customer(window: pd.DataFrame) -> pd.DataFrame:
        return _per_customer(window, ids, costs, margin)

    campaign = between(t0, t1)
    during = per_customer(campaign)
    span = min(t1, as_of + pd.Timedelta(days=1)) - t0
    pre = between(t0 - pd.Timedelta(weeks=PRE_WEEKS), t0)
    covariate = per_customer(pre)["revenue"].to_numpy(float)
    elapsed = min(1.0, span / (t1 - t0))
    complete = elapsed >= 1.0
    # The same customers over a planned-length window before the start: what the spread of
    # the difference at the end will be, known before the campaign (fixes the mixture).
    before = per_customer(between(t0 - (t1 - t0), t0))
    metrics = []
    for metric in ("conversion", "revenue", "profit"):
        y = during[metric].to_numpy(float)
        raw = difference(y, treated)
        adj = cuped(y, covariate, treated)
        low = high = None
        if not complete:
            half = always_valid_halfwidth(
                adj.estimate.se, planned_se(before[metric].to_numpy(float), treated)
            )
            low, high = adj.estimate.diff - half, adj.estimate.diff + half
        metrics.append(
            MetricReadout(
                metric=metric,
                treatment_mean=raw.treatment_mean,
                holdout_mean=raw.holdout_mean,
                diff=raw.diff,
                low=raw.low,
                high=raw.high,
                cuped_diff=adj.estimate.diff,
                cuped_low=adj.estimate.low,
                cuped_high=adj.estimate.high,
                variance_reduction=adj.variance_reduction,
                always_valid_low=low,
                always_valid_high=high,
            )
        )
    n_t = int(treated.sum())
    revenue, profit = metrics[1], metrics[2]

    def total(m: MetricReadout) -> tuple[float, float, float]:
        lo, hi = m.bounds
        return n_t * m.cuped_diff, n_t * lo, n_t * hi

    rev, rev_lo, rev_hi = total(revenue)
    prof, prof_lo, prof_hi = total(profit)
    forecast_profit = float(plan["expected"]["profit"]) * elapsed
    depth = plan["offer"]["depth_pct"]
    offer_cost = None
    if depth and campaign["promo"].notna().any():
        used = campaign[
            campaign["promo"].fillna(False).astype(bool)
            & campaign["customer_id"].astype(str).isin(ids[treated])
        ]
        rate = depth / 100
        offer_cost = float((used["quantity"] * used["unit_price"]).sum() * rate / (1 - rate))
    balance = stats.ttest_ind(covariate[treated], covariate[~treated], equal_var=False)
    return CampaignReadout(
        plan_id=plan_id,
        goal=record.goal,
        segment=str(plan["audience"]["segment"]),
        status=record.status,
        start=str(start),
        planned_end=str(end - timedelta(days=1)),
        as_of=str(as_of.date()),
        complete=complete,
        elapsed_share=float(elapsed),
        treatment=n_t,
        holdout=int((~treated).sum()),
        metrics=metrics,
        incremental_revenue=rev,
        incremental_revenue_low=rev_lo,
        incremental_revenue_high=rev_hi,
        incremental_profit=prof,
        incremental_profit_low=prof_lo,
        incremental_profit_high=prof_hi,
        forecast_revenue=float(plan["expected"]["revenue"]) * elapsed,
        forecast_profit=forecast_profit,
        forecast_inside=bool(prof_lo <= forecast_profit <= prof_hi),
        offer_cost=offer_cost,
        balance_p=float(np.nan_to_num(balance.pvalue, nan=1.0)),
    )
