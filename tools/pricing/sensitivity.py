"""Price sensitivity in words a marketer can use: per product, per category, ranked."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tools.pricing.demand import ProductDemand
from tools.pricing.results import CategoryElasticity, ProductElasticity

Z90 = 1.6448536269514722


def units_change(elasticity: float, rise_pct: float = 10.0) -> float:
    """Percent change of units after a ``rise_pct`` price rise under constant elasticity."""
    return float(100 * ((1 + rise_pct / 100) ** elasticity - 1))


def product_elasticity(
    d: ProductDemand, title: str | None, title_zh: str | None = None
) -> ProductElasticity:
    """One product's estimate with its meaning (a 10% price rise) and reliability."""
    change = units_change(d.elasticity)
    low, high = sorted((units_change(d.ci90[0]), units_change(d.ci90[1])))
    return ProductElasticity(
        sku=d.product,
        title=title,
        category=d.category,
        elasticity=d.elasticity,
        ci90=d.ci90,
        raw_elasticity=d.raw_elasticity,
        promo_depth_elasticity=d.depth_elasticity,
        weeks=d.n_weeks,
        price_cv=d.price_cv,
        r2=d.r2,
        flags=list(d.flags),
        meaning=f"a 10% price rise changes weekly units by about {change:+.0f}%",
        units_change_10pct=change,
        units_change_10pct_ci90=(low, high),
        reliable=d.reliable,
        title_zh=title_zh,
    )


def category_elasticity(
    category: str, demands: list[ProductDemand], title: Callable[[str], str | None]
) -> CategoryElasticity | None:
    """The random-effects mean of the category's reliable products' estimates, with a 90%
    interval; None when no product of the category has a reliable estimate."""
    usable = [d for d in demands if d.reliable]
    if not usable:
        return None
    e = np.array([d.raw_elasticity for d in usable])
    s2 = np.array([max(d.raw_se, 1e-6) ** 2 for d in usable])
    between = max(float(e.var(ddof=1) - s2.mean()), 0.0) if len(e) > 1 else 0.0
    w = 1 / (s2 + between)
    mean = float(np.sum(w * e) / np.sum(w))
    se = float(np.sqrt(1 / np.sum(w)))
    sensitive = min(usable, key=lambda d: d.elasticity)
    return CategoryElasticity(
        category=category,
        products=len(usable),
        elasticity=mean,
        ci90=(mean - Z90 * se, mean + Z90 * se),
        units_change_10pct=units_change(mean),
        most_sensitive=sensitive.product,
        most_sensitive_title=title(sensitive.product),
        most_sensitive_elasticity=sensitive.elasticity,
    )


def rank_categories(
    demands: list[ProductDemand], title: Callable[[str], str | None]
) -> list[CategoryElasticity]:
    """Every category with a reliable estimate, most price-sensitive (most negative) first."""
    by: dict[str, list[ProductDemand]] = {}
    for d in demands:
        by.setdefault(d.category or "(none)", []).append(d)
    found = [c for cat, part in by.items() if (c := category_elasticity(cat, part, title))]
    return sorted(found, key=lambda c: c.elasticity)
