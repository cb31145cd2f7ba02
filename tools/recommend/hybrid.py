"""A weighted blend of recommenders whose weights are tuned on a validation split."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
        model = self.components.get("item_cf[bm25]")
        return model.similar_items(sku, n) if model else super().similar_items(sku, n)


@dataclass(frozen=True)
class Tuning:
    """Blend weights chosen on validation, and what each component scored there alone."""

    weights: dict[str, float]
    value: float
    singles: dict[str, float]

    def note(self) -> str:
        """What ships and why, in one line (``copilot evaluate-recs`` prints it)."""
        used = [n for n, w in self.weights.items() if w > 0]
        best = max(self.singles, key=self.singles.__getitem__)
        others = f"best single component {best} {self.singles[best]:.3f}"
        if "popularity" in self.singles:
            others += f", popularity {self.singles['popularity']:.3f}"
        if len(used) == 1:
            return (
                f"ships {used[0]} alone (validation NDCG@10 {self.value:.3f}): "
                f"no blend beat it ({others})"
            )
        blend = " + ".join(f"{self.weights[n]:g} {n}" for n in used)
        return f"ships the blend {blend}: validation NDCG@10 {self.value:.3f} vs {others}"


def family(label: str) -> str:
    """The component family of a label: "item_cf[bm25]" -> "item_cf"."""
    return label.split("[", 1)[0]


def tune_weights(
    components: Mapping[str, Recommender],
    rows: np.ndarray,
    objective: Callable[[np.ndarray], float],
    steps: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0),
    columns: np.ndarray | None = None,
    batch: int = 256,
) -> Tuning:
    """Greedy forward blending maximising ``objective(scores)`` on validation rows.

    Every component is scored alone; within a family ("item_cf[bm25]", "item_cf[log1p]") only
    the best variant may enter the blend, so the input transform is chosen on validation. The
    best single component starts; the component and weight (relative to the first, which has
    weight 1) that most improve the blend join, until none does. So a blend ships only if it
    beats every component alone on validation; otherwise the best component ships by itself.
    ``columns`` restricts scoring to a pruned candidate set of items. Components must already
    be fitted on the validation training data.
    """
    parts = {n: _normalise(_scores(m, rows, columns, batch)) for n, m in components.items()}
    singles = {n: objective(parts[n]) for n in parts}
    best_of: dict[str, str] = {}
    for name in parts:
        rival = best_of.get(family(name))
        if rival is None or singles[name] > singles[rival]:
            best_of[family(name)] = name
    solo = max(singles, key=singles.__getitem__)
    weights, value, blend = {solo: 1.0}, singles[solo], parts[solo]
    while True:
        trials = [
            (objective(blend + w * parts[n]), n, w)
            for n in best_of.values()
            if n not in weights
            for w in steps
        ]
        if not trials:
            break
        gain, name, w = max(trials)
        if gain <= value + 1e-4:
            break
        weights[name], value, blend = w, gain, blend + w * parts[name]
    return Tuning({n: weights.get(n, 0.0) for n in parts}, value, singles)


def _scores(
    model: Recommender, rows: np.ndarray, columns: np.ndarray | None, batch: int
) -> np.ndarray:
    """Scores of ``rows`` on ``columns``, a batch at a time (a full row block is transient)."""
    out = []
    for start in range(0, len(rows), batch):
        values = model.scores(rows[start : start + batch])
        out.append(values if columns is None else values[:, columns])
    return np.vstack(out).astype(np.float32)
