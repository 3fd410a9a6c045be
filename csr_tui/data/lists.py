"""Small lists for the create-order screens and the open order: customers, variants,
carts, the markets used lately, and the stamps that tell of another agent's change. Read
with SQLAlchemy Core (the order list's plan is in queries.py, its statements in
order_sql.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, column, func, literal_column, or_, select, table, true

from csr_tui.data import tables as t
from csr_tui.data.order_sql import prefix_range
from csr_tui.data.queries import _fts_phrases
from csr_tui.domain.search import (
    LIKE_ESCAPE,
    MIN_SUBSTRING,
    compact_key,
    escape_like,
    is_phone_text,
    parse_contains_search,
    phone_key,
)

o = t.orders


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    email: str | None
    phone: str


def search_customers(conn: Connection, text: str, limit: int = 20) -> list[CustomerRow]:
    """Any part of the name (compared compact, as the order list compares names) or email,
    3+ characters; shorter text: a name or email prefix. Digits (3+, spaced and punctuated
    as you like): any part of the phone number, compared as the order list compares them
    (`phone_key`)."""
    c = t.customers
    key = compact_key(text)
    if not key:
        return []
    if is_phone_text(text, MIN_SUBSTRING):
        where = c.c.phone_key.like(f"%{phone_key(text)}%")
    elif len(key) < MIN_SUBSTRING:
        where = or_(prefix_range(c.c.compact_key, key), prefix_range(c.c.email_key, key))
    else:
        pattern = "%" + escape_like(key) + "%"
        # Emails are compared as typed, lowercased (the name key drops hyphens and accents).
        typed = " ".join(text.split()).lower()
        email = "%" + escape_like(typed) + "%"
        like = or_(
            c.c.compact_key.like(pattern, escape=LIKE_ESCAPE),
            c.c.email_key.like(email, escape=LIKE_ESCAPE),
        )
        if conn.dialect.name == "sqlite":
            fts = table("customers_fts", column("rowid"))
            # Each column by its own phrase; an email too short for a trigram is not looked
            # up (its LIKE alone could find it only by a whole scan).
            phrases = [f"compact_key : {_fts_phrases([key])}"]
            if len(typed) >= MIN_SUBSTRING:
                phrases.append(f"email_key : {_fts_phrases([typed])}")
            match = " OR ".join(phrases)
            ids = select(fts.c.rowid).where(literal_column("customers_fts").op("MATCH")(match))
            where = and_(c.c.id.in_(ids), like)
        else:
            where = like
    rows = conn.execute(
        select(c.c.id, c.c.first_name, c.c.last_name, c.c.email, c.c.phone, c.c.name_key)
        .where(where)
        .order_by(c.c.name_key, c.c.id)
        .limit(limit)
    )
    return [
        CustomerRow(r.id, " ".join(p for p in (r.first_name, r.last_name) if p), r.email, r.phone)
        for r in rows
    ]


@dataclass(frozen=True)
class VariantRow:
    sku: str
    name: str
    description: str
    price: Decimal | None
    in_stock: int
    is_sold: bool
    product_url: str


def search_variants(
    conn: Connection, text: str, market_code: str, limit: int = 30
) -> list[VariantRow]:
    """The whole SKU, or any part of the name or description: three characters or more."""
    query = parse_contains_search(text, "search for a product variant")
    v, p = t.variants, t.variant_prices
    pattern = "%" + escape_like(query.key) + "%"
    like = v.c.compact_key.like(pattern, escape=LIKE_ESCAPE)
    if conn.dialect.name == "sqlite":
        fts = table("variants_fts", column("rowid"))
        match = _fts_phrases([query.key])
        ids = select(fts.c.rowid).where(literal_column("variants_fts").op("MATCH")(match))
        where = or_(v.c.sku == text.strip().upper(), and_(v.c.id.in_(ids), like))
    else:
        where = or_(v.c.sku == text.strip().upper(), like)
    exact_first = (v.c.sku == text.strip().upper()).desc()
    rows = conn.execute(
        select(v, p.c.price)
        .select_from(v.outerjoin(p, and_(p.c.variant_id == v.c.id, p.c.market_code == market_code)))
        .where(where)
        .order_by(exact_first, v.c.is_sold.desc(), v.c.name, v.c.sku)
        .limit(limit)
    )
    return [
        VariantRow(r.sku, r.name, r.description, r.price, r.in_stock, r.is_sold, r.product_url)
        for r in rows
    ]


@dataclass(frozen=True)
class CartRow:
    id: int
    name: str
    customer_name: str
    market_code: str
    line_count: int
    updated_at: datetime
    updated_by: str
    version: int


def list_carts(conn: Connection, limit: int = 200) -> list[CartRow]:
    c, s, li = t.carts, t.shipments, t.line_items
    lines = (
        select(s.c.cart_id, func.count(li.c.id).label("n"))
        .select_from(s.join(li, li.c.shipment_id == s.c.id))
        .where(s.c.cart_id.is_not(None))
        .group_by(s.c.cart_id)
        .subquery()
    )
    rows = conn.execute(
        select(c, func.coalesce(lines.c.n, 0).label("line_count"))
        .select_from(c.outerjoin(lines, lines.c.cart_id == c.c.id))
        .order_by(c.c.updated_at.desc(), c.c.id.desc())
        .limit(limit)
    )
    return [
        CartRow(
            r.id,
            r.name,
            r.customer_name,
            r.market_code,
            r.line_count,
            r.updated_at,
            r.updated_by,
            r.version,
        )
        for r in rows
    ]


# "Lately": the newest orders and carts; reading them is a short walk down the created-at
# index, however many orders there are.
RECENT_USE = 2_000


def recent_market_use(conn: Connection, agent: str) -> list[str]:
    """The market of each of `agent`'s orders and carts among the newest, newest first; an
    agent with none there: everyone's."""
    c = t.carts
    recent = [
        *conn.execute(
            select(o.c.created_at, o.c.market_code, o.c.created_by)
            .order_by(o.c.created_at.desc(), o.c.id.desc())
            .limit(RECENT_USE)
        ),
        *conn.execute(
            select(c.c.updated_at, c.c.market_code, c.c.created_by)
            .order_by(c.c.updated_at.desc(), c.c.id.desc())
            .limit(RECENT_USE)
        ),
    ]
    recent.sort(key=lambda row: row[0], reverse=True)
    own = [market for _at, market, by in recent if by == agent]
    return own or [market for _at, market, _by in recent]


