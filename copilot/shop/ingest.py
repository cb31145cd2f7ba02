"""``copilot ingest``: read a CSV/Parquet file, validate every cell, write all-or-nothing."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select
from sqlalchemy.exc import OperationalError
from tqdm import tqdm
from typing_extensions import Unpack

from copilot.core.errors import InputError, MissingColumns
from copilot.core.files import file_sha256
from copilot.shop import schema
from copilot.shop.busy import IngestMarker, busy_error, claim, is_locked
from copilot.shop.fields import KINDS, detect_kind, match_columns, missing_required, parse_overrides
from copilot.shop.parse import BOUNDS, Plausible, typed_frame
from copilot.shop.platforms import (
    PLATFORMS,
    SALT_KEY,
    Platform,
    check_emails,
    detect_platform,
    new_salt,
    read_platform,
)
from copilot.shop.readers import RawTable, read_table
from copilot.shop.remarks import Remark
from copilot.shop.store import ShopData, get_meta, set_meta, utc_now
from copilot.shop.summary import IngestSummary
from copilot.shop.transform import Shaped, shape_events, shape_orders, shape_simple
from copilot.shop.writes import write_shaped

_PROGRESS_MIN_ROWS = 50_000
_EVENT_TYPES = {"view": "view", "search": "search", "cart": "cart", "addtocart": "cart"}


@dataclass(frozen=True)
class InputFormat:
    """A known file layout: fixed columns plus a rule applied to order lines."""

    kind: str
    columns: dict[str, str]
    """Field -> column name in the file."""


def _online_retail_rule(rows: pd.DataFrame) -> pd.DataFrame:
    """UCI Online Retail: 'C'-prefixed invoices are cancellations; letter codes are fees."""
    rows["is_return"] = rows["is_return"] | rows["order_id"].str.upper().str.startswith("C")
    merch = rows["sku"].str.match(r"^\d")
    rows["category"] = pd.Series(pd.NA, index=rows.index, dtype="string").mask(
        ~merch, "non-merchandise"
    )
    return rows


FORMATS: dict[str, InputFormat] = {
    "online-retail": InputFormat(
        kind="orders",
        columns={
            "order_id": "InvoiceNo",
            "sku": "StockCode",
            "description": "Description",
            "quantity": "Quantity",
            "timestamp": "InvoiceDate",
            "unit_price": "UnitPrice",
            "customer_id": "CustomerID",
            "country": "Country",
        },
    ),
}
_RULES = {"online-retail": _online_retail_rule}


@dataclass
class _Prepared:
    """A file read, validated and shaped, ready to be written."""

    shaped: Shaped
    record: dict[str, object]
    summary: IngestSummary
    meta: dict[str, str] = field(default_factory=dict)
    """Shop settings the file brings (its currency, a new e-mail key secret)."""


class IngestOptions(TypedDict, total=False):
    """How ``ingest_files`` reads and writes (every key optional; see its arguments)."""

    kind: str | None
    fmt: str
    mapping: list[str] | None
    show_progress: bool
    dry_run: bool
    dayfirst: bool | None
    encoding: str | None
    plausible: Plausible
    keep_email: bool


def ingest_file(shop: ShopData, path: Path, **options: Unpack[IngestOptions]) -> IngestSummary:
    """Validate a whole file, then write it in one transaction (nothing is written on error)."""
    return ingest_files(shop, [path], **options)[0]


def ingest_files(
    shop: ShopData,
    paths: list[Path],
    *,
    kind: str | None = None,
    fmt: str = "auto",
    mapping: list[str] | None = None,
    show_progress: bool = True,
    dry_run: bool = False,
    dayfirst: bool | None = None,
    encoding: str | None = None,
    plausible: Plausible = BOUNDS,
    keep_email: bool = False,
) -> list[IngestSummary]:
    """Validate every file, then write them all in one transaction: all or nothing.

    ``kind`` (orders, products, ...) and ``fmt`` (a known layout or shop platform export) are
    detected when not given; ``mapping`` holds ``field=column`` overrides; ``dayfirst`` forces
    the date order and ``encoding`` the text encoding; a value outside ``plausible`` fails its
    row; ``keep_email`` stores customers' e-mail addresses (else none is stored). ``dry_run``
    does the whole write and rolls it back, reporting what would change.
    """
    if fmt != "auto" and fmt not in FORMATS and fmt not in PLATFORMS:
        raise InputError(
            f"unknown --format {fmt!r}; expected auto or " + ", ".join([*FORMATS, *PLATFORMS])
        )
    started = time.perf_counter()
    summaries: list[IngestSummary] = []
    todo: list[_Prepared] = []
    digests: set[str] = set()
    with shop.engine.connect() as conn:
        stored_salt = get_meta(conn, SALT_KEY)
    read = _Reading(
        kind,
        fmt,
        mapping or [],
        dayfirst,
        encoding,
        plausible,
        keep_email,
        # A new shop's first platform ingest makes the secret once, for all of its files.
        salt=stored_salt or new_salt(),
        salt_is_new=stored_salt is None,
    )
    for path in paths:
        item = _prepare(shop, path, read)
        if isinstance(item, IngestSummary) or item.record["sha256"] in digests:
            summary = item if isinstance(item, IngestSummary) else item.summary
            summary.already_ingested = True
            summaries.append(summary)
            continue
        digests.add(str(item.record["sha256"]))
        summaries.append(item.summary)
        todo.append(item)
    total = sum(sum(len(f) for f in item.shaped.tables.values()) for item in todo)
    _write_all(shop, todo, total, show_progress and total >= _PROGRESS_MIN_ROWS, dry_run)
    counts = shop.counts()
    for summary in summaries:
        summary.store_counts = counts
        summary.seconds = time.perf_counter() - started
    return summaries


def _write_all(
    shop: ShopData, todo: list[_Prepared], total: int, show_progress: bool, dry_run: bool
) -> None:
    if not todo:
        return
    label = ", ".join(item.summary.source for item in todo)
    try:
        with (
            tqdm(total=total, unit="row", desc="writing", disable=not show_progress or None) as bar,
            shop.transaction(dry_run=dry_run) as conn,
        ):
            claim(conn)  # wait for (or name) another writer before saying we are one
            with IngestMarker(shop.engine, label) as marker:

                def advance(rows: int) -> None:
                    bar.update(rows)
                    marker.advance(rows)

                for item in todo:
                    _check_meta(conn, item)
                    item.summary.ingest_id, item.summary.changes = write_shaped(
                        shop, item.shaped, item.record, progress=advance, conn=conn
                    )
                    for key, value in item.meta.items():
                        set_meta(conn, key, value)
                    item.summary.dry_run = dry_run
    except OperationalError as exc:
        if is_locked(exc):
            raise busy_error(shop.engine) from exc
        raise


@dataclass(frozen=True)
class _Reading:
    """How every file of one ingest is read (the options of ``ingest_files``)."""

    kind: str | None
    fmt: str
    mapping: list[str]
    dayfirst: bool | None
    encoding: str | None
    plausible: Plausible
    keep_email: bool
    salt: str
    """The shop's secret for e-mail keys (the stored one, or a new one for a new shop)."""
    salt_is_new: bool
    """Whether a platform file must store ``salt`` (nothing has yet)."""


