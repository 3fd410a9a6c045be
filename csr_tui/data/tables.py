"""The schema, as SQLAlchemy Core tables. Alembic migrations create it; nothing else does.

Purchase orders carry copies of what the order list shows and searches (customer name and
email, and their search keys, the total) so that a page of the list is one index walk.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from csr_tui.data.types import Money, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


# SQLite makes only INTEGER PRIMARY KEY an alias of the rowid (fast, and FTS5's content key).
ID = BigInteger().with_variant(Integer, "sqlite")


def Key(length: int) -> String:
    """Text compared byte-wise on PostgreSQL too, so prefix ranges use a plain B-tree."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def Compact(of: str, length: int | None) -> Column:
    """`compact_key`: the key `of` without its spaces (domain.search.compact), in which
    names are matched; computed by the database (virtual on SQLite, stored on PostgreSQL)."""
    kind = Text() if length is None else Key(length)
    return Column("compact_key", kind, Computed(f"replace({of}, ' ', '')"), nullable=False)


def _address_columns(prefix: str) -> list[Column]:
    return [
        Column(f"{prefix}name", String(200)),
        Column(f"{prefix}line1", String(200)),
        Column(f"{prefix}line2", String(200)),
        Column(f"{prefix}city", String(100)),
        Column(f"{prefix}region", String(100)),
        Column(f"{prefix}postal_code", String(20)),
        Column(f"{prefix}country", String(2)),
        Column(f"{prefix}phone", String(40)),
    ]


markets = Table(
    "markets",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tax_rate", Money, nullable=False),
)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("market_code", ForeignKey("markets.code"), primary_key=True),
    Column("code", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("position", Integer, nullable=False),
)

