"""Lists: lightweight summary rows read with SQLAlchemy Core, a page at a time (keyset).

The order list must stay fast at a million orders (search-performance-notes.md). A search
term has a *source*: the index that finds its candidates (order-number or name-prefix
B-tree range, email B-tree, SQLite FTS5 trigram or PostgreSQL pg_trgm for substrings).
The plan is chosen by how many candidates the source has:

- sparse (few candidates): fetch them through the source, filter, sort: cost ~ candidates;
- dense (many candidates), or no source (terms shorter than a trigram): walk the orders
  newest first through the created-at index, or through the (status, market, created_at)
  index once per status and market asked for, testing the term on each row: a page needs
  about page-size / density rows.

Counts stop at COUNT_CAP and then read "10,000+".
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    and_,
    any_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY

from csr_tui.data import tables as t
from csr_tui.domain.search import (
    LIKE_ESCAPE,
    MIN_SUBSTRING,
    OrderSearch,
    SearchKind,
    escape_like,
    parse_contains_search,
    parse_order_search,
    search_key,
)
from csr_tui.domain.statuses import OrderStatus

PAGE_SIZE = 50
COUNT_CAP = 10_000
# Above this many candidates the walk through the created-at index wins over fetching the
# candidates and sorting them (measured: benchmarks/search_benchmark.py).
SPARSE_LIMIT = 4_000

o = t.orders


@dataclass(frozen=True)
class OrderFilter:
    text: str = ""
    statuses: frozenset[OrderStatus] = frozenset()
    markets: frozenset[str] = frozenset()
    created_from: datetime | None = None  # inclusive, aware
    created_to: datetime | None = None  # exclusive, aware

    @property
    def search(self) -> OrderSearch:
        return parse_order_search(self.text)

    @property
    def is_filtered(self) -> bool:
        return bool(self.statuses or self.markets or self.created_from or self.created_to)


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: int


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    created_at: datetime
    name: str
    market_code: str
    customer_name: str
    customer_email: str | None
    status: OrderStatus
    total: Decimal
    currency: str
    version: int  # the version shown: a delete from the list checks it

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.created_at, self.id)


@dataclass(frozen=True)
class Count:
    value: int
    at_least: bool = False

    def __str__(self) -> str:
        return f"{self.value:,}+" if self.at_least else f"{self.value:,}"


ROW_COLUMNS = (
    o.c.id,
    o.c.number,
    o.c.created_at,
    o.c.name,
    o.c.market_code,
    o.c.customer_name,
    o.c.customer_email,
    o.c.status,
    o.c.total,
    o.c.currency,
    o.c.version,
)


def _row(r: Any) -> OrderRow:
    return OrderRow(
        id=r.id,
        number=r.number,
        created_at=r.created_at,
        name=r.name,
        market_code=r.market_code,
        customer_name=r.customer_name,
        customer_email=r.customer_email,
        status=OrderStatus(r.status),
        total=r.total,
        currency=r.currency,
        version=r.version,
    )


def prefix_range(col: Any, prefix: str) -> ColumnElement[bool]:
    """`col` starts with `prefix`, as a range a B-tree can answer (byte-wise collation)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(col >= prefix, col < upper)


def _unindexed(col: Any) -> Any:
    """The column as an expression no index answers, to keep the planner on the walk."""
    return col.op("||")(literal_column("''"))


def _planned_alone(ids: Select[Any]) -> Select[Any]:
    cte = ids.cte("candidates").prefix_with("MATERIALIZED")
    return select(cte.c.id)


@dataclass
class _Source:
    """Where a search term's candidates come from, and the test each row must pass."""

    candidate_ids: Select[Any]  # ids of the candidates, through the source's index
    exact: ColumnElement[bool]  # the term's meaning, on the orders table
    walk_test: ColumnElement[bool]  # the same, written so no index is chosen for it
    count_is_exact: bool  # every candidate matches (no further test narrows them)
    estimable: bool = False  # the planner's row estimate is good enough to choose a plan
    count_test: ColumnElement[bool] | None = None  # for counts, if not walk_test

    @property
    def counting_test(self) -> ColumnElement[bool]:
        return self.walk_test if self.count_test is None else self.count_test


