"""Where knowledge comes from: document files and the shop database (products, campaigns)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from copilot.shop import ShopData
from copilot.shop.plans import PlanRecord, PlanStore
from knowledge.chunking import Chunk, DocumentError, file_chunks, markdown_chunks
from knowledge.skips import Skip

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
    skipped: Skip | None = None
    """Why this file is not indexed (unreadable, a link out of the folder); None if it is."""

    @property
    def name(self) -> str:
        """The key as the user knows it: relative to the indexed folder."""
        path, root = Path(self.key), Path(self.root)
        if path != root and path.is_relative_to(root):
            return str(path.relative_to(root))
        return path.name or self.key


def _source(key: str, root: str, chunks: list[Chunk]) -> Source:
    """The digest covers the chunks, not the raw file: a change in how documents are chunked
    re-embeds them on the next `copilot index` even though the files did not change."""
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(json.dumps([chunk.id, chunk.text, chunk.metadata], sort_keys=True).encode())
    return Source(key, root, h.hexdigest()[:16], chunks)


def file_sources(path: Path) -> Iterator[Source]:
    """Every document under ``path`` (a file or a folder, recursively).

    A file that cannot be read comes back with ``skipped`` set instead of stopping the run,
    and so does a link that leads out of ``path``: indexing a folder must not index whatever
    its links point at (``notes.md -> /etc/passwd``).
    """
    root = path.resolve()
    seen: set[Path] = set()
    for file, problem in [(root, None)] if root.is_file() else _walk(root):
        if problem:
            yield Source(str(file), str(root), "", [], skipped=problem)
        elif file not in seen:  # a link inside the folder to a file indexed already
            seen.add(file)
            yield file_source(file, str(root))


def _walk(root: Path) -> Iterator[tuple[Path, Skip | None]]:
    """Documents under ``root`` (resolved), with a reason for those not to index.

    Links to folders are not followed: one inside ``root`` is walked at its real place
    anyway, one outside is reported.
    """
    unreadable: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=unreadable.append):
        dirs.sort()  # a stable order of sources and of skipped files
        for name in dirs:
            link = Path(folder, name)
            if link.is_symlink():
                outside = _outside(link, root)
                if outside:
                    yield link, outside
        for name in sorted(files):
            file = Path(folder, name)
            if file.suffix.lower() not in DOC_SUFFIXES:
                continue
            if file.is_symlink():
                outside = _outside(file, root)
                if outside:
                    yield file, outside
                    continue
                file = file.resolve()
            if file.is_file():  # not a fifo or a device named *.md
                yield file, None
    for error in unreadable:
        yield Path(error.filename), Skip("folder_unreadable", str(error.strerror))


def _outside(link: Path, root: Path) -> Skip | None:
    """Why ``link`` is not followed, or None when it stays inside ``root``."""
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target or a loop of links
        return Skip("broken_link", os.readlink(link))
    if not target.is_relative_to(root):
        return Skip("link_outside", str(target))
    return None


def file_source(file: Path, root: str) -> Source:
    """One document file as a source under ``root`` (the folder it was indexed from)."""
    key = str(file)
    try:
        chunks = file_chunks(file, {"source": key, "root": root})
    except DocumentError as exc:
        return Source(key, root, "", [], skipped=exc.skip)
    except OSError as exc:
        return Source(key, root, "", [], skipped=Skip("unreadable", str(exc.strerror or exc)))
    if not chunks:
        pdf = file.suffix.lower() == ".pdf"
        return Source(key, root, "", [], skipped=Skip("no_text_pdf" if pdf else "no_text"))
    return _source(key, root, chunks)


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
    yield from lesson_sources(shop)


def lesson_sources(shop: ShopData) -> Iterator[Source]:
    """One document per measured campaign plan (``lesson_source``)."""
    for record in PlanStore(shop.engine).plans():
        if record.lesson_en:
            yield lesson_source(record)


def lesson_source(record: PlanRecord) -> Source:
    """A measured plan's post-mortem, sectioned like any Markdown document, in English and in
    Chinese (a passage per section and language)."""
    key = f"shop:lesson:plan-{record.id}"
    head = f"---\ntype: lesson\ndate: {_date(record.measured_at)}\n---\n"
    base: dict[str, str | int | float] = {"source": key, "root": "shop", "heading": ""}
    chunks = markdown_chunks(f"lesson-plan-{record.id}", head + (record.lesson_en or ""), base)
    if record.lesson_zh:
        chunks += markdown_chunks(f"lesson-plan-{record.id}.zh", head + record.lesson_zh, base)
    return _source(key, "shop", chunks)


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
