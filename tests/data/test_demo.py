"""Demo data: deterministic, realistic, consistent with the rules, on both databases."""

from __future__ import annotations

import fcntl
import struct
import subprocess
import termios
import time
from collections import Counter

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from csr_tui.data import demo as demo_module
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.demo import DemoRefused, load_demo
from csr_tui.data.queries import OrderFilter
from csr_tui.data.repository import variant_search_key
from csr_tui.domain import OrderStatus, PaymentStatus, ShipmentStatus
from csr_tui.services import Services
from tests.factories import NOW


@pytest.fixture
def demo(empty_url):
    db = Database(empty_url)
    db.upgrade()
    load_demo(db.engine, orders=600, seed=11, now=NOW)
    yield Services(db, "tester")
    db.close()


def numbers_and_names(services: Services) -> list[tuple[str, str]]:
    page = services.search_orders(OrderFilter(), size=50)
    return [(r.number, r.customer_name) for r in page.rows]


ORDER_TABLES = (t.orders, t.shipments, t.line_items, t.payments, t.discounts, t.notes)


def every_order_row(services: Services) -> dict[str, list[tuple]]:
    with services.db.reading() as conn:
        return {
            table.name: [
                tuple(str(v) for v in row)
                for row in conn.execute(select(table).order_by(table.c.id)).all()
            ]
            for table in ORDER_TABLES
        }


@pytest.mark.parametrize("maker", ["this process, in chunks of 97", "a process of its own"])
def test_the_same_seed_gives_the_same_orders(demo, tmp_path, monkeypatch, maker):
    """A big load has its rows made by another process, and every load makes them a chunk
    at a time: the same rows, whoever makes them and however they are cut."""
    if maker == "a process of its own":
        monkeypatch.setattr(demo_module, "OWN_PROCESS_FROM", 0)
    else:
        monkeypatch.setattr(demo_module, "CHUNK", 97)
    again = Database(f"sqlite:///{tmp_path / 'again.db'}")
    again.upgrade()
    load_demo(again.engine, orders=600, seed=11, now=NOW)
    same = Services(again, "x")
    assert numbers_and_names(same) == numbers_and_names(demo)
    if demo.db.dialect == "sqlite":
        assert every_order_row(same) == every_order_row(demo)
    again.close()


def test_every_order_has_numbered_shipments_and_line_items_at_catalogue_prices(demo):
    """1 or 2 shipments numbered from 1 per order, 1 to 4 line items numbered from 0 per
    shipment, each a catalogue variant at its price in the order's market; the catalogue
    and the customers in the numbers the load promises."""
    with demo.db.reading() as conn:

        def one(sql: str) -> tuple:
            return tuple(conn.exec_driver_sql(sql).one())

        orders, customers, variants, prices = one(
            "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM customers), "
            "(SELECT count(*) FROM variants), (SELECT count(*) FROM variant_prices)"
        )
        shipments = one(
            "SELECT count(*), min(n), max(n), sum(CASE WHEN low = 1 AND high = n THEN 1 "
            "ELSE 0 END) FROM (SELECT count(*) AS n, min(number) AS low, max(number) AS high "
            "FROM shipments WHERE order_id IS NOT NULL GROUP BY order_id) s"
        )
        lines = one(
            "SELECT count(*), min(n), max(n), sum(CASE WHEN low = 0 AND high = n - 1 THEN 1 "
            "ELSE 0 END) FROM (SELECT count(*) AS n, min(position) AS low, "
            "max(position) AS high FROM line_items l JOIN shipments s ON s.id = l.shipment_id "
            "WHERE s.order_id IS NOT NULL GROUP BY shipment_id) l"
        )
        order_shipments = one("SELECT count(*) FROM shipments WHERE order_id IS NOT NULL")
        priced = one(
            "SELECT count(*), sum(CASE WHEN p.price = l.placed_price THEN 1 ELSE 0 END) "
            "FROM line_items l JOIN shipments s ON s.id = l.shipment_id "
            "JOIN orders o ON o.id = s.order_id JOIN variants v ON v.sku = l.sku "
            "JOIN variant_prices p ON p.variant_id = v.id AND p.market_code = o.market_code"
        )
        order_lines = one(
            "SELECT count(*) FROM line_items l JOIN shipments s ON s.id = l.shipment_id "
            "WHERE s.order_id IS NOT NULL"
        )
    assert (orders, customers, variants, prices) == (600, 3000, 2400, 5 * 2400)
    assert shipments == (600, 1, 2, 600)
    assert lines == (order_shipments[0], 1, 4, order_shipments[0])
    assert priced == (order_lines[0], order_lines[0])


