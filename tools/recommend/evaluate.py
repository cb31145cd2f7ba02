"""Offline evaluation on a temporal split: HR, NDCG, recall, MAP @k, coverage, novelty."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tools.recommend.base import Recommender
from tools.recommend.interactions import Interactions, build_interactions

COLD_MAX_ITEMS = 3
"""Customers with at most this many distinct training items form the "cold" group."""


@dataclass(frozen=True)
class Split:
    """Training interactions before ``cutoff`` and what each customer bought after it."""

    train: Interactions
    truth: sp.csr_matrix
    """Known customers x training items: 1 where bought in the test window."""
    truth_sizes: np.ndarray
    """Distinct test items per known customer, unseen items included (they count as misses)."""
    no_history: dict[str, set[str]]
    """Test buyers without training history -> their test skus (cold-start evaluation)."""
    cutoff: pd.Timestamp


def temporal_split(
    lines: pd.DataFrame,
    events: pd.DataFrame | None,
    cutoff: pd.Timestamp,
    window_days: int = 60,
    exclude_skus: set[str] | None = None,
    transform: str = "log1p",
    items: np.ndarray | None = None,
) -> Split:
    """Train on lines before ``cutoff``; test on purchases in the next ``window_days``.

    ``items`` (e.g. the whole catalogue) makes products not yet sold at the cutoff columns
    too, so that a model can recommend them; by default only products sold before it are.
    """
    train = build_interactions(
        lines,
        events,
        as_of=cutoff,
        transform=transform,  # type: ignore[arg-type]
        exclude_skus=exclude_skus,
        items=items,
    )
    end = cutoff + pd.Timedelta(days=window_days)
    test = lines[
        (lines["ts"] >= cutoff)
        & (lines["ts"] < end)
        & lines["customer_id"].notna()
        & ~lines["is_return"].astype(bool)
        & (lines["quantity"] > 0)
    ]
    if exclude_skus:
        test = test[~test["sku"].isin(exclude_skus)]
    pairs = test[["customer_id", "sku"]].drop_duplicates()
    users = pd.Index(train.users)
    rows = users.get_indexer(pairs["customer_id"])
    cols = pd.Index(train.items).get_indexer(pairs["sku"])
    known = rows >= 0
    sizes = np.bincount(rows[known], minlength=len(users))
    seen = known & (cols >= 0)
    truth = sp.csr_matrix(
        (np.ones(seen.sum(), dtype=np.float32), (rows[seen], cols[seen])), shape=train.shape
    )
    newcomers = pairs[~known].groupby("customer_id")["sku"].agg(set).to_dict()
    return Split(train, truth, sizes, newcomers, cutoff)


@dataclass
class Metrics:
    """Ranking quality of one model on one group of customers."""

    customers: int
    hr: float
    ndcg: float
    recall: float
    """Hits / all test items (the project's original definition: below 1 whenever a customer
    bought more than k items)."""
    map: float
    coverage: float
    novelty: float
    recall_capped: float = float("nan")
    """Hits / min(k, test items): the usual recall@k, 1 when the top k could not do better."""
    extra: dict[str, float] = field(default_factory=dict)


def ranking_metrics(
    recs: np.ndarray,
    truth: sp.csr_matrix,
    sizes: np.ndarray,
    popularity_share: np.ndarray,
    n_items: int,
) -> Metrics:
    """Metrics for ``recs`` (customers x k item columns, -1 = empty) against ``truth`` rows."""
    users, k = recs.shape
    if users == 0:
        nan = float("nan")
        return Metrics(0, nan, nan, nan, nan, nan, nan, nan)
    safe = np.where(recs >= 0, recs, 0)
    hits = np.asarray(truth[np.repeat(np.arange(users), k), safe.ravel()]).reshape(users, k)
    hits = hits * (recs >= 0)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal_n = np.minimum(sizes, k)
    idcg = np.cumsum(discount)[np.maximum(ideal_n, 1) - 1]
    ndcg = (hits * discount).sum(axis=1) / idcg
    precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    ap = (precision_at * hits).sum(axis=1) / np.maximum(ideal_n, 1)
    shown = recs[recs >= 0]
    return Metrics(
        customers=users,
        hr=float((hits.sum(axis=1) > 0).mean()),
        ndcg=float(ndcg.mean()),
        recall=float((hits.sum(axis=1) / np.maximum(sizes, 1)).mean()),
        map=float(ap.mean()),
        coverage=float(len(np.unique(shown)) / n_items),
        novelty=float(-np.log2(np.maximum(popularity_share[shown], 1e-12)).mean()),
        recall_capped=float((hits.sum(axis=1) / np.maximum(ideal_n, 1)).mean()),
    )


def evaluate(
    model: Recommender, split: Split, mode: str = "all", k: int = 10, batch_size: int = 1024
) -> dict[str, Metrics]:
    """Metrics for all known test customers and for the cold and warm groups.

    ``mode="all"`` allows re-buys; ``"new"`` excludes training purchases from both the
    recommendations and the relevant items.
    """
    train = split.train
    truth, sizes, rows = mode_truth(split, mode)
    recs = np.full((len(rows), k), -1, dtype=np.int64)
    for start in range(0, len(rows), batch_size):
        part = rows[start : start + batch_size]
        ids, vals = model.top_n(part, k, exclude_purchased=(mode == "new"))
        recs[start : start + len(part)] = np.where(np.isfinite(vals), ids, -1)
    share = train.buyers / max(train.shape[0], 1)
    history = np.diff(train.purchased.indptr)[rows]
    groups = {
        "all": np.ones(len(rows), dtype=bool),
        "cold": history <= COLD_MAX_ITEMS,
        "warm": history > COLD_MAX_ITEMS,
    }
    return {
        g: ranking_metrics(recs[m], truth[rows[m]], sizes[rows[m]], share, train.shape[1])
        for g, m in groups.items()
    }


def mode_truth(split: Split, mode: str) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """(truth, sizes, evaluable rows) for a mode ("all" or "new")."""
    truth, sizes = split.truth, split.truth_sizes.copy()
    if mode == "new":
        repeat = truth.multiply(split.train.purchased).tocsr()
        truth = (truth - repeat).tocsr()
        truth.eliminate_zeros()
        sizes = sizes - np.diff(repeat.indptr)
    return truth, sizes, np.flatnonzero(sizes > 0)


def ndcg_objective(
    rows: np.ndarray,
    split: Split,
    mode: str,
    k: int = 10,
    columns: np.ndarray | None = None,
) -> Callable[[np.ndarray], float]:
    """NDCG@k of precomputed scores (rows x items) for the given evaluable rows, as a function
    of the scores: the truth and the re-buy mask are worked out once (blend tuning scores a
    hundred candidate blends against them). With ``columns`` the scores cover only those item
    columns (a pruned candidate set); test items outside it count as misses for every model
    alike."""
    truth, sizes, _ = mode_truth(split, mode)
    truth, sizes = truth[rows], sizes[rows]
    cols = np.arange(split.train.shape[1]) if columns is None else columns
    bought = split.train.purchased[rows][:, cols].nonzero() if mode == "new" else None
    n_items = split.train.shape[1]
    share = np.zeros(n_items)

    def ndcg(scores: np.ndarray) -> float:
        if bought is not None:
            scores = scores.copy()
            scores[bought] = -np.inf
        top_k = min(k, scores.shape[1])
        part = np.argpartition(-scores, top_k - 1, axis=1)[:, :top_k]
        picked = np.take_along_axis(scores, part, axis=1)
        order = np.argsort(-picked, axis=1, kind="stable")
        top = np.take_along_axis(part, order, axis=1)
        usable = np.isfinite(np.take_along_axis(picked, order, axis=1))
        recs = np.where(usable, cols[top], -1)
        return ranking_metrics(recs, truth, sizes, share, n_items).ndcg

    return ndcg


def evaluate_new_arrivals(
    model: Recommender, split: Split, k: int = 10, seed: int = 0
) -> tuple[Metrics, Metrics]:
    """(model, random order) ranking only the products nobody had bought before the cutoff,
    for the known customers who bought one of them in the test window (cold-start items).

    Needs a split whose columns include unsold products (``temporal_split(items=...)``).
    """
    unsold = np.flatnonzero(split.train.buyers == 0)
    truth = split.truth[:, unsold].tocsr()
    rows = np.flatnonzero(np.diff(truth.indptr) > 0)
    if len(rows) == 0 or len(unsold) == 0:
        nan = float("nan")
        empty = Metrics(0, nan, nan, nan, nan, nan, nan, nan)
        return empty, empty
    sizes = np.diff(truth.indptr)[rows]
    k = min(k, len(unsold))
    random = np.random.default_rng(seed).random((len(rows), len(unsold)))
    out = []
    for scores in (np.asarray(model.scores(rows))[:, unsold], random):
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        share = np.zeros(len(unsold))
        out.append(ranking_metrics(top, truth[rows], sizes, share, len(unsold)))
    return out[0], out[1]
