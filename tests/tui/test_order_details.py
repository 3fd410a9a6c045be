"""Order Details by keyboard: the four tabs, the shipment options menu, confirmations, what
each state offers (footer and command palette), and another agent's change seen in time."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import update

from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.queries import OrderFilter
from csr_tui.domain import OrderStatus, ShipmentStatus
from csr_tui.domain.statuses import PaymentStatus
from csr_tui.screens.cart import CartScreen
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.create_order import CreateOrderScreen
from csr_tui.screens.form import FormScreen
from csr_tui.screens.line_item_search import LineItemSearchScreen
from csr_tui.screens.order_details import OrderDetailsScreen
from csr_tui.screens.order_details.shipment_menu import ShipmentMenuScreen
from csr_tui.screens.order_list import OrderListScreen
from csr_tui.screens.shipment_edit import ShipmentEditScreen
from csr_tui.services import CartRef, Services
from tests.conftest import FixedClock
from tests.tui.conftest import settle, text_of, type_text
from tests.tui.rendered import screen_text


def first(services: Services, status: OrderStatus, test=lambda order: True) -> str:
    """The newest order in this status that passes `test`."""
    page = services.search_orders(OrderFilter(statuses=frozenset({status})), size=50)
    for row in page.rows:
        if test(services.get_order(row.number)):
            return row.number
    raise AssertionError(f"the demo data has a {status} order for this test")


def in_stock(services: Services, order) -> bool:
    return all(
        services.search_variants(line.sku, order.market.code)[0].in_stock >= line.quantity
        for s in order.shipments
        for line in s.line_items
    )


@pytest.fixture
def unpaid(demo_services: Services) -> str:
    """An In Progress order with a balance due: one shipment, one line, in stock."""
    return first(
        demo_services,
        OrderStatus.IN_PROGRESS,
        lambda o: (
            o.totals().balance_due > 0
            and len(o.shipments) == 1
            and o.line_count() == 1
            and in_stock(demo_services, o)
        ),
    )


async def open_details(pilot, number: str) -> OrderDetailsScreen:
    """From the order list, by keys: search the number, Enter on the row."""
    await type_text(pilot, number)
    await pilot.press("enter")  # the only match: Enter opens it
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OrderDetailsScreen) and screen.number == number
    return screen


async def show(pilot, number: str) -> OrderDetailsScreen:
    """Order Details of `number`, opened as Enter on its row would (quicker to set up)."""
    pilot.app.open_order(number)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OrderDetailsScreen) and screen.order is not None
    return screen


async def press(pilot, *keys: str) -> None:
    """Keys, then what they started: one round is enough where nothing is debounced."""
    await pilot.press(*keys)
    await settle(pilot, rounds=1)


def status_line(app) -> str:
    return text_of(app.screen.query_one("#status")).strip()


def offered(screen: OrderDetailsScreen) -> set[str]:
    """The screen's actions the footer may show (by binding id)."""
    return {
        b.binding.id.removeprefix("details.")
        for b in screen.active_bindings.values()
        if b.enabled and (b.binding.id or "").startswith("details.")
    }


def palette(app, screen: OrderDetailsScreen) -> set[str]:
    """The command palette's commands that run the screen's own actions."""
    return {
        c.title
        for c in app.get_system_commands(screen)
        if isinstance(c.callback, partial)
        and c.callback.args[0] is screen
        and c.title in DESCRIPTIONS.values()
    }


DESCRIPTIONS = {b.id.removeprefix("details."): b.description for b in OrderDetailsScreen.BINDINGS}
ALWAYS = {
    "next_tab",
    "previous_tab",
    "summary",
    "form",
    "notes",
    "history",
    "add_note",
    "reorder",
    "refresh",
    "back",
}
FORM = {"menu_enter", "shipment_menu"}  # Enter and M on a shipment with something to offer
EDIT = {"edit_shipment", "add_items", "add_shipment", "discount", "coupon"}


def assert_offers(app, screen: OrderDetailsScreen, expected: set[str]) -> None:
    assert offered(screen) == ALWAYS | expected
    assert palette(app, screen) == {DESCRIPTIONS[i] for i in ALWAYS | expected}


