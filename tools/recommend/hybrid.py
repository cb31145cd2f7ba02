"""A weighted blend of recommenders whose weights are tuned on a validation split."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

import numpy as np

from tools.recommend.base import Reason, Recommender
from tools.recommend.interactions import Interactions


def _normalise(scores: np.ndarray) -> np.ndarray:
    """Per-customer scaling to [0, 1] so that components are comparable."""
    top = scores.max(axis=1, keepdims=True)
    out: np.ndarray = np.where(top > 0, scores / np.maximum(top, 1e-12), 0.0)
    return out.astype(np.float32)


class HybridRecommender(Recommender):
    """score = sum_m w_m * normalised score_m."""

    name = "hybrid"

    def __init__(
        self, components: Mapping[str, Recommender], weights: Mapping[str, float] | None = None
    ) -> None:
        self.components = dict(components)
        self.weights = dict(weights or {name: 1.0 for name in self.components})

    def _fit(self, data: Interactions) -> None:
        for model in self.components.values():
            model.fit(data)

    def component_scores(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Each component's normalised scores for the rows."""
        return {
            name: _normalise(m.scores(rows))
            for name, m in self.components.items()
            if self.weights.get(name, 0.0) > 0
        }

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The weighted blend."""
        parts = self.component_scores(rows)
        total = np.zeros((len(rows), self.data.shape[1]), dtype=np.float32)
        for name, values in parts.items():
            total += self.weights[name] * values
        return total

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """The reason of the component that contributes most to each item."""
        parts = self.component_scores(np.array([row]))
        names = list(parts)
        contrib = np.stack([self.weights[n] * parts[n][0, items] for n in names])
        best = np.argmax(contrib, axis=0)
        reasons = {n: self.components[n].explain(row, items) for n in set(names[b] for b in best)}
        return [reasons[names[b]][j] for j, b in enumerate(best)]

    def similar_items(self, sku: str, n: int = 5) -> list[tuple[str, float]]:
        """Item-based CF neighbours when available, else co-purchase cosine."""
        model = self.components.get("item_cf")
        return model.similar_items(sku, n) if model else super().similar_items(sku, n)


def tune_weights(
    components: Mapping[str, Recommender],
    rows: np.ndarray,
    objective: Callable[[np.ndarray], float],
    grid: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0),
) -> tuple[dict[str, float], float]:
    """Grid search over blend weights maximising ``objective(scores)`` on validation rows.

    Components must already be fitted on the validation training data.
    """
    parts = {n: _normalise(m.scores(rows)) for n, m in components.items()}
    names = list(parts)
    best: tuple[dict[str, float], float] = ({n: 1.0 for n in names}, -np.inf)
    for combo in itertools.product(grid, repeat=len(names)):
        if not any(combo) or (max(combo) < 1.0):
            continue  # scale-free: fix the largest weight at 1
        blend = sum(w * parts[n] for n, w in zip(names, combo, strict=True) if w)
        value = objective(np.asarray(blend))
        if value > best[1]:
            best = (dict(zip(names, combo, strict=True)), value)
    return best
