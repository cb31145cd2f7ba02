"""The shop database: engine creation, transactional upserts and the cached read layer.

Tools read only through :class:`ShopData`, which returns pandas frames cached per data
version; every successful write bumps the version in the same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, update
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from copilot.core.errors import ConfigError
from copilot.shop import schema

_CHUNK = 20_000
SQLITE_BUSY_SECONDS = 10.0
_DRIVER_HINT = {
    "postgresql": "pip install 'psycopg[binary]' and use postgresql+psycopg://...",
    "mysql": "pip install pymysql and use mysql+pymysql://...",
}


def create_shop_engine(url: str) -> Engine:
    """Open (and if needed create) the shop database at a SQLAlchemy URL."""
    try:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True, **_engine_options(url))
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_wal)
        schema.metadata.create_all(engine)
        from copilot.shop.migrate import migrate  # migrate writes through this module

        migrate(engine)
    except NoSuchModuleError as exc:
        raise ConfigError(
            f"no SQLAlchemy dialect for {url.split(':')[0]!r}: fix COPILOT_DATABASE_URL"
        ) from exc
    except ModuleNotFoundError as exc:
        dialect = url.split(":")[0].split("+")[0]
        hint = _DRIVER_HINT.get(dialect, f"install the database driver {exc.name!r}")
        raise ConfigError(f"database driver missing for COPILOT_DATABASE_URL: {hint}") from exc
    except ArgumentError as exc:
        raise ConfigError(f"COPILOT_DATABASE_URL is not a valid SQLAlchemy URL: {url!r}") from exc
    except OperationalError as exc:
        raise ConfigError(
            f"cannot open the shop database ({exc.orig}); check COPILOT_DATABASE_URL / COPILOT_HOME"
        ) from exc
    return engine


def _engine_options(url: str) -> dict[str, Any]:
    """SQLite: readers never wait for a writer (WAL), a second writer waits briefly."""
    if not url.startswith("sqlite"):
        return {}
    return {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}


def _sqlite_wal(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite shop ``source`` to ``target`` with SQLite's online backup: consistent
    even while ``source`` is open elsewhere (a WAL file's pages included), both closed after."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def utc_now() -> datetime:
    """Now as naive UTC, the way every DateTime of the shop database is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def get_meta(conn: Connection, key: str) -> str | None:
    """The value stored under ``key`` in the meta table (None when unset)."""
    value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()
    return None if value is None else str(value)


def data_version(conn: Connection) -> int:
    """The counter bumped by every successful write (0 for an empty store)."""
    value = get_meta(conn, "data_version")
    return int(value) if value is not None else 0


