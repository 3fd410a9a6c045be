"""Lists: lightweight summary rows read with SQLAlchemy Core, a page at a time (keyset).

The order list must stay fast at a million orders (README, "Benchmarks"). A search term has
a *source*: a condition on orders that one index answers.

- A name: the orders whose name_key is one of the names in `order_names` that match the
  term. Names repeat (15,172 names on 1,000,000 demo orders), so the term's pattern is
  tested on the distinct names, found through a trigram index over them (SQLite FTS5,
  PostgreSQL pg_trgm) when a fragment has three characters or more; an absent trigram
  finds no name at once. The orders of those names come from the covering index
  (name_key, created_at, id, status, market_code): sorting, filtering and counting them
  reads no table row.
- An email: the email_key B-tree. An order number: a range of the number B-tree.
- A phone number: a range of phone_key (the digits, last first: "ends with" is a prefix)
  through the covering index (phone_key, created_at, id, status, market_code), as a name's
  orders are read. Digits that no order number starts with are looked for as a phone
  number's end (one probe of the number B-tree decides).

The plan follows the number of orders the source finds, counted through its index: up to
COUNT_CAP + 1 without filters (that count is also the one shown), up to PROBE with them
(the same reading tells how many of them the filters keep; a name's orders are read from
the start date on, which the name index narrows to, since created_at follows name_key):

- sparse (at most SPARSE_LIMIT): the page comes from the source: its (created_at, id) keys
  are sorted and 51 rows read; cost ~ matches;
- dense (more), or no search term: walk the orders newest first through (created_at, id,
  name_key), or through (status, market, created_at, id, name_key) once per status and
  market asked for, testing the term on each index entry: a page needs about
  page-size / density entries, which falls as the matches grow. At the switch both cost
  about the same (2-5 ms at 1M orders), so there is no cliff around it.

Counts stop at COUNT_CAP and then read "10,000+". Every statement is built once per shape
and reused with new parameters. The plans hold without planner statistics (SQLite has
none unless ANALYZE ran): on SQLite, conditions that must not choose the index are written
`+column`. `DictionaryKey` is the place for another searched key (a folded name, phone
digits): a column of orders, a table of its values, a trigram index over them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Select,
    and_,
    any_,
    bindparam,
    case,
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
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from csr_tui.data import tables as t
from csr_tui.data.cancel import Cancellation
from csr_tui.domain.search import (
    LIKE_ESCAPE,
    MIN_SUBSTRING,
    OrderSearch,
    SearchKind,
    compact_key,
    escape_like,
    is_phone_text,
    parse_contains_search,
    parse_order_search,
    phone_key,
)
from csr_tui.domain.statuses import OrderStatus

PAGE_SIZE = 50
COUNT_CAP = 10_000
# Up to this many orders the page is read through the source; above, by the walk. Measured
# at 1M orders (benchmarks/search_benchmark.py): a walk compacts each entry's name before
# the LIKE (`replace`), which costs SQLite 3x the plain LIKE (j%smith, 6,901 orders: 5.8
# ms walked, 1.3 ms before names were compacted, ~2 ms sorted); PostgreSQL tests a LIKE on
# a walked entry slower too (j%smith: 28 ms walked, 13 ms sorted). Above COUNT_CAP orders
# (1% of them or more) a page is a walk of 5,000 entries or fewer.
SPARSE_LIMIT = {"sqlite": COUNT_CAP, "postgresql": COUNT_CAP}
# With filters, the first PROBE orders of a search term's source (in the dates, for a name)
# are read once, testing the filters on the index entries: that tells how many orders the
# term has (up to PROBE) and, if it has fewer, how many of them the filters keep. For a
# denser term: if the filters kept at least 1 in PROBE_KEEPS, the count goes on through the
# source (it reaches COUNT_CAP within 200,000 entries); else the filtered orders are few
# (about 1 in 20 of all) and they are walked instead, testing the term.
PROBE = 20_000
PROBE_KEEPS = 20

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


class OrderRow(NamedTuple):
    """A row of the order list. A named tuple: a page makes 51 of them per keystroke, and a
    tuple is built ~10x faster than a frozen dataclass."""

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


_STATUSES = {status.value: status for status in OrderStatus}


def _row(r: Any) -> OrderRow:
    """The columns in ROW_COLUMNS' order, which is OrderRow's. A status no version ever
    wrote fails as OrderStatus does (ValueError)."""
    status = _STATUSES.get(r[7]) or OrderStatus(r[7])
    return OrderRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], status, r[8], r[9], r[10])


def prefix_end(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (byte-wise order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_range(col: Any, prefix: str) -> ColumnElement[bool]:
    """`col` starts with `prefix`, as a range a B-tree can answer (byte-wise collation)."""
    return and_(col >= prefix, col < prefix_end(prefix))


def _unindexed(col: Any, dialect: str) -> Any:
    """The column as an expression no index answers, to keep the planner on the plan chosen:
    SQLite's unary + (a no-op that costs nothing), PostgreSQL's `|| ''`."""
    if dialect == "sqlite":
        return UnaryExpression(col, operator=custom_op("+"), type_=col.type)
    return col.op("||")(literal_column("''"))


def _fts_phrases(fragments: Sequence[str]) -> str:
    """An FTS5 query for rows holding every fragment: quoted phrases, in which `%` and `_`
    are literal and `"` is doubled."""
    return " AND ".join('"' + f.replace('"', '""') + '"' for f in fragments)


# Every statement of the order list is built once per shape (which search, which filters,
# which page) with named parameters, then reused: building and compiling a statement costs
# more than running it (0.5-3 ms against 0.1-2 ms at 1M orders).
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    return statement


def _param(name: str, column: Any = None) -> Any:
    return bindparam(name, type_=None if column is None else column.type)


def _between(col: Any, low: str, high: str) -> ColumnElement[bool]:
    return and_(col >= _param(low), col < _param(high))


@dataclass(frozen=True)
class DictionaryKey:
    """A column of orders searched through a table of its distinct values, which carries a
    trigram index: the values matching a term, then the orders holding those values.
    Names are matched in their compact form (domain.search.compact): the table keeps it
    beside each value, with the trigram index and a B-tree over it.

    Parameters: `first`/`first_end` (the first fragment's range), `pattern` (LIKE, escaped
    with LIKE_ESCAPE), `phrases` (SQLite FTS5 query)."""

    column: Column[Any]  # on orders
    values: Column[Any]  # the distinct values
    compared: Column[Any]  # each value's compact form, which the term is matched in
    value_id: Column[Any]  # their integer key: the rowid of the SQLite FTS5 table
    fts: str  # the SQLite FTS5 trigram table over the compact forms

    @staticmethod
    def shape(search: OrderSearch) -> tuple[bool, bool, bool]:
        trigrams = any(len(f) >= MIN_SUBSTRING for f in search.fragments)
        return search.is_prefix, search.anchored, trigrams

    @staticmethod
    def values_for(search: OrderSearch) -> dict[str, str]:
        first = search.fragments[0]
        trigrams = [f for f in search.fragments if len(f) >= MIN_SUBSTRING]
        return {
            "first": first,
            "first_end": prefix_end(first),
            "pattern": search.like_pattern(),
            "phrases": _fts_phrases(trigrams),
        }

    def matching(self, shape: tuple[bool, bool, bool], dialect: str) -> Select[Any]:
        """The values that match a name search (`OrderSearch.matches_name`)."""
        is_prefix, anchored, trigrams = shape
        value = self.compared
        if is_prefix:
            return select(self.values).where(_between(value, "first", "first_end"))
        tests: list[ColumnElement[bool]] = []
        if anchored:
            tests.append(_between(value, "first", "first_end"))
        like = value.like(_param("pattern"), escape=LIKE_ESCAPE)
        if dialect == "sqlite":
            if trigrams:
                fts = table(self.fts, column("rowid"))
                match = literal_column(self.fts).op("MATCH")(_param("phrases"))
                tests.append(self.value_id.in_(select(fts.c.rowid).where(match)))
            tests.append(like)
        elif trigrams:
            tests.append(like)  # pg_trgm's GIN index answers it
        else:
            # No trigram to look up: read the values rather than the whole trigram index.
            tests.append(_unindexed(value, dialect).like(_param("pattern"), escape=LIKE_ESCAPE))
        if dialect == "sqlite" and not anchored and not trigrams:
            # Read through the index of (compact form, value), which holds the compact forms
            # SQLite computes on a row (a virtual column: 7 ms for 15,000 names, 2 ms). A
            # pattern matches no empty name.
            tests.append(value > "")
        return select(self.values).where(*tests)

    def orders_matching(self, shape: tuple[bool, bool, bool], dialect: str) -> ColumnElement[bool]:
        values = self.matching(shape, dialect)
        if dialect == "sqlite":
            return self.column.in_(values)
        # ARRAY(SELECT ...): one array, computed first; PostgreSQL then reads each value's
        # range of the covering index, whatever it guesses about how many values there are.
        return self.column == any_(func.array(values.scalar_subquery()))

    def walked(self) -> Any:
        """The compact form of the orders' column, computed on the index entry a walk tests
        (no index answers it)."""
        return func.replace(self.column, " ", "", type_=self.column.type)


NAME_KEY = DictionaryKey(
    o.c.name_key,
    t.order_names.c.name_key,
    t.order_names.c.compact_key,
    t.order_names.c.id,
    "order_names_fts",
)


@dataclass(frozen=True)
class _Source:
    """Where a search term's orders come from, and the same test for walks."""

    match: ColumnElement[bool]  # on orders, answered through an index
    walk_test: ColumnElement[bool]  # the same, written so that no index serves it
    # Its index holds created_at right after the key (the name index): a date range or a
    # keyset narrows each key's range of it instead of being tested on every entry.
    dated: bool = False


