"""Market lists put the busiest market first: this agent's recent orders and carts, else
everyone's (on SQLite and PostgreSQL)."""

from __future__ import annotations

from csr_tui.services import Services
from tests.conftest import place_order


def codes(services: Services) -> list[str]:
    return [m.code for m in services.markets_by_use()]


def test_markets_by_use_puts_this_agents_markets_first_else_everyones(services, db, clock):
    assert codes(services) == ["JP", "US"], "unused: by code, as before"
    bob = Services(db, "bob", clock=clock)
    place_order(bob, market="US")
    place_order(bob, market="US")
    assert codes(services) == ["US", "JP"], "alice has no orders: everyone's use decides"
    services.create_cart("JP")
    assert codes(services) == ["JP", "US"], "alice's own cart comes before bob's orders"
    assert codes(bob) == ["US", "JP"]
    assert {m.code: m for m in services.markets_by_use()}["JP"] == {
        m.code: m for m in services.markets()
    }["JP"], "whole markets, with their currency, payment and shipping methods"