async def test_each_state_offers_exactly_what_it_allows(app, demo_services):
    s = demo_services
    unpaid_order = first(s, OrderStatus.IN_PROGRESS, lambda o: o.totals().balance_due > 0)
    paid = first(
        s,
        OrderStatus.IN_PROGRESS,
        lambda o: (
            o.totals().paid_in_full and o.shipments[0].status is ShipmentStatus.INVENTORY_ASSIGNED
        ),
    )
    held = first(s, OrderStatus.ON_HOLD)
    partly = first(s, OrderStatus.PARTIALLY_SHIPPED, lambda o: len(o.shipments) == 2)
    done = first(s, OrderStatus.COMPLETED)
    canceled = first(s, OrderStatus.CANCELED)
    # On Summary: the order's own actions; on Form Details, with shipment 1 highlighted,
    # also the form's (what the shipment offers, and the edits of an In Progress order).
    cases = [
        (unpaid_order, {"add_payment", "hold", "cancel_order"}, FORM | EDIT),
        (paid, {"hold", "cancel_order"}, FORM | EDIT | {"release_shipment"}),
        (held, {"release_hold"}, set()),
        (partly, {"hold"}, set()),  # shipment 1 has shipped
        (done, set(), set()),
        (canceled, set(), set()),
    ]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for number, on_summary, on_form in cases:
            screen = await show(pilot, number)
            assert screen.tab == "summary"
            assert_offers(app, screen, on_summary)
            await press(pilot, "2")
            assert screen.tab == "form" and screen.form.current().kind == "shipment"
            assert_offers(app, screen, on_summary | on_form)
            if number == partly:  # shipment 2 is packing: Complete, and the menu with it
                await press(pilot, *["down"] * 3)
                assert screen.form.current().shipment == 2
                assert_offers(app, screen, {"hold", "complete_shipment"} | FORM)
            if number in (held, canceled):  # keys for what is not offered do nothing
                version = screen.order.version
                for key in ("c", "r", "p", "e", "a", "d", "k", "plus", "m", "enter", "delete"):
                    await pilot.press(key)  # a dialog would open at once
                    assert app.screen is screen, f"{key} opened something on a {number}"
                await press(pilot, "down", "enter")  # a line: no editing here
                assert app.screen is screen
                assert s.get_order(number).version == version
            await press(pilot, "escape")

        screen = await show(pilot, unpaid_order)  # a line, then a discount
        await press(pilot, "2", "down")
        assert screen.form.current().kind == "line"
        assert_offers(
            app,
            screen,
            {"add_payment", "hold", "cancel_order", "shipment_menu", "edit_line"}
            | EDIT
            | ({"remove_line"} if screen.order.line_count() > 1 else set()),
        )
        while screen.form.current().kind != "discount":
            await press(pilot, "down")
        assert_offers(
            app,
            screen,
            {"add_payment", "hold", "cancel_order", "remove_discount"}
            | EDIT - {"edit_shipment", "add_items"},
        )
        for keys, tab in (
            (["1"], "summary"),
            (["ctrl+pagedown"], "form"),
            (["ctrl+pagedown", "ctrl+pagedown"], "history"),
            (["ctrl+pagedown"], "summary"),
            (["ctrl+pageup"], "history"),
            (["3"], "notes"),
        ):
            await press(pilot, *keys)
            assert screen.tab == tab


