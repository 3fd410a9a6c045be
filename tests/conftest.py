"""Fixtures: every repository and service test runs on SQLite and on a real PostgreSQL.

Each backend gets one migrated, seeded template per session; each test gets its own copy
(a file copy for SQLite, CREATE DATABASE ... TEMPLATE for PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from csr_tui.data.database import Database
from csr_tui.domain import Address, Coupon, Customer, DiscountKind, ProductVariant, PurchaseOrder
from csr_tui.services import CartRef, Services
from tests.factories import JP, NOW, US
from tests.hostile import build_hostile_database
from tests.pg_server import PostgresServer, PostgresUnavailable

IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")

# Screens show local time; tests (and their snapshots) read it in UTC wherever they run.
os.environ["TZ"] = "UTC"
time.tzset()
PG_TEMPLATE = "csr_template"
_names = itertools.count()


def seed_reference_data(db: Database) -> None:
    """A small catalog: two markets, a few variants (one out of stock, one no longer sold),
    the seed's customers, and coupons (one expired)."""
    with db.unit_of_work() as uow:
        uow.catalog.add_market(US)
        uow.catalog.add_market(JP)
        for sku, name, usd, stock, sold in (
            ("SKU-40707827", "Summer dress, blue", "49.99", 25, True),
            ("SKU-10000001", "Classic T-shirt, white", "19.00", 100, True),
            ("SKU-10000002", "Denim jacket", "89.50", 3, True),
            ("SKU-10000003", "Wool scarf", "24.00", 0, True),
            ("SKU-10000004", "Retired sandals", "30.00", 10, False),
        ):
            uow.catalog.add_variant(
                ProductVariant(
                    sku=sku,
                    name=name,
                    description=f"{name} for everyday wear",
                    prices={"US": Decimal(usd), "JP": Decimal(int(Decimal(usd) * 150))},
                    in_stock=stock,
                    is_sold=sold,
                    product_url=f"https://shop.example.com/p/{sku.lower()}",
                )
            )
        for first, last, email, phone in (
            ("Mercy", "Taylor", "mercy.taylor@example.com", "+1 555-010-2030"),
            ("Taylor", "Hayes", "taylor.hayes@example.com", "+1 555-014-7100"),
            ("Mercer", "Smith", "mercer@example.org", "+1 (555) 019-0100"),
            ("Émile", "Zola", "emile@example.fr", "+33 1 55501 2030"),
        ):
            customer = Customer.new(first, last, email, phone)
            customer.add_address(
                Address(
                    name=f"{first} {last}",
                    line1="1 Main St",
                    city="Springfield",
                    postal_code="12345",
                    country="US",
                )
            )
            uow.customers.add(customer, NOW)
        for code, value, until in (
            ("WELCOME10", "10", datetime(2030, 1, 1, tzinfo=UTC)),
            ("SPRING15", "15", datetime(2026, 5, 31, tzinfo=UTC)),
        ):
            uow.catalog.add_coupon(
                Coupon(
                    code=code,
                    kind=DiscountKind.PERCENTAGE,
                    value=Decimal(value),
                    valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                    valid_until=until,
                )
            )
        uow.commit()


def _build_template(url: str) -> None:
    db = Database(url)
    db.upgrade()
    seed_reference_data(db)
    db.close()


@pytest.fixture(scope="session", autouse=True)
def private_state_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Unexpected errors are logged under the user's state folder: the tests' own, not yours."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="session", autouse=True)
def private_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The command line keeps compiled statements in the user's cache folder: the tests'
    own, not yours."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer.start()
    except PostgresUnavailable as error:
        if IN_CI:
            pytest.fail(f"CI needs PostgreSQL and it did not start: {error}")
        pytest.skip(f"PostgreSQL is not installed here: {error}")
    try:
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {PG_TEMPLATE}"))
        admin.dispose()
        _build_template(server.url(PG_TEMPLATE))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _build_template(f"sqlite:///{path}")
    return path


def new_database_url(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, *, hostile: bool = False
) -> str:
    """A fresh migrated and seeded database (with hostile text: tests/hostile.py); dropped
    when the test ends."""
    if backend == "sqlite":
        path = tmp_path / f"csr-{next(_names)}.db"
        template = "hostile_sqlite_template" if hostile else "sqlite_template"
        shutil.copy(request.getfixturevalue(template), path)
        os.chmod(path, 0o600)
        return f"sqlite:///{path}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("hostile_pg_template") if hostile else PG_TEMPLATE
    name = f"csr_test_{os.getpid()}_{next(_names)}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    request.addfinalizer(drop)
    return server.url(name)


@pytest.fixture(scope="session")
def hostile_sqlite_template(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    shutil.copy(sqlite_template, path)
    build_hostile_database(f"sqlite:///{path}", "sqlite")
    return path


@pytest.fixture(scope="session")
def hostile_pg_template(pg_server: PostgresServer) -> str:
    name = "csr_hostile_template"
    admin = create_engine(pg_server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}"))
    admin.dispose()
    build_hostile_database(pg_server.url(name), "postgresql")
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def hostile_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A database whose every free-text column holds hostile text (tests/hostile.py)."""
    return new_database_url(request, backend, tmp_path, hostile=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    return new_database_url(request, backend, tmp_path)


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A database with nothing in it, not even the schema."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server = request.getfixturevalue("pg_server")
    name = f"csr_empty_{os.getpid()}_{next(_names)}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    request.addfinalizer(admin.dispose)
    return server.url(name)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.close()


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def services(db: Database, clock: FixedClock) -> Services:
    return Services(db, "alice", clock=clock)


def place_order(
    services: Services, lines=(("SKU-40707827", 2),), customer_id: int = 1, market: str = "US"
) -> PurchaseOrder:
    """An order made the way an agent makes one: cart, customer, lines, shipping, create."""
    cart = services.create_cart(market)
    ref = CartRef(cart.id)
    group = services.set_customer(ref, cart.version, customer_id)
    code = group.market.shipping_methods[0].code
    group = services.set_shipping_method(ref, group.version, 1, code)
    for sku, qty in lines:
        group = services.add_line_item(ref, group.version, 1, sku, qty)
    return services.convert_cart(cart.id, group.version)