def set_meta(conn: Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key`` in the meta table, inside the caller's transaction."""
    done = conn.execute(update(schema.meta).where(schema.meta.c.key == key).values(value=value))
    if done.rowcount == 0:
        conn.execute(schema.meta.insert().values(key=key, value=value))


def bump_version(conn: Connection) -> int:
    """Increment the data version inside the caller's transaction."""
    new = data_version(conn) + 1
    set_meta(conn, "data_version", str(new))
    return new


def upsert(
    conn: Connection,
    table: Table,
    frame: pd.DataFrame,
    *,
    overwrite: bool = True,
    progress: Callable[[int], object] | None = None,
) -> None:
    """Insert rows, replacing (``overwrite``) or keeping rows whose primary key exists."""
    if frame.empty:
        return
    keys = [c.name for c in table.primary_key.columns]
    columns = [c for c in frame.columns if c in table.c]
    stmt = _conflict_insert(conn, table, keys, columns, overwrite)
    for start in range(0, len(frame), _CHUNK):
        part = frame.iloc[start : start + _CHUNK]
        conn.execute(stmt, _records(part[columns]))
        if progress:
            progress(len(part))


def insert_rows(conn: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Insert rows whose keys ``table`` does not hold (it was emptied in this transaction).

    On SQLite, rows of plain numbers, text and flags go straight to the driver's executemany:
    SQLAlchemy's per-row processing made 1M recommendation rows take 24.7 s against 9.0 s,
    minutes for a large shop's batch. Other databases and types take :func:`upsert`'s path.
    """
    columns = [c for c in frame.columns if c in table.c]
    plain = all(table.c[c].type.python_type in (str, int, float, bool) for c in columns)
    if conn.dialect.name != "sqlite" or not plain:
        upsert(conn, table, frame)
        return
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(frame), _CHUNK):
            part = frame.iloc[start : start + _CHUNK]
            values = [_plain_values(part[c]) for c in columns]
            cursor.executemany(sql, list(zip(*values, strict=True)))
    finally:
        cursor.close()


def _conflict_insert(
    conn: Connection, table: Table, keys: list[str], columns: list[str], overwrite: bool
) -> Any:
    dialect = conn.dialect.name
    non_keys = [c for c in columns if c not in keys]
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        stmt: Any = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
        if overwrite and non_keys:
            return stmt.on_conflict_do_update(
                index_elements=keys, set_={c: stmt.excluded[c] for c in non_keys}
            )
        return stmt.on_conflict_do_nothing(index_elements=keys)
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        mstmt = mysql_insert(table)
        cols = non_keys if overwrite and non_keys else keys[:1]
        return mstmt.on_duplicate_key_update({c: mstmt.inserted[c] for c in cols})
    raise ConfigError(
        f"database dialect {dialect!r} is not supported for writes; use SQLite, PostgreSQL or MySQL"
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values (None for missing) that every DB driver accepts."""
    names = list(frame.columns)
    columns = [_plain_values(frame[name]) for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _plain_values(series: pd.Series) -> list[Any]:
    if pd.api.types.is_datetime64_any_dtype(series):
        values = [None if pd.isna(v) else v.to_pydatetime() for v in series]
    else:
        values = series.tolist()
    missing = series.isna().to_numpy()
    if missing.any():
        values = [None if gone else v for v, gone in zip(values, missing, strict=True)]
    return values


class ShopData:
    """Read access to the shop as pandas frames, cached until the data version changes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache: dict[str, tuple[int, pd.DataFrame]] = {}

    @classmethod
    def open(cls, url: str) -> ShopData:
        """Open the store at a SQLAlchemy URL."""
        return cls(create_shop_engine(url))

    @contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[Connection]:
        """One all-or-nothing write; the data version is bumped on success.

        With ``dry_run`` everything is done and then rolled back (to report what would change).
        """
        with self.engine.connect() as conn:
            with conn.begin() as outer:
                yield conn
                if dry_run:
                    outer.rollback()
                else:
                    bump_version(conn)

    def version(self) -> int:
        """The current data version."""
        with self.engine.connect() as conn:
            return data_version(conn)

    def counts(self) -> dict[str, int]:
        """Row count of every data table."""
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                for name, t in schema.DATA_TABLES.items()
            }

    def name(self) -> str | None:
        """The shop's name as its data recorded it (the demo shop records its brand)."""
        with self.engine.connect() as conn:
            return get_meta(conn, "shop_name") or None

    def is_empty(self) -> bool:
        """True when no data table has rows."""
        return not any(self.counts().values())

    def customers(self) -> pd.DataFrame:
        """One row per customer."""
        return self._table("customers")

    def products(self) -> pd.DataFrame:
        """One row per product (sku)."""
        return self._table("products")

    def order_lines(self) -> pd.DataFrame:
        """All order lines, returns included (``is_return``); ``customer_id`` may be missing."""
        return self._table("order_lines")

    def events(self) -> pd.DataFrame:
        """Behaviour events (view, search, cart)."""
        return self._table("events")

    def campaigns(self) -> pd.DataFrame:
        """Past campaigns with their results where known."""
        return self._table("campaigns")

    def customer_lines(self, customer_id: str) -> pd.DataFrame:
        """One customer's order lines, read by its index (milliseconds on any shop size)."""
        table = schema.order_lines
        return _read_table(self.engine, table, table.c.customer_id == customer_id)

    def customer_contacts(self) -> pd.DataFrame:
        """Customers' e-mail addresses, where the user chose to keep them (for list exports
        only: never part of an analytic frame)."""
        return self._table("customer_contacts")

    def _table(self, name: str) -> pd.DataFrame:
        version = self.version()
        hit = self._cache.get(name)
        if hit is None or hit[0] != version:
            hit = (version, _read_table(self.engine, schema.DATA_TABLES[name]))
            self._cache[name] = hit
        # A shallow copy: under copy-on-write, callers' edits never reach the cache.
        return hit[1].copy(deep=False)


def _read_table(engine: Engine, table: Table, where: Any = None) -> pd.DataFrame:
    """``table``'s rows (those matching ``where`` when given) with pandas types by column."""
    query = select(table) if where is None else select(table).where(where)
    with engine.connect() as conn:
        return _typed(pd.read_sql(query, conn), table)


def table_chunks(engine: Engine, name: str, rows: int = 250_000) -> Iterator[pd.DataFrame]:
    """Data table ``name``'s rows in typed chunks of at most ``rows`` (memory bounded by a
    chunk, for engines that copy a shop out of the database)."""
    table = schema.DATA_TABLES[name]
    with engine.connect() as conn:
        streamed = conn.execution_options(stream_results=True)
        for chunk in pd.read_sql(select(table), streamed, chunksize=rows):
            yield _typed(chunk, table)


def _typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    for col in table.columns:
        name = col.name
        kind = type(col.type).__name__
        if kind == "DateTime":
            frame[name] = pd.to_datetime(frame[name])
        elif kind == "Date":
            frame[name] = pd.to_datetime(frame[name]).dt.normalize()
        elif kind == "Boolean":
            frame[name] = frame[name].astype("boolean")
        elif kind == "Integer" and frame[name].isna().any():
            frame[name] = frame[name].astype("Int64")
        elif kind == "Float":
            frame[name] = frame[name].astype(np.float64)
    return frame