async def test_pay_release_pick_and_complete_from_the_menu(app, demo_services, unpaid):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_details(pilot, unpaid)
        assert "due: it must be paid in full before release" in status_line(app)
        await press(pilot, "2", "p", "enter")  # the first payment method
        assert isinstance(app.screen, FormScreen)
        await press(pilot, "ctrl+s")  # the amount is the balance due
        assert screen.order.shipments[0].status is ShipmentStatus.INVENTORY_ASSIGNED
        assert "Shipment 1 is ready to release" in status_line(app)

        await press(pilot, "m")
        assert isinstance(app.screen, ShipmentMenuScreen)
        assert [e[0].value for e in app.screen.entries] == [
            "edit_shipment",
            "add_items",
            "release_shipment",
        ]
        await press(pilot, "down", "down", "enter")  # Release: it asks first
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "escape")
        assert screen.order.shipments[0].status is ShipmentStatus.INVENTORY_ASSIGNED
        await press(pilot, "r", "enter")
        assert screen.order.shipments[0].status is ShipmentStatus.RELEASED
        assert "Shipment 1 is released: add it to a picklist" in status_line(app)

        await press(pilot, "m")
        assert [e[0].value for e in app.screen.entries] == ["add_to_picklist"]
        await press(pilot, "enter")
        assert screen.order.shipments[0].status is ShipmentStatus.PACKING
        await press(pilot, "enter", "enter")  # Enter on the shipment: its menu: Complete
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "enter")
        order = demo_services.get_order(unpaid)
        assert order.status is OrderStatus.COMPLETED and order.totals().balance_due == 0
        assert status_line(app) == "Completed: every shipment has shipped."
        assert "Read-only" in text_of(screen.query_one("#form-why"))

        await press(pilot, "4")
        history = screen_text(app)
        assert history.index("complete shipment") < history.index("add to picklist")
        assert "Shipment 1 › status: Packing → Shipped" in history
        assert "payments: — → " in history and "Processed" in history
        await press(pilot, "1")
        assert "Completed" in screen_text(app) and "Balance due" in screen_text(app)


async def test_hold_release_and_cancel_ask_first_and_say_where_the_order_is(
    app, demo_services, unpaid
):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await show(pilot, unpaid)
        await press(pilot, "h")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "escape")
        assert demo_services.get_order(unpaid).status is OrderStatus.IN_PROGRESS
        await press(pilot, "h", "enter")
        assert demo_services.get_order(unpaid).status is OrderStatus.ON_HOLD
        assert status_line(app).startswith("On hold: nothing is released, paid, changed")
        await press(pilot, "2")
        assert "is on hold. Release the hold (U)" in text_of(screen.query_one("#form-why"))
        await press(pilot, "u")
        assert demo_services.get_order(unpaid).status is OrderStatus.IN_PROGRESS
        assert "due: it must be paid in full" in status_line(app)
        await press(pilot, "c")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "escape", "c", "enter")
        order = demo_services.get_order(unpaid)
        assert order.status is OrderStatus.CANCELED
        assert {s.status for s in order.shipments} == {ShipmentStatus.CANCELED}
        assert status_line(app).startswith("Canceled: the order and its shipments")
        assert f"{unpaid} is Canceled" in text_of(screen.query_one("#form-why"))


async def test_lines_discounts_coupons_and_shipments_on_the_form(app, demo_services):
    number = first(
        demo_services,
        OrderStatus.IN_PROGRESS,
        lambda o: o.line_count() == 2 and len(o.shipments) == 1 and not o.discounts,
    )
    order = demo_services.get_order(number)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await show(pilot, number)
        await press(pilot, "2", "down", "enter")  # the first line: quantity, price, discount
        assert isinstance(app.screen, FormScreen)
        await press(pilot, "tab", "ctrl+a", "ctrl+k", *"abc", "ctrl+s")
        assert "'abc' is not a placed price." in text_of(app.screen.query_one("#e-placed_price"))
        await press(pilot, "ctrl+a", "ctrl+k", *"10.00", "tab", "ctrl+a", "ctrl+k", "1", "ctrl+s")
        line = demo_services.get_order(number).shipments[0].line_items[0]
        assert (line.placed_price, line.discount) == (Decimal("10.00"), Decimal("1.00"))
        assert "− line discount 1.00" in text_of(screen.query_one("#form-detail"))
        assert "(line discounts −1.00)" in text_of(screen.query_one("#form-totals"))

        await press(pilot, "down", "delete")  # the second line goes, once confirmed
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "enter")
        assert demo_services.get_order(number).line_count() == 1
        assert "remove_line" not in offered(screen), "the last line cannot go"

        while screen.form.current().action != "discount":
            await pilot.press("down")
        await press(pilot, "enter", "enter", *"10%", "ctrl+s")  # + Add a discount
        discounted = demo_services.get_order(number)
        off = discounted.currency.round(discounted.totals().subtotal / 10)
        assert discounted.totals().discount == off
        row = next(i for i, r in enumerate(screen.form.rows) if r.kind == "discount")
        screen.form.table.move_cursor(row=row)
        await settle(pilot)
        assert f"−{off:,}" in text_of(screen.query_one("#form-detail"))
        await press(pilot, "delete", "enter")
        assert demo_services.get_order(number).discounts == []

        await press(pilot, "k", *"nope", "ctrl+s")
        assert "There is no coupon NOPE." in text_of(app.screen.query_one("#e-code"))
        await press(pilot, "escape", "plus")
        assert len(demo_services.get_order(number).shipments) == 2
        await press(pilot, "a")
        assert isinstance(app.screen, LineItemSearchScreen)
        assert "shipment 2" in app.screen.title_text
        await type_text(pilot, "dress")
        await press(pilot, "enter", "enter", "enter", "enter")  # results, choose, qty, add
        await press(pilot, "escape")
        assert demo_services.get_order(number).shipments[1].line_items
        assert order.version < demo_services.get_order(number).version