def _source(shape: tuple[Any, ...], dialect: str) -> _Source:
    kind = shape[0]
    if kind is SearchKind.EMAIL:
        return _Source(
            o.c.email_key == _param("email"),
            _unindexed(o.c.email_key, dialect) == _param("email"),
        )
    if kind is SearchKind.ORDER_NUMBER:
        return _Source(
            _between(o.c.number, "first", "first_end"),
            _between(_unindexed(o.c.number, dialect), "first", "first_end"),
        )
    if kind is SearchKind.PHONE:
        return _Source(
            _between(o.c.phone_key, "first", "first_end"),
            _between(_unindexed(o.c.phone_key, dialect), "first", "first_end"),
        )
    name_shape = shape[1:]
    walked = NAME_KEY.walked()
    if name_shape[0]:  # a plain prefix
        walk = _between(walked, "first", "first_end")
    else:
        walk = walked.like(_param("pattern"), escape=LIKE_ESCAPE)
    return _Source(NAME_KEY.orders_matching(name_shape, dialect), walk, dated=True)


@dataclass(frozen=True)
class _Filters:
    """Which of status, market and date a filter sets: the shape of its conditions."""

    statuses: bool
    markets: bool
    created_from: bool
    created_to: bool

    def conditions(
        self, dialect: str, drive: bool = True, dated: bool = False
    ) -> list[ColumnElement[bool]]:
        """`drive=False` writes them so that no index serves them: the source must drive the
        query, not a walk that tests the source. `dated`: the source's index narrows by the
        dates (`_Source.dated`)."""
        dates = (
            _source_dates(self, dialect)
            if dated and not drive
            else _date_conditions(self, _created_at(dialect, drive))
        )
        return [*dates, *self.kinds(dialect, drive)]

    def kinds(self, dialect: str, drive: bool = True) -> list[ColumnElement[bool]]:
        """The status and market conditions."""
        conditions = []
        if self.statuses:
            status = o.c.status if drive else _unindexed(o.c.status, dialect)
            conditions.append(status.in_(bindparam("statuses", expanding=True)))
        if self.markets:
            market = o.c.market_code if drive else _unindexed(o.c.market_code, dialect)
            conditions.append(market.in_(bindparam("markets", expanding=True)))
        return conditions


