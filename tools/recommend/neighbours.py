"""Neighbourhood collaborative filtering: user-based (as the brief states it) and item-based."""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp

from tools.recommend.base import (
    ItemSimilarityRecommender,
    Reason,
    Recommender,
    pruned_similarity,
    row_normalise,
    top_k_rows,
)
from tools.recommend.interactions import Interactions, Transform, bm25_weight


class UserKNNRecommender(Recommender):
    """r_hat(u,i) = mean(u) + k * sum_{v in N(u)} sim(u,v) * (r(v,i) - mean(v)).

    N(u) are the ``k_neighbours`` most similar customers (cosine, or Pearson = cosine of
    mean-centred rows), k = 1 / sum |sim(u,v)|. With ``center=False`` the means are dropped
    (r instead of r - mean): for implicit data a choice to validate, not a dogma. Only items a
    neighbour bought enter the sum (unbought items are unknown, not zero-rated).
    """

    name = "user_cf"

    def __init__(
        self,
        k_neighbours: int = 50,
        similarity: Literal["cosine", "pearson"] = "cosine",
        center: bool = False,
        transform: Transform = "log1p",
    ) -> None:
        self.k_neighbours = k_neighbours
        self.similarity = similarity
        self.center = center
        self.transform = transform

    def _fit(self, data: Interactions) -> None:
        r = data.weights(self.transform).astype(np.float32).tocsr()
        counts = np.diff(r.indptr)
        sums = np.asarray(r.sum(axis=1)).ravel()
        self._means = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0).astype(np.float32)
        centred = r.copy()
        centred.data -= np.repeat(self._means, counts)
        self._centred = centred
        self._ratings = centred if self.center else r
        basis = centred if self.similarity == "pearson" else r
        self._unit = row_normalise(basis)
        self._unit_t = self._unit.T.tocsr()

    def neighbours(self, rows: np.ndarray) -> sp.csr_matrix:
        """Top-k similarity rows (len(rows) x customers), self excluded."""
        sims = np.asarray((self._unit[rows] @ self._unit_t).todense(), dtype=np.float32)
        sims[np.arange(len(rows)), rows] = 0.0
        return top_k_rows(sims, self.k_neighbours)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The brief's formula, for a batch of customers at once."""
        nb = self.neighbours(rows)
        norm = np.asarray(abs(nb).sum(axis=1)).ravel()
        weighted = np.asarray((nb @ self._ratings).todense(), dtype=np.float32)
        pred = weighted / np.maximum(norm, 1e-12)[:, None]
        if self.center:
            pred += self._means[rows][:, None]
        return pred

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """How many of the customer's nearest neighbours bought each item."""
        nb = self.neighbours(np.array([row]))
        who = nb.indices[nb.data > 0]
        bought = np.asarray(self.data.purchased[who][:, items].sum(axis=0)).ravel()
        return [Reason("neighbours", counts=(int(b), len(who))) for b in bought]


class ItemKNNRecommender(ItemSimilarityRecommender):
    """Item-based CF: score = user's weights @ item-item similarity (top-k pruned per item).

    ``transform`` is the input of the similarity: "bm25" weights the log1p purchase columns
    by BM25 (rare buyers count more) and takes dot products; the others take the cosine of
    the transformed columns.
    """

    name = "item_cf"

    def __init__(
        self,
        k_neighbours: int = 50,
        transform: Transform = "bm25",
        bm25_k1: float = 1.2,
        bm25_b: float = 0.75,
        block: int = 2048,
    ) -> None:
        self.k_neighbours = k_neighbours
        self.transform = transform
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b
        self.block = block

    def _fit(self, data: Interactions) -> None:
        if self.transform == "bm25":
            x = bm25_weight(data.matrix.T.tocsr().astype(np.float32), self.bm25_k1, self.bm25_b)
        else:
            x = row_normalise(data.weights(self.transform).T.tocsr())  # items x users
        self.similarity_matrix = pruned_similarity(x, self.k_neighbours, self.block)