def _prepare(shop: ShopData, path: Path, read: _Reading) -> _Prepared | IngestSummary:
    digest = file_sha256(path) if path.is_file() else ""
    if read.mapping or read.dayfirst is not None or read.keep_email:
        # The same bytes read another way (mapping, date order, addresses kept) are another
        # ingest.
        digest = hashlib.sha256(
            f"{digest}|{sorted(read.mapping)}|{read.dayfirst}|{read.keep_email}".encode()
        ).hexdigest()
    raw = read_table(path, read.encoding)
    raw.frame.columns = [str(c) for c in raw.frame.columns]
    platform = _platform(raw, read)
    if platform is not None:
        kind, label = "orders", platform.name
    else:
        columns, kind = _resolve_columns(raw, read.kind, read.fmt, read.mapping)
        label = read.fmt if read.fmt != "auto" else raw.format
    previous = _previous_ingest(shop, digest, kind, label)
    if previous is not None:
        return IngestSummary(str(path), kind, label, len(raw.frame), previous)

    notes: dict[Remark, int] = {}
    meta: dict[str, str] = {}
    if platform is not None:
        shaped = _shape_platform(raw, platform, read, notes, meta)
        used = set(platform.fields.values())
    else:
        used = set(columns.values())
        rows = typed_frame(
            raw,
            columns,
            KINDS[kind],
            dayfirst=read.dayfirst,
            notes=notes,
            plausible=read.plausible,
        )
        if "email" in rows:
            check_emails(raw, rows, columns["email"])
        shaped = _shape(raw, rows, kind, read.fmt)
        if kind == "customers" and "email" in rows:
            _customers_email(shaped, columns["email"], read.keep_email)
    if raw.encoding and raw.encoding != "utf-8-sig":
        notes[Remark("encoding", value=raw.encoding)] = len(raw.frame)
    if raw.delimiter not in ("", ","):
        notes[Remark("delimiter", value=repr(raw.delimiter))] = len(raw.frame)
    for column in sorted(raw.decimal_comma & used):
        notes[Remark("decimal_comma", column=column)] = len(raw.frame)
    record: dict[str, object] = {
        "source": str(path),
        "sha256": digest,
        "kind": kind,
        "format": label,
        "rows_read": len(raw.frame),
        "rows_kept": shaped.rows_kept,
        "ingested_at": utc_now(),
    }
    summary = IngestSummary(
        source=str(path),
        kind=kind,
        format=label,
        rows_read=len(raw.frame),
        rows_kept=shaped.rows_kept,
        dropped=shaped.dropped,
        notes={**notes, **shaped.notes},
    )
    return _Prepared(shaped, record, summary, meta)


