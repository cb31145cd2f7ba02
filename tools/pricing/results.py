"""Result values of the pricing and experiment tools."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools._brief import BRIEF_OFF
from tools._tool import COMPUTED
from tools.pricing.demand import DemandFlag
from tools.pricing.experiments import PEEKING_WARNING
from tools.pricing.optimize import PriceDecision
from tools.pricing.validation import Score


@dataclass(frozen=True, kw_only=True)
class ProductElasticity:
    """One product's price sensitivity in numbers and words."""

    sku: str
    title: str | None
    category: str | None
    elasticity: float
    ci90: tuple[float, float]
    raw_elasticity: float = field(metadata=BRIEF_OFF)
    promo_depth_elasticity: float | None = field(metadata=BRIEF_OFF)
    weeks: int
    price_cv: float = field(metadata=BRIEF_OFF)
    r2: float = field(metadata=BRIEF_OFF)
    flags: list[DemandFlag]
    """Why to take care (codes with their figures; the brief shows the codes)."""
    meaning: str
    units_change_10pct: float = 0.0
    """Expected change of weekly units, in percent, after a 10% price rise."""
    units_change_10pct_ci90: tuple[float, float] = field(default=(0.0, 0.0), metadata=BRIEF_OFF)
    reliable: bool = True
    title_zh: str | None = field(default=None, metadata=BRIEF_OFF)


@dataclass(frozen=True, kw_only=True)
class CategoryElasticity:
    """A category's price sensitivity: the precision-weighted mean of its reliable products."""

    category: str
    products: int
    elasticity: float
    ci90: tuple[float, float]
    units_change_10pct: float
    most_sensitive: str
    most_sensitive_title: str | None
    most_sensitive_elasticity: float


@dataclass(frozen=True, kw_only=True)
class ElasticityReport:
    """Elasticities of a product, a category, or every category ranked (no sku or category)."""

    scope: str
    category_mean: float | None
    products: list[ProductElasticity]
    method: str = field(metadata=BRIEF_OFF)
    categories: list[CategoryElasticity] = field(default_factory=list)
    """Every category, most price-sensitive first (a ranking), or the one category asked for."""
    source: str = field(default=COMPUTED, metadata=BRIEF_OFF)


@dataclass(frozen=True, kw_only=True)
class PriceOptimization:
    """Price decisions with totals (weekly, at the recommended prices)."""

    scope: str
    objective: str
    decisions: list[PriceDecision]
    weekly_profit_now: float
    weekly_profit_new: float
    cost_note: str
    max_change_pct: float = 20.0
    min_margin_pct: float = 10.0
    profit_change_pct: float = 0.0
    assumed_margin: float | None = field(default=None, metadata=BRIEF_OFF)
    """The margin assumed for products without a catalogue cost (None when all have one)."""
    titles: dict[str, str] = field(default_factory=dict, metadata=BRIEF_OFF)
    """Product titles by sku (English; Chinese under "sku/zh")."""
    forecast: Score | None = field(default=None, metadata=BRIEF_OFF)
    """How the demand model behind these prices forecast the last weeks it was not fitted on
    (WAPE beside a plain average's); None with too little history to check."""


@dataclass(frozen=True, kw_only=True)
class SampleSizePlan:
    """How many customers an A/B test needs and how long it runs."""

    metric: str
    baseline: float
    target: float
    control: int
    treatment: int
    total: int
    days: int | None
    alpha: float
    power: float
    method: str = field(metadata=BRIEF_OFF)
    warning: str = PEEKING_WARNING
    mde_pct: float = 0.0
    daily_customers: int | None = None
    treatment_share: float = 0.5
