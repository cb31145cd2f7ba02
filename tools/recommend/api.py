"""Agent-facing recommendation tools."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import Field

from copilot.core.errors import ToolError
from tools._match import close_matches, same_id
from tools._shop import no_orders
from tools._tool import ToolContext, tool
from tools.knowledge_search import shared_embedder
from tools.profiling.api import (
    empty_segment,
    scored_customers,
    segment_mask,
    unknown_customer,
)
from tools.profiling.segments import SegmentName
from tools.recommend.components import catalogue, non_merchandise
from tools.recommend.personal import (
    Pick,
    described,
    names_of,
    personal,
    served_recommendations,
)
from tools.recommend.pipeline import ShopRecommender, fit_shop_recommender
from tools.recommend.results import (
    ProductRecommendations,
    RelatedProduct,
    RelatedProducts,
    SegmentPick,
    SegmentPicks,
)
from tools.recommend.served_pairs import BASES, served_pairs

SEGMENT_LIST = 20
"""Each segment customer's list length when counting which items suit the segment."""


def recommender(ctx: ToolContext) -> ShopRecommender:
    """The tuned hybrid for the current data version (fitted once, then cached)."""
    shop = ctx.shop

    def fit() -> ShopRecommender:
        lines, products = shop.order_lines(), shop.products()
        if lines.empty:
            raise no_orders()
        if not len(catalogue(products, lines, non_merchandise(products))):
            raise ToolError(
                "the shop has no products to recommend: every product is a fee or postage "
                "(category non-merchandise); products must be loaded first.",
                key="refusal.nothing_to_recommend",
            )
        # The knowledge base's embedder competes with TF-IDF for the text components.
        encoder = shared_embedder(ctx)
        return fit_shop_recommender(lines, shop.events(), products, encoder=encoder)

    # The emptiness check sits inside the fit, so it costs nothing once a model is cached.
    return ctx.cached("recommender", fit)


@tool
def recommend_products(
    ctx: ToolContext,
    customer_id: Annotated[str, Field(max_length=40)],
    n: Annotated[int, Field(ge=1, le=20)] = 5,
    exclude_purchased: bool = True,
) -> ProductRecommendations:
    """Personal product recommendations for one customer, each with a reason ("customers who
    bought X also bought this"). Use for "recommend products for customer 12347" or
    "为客户 12347 推荐 5 个商品"; not for a whole segment.

    Args:
        customer_id: the customer's id exactly as stored, e.g. "12347" or "C10001".
        n: how many products (1-20).
        exclude_purchased: true for new products only; false to include re-buys of products
            the customer bought before.
    """
    cid = customer_id.strip()
    served = served_recommendations(ctx, cid, n, exclude_purchased)
    if served is not None:
        return served
    model = recommender(ctx)
    if model.data.user_index(cid) is None:
        known = set(ctx.shop.customers()["customer_id"].astype(str))
        cid = cid if cid in known else same_id(cid, known) or cid
        if cid not in known:
            close = close_matches(cid, sorted(known))
            raise unknown_customer(cid, close)
    rec = model.for_mode(exclude_purchased).recommend([cid], n, exclude_purchased)[0]
    picks = [
        Pick(sku, float(score), str(reason), reason.kind, tuple(reason.products), reason.counts)
        for sku, score, reason in zip(rec.items, rec.scores, rec.reasons, strict=True)
    ]
    return personal(ctx, cid, picks, cold_start=rec.cold_start, exclude_purchased=exclude_purchased)


@tool
def recommend_for_segment(
    ctx: ToolContext,
    segment: SegmentName,
    n: Annotated[int, Field(ge=1, le=30)] = 10,
) -> SegmentPicks:
    """Products to feature in a campaign for a customer segment, ranked by how many of the
    segment's customers each product suits (it is in their personal top 20 of new products).

    Args:
        segment: RFM segment key or "cluster N", e.g. "at_risk" = 有流失风险, "lost" =
            已流失, "champions" = 最有价值.
        n: how many products (1-30).
    """
    table = scored_customers(ctx)
    members = table.index[segment_mask(table, segment)].astype(str).tolist()
    if not members:
        raise empty_segment(segment)
    items = featured(ctx, members, n)
    return SegmentPicks(
        segment=segment, customers=len(members), per_customer_list=SEGMENT_LIST, items=items
    )


def featured(
    ctx: ToolContext,
    members: list[str],
    n: int,
    candidates: tuple[str, ...] = (),
    repeat: bool = False,
) -> list[SegmentPick]:
    """The ``n`` products most of ``members`` have in their personal top list: of new products
    (the top 20), or of ``candidates`` only when given (their top 3; bought ones included when
    ``repeat``)."""
    model = recommender(ctx).for_mode(True)
    recs = model.recommend(
        members,
        min(3, len(candidates)) if candidates else SEGMENT_LIST,
        exclude_purchased=not repeat,
        candidates=list(candidates) or None,
        explain=False,
    )
    counts = Counter(sku for r in recs if not r.cold_start for sku in r.items)
    catalog = ctx.catalog()
    return [
        SegmentPick(
            sku=sku,
            **described(catalog, sku),
            customers_suited=c,
            share_of_segment=c / len(members),
        )
        for sku, c in counts.most_common(n)
    ]