@dataclass
class OrderList:
    """One filter over the orders: its count and its pages, newest first."""

    conn: Connection
    filter: OrderFilter
    all_markets: Sequence[str]
    cap: int = COUNT_CAP
    _planned: bool = field(default=False, init=False)
    _candidates: int | None = field(default=None, init=False)
    _sparse_ids: list[int] | None = field(default=None, init=False)

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    # -- the search term ---------------------------------------------------------------

    @cached_property
    def source(self) -> _Source | None:
        search = self.filter.search
        if search.kind is SearchKind.ALL:
            return None
        if search.kind is SearchKind.EMAIL:
            exact = o.c.email_key == search.text
            walk = _unindexed(o.c.email_key) == search.text
            return _Source(select(o.c.id).where(exact), exact, walk, True)
        if search.kind is SearchKind.ORDER_NUMBER:
            exact = prefix_range(o.c.number, search.text)
            walk = prefix_range(_unindexed(o.c.number), search.text)
            return _Source(select(o.c.id).where(exact), exact, walk, True)
        return self._name_source(search)

    def _name_source(self, search: OrderSearch) -> _Source:
        pattern = search.like_pattern()
        like = o.c.name_key.like(pattern, escape=LIKE_ESCAPE)
        # SQLite never answers LIKE from an index here (binary collation, case-insensitive
        # LIKE), so the plain test is already index-free, and 50% cheaper than `|| ''`.
        walk_like = (
            like
            if self.dialect == "sqlite"
            else _unindexed(o.c.name_key).like(pattern, escape=LIKE_ESCAPE)
        )
        if search.is_prefix:
            exact = prefix_range(o.c.name_key, search.fragments[0])
            walk = prefix_range(_unindexed(o.c.name_key), search.fragments[0])
            return _Source(select(o.c.id).where(exact), exact, walk, True)
        if search.anchored:
            first = prefix_range(o.c.name_key, search.fragments[0])
            return _Source(select(o.c.id).where(first), like, walk_like, False, count_test=like)
        single = len(search.fragments) == 1
        long_enough = [f for f in search.fragments if len(f) >= MIN_SUBSTRING]
        if not long_enough:
            # Shorter than a trigram: no index finds it, but scanning the narrow name index
            # costs a third of scanning the table (and on PostgreSQL keeps it off the
            # trigram index, which would recheck every row: 450 ms).
            return _Source(
                select(o.c.id).where(walk_like), like, walk_like, single, count_test=like
            )
        if self.dialect == "sqlite":
            fts = table("orders_fts", column("rowid"))
            match = " AND ".join('"' + f.replace('"', '""') + '"' for f in long_enough)
            ids = select(fts.c.rowid).where(literal_column("orders_fts").op("MATCH")(match))
            return _Source(ids, like, walk_like, single, count_test=like)
        # PostgreSQL: pg_trgm's GIN index answers LIKE '%...%'. Planned on its own (a
        # materialized CTE), or a LIMIT above it tempts the planner into a B-tree scan.
        # Counts test the plain LIKE: hidden behind `|| ''` the column loses its statistics
        # and the planner misjudges how many rows match (3,209 guessed, 24,486 found).
        return _Source(
            _planned_alone(select(o.c.id).where(like)),
            like,
            walk_like,
            single,
            estimable=True,
            count_test=like,
        )

    def _plan(self) -> None:
        """Sparse or dense. If the candidates are few, fetch their ids: the page and the
        count then work on that list. Otherwise the term is dense: walk the indexes."""
        if self._planned:
            return
        self._planned = True
        src = self.source
        if src is None:
            return
        if src.estimable and self._estimated_rows(src.candidate_ids) > 2 * SPARSE_LIMIT:
            # PostgreSQL's own estimate is enough to choose; counting trigram candidates
            # costs a heap recheck per candidate (15 ms for %tay).
            return
        self._candidates = self._capped_count(src.candidate_ids)
        if self._candidates == 0:
            self._sparse_ids = []
        elif self._candidates <= SPARSE_LIMIT:
            self._sparse_ids = list(self.conn.execute(src.candidate_ids).scalars())

    def _among(self, ids: list[int]) -> ColumnElement[bool]:
        """`id IN ids` as one parameter: an array on PostgreSQL, a JSON array on SQLite.
        Thousands of bound parameters cost more in Python than the query in the database."""
        if self.dialect == "postgresql":
            return o.c.id == any_(bindparam("candidate_ids", ids, type_=ARRAY(BigInteger)))
        values = func.json_each(json.dumps(ids)).table_valued("value")
        return o.c.id.in_(select(values.c.value))

    def _capped_count(self, rows: Select[Any]) -> int:
        limited = rows.limit(self.cap + 1).subquery()
        return self.conn.execute(select(func.count()).select_from(limited)).scalar_one()

    def _estimated_rows(self, query: Select[Any]) -> float:
        compiled = query.compile(
            dialect=self.conn.dialect, compile_kwargs={"render_postcompile": True}
        )
        plan = self.conn.exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + compiled.string, compiled.params
        ).scalar_one()
        return float(plan[0]["Plan"]["Plan Rows"])

    @property
    def sparse(self) -> bool:
        self._plan()
        return self._sparse_ids is not None

    # -- filters -----------------------------------------------------------------------

    def _created_at(self, drive: bool) -> Any:
        # created_at is text on SQLite (so `|| ''` keeps its meaning) and a timestamp on
        # PostgreSQL, whose planner needs no such help with a list of candidates.
        if drive or self.dialect != "sqlite":
            return o.c.created_at
        return _unindexed(o.c.created_at)

    def _date_conditions(self, created_at: Any) -> list[ColumnElement[bool]]:
        conditions = []
        if self.filter.created_from:
            conditions.append(created_at >= self.filter.created_from)
        if self.filter.created_to:
            conditions.append(created_at < self.filter.created_to)
        return conditions

    def _filter_conditions(self, drive: bool = True) -> list[ColumnElement[bool]]:
        """Status, market and date. `drive=False` writes them so that no index serves them:
        the candidates must drive the query, not a walk that probes the candidates."""
        f = self.filter
        conditions = self._date_conditions(self._created_at(drive))
        status = o.c.status if drive else _unindexed(o.c.status)
        market = o.c.market_code if drive else _unindexed(o.c.market_code)
        if f.statuses:
            conditions.append(status.in_(sorted(s.value for s in f.statuses)))
        if f.markets:
            conditions.append(market.in_(sorted(f.markets)))
        return conditions

    def _combos(self) -> list[tuple[str | None, str | None]]:
        """(status, market) pairs to walk, one index range each; (None, None): one walk."""
        f = self.filter
        if not f.statuses and not f.markets:
            return [(None, None)]
        statuses = sorted(s.value for s in (f.statuses or OrderStatus))
        markets = sorted(f.markets or self.all_markets)
        return list(itertools.product(statuses, markets))

    def _keyset(
        self, after: Cursor | None, before: Cursor | None, drive: bool = True
    ) -> list[ColumnElement[bool]]:
        created_at = self._created_at(drive)
        key = tuple_(created_at, o.c.id)
        if after is not None:
            # The plain bound lets SQLite narrow the index range (22 ms -> 0.2 ms measured).
            return [created_at <= after.created_at, key < (after.created_at, after.id)]
        if before is not None:
            return [created_at >= before.created_at, key > (before.created_at, before.id)]
        return []

    # -- count -------------------------------------------------------------------------

    def count(self) -> Count:
        src = self.source
        if src is not None and self.sparse:
            assert self._sparse_ids is not None
            if src.count_is_exact and not self.filter.is_filtered:
                return Count(len(self._sparse_ids))
            query = select(func.count()).where(
                self._among(self._sparse_ids), src.exact, *self._filter_conditions(drive=False)
            )
            return Count(self.conn.execute(query).scalar_one())
        if src is not None and src.count_is_exact and not self.filter.is_filtered:
            total = self._candidates or self._capped_count(src.candidate_ids)
        else:
            test = [src.counting_test] if src is not None else []
            matching = (
                select(literal_column("1")).select_from(o).where(*test, *self._filter_conditions())
            )
            if (
                self.dialect == "postgresql"
                and src is not None
                and self._estimated_rows(matching) < self.cap
            ):
                # Few matches among many filtered rows: count them all, which PostgreSQL
                # does with parallel workers (21 ms); a LIMIT keeps it on one (40 ms).
                total = self.conn.execute(
                    select(func.count()).select_from(matching.subquery())
                ).scalar_one()
            else:
                total = self._capped_count(matching)
        return Count(self.cap, True) if total > self.cap else Count(total)

    # -- pages -------------------------------------------------------------------------

    def page(
        self,
        *,
        after: Cursor | None = None,
        before: Cursor | None = None,
        last: bool = False,
        size: int = PAGE_SIZE,
    ) -> tuple[list[OrderRow], bool]:
        """A page newest first, and whether more rows lie beyond it in the direction read.

        `after`: the page older than that row; `before`: the page newer than it;
        `last`: the oldest page.
        """
        ascending = before is not None or last
        limit = size + 1
        if self.source is not None and self.sparse:
            query = self._sparse_page(after, before, ascending, limit)
        else:
            query = self._walk_page(after, before, ascending, limit)
        rows = [_row(r) for r in self.conn.execute(query)]
        more = len(rows) > size
        rows = rows[:size]
        if ascending:
            rows.reverse()
        return rows, more

    @staticmethod
    def _order(ascending: bool, created_at: Any = o.c.created_at, id_: Any = o.c.id) -> list[Any]:
        if ascending:
            return [created_at.asc(), id_.asc()]
        return [created_at.desc(), id_.desc()]

    def _sparse_page(
        self, after: Cursor | None, before: Cursor | None, ascending: bool, limit: int
    ) -> Select[Any]:
        src = self.source
        assert src is not None and self._sparse_ids is not None
        conditions = [
            self._among(self._sparse_ids),
            src.exact,
            *self._filter_conditions(drive=False),
            *self._keyset(after, before, drive=False),
        ]
        order = self._order(ascending, self._created_at(drive=False))
        return select(*ROW_COLUMNS).where(*conditions).order_by(*order).limit(limit)

    def _walk_page(
        self, after: Cursor | None, before: Cursor | None, ascending: bool, limit: int
    ) -> Select[Any]:
        """Walk the covering indexes for the ids of the page, then read just those rows."""
        test = [self.source.walk_test] if self.source is not None else []
        common = [*test, *self._date_conditions(o.c.created_at), *self._keyset(after, before)]
        parts = []
        for status, market in self._combos():
            where = list(common)
            if status is not None:
                where += [o.c.status == status, o.c.market_code == market]
            parts.append(
                select(o.c.id, o.c.created_at)
                .where(*where)
                .order_by(*self._order(ascending))
                .limit(limit)
            )
        if len(parts) == 1:
            keys = parts[0].subquery()
        else:
            merged = union_all(*[select(p.subquery()) for p in parts]).subquery()
            keys = (
                select(merged.c.id)
                .order_by(*self._order(ascending, merged.c.created_at, merged.c.id))
                .limit(limit)
                .subquery()
            )
        return (
            select(*ROW_COLUMNS)
            .where(o.c.id.in_(select(keys.c.id)))
            .order_by(*self._order(ascending, self._created_at(drive=False)))
        )


