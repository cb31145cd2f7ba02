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
_OWNER = "The ingest that last wrote the row (NULL: the demo, or written before ingests were kept)."

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("country", String(64)),
    Column("signup_date", Date),
    Column("channel", String(64), doc="Acquisition channel, where known."),
    Column("ingest_id", Integer, doc=_OWNER),
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
    Column("ingest_id", Integer, doc=_OWNER),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(64), primary_key=True),
    Column("line_key", String(16), primary_key=True, doc="From the line's content (line_keys)."),
    Column("customer_id", String(64), index=True, doc="NULL: kept for product statistics only."),
    Column("sku", String(64), index=True, nullable=False),
    Column("quantity", Integer, nullable=False, doc="Negative on returns."),
    Column("unit_price", Float, nullable=False),
    Column("ts", DateTime, index=True, nullable=False),
    Column("is_return", Boolean, nullable=False, default=False),
    Column("promo", Boolean, doc="Bought under a promotion, where known."),
    Column("ingest_id", Integer, doc=_OWNER),
)

customer_contacts = Table(
    "customer_contacts",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("ingest_id", Integer, doc=_OWNER),
)
"""Customers' e-mail addresses, stored only when the user asked (ingest --keep-email): kept
apart from ``customers`` so no analytic frame, tool result or prompt ever carries one."""

events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("customer_id", String(64), index=True),
    Column("type", String(16), nullable=False, doc="view, search or cart."),
    Column("sku", String(64)),
    Column("query", Text),
    Column("ts", DateTime, nullable=False),
    Column("ingest_id", Integer, doc=_OWNER),
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
    Column("ingest_id", Integer, doc=_OWNER),
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
    Column("rows_added", Integer),
    Column("rows_updated", Integer),
    sqlite_autoincrement=True,  # an undone ingest's id is never reused
)

ingest_backups = Table(
    "ingest_backups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "ingest_id", Integer, nullable=False, index=True, doc="The ingest that overwrote the row."
    ),
    Column("table_name", String(32), nullable=False),
    Column("previous_ingest", Integer, index=True, doc="The ingest that had written it."),
    Column("row", Text, nullable=False, doc="The overwritten row as JSON."),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", DateTime, nullable=False, index=True, doc="When it was asked (UTC)."),
    Column("user_name", String(128), nullable=False, doc="Web login, or the OS user (CLI)."),
    Column("channel", String(8), nullable=False, doc="web or cli."),
    Column("question", Text, nullable=False),
    Column("tools", Text, nullable=False, doc="JSON list of {name, arguments, ok}."),
    Column("answer", Text, nullable=False),
    Column(
        "verdict",
        String(16),
        nullable=False,
        doc="ok, fallback, ungrounded, refused, stopped or error (copilot.audit.verdict).",
    ),
    Column("detail", Text, doc="The verdict in words, or the error shown."),
    Column("language", String(8)),
    sqlite_autoincrement=True,
)
"""Every question asked and what answered it (append-only; ``copilot audit`` exports it)."""

chats = Table(
    "chats",
    metadata,
    Column("id", String(32), primary_key=True, doc="A random hex id (the page keeps it)."),
    Column("owner", String(128), nullable=False, index=True, doc="Login name or browser id."),
    Column("title", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False, index=True),
)
"""A web chat (its turns in ``chat_turns``); owners see only their own."""

chat_turns = Table(
    "chat_turns",
    metadata,
    Column("chat_id", String(32), primary_key=True),
    Column("n", Integer, primary_key=True, doc="The turn's position in its chat, from 0."),
    Column("question", Text, nullable=False),
    Column("language", String(8), nullable=False),
    Column("messages", Text, nullable=False, doc="The turn as shown: JSON chat messages."),
    Column("answer", Text, doc="The answer's text (the model's history); NULL: none."),
    Column("tools", Text, nullable=False, doc="JSON list of {name, arguments, ok}."),
    Column("asked_at", DateTime, nullable=False),
    Column("rating", Integer, doc="1 thumbs up, -1 thumbs down, NULL not rated."),
    Column("comment", Text, doc="What the user wrote with the rating."),
)
"""The turns of the web chats, with the user's feedback on each answer."""

