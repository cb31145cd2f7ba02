"""Result values of the profiling tools: dataclasses that serialise to compact JSON and frames."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from copilot.core.privacy import spreadsheet_safe
from tools._brief import BRIEF_OFF
from tools._tool import COMPUTED
from tools.profiling.segments import Trait


@dataclass(frozen=True, kw_only=True)
class SegmentRow:
    """One segment's size and value."""

    segment: str
    label: str = field(metadata=BRIEF_OFF)
    label_zh: str
    customers: int
    share: float
    revenue: float = field(metadata=BRIEF_OFF)
    revenue_share: float
    avg_profile_score: float = field(metadata=BRIEF_OFF)
    avg_purchase_prob: float = field(metadata=BRIEF_OFF)
    avg_churn_risk: float
    avg_clv_12m: float
    rule: str = field(metadata=BRIEF_OFF)
    """How membership is decided (RFM rule) or what distinguishes the cluster."""
    traits: list[Trait] = field(default_factory=list, metadata=BRIEF_OFF)
    """For a cluster: the features that set it apart from the average customer."""


@dataclass(frozen=True, kw_only=True)
class SegmentOverview:
    """All segments of one kind (RFM or clusters)."""

    kind: str
    as_of: str
    horizon_days: int
    total_customers: int
    segments: list[SegmentRow]
    source: str = field(default=COMPUTED, metadata=BRIEF_OFF)
    """Where the overview comes from: computed now, or a batch run's table (which run)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per segment."""
        return pd.DataFrame([asdict(s) for s in self.segments])


@dataclass(frozen=True, kw_only=True)
class CustomerRow:
    """A customer in a list."""

    customer_id: str
    country: str | None
    rfm_segment: str
    cluster: int = field(metadata=BRIEF_OFF)
    recency_days: float
    frequency: int
    monetary: float
    purchase_prob: float = field(metadata=BRIEF_OFF)
    churn_risk: float
    clv_12m: float


@dataclass(frozen=True, kw_only=True)
class Relaxation:
    """For an empty result: matches without one condition, and with that condition alone."""

    condition: str
    without: int | None
    """Customers matching every other condition (None when it was the only one)."""
    alone: int


@dataclass(frozen=True, kw_only=True)
class CustomerList:
    """Customers matching filters: count, totals and the top rows."""

    filters: dict[str, object]
    count: int
    total_revenue: float
    total_clv_12m: float
    sorted_by: str
    top: list[CustomerRow]
    _table: pd.DataFrame = field(repr=False, compare=False)
    total_customers: int = 0
    share: float = 0.0
    """Matches as a share of all customers."""
    horizon_days: int = field(default=90, metadata=BRIEF_OFF)
    relaxed: list[Relaxation] = field(default_factory=list)
    source: str = field(default=COMPUTED, metadata=BRIEF_OFF)

    def to_frame(self) -> pd.DataFrame:
        """Every matching customer (not only the top rows)."""
        return self._table.copy()

    def export_csv(self, path: Path) -> Path:
        """Write every matching customer to a CSV file (text that a spreadsheet would run as a
        formula starts with an apostrophe)."""
        spreadsheet_safe(self._table).to_csv(path, index=True)
        return path


@dataclass(frozen=True, kw_only=True)
class Driver:
    """A feature's weight in the profile score, or its push on one customer's score."""

    feature: str = field(metadata=BRIEF_OFF)
    label: str
    value: float


@dataclass(frozen=True, kw_only=True)
class OrderSummary:
    """One of a customer's recent orders."""

    order_id: str
    date: str
    items: int
    value: float
    returned: bool


@dataclass(frozen=True, kw_only=True)
class CustomerCard:
    """Everything known about one customer, with why the score is what it is."""

    customer_id: str
    country: str | None
    rfm_segment: str
    rfm_label: str
    rfm_label_zh: str
    cluster: int = field(metadata=BRIEF_OFF)
    cluster_description: list[str]
    profile_score: float
    purchase_prob: float
    churn_risk: float
    p_alive: float = field(metadata=BRIEF_OFF)
    expected_purchases_12m: float
    clv_12m: float
    features: dict[str, float]
    top_categories: dict[str, float]
    pushes_up: list[Driver]
    pushes_down: list[Driver]
    last_orders: list[OrderSummary] = field(metadata=BRIEF_OFF)
    horizon_days: int = field(metadata=BRIEF_OFF)
    source: str = field(default=COMPUTED, metadata=BRIEF_OFF)
    """Where the card comes from: computed now, or a batch run's table (which run)."""

    def to_frame(self) -> pd.DataFrame:
        """The card as (field, value) rows for a table view."""
        flat: dict[str, object] = {
            "customer id": self.customer_id,
            "country": self.country,
            "RFM segment": self.rfm_label,
            "cluster": self.cluster,
            "profile score": self.profile_score,
            "purchase probability": self.purchase_prob,
            "churn risk": self.churn_risk,
            "P(alive)": self.p_alive,
            "expected purchases (12 months)": self.expected_purchases_12m,
            "CLV (12 months)": self.clv_12m,
            **self.features,
        }
        return pd.DataFrame({"field": list(flat), "value": list(flat.values())})


@dataclass(frozen=True, kw_only=True)
class ScoreWeights:
    """What drives the profile score, and how well it predicts."""

    horizon_days: int
    weights: list[Driver]
    holdout_auc: dict[str, float]
    brier: float
    base_rate: float
    train_cutoff: str = field(metadata=BRIEF_OFF)
    test_cutoff: str = field(metadata=BRIEF_OFF)
    n_train: int = field(metadata=BRIEF_OFF)
    n_test: int = field(metadata=BRIEF_OFF)
    note: str

    def to_frame(self) -> pd.DataFrame:
        """One row per feature."""
        return pd.DataFrame([asdict(w) for w in self.weights])
