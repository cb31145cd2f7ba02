"""Build the shop's recommender: components, blend weights tuned on a validation split."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from tools.recommend.base import Recommender
from tools.recommend.content import ContentRecommender
from tools.recommend.evaluate import mode_truth, ndcg_of_scores, temporal_split
from tools.recommend.hybrid import HybridRecommender, Tuning, family, tune_weights
from tools.recommend.interactions import Interactions, build_interactions
from tools.recommend.linear import EASERecommender, RP3BetaRecommender
from tools.recommend.neighbours import ItemKNNRecommender, UserKNNRecommender
from tools.recommend.simple import BuyAgainRecommender, PopularityRecommender

MODES = ("all", "new")
MAX_TUNING_CUSTOMERS = 1000
MAX_TUNING_ITEMS = 5000
"""Tuning scores the most-bought items only (test items outside count as misses for all)."""
SIMILAR = "item_cf[bm25]"
"""The component that answers "similar products"; always fitted."""


def make_components(texts: Mapping[str, str]) -> dict[str, Recommender]:
    """Fresh, unfitted candidate components, keyed "family[variant]"; validation picks one
    variant per family (the input transform or signal) and the blend."""
    return {
        "popularity": PopularityRecommender(),
        "buy_again[recent]": BuyAgainRecommender("recent"),
        "buy_again[days]": BuyAgainRecommender("days"),
        "buy_again[cycle]": BuyAgainRecommender("cycle"),
        "user_cf": UserKNNRecommender(),
        SIMILAR: ItemKNNRecommender(transform="bm25"),
        "item_cf[log1p]": ItemKNNRecommender(transform="log1p"),
        "item_cf[binary]": ItemKNNRecommender(transform="binary"),
        "item_cf[raw]": ItemKNNRecommender(transform="raw"),
        "ease[binary]": EASERecommender(transform="binary"),
        "ease[log1p]": EASERecommender(transform="log1p"),
        "rp3beta": RP3BetaRecommender(),
        "content": ContentRecommender(texts),
    }


def product_texts(products: pd.DataFrame) -> dict[str, str]:
    """Text of each product for content-based similarity (both languages, category)."""
    cols = [
        c
        for c in ("title", "title_zh", "category", "description", "description_zh")
        if c in products
    ]
    text = products[cols].fillna("").astype(str).agg(" ".join, axis=1)
    return dict(zip(products["sku"].astype(str), text, strict=True))


def non_merchandise(products: pd.DataFrame) -> set[str]:
    """Skus that are fees or postage, never recommended."""
    if "category" not in products:
        return set()
    return set(products.loc[products["category"] == "non-merchandise", "sku"].astype(str))


def tune(
    lines: pd.DataFrame,
    events: pd.DataFrame | None,
    texts: Mapping[str, str],
    cutoff: pd.Timestamp,
    window_days: int = 60,
    exclude: set[str] | None = None,
    seed: int = 0,
) -> dict[str, Tuning]:
    """Blend weights per mode maximising validation NDCG@10 on the window before ``cutoff``."""
    split = temporal_split(
        lines, events, cutoff - pd.Timedelta(days=window_days), window_days, exclude
    )
    components = make_components(texts)
    for model in components.values():
        model.fit(split.train)
    buyers = np.diff(split.train.purchased.tocsc().indptr)
    columns = np.sort(np.argsort(-buyers, kind="stable")[:MAX_TUNING_ITEMS])
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
        objective = partial(ndcg_of_scores, rows=rows, split=split, mode=mode, columns=columns)
        best = tune_weights(usable, rows, objective, columns=columns)
        out[mode] = Tuning(
            {n: best.weights.get(n, 0.0) for n in components}, best.value, best.singles
        )
    return out


@dataclass(frozen=True)
class ShopRecommender:
    """Hybrids for both modes sharing fitted components, plus how they were tuned."""

    data: Interactions
    hybrids: dict[str, HybridRecommender]
    validation_ndcg: dict[str, float]

    def for_mode(self, exclude_purchased: bool) -> HybridRecommender:
        """The hybrid tuned for new items only, or for re-buys allowed."""
        return self.hybrids["new" if exclude_purchased else "all"]


def fit_shop_recommender(
    lines: pd.DataFrame, events: pd.DataFrame | None, products: pd.DataFrame, window_days: int = 60
) -> ShopRecommender:
    """Tune on the last window before the end, then fit on everything."""
    texts = product_texts(products)
    exclude = non_merchandise(products)
    end = lines["ts"].max() + pd.Timedelta(seconds=1)
    tuning = tune(lines, events, texts, end, window_days, exclude)
    weights = {mode: t.weights for mode, t in tuning.items()}
    data = build_interactions(lines, events, as_of=end, exclude_skus=exclude)
    # A component no mode uses is never fitted (the content model alone can dominate the fit
    # on a large catalogue); item-CF always is: it answers "similar products".
    used = {n for mode in MODES for n, w in weights[mode].items() if w > 0} | {SIMILAR}
    components = {n: m for n, m in make_components(texts).items() if n in used}
    for model in components.values():
        model.fit(data)
    hybrids = {}
    for mode in MODES:
        hybrid = HybridRecommender(components, weights[mode])
        hybrid.data = data  # components are already fitted on ``data``
        hybrids[mode] = hybrid
    return ShopRecommender(data, hybrids, {mode: t.value for mode, t in tuning.items()})