campaign_plans = Table(
    "campaign_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(128), nullable=False, doc="Web login, or the OS user (CLI)."),
    Column("goal", Text, nullable=False),
    Column("inputs", Text, nullable=False, doc="JSON: the plan_campaign arguments."),
    Column("plan", Text, nullable=False, doc="JSON: CampaignPlan.to_json_dict()."),
    Column("data_version", Integer, nullable=False, doc="The shop's data version it read."),
    Column(
        "status",
        String(16),
        nullable=False,
        doc="draft, approved, running or measured (copilot.shop.plans.STATUSES).",
    ),
    Column("approved_at", DateTime),
    Column("offer_code", String(32), doc="The code treatment customers redeem (on approval)."),
    Column("measured_at", DateTime),
    Column("lesson_en", Text, doc="The post-mortem written when it was measured (English)."),
    Column("lesson_zh", Text, doc="The same post-mortem in Chinese."),
    Column(
        "measured",
        Text,
        doc="JSON: the read-out per treated customer (revenue, profit, 95% bounds, weeks).",
    ),
    sqlite_autoincrement=True,  # a deleted plan's id is never reused
)
"""Saved campaign plans: drafts, and approved ones with a frozen audience."""

plan_assignments = Table(
    "plan_assignments",
    metadata,
    Column("plan_id", Integer, primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Column("arm", String(16), nullable=False, doc="treatment or holdout."),
)
"""The audience of an approved plan, frozen when it was approved, split by a seeded hash."""

batch_runs = Table(
    "batch_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("data_version", Integer, nullable=False, doc="The shop's data version it computed."),
    Column("engine", String(16), nullable=False, doc="pandas or spark."),
    Column("started_at", DateTime, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("top_n", Integer, nullable=False, doc="Recommendations kept per customer and mode."),
    Column("meta", Text, nullable=False, doc="JSON: cluster descriptions, score horizon, counts."),
    sqlite_autoincrement=True,
)
"""The last ``copilot batch`` (one row: a new run replaces the tables below atomically)."""

batch_customers = Table(
    "batch_customers",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("country", String(64)),
    Column("rfm_segment", String(32), nullable=False, index=True),
    Column("cluster", Integer, nullable=False),
    Column("profile_score", Float, nullable=False),
    Column("purchase_prob", Float, nullable=False),
    Column("churn_risk", Float, nullable=False),
    Column("p_alive", Float, nullable=False),
    Column("expected_purchases_12m", Float, nullable=False),
    Column("clv_12m", Float, nullable=False),
    Column("recency_days", Float, nullable=False),
    Column("frequency", Float, nullable=False),
    Column("monetary", Float, nullable=False),
    Column("features", Text, nullable=False, doc="JSON: the card's behaviour features."),
    Column("top_categories", Text, nullable=False, doc="JSON: category -> share, top 3."),
    Column("drivers", Text, nullable=False, doc="JSON: features pushing the score up/down."),
)
"""Every customer's profile as ``profile_customer`` states it, from the last batch run."""

batch_recommendations = Table(
    "batch_recommendations",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("mode", String(8), primary_key=True, doc="new (not bought before) or all."),
    Column("rank", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("reason", Text, nullable=False, doc="The reason in English, products by sku."),
    Column("reason_kind", String(16), nullable=False),
    Column("because", Text, nullable=False, doc="JSON: the customer's products behind it."),
    Column("neighbours_bought", Integer, nullable=False),
    Column("neighbours", Integer, nullable=False),
    Column("cold_start", Boolean, nullable=False),
)
"""Every customer's top-N recommendations with reasons, from the last batch run."""

batch_item_pairs = Table(
    "batch_item_pairs",
    metadata,
    Column("kind", String(12), primary_key=True, doc="neighbour (item CF) or basket."),
    Column("sku", String(64), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("other", String(64), nullable=False),
    Column("similarity", Float, nullable=False, doc="Neighbour: cosine; basket: confidence."),
    Column("together_orders", Integer, doc="Basket: orders holding both."),
    Column("sku_orders", Integer, doc="Basket: orders holding ``sku``."),
    Column("lift", Float, doc="Basket: confidence over the other's share of orders."),
)
"""Item neighbours and co-purchase rules per product, from the last batch run."""

batch_elasticities = Table(
    "batch_elasticities",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("elasticity", Float),
    Column("low", Float, doc="90% interval, lower end."),
    Column("high", Float, doc="90% interval, upper end."),
    Column("usable", Boolean, nullable=False, doc="False: refused (positive, too uncertain)."),
    Column("note", Text),
    Column(
        "demand",
        Text,
        doc="JSON: the fit's figures that price_elasticity states, and its category's prior "
        "(NULL in runs written before it: those are not served).",
    ),
)
"""Per-product price elasticities, from the last batch run."""

BATCH_TABLES = (batch_customers, batch_recommendations, batch_item_pairs, batch_elasticities)

DERIVED = ("products", "customers")
"""Tables that order and event files also fill (thin rows, never overwriting richer ones)."""
DATA_TABLES = {
    t.name: t for t in (customers, products, order_lines, events, campaigns, customer_contacts)
}