# -- customers, variants, carts: small lists for the create-order screens ---------------


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    email: str | None
    phone: str


# What a phone number is written with; text made only of these, with three digits or more,
# is looked for in phone numbers, whatever their spacing and punctuation.
PHONE_CHARACTERS = frozenset("0123456789 +-()./")


def _digits(column: ColumnElement[str]) -> ColumnElement[str]:
    for character in sorted(PHONE_CHARACTERS - set("0123456789")):
        column = func.replace(column, character, "")
    return column


def search_customers(conn: Connection, text: str, limit: int = 20) -> list[CustomerRow]:
    """Any part of the name or email (3+ characters); shorter text: a name or email prefix.
    Digits (3+, spaced and punctuated as you like): any part of the phone number."""
    c = t.customers
    key = search_key(text)
    if not key:
        return []
    digits = "".join(ch for ch in key if ch.isascii() and ch.isdigit())
    if set(key) <= PHONE_CHARACTERS and len(digits) >= MIN_SUBSTRING:
        where = _digits(c.c.phone).like(f"%{digits}%")
    elif len(key) < MIN_SUBSTRING:
        where = or_(prefix_range(c.c.name_key, key), prefix_range(c.c.email_key, key))
    else:
        pattern = "%" + escape_like(key) + "%"
        like = or_(
            c.c.name_key.like(pattern, escape=LIKE_ESCAPE),
            c.c.email_key.like(pattern, escape=LIKE_ESCAPE),
        )
        if conn.dialect.name == "sqlite":
            fts = table("customers_fts", column("rowid"))
            match = '"' + key.replace('"', '""') + '"'
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
    like = v.c.search_key.like(pattern, escape=LIKE_ESCAPE)
    if conn.dialect.name == "sqlite":
        fts = table("variants_fts", column("rowid"))
        match = '"' + query.key.replace('"', '""') + '"'
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