def _created_at(dialect: str, drive: bool) -> Any:
    # created_at is text on SQLite (so `|| ''` keeps its meaning) and a timestamp on
    # PostgreSQL, whose planner needs no such help with a list of candidates.
    if drive or dialect != "sqlite":
        return o.c.created_at
    return _unindexed(o.c.created_at, dialect)


def _date_conditions(
    filters: _Filters, created_at: Any, end: Any = None
) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.created_from:
        conditions.append(created_at >= _param("created_from", o.c.created_at))
    if filters.created_to:
        conditions.append(
            (created_at if end is None else end) < _param("created_to", o.c.created_at)
        )
    return conditions


def _source_dates(filters: _Filters, dialect: str) -> list[ColumnElement[bool]]:
    """The dates, narrowing a dated source's index by their start only: given both ends,
    SQLite without statistics (as right after an upgrade) walks the created-at index."""
    return _date_conditions(filters, o.c.created_at, _created_at(dialect, drive=False))


Keyset = Literal["after", "before"] | None


def _keyset(dialect: str, keyset: Keyset, drive: bool = True) -> list[ColumnElement[bool]]:
    if keyset is None:
        return []
    created_at = _created_at(dialect, drive)
    at = _param("key_at", o.c.created_at)
    key = tuple_(created_at, o.c.id)
    row = tuple_(at, _param("key_id", o.c.id))
    if keyset == "after":
        # The plain bound lets SQLite narrow the index range (22 ms -> 0.2 ms measured).
        return [created_at <= at, key < row]
    return [created_at >= at, key > row]


