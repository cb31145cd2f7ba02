"""Agent-facing pricing tools: elasticity, price optimisation, discounts."""

from __future__ import annotations

from typing import Annotated, Literal

import pandas as pd
from pydantic import Field

from copilot.core.errors import ToolError
from tools._match import close_matches
from tools._shop import no_orders
from tools._tool import COMPUTED, ToolContext, tool
from tools.pricing.demand import DemandModel, ProductDemand, fit_demand
from tools.pricing.discount import DiscountPlan, plan_discount
from tools.pricing.optimize import Constraints, optimize_prices
from tools.pricing.panel import shop_panel
from tools.pricing.results import ElasticityReport, PriceOptimization, ProductElasticity
from tools.pricing.sensitivity import category_elasticity, product_elasticity, rank_categories
from tools.pricing.served import served_demand
from tools.pricing.validation import ForecastCheck, Score, check_demand_forecast
from tools.profiling.api import empty_segment, scored_customers, segment_mask
from tools.profiling.segments import SegmentName
from tools.recommend.components import non_merchandise


def _panel(ctx: ToolContext) -> pd.DataFrame:
    def build() -> pd.DataFrame:
        products, lines = ctx.shop.products(), ctx.shop.order_lines()
        if lines.empty:
            raise no_orders()
        return shop_panel(lines, products, non_merchandise(products))

    return ctx.cached("demand_panel", build)


def demand_model(ctx: ToolContext) -> DemandModel:
    """The fitted demand model for the current data version (cached)."""
    return ctx.cached("demand", lambda: fit_demand(_panel(ctx)))


def demand_check(ctx: ToolContext) -> ForecastCheck | None:
    """How the demand model forecast the last weeks it was not fitted on (cached)."""
    return ctx.cached("demand_check", lambda: check_demand_forecast(_panel(ctx)))


def _trusted_forecast(ctx: ToolContext, category: str | None) -> Score | None:
    """The demand model's forecast score for the category; refuses when it is clearly worse
    than a plain average (prices would stand on a model that forecasts worse than none)."""
    check = demand_check(ctx)
    if check is None:
        return None
    score = check.for_category(category)
    if score.verdict == "worse":
        where = category or "these products"
        raise ToolError(
            f"the demand model forecast {where} worse than a plain average over the last "
            f"{check.weeks} weeks (it missed {score.wape:.0%} of units sold, the average "
            f"{score.naive_wape:.0%}), so no price is optimised on it.",
            key="refusal.forecast_worse",
            values={
                "category": where,
                "weeks": check.weeks,
                "wape": f"{score.wape:.0%}",
                "naive": f"{score.naive_wape:.0%}",
            },
        )
    return score


def _slots(
    model: DemandModel, sku: str | None, category: str | None
) -> tuple[str | None, str | None]:
    """(sku, category), with a category name given as the product code moved to category."""
    cats = {p.category.lower() for p in model.products.values() if p.category}
    if sku is not None and sku.strip().lower() in cats and category is None:
        return None, sku
    return sku, category


def _scope(model: DemandModel, sku: str | None, category: str | None) -> list[ProductDemand]:
    if sku is None and category is None:
        raise ToolError("give a sku or a category.")
    cats = sorted({p.category for p in model.products.values() if p.category})
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
                    + (f" Did you mean: {', '.join(hints)}?" if hints else ""),
                    key="refusal.no_demand_near" if hints else "refusal.no_demand",
                    values={"sku": sku, "ids": ", ".join(hints)},
                )
        return [model.products[code]]
    match = [c for c in cats if c.lower() == category.strip().lower()]  # type: ignore[union-attr]
    if not match:
        hints = close_matches(category, cats) or cats[:10]  # type: ignore[arg-type]
        raise ToolError(
            f"unknown category {category!r}; categories: {', '.join(hints)}.",
            key="refusal.unknown_category",
            values={"category": category, "known": ", ".join(hints)},
        )
    return [p for p in model.products.values() if p.category == match[0]]


def _title(ctx: ToolContext, sku: str, column: str = "title") -> str | None:
    catalog = ctx.catalog()
    title = catalog[column].get(sku) if column in catalog else None
    return None if title is None or not isinstance(title, str) else title


