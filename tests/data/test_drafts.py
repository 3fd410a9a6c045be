"""What the create-order wizard needs of the services, on SQLite and PostgreSQL: a draft
becomes a cart only with its first change, markets come in the order an agent uses them,
customers are found by any part of their phone number, and one cart makes one order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.domain import Address, DomainError, ValidationError
from csr_tui.services import CartRef, NewCart, Services
from tests.conftest import place_order


def cart_count(db) -> int:
    with db.reading() as conn:
        return conn.execute(select(func.count()).select_from(t.carts)).scalar_one()


def test_a_draft_becomes_a_cart_with_its_first_change_and_one_audit_record(services, db):
    with pytest.raises(ValidationError, match="is not an email"):
        services.set_anonymous_contact(NewCart("US"), 0, "Walk-in", "walk-in@nowhere")
    assert cart_count(db) == 0, "a refused first change leaves no cart"

    cart = services.set_customer(NewCart("US"), 0, 1)
    assert cart.id is not None and cart.version == 1
    saved = services.get_cart(cart.id)
    assert (saved.customer_name, saved.name, saved.market.code) == (
        "Mercy Taylor",
        "Phone order",
        "US",
    )
    assert saved.shipments[0].shipping_address.name == "Mercy Taylor"
    with db.reading() as conn:
        records = conn.execute(
            select(t.audit_log.c.action).where(t.audit_log.c.cart_id == cart.id)
        ).all()
    assert [r.action for r in records] == ["create cart"]
    later = services.add_line_item(CartRef(cart.id), cart.version, 1, "SKU-40707827", 2)
    assert later.id == cart.id and cart_count(db) == 1


def test_changing_the_customer_does_not_keep_the_first_ones_address(services):
    cart = services.set_customer(NewCart("US"), 0, 1)
    typed = Address(name="Gift", line1="9 Elm St", city="Dover", postal_code="19901", country="US")
    cart = services.add_shipment(CartRef(cart.id), cart.version)
    cart = services.set_shipping_address(CartRef(cart.id), cart.version, 2, typed)
    ann = services.create_customer(
        "Ann",
        "Lee",
        "ann.lee@example.com",
        "+46 70 123 45 67",
        Address(
            name="Ann Lee", line1="Storgatan 1", city="Umeå", postal_code="90325", country="SE"
        ),
    )
    cart = services.set_customer(CartRef(cart.id), cart.version, ann.id)
    first, second = (s.shipping_address for s in cart.shipments)
    assert (first.line1, first.name, first.phone) == ("Storgatan 1", "Ann Lee", "+46 70 123 45 67")
    assert second == typed, "an address typed for this order stays"


def test_markets_come_in_the_order_the_agent_uses_them(services, database_url, clock):
    bob = Services(Database(database_url), "bob", clock=clock)

    def later() -> None:
        clock.now += timedelta(minutes=1)

    try:
        assert [m.code for m in bob.markets_by_use()] == ["JP", "US"], "no use yet: as listed"
        place_order(services, market="US")
        assert [m.code for m in bob.markets_by_use()] == ["US", "JP"], "everyone's, bob has none"
        later()
        services.set_customer(NewCart("JP"), 0, 2)  # alice's open cart: her last use
        assert [m.code for m in services.markets_by_use()] == ["JP", "US"]
        later()
        bob.set_customer(NewCart("US"), 0, 3)
        assert [m.code for m in bob.markets_by_use()] == ["US", "JP"], "bob's own use"
        assert [m.code for m in services.markets_by_use()] == ["JP", "US"]
    finally:
        bob.db.close()


def test_customers_are_found_by_any_part_of_their_phone_number(services):
    services.create_customer("Ann", "Lee", "ann.lee@example.com", "+46 (70) 123-45.67")
    for typed in ("701234567", "123 45", "+46 70", "(70) 12"):
        assert [c.name for c in services.search_customers(typed)] == ["Ann Lee"], typed
    assert services.search_customers("12") == [], "two digits are too few"
    assert {c.name for c in services.search_customers("555 01")} == {
        "Émile Zola",
        "Mercer Smith",
        "Mercy Taylor",
        "Taylor Hayes",
    }


def test_two_agents_converting_one_cart_make_one_order(services, database_url, db):
    cart = services.set_customer(NewCart("US"), 0, 1)
    ref = CartRef(cart.id)
    cart = services.set_shipping_method(ref, cart.version, 1, "ground")
    cart = services.add_line_item(ref, cart.version, 1, "SKU-40707827", 1)
    agents = [Services(Database(database_url), name) for name in ("alice", "bob")]
    barrier = threading.Barrier(2, timeout=10)

    def convert(agent: Services) -> str:
        barrier.wait()
        try:
            return agent.convert_cart(cart.id, cart.version).number
        except DomainError as error:
            return f"refused: {error}"

    try:
        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(convert, agents))
    finally:
        for agent in agents:
            agent.db.close()
    created = [o for o in outcomes if not o.startswith("refused")]
    assert len(created) == 1, outcomes
    with db.reading() as conn:
        orders = conn.execute(select(func.count()).select_from(t.orders)).scalar_one()
    assert orders == 1 and cart_count(db) == 0
