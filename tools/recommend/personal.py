"""One customer's recommendations in words, whoever computed them: the recommender now, or a
batch run whose table is read back (``served_recommendations``); and products named by title."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from copilot.shop import schema
from copilot.shop.batch import current_run, rows
from tools._tool import COMPUTED, ToolContext, text_or_none
from tools.recommend.results import ProductRecommendations, RecommendedProduct


@dataclass(frozen=True)
class Pick:
    """One recommended product as a recommender (or a batch run's table) gives it."""

    sku: str
    score: float
    reason: str
    """The reason in English, the customer's products named by sku."""
    kind: str
    because: tuple[str, ...]
    counts: tuple[int, int]


def personal(
    ctx: ToolContext,
    cid: str,
    picks: list[Pick],
    *,
    cold_start: bool,
    exclude_purchased: bool,
    source: str = COMPUTED,
) -> ProductRecommendations:
    """One customer's recommendations in words, products named by title."""
    note = (
        "no purchase history yet: these are the shop's most popular products"
        if cold_start
        else "personalised from this customer's purchases"
    )
    catalog = ctx.catalog()
    items = [
        RecommendedProduct(
            sku=p.sku,
            **described(catalog, p.sku),
            score=p.score,
            reason=name_products(p.reason, list(p.because), catalog),
            reason_kind=p.kind,
            because=list(p.because),
            neighbours=p.counts,
        )
        for p in picks
    ]
    titles = {}
    for sku in {s for p in picks for s in p.because}:
        title, title_zh, *_ = describe_sku(catalog, sku)
        titles.update({sku: title} if title else {})
        titles.update({f"{sku}/zh": title_zh} if title_zh else {})
    return ProductRecommendations(
        customer_id=cid,
        cold_start=cold_start,
        note=note,
        exclude_purchased=exclude_purchased,
        items=items,
        titles=titles,
        source=source,
    )


def described(catalog: pd.DataFrame, sku: str) -> dict[str, Any]:
    """A product's title, Chinese title, category and list price as result fields."""
    fields = ("title", "title_zh", "category", "list_price")
    return dict(zip(fields, describe_sku(catalog, sku), strict=True))


def names_of(catalog: pd.DataFrame, sku: str, with_category: bool = False) -> dict[str, Any]:
    """A product's title and Chinese title (and category) as result fields, looked up once."""
    title, title_zh, category, _ = describe_sku(catalog, sku)
    names = {"title": title, "title_zh": title_zh}
    return {**names, "category": category} if with_category else names


def describe_sku(catalog: pd.DataFrame, sku: str) -> tuple[Any, Any, Any, Any]:
    """Title, Chinese title, category and list price of ``sku`` (Nones when unknown)."""
    if sku not in catalog.index:
        return None, None, None, None
    row = catalog.loc[sku]
    price = row.get("list_price")
    return (
        text_or_none(row.get("title")),
        text_or_none(row.get("title_zh")),
        text_or_none(row.get("category")),
        None if price is None or pd.isna(price) else float(price),
    )


def name_products(reason: str, skus: list[str], catalog: pd.DataFrame) -> str:
    """Replace stock codes in a reason by "title (code)" so a marketer can repeat it."""
    for sku in sorted(skus, key=len, reverse=True):
        if sku in reason:
            title = describe_sku(catalog, sku)[0]
            if title:
                reason = reason.replace(sku, f"{title} ({sku})")
    return reason


def served_recommendations(
    ctx: ToolContext, cid: str, n: int, exclude_purchased: bool
) -> ProductRecommendations | None:
    """Customer ``cid``'s top ``n`` from the batch tables (None: no run for the current data,
    ``n`` beyond what the run kept, or a customer it did not score)."""
    run = current_run(ctx.shop.engine, ctx.shop.version())
    if run is None or n > run.top_n:
        return None
    mode = "new" if exclude_purchased else "all"
    found = rows(ctx.shop.engine, schema.batch_recommendations, "rank", customer_id=cid, mode=mode)
    if not found:
        return None
    picks = [
        Pick(
            r.sku,
            float(r.score),
            r.reason,
            r.reason_kind,
            tuple(json.loads(r.because)),
            (int(r.neighbours_bought), int(r.neighbours)),
        )
        for r in found[:n]
    ]
    return personal(
        ctx,
        cid,
        picks,
        cold_start=bool(found[0].cold_start),
        exclude_purchased=exclude_purchased,
        source=run.source(),
    )
