"""The recommender contract shared by every backend (shaped like the ``implicit`` library's).

``fit(interactions)`` then ``recommend(customer_ids, n, exclude_purchased, candidates)``;
scoring is vectorised over a batch of customers (sparse matrix products, no per-user loop).
Customers without history get time-decayed popularity and are marked ``cold_start``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
import scipy.sparse as sp

from tools.recommend.interactions import Interactions

ReasonKind = Literal[
    "also_bought", "similar_to", "neighbours", "trending", "buy_again", "cold_start", "model"
]


@dataclass(frozen=True)
class Reason:
    """Why an item is recommended, as the recommender knows it: a kind and the customer's own
    products behind it (findings put it in words in either language)."""

    kind: ReasonKind
    products: tuple[str, ...] = ()
    model: str = ""
    counts: tuple[int, int] = (0, 0)
    """For "neighbours": (how many of the nearest customers bought it, how many there are)."""

    def __str__(self) -> str:
        names = " and ".join(self.products)
        return {
            "neighbours": f"{self.counts[0]} of {self.counts[1]} customers with baskets like "
            "yours bought this",
            "also_bought": f"customers who bought {names} also bought this",
            "similar_to": f"similar to {names} you bought",
            "trending": "trending: bought by many customers in the last weeks",
            "buy_again": "you buy this regularly",
            "cold_start": "popular with all customers this month (no purchase history yet)",
            "model": f"recommended by {self.model}",
        }[self.kind]

    def __contains__(self, text: str) -> bool:
        return text in str(self)


@dataclass(frozen=True)
class Recommendation:
    """Ranked items for one customer, each with a reason a marketer can repeat."""

    customer_id: str
    items: list[str]
    scores: list[float]
    reasons: list[Reason]
    cold_start: bool


class Recommender(ABC):
    """Base class: subclasses implement ``_fit`` and ``scores`` (and may refine ``explain``)."""

    name = "base"
    data: Interactions

    def fit(self, data: Interactions) -> Self:
        """Learn from an interaction matrix; returns self."""
        self.data = data
        self._fit(data)
        return self

    @abstractmethod
    def _fit(self, data: Interactions) -> None: ...

    @abstractmethod
    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Dense (len(rows), n_items) preference scores of known customers (higher = better)."""

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """Why each item is recommended to the customer in ``row``."""
        return [Reason("model", model=self.name)] * len(items)

    def similar_items(self, sku: str, n: int = 5) -> list[tuple[str, float]]:
        """Items most often bought by the same customers (cosine of purchase columns)."""
        col = self._item(sku)
        x = self.data.purchased.tocsc()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0))).ravel()
        sims = np.asarray((x[:, col].T @ x).todense()).ravel() / np.maximum(
            norms * norms[col], 1e-12
        )
        sims[col] = -np.inf
        return _top_pairs(self.data.items, sims, n)

    def recommend(
        self,
        customer_ids: Sequence[str],
        n: int = 10,
        exclude_purchased: bool = True,
        candidates: Sequence[str] | None = None,
        explain: bool = True,
        batch_size: int = 512,
    ) -> list[Recommendation]:
        """Top-``n`` items for each customer; unknown customers get the cold-start path."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        allowed = self._candidate_mask(candidates)
        found = (self.data.user_index(c) for c in customer_ids)
        rows = np.array([-1 if r is None else r for r in found], dtype=np.int64)
        out: list[Recommendation | None] = [None] * len(rows)
        known = np.flatnonzero(rows >= 0)
        for start in range(0, len(known), batch_size):
            part = known[start : start + batch_size]
            ids, vals = self.top_n(rows[part], n, exclude_purchased, allowed)
            for pos, row_items, row_scores in zip(part, ids, vals, strict=True):
                ok = np.isfinite(row_scores)
                items = row_items[ok]
                reasons = self.explain(int(rows[pos]), items) if explain else []
                out[pos] = Recommendation(
                    customer_ids[pos],
                    list(self.data.items[items]),
                    [float(s) for s in row_scores[ok]],
                    reasons,
                    False,
                )
        cold = self._cold_start(n, allowed)
        for pos in np.flatnonzero(rows < 0):
            out[pos] = Recommendation(
                customer_ids[int(pos)], cold.items, cold.scores, cold.reasons, True
            )
        return [r for r in out if r is not None]

    def top_n(
        self, rows: np.ndarray, n: int, exclude_purchased: bool, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(item columns, scores) of the best ``n`` per row; -inf marks unusable slots."""
        # Popularity breaks ties so that all-zero rows still rank sensibly.
        pop = self.data.popularity
        tie = (1e-6 * pop / max(float(pop.max()), 1e-12)).astype(np.float32)
        scores = np.asarray(self.scores(rows), dtype=np.float32) + tie[None, :]
        if exclude_purchased:
            bought = self.data.purchased[rows]
            scores[bought.nonzero()] = -np.inf
        if allowed is not None:
            scores[:, ~allowed] = -np.inf
        n = min(n, scores.shape[1])
        part = np.argpartition(-scores, n - 1, axis=1)[:, :n]
        picked = np.take_along_axis(scores, part, axis=1)
        order = np.argsort(-picked, axis=1, kind="stable")
        return np.take_along_axis(part, order, axis=1), np.take_along_axis(picked, order, axis=1)

    def _candidate_mask(self, candidates: Sequence[str] | None) -> np.ndarray | None:
        if candidates is None:
            return None
        if len(candidates) == 0:
            raise ValueError("candidates is empty; pass None to consider every item")
        cols = [self.data.item_index(s) for s in candidates]
        unknown = [s for s, c in zip(candidates, cols, strict=True) if c is None]
        if unknown:
            raise ValueError(f"candidates contains skus nobody bought: {unknown[:5]}")
        mask = np.zeros(self.data.shape[1], dtype=bool)
        mask[[c for c in cols if c is not None]] = True
        return mask

    def _cold_start(self, n: int, allowed: np.ndarray | None) -> Recommendation:
        pop = self.data.popularity.astype(np.float64).copy()
        if allowed is not None:
            pop[~allowed] = -np.inf
        top = _top_pairs(self.data.items, pop, n)
        return Recommendation(
            "",
            [s for s, _ in top],
            [v for _, v in top],
            [Reason("cold_start")] * len(top),
            True,
        )

    def _item(self, sku: str) -> int:
        col = self.data.item_index(sku)
        if col is None:
            raise KeyError(sku)
        return col


