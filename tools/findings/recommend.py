"""Findings of the recommendation tools: the recommender's own reasons, nothing invented."""

from __future__ import annotations

from tools.findings.profiling import segment_name
from tools.findings.say import Say
from tools.findings.types import Findings, NextStep
from tools.recommend.results import (
    ProductRecommendations,
    RecommendedProduct,
    RelatedProducts,
    SegmentPicks,
)


def product_name(sku: str, title: str | None, title_zh: str | None, say: Say) -> str:
    """The product as "Title (SKU)" in the question's language, or the SKU alone."""
    shown = title_zh if say.lang == "zh" and title_zh else title
    return f"{shown} ({sku})" if shown else sku


def _reason(item: RecommendedProduct, titles: dict[str, str], say: Say) -> str:
    if item.reason_kind in ("also_bought", "similar_to") and item.because:
        named = [product_name(s, titles.get(s), titles.get(f"{s}/zh"), say) for s in item.because]
        return say(f"reason.{item.reason_kind}", products=say.join(named))
    if item.reason_kind == "neighbours":
        n, of = item.neighbours
        return say("reason.neighbours", n=n, of=of)
    if item.reason_kind in ("trending", "buy_again", "cold_start"):
        return say(f"reason.{item.reason_kind}")
    return say("reason.model")


def recommend_products(result: ProductRecommendations, say: Say) -> Findings:
    """The list with each product's reason as the recommender gave it."""
    if not result.items:
        return Findings((say("recs.none", id=result.customer_id),))
    key = "recs.cold" if result.cold_start else "recs.head"
    scope = say("recs.new_only" if result.exclude_purchased else "recs.with_rebuys")
    reasons = [_reason(i, result.titles, say) for i in result.items]
    shared = len(reasons) > 2 and len(set(reasons)) == 1
    items = tuple(
        say(
            "recs.item_plain" if shared else "recs.item",
            product=product_name(i.sku, i.title, i.title_zh, say),
            price=say.money(i.list_price) if i.list_price is not None else "n/a",
            reason=reason,
        )
        for i, reason in zip(result.items, reasons, strict=True)
    )
    first = result.items[0]
    steps = (
        NextStep(
            say("recs.next_bought_with", sku=first.sku),
            "frequently_bought_with",
            {"sku": first.sku},
        ),
    )
    head = say(key, id=result.customer_id, n=len(result.items), scope=scope)
    sentences = (head, say("recs.shared_reason", reason=reasons[0])) if shared else (head,)
    return Findings(sentences, items, steps)


def recommend_for_segment(result: SegmentPicks, say: Say) -> Findings:
    """Products ranked by how many of the segment's customers they suit."""
    name = segment_name(result.segment, say)
    if not result.items:
        return Findings((say("picks.none", name=name, customers=say.count(result.customers)),))
    head = say(
        "picks.head",
        name=name,
        customers=say.count(result.customers),
        k=result.per_customer_list,
    )
    items = tuple(
        say(
            "picks.item",
            product=product_name(i.sku, i.title, i.title_zh, say),
            n=say.count(i.customers_suited),
            share=say.pct(i.share_of_segment),
        )
        for i in result.items
    )
    steps = (
        NextStep(
            say("picks.next_customers", name=name),
            "find_customers",
            {"segment": result.segment},
        ),
    )
    return Findings((head,), items, steps)


def related_products(result: RelatedProducts, say: Say) -> Findings:
    """Similar products (same customers) or products bought in the same orders."""
    me = product_name(result.sku, result.title, result.title_zh, say)
    basket = result.orders_with_sku is not None
    if not result.items:
        return Findings((say("related.none_basket" if basket else "related.none", product=me),))
    if basket:
        head = say("related.basket_head", product=me, orders=say.count(result.orders_with_sku or 0))
        items = tuple(
            say(
                "related.basket_item",
                product=product_name(i.sku, i.title, i.title_zh, say),
                together=say.count(i.together_orders or 0),
                confidence=say.pct(i.confidence or 0.0),
                lift=say.num(i.lift or 0.0, 1),
            )
            for i in result.items
        )
        note = say("related.lift_meaning")
        sentences: tuple[str, ...] = (head, note)
    else:
        head = say("related.similar_head", product=me)
        items = tuple(
            say(
                "related.similar_item",
                product=product_name(i.sku, i.title, i.title_zh, say),
                similarity=say.num(i.similarity),
            )
            for i in result.items
        )
        sentences = (head,)
    other = "similar_products" if basket else "frequently_bought_with"
    steps = (NextStep(say(f"related.next_{other}", sku=result.sku), other, {"sku": result.sku}),)
    return Findings(sentences, items, steps)
