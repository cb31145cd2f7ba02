"""What ``product_performance`` returns: a product's or category's sales in a period, its
rank, its change, its margin where costs are known, and the segments that buy it most."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, kw_only=True)
class SegmentShare:
    """A customer segment's part of the item's net sales against its part of the shop's."""

    segment: str
    net: float
    share: float
    """Of the item's net sales."""
    shop_share: float
    """Of the shop's net sales in the same period."""
    index: float | None
    """share / shop_share: above 1 the segment buys this item more than it buys overall."""


@dataclass(frozen=True, kw_only=True)
class TopItem:
    """One of the best-selling products of a category."""

    sku: str
    title: str | None
    title_zh: str | None = None
    net: float
    units: int


@dataclass(frozen=True, kw_only=True)
class ProductPerformance:
    """Sales of one product or one category over a period, against the period before."""

    scope: str
    """"product" or "category"."""
    key: str
    """The sku or the category."""
    title: str | None
    title_zh: str | None = None
    category: str | None
    period: str
    start: date
    end: date
    """Last day counted (the data's last day when the period is not over)."""
    partial: bool
    net: float
    gross: float
    returns: float
    units: int
    """Units sold net of returned units."""
    orders: int
    customers: int
    margin: float | None
    """Net sales minus the cost of the units, over the lines whose product cost is known
    (None: no cost known)."""
    margin_coverage: float | None = None
    """Share of net sales whose product cost is known (the margin covers these)."""
    margin_rate: float | None
    """Margin over the net sales it covers."""
    rank: int | None
    """Rank by net sales among the shop's products (a product) or categories (a category)."""
    rank_of: int
    """How many products or categories sold in the period."""
    rank_in_category: int | None = None
    category_size: int | None = None
    previous_net: float | None = None
    """Net sales of the period of the same length just before."""
    change_pct: float | None = None
    segments: list[SegmentShare] = field(default_factory=list)
    top_products: list[TopItem] = field(default_factory=list)
    """For a category: its best sellers."""
