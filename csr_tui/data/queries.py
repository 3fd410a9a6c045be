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

Counts stop at COUNT_CAP and then read "10,000+". Without a search term the count adds up
the orders of each status, market and UTC day that triggers keep in order_day_counts, and
counts only the parts of days at either end of the dates through the index
(`OrderList._count_without_term`). Every statement is built once per shape
and reused with new parameters. The plans hold without planner statistics (SQLite has
none unless ANALYZE ran): on SQLite, conditions that must not choose the index are written
`+column`. `DictionaryKey` is the place for another searched key (a folded name, phone
digits): a column of orders, a table of its values, a trigram index over them.

The plan is here, in plain Python; its statements are built in order_sql.py, imported
(with SQLAlchemy) only when a statement must be built. The command line's read path on
SQLite runs the same plan on their SQL text, kept in a file (sqlite_reader.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from csr_tui.domain.search import MIN_SUBSTRING, OrderSearch, SearchKind, parse_order_search
from csr_tui.domain.statuses import OrderStatus

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from csr_tui.data.cancel import Cancellation
    from csr_tui.data.order_sql import OrderStatements

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


_STATUSES = {status.value: status for status in OrderStatus}


def _row(r: Any) -> OrderRow:
    """The columns in order_sql.ROW_COLUMNS' order, which is OrderRow's. A status no
    version ever wrote fails as OrderStatus does (ValueError)."""
    status = _STATUSES.get(r[7]) or OrderStatus(r[7])
    return OrderRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], status, r[8], r[9], r[10])


