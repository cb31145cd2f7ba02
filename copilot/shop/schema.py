"""Tables of the shop database (SQLAlchemy Core); the one place the storage layout is defined."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("country", String(64)),
    Column("signup_date", Date),
    Column("channel", String(64), doc="Acquisition channel, where known."),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("title", Text),
    Column("title_zh", Text),
    Column("description", Text),
    Column("description_zh", Text),
    Column("category", String(128)),
    Column("list_price", Float),
    Column("unit_cost", Float),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("customer_id", String(64), index=True, doc="NULL: kept for product statistics only."),
    Column("sku", String(64), index=True, nullable=False),
    Column("quantity", Integer, nullable=False, doc="Negative on returns."),
    Column("unit_price", Float, nullable=False),
    Column("ts", DateTime, index=True, nullable=False),
    Column("is_return", Boolean, nullable=False, default=False),
    Column("promo", Boolean, doc="Bought under a promotion, where known."),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("customer_id", String(64), index=True),
    Column("type", String(16), nullable=False, doc="view, search or cart."),
    Column("sku", String(64)),
    Column("query", Text),
    Column("ts", DateTime, nullable=False),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("channel", String(32)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("audience", Text),
    Column("offer", Text),
    Column("spend", Float),
    Column("sends", Integer),
    Column("opens", Integer),
    Column("clicks", Integer),
    Column("conversions", Integer),
    Column("revenue", Float),
    Column("notes", Text),
)

ingests = Table(
    "ingests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("format", String(32), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_kept", Integer, nullable=False),
    Column("ingested_at", DateTime, nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

DATA_TABLES = {t.name: t for t in (customers, products, order_lines, events, campaigns)}