@tool
def similar_products(
    ctx: ToolContext,
    sku: Annotated[str, Field(max_length=40)],
    n: Annotated[int, Field(ge=1, le=20)] = 5,
) -> RelatedProducts:
    """Products most similar to a product by who buys them (customers who buy one tend to buy
    the other); similarity is relative, 1.0 for the closest. Use for "what is similar to SKU
    X" and cross-sell ideas.

    Args:
        sku: the product's stock code, e.g. "85123A" or "CT-0001".
        n: how many products (1-20).
    """
    code = resolve_sku(ctx, sku)
    served = served_pairs(ctx, code, "neighbour", n)
    if served is not None:
        return served
    model = recommender(ctx)
    if model.data.item_index(code) is None:
        raise ToolError(
            f"product {code} has never been bought, so there is no purchase behaviour to compare.",
            key="refusal.never_bought",
            values={"sku": code},
        )
    pairs = model.for_mode(True).similar_items(code, n)
    strongest = max((v for _, v in pairs), default=1.0) or 1.0
    pairs = [(s, v / strongest) for s, v in pairs]  # 1.0 = the closest product
    catalog = ctx.catalog()
    items = [
        RelatedProduct(sku=s, similarity=v, **names_of(catalog, s, with_category=True))
        for s, v in pairs
    ]
    return RelatedProducts(
        sku=code,
        basis=BASES["neighbour"],
        orders_with_sku=None,
        items=items,
        **names_of(catalog, code),
    )


@tool
def frequently_bought_with(
    ctx: ToolContext,
    sku: Annotated[str, Field(max_length=40)],
    n: Annotated[int, Field(ge=1, le=20)] = 5,
) -> RelatedProducts:
    """Products most often in the same order as a product, with confidence (share of its
    orders that contain the other) and lift (how much more often than by chance). Use for
    bundles and "what do people buy together with X".

    Args:
        sku: the product's stock code, e.g. "85123A" or "CT-0001".
        n: how many products (1-20).
    """
    code = resolve_sku(ctx, sku)
    served = served_pairs(ctx, code, "basket", n)
    if served is not None:
        return served
    baskets, items = basket_matrix(ctx)
    col = int(np.searchsorted(items, code))
    if col >= len(items) or items[col] != code:
        raise ToolError(
            f"product {code} is in no order yet.",
            key="refusal.no_orders_with",
            values={"sku": code},
        )
    with_sku = baskets[:, col]
    orders = int(with_sku.sum())
    together = np.asarray((with_sku.T @ baskets).todense()).ravel()
    together[col] = 0
    support = np.asarray(baskets.sum(axis=0)).ravel()
    confidence = together / max(orders, 1)
    lift = confidence / np.maximum(support / baskets.shape[0], 1e-12)
    order = [i for i in np.argsort(-together, kind="stable")[:n] if together[i] > 0]
    catalog = ctx.catalog()
    rows = [
        RelatedProduct(
            sku=str(items[i]),
            similarity=float(confidence[i]),
            together_orders=int(together[i]),
            confidence=float(confidence[i]),
            lift=float(lift[i]),
            **names_of(catalog, str(items[i]), with_category=True),
        )
        for i in order
    ]
    return RelatedProducts(
        sku=code,
        basis=BASES["basket"],
        orders_with_sku=orders,
        items=rows,
        **names_of(catalog, code),
    )


def basket_matrix(ctx: ToolContext) -> tuple[sp.csc_matrix, np.ndarray]:
    """Orders x products (1: the order holds it; fees left out) and the products' skus in
    column order (cached per data version)."""
    return ctx.cached("baskets", lambda: _baskets(ctx))


def _baskets(ctx: ToolContext) -> tuple[sp.csc_matrix, np.ndarray]:
    lines = ctx.shop.order_lines()
    exclude = non_merchandise(ctx.shop.products())
    sales = lines[
        ~lines["is_return"].astype(bool) & (lines["quantity"] > 0) & ~lines["sku"].isin(exclude)
    ][["order_id", "sku"]].drop_duplicates()
    order_codes, orders = pd.factorize(sales["order_id"])
    items = np.sort(sales["sku"].astype(str).unique())
    cols = np.searchsorted(items, sales["sku"].astype(str).to_numpy())
    # No sales at all (only returns, or no orders): an empty matrix, so every sku is "in no
    # order yet".
    matrix = sp.csc_matrix(
        (np.ones(len(sales), dtype=np.float32), (order_codes, cols)),
        shape=(len(orders), len(items)),
    )
    return matrix, items


def resolve_sku(ctx: ToolContext, sku: str) -> str:
    """The catalogue's stock code ``sku`` names (case aside); ToolError with close codes and
    titles otherwise."""
    catalog = ctx.catalog()
    if catalog.empty and ctx.shop.order_lines().empty:
        raise no_orders()
    code = sku.strip()
    if code in catalog.index:
        return code
    upper = {str(s).upper(): str(s) for s in catalog.index}
    if code.upper() in upper:
        return upper[code.upper()]
    close = close_matches(code, [str(s) for s in catalog.index])
    titles = catalog["title"].fillna("").astype(str)
    by_title = titles[titles.str.contains(code, case=False, regex=False)].head(3)
    hints = close + [f"{s} ({t})" for s, t in by_title.items()]
    raise ToolError(
        f"unknown product {sku!r}." + (f" Did you mean: {', '.join(hints)}?" if hints else ""),
        "Use the stock code exactly as in the catalogue.",
        key="refusal.unknown_product_near" if hints else "refusal.unknown_product",
        values={"sku": sku, "ids": ", ".join(hints)},
    )