def _platform(raw: RawTable, read: _Reading) -> Platform | None:
    """The shop platform whose export this is: named by --format, or recognised by its columns
    when nothing else is named."""
    if read.fmt in PLATFORMS:
        return PLATFORMS[read.fmt]
    if read.fmt == "auto" and read.kind in (None, "orders") and not read.mapping:
        return detect_platform(list(raw.frame.columns))
    return None


def _shape_platform(
    raw: RawTable,
    platform: Platform,
    read: _Reading,
    notes: dict[Remark, int],
    meta: dict[str, str],
) -> Shaped:
    if read.salt_is_new:
        meta[SALT_KEY] = read.salt
    lines = read_platform(
        raw, platform, read.salt, dayfirst=read.dayfirst, notes=notes, plausible=read.plausible
    )
    if lines.currency:
        meta["currency"] = lines.currency
    shaped = shape_orders(lines.rows)
    shaped.dropped = {**lines.dropped, **shaped.dropped}
    shaped.notes = {**shaped.notes, **lines.notes}
    _keep_contacts(shaped, lines.emails, platform.fields["email"], read.keep_email)
    return shaped


def _check_meta(conn: Connection, item: _Prepared) -> None:
    """A file in another currency than the shop's is refused (its amounts would be added to
    the shop's as if they were the same money)."""
    currency = item.meta.get("currency")
    stored = get_meta(conn, "currency")
    if currency and stored and currency != stored:
        raise InputError(
            f"{item.summary.source}: amounts in {currency}, but the shop's orders are in "
            f"{stored}; convert the export to {stored} first"
        )


def _resolve_columns(
    raw: RawTable, kind: str | None, fmt: str, mapping: list[str]
) -> tuple[dict[str, str], str]:
    columns = list(raw.frame.columns)
    if fmt != "auto":
        layout = FORMATS[fmt]
        absent = [c for c in layout.columns.values() if c not in columns]
        if absent:
            raise InputError(
                f"{raw.path}: missing column {absent[0]!r} required by --format {fmt}; "
                f"expected columns {', '.join(layout.columns.values())}"
            )
        found = dict(layout.columns)
        found.update(parse_overrides(mapping, layout.kind))
        return found, layout.kind
    if kind is None:
        kind = detect_kind(columns, mapping)
    elif kind not in KINDS:
        raise InputError(f"unknown --kind {kind!r}; expected one of {', '.join(KINDS)}")
    found = match_columns(columns, kind, parse_overrides(mapping, kind))
    missing = missing_required(kind, found)
    if missing:
        spec = missing[0]
        raise MissingColumns(
            f"{raw.path}: missing required column for {spec.name} ({kind} file); expected a "
            f"column named like {spec.synonyms[0]!r}, or map one with --map COLUMN={spec.name}",
            kind=kind,
            missing=[m.name for m in missing],
            columns=columns,
        )
    return found, kind


def _shape(raw: RawTable, rows: pd.DataFrame, kind: str, fmt: str) -> Shaped:
    if kind == "orders":
        return shape_orders(rows, _RULES.get(fmt))
    if kind == "events":
        normal = rows["type"].str.lower().str.replace(r"[^a-z]", "", regex=True)
        known = normal.isin(list(_EVENT_TYPES))
        if not known.all():
            index = int(np.flatnonzero(~known.to_numpy())[0])
            raise InputError(
                f"{raw.path}, {raw.where(index)}, column 'type': expected view, search or cart, "
                f"got {rows['type'].iloc[index]!r}"
            )
        return shape_events(rows.assign(type=normal.map(_EVENT_TYPES)))
    key = {"products": "sku", "customers": "customer_id", "campaigns": "campaign_id"}[kind]
    return shape_simple(rows, kind, key)


def _previous_ingest(shop: ShopData, digest: str, kind: str, label: str) -> int | None:
    """Rows kept by an earlier ingest of identical content, or None."""
    with shop.engine.connect() as conn:
        row = conn.execute(
            select(schema.ingests.c.rows_kept).where(
                schema.ingests.c.sha256 == digest,
                schema.ingests.c.kind == kind,
                schema.ingests.c.format == label,
            )
        ).first()
    return None if row is None else int(row[0])


def _customers_email(shaped: Shaped, column: str, keep_email: bool) -> None:
    """A customers file's e-mail addresses leave its customer rows (see ``_keep_contacts``)."""
    table = shaped.tables["customers"]
    shaped.tables["customers"] = table.drop(columns=["email"])
    _keep_contacts(shaped, table[["customer_id", "email"]].dropna(), column, keep_email)


def _keep_contacts(shaped: Shaped, contacts: pd.DataFrame, column: str, keep_email: bool) -> None:
    """Customers' addresses (``customer_id``, ``email``) go to ``customer_contacts`` only when
    the user asked; either way the summary says how many."""
    if contacts.empty:
        return
    if keep_email:
        shaped.tables["customer_contacts"] = contacts
        shaped.notes[Remark("emails_kept")] = len(contacts)
    else:
        shaped.notes[Remark("emails_not_kept", column=column)] = len(contacts)
