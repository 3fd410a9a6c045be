"""Creating orders (the cart wizard), carts, order details and reorder, from the keyboard."""

from __future__ import annotations

from textual.events import Paste

from csr_tui.domain import OrderStatus
from csr_tui.screens.cart import CartScreen
from csr_tui.screens.carts import CartsScreen
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.form import FormScreen
from csr_tui.screens.line_item_search import LineItemSearchScreen
from csr_tui.screens.order_details import OrderDetailsScreen
from csr_tui.screens.order_list import OrderListScreen
from csr_tui.screens.shipment_edit import ShipmentEditScreen
from tests.tui.conftest import settle, text_of, type_text
from tests.tui.rendered import assert_shown_safely, screen_text


async def new_order_in(pilot, market: str = "US") -> None:
    await pilot.press("ctrl+n")
    await settle(pilot)
    options = pilot.app.screen.query_one("OptionList")
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == market
    )
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CartScreen)


async def test_create_an_order_from_the_keyboard(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await new_order_in(pilot)
        assert app.focused.id == "customer", "a new order starts at the customer field"
        await type_text(pilot, "mercy tay")
        await pilot.press("enter")
        await settle(pilot)
        assert "Mercy Taylor" in text_of(app.screen.query_one("#contact"))
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, ShipmentEditScreen)
        await pilot.press("ctrl+s")  # the customer's address is already filled in
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, LineItemSearchScreen)
        await type_text(pilot, "dress")
        await pilot.press("enter")  # to the results
        await settle(pilot)
        await pilot.press("enter")  # choose the first variant: price filled in
        await settle(pilot)
        await pilot.press("backspace", "3", "enter", "enter")  # quantity 3, then add
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen.query_one("#lines").rows) == 1, "the added line is shown"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailsScreen)
        number = app.screen.number
        order = demo_services.get_order(number)
        assert order.status is OrderStatus.IN_PROGRESS
        assert order.customer_name == "Mercy Taylor" and order.created_by == "alice"
        line = order.shipments[0].line_items[0]
        assert "dress" in line.name.lower() and line.quantity == 3
        assert order.shipments[0].shipping_method is not None
        assert number in text_of(app.screen.query_one("#summary-facts"))


async def test_create_order_refuses_an_incomplete_cart_and_keeps_it(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        carts_before = len(demo_services.list_carts())
        await new_order_in(pilot, "JP")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert "Choose a customer" in text_of(app.screen.query_one("#status"))
        assert len(demo_services.list_carts()) == carts_before + 1


async def test_new_contact_errors_appear_at_the_field(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await new_order_in(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        await type_text(pilot, "Ann")
        await pilot.press("enter", "enter")  # skip last name
        await type_text(pilot, "ann@nowhere")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = app.screen.query_one("#e-email")
        assert error.display and "is not an email" in text_of(error)
        assert app.focused.id == "f-email"
        assert demo_services.search_customers("ann@nowhere") == []
        await pilot.press("end", *".com")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert "Ann" in text_of(app.screen.query_one("#contact"))
        assert [c.email for c in demo_services.search_customers("ann@nowhere")] == [
            "ann@nowhere.com"
        ]


async def test_order_without_a_customer_account(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await new_order_in(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await type_text(pilot, "Walk-in caller")
        await pilot.press("enter")
        await type_text(pilot, "walkin@example.net")
        await pilot.press("ctrl+s")
        await settle(pilot)
        contact = text_of(app.screen.query_one("#contact"))
        assert "Walk-in caller" in contact and "no account" in contact


async def test_carts_open_and_delete(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, CartsScreen)
        carts = demo_services.list_carts()
        assert len(app.screen.carts) == len(carts) > 0
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert len(demo_services.list_carts()) == len(carts) - 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert app.screen.cart is not None and app.screen.cart.id == carts[1].id


async def test_reorder_from_order_details(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Taylor Hayes")
        source = app.screen.query_one("#orders").rows_shown[0]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailsScreen)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        cart = app.screen.cart
        original = demo_services.get_order(source.number)
        assert cart.customer_name == "Taylor Hayes"
        kept = {li.sku for s in cart.shipments for li in s.line_items}
        assert kept <= {li.sku for s in original.shipments for li in s.line_items}
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)


async def test_a_pasted_escape_sequence_is_shown_as_placeholders_and_refused(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await new_order_in(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert app.focused.id == "f-name"
        app.focused.post_message(Paste("Ann\x1b]0;pwned\x07 Lee"))
        await settle(pilot)
        assert app.focused.value == "Ann\x1b]0;pwned\x07 Lee", "kept as pasted"
        assert "Ann␛]0;pwned␇ Lee" in screen_text(app), "shown, not obeyed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen), "nothing was saved"
        error = app.screen.query_one("#e-name")
        assert error.display and "The name cannot contain control characters" in text_of(error)
        assert_shown_safely(app, ["remove ␛", "(U+001B) ␇ (U+0007)."])
