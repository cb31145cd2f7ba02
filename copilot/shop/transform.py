"""Shape typed input rows into the shop tables, counting what is dropped and why."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from copilot.shop.remarks import Remark


@dataclass
class Shaped:
    """Rows ready to write, plus the bookkeeping an ingest summary reports."""

    tables: dict[str, pd.DataFrame]
    """Table name -> rows for it."""
    rows_kept: int
    dropped: dict[Remark, int] = field(default_factory=dict)
    """Reason -> number of input rows not written."""
    notes: dict[Remark, int] = field(default_factory=dict)
    """Remark -> number of rows it concerns (kept rows with caveats)."""
    insert_only: frozenset[str] = frozenset()
    """Tables whose existing rows must not be overwritten (derived, thinner records)."""


OrderRule = Callable[[pd.DataFrame], pd.DataFrame]
_KEY_FIELDS = ["sku", "ts", "unit_price"]


def line_keys(lines: pd.DataFrame) -> pd.Series:
    """A key for each order line from its content, unique within its order.

    sku + time + price, plus an occurrence number among an order's lines that share them
    (ordered by quantity), so the same rows in another order, or an order split across files,
    land on the same keys: a re-saved file updates in place instead of adding phantom lines.
    """
    ts = (
        pd.to_datetime(lines["ts"])
        .dt.floor("s")
        .astype("datetime64[s]")
        .astype("int64")
        .astype(str)
        .astype(object)
    )
    price = lines["unit_price"].astype("float64").map(repr).astype(object)
    sku = lines["sku"].astype("string").fillna("").astype(object)
    content = sku + "|" + ts + "|" + price
    frame = pd.DataFrame(
        {"order": lines["order_id"].to_numpy(), "content": content.to_numpy()},
        index=lines.index,
    )
    frame["quantity"] = lines["quantity"].to_numpy()
    ordered = frame.sort_values(["order", "content", "quantity"], kind="stable")
    occurrence = ordered.groupby(["order", "content"], sort=False).cumcount().reindex(lines.index)
    keyed = frame["content"] + "|" + occurrence.astype(str)
    # hashlib, not pandas' hash: keys must not change with a library upgrade.
    return pd.Series(
        [hashlib.blake2b(k.encode(), digest_size=8).hexdigest() for k in keyed],
        index=lines.index,
        dtype=object,
    )


def shape_orders(rows: pd.DataFrame, rule: OrderRule | None = None) -> Shaped:
    """Order lines plus the products and customers they mention."""
    rows = rows.copy()
    rows["quantity"] = rows["quantity"].astype("int64")
    explicit = rows["is_return"] if "is_return" in rows else pd.Series(pd.NA, index=rows.index)
    rows["is_return"] = explicit.fillna(False).astype(bool) | (rows["quantity"] < 0)
    if rule is not None:
        rows = rule(rows)

    reasons = {
        Remark("price_not_positive"): rows["unit_price"] <= 0,
        Remark("quantity_zero"): rows["quantity"] == 0,
        Remark("duplicate_line"): rows.duplicated(),
    }
    drop = np.zeros(len(rows), dtype=bool)
    dropped: dict[Remark, int] = {}
    for reason, mask in reasons.items():
        new = mask.to_numpy() & ~drop
        if new.any():
            dropped[reason] = int(new.sum())
        drop |= new
    kept = rows[~drop]

    notes: dict[Remark, int] = {}
    if "customer_id" not in kept:
        kept = kept.assign(customer_id=pd.Series(pd.NA, index=kept.index, dtype="string"))
    anonymous = int(kept["customer_id"].isna().sum())
    if anonymous:
        notes[Remark("no_customer_id")] = anonymous
    returns = int(kept["is_return"].sum())
    if returns:
        notes[Remark("returns_kept")] = returns

    lines = kept.rename(columns={"timestamp": "ts"})
    lines = lines.assign(line_key=line_keys(lines)) if len(lines) else lines.assign(line_key="")
    line_cols = [
        "order_id",
        "line_key",
        "customer_id",
        "sku",
        "quantity",
        "unit_price",
        "ts",
        "is_return",
        "promo",
    ]
    if "promo" not in lines:
        lines = lines.assign(promo=pd.Series(pd.NA, index=lines.index, dtype="boolean"))
    return Shaped(
        tables={
            "products": _products_from_lines(rows, kept),
            "customers": _customers_from_lines(rows),
            "order_lines": lines[line_cols],
        },
        rows_kept=len(lines),
        dropped=dropped,
        notes=notes,
        insert_only=frozenset({"products", "customers"}),
    )


def _products_from_lines(all_rows: pd.DataFrame, kept: pd.DataFrame) -> pd.DataFrame:
    """Every sku seen in the file, even on dropped lines, so the catalogue is complete."""
    skus = pd.DataFrame({"sku": all_rows["sku"].unique()})
    if "description" in all_rows:
        titles = _mode_by(all_rows, "sku", "description").rename("title")
        skus = skus.join(titles, on="sku")
    if "category" in all_rows:
        skus = skus.join(_mode_by(all_rows, "sku", "category").rename("category"), on="sku")
    sold = kept[(~kept["is_return"]) & (kept["unit_price"] > 0)]
    price = sold.groupby("sku")["unit_price"].median().round(2).rename("list_price")
    return skus.join(price, on="sku")


def _customers_from_lines(all_rows: pd.DataFrame) -> pd.DataFrame:
    if "customer_id" not in all_rows:
        return pd.DataFrame(columns=["customer_id"])
    known = all_rows[all_rows["customer_id"].notna()]
    ids = pd.DataFrame({"customer_id": known["customer_id"].unique()})
    if "country" in known:
        ids = ids.join(
            _mode_by(known, "customer_id", "country").rename("country"), on="customer_id"
        )
    return ids


def _mode_by(rows: pd.DataFrame, key: str, value: str) -> pd.Series:
    """Most frequent non-missing value per key (ties: first in file order)."""
    pairs = rows[[key, value]].dropna()
    counts = pairs.groupby([key, value], sort=False).size().reset_index(name="n")
    top = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(key)
    return top.set_index(key)[value]


def shape_simple(rows: pd.DataFrame, table: str, key: str) -> Shaped:
    """Products, customers, campaigns or events: one row per key, the last occurrence wins."""
    dupes = rows.duplicated(key, keep="last")
    dropped = {Remark("repeated_key", column=key): int(dupes.sum())} if dupes.any() else {}
    kept = rows[~dupes]
    return Shaped(tables={table: kept}, rows_kept=len(kept), dropped=dropped)


def shape_events(rows: pd.DataFrame) -> Shaped:
    """Events get a content-derived id when the file has none, so re-ingesting is idempotent."""
    rows = rows.copy()
    rows["type"] = rows["type"].str.lower()
    if "event_id" not in rows or rows["event_id"].isna().any():
        content = rows.drop(columns=["event_id"], errors="ignore").astype("string").fillna("")
        derived = pd.util.hash_pandas_object(content, index=False).astype("uint64").astype(str)
        base = derived + "-" + content.groupby(derived.to_numpy()).cumcount().astype(str).to_numpy()
        given = rows["event_id"] if "event_id" in rows else pd.Series(pd.NA, index=rows.index)
        rows["event_id"] = given.fillna(base)
    return shape_simple(rows, "events", "event_id")