async def test_shipment_edit_with_a_new_address_for_the_book_saves_once(app, demo_services, unpaid):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await show(pilot, unpaid)
        customer = screen.order.customer_id
        book = len(demo_services.get_customer(customer).addresses)
        await press(pilot, "2", "e")
        assert isinstance(app.screen, ShipmentEditScreen)
        await press(pilot, "f3")  # Add Address: empty fields
        assert app.focused.id == "f-name" and app.focused.value == ""
        for value in ("Ann Lee", "2 Elm St", "", "Springfield", "", "12345", "US", ""):
            await pilot.press(*value, "enter")
        assert app.focused.id == "method"
        await press(pilot, "shift+tab")  # back to the checkbox: its label stays in view
        assert "Add to customer's address book" in screen_text(app)
        await press(pilot, "space", "tab", "down", "down", "down", "down")
        methods = app.screen.query_one("#method")
        assert methods.highlighted == methods.option_count - 1, "the list does not wrap"
        assert "● " in str(methods.get_option_at_index(methods.highlighted).prompt)
        tick = app.screen.query_one("#add-to-book")
        assert tick.value and "✓" in tick.render().plain, "checked reads without colour"
        await press(pilot, "ctrl+s")
        shipment = demo_services.get_order(unpaid).shipments[0]
        assert shipment.shipping_address.line1 == "2 Elm St"
        assert shipment.shipping_method.code == screen.order.market.shipping_methods[-1].code
        assert len(demo_services.get_customer(customer).addresses) == book + 1
        history = demo_services.order_history(unpaid)
        assert history[-1].action == "edit shipment" and len(history) == 1

        await press(pilot, "e", "ctrl+s")  # saved as it is: nothing written, and said
        assert "Nothing changed" in "\n".join(str(n.message) for n in app._notifications)
        assert len(demo_services.order_history(unpaid)) == 1


async def test_notes_newest_first_and_inventory_checked_again(app, demo_services, unpaid):
    short = unpaid
    sku = demo_services.get_order(short).shipments[0].line_items[0].sku
    with demo_services.db.unit_of_work() as uow:  # the warehouse runs out of it
        uow.conn.execute(update(t.variants).where(t.variants.c.sku == sku).values(in_stock=0))
        uow.commit()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await show(pilot, short)
        for description, details in (("Called back", "wants express"), ("Emailed", "")):
            await press(pilot, "n", *description, "enter", *details, "ctrl+s")
        assert screen.tab == "notes"
        notes = screen_text(app)
        assert notes.index("Emailed") < notes.index("Called back") < notes.index("wants express")
        assert demo_services.get_order(short).notes[-1].created_by == "alice"

        await press(pilot, "p", "enter", "ctrl+s")  # paid in full; stock does not cover it
        assert "awaits inventory" in status_line(app)
        await press(pilot, "i")
        said = "\n".join(str(n.message) for n in app._notifications)
        assert "Stock does not cover shipment 1 yet: nothing changed." in said