def any_orders(conn: Connection) -> bool:
    return conn.execute(select(true()).select_from(o).limit(1)).first() is not None


@dataclass(frozen=True)
class ChangeStamp:
    """Who saved an order or a cart last, and when: read every second or two while it is
    open, so another agent's change is seen before it conflicts. Notes do not change an
    order's version, so the newest note is part of the stamp."""

    version: int
    changed_by: str
    changed_at: datetime
    notes: int = 0
    last_note_id: int | None = None
    last_note_by: str | None = None
    last_note_at: datetime | None = None


def order_stamp(conn: Connection, number: str) -> ChangeStamp | None:
    order = conn.execute(
        select(o.c.id, o.c.version, o.c.updated_by, o.c.updated_at).where(o.c.number == number)
    ).one_or_none()
    if order is None:
        return None
    n = t.notes
    count, last = conn.execute(
        select(func.count(), func.max(n.c.id)).where(n.c.order_id == order.id)
    ).one()
    note = (
        conn.execute(select(n.c.created_by, n.c.created_at).where(n.c.id == last)).one()
        if last is not None
        else None
    )
    return ChangeStamp(
        order.version,
        order.updated_by,
        order.updated_at,
        count,
        last,
        note.created_by if note else None,
        note.created_at if note else None,
    )


def cart_stamp(conn: Connection, cart_id: int) -> ChangeStamp | None:
    c = t.carts
    cart = conn.execute(
        select(c.c.version, c.c.updated_by, c.c.updated_at).where(c.c.id == cart_id)
    ).one_or_none()
    return None if cart is None else ChangeStamp(cart.version, cart.updated_by, cart.updated_at)