def test_it_holds_the_seed_customers_markets_and_every_status(demo):
    names = {r.customer_name for r in demo.search_orders(OrderFilter(text="%tay")).rows}
    assert {"Mercy Taylor", "Taylor Hayes"} <= names
    markets = {m.code: m for m in demo.markets()}
    assert len(markets) >= 4 and markets["JP"].currency.minor_units == 0
    with demo.db.reading() as conn:
        statuses = set(conn.execute(select(t.orders.c.status).distinct()).scalars())
        anonymous = conn.execute(
            select(func.count()).select_from(t.orders).where(t.orders.c.customer_id.is_(None))
        ).scalar_one()
        unsold = conn.execute(
            select(func.count()).select_from(t.variants).where(t.variants.c.is_sold.is_(False))
        ).scalar_one()
        out_of_stock = conn.execute(
            select(func.count()).select_from(t.variants).where(t.variants.c.in_stock == 0)
        ).scalar_one()
        span = conn.execute(
            select(func.min(t.orders.c.created_at), func.max(t.orders.c.created_at))
        ).one()
    assert statuses == {s.value for s in OrderStatus}
    assert anonymous > 0 and unsold > 0 and out_of_stock > 0
    assert (span[1] - span[0]).days > 2 * 365
    assert demo.list_carts(), "there are carts to convert"


def test_payments_and_shipments_agree_with_each_status(demo):
    with demo.db.reading() as conn:
        numbers = conn.execute(select(t.orders.c.number).order_by(t.orders.c.id)).scalars()
        sample = list(numbers)[::7]
    seen: Counter[OrderStatus] = Counter()
    for number in sample:
        order = demo.get_order(number)
        seen[order.status] += 1
        totals = order.totals()
        shipment_statuses = {s.status for s in order.shipments}
        if order.status is OrderStatus.COMPLETED:
            assert totals.paid_in_full and shipment_statuses == {ShipmentStatus.SHIPPED}
        if order.status is OrderStatus.PARTIALLY_SHIPPED:
            assert totals.paid_in_full and ShipmentStatus.SHIPPED in shipment_statuses
            assert shipment_statuses != {ShipmentStatus.SHIPPED}
        if order.status is OrderStatus.CANCELED:
            assert shipment_statuses == {ShipmentStatus.CANCELED}
        if order.status is OrderStatus.ON_HOLD:
            assert shipment_statuses == {ShipmentStatus.ON_HOLD}
            assert order.status_before_hold is OrderStatus.IN_PROGRESS
        if shipment_statuses & {
            ShipmentStatus.INVENTORY_ASSIGNED,
            ShipmentStatus.RELEASED,
            ShipmentStatus.PACKING,
        }:
            assert totals.paid_in_full, "nothing is assigned or released before payment"
        processed = [p for p in order.payments if p.status is PaymentStatus.PROCESSED]
        assert sum(p.amount for p in processed) in (0, totals.total)
    assert len(seen) >= 4


def test_stored_totals_are_the_domains_totals(demo):
    page = demo.search_orders(OrderFilter(), size=50)
    for row in page.rows:
        assert demo.get_order(row.number).totals().total == row.total


def test_demo_goes_only_into_an_empty_database(demo):
    with pytest.raises(DemoRefused, match="already has orders"):
        load_demo(demo.db.engine, orders=5)


def test_a_database_with_customers_but_no_orders_is_refused_and_left_as_it_was(empty_url):
    db = Database(empty_url)
    db.upgrade()
    services = Services(db, "tester")
    services.create_customer("Ada", "Lovelace", "ada@example.com")
    with pytest.raises(DemoRefused, match="already has customers"):
        load_demo(db.engine, orders=20)
    with db.reading() as conn:
        kept = conn.execute(select(t.customers.c.first_name)).scalars().all()
        variants = conn.execute(select(func.count()).select_from(t.variants)).scalar_one()
    assert kept == ["Ada"] and variants == 0
    db.close()


def waiting_in(pipe) -> int:
    """The bytes written to a pipe and not read yet."""
    return struct.unpack("i", fcntl.ioctl(pipe.fileno(), termios.FIONREAD, b"\0" * 4))[0]


