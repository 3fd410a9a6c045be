import os
import stat

import pytest
from sqlalchemy import inspect, text

from csr_tui.data.database import Database
from csr_tui.data.engine import create_db_engine
from csr_tui.data.migrate import SchemaTooNew, head_revision


def test_upgrade_from_empty_to_head_creates_the_schema(empty_url):
    db = Database(empty_url)
    before, after = db.upgrade()
    assert before == () and after == head_revision()
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "orders",
        "shipments",
        "line_items",
        "payments",
        "notes",
        "audit_log",
        "carts",
        "customers",
        "variants",
        "coupons",
        "counters",
    } <= tables
    assert db.upgrade() == ((head_revision(),), head_revision()), "a second upgrade is a no-op"
    db.close()


def test_substring_search_indexes_exist(empty_url):
    db = Database(empty_url)
    db.upgrade()
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
            assert {"order_names_fts", "customers_fts", "variants_fts"} <= names
        else:
            indexes = set(conn.execute(text("SELECT indexname FROM pg_indexes")).scalars())
            assert {
                "ix_order_names_compact_key_trgm",
                "ix_customers_compact_key_trgm",
                "ix_customers_email_key_trgm",
                "ix_variants_compact_key_trgm",
            } <= indexes
    db.close()


def test_a_database_from_a_newer_csr_tui_is_refused_untouched(db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaTooNew, match="made by a newer csr-tui"):
        db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "9999_future"
        )


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path):
    path = tmp_path / "new-folder" / "orders.db"
    engine = create_db_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_the_head_constant_is_the_newest_migration():
    from csr_tui.data.migrate import HEAD

    assert head_revision() == HEAD


