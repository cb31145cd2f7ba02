"""Where knowledge comes from: document files and the shop database (products, campaigns)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from copilot.shop import ShopData
from knowledge.chunking import Chunk, file_chunks

DOC_SUFFIXES = {".md", ".markdown", ".txt", ".pdf"}


@dataclass(frozen=True)
class Source:
    """One unit of re-indexing: a file, a product or a campaign."""

    key: str
    """Stable identity, e.g. the file path or ``shop:product:CT-0001``."""
    root: str
    """What was indexed (a folder, a file, or ``shop``): deletions are detected per root."""
    digest: str
    """Hash of the chunks; an unchanged digest means nothing to do."""
    chunks: list[Chunk]


def _source(key: str, root: str, chunks: list[Chunk]) -> Source:
    """The digest covers the chunks, not the raw file: a change in how documents are chunked
    re-embeds them on the next `copilot index` even though the files did not change."""
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(json.dumps([chunk.id, chunk.text, chunk.metadata], sort_keys=True).encode())
    return Source(key, root, h.hexdigest()[:16], chunks)


def file_sources(path: Path) -> Iterator[Source]:
    """Every document under ``path`` (a file or a folder, recursively)."""
    root = str(path.resolve())
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOC_SUFFIXES)
    )
    for file in files:
        key = str(file.resolve())
        meta: dict[str, str | int | float] = {"source": key, "root": root}
        yield _source(key, root, file_chunks(file, meta))


def shop_sources(shop: ShopData) -> Iterator[Source]:
    """One document per product (both languages) and per campaign with its results."""
    products = shop.products()
    for record in products.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        text = _product_text(row)
        key = f"shop:product:{row['sku']}"
        meta: dict[str, str | int | float] = {
            "source": key,
            "root": "shop",
            "type": "product",
            "sku": str(row["sku"]),
            "title": str(row.get("title") or row["sku"]),
            "language": "en+zh" if _given(row.get("title_zh")) else "en",
            "heading": "",
            "doc_id": "product",
        }
        yield _source(key, "shop", [Chunk(f"product:{row['sku']}", text, meta)])
    for record in shop.campaigns().to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        text = _campaign_text(row)
        key = f"shop:campaign:{row['campaign_id']}"
        meta = {
            "source": key,
            "root": "shop",
            "type": "campaign",
            "campaign_id": str(row["campaign_id"]),
            "title": str(row["name"]),
            "language": "en",
            "heading": "",
            "doc_id": "campaign",
            "date": _date(row.get("start_date")),
        }
        yield _source(key, "shop", [Chunk(f"campaign:{row['campaign_id']}", text, meta)])


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value != ""


def _date(value: object) -> str:
    return pd.Timestamp(value).date().isoformat() if _given(value) else ""  # type: ignore[arg-type]


def _product_text(row: dict[str, object]) -> str:
    parts = [f"Product {row['sku']}: {row.get('title') or ''}"]
    if _given(row.get("title_zh")):
        parts.append(f"商品：{row['title_zh']}")
    for key in ("description", "description_zh"):
        if _given(row.get(key)):
            parts.append(str(row[key]))
    if _given(row.get("category")):
        parts.append(f"Category: {row['category']}")
    if _given(row.get("list_price")):
        parts.append(f"List price: {float(row['list_price']):.2f}")  # type: ignore[arg-type]
    return "\n".join(parts)


def _campaign_text(row: dict[str, object]) -> str:
    lines = [
        f"Campaign {row['name']} ({row['campaign_id']}) on {row.get('channel')}, "
        f"{_date(row.get('start_date'))} to {_date(row.get('end_date'))}.",
        f"Audience: {row.get('audience')}. Offer: {row.get('offer')}.",
    ]
    results = [
        f"{k} {row[k]:,}" if isinstance(row[k], int) else f"{k} {row[k]}"
        for k in ("sends", "opens", "clicks", "conversions", "revenue", "spend")
        if _given(row.get(k))
    ]
    if results:
        lines.append("Results: " + ", ".join(results) + ".")
    if _given(row.get("notes")):
        lines.append(str(row["notes"]))
    return "\n".join(lines)
