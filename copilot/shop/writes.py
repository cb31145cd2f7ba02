"""Writes that can be reported before they happen and undone after: rows owned by an ingest.

Every row carries the id of the ingest that last wrote it. A row an ingest overwrites is first
copied to ``ingest_backups``, so ``undo_ingest`` can put it back; rows whose content did not
change are not touched at all (a re-saved file changes nothing and owns nothing).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, delete, exists, select, update

from copilot.core.errors import InputError
from copilot.shop import schema
from copilot.shop.store import ShopData, upsert
from copilot.shop.transform import Shaped, line_keys

_LOOKUP = 500
"""Keys per existence query (well under every database's bound-parameter limit)."""
_BLOCK = 20_000
"""Rows compared and written per step."""


@dataclass
class TableChange:
    """What a write did to one table."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: TableChange) -> TableChange:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def write_shaped(
    shop: ShopData,
    shaped: Shaped,
    record: dict[str, object] | None,
    *,
    progress: Callable[[int], object] | None = None,
    clear: bool = False,
    conn: Connection | None = None,
) -> tuple[int | None, dict[str, TableChange]]:
    """Write every table of ``shaped`` (and its ingest record) in one transaction.

    Returns the new ingest's id (None without a record) and what changed per table.

    With ``clear``, all shop data is deleted first, in the same transaction; with ``conn``, the
    caller's transaction is used (several files, one transaction).
    """
    if conn is None:
        with shop.transaction() as own:
            return write_shaped(shop, shaped, record, progress=progress, clear=clear, conn=own)
    if clear:
        for table in (*schema.DATA_TABLES.values(), schema.ingests, schema.ingest_backups):
            conn.execute(delete(table))
    ingest_id = None
    if record is not None:
        inserted = conn.execute(schema.ingests.insert().values(**record))
        ingest_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    changes: dict[str, TableChange] = {}
    for name, frame in shaped.tables.items():
        if name == "order_lines" and "line_key" not in frame and len(frame):
            frame = frame.assign(line_key=line_keys(frame))
        changes[name] = write_table(
            conn,
            schema.DATA_TABLES[name],
            frame,
            ingest_id,
            overwrite=name not in shaped.insert_only,
            progress=progress,
        )
    if ingest_id is not None:
        conn.execute(
            update(schema.ingests)
            .where(schema.ingests.c.id == ingest_id)
            .values(
                rows_added=sum(c.added for c in changes.values()),
                rows_updated=sum(c.updated for c in changes.values()),
            )
        )
    return ingest_id, changes


def write_table(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    ingest_id: int | None,
    *,
    overwrite: bool = True,
    progress: Callable[[int], object] | None = None,
) -> TableChange:
    """Insert new rows; overwrite (backing up) changed ones when ``overwrite``; skip the rest."""
    keys = [c.name for c in table.primary_key.columns]
    columns = [c for c in frame.columns if c in table.c and c != "ingest_id"]
    frame = frame[columns].drop_duplicates(keys, keep="last")
    change = TableChange()
    empty = conn.execute(select(exists().select_from(table))).scalar() is False
    if not empty:
        # Sorted by key, each block's lookup fetches only its own orders (a shuffled file would
        # otherwise fetch most of the table for every block).
        frame = frame.sort_values(keys, kind="stable")
    for start in range(0, len(frame), _BLOCK):
        part = frame.iloc[start : start + _BLOCK]
        stored = None if empty else _existing(conn, table, keys, part)
        if stored is None or stored.empty:
            fresh, changed, old = part, part.iloc[:0], stored
        else:
            index, stored_index = _key_index(part, keys), _key_index(stored, keys)
            known = index.isin(stored_index)
            fresh = part[~known]
            old = stored.set_axis(stored_index).reindex(index[known]).reset_index(drop=True)
            differs = (
                _differs(table, part[known], old, columns)
                if overwrite
                else np.zeros(len(old), dtype=bool)  # thin derived rows never replace stored ones
            )
            changed, old = part[known][differs], old[differs]
            change.unchanged += int(known.sum() - len(changed))
        for rows in (fresh, changed):
            if len(rows):
                upsert(conn, table, rows.assign(ingest_id=ingest_id), overwrite=True)
        if len(changed) and old is not None:
            conn.execute(schema.ingest_backups.insert(), _backups(table, old, ingest_id))
        change.added += len(fresh)
        change.updated += len(changed)
        if progress:
            progress(len(part))
    return change


def _key_index(frame: pd.DataFrame, keys: list[str]) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[keys].astype(object))


def _existing(conn: Connection, table: Table, keys: list[str], part: pd.DataFrame) -> pd.DataFrame:
    """Stored rows sharing the first key column's values with ``part`` (a superset of its keys)."""
    first = keys[0]
    values = pd.unique(part[first].astype(object)).tolist()
    frames = [
        pd.read_sql(select(table).where(table.c[first].in_(values[i : i + _LOOKUP])), conn)
        for i in range(0, len(values), _LOOKUP)
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _differs(table: Table, new: pd.DataFrame, old: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Row-aligned: True where any non-key column's value changed (None == None)."""
    out = np.zeros(len(new), dtype=bool)
    for name in columns:
        if table.c[name].primary_key:
            continue
        a, b = _comparable(table, name, new[name]), _comparable(table, name, old[name])
        out |= a.to_numpy() != b.to_numpy()
    return out


def _comparable(table: Table, name: str, values: pd.Series) -> pd.Series:
    """Values of one column in one representation (None when missing), whatever the driver or
    the file gave."""
    kind = type(table.c[name].type).__name__
    values = values.reset_index(drop=True)
    out: pd.Series
    if kind in ("DateTime", "Date"):
        stamps = pd.to_datetime(values)
        out = stamps.dt.normalize() if kind == "Date" else stamps
    elif kind in ("Float", "Integer", "Boolean"):
        out = pd.to_numeric(values.astype(object), errors="coerce").astype("float64")
    else:
        out = values.astype("string")
    return out.astype(object).where(out.notna(), None)


def _backups(table: Table, old: pd.DataFrame, ingest_id: int | None) -> list[dict[str, Any]]:
    return [_backup(table, row, ingest_id) for row in old.to_dict("records")]


def _plain(value: Any) -> Any:
    """One representation per value, whatever the driver returned (date vs datetime, 1 vs 1.0)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, date):
        return datetime.combine(value, time()).isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _backup(table: Table, row: dict[Any, Any], ingest_id: int | None) -> dict[str, Any]:
    saved = {str(k): _plain(v) for k, v in row.items()}
    return {
        "ingest_id": ingest_id,
        "table_name": table.name,
        "previous_ingest": None if saved.get("ingest_id") is None else int(saved["ingest_id"]),
        "row": json.dumps(saved, default=str),
    }


def _restore(table: Table, saved: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        value = saved.get(column.name)
        kind = type(column.type).__name__
        if value is not None and kind in ("DateTime", "Date"):
            parsed = datetime.fromisoformat(value)
            value = parsed.date() if kind == "Date" else parsed
        out[column.name] = value
    return out


@dataclass
class UndoSummary:
    """What undoing an ingest removed and put back."""

    ingest_id: int
    source: str
    removed: dict[str, int]
    restored: int
    kept_referenced: int

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        removed = ", ".join(f"{n:,} {t.replace('_', ' ')}" for t, n in self.removed.items() if n)
        out = [f"undid ingest {self.ingest_id} ({self.source})", f"  removed: {removed or 'none'}"]
        if self.restored:
            out.append(f"  rows it had overwritten, restored: {self.restored:,}")
        if self.kept_referenced:
            out.append(
                f"  products/customers kept because other ingests' lines use them: "
                f"{self.kept_referenced:,}"
            )
        return out


def undo_ingest(conn: Connection, ingest_id: int) -> UndoSummary:
    """Remove exactly the rows an ingest wrote and restore the rows it overwrote.

    Refused when a later ingest changed rows this one wrote (undo that one first).
    """
    record = conn.execute(select(schema.ingests).where(schema.ingests.c.id == ingest_id)).first()
    if record is None:
        raise InputError(
            f"no ingest {ingest_id}; `copilot undo-ingest` without an id lists the ingests"
        )
    backups = schema.ingest_backups
    later = conn.execute(
        select(backups.c.ingest_id)
        .where(backups.c.previous_ingest == ingest_id, backups.c.ingest_id != ingest_id)
        .limit(1)
    ).scalar()
    if later is not None:
        raise InputError(
            f"ingest {later} changed rows that ingest {ingest_id} wrote; undo ingest {later} first"
        )
    removed: dict[str, int] = {}
    for name in ("order_lines", "events", "campaigns"):
        table = schema.DATA_TABLES[name]
        removed[name] = conn.execute(delete(table).where(table.c.ingest_id == ingest_id)).rowcount
    kept = 0
    for name, key in (("products", "sku"), ("customers", "customer_id")):
        table = schema.DATA_TABLES[name]
        owned = table.c.ingest_id == ingest_id
        used = select(schema.order_lines.c[key]).where(schema.order_lines.c[key].is_not(None))
        used_by_events = select(schema.events.c[key]).where(schema.events.c[key].is_not(None))
        removed[name] = conn.execute(
            delete(table).where(
                owned, table.c[key].not_in(used), table.c[key].not_in(used_by_events)
            )
        ).rowcount
        # Still referenced: the row stays, owned by no ingest.
        kept += conn.execute(update(table).where(owned).values(ingest_id=None)).rowcount
    saved: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(select(backups).where(backups.c.ingest_id == ingest_id)).mappings():
        table = schema.DATA_TABLES[row["table_name"]]
        saved.setdefault(table.name, []).append(_restore(table, json.loads(row["row"])))
    for name, rows in saved.items():
        upsert(conn, schema.DATA_TABLES[name], pd.DataFrame(rows))
    restored = sum(len(rows) for rows in saved.values())
    conn.execute(delete(backups).where(backups.c.ingest_id == ingest_id))
    conn.execute(delete(schema.ingests).where(schema.ingests.c.id == ingest_id))
    return UndoSummary(ingest_id, str(record.source), removed, restored, kept)


def list_ingests(shop: ShopData) -> list[str]:
    """One line per recorded ingest, newest first."""
    table = schema.ingests
    with shop.engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id.desc())).mappings().all()
    return [
        f"{r['id']:>4}  {r['ingested_at']:%Y-%m-%d %H:%M}  {r['kind']:<9} "
        f"{r['rows_kept']:>10,} rows  {r['source']}"
        for r in rows
    ]
