"""Every statement an order search issues runs on an index: EXPLAIN each one.

The corpus is small, so the planners are shown the 1,000,000-order case: SQLite reads the
statistics ANALYZE wrote on a 1M-order demo database (and plans without any, as right after
an upgrade); PostgreSQL prices sequential scans out, so that a statement no index can serve
still shows one. The plan the search takes at that size (sparse, dense, filtered orders
walked) is forced as in test_order_search. A change that makes a search scan the orders
fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from csr_tui.data.database import Database
from csr_tui.data.lists import search_customers, search_variants
from csr_tui.data.queries import OrderFilter, OrderList
from csr_tui.domain import OrderStatus
from csr_tui.services import Services
from tests.conftest import new_database_url
from tests.data.test_order_search import force
from tests.factories import NOW

# sqlite_stat1 of `csr-tui demo --orders 1000000 --seed 7` after ANALYZE.
STAT1_1M = [
    ("order_names", "ix_order_names_compact_key_name_key", "15172 1 1"),
    ("order_names", "sqlite_autoindex_order_names_1", "15172 1"),
    ("orders", "ix_orders_created_at_id_name_key", "1000000 1 1 1"),
    ("orders", "ix_orders_customer_id", "1000000 20"),
    ("orders", "ix_orders_email_key", "1000000 13"),
    ("orders", "ix_orders_name_key_created_at_id_status_market_code", "1000000 66 1 1 1 1"),
    ("orders", "ix_orders_phone_key_created_at_id_status_market_code", "1000000 20 1 1 1 1"),
    ("orders", "ix_orders_status_market_code_created_at_id_name_key", "1000000 200000 40000 1 1 1"),
    ("orders", "sqlite_autoindex_orders_1", "1000000 1"),
    ("order_day_counts", "order_day_counts", "25555 5111 1022 1"),
]
NAME_INDEX = "ix_orders_name_key_created_at_id_status_market_code"
WALK_INDEXES = (
    "ix_orders_created_at_id_name_key",
    "ix_orders_status_market_code_created_at_id_name_key",
)

BROAD = dict(
    statuses=frozenset({OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS}),
    markets=frozenset({"US", "JP"}),
    created_from=NOW - timedelta(days=365),
)
SEARCHES = [
    ("%tay", {}),
    ("j%smith", {}),
    ("m%qzx", {}),
    ("mercy%lor", {}),
    ("Mer", {}),
    ("mercy ta", {}),
    ("%o neil", {}),  # compacted: "oneil"
    ("%o n", {}),  # compacted: "on", no trigram
    ("%q", {}),
    ("mercy.taylor@example.com", {}),
    ("PO1004", {}),
    ("+1 (555) 010-2030", {}),
    ("2030", {}),  # no order number starts with it: a phone number's end
    ("%1003", BROAD),
    ("%tay", BROAD),
    ("mary jane", BROAD),
    ("Mer", {"statuses": frozenset({OrderStatus.CANCELED})}),
    ("%ta", {"created_from": NOW - timedelta(days=2), "created_to": NOW}),
    ("", BROAD),
    ("", {"created_from": NOW - timedelta(days=2)}),
    ("", {}),
]
TERMLESS = [filters for text, filters in SEARCHES if not text] + [
    {"markets": frozenset({"JP"})},
    {"statuses": frozenset({OrderStatus.CANCELED}), "created_to": NOW - timedelta(days=3)},
    {"created_from": NOW - timedelta(days=40), "created_to": NOW - timedelta(days=2)},
    # Within one UTC day: counted through the orders' index, not the day counters.
    {"created_from": NOW - timedelta(hours=5), "created_to": NOW - timedelta(hours=1)},
]


@contextmanager
def statements(db) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def run_search(db, text: str, filters: dict[str, Any]) -> list[tuple[str, Any]]:
    """The statements of a first page, its count, and the pages after and before it."""
    with statements(db) as seen, db.reading() as conn:
        order_list = OrderList(conn, OrderFilter(text=text, **filters), ["JP", "US"])
        rows, _ = order_list.page(size=2)
        order_list.count()
        if rows:
            order_list.page(after=rows[-1].cursor, size=2)
            order_list.page(before=rows[0].cursor, size=2)
            order_list.page(last=True, size=2)
    return seen


def sqlite_plan(raw, statement: str, parameters: Any) -> list[str]:
    return [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)]


def postgresql_plan(raw, statement: str, parameters: Any) -> list[str]:
    with raw.cursor() as cursor:
        cursor.execute("EXPLAIN " + statement, parameters)
        return [row[0] for row in cursor.fetchall()]


FIRST = ["James", "Mary", "John", "Mercy", "Jo_Ann", "Olivia", "Taylor", "Jennifer", "Oliver"]
LAST = ["Smith", "Taylor", "Hayes", "Alvarez", "Johnson", "Lee", "Brown", "Garcia", "Ström"]
SYNTHETIC_ORDERS = """
INSERT INTO orders (number, name, market_code, currency, customer_name, customer_phone,
    name_key, email_key, status, total, created_at, created_by, updated_at, updated_by, version)
