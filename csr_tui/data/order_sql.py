"""The order list's statements, built with SQLAlchemy Core: what queries.py's plan runs.

Each is built once per shape (which search, which filters, which page) with named
parameters (queries.py keeps them, keyed by that shape); the command line's read path on
SQLite keeps their SQL text in a file (sqlite_reader.py), so that it imports this module,
and SQLAlchemy, only for a shape it has not met before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    select,
    table,
    tuple_,
    union_all,
)
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from csr_tui.data import tables as t
from csr_tui.data.queries import Keyset, _Filters, prefix_end
from csr_tui.domain.search import LIKE_ESCAPE, SearchKind

o = t.orders


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


def prefix_range(col: Any, prefix: str) -> ColumnElement[bool]:
    """`col` starts with `prefix`, as a range a B-tree can answer (byte-wise collation)."""
    return and_(col >= prefix, col < prefix_end(prefix))


def _unindexed(col: Any, dialect: str) -> Any:
    """The column as an expression no index answers, to keep the planner on the plan chosen:
    SQLite's unary + (a no-op that costs nothing), PostgreSQL's `|| ''`."""
    if dialect == "sqlite":
        return UnaryExpression(col, operator=custom_op("+"), type_=col.type)
    return col.op("||")(literal_column("''"))


def _param(name: str, column: Any = None) -> Any:
    return bindparam(name, type_=None if column is None else column.type)


def _limit(name: str, dialect: str) -> Any:
    """A LIMIT's parameter: on PostgreSQL written into the statement as a number, so that a
    generic plan (database.Database.reading, plan_once) knows how few rows it reads; it
    would otherwise assume a tenth of the table and scan it."""
    return bindparam(name, type_=o.c.id.type, literal_execute=dialect == "postgresql")


def _between(col: Any, low: str, high: str) -> ColumnElement[bool]:
    return and_(col >= _param(low), col < _param(high))


@dataclass(frozen=True)
class DictionaryKey:
    """A column of orders searched through a table of its distinct values, which carries a
    trigram index: the values matching a term, then the orders holding those values.
    Names are matched in their compact form (domain.search.compact): the table keeps it
    beside each value, with the trigram index and a B-tree over it.

    Parameters (queries.name_values): `first`/`first_end` (the first fragment's range),
    `pattern` (LIKE, escaped with LIKE_ESCAPE), `phrases` (SQLite FTS5 query)."""

    column: Column[Any]  # on orders
    values: Column[Any]  # the distinct values
    compared: Column[Any]  # each value's compact form, which the term is matched in
    value_id: Column[Any]  # their integer key: the rowid of the SQLite FTS5 table
    fts: str  # the SQLite FTS5 trigram table over the compact forms

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


def conditions(
    filters: _Filters, dialect: str, drive: bool = True, dated: bool = False
) -> list[ColumnElement[bool]]:
    """The conditions of the filters set. `drive=False` writes them so that no index serves
    them: the source must drive the query, not a walk that tests the source. `dated`: the
    source's index narrows by the dates (`_Source.dated`)."""
    dates = (
        _source_dates(filters, dialect)
        if dated and not drive
        else _date_conditions(filters, _created_at(dialect, drive))
    )
    return [*dates, *kinds(filters, dialect, drive)]


def kinds(filters: _Filters, dialect: str, drive: bool = True) -> list[ColumnElement[bool]]:
    """The status and market conditions."""
    conditions = []
    if filters.statuses:
        status = o.c.status if drive else _unindexed(o.c.status, dialect)
        conditions.append(status.in_(bindparam("statuses", expanding=True)))
    if filters.markets:
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


def _capped(rows: Select[Any], dialect: str) -> Select[Any]:
    """How many rows `rows` selects, counting no further than the parameter `cap`."""
    limited = rows.limit(_limit("cap", dialect)).subquery()
    return select(func.count()).select_from(limited)


def any_number() -> Select[Any]:
    """Whether any order number starts with the digits typed (`first`/`first_end`)."""
    return select(o.c.id).where(_between(o.c.number, "first", "first_end")).limit(1)


@dataclass(frozen=True)
class OrderStatements:
    """The statements of one shape of the order list (queries.OrderList names them)."""

    source_shape: tuple[Any, ...] | None
    filters: _Filters
    dialect: str

    def _source(self) -> _Source:
        assert self.source_shape is not None
        return _source(self.source_shape, self.dialect)

    def source_count(self) -> Select[Any]:
        return _capped(select(o.c.id).where(self._source().match), self.dialect)

    def probe(self) -> Select[Any]:
        src, dialect = self._source(), self.dialect
        where = [src.match]
        if src.dated:
            where += _source_dates(self.filters, dialect)
            tests = kinds(self.filters, dialect)
        else:
            tests = conditions(self.filters, dialect)
        # Tested in the select list, where no index can serve them.
        kept = case((and_(*tests), 1), else_=0) if tests else literal_column("1")
        first = select(kept.label("kept")).where(*where).limit(_limit("probe", dialect)).subquery()
        return select(func.count(), func.coalesce(func.sum(first.c.kept), 0))

    def count(self) -> Select[Any]:
        return _capped(select(o.c.id).where(*conditions(self.filters, self.dialect)), self.dialect)

    def parts_count(self, parts: Sequence[str], kinds: bool) -> Select[Any]:
        """The orders of the filters counted in parts, one after the other until their sum
        reaches `cap`: "days" i, the UTC days from `day_from_i` to `day_to_i` (YYYY-MM-DD,
        excluded) from their counters (order_day_counts), of the statuses and markets
        `statuses` and `markets` (lists, of all of them when the filter sets none: each
        pair is a range of the counters' key); "edge" i, the orders from `edge_from_i` to
        `edge_to_i` (excluded), part of a day, through an index, counted up to `cap`: of
        those statuses and markets if `kinds`, else of all (the created-at index). The
        sum of the parts as soon as it reaches `cap`, reading no further part; else the
        sum of them all."""
        c = t.order_day_counts.c
        kind_lists = [
            bindparam("statuses", expanding=True),
            bindparam("markets", expanding=True),
        ]
        counted = []
        for i, part in enumerate(parts):
            if counted:
                # The sum below reads one row ahead (PostgreSQL): a row of 0 between two
                # parts is what it reads ahead, not the next part.
                counted.append(select(literal_column("0").label("n")))
            if part == "days":
                n = select(func.coalesce(func.sum(c.orders), 0)).where(
                    c.day >= _param(f"day_from_{i}", c.day),
                    c.day < _param(f"day_to_{i}", c.day),
                    c.status.in_(kind_lists[0]),
                    c.market_code.in_(kind_lists[1]),
                )
            else:
                where = [
                    o.c.created_at >= _param(f"edge_from_{i}", o.c.created_at),
                    o.c.created_at < _param(f"edge_to_{i}", o.c.created_at),
                ]
                if kinds:
                    where += [o.c.status.in_(kind_lists[0]), o.c.market_code.in_(kind_lists[1])]
                n = _capped(select(o.c.id).where(*where), self.dialect)
            counted.append(select(n.scalar_subquery().label("n")))
        each = (union_all(*counted) if len(counted) > 1 else counted[0]).subquery()
        so_far = (None, 0)  # rows: from the first to this one, in the order they come
        running = select(
            func.sum(each.c.n).over(rows=so_far).label("running"),
            func.count().over(rows=so_far).label("rows"),
        ).subquery()
        reached = running.c.running >= _limit("cap", self.dialect)
        return select(running.c.running).where(reached | (running.c.rows == len(counted))).limit(1)

    def count_via_walk(self) -> Select[Any]:
        return _capped(
            select(o.c.id).where(self._source().walk_test, *conditions(self.filters, self.dialect)),
            self.dialect,
        )

    def count_through_source(self) -> Select[Any]:
        src = self._source()
        where = conditions(self.filters, self.dialect, drive=False, dated=src.dated)
        return _capped(select(o.c.id).where(src.match, *where), self.dialect)

    def _rows_of(self, keys: Select[Any], ascending: bool) -> Select[Any]:
        """The rows of a page whose ids `keys` selects, sorted (they are few)."""
        return (
            select(*ROW_COLUMNS)
            .where(o.c.id.in_(keys))
            .order_by(*_order(ascending, _created_at(self.dialect, drive=False)))
        )

    def source_page(self, keyset: Keyset, ascending: bool) -> Select[Any]:
        """Sort the keys of the source's orders (at most SPARSE_LIMIT), then read a page."""
        src, dialect = self._source(), self.dialect
        where = [
            src.match,
            *conditions(self.filters, dialect, drive=False, dated=src.dated),
            *_keyset(dialect, keyset, drive=False),
        ]
        limit = _limit("limit", dialect)
        if dialect == "sqlite":
            order = _order(ascending, _created_at(dialect, drive=False))
            keys = select(o.c.id).where(*where).order_by(*order).limit(limit)
        else:
            # Gathered on their own first, or a LIMIT above tempts the planner to walk.
            found = select(o.c.id, o.c.created_at).where(*where).cte("found")
            found = found.prefix_with("MATERIALIZED")
            order = _order(ascending, found.c.created_at, found.c.id)
            keys = select(found.c.id).order_by(*order).limit(limit)
        return self._rows_of(keys, ascending)

    def walk_page(self, combos: int, keyset: Keyset, ascending: bool) -> Select[Any]:
        """Walk the covering indexes for the ids of the page, then read just those rows."""
        dialect = self.dialect
        test = [self._source().walk_test] if self.source_shape is not None else []
        common = [
            *test,
            *_date_conditions(self.filters, o.c.created_at),
            *_keyset(dialect, keyset),
        ]
        limit = _limit("limit", dialect)
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
