"""Build the shop's recommender: components, blend weights tuned on a validation split."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tools.recommend.components import (
    SIMILAR,
    catalogue,
    make_components,
    non_merchandise,
    product_texts,
)
from tools.recommend.content import TextEncoder
from tools.recommend.evaluate import mode_truth, ndcg_objective, temporal_split
from tools.recommend.hybrid import HybridRecommender, Tuning, family, tune_weights
from tools.recommend.interactions import Interactions, build_interactions

MODES = ("all", "new")
MAX_TUNING_CUSTOMERS = 1000
MAX_TUNING_ITEMS = 5000
"""Tuning fits and scores the most-bought products only (validation purchases of others
count as misses for every component alike)."""
NEW_ARRIVALS_FLOOR = 1e-3
"""Never-bought products can only be ranked by their text; at this weight they rank among
themselves by it (a request restricted to new arrivals) and below anything another component
scores, unless validation gave the component more."""


def tune(
    lines: pd.DataFrame,
    events: pd.DataFrame | None,
    texts: Mapping[str, str],
    cutoff: pd.Timestamp,
    window_days: int = 60,
    exclude: set[str] | None = None,
    seed: int = 0,
    items: np.ndarray | None = None,
    encoder: TextEncoder | None = None,
) -> dict[str, Tuning]:
    """Blend weights per mode maximising validation NDCG@10 on the window before ``cutoff``.

    ``items`` are the columns (the catalogue, so products first sold in the validation window
    can be recommended); ``encoder`` adds the embedder variant of the text components.
    """
    start = cutoff - pd.Timedelta(days=window_days)
    if items is not None and len(items) > MAX_TUNING_ITEMS:
        # A pruned candidate set: the most-bought products before the validation window.
        sold = lines.loc[(lines["ts"] < start) & lines["sku"].isin(items), "sku"]
        items = np.sort(sold.value_counts().index[:MAX_TUNING_ITEMS].to_numpy(dtype=object))
    split = temporal_split(lines, events, start, window_days, exclude, items=items)
    components = make_components(texts, encoder)
    for model in components.values():
        model.fit(split.train)
    columns = np.sort(np.argsort(-split.train.buyers, kind="stable")[:MAX_TUNING_ITEMS])
    out: dict[str, Tuning] = {}
    rng = np.random.default_rng(seed)
    for mode in MODES:
        rows = mode_truth(split, mode)[2]
        if len(rows) == 0:
            out[mode] = Tuning({n: float(n == SIMILAR) for n in components}, float("nan"), {})
            continue
        if len(rows) > MAX_TUNING_CUSTOMERS:
            rows = np.sort(rng.choice(rows, MAX_TUNING_CUSTOMERS, replace=False))
        # Re-buys only: buy-again cannot recommend a new item.
        usable = {n: m for n, m in components.items() if mode == "all" or family(n) != "buy_again"}
        objective = ndcg_objective(rows, split, mode, columns=columns)
        best = tune_weights(usable, rows, objective, columns=columns)
        out[mode] = Tuning(
            {n: best.weights.get(n, 0.0) for n in components}, best.value, best.singles
        )
    return out


def shipped_weights(tuning: Tuning, data: Interactions) -> dict[str, float]:
    """The tuned weights; when some products have never been bought, the new-arrivals
    component keeps at least ``NEW_ARRIVALS_FLOOR`` (its best variant on validation)."""
    weights = dict(tuning.weights)
    arrivals = [n for n in weights if family(n) == "new_arrivals"]
    unsold = bool((data.buyers == 0).any())
    if arrivals and unsold:
        pick = max(arrivals, key=lambda n: (weights[n], tuning.singles.get(n, 0.0)))
        weights[pick] = max(weights[pick], NEW_ARRIVALS_FLOOR)
    return weights


@dataclass(frozen=True)
class ShopRecommender:
    """Hybrids for both modes sharing fitted components, plus how they were tuned."""

    data: Interactions
    hybrids: dict[str, HybridRecommender]
    validation_ndcg: dict[str, float]
    fit_seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each stage: "tuning" (validation fits and blend search), "fit"."""

    def for_mode(self, exclude_purchased: bool) -> HybridRecommender:
        """The hybrid tuned for new items only, or for re-buys allowed."""
        return self.hybrids["new" if exclude_purchased else "all"]


def fit_shop_recommender(
    lines: pd.DataFrame,
    events: pd.DataFrame | None,
    products: pd.DataFrame,
    window_days: int = 60,
    encoder: TextEncoder | None = None,
) -> ShopRecommender:
    """Tune on the last window before the end, then fit on everything."""
    texts = product_texts(products)
    exclude = non_merchandise(products)
    items = catalogue(products, lines, exclude)
    end = lines["ts"].max() + pd.Timedelta(seconds=1)
    started = time.perf_counter()
    tuning = tune(lines, events, texts, end, window_days, exclude, items=items, encoder=encoder)
    tuned = time.perf_counter()
    data = build_interactions(lines, events, as_of=end, exclude_skus=exclude, items=items)
    weights = {mode: shipped_weights(t, data) for mode, t in tuning.items()}
    # A component no mode uses is never fitted (the content model alone can dominate the fit
    # on a large catalogue); item-CF always is: it answers "similar products".
    used = {n for mode in MODES for n, w in weights[mode].items() if w > 0} | {SIMILAR}
    components = {n: m for n, m in make_components(texts, encoder).items() if n in used}
    for model in components.values():
        model.fit(data)
    hybrids = {}
    for mode in MODES:
        hybrid = HybridRecommender(components, weights[mode])
        hybrid.data = data  # components are already fitted on ``data``
        hybrids[mode] = hybrid
    seconds = {"tuning": tuned - started, "fit": time.perf_counter() - tuned}
    return ShopRecommender(data, hybrids, {mode: t.value for mode, t in tuning.items()}, seconds)