@tool
def price_elasticity(
    ctx: ToolContext,
    sku: Annotated[str | None, Field(max_length=40)] = None,
    category: Annotated[str | None, Field(max_length=60)] = None,
) -> ElasticityReport:
    """How sensitive demand is to price for one product, a category, or every category ranked
    (give neither sku nor category): the own-price elasticity with a 90% interval, fitted from
    weekly sales (log-log with seasonality, trend and promotion controls, shrunk toward the
    category). Use for "how price sensitive is X", "which categories are most price
    sensitive"; use optimize_price to choose a price.

    Args:
        sku: the product's stock code; omit both for a ranking of all categories.
        category: a product category name (a sku wins when both are given).
    """
    served = served_demand(ctx)
    model, source = served if served is not None else (demand_model(ctx), COMPUTED)
    method = (
        "log-log regression per product on weeks with sales; empirical-Bayes shrinkage "
        "toward the category mean; category: random-effects mean of reliable products"
    )
    if sku is None and category is None:
        everything = list(model.products.values())
        if not everything:
            raise ToolError("no product has enough sales history for a demand estimate yet.")
        ranking = rank_categories(everything, lambda s: _title(ctx, s))
        top = sorted((d for d in everything if d.reliable), key=lambda d: d.elasticity)[:5]
        return ElasticityReport(
            scope="all categories",
            category_mean=None,
            products=[_product(ctx, d) for d in top],
            method=method,
            categories=ranking,
            source=source,
        )
    sku, category = _slots(model, sku, category)
    demands = _scope(model, sku, category)
    rows = [_product(ctx, d) for d in sorted(demands, key=lambda d: -d.baseline_units)[:25]]
    cat = demands[0].category
    prior = model.priors.get(cat or "(none)")
    summary = (
        category_elasticity(cat or "(none)", demands, lambda s: _title(ctx, s))
        if sku is None
        else None
    )
    return ElasticityReport(
        scope=sku or f"category {cat}",
        category_mean=prior[0] if prior else None,
        products=rows,
        method=method,
        categories=[summary] if summary else [],
        source=source,
    )


def _product(ctx: ToolContext, d: ProductDemand) -> ProductElasticity:
    return product_elasticity(d, _title(ctx, d.product), _title(ctx, d.product, "title_zh"))


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
    model = demand_model(ctx)
    sku, category = _slots(model, sku, category)
    demands = _scope(model, sku, category)
    forecast = _trusted_forecast(ctx, demands[0].category)
    catalog = ctx.catalog()
    margin = ctx.settings.default_margin
    costs: dict[str, tuple[float, str]] = {}
    for d in demands:
        known = catalog["unit_cost"].get(d.product) if "unit_cost" in catalog else None
        if known is not None and not pd.isna(known) and known > 0:
            costs[d.product] = (float(known), "catalogue unit cost")
        else:
            costs[d.product] = (d.current_price * (1 - margin), f"assumed: {margin:.0%} margin")
    ending = None if price_ending == "any" else float(price_ending)
    decisions = optimize_prices(
        demands,
        costs,
        Constraints(max_change_pct=max_change_pct, min_margin_pct=min_margin_pct, ending=ending),
        objective,
        curve_points=25 if sku else 0,
    )
    assumed = sum(1 for c in costs.values() if c[1].startswith("assumed"))
    now = float(sum(x.weekly_profit_now for x in decisions))
    new = float(sum(x.weekly_profit_new for x in decisions))
    return PriceOptimization(
        scope=sku or f"category {demands[0].category}",
        objective=objective,
        decisions=decisions,
        weekly_profit_now=now,
        weekly_profit_new=new,
        cost_note=f"{len(costs) - assumed} products with catalogue cost, {assumed} with an assumed "
        f"{margin:.0%} margin",
        max_change_pct=max_change_pct,
        min_margin_pct=min_margin_pct,
        profit_change_pct=100 * (new / now - 1) if now > 0 else 0.0,
        assumed_margin=margin if assumed else None,
        titles=_titles(ctx, [d.product for d in decisions]),
        forecast=forecast,
    )


def _titles(ctx: ToolContext, skus: list[str]) -> dict[str, str]:
    out = {}
    for sku in skus:
        for column, key in (("title", sku), ("title_zh", f"{sku}/zh")):
            title = _title(ctx, sku, column)
            if title:
                out[key] = title
    return out


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
    table = scored_customers(ctx)
    members = table.index[segment_mask(table, segment)]
    if len(members) == 0:
        raise empty_segment(segment)
    return audience_discount(ctx, segment, members, budget, weeks)


def audience_discount(
    ctx: ToolContext,
    segment: str,
    members: pd.Index,
    budget: float,
    weeks: int,
    skus: tuple[str, ...] = (),
) -> DiscountPlan:
    """The discount analysis for ``members``, on ``skus`` only when given (a plan whose goal
    names products)."""
    model = demand_model(ctx)
    elasticity = {k: v.elasticity for k, v in model.products.items() if v.reliable}
    catalog = ctx.catalog()
    cost = {str(k): float(v) for k, v in catalog["unit_cost"].dropna().items()}
    lines = ctx.shop.order_lines()
    if skus:
        lines = lines[lines["sku"].isin(skus)]
    return plan_discount(
        segment,
        members,
        lines,
        elasticity,
        cost,
        budget,
        weeks,
        default_margin=ctx.settings.default_margin,
        categories=catalog["category"] if "category" in catalog else None,
    )
