"""A product's neighbours or basket companions read from the last batch run's table, when it
computed the shop's current data (no recommender is fitted for them)."""

from __future__ import annotations

from typing import Literal

from copilot.shop import schema
from copilot.shop.batch import current_run, rows
from tools._tool import ToolContext
from tools.recommend.personal import names_of
from tools.recommend.results import RelatedProduct, RelatedProducts

BASES = {
    "neighbour": "bought by the same customers (item-based CF)",
    "basket": "same order (market basket)",
}
"""What each kind of pair is based on, as the tools say it."""


def served_pairs(
    ctx: ToolContext, sku: str, kind: Literal["neighbour", "basket"], n: int
) -> RelatedProducts | None:
    """``sku``'s top ``n`` pairs of ``kind`` (None: no fresh run, ``n`` beyond what it kept,
    or a product it has no pairs for)."""
    run = current_run(ctx.shop.engine, ctx.shop.version())
    if run is None or n > run.top_n:
        return None
    found = rows(ctx.shop.engine, schema.batch_item_pairs, "rank", kind=kind, sku=sku)
    if not found:
        return None
    catalog = ctx.catalog()
    basket = kind == "basket"
    items = [
        RelatedProduct(
            sku=r.other,
            similarity=float(r.similarity),
            together_orders=int(r.together_orders) if basket else None,
            confidence=float(r.similarity) if basket else None,
            lift=float(r.lift) if basket else None,
            **names_of(catalog, r.other, with_category=True),
        )
        for r in found[:n]
    ]
    return RelatedProducts(
        sku=sku,
        basis=BASES[kind],
        orders_with_sku=int(found[0].sku_orders) if basket else None,
        items=items,
        source=run.source(),
        **names_of(catalog, sku),
    )
