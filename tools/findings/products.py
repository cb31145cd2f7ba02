"""Findings of ``product_performance``: the item's sales and rank, the change, the margin, and
the segments that buy it more than they buy overall."""

from __future__ import annotations

from tools.findings.profiling import segment_name
from tools.findings.recommend import product_name
from tools.findings.say import Say
from tools.findings.types import Findings
from tools.sales.product_results import ProductPerformance


def _name(result: ProductPerformance, say: Say) -> str:
    if result.scope == "product":
        return product_name(result.key, result.title, result.title_zh, say)
    return result.key


def product_performance(result: ProductPerformance, say: Say) -> Findings:
    """Net sales with units and buyers, rank, change, margin; segments and best sellers as items."""
    span = f"{result.start.isoformat()} – {result.end.isoformat()}"
    if result.orders == 0 and result.returns == 0:
        name = _name(result, say)
        return Findings((say("products.none", name=name, said=result.period, span=span),))
    sentences = [
        say(
            "products.head",
            name=_name(result, say),
            said=result.period,
            span=span,
            net=say.money(result.net),
            units=say.count(result.units),
            orders=say.count(result.orders),
            customers=say.count(result.customers),
            returns=say.money(result.returns),
        )
    ]
    if result.rank is not None:
        of = say(f"products.rank_of_{result.scope}", n=result.rank_of)
        sentences.append(say("products.rank", rank=result.rank, of=of))
    if result.rank_in_category is not None and result.category:
        sentences.append(
            say(
                "products.rank_in_category",
                rank=result.rank_in_category,
                n=result.category_size,
                category=result.category,
            )
        )
    if result.change_pct is not None and result.previous_net is not None:
        sentences.append(
            say(
                "products.change",
                previous=say.money(result.previous_net),
                change=say.change(result.change_pct, 1),
            )
        )
    if result.partial:
        sentences.append(say("products.partial", end=result.end.isoformat()))
    if result.margin is not None and result.margin_rate is not None:
        sentences.append(
            say(
                "products.margin",
                margin=say.money(result.margin),
                rate=say.pct(result.margin_rate, 1),
            )
        )
        if result.margin_coverage is not None and result.margin_coverage < 0.995:
            sentences.append(say("products.margin_part", share=say.pct(result.margin_coverage)))
    else:
        sentences.append(say("products.no_margin"))
    segments = [
        say(
            "products.segment",
            segment=segment_name(s.segment, say),
            share=say.pct(s.share, 1),
            shop_share=say.pct(s.shop_share, 1),
            index="n/a" if s.index is None else say.num(s.index, 2),
        )
        for s in result.segments
    ]
    if segments:
        joined = ("；" if say.lang == "zh" else "; ").join(segments)
        sentences.append(say("products.segments", segments=joined))
    tops = tuple(
        say(
            "products.top",
            name=product_name(t.sku, t.title, t.title_zh, say),
            net=say.money(t.net),
            units=say.count(t.units),
        )
        for t in result.top_products
    )
    if tops:
        sentences.append(say("products.tops", n=len(tops)))
    return Findings(tuple(sentences), tops)
