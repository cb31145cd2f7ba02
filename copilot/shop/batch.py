"""The batch tables: written all at once by ``copilot batch``, read one customer or product at a
time by the tools (an indexed lookup, milliseconds on any shop size)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Table, delete, select

from copilot.shop import schema
from copilot.shop.store import insert_rows


@dataclass(frozen=True)
class BatchRun:
    """The run whose results the batch tables hold."""

    id: int
    data_version: int
    engine: str
    started_at: datetime
    seconds: float
    top_n: int
    meta: dict[str, Any]

    def source(self) -> str:
        """How a result served from this run says where it comes from."""
        return (
            f"precomputed by batch run {self.id} ({self.engine} engine) for data version "
            f"{self.data_version}"
        )


def write_batch(engine: Engine, run: dict[str, Any], frames: dict[str, pd.DataFrame]) -> int:
    """Replace every batch table and the run record in one transaction; the new run's id.

    A failure anywhere leaves the previous run's tables as they were.
    """
    tables = {t.name: t for t in schema.BATCH_TABLES}
    unknown = set(frames) - set(tables)
    if unknown:
        raise ValueError(f"no batch table {sorted(unknown)}")
    with engine.begin() as conn:
        for table in (*schema.BATCH_TABLES, schema.batch_runs):
            conn.execute(delete(table))
        inserted = conn.execute(
            schema.batch_runs.insert().values(**{**run, "meta": json.dumps(run["meta"])})
        )
        run_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        for name, frame in frames.items():
            insert_rows(conn, tables[name], frame)
    return run_id


def current_run(engine: Engine, data_version: int) -> BatchRun | None:
    """The stored run when it computed ``data_version`` (None: none, or out of date)."""
    run = last_run(engine)
    return run if run is not None and run.data_version == data_version else None


def last_run(engine: Engine) -> BatchRun | None:
    """The stored run, whatever data version it computed."""
    with engine.connect() as conn:
        row = conn.execute(select(schema.batch_runs)).first()
    if row is None:
        return None
    return BatchRun(
        id=int(row.id),
        data_version=int(row.data_version),
        engine=str(row.engine),
        started_at=row.started_at,
        seconds=float(row.seconds),
        top_n=int(row.top_n),
        meta=json.loads(row.meta),
    )


def rows(engine: Engine, table: Table, order_by: str | None = None, **key: Any) -> list[Any]:
    """The rows of batch ``table`` whose key columns equal ``key``."""
    query = select(table).where(*(table.c[k] == v for k, v in key.items()))
    if order_by is not None:
        query = query.order_by(table.c[order_by])
    with engine.connect() as conn:
        return list(conn.execute(query))


def serving_words(engine: Engine, version: int, lang: str = "en") -> str:
    """Whether the tools serve from a batch run at data ``version``, in English or Chinese."""
    run = last_run(engine)
    if run is None:
        return "未运行：工具现场计算" if lang == "zh" else "none: the tools compute in-process"
    if run.data_version == version:
        if lang == "zh":
            return f"第 {run.id} 次（{run.engine}），数据版本 {version}：客户与商品问题从结果表读取"
        return (
            f"run {run.id} ({run.engine}) for data version {version}: customer and product "
            "answers are read from its tables"
        )
    if lang == "zh":
        return (
            f"第 {run.id} 次（数据版本 {run.data_version}）已过期（现为 {version}）：工具现场计算"
        )
    return (
        f"run {run.id} for data version {run.data_version} is out of date (now {version}): "
        "the tools compute in-process"
    )
