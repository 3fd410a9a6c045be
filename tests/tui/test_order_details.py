"""Order Details: payments, hold, cancel, the shipment flow, notes and edits, by keyboard."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csr_tui.data.database import Database
from csr_tui.data.queries import OrderFilter
from csr_tui.domain import OrderStatus, ShipmentStatus
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.form import FormScreen
from csr_tui.screens.order_details import OrderDetailsScreen
from csr_tui.services import Services
from tests.tui.conftest import settle, text_of, type_text


@pytest.fixture
def unpaid(demo_services: Services) -> str:
    """An In Progress order with a balance due, one shipment, all items in stock."""
    page = demo_services.search_orders(
        OrderFilter(statuses=frozenset({OrderStatus.IN_PROGRESS})), size=50
    )
    for row in page.rows:
        order = demo_services.get_order(row.number)
        skus = [li.sku for li in order.shipments[0].line_items]
        stock = demo_services.search_variants(skus[0], order.market.code)
        if (
            order.totals().balance_due > 0
            and len(order.shipments) == 1
            and len(skus) == 1
            and stock
            and stock[0].in_stock >= order.shipments[0].line_items[0].quantity
        ):
            return row.number
    raise AssertionError("the demo data has an unpaid In Progress order")


async def open_details(pilot, number: str) -> OrderDetailsScreen:
    await type_text(pilot, number)
    await pilot.press("enter")  # the only match: Enter opens it
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OrderDetailsScreen) and screen.number == number
    return screen


def head(app) -> str:
    return text_of(app.screen.query_one("#head")) + text_of(app.screen.query_one("#shipments"))


async def pay_in_full(pilot) -> None:
    await pilot.press("p")
    await settle(pilot)
    await pilot.press("enter")  # the first payment method
    await settle(pilot)
    assert isinstance(pilot.app.screen, FormScreen)
    await pilot.press("ctrl+s")  # the amount is the balance due
    await settle(pilot)


async def test_payment_then_release_pick_and_complete(app, demo_services, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        assert "due: it must be paid" in text_of(app.screen.query_one("#status"))
        await pay_in_full(pilot)
        assert "Inventory Assigned" in head(app)
        for key, status in (("r", "Released"), ("l", "Packing"), ("s", "Shipped")):
            await pilot.press(key)
            await settle(pilot)
            assert status in head(app)
        order = demo_services.get_order(unpaid)
        assert order.status is OrderStatus.COMPLETED
        assert order.payments[-1].created_by == "alice"
        assert order.totals().balance_due == 0
        assert [h.action for h in demo_services.order_history(unpaid)][-4:] == [
            "add payment",
            "release shipment",
            "add to picklist",
            "complete shipment",
        ]


async def test_release_before_payment_explains_why(app, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("r")
        await settle(pilot)
        assert "must be paid in full before release" in text_of(app.screen.query_one("#status"))


async def test_wrong_amount_is_refused_at_the_field(app, demo_services, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *"9999999", "ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#e-amount")
        assert error.display and "exceeds the balance due" in text_of(error)
        assert demo_services.get_order(unpaid).totals().paid == 0


async def test_hold_blocks_cancel_and_release_hold_restores(app, demo_services, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("h")
        await settle(pilot)
        assert "On Hold" in head(app)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")  # confirm: the rule refuses, and says why
        await settle(pilot)
        assert "on hold: release the hold before canceling it" in text_of(
            app.screen.query_one("#status")
        )
        await pilot.press("u")
        await settle(pilot)
        assert demo_services.get_order(unpaid).status is OrderStatus.IN_PROGRESS
        assert "Awaiting Inventory" in head(app)


async def test_cancel_asks_first(app, demo_services, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert demo_services.get_order(unpaid).status is OrderStatus.IN_PROGRESS
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        order = demo_services.get_order(unpaid)
        assert order.status is OrderStatus.CANCELED
        assert {s.status for s in order.shipments} == {ShipmentStatus.CANCELED}


async def test_add_a_note(app, demo_services, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs a description" in text_of(app.screen.query_one("#e-description"))
        await pilot.press(*"Called back", "enter", *"wants express")
        await pilot.press("ctrl+s")
        await settle(pilot)
        note = demo_services.get_order(unpaid).notes[-1]
        assert (note.description, note.text, note.created_by) == (
            "Called back",
            "wants express",
            "alice",
        )
        assert "Called back" in text_of(app.screen.query_one("#more"))


async def test_edit_a_line_of_an_in_progress_order(app, demo_services, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("enter")  # the highlighted line
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", "2", "ctrl+s")
        await settle(pilot)
        assert demo_services.get_order(unpaid).shipments[0].line_items[0].quantity == 2


async def test_a_stale_copy_is_refused_and_reloaded(app, demo_services, demo_url, unpaid):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        bob = Services(Database(demo_url), "bob")
        order = bob.get_order(unpaid)
        bob.add_payment(unpaid, order.version, "card", Decimal("1.00"))
        await pilot.press("h")
        await settle(pilot)
        assert "changed by bob" in text_of(app.screen.query_one("#status"))
        assert demo_services.get_order(unpaid).status is OrderStatus.IN_PROGRESS
        assert app.screen.order.version == order.version + 1, "the saved copy is shown"
        bob.db.close()


async def test_a_completed_order_offers_only_what_it_allows(app, demo_services):
    number = (
        demo_services.search_orders(OrderFilter(statuses=frozenset({OrderStatus.COMPLETED})))
        .rows[0]
        .number
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_details(pilot, number)
        offered = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert {"add_note", "reorder"} <= offered
        assert not offered & {
            "add_payment",
            "hold",
            "cancel_order",
            "release_shipment",
            "add_items",
            "edit_shipment",
        }


async def test_discount_by_percentage_with_a_clear_error_first(app, demo_services, unpaid):
    before = demo_services.get_order(unpaid).totals()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter", *"ten%", "ctrl+s")
        await settle(pilot)
        assert "'ten%' is not a percentage" in text_of(app.screen.query_one("#e-value"))
        await pilot.press("ctrl+a", "ctrl+k", *"10%", "ctrl+s")
        await settle(pilot)
        after = demo_services.get_order(unpaid)
    assert after.discounts[-1].description == "Goodwill"
    assert after.totals().discount == before.currency.round(before.subtotal / 10)
