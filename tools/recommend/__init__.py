"""Recommendation: user/item CF, content, popularity, buy-again, tuned hybrid, evaluation."""

from tools.recommend.api import (
    frequently_bought_with,
    recommend_for_segment,
    recommend_products,
    similar_products,
)

__all__ = [
    "frequently_bought_with",
    "recommend_for_segment",
    "recommend_products",
    "similar_products",
]
