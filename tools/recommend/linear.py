"""Item-item models learned from the whole purchase matrix: EASE and RP3beta."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from tools.recommend.base import ItemSimilarityRecommender, pruned_similarity, top_k_rows
from tools.recommend.interactions import Interactions, Transform


class EASERecommender(ItemSimilarityRecommender):
    """EASE (Steck 2019): the item-item weights B that best rebuild X from X @ B with a zero
    diagonal, in closed form B = I - P / diag(P), P = (X'X + lambda I)^-1.

    The inverse is dense, items x items: catalogues larger than ``max_items`` are modelled on
    their ``max_items`` most-bought products (4,000 items = 64 MB, a few seconds); the rest
    score zero here and are left to the other components.
    """

    name = "ease"

    def __init__(
        self, l2: float = 300.0, transform: Transform = "binary", max_items: int = 4000
    ) -> None:
        self.l2 = l2
        self.transform = transform
        self.max_items = max_items

    def _fit(self, data: Interactions) -> None:
        x = data.weights(self.transform)
        keep = np.sort(np.argsort(-data.buyers, kind="stable")[: self.max_items])
        sub = x[:, keep]
        gram = np.asarray((sub.T @ sub).todense(), dtype=np.float64)
        gram[np.diag_indices_from(gram)] += self.l2
        inverse = np.linalg.inv(gram)
        weights = inverse / -np.diag(inverse)
        np.fill_diagonal(weights, 0.0)
        self._x, self._keep = x, keep
        self._b = weights.astype(np.float32)
        # Explanations and "similar products" read the strongest 50 weights of each item.
        n = data.shape[1]
        pruned = top_k_rows(self._b, min(50, len(keep))).tocoo()
        self.similarity_matrix = sp.csr_matrix(
            (pruned.data, (keep[pruned.row], keep[pruned.col])), shape=(n, n)
        )

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """X[rows] @ B on the modelled items, zero elsewhere."""
        out = np.zeros((len(rows), self.data.shape[1]), dtype=np.float32)
        out[:, self._keep] = np.asarray(self._x[rows][:, self._keep] @ self._b)
        return out


class RP3BetaRecommender(ItemSimilarityRecommender):
    """RP3beta (Paudel et al. 2017): three-step random-walk probabilities item -> customer ->
    item, each raised to ``alpha``, divided by the target's popularity ** ``beta`` (so that
    bestsellers do not win every walk), top-k per item."""

    name = "rp3beta"

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        k_neighbours: int = 100,
        transform: Transform = "binary",
        block: int = 2048,
    ) -> None:
        self.alpha = alpha
        self.beta = beta
        self.k_neighbours = k_neighbours
        self.transform = transform
        self.block = block

    def _fit(self, data: Interactions) -> None:
        x = data.weights(self.transform)
        user_to_item = _row_stochastic(x)
        item_to_user = _row_stochastic(x.T.tocsr())
        user_to_item.data **= self.alpha
        item_to_user.data **= self.alpha
        degree = np.asarray((x > 0).sum(axis=0)).ravel().astype(np.float32)
        penalty = sp.diags(1.0 / np.maximum(degree, 1.0) ** self.beta)
        target = sp.csr_matrix(user_to_item @ penalty)
        self.similarity_matrix = pruned_similarity(
            item_to_user, self.k_neighbours, self.block, right=target
        )


def _row_stochastic(x: sp.csr_matrix) -> sp.csr_matrix:
    sums = np.asarray(x.sum(axis=1)).ravel()
    return sp.csr_matrix(sp.diags(1.0 / np.maximum(sums, 1e-12)) @ x, dtype=np.float32)