shipping_methods = Table(
    "shipping_methods",
    metadata,
    Column("market_code", ForeignKey("markets.code"), primary_key=True),
    Column("code", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("cost", Money, nullable=False),
    Column("position", Integer, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("email", String(254)),
    Column("phone", String(40), nullable=False, default=""),
    Column("name_key", Key(201), nullable=False),
    Column("email_key", Key(254)),
    Column("phone_key", Key(40), nullable=False, server_default=""),  # domain.search.phone_key
    Column("created_at", UTCDateTime, nullable=False),
    Compact("name_key", 201),
    Index(None, "name_key"),
    Index(None, "compact_key"),
    Index(None, "email_key"),
)

customer_addresses = Table(
    "customer_addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    *_address_columns(""),
    Index(None, "customer_id"),
)

variants = Table(
    "variants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", Key(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("in_stock", Integer, nullable=False),
    Column("is_sold", Boolean, nullable=False),
    Column("product_url", String(300), nullable=False, default=""),
    Column("search_key", Text, nullable=False),
    Compact("search_key", None),
    CheckConstraint("in_stock >= 0", name="stock_not_negative"),
)

variant_prices = Table(
    "variant_prices",
    metadata,
    Column("variant_id", ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True),
    Column("market_code", ForeignKey("markets.code"), primary_key=True),
    Column("price", Money, nullable=False),
)

coupons = Table(
    "coupons",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("value", Money, nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_until", UTCDateTime, nullable=False),
)

coupon_markets = Table(
    "coupon_markets",
    metadata,
    Column("coupon_code", ForeignKey("coupons.code", ondelete="CASCADE"), primary_key=True),
    Column("market_code", ForeignKey("markets.code"), primary_key=True),
)

carts = Table(
    "carts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("market_code", ForeignKey("markets.code"), nullable=False),
    Column("customer_id", ForeignKey("customers.id", ondelete="SET NULL")),
    Column("customer_name", String(201), nullable=False),
    Column("customer_email", String(254)),
    Column("customer_phone", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Index(None, "updated_at"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", Key(24), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("market_code", ForeignKey("markets.code"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("customer_id", ForeignKey("customers.id", ondelete="SET NULL")),
    Column("customer_name", String(201), nullable=False),
    Column("customer_email", String(254)),
    Column("customer_phone", String(40), nullable=False),
    Column("name_key", Key(201), nullable=False),
    Column("email_key", Key(254)),
    Column("phone_key", Key(40), nullable=False, server_default=""),  # of customer_phone
    Column("status", String(24), nullable=False),
    Column("status_before_hold", String(24)),
    Column("total", Money, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    # The list walks these newest first; name_key rides along so that a search term is
    # tested on the index entry and only matching rows are read (index-only, ~10x faster).
    Index(None, "created_at", "id", "name_key"),
    Index(None, "status", "market_code", "created_at", "id", "name_key"),
    # A name search reads the orders of the names that match through this one: what the
    # list sorts and filters on rides along, so no row is read until the page is known.
    Index(None, "name_key", "created_at", "id", "status", "market_code"),
    Index(None, "email_key"),
    # A phone search is a range of keys (the number's digits, last first), read like a name's.
    Index(None, "phone_key", "created_at", "id", "status", "market_code"),
    Index(None, "customer_id"),
)

# Every name_key an order has carried: names repeat (1,000,000 demo orders carry 15,172),
# so a name search matches its pattern here, through a trigram index (SQLite FTS5 table
# order_names_fts, PostgreSQL pg_trgm), then reads the orders of those names. Triggers on
# orders add new names; a name no order carries any more stays and matches nothing.
order_names = Table(
    "order_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name_key", Key(201), nullable=False, unique=True),
    Compact("name_key", 201),
    Index(None, "compact_key", "name_key"),  # all a name search reads of a name
)

# How many orders each status, market and UTC day (YYYY-MM-DD) has: the count of the order
# list without a search term adds these up for the whole days it asks for. Triggers on
# orders keep them exact (migration 0007); a counter that falls to 0 is deleted.
order_day_counts = Table(
    "order_day_counts",
    metadata,
    Column("status", String(24), primary_key=True),
    Column("market_code", String(8), primary_key=True),
    Column("day", Key(10), primary_key=True),
    Column("orders", Integer, nullable=False),
    sqlite_with_rowid=False,
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE")),
    Column("cart_id", ForeignKey("carts.id", ondelete="CASCADE")),
    Column("number", Integer, nullable=False),
    Column("status", String(24), nullable=False),
    Column("status_before_hold", String(24)),
    Column("method_code", String(40)),
    Column("method_name", String(100)),
    Column("shipping_cost", Money),
    *_address_columns("address_"),
    CheckConstraint("(order_id IS NULL) <> (cart_id IS NULL)", name="one_owner"),
    Index(None, "order_id"),
    Index(None, "cart_id"),
)

line_items = Table(
    "line_items",
    metadata,
    Column("id", ID, primary_key=True),
    Column("shipment_id", ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("placed_price", Money, nullable=False),
    Column("discount", Money, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    Index(None, "shipment_id"),
)

payments = Table(
    "payments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("method_code", String(40), nullable=False),
    Column("method_name", String(100), nullable=False),
    Column("amount", Money, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Index(None, "order_id"),
)

discounts = Table(
    "discounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE")),
    Column("cart_id", ForeignKey("carts.id", ondelete="CASCADE")),
    Column("position", Integer, nullable=False),
    Column("description", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", Money, nullable=False),
    Column("coupon_code", String(40)),
    CheckConstraint("(order_id IS NULL) <> (cart_id IS NULL)", name="one_owner"),
    Index(None, "order_id"),
    Index(None, "cart_id"),
)

notes = Table(
    "notes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("description", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "order_id"),
)

# No foreign key to orders: a deleted order's audit trail must outlive it. Append-only
# (triggers refuse UPDATE and DELETE) and hash-chained: each record's hash covers its
# content and the hash before it (data/audit.py). `agent` is the name shown, `account` the
# operating-system account that ran csr-tui, `db_role` PostgreSQL's current_user.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_number", String(24)),
    Column("cart_id", Integer),
    Column("action", String(40), nullable=False),
    Column("agent", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("changes", JSON, nullable=False),
    Column("customer_id", Integer),
    Column("account", String(100)),
    Column("db_role", String(100)),
    Column("prev_hash", String(64)),
    Column("hash", String(64)),
    Index(None, "order_number", "id"),
    Index(None, "cart_id"),
    Index(None, "customer_id"),
)

# A sequence both databases understand: one row per name, bumped inside the transaction.
counters = Table(
    "counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