def _order(ascending: bool, created_at: Any = o.c.created_at, id_: Any = o.c.id) -> list[Any]:
    if ascending:
        return [created_at.asc(), id_.asc()]
    return [created_at.desc(), id_.desc()]


def _capped(rows: Select[Any], cap: str = "cap") -> Select[Any]:
    """How many rows `rows` selects, counting no further than the parameter `cap`."""
    limited = rows.limit(_param(cap, o.c.id)).subquery()
    return select(func.count()).select_from(limited)


@dataclass
class OrderList:
    """One filter over the orders: its count and its pages, newest first."""

    conn: Connection
    filter: OrderFilter
    all_markets: Sequence[str]
    cap: int = COUNT_CAP
    cancel: Cancellation | None = None

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def _run(self, key: tuple[Any, ...], build: Callable[[], Any], **values: Any) -> Any:
        statement = _cached((self.dialect, *key), build)
        parameters = {**self.values, **values}
        if self.cancel is not None:
            return self.cancel.run(self.conn, statement, parameters)
        return self.conn.execute(statement, parameters)

    # -- the search term and the filters -------------------------------------------------

    @cached_property
    def search(self) -> OrderSearch:
        """The search typed; digits that no order number starts with: a phone number's."""
        search = self.filter.search
        if search.kind is SearchKind.ORDER_NUMBER and search.phone:
            any_number = _cached(
                (self.dialect, "any number"),
                lambda: select(o.c.id).where(_between(o.c.number, "first", "first_end")).limit(1),
            )
            values = {"first": search.text, "first_end": prefix_end(search.text)}
            if self.cancel is not None:
                found = self.cancel.run(self.conn, any_number, values).first()
            else:
                found = self.conn.execute(any_number, values).first()
            if found is None:
                return search.as_phone()
        return search

    @cached_property
    def source_shape(self) -> tuple[Any, ...] | None:
        kind = self.search.kind
        if kind is SearchKind.ALL:
            return None
        if kind is SearchKind.NAME:
            return (kind, *DictionaryKey.shape(self.search))
        return (kind,)

    @cached_property
    def filters(self) -> _Filters:
        f = self.filter
        return _Filters(
            bool(f.statuses), bool(f.markets), f.created_from is not None, f.created_to is not None
        )

    @cached_property
    def values(self) -> dict[str, Any]:
        """The parameters of every statement of this list (each uses some of them)."""
        f, search = self.filter, self.search
        values: dict[str, Any] = {
            "statuses": sorted(s.value for s in f.statuses),
            "markets": sorted(f.markets),
            "created_from": f.created_from,
            "created_to": f.created_to,
            "cap": self.cap + 1,
        }
        if search.kind is SearchKind.NAME:
            values |= DictionaryKey.values_for(search)
        elif search.kind is SearchKind.EMAIL:
            values["email"] = search.text
        elif search.kind is SearchKind.ORDER_NUMBER:
            values |= {"first": search.text, "first_end": prefix_end(search.text)}
        elif search.kind is SearchKind.PHONE:
            values |= {"first": search.phone, "first_end": prefix_end(search.phone)}
        for i, (status, market) in enumerate(self._combos()):
            values |= {f"status_{i}": status, f"market_{i}": market}
        return values

    def _combos(self) -> list[tuple[str, str]]:
        """(status, market) pairs to walk, one index range each; none: one walk."""
        f = self.filter
        if not f.statuses and not f.markets:
            return []
        statuses = sorted(s.value for s in (f.statuses or OrderStatus))
        markets = sorted(f.markets or self.all_markets)
        return list(itertools.product(statuses, markets))

    def _source(self) -> _Source:
        assert self.source_shape is not None
        return _source(self.source_shape, self.dialect)

    @cached_property
    def source_size(self) -> tuple[int, int]:
        """How many orders the source finds whatever the filters, counted up to a bound
        (COUNT_CAP + 1 without filters, PROBE with), and that bound."""
        if self.filter.is_filtered:
            return self.probe[0], PROBE
        size = self._run(
            ("source count", self.source_shape),
            lambda: _capped(select(o.c.id).where(self._source().match)),
        ).scalar_one()
        return size, self.cap + 1

    @cached_property
    def probe(self) -> tuple[int, int]:
        """Of the source's first PROBE orders (in the dates asked for, when its index narrows
        by them), how many were read and how many the filters keep."""

        def build() -> Select[Any]:
            src, dialect = self._source(), self.dialect
            where = [src.match]
            if src.dated:
                where += _source_dates(self.filters, dialect)
                tests = self.filters.kinds(dialect)
            else:
                tests = self.filters.conditions(dialect)
            # Tested in the select list, where no index can serve them.
            kept = case((and_(*tests), 1), else_=0) if tests else literal_column("1")
            first = (
                select(kept.label("kept")).where(*where).limit(_param("probe", o.c.id)).subquery()
            )
            return select(func.count(), func.coalesce(func.sum(first.c.kept), 0))

        key = ("probe", self.source_shape, self.filters)
        seen, kept = self._run(key, build, probe=PROBE).one()
        return seen, kept

    @property
    def sparse(self) -> bool:
        """Few enough orders to sort them all. A walk with filters walks once per status and
        market asked for, so the source serves more orders then."""
        if self.source_shape is None:
            return False
        size, bound = self.source_size
        return size < bound and size <= SPARSE_LIMIT[self.dialect] * max(1, len(self._combos()))

    # -- count -------------------------------------------------------------------------

    def known_count(self) -> Count | None:
        """The count, if reading the page already told it (a search term, no filter)."""
        if self.source_shape is None or self.filter.is_filtered:
            return None
        if "source_size" not in self.__dict__:
            return None
        return self.count()

    def count(self) -> Count:
        shape, filters, dialect = self.source_shape, self.filters, self.dialect
        if shape is None:
            total = self._run(
                ("count", filters),
                lambda: _capped(select(o.c.id).where(*filters.conditions(dialect))),
            ).scalar_one()
        elif not self.filter.is_filtered:
            total = self.source_size[0]
        else:
            seen, kept = self.probe
            if seen < PROBE or kept > self.cap:
                total = kept
            elif kept * PROBE_KEEPS >= seen:
                total = self._count_through_source()
            else:
                # A dense term among few filtered orders: walk those, testing the term.
                total = self._run(
                    ("count via walk", shape, filters),
                    lambda: _capped(
                        select(o.c.id).where(self._source().walk_test, *filters.conditions(dialect))
                    ),
                ).scalar_one()
        return Count(self.cap, True) if total > self.cap else Count(total)

    def _count_through_source(self) -> int:
        def build() -> Select[Any]:
            src = self._source()
            conditions = self.filters.conditions(self.dialect, drive=False, dated=src.dated)
            return _capped(select(o.c.id).where(src.match, *conditions))

        return self._run(("count via source", self.source_shape, self.filters), build).scalar_one()

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
        cursor = after or before
        keyset: Keyset = "after" if after else "before" if before else None
        values: dict[str, Any] = {"limit": size + 1}
        if cursor is not None:
            values |= {"key_at": cursor.created_at, "key_id": cursor.id}
        if self.sparse:
            key = ("source page", self.source_shape, self.filters, keyset, ascending)
            result = self._run(key, lambda: self._source_page(keyset, ascending), **values)
        else:
            combos = len(self._combos())
            key = ("walk page", self.source_shape, self.filters, combos, keyset, ascending)
            result = self._run(key, lambda: self._walk_page(combos, keyset, ascending), **values)
        rows = [_row(r) for r in result]
        more = len(rows) > size
        rows = rows[:size]
        if ascending:
            rows.reverse()
        return rows, more

    def _rows_of(self, keys: Select[Any], ascending: bool) -> Select[Any]:
        """The rows of a page whose ids `keys` selects, sorted (they are few)."""
        return (
            select(*ROW_COLUMNS)
            .where(o.c.id.in_(keys))
            .order_by(*_order(ascending, _created_at(self.dialect, drive=False)))
        )

    def _source_page(self, keyset: Keyset, ascending: bool) -> Select[Any]:
        """Sort the keys of the source's orders (at most SPARSE_LIMIT), then read a page."""
        src, dialect = self._source(), self.dialect
        conditions = [
            src.match,
            *self.filters.conditions(dialect, drive=False, dated=src.dated),
            *_keyset(dialect, keyset, drive=False),
        ]
        limit = _param("limit", o.c.id)
        if dialect == "sqlite":
            order = _order(ascending, _created_at(dialect, drive=False))
            keys = select(o.c.id).where(*conditions).order_by(*order).limit(limit)
        else:
            # Gathered on their own first, or a LIMIT above tempts the planner to walk.
            found = select(o.c.id, o.c.created_at).where(*conditions).cte("found")
            found = found.prefix_with("MATERIALIZED")
            order = _order(ascending, found.c.created_at, found.c.id)
            keys = select(found.c.id).order_by(*order).limit(limit)
        return self._rows_of(keys, ascending)

    def _walk_page(self, combos: int, keyset: Keyset, ascending: bool) -> Select[Any]:
        """Walk the covering indexes for the ids of the page, then read just those rows."""
        dialect = self.dialect
        test = [self._source().walk_test] if self.source_shape is not None else []
        common = [
            *test,
            *_date_conditions(self.filters, o.c.created_at),
            *_keyset(dialect, keyset),
        ]
        limit = _param("limit", o.c.id)
        parts = []
        for i in range(combos or 1):
            where = list(common)
            if combos:
                where += [
                    o.c.status == _param(f"status_{i}", o.c.status),
                    o.c.market_code == _param(f"market_{i}", o.c.market_code),
                ]
            parts.append(
                select(o.c.id, o.c.created_at)
                .where(*where)
                .order_by(*_order(ascending))
                .limit(limit)
            )
        if len(parts) == 1:
            keys = parts[0].subquery()
        else:
            merged = union_all(*[select(p.subquery()) for p in parts]).subquery()
            keys = (
                select(merged.c.id)
                .order_by(*_order(ascending, merged.c.created_at, merged.c.id))
                .limit(limit)
                .subquery()
            )
        return self._rows_of(select(keys.c.id), ascending)


# -- customers, variants, carts: small lists for the create-order screens ---------------


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