def prefix_end(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (byte-wise order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


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


def name_shape(search: OrderSearch) -> tuple[bool, bool, bool]:
    """The shape of a name search's statements (order_sql.DictionaryKey.matching)."""
    trigrams = any(len(f) >= MIN_SUBSTRING for f in search.fragments)
    return search.is_prefix, search.anchored, trigrams


def name_values(search: OrderSearch) -> dict[str, str]:
    """The parameters of a name search's statements."""
    first = search.fragments[0]
    trigrams = [f for f in search.fragments if len(f) >= MIN_SUBSTRING]
    return {
        "first": first,
        "first_end": prefix_end(first),
        "pattern": search.like_pattern(),
        "phrases": _fts_phrases(trigrams),
    }


Edge = tuple[datetime, datetime]


def whole_days(
    start: datetime | None, end: datetime | None
) -> tuple[str | None, str | None, tuple[Edge | None, Edge | None]] | None:
    """The whole UTC days inside [start, end): the first and the one after the last
    (YYYY-MM-DD, None where the range is open), and the parts of days left at the newer
    and the older end; None if the range holds no whole day."""
    first = last = None
    older = newer = None
    if start is not None:
        start = start.astimezone(UTC)
        first = datetime.combine(start.date(), time(), UTC)
        if first < start:
            first += timedelta(days=1)
            older = (start, first)
    if end is not None:
        end = end.astimezone(UTC)
        last = datetime.combine(end.date(), time(), UTC)
        if last < end:
            newer = (last, end)
    if first is not None and last is not None and first >= last:
        return None
    return (
        None if first is None else f"{first:%Y-%m-%d}",
        None if last is None else f"{last:%Y-%m-%d}",
        (newer, older),
    )


# The whole days of a count are read newest first in batches: the last DAY_BATCHES[0] days,
# then back to the last DAY_BATCHES[1] days, then the rest; a broad filter passes the cap
# within the first (31 days at 1,000,000 orders over three years: ~30,000 orders).
DAY_BATCHES = (31, 366)
FIRST_DAY, NO_DAY = "0000-00-00", "9999-99-99"  # before and after every day (as text)


def day_batches(first: str | None, end: str | None) -> list[tuple[str, str]]:
    """The batches of days [from, to) between `first` and `end` (excluded; None: open),
    newest first. Open at the end: counted back from tomorrow (UTC), any later day in the
    first batch."""
    low, high = first or FIRST_DAY, end or NO_DAY
    newest = date.fromisoformat(end) if end else datetime.now(UTC).date() + timedelta(days=1)
    batches = []
    top = high
    for back in DAY_BATCHES:
        bound = f"{newest - timedelta(days=back):%Y-%m-%d}"
        if bound <= low:
            break
        if bound < top:
            batches.append((bound, top))
            top = bound
    batches.append((low, top))
    return batches


@dataclass(frozen=True)
class _Filters:
    """Which of status, market and date a filter sets: the shape of its conditions
    (order_sql.conditions)."""

    statuses: bool
    markets: bool
    created_from: bool
    created_to: bool


Keyset = Literal["after", "before"] | None


def _statements() -> Any:
    """The module that builds the statements (SQLAlchemy): imported when one is built."""
    from csr_tui.data import order_sql

    return order_sql


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
        return self._execute(key, build, {**self.values, **values})

    def _execute(
        self, key: tuple[Any, ...], build: Callable[[], Any], parameters: dict[str, Any]
    ) -> Any:
        """Run the statement `key` names (`build` makes it, the first time) with `parameters`."""
        statement = _cached((self.dialect, *key), build)
        if self.cancel is not None:
            return self.cancel.run(self.conn, statement, parameters)
        return self.conn.execute(statement, parameters)

    @cached_property
    def sql(self) -> OrderStatements:
        """The builder of this list's statements."""
        return _statements().OrderStatements(self.source_shape, self.filters, self.dialect)

    # -- the search term and the filters -------------------------------------------------

    @cached_property
    def search(self) -> OrderSearch:
        """The search typed; digits that no order number starts with: a phone number's."""
        search = self.filter.search
        if search.kind is SearchKind.ORDER_NUMBER and search.phone:
            values = {"first": search.text, "first_end": prefix_end(search.text)}
            found = self._execute(("any number",), _statements().any_number, values).first()
            if found is None:
                return search.as_phone()
        return search

    @cached_property
    def source_shape(self) -> tuple[Any, ...] | None:
        kind = self.search.kind
        if kind is SearchKind.ALL:
            return None
        if kind is SearchKind.NAME:
            return (kind, *name_shape(self.search))
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
            values |= name_values(search)
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

    @cached_property
    def source_size(self) -> tuple[int, int]:
        """How many orders the source finds whatever the filters, counted up to a bound
        (COUNT_CAP + 1 without filters, PROBE with), and that bound."""
        if self.filter.is_filtered:
            return self.probe[0], PROBE
        size = self._run(
            ("source count", self.source_shape),
            lambda: self.sql.source_count(),
        ).scalar_one()
        return size, self.cap + 1

    @cached_property
    def probe(self) -> tuple[int, int]:
        """Of the source's first PROBE orders (in the dates asked for, when its index narrows
        by them), how many were read and how many the filters keep."""

        key = ("probe", self.source_shape, self.filters)
        seen, kept = self._run(key, lambda: self.sql.probe(), probe=PROBE).one()
        return seen, kept

    @property
    def sparse(self) -> bool:
        """Few enough orders to sort them all. A walk with filters walks once per status and
        market asked for, so the source serves more orders then."""
        if self.source_shape is None:
            return False
        size, bound = self.source_size
        return size < bound and size <= SPARSE_LIMIT[self.dialect] * max(1, len(self._combos()))

    @property
    def none_found(self) -> bool:
        """The search term's orders, counted (or probed, with filters) to choose the plan,
        are none: no page to read (an absent name took two reads of the names, now one)."""
        if self.source_shape is None:
            return False
        if not self.filter.is_filtered:
            return self.source_size[0] == 0
        seen, kept = self.probe
        return kept == 0 and seen < PROBE

    # -- count -------------------------------------------------------------------------

    def known_count(self) -> Count | None:
        """The count, if reading the page already told it (a search term, no filter)."""
        if self.source_shape is None or self.filter.is_filtered:
            return None
        if "source_size" not in self.__dict__:
            return None
        return self.count()

    def count(self) -> Count:
        shape, filters = self.source_shape, self.filters
        if shape is None:
            total = self._count_without_term()
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
                    ("count via walk", shape, filters), lambda: self.sql.count_via_walk()
                ).scalar_one()
        return Count(self.cap, True) if total > self.cap else Count(total)

    def _count_without_term(self) -> int:
        """The orders of the filters, up to cap + 1, in one statement: the counters of the
        whole UTC days asked for (order_day_counts, kept by triggers), newest first a batch
        of days at a time, and the orders of the parts of days at either end through the
        index, until they pass the cap. A range holding no whole day is counted through
        the index alone."""
        days = whole_days(self.filter.created_from, self.filter.created_to)
        if days is None:
            return self._run(("count", self.filters), lambda: self.sql.count()).scalar_one()
        first, end, (newer, older) = days
        # Either filter set: both, as lists (every status or market when one is not set).
        kinds = bool(self.filter.statuses or self.filter.markets)
        values: dict[str, Any] = {
            "statuses": sorted(s.value for s in (self.filter.statuses or OrderStatus)),
            "markets": sorted(self.filter.markets or self.all_markets),
        }
        parts: list[str] = []

        def edge(bounds: Edge | None) -> None:
            if bounds is not None:
                values.update(
                    {f"edge_from_{len(parts)}": bounds[0], f"edge_to_{len(parts)}": bounds[1]}
                )
                parts.append("edge")

        edge(newer)
        for day_from, day_to in day_batches(first, end):
            values.update({f"day_from_{len(parts)}": day_from, f"day_to_{len(parts)}": day_to})
            parts.append("days")
        edge(older)
        shape = tuple(parts)
        total = self._run(
            ("count in parts", shape, kinds),
            lambda: self.sql.parts_count(shape, kinds),
            **values,
        ).scalar_one()
        return int(total)  # PostgreSQL's sum of counts is a numeric

    def _count_through_source(self) -> int:
        key = ("count via source", self.source_shape, self.filters)
        return self._run(key, lambda: self.sql.count_through_source()).scalar_one()

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
        if self.none_found:
            return [], False
        ascending = before is not None or last
        cursor = after or before
        keyset: Keyset = "after" if after else "before" if before else None
        values: dict[str, Any] = {"limit": size + 1}
        if cursor is not None:
            values |= {"key_at": cursor.created_at, "key_id": cursor.id}
        if self.sparse:
            key = ("source page", self.source_shape, self.filters, keyset, ascending)
            result = self._run(key, lambda: self.sql.source_page(keyset, ascending), **values)
        else:
            combos = len(self._combos())
            key = ("walk page", self.source_shape, self.filters, combos, keyset, ascending)
            result = self._run(key, lambda: self.sql.walk_page(combos, keyset, ascending), **values)
        rows = [_row(r) for r in result]
        more = len(rows) > size
        rows = rows[:size]
        if ascending:
            rows.reverse()
        return rows, more
