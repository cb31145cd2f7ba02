"""Agent-facing customer profiling tools."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import Field

from copilot.core.errors import ToolError
from tools._match import close_matches, same_id
from tools._tool import COMPUTED, ToolContext, text_or_none, tool
from tools.profiling.card import card_of, card_parts, last_orders
from tools.profiling.features import label
from tools.profiling.model import CustomerProfiles, build_profiles
from tools.profiling.results import (
    CustomerCard,
    CustomerList,
    CustomerRow,
    Driver,
    Relaxation,
    ScoreWeights,
    SegmentOverview,
)
from tools.profiling.segments import EVERYONE, RFM_SEGMENTS, SegmentName
from tools.profiling.served import (
    Clusters,
    overview_of,
    served_card,
    served_overview,
    served_profiles,
)

_SORTS = {
    "clv": ("clv_12m", False),
    "churn_risk": ("churn_risk", False),
    "monetary": ("monetary", False),
    "recency": ("recency_days", True),
}


def profiles(ctx: ToolContext) -> CustomerProfiles:
    """The fitted profiles for the current data version (fitted once, then cached)."""
    return ctx.cached("profiles", lambda: build_profiles(ctx.shop))


@dataclass(frozen=True)
class Scored:
    """Every customer's segment, cluster, scores and CLV (indexed by customer id), the horizon
    of their purchase probability, and where they come from."""

    table: pd.DataFrame
    horizon_days: int
    source: str


def scored(ctx: ToolContext) -> Scored:
    """The scored customers: read from the current batch run when there is one (no model is
    fitted), else from the fitted profiles."""
    served = served_profiles(ctx)
    if served is not None:
        return Scored(served.table, served.horizon_days, served.run.source())
    prof = profiles(ctx)
    return Scored(prof.table, prof.score.horizon_days, COMPUTED)


def scored_customers(ctx: ToolContext) -> pd.DataFrame:
    """Every customer's segment, cluster, scores and CLV, indexed by customer id (``scored``'s
    table)."""
    return scored(ctx).table


@tool
def segment_overview(ctx: ToolContext, kind: Literal["rfm", "cluster"] = "rfm") -> SegmentOverview:
    """Sizes and value of customer segments: how many customers, revenue share, average purchase
    probability, churn risk and 12-month CLV per segment. Use for "what segments do I have",
    "who are my best customers" at the group level; not for one customer.

    Args:
        kind: "rfm" for the named RFM segments (Champions, At risk, ...), "cluster" for the
            data-driven clusters.
    """
    served = served_overview(ctx, kind)
    if served is not None:
        return served
    prof = profiles(ctx)
    return overview_of(
        prof.table,
        kind,
        Clusters(prof.clustering.describe, prof.clustering.traits),
        as_of=prof.end.date().isoformat(),
        horizon_days=prof.score.horizon_days,
    )


def customer_conditions(
    t: pd.DataFrame,
    *,
    segment: str | None = None,
    min_clv: float | None = None,
    churn_risk_above: float | None = None,
    country: str | None = None,
    inactive_days_over: int | None = None,
) -> dict[str, pd.Series]:
    """Each filter given, as the customers of the profile table ``t`` that pass it (as
    ``find_customers`` reads them; a campaign audience built from a list reads them the same)."""
    conditions: dict[str, pd.Series] = {}
    if segment:
        conditions["segment"] = segment_mask(t, segment)
    if min_clv is not None:
        conditions["min_clv"] = t["clv_12m"] >= min_clv
    if churn_risk_above is not None:
        conditions["churn_risk_above"] = t["churn_risk"] > churn_risk_above
    if country:
        conditions["country"] = t["country"] == _country(t, country)
    if inactive_days_over is not None:
        conditions["inactive_days_over"] = t["recency_days"] > inactive_days_over
    return conditions


def customer_mask(t: pd.DataFrame, **filters: Any) -> pd.Series:
    """The customers of ``t`` passing every filter of ``customer_conditions``."""
    mask = pd.Series(True, index=t.index)
    for condition in customer_conditions(t, **filters).values():
        mask &= condition
    return mask


@tool
def find_customers(
    ctx: ToolContext,
    segment: SegmentName | None = None,
    min_clv: Annotated[float | None, Field(ge=0)] = None,
    churn_risk_above: Annotated[float | None, Field(ge=0, le=1)] = None,
    country: Annotated[str | None, Field(max_length=60)] = None,
    inactive_days_over: Annotated[int | None, Field(ge=0, le=3650)] = None,
    sort_by: Literal["clv", "churn_risk", "monetary", "recency"] = "clv",
    limit: Annotated[int, Field(ge=1, le=100)] = 10,
) -> CustomerList:
    """Find customers by segment, value, churn risk, country and inactivity: returns how many
    match, their total revenue and 12-month CLV, and the top customers. Use for "which
    high-value customers are about to churn", "list my champions in Germany".

    Args:
        segment: RFM segment key or "cluster N", e.g. "at_risk" = 有流失风险, "lost" =
            已流失, "champions" = 最有价值; omit for all.
        min_clv: keep customers whose predicted 12-month CLV is at least this amount.
        churn_risk_above: keep customers whose churn risk (0-1) is above this value.
        country: keep customers from this country.
        inactive_days_over: keep customers whose last purchase was more than this many days ago.
        sort_by: order of the returned top customers.
        limit: how many top customers to return (1-100); the count covers all matches.
    """
    found = scored(ctx)
    t, horizon_days, source = found.table, found.horizon_days, found.source
    if country and country.strip().lower() in ("any", "all", "*", "全部", "所有"):
        country = None  # "any country" is no filter
    conditions = customer_conditions(
        t,
        segment=segment,
        min_clv=min_clv,
        churn_risk_above=churn_risk_above,
        country=country,
        inactive_days_over=inactive_days_over,
    )
    mask = pd.Series(True, index=t.index)
    for condition in conditions.values():
        mask &= condition
    column, ascending = _SORTS[sort_by]
    hits = t[mask].sort_values(column, ascending=ascending)
    filters: dict[str, object] = {
        k: v
        for k, v in {
            "segment": segment,
            "min_clv": min_clv,
            "churn_risk_above": churn_risk_above,
            "country": country,
            "inactive_days_over": inactive_days_over,
        }.items()
        if v is not None
    }
    top = [
        CustomerRow(
            customer_id=str(cid),
            country=text_or_none(r["country"]),
            rfm_segment=r["rfm_segment"],
            cluster=int(r["cluster"]),
            recency_days=float(r["recency_days"]),
            frequency=int(r["frequency"]),
            monetary=float(r["monetary"]),
            purchase_prob=float(r["purchase_prob"]),
            churn_risk=float(r["churn_risk"]),
            clv_12m=float(r["clv_12m"]),
        )
        for cid, r in hits.head(limit).iterrows()
    ]
    return CustomerList(
        filters=filters,
        count=len(hits),
        total_revenue=float(hits["monetary"].sum()),
        total_clv_12m=float(hits["clv_12m"].sum()),
        sorted_by=sort_by,
        top=top,
        _table=hits,
        total_customers=len(t),
        share=len(hits) / len(t) if len(t) else 0.0,
        horizon_days=horizon_days,
        relaxed=_relaxed(conditions) if hits.empty else [],
        source=source,
    )


_COUNTRY_ALIASES = {
    "us": "united states",
    "usa": "united states",
    "u.s.": "united states",
    "u.s.a.": "united states",
    "america": "united states",
    "uk": "united kingdom",
    "u.k.": "united kingdom",
    "gb": "united kingdom",
    "great britain": "united kingdom",
    "britain": "united kingdom",
    "ireland": "eire",
}
"""Common short forms of the country names found in shop data."""


def _country(t: pd.DataFrame, country: str) -> str:
    known = t["country"].dropna().unique().tolist()
    wanted = country.strip().lower()
    wanted = _COUNTRY_ALIASES.get(wanted, wanted)
    match = [c for c in known if c.lower() == wanted]
    if match:
        return str(match[0])
    hint = difflib.get_close_matches(country, known, n=3, cutoff=0.5)
    options = ", ".join(hint or sorted(known)[:8])
    raise ToolError(
        f"unknown country {country!r}; countries in the data include {options}.",
        key="refusal.unknown_country",
        values={"country": country, "known": options},
    )


def _relaxed(conditions: dict[str, pd.Series]) -> list[Relaxation]:
    """When nobody matches: how many would without each condition, and with it alone, so the
    answer can say which condition emptied the list and what the nearest non-empty one is."""
    out = []
    for name in conditions:
        others = [c for k, c in conditions.items() if k != name]
        without = int(pd.concat(others, axis=1).all(axis=1).sum()) if others else None
        out.append(Relaxation(condition=name, without=without, alone=int(conditions[name].sum())))
    return out


@tool
def profile_customer(
    ctx: ToolContext, customer_id: Annotated[str, Field(max_length=40)]
) -> CustomerCard:
    """One customer's card: segment, profile score, purchase probability, churn risk, CLV, top
    categories, last orders and the features that push the score up or down. Use when the
    question names one customer id.

    Args:
        customer_id: the customer's id exactly as stored, e.g. "12347" or "C10001".
    """
    cid = customer_id.strip()
    served = served_card(ctx, cid)
    if served is not None:
        return served
    prof = profiles(ctx)
    t = prof.table
    if cid not in t.index:
        cid = same_id(cid, t.index.astype(str)) or cid
    if cid not in t.index:
        ids = t.index.astype(str).tolist()
        close = close_matches(cid, ids)
        raise unknown_customer(cid, close)
    row: dict[str, Any] = {str(k): v for k, v in t.loc[cid].to_dict().items()}
    parts = card_parts(prof, t.loc[[cid]])
    return card_of(
        cid,
        row,
        parts.pushes[0],
        parts.categories[0],
        cluster_description=prof.clustering.describe(int(row["cluster"])),
        last_orders=last_orders(ctx.shop.customer_lines(cid)),
        horizon_days=prof.score.horizon_days,
    )


@tool
def profile_weights(ctx: ToolContext) -> ScoreWeights:
    """What drives the learned profile score (the weight of each customer feature) and how well
    the score predicts purchases on a later hold-out window (AUC versus simpler models).
    """
    prof = profiles(ctx)
    s = prof.score
    weights = sorted(s.weights.items(), key=lambda kv: -abs(kv[1]))
    return ScoreWeights(
        horizon_days=s.horizon_days,
        weights=[Driver(feature=f, label=label(f), value=w) for f, w in weights],
        holdout_auc=s.auc,
        brier=s.brier,
        base_rate=s.base_rate,
        train_cutoff=s.train_cutoff.date().isoformat(),
        test_cutoff=s.test_cutoff.date().isoformat(),
        n_train=s.n_train,
        n_test=s.n_test,
        note="Weights apply to standardised features (log for counts and money): a weight of +1 "
        "means one standard deviation more of the feature raises the log-odds of buying by 1.",
    )


def unknown_customer(cid: str, close: list[str]) -> ToolError:
    """The refusal for a customer id the data does not have, with the closest ids."""
    near = f" Closest ids: {', '.join(close)}." if close else ""
    return ToolError(
        f"unknown customer {cid!r} (no purchases with that id).{near}",
        "Check the id or use find_customers to look customers up.",
        key="refusal.unknown_customer_near" if close else "refusal.unknown_customer",
        values={"id": cid, "ids": ", ".join(close)},
    )


def empty_segment(segment: str) -> ToolError:
    """The refusal for a segment with no customers right now."""
    return ToolError(
        f"segment {segment!r} has no customers right now.",
        "Use segment_overview to see segment sizes.",
        key="refusal.empty_segment",
        values={"segment": segment},
    )


def segment_mask(t: pd.DataFrame, segment: str) -> pd.Series:
    """Customers of ``t`` in ``segment``, named by key or by its English or Chinese name."""
    wanted = segment.strip().lower()
    if wanted == EVERYONE[0]:
        return pd.Series(True, index=t.index)
    for key, en, zh, _ in RFM_SEGMENTS:
        if wanted in (key, en.lower(), zh, key.replace("_", " ")):
            return t["rfm_segment"] == key
    if wanted.startswith(("cluster", "客群")):
        digits = "".join(ch for ch in wanted if ch.isdigit())
        if digits and int(digits) in set(t["cluster"]):
            return t["cluster"] == int(digits)
    valid = ", ".join(key for key, *_ in RFM_SEGMENTS)
    clusters = ", ".join(f"cluster {c}" for c in sorted(t["cluster"].unique()))
    known = f"{valid}, {clusters}"
    raise ToolError(
        f"unknown segment {segment!r}; segments: {known}.",
        key="refusal.unknown_segment",
        values={"segment": segment, "known": known},
    )
