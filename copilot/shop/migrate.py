"""Bring a shop database written by an earlier version to the current layout, in place."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, inspect, text

from copilot.shop import schema
from copilot.shop.store import upsert
from copilot.shop.transform import line_keys


def migrate(engine: Engine) -> None:
    """Add the columns later versions introduced; re-key order lines by content.

    Every step is idempotent and runs in one transaction, so an interrupted upgrade leaves the
    old layout intact.
    """
    found = inspect(engine)
    tables = set(found.get_table_names())
    with engine.begin() as conn:
        for table in (
            *schema.DATA_TABLES.values(),
            schema.ingests,
            schema.campaign_plans,
            schema.batch_runs,
            *schema.BATCH_TABLES,
        ):
            if table.name not in tables:
                continue
            have = {c["name"] for c in found.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and not column.primary_key:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
        if "order_lines" in tables:
            have = {c["name"] for c in found.get_columns("order_lines")}
            if "line_no" in have and "line_key" not in have:
                _rekey_order_lines(conn)


def _rekey_order_lines(conn: Connection) -> None:
    """Lines keyed by file position (line_no) become keyed by content (line_key)."""
    old = pd.read_sql(text("SELECT * FROM order_lines"), conn)
    conn.execute(text("DROP TABLE order_lines"))
    schema.order_lines.create(conn)
    if old.empty:
        return
    old["ts"] = pd.to_datetime(old["ts"])
    old["line_key"] = line_keys(old)
    upsert(conn, schema.order_lines, old.drop(columns=["line_no"]))
