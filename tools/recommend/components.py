"""The candidate components of the shop's hybrid and what they are built from."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tools.recommend.base import Recommender
from tools.recommend.content import ContentRecommender, NewArrivalsRecommender, TextEncoder
from tools.recommend.linear import EASERecommender, RP3BetaRecommender
from tools.recommend.neighbours import ItemKNNRecommender, UserKNNRecommender
from tools.recommend.simple import BuyAgainRecommender, PopularityRecommender

SIMILAR = "item_cf[bm25]"
"""The component that answers "similar products"; always fitted."""
MIN_TEXT_SHARE = 0.5
"""Text components only compete when at least this share of products has a text."""


def make_components(
    texts: Mapping[str, str], encoder: TextEncoder | None = None
) -> dict[str, Recommender]:
    """Fresh, unfitted candidate components, keyed "family[variant]"; validation picks one
    variant per family (input transform, signal or text encoder) and the blend.

    Args:
        texts: product text by sku; text components are left out when most products have
            none (a catalogue of bare codes).
        encoder: a sentence embedder for the "embedder" variant of the text components (the
            knowledge base's); only the TF-IDF variant competes without it.
    """
    out: dict[str, Recommender] = {
        "popularity": PopularityRecommender(),
        "buy_again[recent]": BuyAgainRecommender("recent"),
        "buy_again[days]": BuyAgainRecommender("days"),
        "buy_again[cycle]": BuyAgainRecommender("cycle"),
        "buy_again[active]": BuyAgainRecommender("active"),
        "user_cf": UserKNNRecommender(),
        SIMILAR: ItemKNNRecommender(transform="bm25"),
        "item_cf[log1p]": ItemKNNRecommender(transform="log1p"),
        "item_cf[binary]": ItemKNNRecommender(transform="binary"),
        "item_cf[raw]": ItemKNNRecommender(transform="raw"),
        "ease[binary]": EASERecommender(transform="binary"),
        "ease[log1p]": EASERecommender(transform="log1p"),
        "rp3beta": RP3BetaRecommender(),
    }
    if sum(bool(t.strip()) for t in texts.values()) < MIN_TEXT_SHARE * max(len(texts), 1):
        return out
    encoders: dict[str, TextEncoder | None] = {"tfidf": None}
    if encoder is not None:
        encoders["embedder"] = encoder
    for variant, chosen in encoders.items():
        content = ContentRecommender(texts, chosen)
        out[f"content[{variant}]"] = content
        out[f"new_arrivals[{variant}]"] = NewArrivalsRecommender(content)
    return out


def product_texts(products: pd.DataFrame) -> dict[str, str]:
    """Text of each product for content-based similarity (both languages, category)."""
    cols = [
        c
        for c in ("title", "title_zh", "category", "description", "description_zh")
        if c in products
    ]
    if not cols:
        return {str(s): "" for s in products["sku"]}
    text = products[cols].fillna("").astype(str).agg(" ".join, axis=1)
    return dict(zip(products["sku"].astype(str), text, strict=True))


def non_merchandise(products: pd.DataFrame) -> set[str]:
    """Skus that are fees or postage, never recommended."""
    if "category" not in products:
        return set()
    return set(products.loc[products["category"] == "non-merchandise", "sku"].astype(str))


def catalogue(products: pd.DataFrame, lines: pd.DataFrame, exclude: set[str]) -> np.ndarray:
    """Every recommendable sku, sorted: the product table's (so that products nobody has
    bought yet are columns too) and any other sku the orders mention."""
    skus = set(lines["sku"].dropna().astype(str))
    if "sku" in products:
        skus |= set(products["sku"].dropna().astype(str))
    return np.array(sorted(skus - exclude), dtype=object)