async def test_another_agents_change_is_seen_while_the_agent_types(
    app, demo_services, demo_url, unpaid
):
    bob = Services(Database(demo_url), "bob", clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_details(pilot, unpaid)
        await press(pilot, "p", "enter")  # alice's own change is not news to her
        await press(pilot, "ctrl+s")
        await pilot.pause(2)
        assert "Changed by" not in status_line(app)

        await press(pilot, "n", *"Half a sen")
        bob.place_on_hold(unpaid, bob.get_order(unpaid).version)
        await pilot.pause(2)  # within two seconds, under the form and in a toast
        notice = "Changed by bob at 10:00 — F5 to reload"
        assert notice in text_of(screen.query_one("#status"))
        assert notice in "\n".join(str(n.message) for n in app._notifications)
        assert isinstance(app.screen, FormScreen), "what the agent types is left alone"
        assert app.screen.values()["description"] == "Half a sen"
        await press(pilot, "escape", "f5")
        assert screen.order.status is OrderStatus.ON_HOLD and "On hold" in status_line(app)

        bob.add_note(unpaid, "Customer called", "")
        await pilot.pause(2)
        assert "Note added by bob at 10:00 — F5 to reload" in status_line(app)
        await press(pilot, "escape")  # the list shows the order as it is now
        assert isinstance(app.screen, OrderListScreen)
        row = next(r for r in app.screen.query_one("#orders").rows_shown if r.number == unpaid)
        assert row.status is OrderStatus.ON_HOLD

        cart = demo_services.list_carts()[0]
        app.open_cart_details(cart.id)
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        bob.set_anonymous_contact(CartRef(cart.id), cart.version, "Walk-in caller", None)
        await pilot.pause(2)
        assert "Changed by bob at 10:00 — F5 to reload" in status_line(app)
        await press(pilot, "f5")
        assert "Walk-in caller" in text_of(app.screen.query_one("#contact"))
    bob.db.close()


async def test_a_cart_or_order_another_agent_removed_offers_nothing_more(
    app, demo_services, demo_url
):
    """Cart Details and the wizard of a cart that another agent converted: leaving the
    wizard does not claim the cart is saved, and Cart Details no longer offers Convert or
    Delete (which opened an empty wizard); the message does not name an internal id. Order
    Details of an order another agent deleted offers its tabs, not Payment or Hold."""
    bob = Services(Database(demo_url), "bob", clock=FixedClock())
    cart = next(c for c in demo_services.list_carts() if c.line_count == 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_cart_details(cart.id)
        await settle(pilot)
        details = app.screen
        assert isinstance(details, CartScreen)
        await press(pilot, "delete")
        assert isinstance(app.screen, ConfirmScreen) and "(1 item)?" in screen_text(app)
        await press(pilot, "escape")
        await press(pilot, "ctrl+s")  # Convert to Purchase Order: the wizard, this cart
        assert isinstance(app.screen, CreateOrderScreen)
        bob.delete_cart(cart.id, cart.version)  # as converting it would: the cart is gone
        await pilot.pause(2)
        assert "was deleted or made an order by another agent" in status_line(app)
        await press(pilot, "escape")
        assert app.screen is details
        await settle(pilot)
        toasts = "\n".join(str(n.message) for n in app._notifications)
        assert "saved under Carts" not in toasts
        assert "no longer exists" in status_line(app) and f"Cart {cart.id} " not in toasts
        shown = {b.binding.id for b in details.active_bindings.values() if b.enabled}
        assert {"cart.convert", "cart.delete"}.isdisjoint(shown)
        await press(pilot, "ctrl+s", "delete")
        assert app.screen is details, "nothing opens for a cart that is gone"

        number = first(demo_services, OrderStatus.IN_PROGRESS)
        screen = await show(pilot, number)
        bob.delete_orders({number: bob.get_order(number).version})
        await pilot.pause(2)
        assert "was deleted by another agent" in status_line(app)
        assert offered(screen) == {"refresh", "back", "next_tab", "previous_tab"} | {
            "summary",
            "form",
            "notes",
            "history",
        }
        await press(pilot, "p", "h")
        assert app.screen is screen, "no payment, no hold on an order that is gone"
    bob.db.close()


async def test_a_paid_order_made_cheaper_says_what_is_owed_back(app, demo_services):
    """A discount after payment leaves more paid than the total: the screen said "Balance
    due -61.12 USD"; it now says the order is overpaid and by how much."""
    number = first(
        demo_services,
        OrderStatus.IN_PROGRESS,
        lambda o: o.totals().balance_due == 0 and not o.discounts,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await show(pilot, number)
        # Nothing off yet: the discounts are 0.00, not minus zero.
        assert "Discounts" in text_of(screen.query_one("#summary-money"))
        assert "−0" not in text_of(screen.query_one("#summary-money"))
        await press(pilot, "2")
        assert " · Discounts 0" in text_of(screen.query_one("#form-totals"))
        await press(pilot, "d", "tab", *"50%", "ctrl+s")
        totals = demo_services.get_order(number).totals()
        over = f"{-totals.balance_due:,} {totals.currency.code}"
        assert totals.balance_due < 0
        shown = screen_text(app)
        assert "-" + over not in shown and "Balance due" not in shown
        assert f"Overpaid {over}" in text_of(screen.query_one("#form-totals"))
        assert f"Overpaid by {over}: a refund is due." in status_line(app)
        await press(pilot, "1")
        summary = text_of(screen.query_one("#summary-money"))
        assert "Overpaid" in summary and over in summary and "-" + over not in summary

        # A status longer than 80 columns is shown whole, on two lines (the order list's
        # one-line status style no longer reaches Order Details).
        screen.set_status(f"{number} " + "word " * 25 + "lastword")
        await pilot.pause()
        assert "lastword" in screen_text(app)


async def test_a_failed_payment_reads_as_failed_in_the_form_at_80_columns(app, demo_services):
    """The payment's status was in the item column, cut off at 80 columns: a failed payment
    looked like a second payment of the same amount."""
    number = first(
        demo_services,
        OrderStatus.COMPLETED,
        lambda o: [p.status for p in o.payments] == [PaymentStatus.FAILED, PaymentStatus.PROCESSED],
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show(pilot, number)
        await press(pilot, "2")
        payments = [line for line in screen_text(app).splitlines() if "Payment " in line]
        assert len(payments) == 2
        assert "Failed" in payments[0] and "Processed" in payments[1]


async def test_a_dialog_refused_as_stale_leaves_the_order_shown_as_it_now_is(
    app, demo_services, demo_url, unpaid
):
    """A payment saved from an older copy is refused in its dialog; the order under it was
    left as the agent first read it (still offering the payment) until F5."""
    bob = Services(Database(demo_url), "bob", clock=FixedClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await show(pilot, unpaid)
        await press(pilot, "p", "enter")
        assert isinstance(app.screen, FormScreen)
        bob.place_on_hold(unpaid, bob.get_order(unpaid).version)
        await press(pilot, "ctrl+s")
        assert "changed by bob" in text_of(app.screen.query_one("#form-error"))
        await press(pilot, "escape")
        assert screen.order.status is OrderStatus.ON_HOLD
        assert "add_payment" not in offered(screen) and "On hold" in status_line(app)
    bob.db.close()


async def test_reorder_of_items_no_longer_sold_shows_why_before_the_item_search(app, demo_services):
    """Reorder of an order whose only item is no longer sold: the item search opened over
    the wizard at once and hid the notice saying why the draft has no items."""
    number = first(demo_services, OrderStatus.COMPLETED, lambda o: o.line_count() == 1)
    sku = demo_services.get_order(number).shipments[0].line_items[0].sku
    with demo_services.db.unit_of_work() as uow:
        uow.conn.execute(update(t.variants).where(t.variants.c.sku == sku).values(is_sold=False))
        uow.commit()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show(pilot, number)
        await press(pilot, "o")
        wizard = app.screen
        assert isinstance(wizard, CreateOrderScreen) and wizard.step == "items"
        assert f"{sku} " in screen_text(app) and "is no longer available" in screen_text(app)
        assert wizard.cart.shipments[0].shipping_address is not None, "the address is kept"
        # The line above the step says where the draft is kept, whole at 80 columns.
        assert f"saved as cart 'Reorder of {number}'" in " ".join(screen_text(app).split())
        await press(pilot, "f6")  # the search when the agent asks for it
        assert isinstance(app.screen, LineItemSearchScreen)
