"""Non-personalised and own-history recommenders: popularity and buy-again."""

from __future__ import annotations

from typing import Literal

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
    """The customer's own purchases (useful only with re-buys allowed), scored by ``signal``.

    - "recent": purchase lines, each decayed with a 180-day half-life;
    - "days": on how many distinct days the customer bought it (a habit, not an order size);
    - "cycle": "days", raised when the product is due: a customer who re-buys it every d days
      on average and last bought it about d days ago gets up to twice the score;
    - "active": "days", times (1 + customers who bought the product in the last 30 days)^0.25:
      a product nobody buys any more (out of season, discontinued) sinks below one that is
      still selling (Online Retail: NDCG@10 0.370 vs 0.361 for "days" on test; BENCHMARKS.md).
    """

    name = "buy_again"

    ACTIVE_DAYS = 30.0
    ACTIVE_POWER = 0.25

    def __init__(self, signal: Literal["recent", "days", "cycle", "active"] = "recent") -> None:
        self.signal = signal

    def _fit(self, data: Interactions) -> None:
        h = data.history
        if self.signal == "recent":
            self._own = data.recent_purchases
            return
        values = h.days.copy()
        if self.signal == "cycle":
            repeat = h.days > 1
            interval = (h.first_age - h.last_age) / np.maximum(h.days - 1, 1)
            lateness = (h.last_age - interval) / np.maximum(interval, 7.0)
            values *= 1.0 + np.where(repeat, np.exp(-0.5 * lateness**2), 0.0)
        if self.signal == "active":
            recent_buyers = np.bincount(
                h.cols[h.last_age < self.ACTIVE_DAYS], minlength=data.shape[1]
            ).astype(np.float64)
            values *= (1.0 + recent_buyers[h.cols]) ** self.ACTIVE_POWER
        self._own = h.as_matrix(values, data.shape)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The chosen signal of own purchases."""
        return np.asarray(self._own[rows].todense(), dtype=np.float32)

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """Repeat purchases explain themselves."""
        bought = self.data.purchased[row].toarray().ravel() > 0
        return [Reason("buy_again") if bought[i] else Reason("trending") for i in items]