def _top_pairs(items: np.ndarray, values: np.ndarray, n: int) -> list[tuple[str, float]]:
    order = np.argsort(-values, kind="stable")[:n]
    return [(str(items[i]), float(values[i])) for i in order if np.isfinite(values[i])]


def row_normalise(x: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit L2 norm (all-zero rows stay zero)."""
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
    scale = np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ x)


def top_k_rows(dense: np.ndarray, k: int) -> sp.csr_matrix:
    """Keep the ``k`` largest entries of each row (zeros dropped) as a sparse matrix."""
    k = min(k, dense.shape[1])
    cols = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, cols, axis=1)
    rows = np.repeat(np.arange(dense.shape[0]), k)
    out = sp.csr_matrix((vals.ravel(), (rows, cols.ravel())), shape=dense.shape)
    out.eliminate_zeros()
    return out


MAX_BLOCK_CELLS = 40_000_000
"""At most this many dense similarities exist at once (160 MB of float32)."""


def pruned_similarity(
    x: sp.csr_matrix | np.ndarray,
    k: int,
    block: int = 2048,
    right: sp.csr_matrix | None = None,
) -> sp.csr_matrix:
    """Top-``k`` neighbours of every row of ``x`` by ``x @ right`` (default ``x.T``: dot
    products), self excluded, block by block so that only ``block`` dense rows exist at a
    time. Dense ``x`` (sentence embeddings) is multiplied densely: as a sparse matrix with no
    zeros it is ~5x slower."""
    if right is not None:
        xt: sp.csr_matrix | np.ndarray = right
    else:
        xt = x.T if isinstance(x, np.ndarray) else x.T.tocsr()
    block = max(64, min(block, MAX_BLOCK_CELLS // max(xt.shape[1], 1)))
    blocks = []
    for start in range(0, x.shape[0], block):
        product = x[start : start + block] @ xt
        dense = np.asarray(
            product if isinstance(product, np.ndarray) else product.todense(), dtype=np.float32
        )
        idx = np.arange(dense.shape[0])
        dense[idx, idx + start] = 0.0
        blocks.append(top_k_rows(dense, k))
    return sp.csr_matrix(sp.vstack(blocks))


class ItemSimilarityRecommender(Recommender):
    """Scores = the customer's weights @ an item-item similarity matrix set by ``_fit``."""

    similarity_matrix: sp.csr_matrix

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Similarity to what the customer bought, weighted by how much."""
        return np.asarray(
            (self.data.matrix[rows] @ self.similarity_matrix).todense(), dtype=np.float32
        )

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """The customer's purchases that contribute most to each item."""
        user = self.data.matrix[row]
        owned = user.indices
        contrib = self.similarity_matrix[owned][:, items].toarray() * user.data[:, None]
        reasons = []
        for j in range(len(items)):
            best = np.argsort(-contrib[:, j])[:2]
            names = tuple(str(self.data.items[owned[k]]) for k in best if contrib[k, j] > 0)
            reasons.append(Reason("also_bought", names) if names else Reason("trending"))
        return reasons

    def similar_items(self, sku: str, n: int = 5) -> list[tuple[str, float]]:
        """The nearest items in the similarity matrix."""
        row = self.similarity_matrix[self._item(sku)]
        order = np.argsort(-row.data)[:n]
        return [(str(self.data.items[row.indices[i]]), float(row.data[i])) for i in order]