def test_a_load_whose_order_maker_dies_is_refused_and_the_database_left_as_it_was(
    empty_url, monkeypatch
):
    """The order rows of a big load come from a process of its own: if it dies (killed, out
    of memory) the load stops with a message, keeps nothing, and the database enforces its
    foreign keys (and on SQLite stays in WAL mode) as before the load."""
    monkeypatch.setattr(demo_module, "OWN_PROCESS_FROM", 0)
    makers: list[subprocess.Popen] = []

    class Recorded(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            makers.append(self)

    store_orders = demo_module.DemoLoader._orders

    def killed_first(loader, w, chunks):
        # Before a chunk is read, once the pipe holds ~60 KB: 600 orders' rows are 250 KB
        # (chunks of ~35 KB), so the maker dies in the middle of writing one.
        (maker,) = makers
        deadline = time.monotonic() + 60
        while waiting_in(maker.stdout) < 60_000 and time.monotonic() < deadline:
            time.sleep(0.01)
        maker.kill()
        maker.wait()
        store_orders(loader, w, chunks)

    monkeypatch.setattr(demo_module.subprocess, "Popen", Recorded)
    monkeypatch.setattr(demo_module.DemoLoader, "_orders", killed_first)
    db = Database(empty_url)
    db.upgrade()
    with pytest.raises(DemoRefused, match="The demo data maker stopped unexpectedly"):
        load_demo(db.engine, orders=600, seed=11, now=NOW)
    assert len(makers) == 1
    with db.reading() as conn:
        kept = [
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.orders, t.customers, t.variants, t.carts, t.markets)
        ]
        journal = (
            conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
            if db.dialect == "sqlite"
            else "wal"
        )
    assert kept == [0, 0, 0, 0, 0]
    assert journal == "wal"
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            insert(t.notes).values(
                order_id=999, description="no such order", text="", created_by="x", created_at=NOW
            )
        )
    db.close()


def schema(db: Database) -> list[tuple]:
    """Every index, trigger and constraint, as defined, and whether each is in force."""
    with db.reading() as conn:
        if db.dialect == "sqlite":
            return sorted(
                conn.exec_driver_sql(
                    "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
                ).all()
            )
        return sorted(
            [
                *conn.exec_driver_sql(
                    "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                ).all(),
                *conn.exec_driver_sql(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
                    "convalidated FROM pg_constraint "
                    "WHERE connamespace = current_schema()::regnamespace"
                ).all(),
                *conn.exec_driver_sql(
                    "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger "
                    "WHERE NOT tgisinternal"
                ).all(),
            ]
        )


def test_the_load_leaves_every_index_trigger_and_constraint_as_the_schema_has_it(empty_url):
    """The load drops indexes, triggers and constraints and puts them back afterwards."""
    db = Database(empty_url)
    db.upgrade()
    before = schema(db)
    load_demo(db.engine, orders=300, seed=5, now=NOW)
    assert schema(db) == before
    with db.reading() as conn:
        names = conn.execute(select(func.count()).select_from(t.order_names)).scalar_one()
    assert names > 100, "the names the triggers would have added are there"
    db.close()


def test_the_demo_leaves_planner_statistics(demo):
    """The search plans hold without them, but the planners choose better with them."""
    with demo.db.reading() as conn:
        if demo.db.dialect == "sqlite":
            analyzed = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl IN ('orders', 'order_names')"
            ).scalar_one()
        else:
            analyzed = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN "
                "('orders', 'order_names') AND last_analyze IS NOT NULL"
            ).scalar_one()
    assert analyzed >= 2
    if demo.db.dialect == "postgresql":
        # Index-only scans read the heap unless the visibility map says a page is all
        # visible: the rows are written frozen, so no VACUUM is needed for it.
        with demo.db.reading() as conn:
            pages, visible = conn.exec_driver_sql(
                "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'orders'"
            ).one()
        assert pages > 0 and visible == pages


def test_each_variant_is_stored_with_the_search_key_a_search_compares(demo):
    with demo.db.reading() as conn:
        variants = conn.execute(
            select(
                t.variants.c.sku,
                t.variants.c.name,
                t.variants.c.description,
                t.variants.c.search_key,
            )
        ).all()
    assert len(variants) >= 2000
    assert all(v.search_key == variant_search_key(v.sku, v.name, v.description) for v in variants)


def test_the_seeds_example_sku_is_in_the_demo_catalogue(demo):
    found = demo.search_variants("SKU-40707827", "US")
    assert found and found[0].sku == "SKU-40707827" and found[0].price is not None