class Told:
    """What an upgrade reports (migrate.Reporter)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int | None, int | None]] = []
        self.revisions: list[str] = []

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        self.steps.append((step, done, total))

    def applied(self, revision: str) -> None:
        self.revisions.append(revision)

    def counts(self, step: str) -> list[tuple[int | None, int | None]]:
        return [(done, total) for s, done, total in self.steps if s == step and total]


def test_upgrading_a_database_made_at_0003_keys_the_phones_of_existing_orders(empty_url):
    """Orders and customers stored before phone search are found by their numbers."""
    from alembic import command
    from sqlalchemy import create_engine

    from csr_tui.data.lists import search_customers
    from csr_tui.data.migrate import _config
    from csr_tui.data.queries import OrderFilter, OrderList

    engine = create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0003")
        conn.execute(text("INSERT INTO markets VALUES ('US', 'United States', 'USD', 0.08)"))
        at = "2026-11-27 10:00:00+00"
        for n, (name, phone) in enumerate(
            [
                ("Mercy Taylor", "+1 (555) 010-2030"),
                ("Walk In", ""),
                ("Lee Kim", "+44 20 7946 0123"),
            ]
        ):
            conn.execute(
                text(
                    "INSERT INTO customers (id, first_name, last_name, email, phone, name_key, "
                    "created_at) VALUES (:id, :first, :last, NULL, :phone, :key, :at)"
                ),
                dict(
                    id=n + 1,
                    first=name.split()[0],
                    last=name.split()[1],
                    phone=phone,
                    key=name.lower(),
                    at=at,
                ),
            )
            conn.execute(
                text(
                    "INSERT INTO orders (id, number, name, market_code, currency, customer_id, "
                    "customer_name, customer_phone, name_key, status, total, created_at, "
                    "created_by, updated_at, updated_by, version) VALUES (:order_id, :number, "
                    "'Phone order', 'US', 'USD', :id, :name, :phone, :key, 'In Progress', 10, "
                    ":at, 'alice', :at, 'alice', 1)"
                ),
                dict(
                    order_id=1 + n * 50_000,  # ids far apart: the keys are written in batches
                    number=f"PO{1001 + n}",
                    id=n + 1,
                    name=name,
                    phone=phone,
                    key=name.lower(),
                    at=at,
                ),
            )
    engine.dispose()
    db = Database(empty_url)
    told = Told()
    assert db.upgrade(told) == (("0003",), head_revision())
    # Each batch of 50,000 ids reported as it is done, of the ids from first to last.
    assert told.counts("0004: phone keys of the orders") == [
        (50_000, 100_001),
        (100_000, 100_001),
        (100_001, 100_001),
    ]
    assert told.revisions == ["0004", "0005", "0006", "0007"]
    with db.reading() as conn:
        for typed, expected in [
            ("5550102030", ["PO1001"]),
            ("+1 555 010 2030", ["PO1001"]),
            ("%2030", ["PO1001"]),
            ("020 7946 0123", ["PO1003"]),
            ("0123", ["PO1003"]),
        ]:
            rows, _ = OrderList(conn, OrderFilter(text=typed), ["US"]).page()
            assert [r.number for r in rows] == expected, typed
        assert [c.name for c in search_customers(conn, "010-2030")] == ["Mercy Taylor"]
    db.close()


def test_upgrading_a_database_made_at_0004_finds_accented_names_unaccented(empty_url):
    """Keys stored before names were folded are rebuilt: orders, customers, the names."""
    from alembic import command
    from sqlalchemy import create_engine

    from csr_tui.data.lists import search_customers
    from csr_tui.data.migrate import _config
    from csr_tui.data.queries import OrderFilter, OrderList

    engine = create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0004")
        conn.execute(text("INSERT INTO markets VALUES ('DE', 'Germany', 'EUR', 0.19)"))
        at = "2026-11-27 10:00:00+00"
        for n, (first, last) in enumerate([("Hans", "Müller"), ("Liam", "O’Neil")]):
            old_key = f"{first} {last}".casefold()  # the key before 0005
            conn.execute(
                text(
                    "INSERT INTO customers (id, first_name, last_name, phone, name_key, "
                    "created_at) VALUES (:id, :first, :last, '', :key, :at)"
                ),
                dict(id=n + 1, first=first, last=last, key=old_key, at=at),
            )
            conn.execute(
                text(
                    "INSERT INTO orders (number, name, market_code, currency, customer_id, "
                    "customer_name, customer_phone, name_key, status, total, created_at, "
                    "created_by, updated_at, updated_by, version) VALUES (:number, "
                    "'Phone order', 'DE', 'EUR', :id, :name, '', :key, 'In Progress', 10, "
                    ":at, 'alice', :at, 'alice', 1)"
                ),
                dict(number=f"PO{1001 + n}", id=n + 1, name=f"{first} {last}", key=old_key, at=at),
            )
    engine.dispose()
    db = Database(empty_url)
    told = Told()
    assert db.upgrade(told) == (("0004",), head_revision())
    # The orders' keys are rewritten a range of ids at a time, each range reported.
    assert told.counts("0005: name keys of the orders") == [(2, 2)]
    with db.reading() as conn:
        for typed, expected in [
            ("%muller", ["PO1001"]),
            ("%müller", ["PO1001"]),
            ("%oneil", ["PO1002"]),
            ("liam o'neil", ["PO1002"]),
            ("liam o neil", ["PO1002"]),
            ("%o neil", ["PO1002"]),
        ]:
            rows, _ = OrderList(conn, OrderFilter(text=typed), ["DE"]).page()
            assert [r.number for r in rows] == expected, typed
        assert [c.name for c in search_customers(conn, "mull")] == ["Hans Müller"]
        assert [c.name for c in search_customers(conn, "o neil")] == ["Liam O’Neil"]
        names = set(conn.execute(text("SELECT name_key FROM order_names")).scalars())
        assert names == {"hans muller", "liam oneil"}, "the old keys are gone"
    db.close()

    # Down to before the folding and up again: the same keys, found the same way.
    engine = create_engine(empty_url)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0004")
        keys = set(conn.execute(text("SELECT name_key FROM orders")).scalars())
        assert keys == {"hans müller", "liam o’neil"}
    engine.dispose()
    db = Database(empty_url)
    assert db.upgrade() == (("0004",), head_revision())
    with db.reading() as conn:
        rows, _ = OrderList(conn, OrderFilter(text="liam o neil"), ["DE"]).page()
        assert [r.number for r in rows] == ["PO1002"]
        assert [c.name for c in search_customers(conn, "o neil")] == ["Liam O’Neil"]
    db.close()
