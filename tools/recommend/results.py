"""Result values of the recommendation tools."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from tools._brief import BRIEF_OFF
from tools._tool import COMPUTED


@dataclass(frozen=True, kw_only=True)
class RecommendedProduct:
    """A product suggestion with its reason."""

    sku: str
    title: str | None
    title_zh: str | None
    category: str | None
    list_price: float | None
    score: float = field(metadata=BRIEF_OFF)
    reason: str
    reason_kind: str = field(default="model", metadata=BRIEF_OFF)
    because: list[str] = field(default_factory=list, metadata=BRIEF_OFF)
    """The customer's own products (skus) behind the reason."""
    neighbours: tuple[int, int] = field(default=(0, 0), metadata=BRIEF_OFF)
    """For a neighbour reason: (similar customers who bought it, similar customers)."""


@dataclass(frozen=True, kw_only=True)
class ProductRecommendations:
    """Recommendations for one customer."""

    customer_id: str
    cold_start: bool
    note: str
    exclude_purchased: bool
    items: list[RecommendedProduct]
    titles: dict[str, str] = field(default_factory=dict, metadata=BRIEF_OFF)
    """Titles of the products named in reasons, by sku (Chinese under "sku/zh")."""
    source: str = field(default=COMPUTED, metadata=BRIEF_OFF)
    """Where the list comes from: computed now, or a batch run's table (which run)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per recommended product."""
        return pd.DataFrame([asdict(i) for i in self.items])


@dataclass(frozen=True, kw_only=True)
class SegmentPick:
    """A product to feature for a segment and how many of its customers it suits."""

    sku: str
    title: str | None
    title_zh: str | None
    category: str | None
    list_price: float | None
    customers_suited: int
    share_of_segment: float


@dataclass(frozen=True, kw_only=True)
class SegmentPicks:
    """Products to feature in a campaign for a segment."""

    segment: str
    customers: int
    per_customer_list: int
    items: list[SegmentPick]

    def to_frame(self) -> pd.DataFrame:
        """One row per product."""
        return pd.DataFrame([asdict(i) for i in self.items])


@dataclass(frozen=True, kw_only=True)
class RelatedProduct:
    """A product related to another, with the strength of the relation."""

    sku: str
    title: str | None
    category: str | None
    similarity: float
    together_orders: int | None = None
    confidence: float | None = None
    lift: float | None = None
    title_zh: str | None = field(default=None, metadata=BRIEF_OFF)


@dataclass(frozen=True, kw_only=True)
class RelatedProducts:
    """Products related to ``sku`` (similar customers, or same basket)."""

    sku: str
    title: str | None
    basis: str
    orders_with_sku: int | None
    items: list[RelatedProduct]
    title_zh: str | None = field(default=None, metadata=BRIEF_OFF)
    source: str = field(default=COMPUTED, metadata=BRIEF_OFF)
    """Where the list comes from: computed now, or a batch run's table (which run)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per related product."""
        return pd.DataFrame([asdict(i) for i in self.items])
