"""All customer profiles of a shop at the end of its data: score, segments, clusters, CLV."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from copilot.shop import ShopData
from tools._shop import no_customer_ids, no_orders
from tools.profiling.clv import CLVModel, fit_clv, rfm_summary
from tools.profiling.features import customer_features
from tools.profiling.score import ScoreModel, fit_score
from tools.profiling.segments import Clustering, cluster_customers, rfm_segments


@dataclass(frozen=True)
class CustomerProfiles:
    """Fitted models and one row per customer (index ``customer_id``)."""

    end: pd.Timestamp
    """Profiles are as of this instant (the day after the last order)."""
    table: pd.DataFrame
    score: ScoreModel
    clustering: Clustering
    clv: CLVModel
    features: tuple[str, ...]
    """Names of the feature columns in ``table``."""


def data_end(lines: pd.DataFrame) -> pd.Timestamp:
    """The day after the last order line: the 'as of' instant of the profiles."""
    last = lines["ts"].max()
    if pd.isna(last):
        raise no_orders()
    return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)


def profile_end(lines: pd.DataFrame) -> pd.Timestamp:
    """The profiles' "as of" instant: the day after the last order line of a known customer
    (lines without a customer id are not profiled)."""
    if lines.empty:
        raise no_orders()
    known = lines[lines["customer_id"].notna()]
    if known.empty:
        raise no_customer_ids()
    return data_end(known)


def build_profiles(shop: ShopData, horizon_days: int = 90) -> CustomerProfiles:
    """Profiles of the shop in the store (see :func:`profiles_from_frames`)."""
    return profiles_from_frames(
        shop.order_lines(), shop.products(), shop.customers(), shop.events(), horizon_days
    )


def profiles_from_frames(
    lines: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame,
    events: pd.DataFrame,
    horizon_days: int = 90,
) -> CustomerProfiles:
    """Compute features, fit score, segments, clusters and CLV."""
    end = profile_end(lines)
    lines = lines[lines["customer_id"].notna()]
    score = fit_score(
        lines, products, customers, events if len(events) else None, end, horizon_days
    )
    feats = customer_features(lines, products, customers, events if len(events) else None, end)
    clv = fit_clv(lines, end)
    table = feats.join(rfm_segments(feats)).join(score.score(feats))
    clustering = cluster_customers(feats)
    table["cluster"] = clustering.labels
    table = table.join(clv.predict(rfm_summary(lines, end)))
    names = tuple(c for c in feats.columns if c not in ("country", "channel"))
    return CustomerProfiles(end, table, score, clustering, clv, names)
