"""Findings of the pricing tools: elasticity as a response, never as a verdict on the price."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tools.findings.profiling import segment_name
from tools.findings.recommend import product_name
from tools.findings.say import Say
from tools.findings.types import Findings, NextStep
from tools.pricing.demand import DemandFlag
from tools.pricing.discount import DiscountPlan
from tools.pricing.optimize import PriceDecision
from tools.pricing.results import (
    CategoryElasticity,
    ElasticityReport,
    PriceOptimization,
    ProductElasticity,
)

_FIGURES: dict[str, Callable[[Say, float], str]] = {
    "weeks": Say.count,
    "min_weeks": Say.count,
    "cv": lambda say, v: say.pct(v, 1),
    "min_cv": lambda say, v: say.pct(v, 1),
    "level": Say.pct,
    "low": Say.num,
    "high": Say.num,
    "elasticity": Say.num,
}
"""How each figure a flag carries is written (its name is the wording's placeholder)."""


def flag_words(flag: DemandFlag, say: Say) -> str:
    """A demand flag in words, with the figures that raised it: the one place flags are said."""
    figures = {name: _FIGURES[name](say, value) for name, value in flag.values.items()}
    return say(f"flag.{flag.code}", **figures)


def flags_words(flags: list[DemandFlag], say: Say) -> str:
    """Several flags as one clause: "a, b and c"."""
    return say.join([flag_words(f, say) for f in flags])


def _caveats(p: ProductElasticity, say: Say) -> list[str]:
    if not p.flags:
        return []
    words = flags_words(p.flags, say)
    return [say("elasticity.unreliable" if not p.reliable else "elasticity.caution", flags=words)]


def _product(p: ProductElasticity, say: Say) -> list[str]:
    name = product_name(p.sku, p.title, p.title_zh, say)
    sentences = [
        say(
            "elasticity.product",
            product=name,
            e=say.num(p.elasticity),
            low=say.num(p.ci90[0]),
            high=say.num(p.ci90[1]),
            weeks=p.weeks,
        ),
        say(
            "elasticity.meaning",
            change=say.change(p.units_change_10pct),
            low=say.change(p.units_change_10pct_ci90[0]),
            high=say.change(p.units_change_10pct_ci90[1]),
        ),
    ]
    if p.reliable and p.elasticity < -1:
        sentences.append(say("elasticity.elastic"))
    elif p.reliable and p.elasticity < 0:
        sentences.append(say("elasticity.inelastic"))
    sentences += _caveats(p, say)
    return sentences


def _category(c: CategoryElasticity, say: Say) -> str:
    return say(
        "elasticity.category_item",
        category=c.category,
        e=say.num(c.elasticity),
        low=say.num(c.ci90[0]),
        high=say.num(c.ci90[1]),
        n=c.products,
        change=say.change(c.units_change_10pct),
    )


def price_elasticity(result: ElasticityReport, say: Say) -> Findings:
    """One product, one category, or every category ranked by price sensitivity."""
    not_a_verdict = say("elasticity.not_a_verdict")
    if result.scope == "all categories":
        ranking = result.categories
        if not ranking:
            return Findings((say("elasticity.no_ranking"),))
        most, least = ranking[0], ranking[-1]
        head = say(
            "elasticity.ranking",
            n=len(ranking),
            most=most.category,
            e_most=say.num(most.elasticity),
            least=least.category,
            e_least=say.num(least.elasticity),
        )
        items = tuple(_category(c, say) for c in ranking)
        steps = (
            NextStep(
                say("elasticity.next_category_price", category=most.category),
                "optimize_price",
                {"category": most.category},
            ),
        )
        return Findings((head, say("elasticity.ranking_meaning"), not_a_verdict), items, steps)
    if len(result.products) == 1 and not result.categories:
        p = result.products[0]
        steps = (
            NextStep(say("elasticity.next_price", sku=p.sku), "optimize_price", {"sku": p.sku}),
        )
        return Findings((*_product(p, say), not_a_verdict), (), steps)
    summary = result.categories[0] if result.categories else None
    sentences = []
    category = result.scope.removeprefix("category ")
    if summary is not None:
        sentences.append(
            say(
                "elasticity.category",
                category=summary.category,
                e=say.num(summary.elasticity),
                low=say.num(summary.ci90[0]),
                high=say.num(summary.ci90[1]),
                n=summary.products,
                change=say.change(summary.units_change_10pct),
                most=product_name(summary.most_sensitive, summary.most_sensitive_title, None, say),
                e_most=say.num(summary.most_sensitive_elasticity),
            )
        )
    else:
        sentences.append(say("elasticity.category_unreliable", category=category))
    sentences.append(not_a_verdict)
    items = tuple(
        say(
            "elasticity.product_item",
            product=product_name(p.sku, p.title, p.title_zh, say),
            e=say.num(p.elasticity),
            low=say.num(p.ci90[0]),
            high=say.num(p.ci90[1]),
            change=say.change(p.units_change_10pct),
        )
        + ("" if p.reliable else say("elasticity.item_unreliable"))
        for p in result.products[:8]
    )
    steps = (
        NextStep(
            say("elasticity.next_category_price", category=category),
            "optimize_price",
            {"category": category},
        ),
    )
    return Findings(tuple(sentences), items, steps)


def _binding(d: PriceDecision, result: PriceOptimization, say: Say) -> str:
    kind, _, why = d.binding_kind.partition(":")
    if kind == "demand_curve":
        return say("price.binding_curve")
    limit = say(
        f"limit.{why}",
        step=say.num(result.max_change_pct, 0),
        margin=say.num(result.min_margin_pct, 0),
    )
    return say(f"price.binding_{kind}", limit=limit)


def _cost(d: PriceDecision, result: PriceOptimization, say: Say) -> str:
    if d.cost_source.startswith("assumed") and result.assumed_margin is not None:
        return say(
            "price.cost_assumed", cost=say.money(d.unit_cost), margin=say.pct(result.assumed_margin)
        )
    return say("price.cost_catalogue", cost=say.money(d.unit_cost))


def _decision(d: PriceDecision, result: PriceOptimization, say: Say, name: str) -> list[str]:
    if d.status == "refused":
        if d.refusal == "infeasible":
            why = say(
                "price.infeasible",
                low=say.money(d.lowest_allowed),
                high=say.money(d.highest_allowed),
            )
        elif d.refusal == "no_ending":
            why = say(
                "price.no_ending",
                low=say.money(d.lowest_allowed),
                high=say.money(d.highest_allowed),
            )
        else:
            why = say("price.unreliable", e=say.num(d.elasticity), flags=flags_words(d.flags, say))
        return [say("price.keep", product=name, price=say.money(d.current_price), why=why)]
    goal = say(f"price.objective_{result.objective}")
    sentences = [
        say(
            "price.head",
            goal=goal,
            product=name,
            new=say.money(d.recommended_price),
            now=say.money(d.current_price),
            change=say.change(d.price_change_pct),
        ),
        say(
            "price.expected",
            units=say.change(d.units_change_pct),
            revenue=say.change(d.revenue_change_pct),
            profit=say.change(d.profit_change_pct),
            low=say.change(d.profit_change_ci90[0]),
            high=say.change(d.profit_change_ci90[1]),
            before=say.money(d.weekly_profit_now),
            after=say.money(d.weekly_profit_new),
        ),
        _binding(d, result, say) + " " + _cost(d, result, say),
    ]
    if d.status == "flagged":
        sentences.append(say("price.flagged", e=say.num(d.elasticity)))
    return sentences


def _named(result: PriceOptimization, sku: str, say: Say) -> str:
    return product_name(sku, result.titles.get(sku), result.titles.get(f"{sku}/zh"), say)


def optimize_price(result: PriceOptimization, say: Say) -> Findings:
    """The recommended price, what it changes, what decided it, and on what cost."""
    if len(result.decisions) == 1:
        d = result.decisions[0]
        step = NextStep(
            say("price.next_elasticity", sku=d.product), "price_elasticity", {"sku": d.product}
        )
        said = (*_decision(d, result, say, _named(result, d.product, say)), *_forecast(result, say))
        return Findings(said, (), (step,))
    changed = [d for d in result.decisions if d.status != "refused"]
    kept = len(result.decisions) - len(changed)
    category = result.scope.removeprefix("category ")
    head = say(
        "price.category_head",
        category=category,
        n=len(result.decisions),
        changed=len(changed),
        kept=kept,
        before=say.money(result.weekly_profit_now),
        after=say.money(result.weekly_profit_new),
        change=say.change(result.profit_change_pct),
    )
    limits = say(
        "price.category_limits",
        step=say.num(result.max_change_pct, 0),
        margin=say.num(result.min_margin_pct, 0),
    )
    sentences = [head, limits]
    if result.assumed_margin is not None:
        sentences.append(say("price.category_assumed", margin=say.pct(result.assumed_margin)))
    sentences.extend(_forecast(result, say))
    top = sorted(changed, key=lambda d: -abs(d.weekly_profit_new - d.weekly_profit_now))[:8]
    items = tuple(
        say(
            "price.category_item",
            product=_named(result, d.product, say),
            now=say.money(d.current_price),
            new=say.money(d.recommended_price),
            profit=say.change(d.profit_change_pct),
        )
        + (say("price.item_flagged") if d.status == "flagged" else "")
        for d in top
    )
    return Findings(tuple(sentences), items)


def _forecast(result: PriceOptimization, say: Say) -> tuple[str, ...]:
    """How well the demand model forecast held-out weeks (a caution when no better than naive)."""
    score = result.forecast
    if score is None or not np.isfinite(score.wape):
        return ()
    key = "price.forecast_no_better" if score.verdict == "no_better" else "price.forecast"
    return (say(key, weeks=score.weeks, wape=say.pct(score.wape), naive=say.pct(score.naive_wape)),)


def recommend_discount(result: DiscountPlan, say: Say) -> Findings:
    """The depth that pays within budget, or why none does; with the assumption that matters."""
    name = segment_name(result.segment, say)
    scope = say(
        "discount.scope",
        name=name,
        customers=say.count(result.customers),
        weeks=result.weeks,
        budget=say.money(result.budget),
    )
    best = next((o for o in result.options if o.depth_pct == result.recommended_depth_pct), None)
    if result.outcome == "offer" and best is not None:
        head = say(
            "discount.offer",
            depth=say.num(best.depth_pct, 0),
            profit=say.money(best.incremental_profit),
            revenue=say.money(best.incremental_revenue),
            cost=say.money(best.discount_cost),
        )
    elif result.outcome == "over_budget" and result.best_any_budget is not None:
        o = result.best_any_budget
        head = say(
            "discount.over_budget",
            depth=say.num(o.depth_pct, 0),
            cost=say.money(o.discount_cost),
            profit=say.money(o.incremental_profit),
        )
    elif result.outcome == "no_baseline":
        return Findings((scope, say("discount.no_baseline", weeks=result.history_weeks)))
    else:
        head = say("discount.no_profit")
    sentences = (
        scope,
        head,
        say(
            "discount.assumption",
            weeks=result.history_weeks,
            response=say.num(result.promo_response),
        ),
    )
    items = tuple(
        say(
            "discount.item",
            depth=say.num(o.depth_pct, 0),
            cost=say.money(o.discount_cost),
            profit=say.money(o.incremental_profit),
        )
        + ("" if o.within_budget else say("discount.item_over"))
        for o in result.options
    )
    steps: tuple[NextStep, ...] = ()
    if result.outcome == "offer":
        plan = say("discount.next_plan", name=name, budget=say.count(result.budget))
        arguments = {
            "goal": plan,
            "budget": result.budget,
            "audience": result.segment,
            "weeks": result.weeks,
        }
        steps = (NextStep(plan, "plan_campaign", arguments),)
    return Findings(sentences, items, steps)
