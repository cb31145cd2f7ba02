"""Agent-facing pricing and experiment tools."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from copilot.errors import ToolError
from tools._brief import BRIEF_OFF
from tools._match import close_matches
from tools._tool import ToolContext, tool
from tools.pricing.demand import DemandModel, ProductDemand, fit_demand
from tools.pricing.discount import DiscountPlan, plan_discount
from tools.pricing.experiments import (
    PEEKING_WARNING,
    Readout,
    readout_means,
    readout_proportions,
    sample_size_means,
    sample_size_proportions,
)
from tools.pricing.optimize import Constraints, PriceDecision, optimize_prices
from tools.pricing.panel import shop_panel
from tools.profiling.api import profiles, segment_mask
from tools.profiling.segments import SegmentName
from tools.recommend.pipeline import non_merchandise


@dataclass(frozen=True)
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
    flags: list[str]
    meaning: str


@dataclass(frozen=True)
class ElasticityReport:
    """Elasticities of a product or a category, with the category prior."""

    scope: str
    category_mean: float | None
    products: list[ProductElasticity]
    method: str = field(metadata=BRIEF_OFF)


@dataclass(frozen=True)
class PriceOptimization:
    """Price decisions with totals (weekly, at the recommended prices)."""

    scope: str
    objective: str
    decisions: list[PriceDecision]
    weekly_profit_now: float
    weekly_profit_new: float
    cost_note: str


@dataclass(frozen=True)
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


def demand_model(ctx: ToolContext) -> DemandModel:
    """The fitted demand model for the current data version (cached)."""

    def build() -> DemandModel:
        products = ctx.shop.products()
        panel = shop_panel(ctx.shop.order_lines(), products, non_merchandise(products))
        return fit_demand(panel)

    return ctx.cached("demand", build)


def _scope(ctx: ToolContext, sku: str | None, category: str | None) -> list[ProductDemand]:
    model = demand_model(ctx)
    if sku is None and category is None:
        raise ToolError("give a sku or a category.")
    # Both given: the SKU is the more specific ask (small models add the product's category).
    if sku is not None:
        code = sku.strip()
        if code not in model.products:
            upper = {k.upper(): k for k in model.products}
            if code.upper() in upper:
                code = upper[code.upper()]
            else:
                hints = close_matches(code, list(model.products))
                raise ToolError(
                    f"no demand model for product {sku!r} (unknown, or too few sales)."
                    + (f" Did you mean: {', '.join(hints)}?" if hints else "")
                )
        return [model.products[code]]
    cats = sorted({p.category for p in model.products.values() if p.category})
    match = [c for c in cats if c.lower() == category.strip().lower()]  # type: ignore[union-attr]
    if not match:
        hints = close_matches(category, cats) or cats[:10]  # type: ignore[arg-type]
        raise ToolError(f"unknown category {category!r}; categories: {', '.join(hints)}.")
    return [p for p in model.products.values() if p.category == match[0]]


def _title(ctx: ToolContext, sku: str) -> str | None:
    title = ctx.catalog()["title"].get(sku)
    return None if title is None or not isinstance(title, str) else title


@tool
def price_elasticity(
    ctx: ToolContext,
    sku: Annotated[str | None, Field(max_length=40)] = None,
    category: Annotated[str | None, Field(max_length=60)] = None,
) -> ElasticityReport:
    """How sensitive demand is to price for one product or a category: the own-price
    elasticity with a 90% interval, fitted from weekly sales (log-log with seasonality, trend
    and promotion controls, shrunk toward the category). Use for "how price sensitive is X";
    use optimize_price to choose a price.

    Args:
        sku: the product's stock code; give this or category.
        category: a product category name; give this or sku (a sku wins when both are given).
    """
    demands = _scope(ctx, sku, category)
    model = demand_model(ctx)
    rows = []
    for d in sorted(demands, key=lambda d: -d.baseline_units)[:25]:
        change = 100 * (1.1**d.elasticity - 1)
        rows.append(
            ProductElasticity(
                d.product,
                _title(ctx, d.product),
                d.category,
                d.elasticity,
                d.ci90,
                d.raw_elasticity,
                d.depth_elasticity,
                d.n_weeks,
                d.price_cv,
                d.r2,
                d.flags,
                f"a 10% price rise changes weekly units by about {change:+.0f}%",
            )
        )
    cat = demands[0].category
    prior = model.priors.get(cat or "(none)")
    return ElasticityReport(
        sku or f"category {category}",
        prior[0] if prior else None,
        rows,
        "log-log regression per product on weeks with sales; empirical-Bayes "
        "shrinkage toward the category mean",
    )


@tool
def optimize_price(
    ctx: ToolContext,
    sku: Annotated[str | None, Field(max_length=40)] = None,
    category: Annotated[str | None, Field(max_length=60)] = None,
    objective: Literal["profit", "revenue"] = "profit",
    max_change_pct: Annotated[float, Field(gt=0, le=50)] = 20.0,
    min_margin_pct: Annotated[float, Field(ge=0, lt=95)] = 10.0,
    price_ending: Literal["any", ".99", ".95"] = "any",
) -> PriceOptimization:
    """The price that maximises weekly profit (or revenue) for a product or a whole category,
    within business limits, with the expected change in units, revenue and profit (90%
    intervals), the binding constraint in words and a profit curve. Use for "what price
    maximises profit for SKU X".

    Args:
        sku: the product's stock code; give this or category.
        category: a product category name; give this or sku (a sku wins when both are given).
        objective: "profit" (default) or "revenue".
        max_change_pct: largest allowed price change from the current price, in percent.
        min_margin_pct: smallest allowed margin (price - cost) / price, in percent.
        price_ending: "any", ".99" or ".95" price endings.
    """
    demands = _scope(ctx, sku, category)
    catalog = ctx.catalog()
    margin = ctx.settings.default_margin
    costs: dict[str, tuple[float, str]] = {}
    for d in demands:
        known = catalog["unit_cost"].get(d.product) if "unit_cost" in catalog else None
        if known is not None and not pd.isna(known) and known > 0:
            costs[d.product] = (float(known), "catalogue unit cost")
        else:
            costs[d.product] = (
                d.current_price * (1 - margin),
                f"assumed: {margin:.0%} margin (COPILOT_DEFAULT_MARGIN)",
            )
    ending = None if price_ending == "any" else float(price_ending)
    decisions = optimize_prices(
        demands,
        costs,
        Constraints(max_change_pct, min_margin_pct, ending=ending),
        objective,
        curve_points=25 if sku else 0,
    )
    assumed = sum(1 for c in costs.values() if c[1].startswith("assumed"))
    return PriceOptimization(
        sku or f"category {category}",
        objective,
        decisions,
        float(sum(x.weekly_profit_now for x in decisions)),
        float(sum(x.weekly_profit_new for x in decisions)),
        f"{len(costs) - assumed} products with catalogue cost, {assumed} with an assumed "
        f"{margin:.0%} margin",
    )


@tool
def recommend_discount(
    ctx: ToolContext,
    segment: SegmentName,
    budget: Annotated[float, Field(gt=0)],
    weeks: Annotated[int, Field(ge=1, le=12)] = 4,
) -> DiscountPlan:
    """The discount depth (5-30%) that maximises a customer segment's incremental profit within
    a budget, using the segment's promotion response and the products' elasticities, with the
    assumption chain spelled out. Use for "what discount should I give at-risk customers".

    Args:
        segment: RFM segment key or "cluster N", e.g. "at_risk" = 有流失风险, "lost" =
            已流失, "champions" = 最有价值.
        budget: the most the discount may cost over the campaign (money given away).
        weeks: campaign length in weeks.
    """
    table = profiles(ctx).table
    members = table.index[segment_mask(table, segment)]
    if len(members) == 0:
        raise ToolError(f"segment {segment!r} has no customers; use segment_overview.")
    model = demand_model(ctx)
    elasticity = {k: v.elasticity for k, v in model.products.items() if v.reliable}
    catalog = ctx.catalog()
    cost = {str(k): float(v) for k, v in catalog["unit_cost"].dropna().items()}
    return plan_discount(
        segment,
        members,
        ctx.shop.order_lines(),
        elasticity,
        cost,
        budget,
        weeks,
        default_margin=ctx.settings.default_margin,
    )


@tool
def ab_test_sample_size(
    ctx: ToolContext,
    metric: Literal["conversion", "revenue"],
    baseline: Annotated[float, Field(gt=0)],
    mde_pct: Annotated[float, Field(gt=0, le=500)],
    sd: Annotated[float | None, Field(gt=0)] = None,
    alpha: Annotated[float, Field(gt=0, lt=0.5)] = 0.05,
    power: Annotated[float, Field(gt=0.5, lt=1)] = 0.8,
    treatment_share: Annotated[float, Field(gt=0, lt=1)] = 0.5,
    daily_customers: Annotated[int | None, Field(gt=0)] = None,
) -> SampleSizePlan:
    """Customers needed per group for an A/B test or a campaign holdout to detect a relative
    change of mde_pct, and how many days that takes. Use for "how big must my test be".

    Args:
        metric: "conversion" (a rate, baseline like 0.05) or "revenue" (mean per customer).
        baseline: control conversion rate (0-1) or mean revenue per customer.
        mde_pct: smallest relative change worth detecting, in percent (10 = +10%).
        sd: standard deviation of revenue per customer (required for revenue).
        alpha: significance level (two-sided).
        power: probability of detecting the change if it is real.
        treatment_share: share of customers who get the treatment (0.9 = 10% holdout).
        daily_customers: eligible customers per day, to estimate the duration.
    """
    ratio = treatment_share / (1 - treatment_share)
    target = baseline * (1 + mde_pct / 100)
    if metric == "conversion":
        if baseline >= 1 or target >= 1:
            raise ToolError(
                "a conversion baseline is a rate below 1 (e.g. 0.05 for 5%), and "
                "baseline x (1 + mde) must stay below 1."
            )
        control, treat = sample_size_proportions(baseline, target, alpha, power, ratio)
        method = "two-proportion test, normal approximation on Cohen's h"
    else:
        if sd is None:
            raise ToolError("revenue needs sd, the standard deviation of revenue per customer.")
        control, treat = sample_size_means(target - baseline, sd, alpha, power, ratio)
        method = "Welch/Student t-test power (noncentral t)"
    total = control + treat
    days = int(np.ceil(total / daily_customers)) if daily_customers else None
    return SampleSizePlan(
        metric, baseline, target, control, treat, total, days, alpha, power, method
    )


@tool
def ab_test_readout(
    ctx: ToolContext,
    metric: Literal["conversion", "revenue"],
    control_n: Annotated[int, Field(ge=2)],
    treatment_n: Annotated[int, Field(ge=2)],
    control_conversions: Annotated[int | None, Field(ge=0)] = None,
    treatment_conversions: Annotated[int | None, Field(ge=0)] = None,
    control_mean: float | None = None,
    control_sd: Annotated[float | None, Field(ge=0)] = None,
    treatment_mean: float | None = None,
    treatment_sd: Annotated[float | None, Field(ge=0)] = None,
) -> Readout:
    """Read out an A/B test: difference, 95% interval, p-value and a plain-words verdict
    (two-proportion z-test for conversion, Welch t-test for revenue per customer).

    Args:
        metric: "conversion" or "revenue".
        control_n: customers in the control group.
        treatment_n: customers in the treatment group.
        control_conversions: converted control customers (conversion).
        treatment_conversions: converted treatment customers (conversion).
        control_mean: mean revenue per control customer (revenue).
        control_sd: standard deviation of revenue per control customer (revenue).
        treatment_mean: mean revenue per treatment customer (revenue).
        treatment_sd: standard deviation of revenue per treatment customer (revenue).
    """
    try:
        if metric == "conversion":
            if control_conversions is None or treatment_conversions is None:
                raise ToolError("conversion needs control_conversions and treatment_conversions.")
            return readout_proportions(
                control_conversions, control_n, treatment_conversions, treatment_n
            )
        if (
            control_mean is None
            or control_sd is None
            or treatment_mean is None
            or treatment_sd is None
        ):
            raise ToolError("revenue needs control_mean, control_sd, treatment_mean, treatment_sd.")
        return readout_means(
            control_mean, control_sd, control_n, treatment_mean, treatment_sd, treatment_n
        )
    except ValueError as exc:
        raise ToolError(f"{exc}; fix the numbers and call again.") from exc
