"""Non-personalised and own-history recommenders: popularity and buy-again."""

from __future__ import annotations

import numpy as np

from tools.recommend.base import Reason, Recommender
from tools.recommend.interactions import Interactions


class PopularityRecommender(Recommender):
    """Time-decayed popularity: the same ranking for everyone (a short half-life = trending)."""

    name = "popularity"

    def __init__(self, half_life_days: float = 7.0) -> None:
        self.half_life_days = half_life_days

    def _fit(self, data: Interactions) -> None:
        pop = data.decayed_popularity(self.half_life_days)
        self._pop = pop / max(float(pop.max()), 1e-12)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Popularity, broadcast to every requested customer."""
        return np.broadcast_to(self._pop, (len(rows), len(self._pop))).copy()

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """Popularity needs no personal reason."""
        return [Reason("trending")] * len(items)


class BuyAgainRecommender(Recommender):
    """The customer's own recent purchases, time-decayed (useful only with re-buys allowed)."""

    name = "buy_again"

    def _fit(self, data: Interactions) -> None:
        self._recent = data.recent_purchases

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Decayed own purchase counts."""
        return np.asarray(self._recent[rows].todense(), dtype=np.float32)

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """Repeat purchases explain themselves."""
        bought = self.data.purchased[row].toarray().ravel() > 0
        return [Reason("buy_again") if bought[i] else Reason("trending") for i in items]
