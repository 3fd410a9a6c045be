"""The count of the order list without a search term reads the orders of each status, market
and UTC day from order_day_counts, kept by triggers on orders (migration 0007): whatever is
done to the orders, it is the number of orders the filters match, capped as the list shows
it, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select, text, update

from csr_tui.data import queries
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.demo import load_demo
from csr_tui.data.queries import Count, OrderFilter, OrderList
from csr_tui.domain import OrderStatus, Stock, convert_cart
from tests.conftest import new_database_url
from tests.factories import JP, NOW, US, cart

MARKETS = {"US": US, "JP": JP}
# Orders are made within a few days of NOW, at any minute: filters cut days in parts.
MINUTES = 4 * 24 * 60
ZONES = [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]


def counters(conn) -> dict[tuple[str, str, str], int]:
    c = t.order_day_counts.c
    rows = conn.execute(select(c.status, c.market_code, c.day, c.orders))
    return {(status, market, day): n for status, market, day, n in rows}


def recounted(conn) -> dict[tuple[str, str, str], int]:
    """The counters as they should be: the orders grouped by status, market, UTC day."""
    o = t.orders.c
    rows = conn.execute(select(o.status, o.market_code, o.created_at))
    found: dict[tuple[str, str, str], int] = {}
    for status, market, created_at in rows:
        key = (status, market, f"{created_at.astimezone(UTC):%Y-%m-%d}")
        found[key] = found.get(key, 0) + 1
    return found


def plain_count(conn, f: OrderFilter) -> int:
    o = t.orders.c
    where = []
    if f.statuses:
        where.append(o.status.in_([s.value for s in f.statuses]))
    if f.markets:
        where.append(o.market_code.in_(sorted(f.markets)))
    if f.created_from is not None:
        where.append(o.created_at >= f.created_from)
    if f.created_to is not None:
        where.append(o.created_at < f.created_to)
    return conn.execute(select(func.count()).select_from(t.orders).where(*where)).scalar_one()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def counted(request, tmp_path_factory) -> Iterator[Database]:
    db = Database(new_database_url(request, request.param, tmp_path_factory.mktemp("counted")))
    with db.unit_of_work() as uow:
        uow.catalog.markets()
    yield db
    db.close()


def new_order(market, number: str, created: datetime, status: OrderStatus):
    draft = cart(market)
    draft.set_anonymous_contact("Ann Lee", None, "")  # no customer row to refer to
    order = convert_cart(draft, number, now=created, agent="alice", coupons={}, stock=Stock({}))
    order.status = status
    return order


def at(minute: int) -> datetime:
    return NOW - timedelta(minutes=minute)


moments = st.integers(0, MINUTES).map(at)
statuses = st.sampled_from(list(OrderStatus))
operations = st.one_of(
    st.tuples(st.just("add"), moments, statuses, st.sampled_from(sorted(MARKETS))),
    st.tuples(st.just("status"), st.integers(0, 50), statuses),
    st.tuples(st.just("market"), st.integers(0, 50), st.sampled_from(sorted(MARKETS))),
    st.tuples(st.just("created"), st.integers(0, 50), moments),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)
filters = st.builds(
    lambda kinds, markets, start, end, zone: OrderFilter(
        statuses=frozenset(kinds),
        markets=frozenset(markets),
        created_from=None if start is None else start.astimezone(zone),
        created_to=None if end is None else end.astimezone(zone),
    ),
    st.sets(statuses, max_size=3),
    st.sets(st.sampled_from(sorted(MARKETS)), max_size=2),
    st.none() | moments | st.integers(0, 4).map(lambda d: at(d * 24 * 60 + 600)),
    st.none() | moments | st.integers(0, 4).map(lambda d: at(d * 24 * 60 + 600)),
    st.sampled_from(ZONES),
)


def apply(db: Database, operation: tuple, n: int) -> None:
    """One change to the orders, as the application makes it where it has a way to."""
    kind, *args = operation
    with db.unit_of_work() as uow:
        numbers = (
            uow.conn.execute(select(t.orders.c.number).order_by(t.orders.c.id)).scalars().all()
        )
        if kind == "add":
            created, status, market = args
            uow.orders.add(new_order(MARKETS[market], f"PC{n}", created, status))
        elif not numbers:
            return
        else:
            number = numbers[args[0] % len(numbers)]
            order = uow.orders.get(number)
            if kind == "status":
                order.status = args[1]
                uow.orders.save(order)
            elif kind == "delete":
                uow.orders.delete(order)
            else:  # nothing in the application moves an order to another market or time
                column = "market_code" if kind == "market" else "created_at"
                uow.conn.execute(
                    update(t.orders).where(t.orders.c.number == number).values({column: args[1]})
                )
        uow.commit()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(operations, min_size=1, max_size=12),
    asked=st.lists(filters, min_size=3, max_size=3),
    cap=st.integers(1, 8),
    batches=st.sampled_from([queries.DAY_BATCHES, (1, 2), (2, 3)]),
)
def test_the_count_without_a_term_is_the_number_of_orders_matching(
    counted, monkeypatch, changes, asked, cap, batches
):
    with counted.engine.begin() as conn:
        conn.execute(t.orders.delete())  # the counters follow the deletes down to none
        assert counters(conn) == {}
    with monkeypatch.context() as m:
        m.setattr(queries, "DAY_BATCHES", batches)
        for n, change in enumerate(changes):
            apply(counted, change, n)
            with counted.reading() as conn:
                assert counters(conn) == recounted(conn), change
                for f in asked:
                    expected = plain_count(conn, f)
                    found = OrderList(conn, f, sorted(MARKETS), cap=cap).count()
                    assert found == (Count(cap, True) if expected > cap else Count(expected)), f


def test_a_moved_order_leaves_no_empty_counter(db):
    """A counter that falls to 0 is deleted: the counters never outnumber the orders."""
    with db.unit_of_work() as uow:
        uow.catalog.markets()
        uow.orders.add(new_order(US, "PC1", NOW, OrderStatus.IN_PROGRESS))
        uow.commit()
    with db.unit_of_work() as uow:
        order = uow.orders.get("PC1")
        order.status = OrderStatus.ON_HOLD
        uow.orders.save(order)
        uow.commit()
    with db.reading() as conn:
        assert counters(conn) == {("On Hold", "US", "2026-11-27"): 1}


def test_the_upgrade_counts_the_orders_already_there_and_the_downgrade_removes_the_counters(
    empty_url,
):
    from alembic import command

    from csr_tui.data.migrate import _config

    engine = create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0006")
        conn.execute(text("INSERT INTO markets VALUES ('US', 'United States', 'USD', 0.08)"))
        for n, (status, at_) in enumerate(
            [
                ("Completed", "2026-11-26 23:59:59+00"),
                ("Completed", "2026-11-27 00:00:00+00"),
                ("Completed", "2026-11-27 12:00:00+00"),
                ("On Hold", "2026-11-27 12:00:00+00"),
            ]
        ):
            conn.execute(
                text(
                    "INSERT INTO orders (number, name, market_code, currency, customer_name, "
                    "customer_phone, name_key, status, total, created_at, created_by, "
                    "updated_at, updated_by, version) VALUES (:number, 'Phone order', 'US', "
                    "'USD', 'Ann Lee', '', 'ann lee', :status, 10, :at, 'alice', :at, "
                    "'alice', 1)"
                ),
                dict(number=f"PO{1001 + n}", status=status, at=at_),
            )
    engine.dispose()
    db = Database(empty_url)
    db.upgrade()
    with db.reading() as conn:
        assert counters(conn) == {
            ("Completed", "US", "2026-11-26"): 1,
            ("Completed", "US", "2026-11-27"): 2,
            ("On Hold", "US", "2026-11-27"): 1,
        }
        every_day = OrderFilter(created_from=datetime(2026, 11, 26, tzinfo=UTC))
        assert OrderList(conn, every_day, ["US"], cap=3).count() == Count(3, True)
        assert OrderList(conn, every_day, ["US"], cap=4).count() == Count(4)
    db.close()
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0006")
        assert "order_day_counts" not in set(
            conn.execute(
                text(
                    "SELECT name FROM sqlite_master"
                    if conn.dialect.name == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            ).scalars()
        )
        # Orders still change without the counters' triggers.
        conn.execute(text("UPDATE orders SET status = 'Canceled'"))
        conn.execute(text("DELETE FROM orders WHERE number = 'PO1001'"))
    engine.dispose()
    db = Database(empty_url)
    db.upgrade()
    with db.reading() as conn:
        assert counters(conn) == {("Canceled", "US", "2026-11-27"): 3}
    db.close()


def test_a_demo_load_leaves_counters_that_agree_with_its_orders(empty_url):
    db = Database(empty_url)
    db.upgrade()
    load_demo(db.engine, orders=300, seed=3, now=NOW)
    with db.reading() as conn:
        assert counters(conn) == recounted(conn)
        assert sum(counters(conn).values()) == 300
    db.close()


def test_two_agents_moving_orders_in_opposite_directions_never_deadlock(
    pg_server, request, tmp_path
):
    """Each status change writes two counters; two transactions that change statuses the
    other way round at the same moment (one In Progress -> Completed, the other Completed
    -> In Progress, same market and day) lock them in the same order."""
    db = Database(new_database_url(request, "postgresql", tmp_path))
    with db.unit_of_work() as uow:
        uow.catalog.markets()
        for n, status in enumerate([OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS]):
            uow.orders.add(new_order(US, f"PC{n}", NOW, status))
        uow.commit()
    rounds = 150
    barrier = threading.Barrier(2, timeout=30)
    failures: list[BaseException] = []
    flips = [("In Progress", "Completed"), ("Completed", "In Progress")]

    def agent(n: int) -> None:
        try:
            with db.engine.connect() as conn:
                for i in range(rounds):
                    status = flips[n][i % 2]
                    barrier.wait()
                    with conn.begin():
                        conn.execute(
                            update(t.orders)
                            .where(t.orders.c.number == f"PC{n}")
                            .values(status=status)
                        )
        except BaseException as error:  # a deadlock, reported below
            failures.append(error)
            barrier.abort()

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    with db.reading() as conn:
        assert counters(conn) == recounted(conn)
        assert sum(counters(conn).values()) == 2
    db.close()
