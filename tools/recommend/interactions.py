"""The customer x product interaction matrix built from order lines (and optional events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

Transform = Literal["log1p", "binary", "raw", "bm25"]
EVENT_WEIGHTS = {"view": 0.1, "cart": 0.3}
"""Weight of behaviour events relative to one purchased unit (before the transform)."""


@dataclass(frozen=True)
class Interactions:
    """Sparse customers x products weights plus what recommenders need around them."""

    matrix: sp.csr_matrix
    """Transformed weights (float32), rows = customers, columns = products."""
    counts: sp.csr_matrix
    """Net purchased units (plus weighted events) before any transform."""
    purchased: sp.csr_matrix
    """1 where the customer bought the product (events excluded)."""
    users: np.ndarray
    items: np.ndarray
    popularity: np.ndarray
    """Time-decayed purchase popularity of each item (half-life ``half_life_days``)."""
    recent_purchases: sp.csr_matrix
    """Time-decayed own purchase-line counts (for buy-again)."""
    as_of: pd.Timestamp
    line_items: np.ndarray
    """Item column of every purchase line (with ``line_age_days``: popularity at any decay)."""
    line_age_days: np.ndarray
    history: PurchaseHistory

    @property
    def buyers(self) -> np.ndarray:
        """How many customers bought each product (0 = nobody yet: a new arrival)."""
        return np.diff(self.purchased.tocsc().indptr)

    def weights(self, transform: Transform) -> sp.csr_matrix:
        """The counts under another transform (components choose theirs on validation)."""
        return _apply(self.counts, transform)

    def decayed_popularity(self, half_life_days: float) -> np.ndarray:
        """Purchase-line counts per item, each weighted by 0.5 ** (age / half-life)."""
        weights = np.exp(-np.log(2) * self.line_age_days / half_life_days)
        counts = np.bincount(self.line_items, weights=weights, minlength=self.shape[1])
        return counts.astype(np.float32)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_user_pos", {u: i for i, u in enumerate(self.users)})
        object.__setattr__(self, "_item_pos", {s: i for i, s in enumerate(self.items)})

    def user_index(self, user: str) -> int | None:
        """Row of a customer id, or None when the customer has no history."""
        pos: dict[str, int] = self._user_pos  # type: ignore[attr-defined]
        return pos.get(user)

    def item_index(self, sku: str) -> int | None:
        """Column of a sku, or None when nobody bought it."""
        pos: dict[str, int] = self._item_pos  # type: ignore[attr-defined]
        return pos.get(sku)

    @property
    def shape(self) -> tuple[int, int]:
        """(customers, products)."""
        return (int(self.matrix.shape[0]), int(self.matrix.shape[1]))


@dataclass(frozen=True)
class PurchaseHistory:
    """Per (customer, product) pair: on how many distinct days it was bought, and when."""

    rows: np.ndarray
    cols: np.ndarray
    days: np.ndarray
    """Distinct purchase days."""
    last_age: np.ndarray
    """Days from the last purchase to ``as_of``."""
    first_age: np.ndarray

    def as_matrix(self, values: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
        """``values`` (one per pair) as a customers x products matrix."""
        return sp.csr_matrix((values.astype(np.float32), (self.rows, self.cols)), shape=shape)


def _history(rows: np.ndarray, cols: np.ndarray, age: np.ndarray) -> PurchaseHistory:
    frame = pd.DataFrame({"r": rows, "c": cols, "day": np.floor(age), "age": age})
    per_day = frame.groupby(["r", "c", "day"], sort=False)["age"].min().reset_index()
    pairs = per_day.groupby(["r", "c"], sort=False)["age"].agg(["size", "min", "max"])
    index = pairs.index
    return PurchaseHistory(
        index.get_level_values(0).to_numpy(np.int64),
        index.get_level_values(1).to_numpy(np.int64),
        pairs["size"].to_numpy(np.float64),
        pairs["min"].to_numpy(np.float64),
        pairs["max"].to_numpy(np.float64),
    )


def build_interactions(
    lines: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    as_of: pd.Timestamp | None = None,
    transform: Transform = "log1p",
    half_life_days: float = 30.0,
    rebuy_half_life_days: float = 180.0,
    items: np.ndarray | None = None,
    exclude_skus: set[str] | None = None,
) -> Interactions:
    """Net purchases per (customer, sku) before ``as_of``: returns subtracted, then transformed.

    ``items`` fixes the column order (e.g. the whole catalogue); by default it is every sku
    purchased. ``exclude_skus`` drops non-products such as postage.
    """
    if as_of is None:
        as_of = lines["ts"].max() + pd.Timedelta(seconds=1)
    past = lines[(lines["ts"] < as_of) & lines["customer_id"].notna()]
    if exclude_skus:
        past = past[~past["sku"].isin(exclude_skus)]
    summed = past.groupby(["customer_id", "sku"], sort=False)["quantity"].sum()
    net = summed[summed > 0].reset_index()
    sales = past[~past["is_return"].astype(bool) & (past["quantity"] > 0)]
    users = np.sort(net["customer_id"].unique()).astype(object)
    if items is None:
        items = np.sort(net["sku"].unique()).astype(object)
    user_pos = pd.Index(users)
    item_pos = pd.Index(items)
    net = net[net["sku"].isin(item_pos)]
    rows = user_pos.get_indexer(net["customer_id"])
    cols = item_pos.get_indexer(net["sku"])
    values = net["quantity"].to_numpy(dtype=np.float64)
    shape = (len(users), len(items))
    weights = sp.csr_matrix((values, (rows, cols)), shape=shape)
    if events is not None and len(events):
        weights = weights + _event_weights(events, as_of, user_pos, item_pos, shape)
    matrix = _apply(weights, transform)
    purchased = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)

    # Popularity and buy-again count purchase lines, not units: wholesale quantities would
    # otherwise swamp them.
    age = (as_of - sales["ts"]).dt.total_seconds().to_numpy() / 86400
    s_cols = item_pos.get_indexer(sales["sku"])
    s_rows = user_pos.get_indexer(sales["customer_id"])
    keep = (s_cols >= 0) & (s_rows >= 0)
    decay = np.exp(-np.log(2) * age[keep] / half_life_days)
    popularity = np.bincount(s_cols[keep], weights=decay, minlength=len(items))
    rebuy = np.exp(-np.log(2) * age[keep] / rebuy_half_life_days)
    recent = sp.csr_matrix((rebuy, (s_rows[keep], s_cols[keep])), shape=shape)
    return Interactions(
        matrix,
        weights.astype(np.float32),
        purchased,
        users,
        items,
        popularity.astype(np.float32),
        recent.astype(np.float32),
        as_of,
        s_cols[keep],
        age[keep],
        _history(s_rows[keep], s_cols[keep], age[keep]),
    )


def _event_weights(
    events: pd.DataFrame,
    as_of: pd.Timestamp,
    users: pd.Index,
    items: pd.Index,
    shape: tuple[int, int],
) -> sp.csr_matrix:
    ev = events[
        (events["ts"] < as_of)
        & events["type"].isin(list(EVENT_WEIGHTS))
        & events["sku"].notna()
        & events["customer_id"].notna()
    ]
    rows = users.get_indexer(pd.Index(ev["customer_id"]))
    cols = items.get_indexer(pd.Index(ev["sku"]))
    keep = (rows >= 0) & (cols >= 0)
    values = ev["type"].map(EVENT_WEIGHTS).to_numpy(dtype=np.float64)[keep]
    return sp.csr_matrix((values, (rows[keep], cols[keep])), shape=shape)


def _apply(weights: sp.csr_matrix, transform: Transform) -> sp.csr_matrix:
    out = weights.astype(np.float32).tocsr()
    out.sum_duplicates()
    if transform == "log1p":
        out.data = np.log1p(out.data)
    elif transform == "binary":
        out.data = np.ones_like(out.data)
    elif transform == "bm25":
        out = bm25_weight(out, k1=1.2, b=0.75)
    out.eliminate_zeros()
    return out


def bm25_weight(x: sp.csr_matrix, k1: float, b: float) -> sp.csr_matrix:
    """BM25 weighting of a rows x terms matrix (as in the implicit library): rare columns and
    short rows weigh more, repeats saturate."""
    coo = x.tocoo()
    n_rows = x.shape[0]
    idf = np.log(n_rows) - np.log1p(np.bincount(coo.col, minlength=x.shape[1]))
    row_sums = np.ravel(x.sum(axis=1))
    length_norm = (1.0 - b) + b * row_sums / max(float(row_sums.mean()), 1e-12)
    data = coo.data * (k1 + 1.0) / (k1 * length_norm[coo.row] + coo.data) * idf[coo.col]
    return sp.csr_matrix((data.astype(np.float32), (coo.row, coo.col)), shape=x.shape)
