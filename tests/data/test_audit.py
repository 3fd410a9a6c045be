"""Who did what: the real account (and database role) on every change to orders, carts,
customers and addresses, in an audit log nobody can edit unnoticed."""

from __future__ import annotations

import pwd
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, exc, insert, select, text

from csr_tui.cli import main
from csr_tui.config import current_agent
from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.engine import WRITE
from csr_tui.data.migrate import _config
from csr_tui.data.types import UTCDateTime
from csr_tui.domain import Address
from csr_tui.domain.agent import Agent
from csr_tui.services import CartRef, Services
from tests.conftest import place_order, seed_reference_data

a = t.audit_log


def audit_rows(db, **where):
    query = select(a).order_by(a.c.id)
    for column, value in where.items():
        query = query.where(a.c[column] == value)
    with db.reading() as conn:
        return conn.execute(query).all()


def test_the_login_comes_from_the_uid_not_the_environment(monkeypatch):
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.delenv("CSR_TUI_AGENT", raising=False)
    me = pwd.getpwuid(__import__("os").getuid()).pw_name
    assert current_agent(None) == Agent(me)
    assert current_agent("Alice S.").name == f"Alice S. ({me})", "a label never hides the login"
    monkeypatch.setenv("CSR_TUI_AGENT", "alice")
    assert current_agent(None).account == me


def test_each_record_names_the_account_beside_the_label_and_the_database_role(db, backend):
    services = Services(db, Agent("mercer", "Front desk"))
    order = place_order(services)
    record = audit_rows(db, order_number=order.number)[-1]
    assert (record.agent, record.account) == ("Front desk (mercer)", "mercer")
    assert record.db_role == ("postgres" if backend == "postgresql" else None)
    assert services.get_order(order.number).created_by == "Front desk (mercer)"


def test_customers_addresses_and_carts_are_audited(services, db):
    ann = services.create_customer("Ann", "Lee", "ann@example.com")
    created = audit_rows(db, customer_id=ann.id)
    assert [r.action for r in created] == ["create customer"]
    assert created[0].changes["last_name"] == {"before": None, "after": "Lee"}
    cart = services.create_cart("US")
    group = services.set_customer(CartRef(cart.id), cart.version, ann.id)
    office = Address(name="Ann Lee", line1="5 Park", city="Leeds", postal_code="LS1", country="GB")
    services.set_shipping_address(
        CartRef(cart.id), group.version, 1, office, add_to_address_book=True
    )
    book = audit_rows(db, customer_id=ann.id)[-1]
    assert book.action == "add address"
    assert book.changes["addresses"]["after"][0]["line1"] == "5 Park"
    assert [r.action for r in audit_rows(db, cart_id=cart.id)] == [
        "create cart",
        "set customer",
        "set shipping address",
    ]


def test_the_audit_log_refuses_update_and_delete(services, db):
    place_order(services)
    for statement in ("UPDATE audit_log SET agent = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    assert {r.agent for r in audit_rows(db)} == {"alice"}


def _tamper(db, statement: str) -> None:
    """What someone with the database owner's rights can still do: lift the triggers."""
    with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        conn.execute(text(statement))


def test_audit_verify_names_the_first_changed_record(services, db, database_url, capsys):
    order = place_order(services)
    services.place_on_hold(order.number, order.version)
    assert main(["audit", "verify", "--database", database_url]) == 0
    out = capsys.readouterr().out
    assert "the audit log is intact: 7 records" in out
    _tamper(db, "UPDATE audit_log SET agent = 'mallory' WHERE id = 3")
    assert main(["audit", "verify", "--database", database_url]) == 1
    err = capsys.readouterr().err
    assert "Audit record 3 (set shipping method by mallory" in err
    assert "was changed after it was written" in err and "(2 records before it" in err


def test_audit_verify_notices_a_removed_record(services, db):
    place_order(services)
    _tamper(db, "DELETE FROM audit_log WHERE id = 4")
    check = services.verify_audit()
    assert check.broken_at == 5
    assert "does not follow record 3: a record between them was removed" in check.problem


def test_agents_writing_at_once_keep_one_chain(services, database_url):
    order = place_order(services)
    agents = [Services(Database(database_url), f"agent{i}") for i in range(6)]

    def work(agent):
        for n in range(3):
            agent.add_note(order.number, f"Note {n}", "")
        agent.create_cart("US")

    with ThreadPoolExecutor(len(agents)) as pool:
        list(pool.map(work, agents))
    check = services.verify_audit()
    assert check.intact and check.records == 6 + 6 * 4
    for agent in agents:
        agent.db.close()


def test_records_written_before_the_chain_are_chained_by_the_migration(empty_url):
    from alembic import command

    db = Database(empty_url)
    with db.engine.connect().execution_options(**{WRITE: True}) as conn:
        command.upgrade(_config(conn), "0001")
        conn.commit()
    audit_0001 = Table(
        "audit_log",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("order_number", String),
        Column("cart_id", Integer),
        Column("action", String),
        Column("agent", String),
        Column("at", UTCDateTime),
        Column("changes", JSON),
    )
    with db.engine.begin() as conn:
        conn.execute(
            insert(audit_0001),
            [
                {
                    "order_number": f"PO{1000 + i}",
                    "cart_id": None,
                    "action": "hold",
                    "agent": "bob",
                    "at": datetime(2026, 1, 1, 9, i, 30, 123456, tzinfo=UTC),
                    "changes": {"status": {"before": "In Progress", "after": "On Hold"}},
                }
                for i in range(5)
            ],
        )
    db.upgrade()
    seed_reference_data(db)
    services = Services(db, "alice")
    check = services.verify_audit()
    assert check.intact and check.records == 5
    place_order(services)  # the chain goes on from the old records
    check = services.verify_audit()
    assert check.intact and check.records == 5 + 6
    with pytest.raises(exc.DatabaseError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    db.close()
