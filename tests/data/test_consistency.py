"""Nothing lost, nothing torn: snapshot reads, version-checked deletes, notes that never
conflict, retries of what the agent did not see, and a server that drops its connections."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, event, func, select, text

from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.faults import SaveUncertain
from csr_tui.data.repository import CartRepository, CatalogRepository, OrderRepository
from csr_tui.domain import ConcurrentEditError, ShipmentStatus
from csr_tui.services import CartRef, OrderFilter, OrderRef, Services
from tests.conftest import place_order

# -- one snapshot ------------------------------------------------------------------------


def _save_while_reading(monkeypatch, repository, save) -> None:
    """Make the next aggregate read run `save` (another agent, another connection, to
    commit) after the root row is read and before its shipments and lines are."""
    real = repository._load_shipments
    done = threading.Event()

    def load_after_the_save(self, *args):
        if not done.is_set():
            done.set()
            saver = threading.Thread(target=save)
            saver.start()
            saver.join(timeout=5)
        return real(self, *args)

    monkeypatch.setattr(repository, "_load_shipments", load_after_the_save)


def test_an_order_is_read_whole_while_another_agent_saves_it(services, database_url, monkeypatch):
    order = place_order(services, lines=(("SKU-40707827", 1), ("SKU-10000001", 1)))
    bob = Services(Database(database_url), "bob")
    _save_while_reading(
        monkeypatch,
        OrderRepository,
        lambda: bob.remove_line_item(OrderRef(order.number), order.version, 1, "SKU-10000001"),
    )
    seen = services.get_order(order.number)
    monkeypatch.undo()
    assert seen.version == order.version
    assert [li.sku for li in seen.shipments[0].line_items] == ["SKU-40707827", "SKU-10000001"]
    assert seen.totals() == order.totals()
    assert services.get_order(order.number).version == order.version + 1, "bob's change saved"
    bob.db.close()


def test_a_cart_is_read_whole_while_another_agent_saves_it(services, database_url, monkeypatch):
    cart = services.create_cart("US")
    ref = CartRef(cart.id)
    group = services.add_line_item(ref, cart.version, 1, "SKU-40707827", 1)
    group = services.add_line_item(ref, group.version, 1, "SKU-10000001", 2)
    bob = Services(Database(database_url), "bob")
    _save_while_reading(
        monkeypatch,
        CartRepository,
        lambda: bob.update_line_item(ref, group.version, 1, "SKU-10000001", 5, Decimal("19.00")),
    )
    seen = services.get_cart(cart.id)
    monkeypatch.undo()
    assert seen.version == group.version
    assert [li.quantity for li in seen.shipments[0].line_items] == [1, 2]
    assert services.get_cart(cart.id).shipments[0].line_items[1].quantity == 5
    bob.db.close()


# -- delete checks the version the agent saw ---------------------------------------------


def test_delete_refuses_an_order_changed_since_it_was_seen(services, db, clock):
    order = place_order(services)
    clock.now += timedelta(minutes=3)
    Services(db, "bob", clock=clock).add_payment(
        order.number, order.version, "card", order.totals().balance_due
    )
    with pytest.raises(
        ConcurrentEditError,
        match=r"changed by bob at 10:03:00 on 2026-11-27: .*nothing was deleted",
    ):
        services.delete_orders({order.number: order.version})
    current = services.get_order(order.number)
    assert current.payments, "the paid order is still there"
    assert services.delete_orders({order.number: current.version}) == ([order.number], [])


def test_one_stale_order_in_a_selection_deletes_none(services, db):
    first, second = place_order(services), place_order(services)
    Services(db, "bob").place_on_hold(second.number, second.version)
    with pytest.raises(ConcurrentEditError, match=f"Order {second.number} was changed by bob"):
        services.delete_orders({first.number: first.version, second.number: second.version})
    assert services.get_order(first.number).number == first.number


# -- notes are their own rows ------------------------------------------------------------


def test_a_note_leaves_the_order_version_and_other_agents_copies_current(services, db, clock):
    order = place_order(services)
    noted = Services(db, "bob", clock=clock).add_note(
        order.number, "Called back", "Wants it Friday"
    )
    assert noted.version == order.version
    paid = services.add_payment(order.number, order.version, "card", Decimal("1.00"))
    assert paid.version == order.version + 1
    final = services.get_order(order.number)
    assert [(n.created_by, n.text) for n in final.notes] == [("bob", "Wants it Friday")]
    assert len(final.payments) == 1


def test_many_agents_noting_one_order_at_once_all_succeed(services, database_url):
    order = place_order(services)
    agents = [Services(Database(database_url), f"agent{i}") for i in range(8)]

    def notes(agent):
        for n in range(4):
            agent.add_note(order.number, f"Note {n}", f"by {agent.agent}")

    with ThreadPoolExecutor(len(agents)) as pool:
        list(pool.map(notes, agents))
    final = services.get_order(order.number)
    assert len(final.notes) == 32 and final.version == order.version
    assert Counter(n.created_by for n in final.notes) == {a.agent: 4 for a in agents}
    for agent in agents:
        agent.db.close()


# -- what the agent did not see is retried --------------------------------------------------


def test_payments_racing_for_the_last_units_all_succeed(services, db, backend, monkeypatch):
    """Six paid orders, three units: three are Inventory Assigned, three Awaiting Inventory;
    no agent is told that the stock changed."""
    orders = [place_order(services, lines=(("SKU-10000002", 1),)) for _ in range(6)]
    agents = [Services(Database(db.url), f"agent{i}") for i in range(6)]
    if backend == "postgresql":
        # Every payment reads the stock before any of them reserves it (SQLite's writers
        # take turns, so there they cannot).
        barrier = threading.Barrier(len(agents), timeout=20)
        read_stock = CatalogRepository.stock
        waited = threading.local()

        def stock_then_wait(self, skus):
            seen = read_stock(self, skus)
            if not getattr(waited, "once", False):
                waited.once = True
                barrier.wait()
            return seen

        monkeypatch.setattr(CatalogRepository, "stock", stock_then_wait)

    def pay(agent, order):
        return agent.add_payment(order.number, order.version, "card", order.totals().balance_due)

    with ThreadPoolExecutor(len(agents)) as pool:
        paid = list(pool.map(pay, agents, orders))
    monkeypatch.undo()
    assert Counter(o.shipments[0].status for o in paid) == {
        ShipmentStatus.INVENTORY_ASSIGNED: 3,
        ShipmentStatus.AWAITING_INVENTORY: 3,
    }
    with db.reading() as conn:
        in_stock = conn.execute(
            select(t.variants.c.in_stock).where(t.variants.c.sku == "SKU-10000002")
        ).scalar_one()
    assert in_stock == 0
    for agent in agents:
        agent.db.close()


# -- a server that drops its connections ---------------------------------------------------


def _drop_connections(pg_server, url: str, pid: int | None = None) -> None:
    """What a server restart does to the pool: every connection (or one) is cut."""
    database = url.rsplit("/", 1)[1]
    admin = create_engine(pg_server.admin_url, isolation_level="AUTOCOMMIT")
    which = "pid = :pid" if pid is not None else "datname = :db"
    with admin.connect() as conn:
        conn.execute(
            text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {which}"),
            {"pid": pid, "db": database},
        )
        for _ in range(100):
            left = conn.execute(
                text(f"SELECT count(*) FROM pg_stat_activity WHERE {which}"),
                {"pid": pid, "db": database},
            ).scalar()
            if not left:
                break
            time.sleep(0.02)
    admin.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_after_the_server_drops_its_connections_the_next_actions_work(
    services, database_url, pg_server
):
    order = place_order(services)
    listed = services.search_orders(OrderFilter())  # the list's prepared statements
    _drop_connections(pg_server, database_url)
    assert services.get_order(order.number).version == order.version
    assert services.search_orders(OrderFilter()).rows == listed.rows
    _drop_connections(pg_server, database_url)
    paid = services.add_payment(order.number, order.version, "card", Decimal("1.00"))
    assert paid.version == order.version + 1


def _cut_once(engine, pg_server, url: str, when: str, statement_start: str = "") -> list[int]:
    """Cut this engine's connection once, at the `when` event (a statement or COMMIT)."""
    cuts: list[int] = []

    def cut(conn, *args) -> None:
        statement = args[1] if len(args) > 1 else ""
        if not cuts and statement.lstrip().upper().startswith(statement_start):
            cuts.append(conn.connection.dbapi_connection.info.backend_pid)
            _drop_connections(pg_server, url, cuts[0])

    event.listen(engine, when, cut)
    return cuts


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_read_cut_off_midway_is_read_again(services, db, database_url, pg_server):
    order = place_order(services)
    cuts = _cut_once(db.engine, pg_server, database_url, "before_cursor_execute", "SELECT")
    assert services.get_order(order.number).totals() == order.totals()
    assert len(cuts) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_write_cut_off_before_commit_is_applied_once(services, db, database_url, pg_server):
    order = place_order(services)
    cuts = _cut_once(db.engine, pg_server, database_url, "before_cursor_execute", "UPDATE")
    paid = services.add_payment(order.number, order.version, "card", Decimal("1.00"))
    assert len(cuts) == 1
    assert paid.version == order.version + 1
    assert len(services.get_order(order.number).payments) == 1
    assert [h.action for h in services.order_history(order.number)].count("add payment") == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_write_cut_off_during_commit_is_not_retried(services, db, database_url, pg_server):
    order = place_order(services)
    cuts = _cut_once(db.engine, pg_server, database_url, "commit")
    with pytest.raises(SaveUncertain, match=r"may or may not have been saved\. Reload"):
        services.add_payment(order.number, order.version, "card", Decimal("1.00"))
    assert len(cuts) == 1, "tried once"
    with db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(t.payments)).scalar() == 0