SELECT 'PX' || g, 'Phone order', m, 'USD', n, '', lower(n), lower(replace(n, ' ', '.'))
    || (g %% 300) || '@example.com', s, 10, %(now)s - g * interval '7 minutes', 'x', %(now)s,
    'x', 1
FROM generate_series(1, 60000) g, LATERAL (SELECT
    (%(first)s::text[])[1 + g %% 9] || chr(97 + (g / 9) %% 4) || ' '
    || (%(last)s::text[])[1 + (g / 36) %% 9] || chr(97 + (g / 324) %% 3) AS n,
    (ARRAY['US', 'JP'])[1 + g %% 2] AS m, (%(statuses)s::text[])[1 + g %% 5] AS s) x
"""


@pytest.fixture(scope="module")
def pg_orders(pg_server, request, tmp_path_factory):
    """PostgreSQL plans by its statistics: 60,000 orders of 972 names (~60 orders each, as
    in the demo data), so that it plans as at 1M."""
    db = Database(new_database_url(request, "postgresql", tmp_path_factory.mktemp("plans")))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM marks pages all-visible (index-only scans need that) only for commits
        # already flushed: the test server commits asynchronously unless asked not to.
        conn.exec_driver_sql("SET synchronous_commit = on")
        conn.exec_driver_sql("ALTER TABLE orders DISABLE TRIGGER orders_name")
        conn.exec_driver_sql("ALTER TABLE orders DISABLE TRIGGER orders_day_count")
        conn.exec_driver_sql(
            SYNTHETIC_ORDERS,
            {
                "now": NOW,
                "first": FIRST,
                "last": LAST,
                "statuses": [s.value for s in OrderStatus],
            },
        )
        conn.exec_driver_sql("ALTER TABLE orders ENABLE TRIGGER orders_name")
        conn.exec_driver_sql("ALTER TABLE orders ENABLE TRIGGER orders_day_count")
        conn.exec_driver_sql(
            "INSERT INTO order_names (name_key) SELECT DISTINCT name_key FROM orders"
        )
        conn.exec_driver_sql(
            "INSERT INTO order_day_counts SELECT status, market_code, "
            "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), count(*) FROM orders "
            "GROUP BY 1, 2, 3"
        )
        conn.exec_driver_sql("VACUUM ANALYZE")
        assert conn.exec_driver_sql(
            "SELECT relallvisible = relpages FROM pg_class WHERE relname = 'orders'"
        ).scalar_one()
    yield db
    db.close()


@pytest.fixture(params=["sqlite, 1M statistics", "sqlite, no statistics", "postgresql"])
def searched(request):
    """A database with orders, and how to EXPLAIN a statement there as at 1M orders."""
    if request.param == "postgresql":
        db = request.getfixturevalue("pg_orders")
        raw = db.engine.raw_connection()
        yield (
            db,
            lambda statement, parameters: postgresql_plan(
                raw.driver_connection, statement, parameters
            ),
        )
        raw.close()
        return
    corpus = request.getfixturevalue("sqlite_corpus")
    raw = corpus.db.engine.raw_connection()
    dbapi = raw.driver_connection
    dbapi.execute("ANALYZE")
    dbapi.execute("DELETE FROM sqlite_stat1")
    if request.param == "sqlite, 1M statistics":
        dbapi.executemany("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", STAT1_1M)
    dbapi.execute("ANALYZE sqlite_schema")  # the planner reads the statistics again
    dbapi.commit()
    yield corpus.db, lambda statement, parameters: sqlite_plan(dbapi, statement, parameters)
    raw.close()


def check_sqlite(statement: str, plan: list[str]) -> None:
    for line in plan:
        if re.match(r"(SCAN|SEARCH) orders\b", line):
            # A walk reads an order row only to test an order number or email on it.
            walk = any(
                line in (f"SCAN orders USING COVERING INDEX {i}", f"SCAN orders USING INDEX {i}")
                for i in WALK_INDEXES
            )
            # Counting every order (no term, no filter) stops at the cap in any index.
            capped_count = "WHERE" not in statement and "COVERING INDEX" in line
            assert line.startswith("SEARCH orders USING") or walk or capped_count, (line, statement)
            # Only a walk (no search term to look up, or one too dense) reads newest first.
            assert not (walk and "order_names" in statement), (line, statement)
        # The names are found through the trigram index, or a range of the index of their
        # compact forms (the first letters; every name, for a term with no trigram, whose
        # compact forms the index holds): never a read of the table.
        assert not re.match(r"SCAN order_names\b", line), (line, statement)
    if "order_names" in statement:
        # Each name's range of the name index, narrowed by the dates or the keyset if any.
        source = re.compile(
            rf"SEARCH orders USING COVERING INDEX {NAME_INDEX} "
            r"\(name_key=\?( AND created_at[<>]\?)?( AND created_at<\?)?\)$"
        )
        assert any(source.match(line) for line in plan), (plan, statement)
        if "created_at >=" in statement or "created_at <=" in statement:
            assert any("AND created_at" in line for line in plan), (plan, statement)


def postgresql_scans(plan: list[str]) -> list[tuple[str, str]]:
    """(node, the conditions under it) for each node of the plan that reads orders."""
    scans = []
    for i, line in enumerate(plan):
        if re.search(r"Scan.* on orders\b", line):
            below = []
            for after in plan[i + 1 :]:
                if "->" in after:
                    break
                below.append(after.strip())
            scans.append((line.strip(), " ".join(below)))
    return scans


def check_postgresql(statement: str, plan: list[str]) -> None:
    text = "\n".join(plan)
    for node, conditions in postgresql_scans(plan):
        assert "Seq Scan" not in node, text
        if "order_names" in statement:
            # The source's orders come from an index range: the name index, or the
            # created-at index when the dates (or the keyset) leave fewer orders than
            # the names have; never a walk of a whole index.
            assert "Index Cond:" in conditions, text
    if "order_names" in statement and "created_at >=" not in text:
        assert f"Index Only Scan using {NAME_INDEX} on orders" in text, text
        assert re.search(r"Index Cond: \(\(?name_key\)?(::text)? = ANY \(", text), text


@pytest.mark.parametrize("plan", ["sparse", "dense", "dense, filtered orders walked"])
def test_every_search_statement_uses_an_index(searched, plan, monkeypatch):
    db, explain = searched
    force(monkeypatch, plan)
    check = check_sqlite if db.dialect == "sqlite" else check_postgresql
    explained = 0
    for text, filters in SEARCHES:
        for statement, parameters in run_search(db, text, filters):
            check(statement, explain(statement, parameters))
            explained += 1
    assert explained > 3 * len(SEARCHES)


CUSTOMER_SEARCHES = ["o neil", "mary-jane@", "tay", "me"]
VARIANT_SEARCHES = ["t shirt", "dress"]


def test_the_customer_and_variant_searches_use_an_index(db):
    """The New order customer step: the compact name's trigrams, the email's, or (fewer
    than three characters) their first letters; the line-item search: the compact text's
    trigrams (or the whole SKU)."""
    raw = db.engine.raw_connection()
    dbapi = raw.driver_connection
    seen: list[tuple[str, Any]] = []
    for typed in CUSTOMER_SEARCHES:
        with statements(db) as found, db.reading() as conn:
            search_customers(conn, typed)
        seen += found
    for typed in VARIANT_SEARCHES:
        with statements(db) as found, db.reading() as conn:
            search_variants(conn, typed, "US")
        seen += found
    for statement, parameters in seen:
        if db.dialect == "sqlite":
            plan = sqlite_plan(dbapi, statement, parameters)
            scans = [line for line in plan if re.match(r"SCAN (customers|variants)\b", line)]
        else:
            with dbapi.cursor() as cursor:
                # A handful of rows: shown a plan with neither a scan nor a walk of an
                # index in name order, PostgreSQL must find an index for the conditions.
                cursor.execute("SET enable_seqscan = off")
                cursor.execute("SET enable_indexscan = off")
            plan = postgresql_plan(dbapi, statement, parameters)
            scans = [line for line in plan if re.search(r"Seq Scan on (customers|variants)", line)]
        assert not scans, (plan, statement)
    assert len(seen) == len(CUSTOMER_SEARCHES) + len(VARIANT_SEARCHES)
    raw.close()


def test_a_trigram_absent_from_every_name_is_answered_by_the_name_index(sqlite_corpus):
    db = sqlite_corpus.db
    with statements(db) as seen, db.reading() as conn:
        order_list = OrderList(conn, OrderFilter(text="m%qzx"), ["JP", "US"])
        assert order_list.page() == ([], False) and order_list.count().value == 0
    assert seen and all("order_names" in statement for statement, _ in seen)


def test_the_count_of_a_broad_filter_reads_the_day_counters(searched):
    """Without a search term, the whole days are counted from order_day_counts (a range of
    its key per status and market) and only the part of a day at the start of the range
    from the orders (a range of the index bounded at both ends): not 10,001 index entries
    of the orders."""
    db, explain = searched
    with statements(db) as seen, db.reading() as conn:
        assert OrderList(conn, OrderFilter(**BROAD), ["JP", "US"]).count().value > 0
    [(statement, parameters)] = seen
    plan = explain(statement, parameters)
    text = "\n".join(plan)
    if db.dialect == "sqlite":
        counters = [line for line in plan if "order_day_counts" in line]
        assert counters and all(
            line == "SEARCH order_day_counts USING PRIMARY KEY "
            "(status=? AND market_code=? AND day>? AND day<?)"
            for line in counters
        ), text
        edge = "(status=? AND market_code=? AND created_at>? AND created_at<?)"
        orders = [line for line in plan if re.match(r"(SCAN|SEARCH) orders\b", line)]
        assert orders == [f"SEARCH orders USING COVERING INDEX {WALK_INDEXES[1]} {edge}"], text
    else:
        # The newest days through the counters' key (older batches, a large part of this
        # small table, may be read whole).
        assert re.search(r"Index (Only )?Scan (using|on) pk_order_day_counts", text), text
        scans = postgresql_scans(plan)
        assert len(scans) == 1, text
        for node, conditions in scans:
            assert "Seq Scan" not in node, text
            assert re.search(r"created_at >= .* AND \(?created_at < ", conditions), text


def test_the_list_without_a_term_runs_generic_plans_on_an_index(pg_orders):
    """On PostgreSQL the list without a search term reads through connections that prepare
    each statement once and keep one generic plan for any values (Database.reading,
    plan_once): the plans PostgreSQL runs (auto_explain) take the values as parameters and
    read the orders through an index. A page's LIMIT given as a parameter left such a plan
    guessing a tenth of the table, and it read all of it. A search with a term is planned
    for its values on the other connections."""
    db = Database(pg_orders.url)
    plans: list[str] = []

    @event.listens_for(db.plan_once_engine, "connect")
    def explain_each(dbapi: Any, _record: Any) -> None:
        dbapi.add_notice_handler(lambda notice: plans.append(notice.message_primary))
        dbapi.execute("LOAD 'auto_explain'")
        dbapi.execute("SET auto_explain.log_min_duration = 0")
        dbapi.execute("SET auto_explain.log_level = notice")

    services = Services(db, "plans")
    try:
        for filters in TERMLESS:
            first = services.search_orders(OrderFilter(**filters), size=2)
            assert first.rows and first.count is not None
            services.search_orders(OrderFilter(**filters), after=first.rows[-1].cursor, size=2)
            services.search_orders(OrderFilter(**filters), before=first.rows[0].cursor, size=2)
            services.search_orders(OrderFilter(**filters), last=True, size=2)
        assert len(plans) >= 5 * len(TERMLESS), plans
        for notice in plans:
            query, _, plan = notice.partition("  (cost=")
            assert "Seq Scan on orders" not in plan and "Index" in plan, notice
            if re.search(r"\$\d", query):
                assert re.search(r"\$\d", plan), notice  # generic: parameters, not values
        plans.clear()
        assert services.search_orders(OrderFilter(text="%tay", **BROAD)).rows
        assert plans == []
    finally:
        db.close()


@pytest.mark.parametrize("text", ["m%qzx", "%qz", "zqx"])
@pytest.mark.parametrize("filters", [{}, BROAD], ids=["no filter", "filters"])
def test_a_term_no_order_holds_is_answered_by_one_read(searched, text, filters):
    """The count (or, with filters, the probe) that chooses the plan finds no order: the
    page is not read, and the count comes from the same read."""
    db, _ = searched
    with statements(db) as seen, db.reading() as conn:
        order_list = OrderList(conn, OrderFilter(text=text, **filters), ["JP", "US"])
        assert order_list.page() == ([], False)
        assert order_list.count().value == 0
    assert len(seen) == 1, seen
