"""Every screen and modal, on a database full of hostile text (tests/hostile.py), on SQLite
and PostgreSQL: nothing crashes, the text reads literally, nothing of it is obeyed."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from csr_tui.app import CsrApp
from csr_tui.screens.cart import CartScreen
from csr_tui.screens.carts import CartsScreen
from csr_tui.screens.choice_filter import ChoiceFilterScreen
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.create_order import CreateOrderScreen
from csr_tui.screens.date_filter import DateFilterScreen
from csr_tui.screens.form import FormScreen
from csr_tui.screens.help import HelpScreen
from csr_tui.screens.keep_or_discard import KeepOrDiscardScreen
from csr_tui.screens.line_item_search import LineItemSearchScreen
from csr_tui.screens.order_details import OrderDetailsScreen
from csr_tui.screens.order_details.shipment_menu import ShipmentMenuScreen
from csr_tui.screens.pick_one import PickOneScreen
from csr_tui.screens.shipment_edit import ShipmentEditScreen
from tests.hostile import PAYLOADS, PWNED_SCREENSHOT
from tests.tui.conftest import settle, text_of, type_text
from tests.tui.rendered import assert_shown_safely, screen_strips, screen_text, shown_text

SIZE = (120, 40)


async def back(pilot) -> None:
    await pilot.press("escape")
    await settle(pilot)


async def test_order_list_search_and_filters(hostile_app, hostile):
    app = hostile_app
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert_shown_safely(app, hostile.all_keys)
        on_screen = screen_text(app)
        assert all(key in on_screen for key in hostile.all_keys), "every row is on the screen"

        await type_text(pilot, "Lee [")
        assert_shown_safely(app, ["Lee [/]", "Lee [old account]"])
        assert app.screen.query_one("#orders").row_count == 2
        for row in (0, 1):  # below the list (too narrow for every column): the row, whole
            app.screen.query_one("#orders").move_cursor(row=row)
            await settle(pilot, 1)
            shown = app.screen.query_one("#orders").rows_shown[row]
            detail = text_of(app.screen.query_one("#detail"))
            assert hostile.shown(shown.customer_name) in detail
            assert_shown_safely(app, [hostile.shown(shown.customer_name)])
        await pilot.press("ctrl+a", "ctrl+k", *"[/]zz")
        await settle(pilot)
        assert_shown_safely(app, ["No orders match “[/]zz”."])
        await pilot.press("ctrl+a", "ctrl+k")

        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceFilterScreen)
        assert_shown_safely(app, hostile.keys("SELECT name FROM markets"))
        await back(pilot)

        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, DateFilterScreen)
        app.screen.query_one("#start").focus()
        await pilot.press(*"[/]", "tab", *"[b]x", "enter")
        await settle(pilot)
        assert_shown_safely(app, ["'[/]' is not a date"])
        await back(pilot)


async def open_showcase(pilot) -> OrderDetailsScreen:
    """The newest order: every payload is among its lines and notes."""
    await pilot.press("enter")  # from the search field to the list
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, OrderDetailsScreen)
    return pilot.app.screen


async def test_order_details_its_tabs_and_its_dialogs(hostile_app, hostile):
    app = hostile_app
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        details = await open_showcase(pilot)
        number = details.number
        on_order = "FROM orders WHERE number = :n"
        assert_shown_safely(
            app,
            [
                key
                for column in ("customer_name", "customer_email", "created_by", "name")
                for key in hostile.keys(f"SELECT {column} {on_order}", n=number)
            ],
        )
        seen = ""
        for tab in ("2", "3", "4", "1"):  # each tab is safe; together they show everything
            await pilot.press(tab)
            await settle(pilot)
            assert_shown_safely(app)
            seen += shown_text(app)
            if tab == "4":
                history = text_of(details.query_one("#history-list"))
        assert [k for k in hostile.all_keys if k not in seen] == []
        notes = len(hostile.services.get_order(number).notes)
        assert history.count(" · add note") == notes, "a record per note, by its hostile agent"

        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PickOneScreen)
        assert_shown_safely(
            app, hostile.keys("SELECT name FROM payment_methods WHERE market_code = 'US'")
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)  # its title names the hostile method
        assert_shown_safely(
            app,
            hostile.keys(
                "SELECT name FROM payment_methods WHERE market_code = 'US' "
                "ORDER BY position LIMIT 1"
            ),
        )
        await back(pilot)

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert_shown_safely(app)
        await back(pilot)

        await pilot.press("2", "m")  # shipment 1: its options menu
        await settle(pilot)
        assert isinstance(app.screen, ShipmentMenuScreen)
        assert_shown_safely(app, [f"Shipment 1 of {number}", "Edit"])
        await back(pilot)

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ShipmentEditScreen)
        shipment = (
            "FROM shipments JOIN orders ON orders.id = shipments.order_id "
            "WHERE orders.number = :n AND shipments.number = 1"
        )
        book = (
            "FROM customer_addresses JOIN orders ON orders.customer_id = "
            "customer_addresses.customer_id WHERE orders.number = :n"
        )
        assert_shown_safely(
            app,
            hostile.keys(f"SELECT address_name {shipment}", n=number)
            + hostile.keys(f"SELECT address_line1 {shipment}", n=number)
            + hostile.keys(f"SELECT line1 {book}", n=number)
            + hostile.keys("SELECT name FROM shipping_methods WHERE market_code = 'US'"),
        )
        await pilot.press("ctrl+s")  # the stored address is refused, nothing is saved
        await settle(pilot)
        assert isinstance(app.screen, ShipmentEditScreen)
        assert_shown_safely(app)
        await back(pilot)

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, LineItemSearchScreen)
        await type_text(pilot, "Lee")
        assert_shown_safely(app, ["Lee [/]", "Lee [old account]"])
        await pilot.press("enter", "f2")  # the first result, chosen; more details
        await settle(pilot)
        chosen = app.screen.chosen
        assert chosen is not None
        assert_shown_safely(
            app, [hostile.shown(chosen.description)[:10], hostile.shown(chosen.product_url)[:10]]
        )
        await pilot.press("escape")  # chosen, not added: the question names it
        await settle(pilot)
        assert isinstance(app.screen, KeepOrDiscardScreen)
        assert_shown_safely(app, [hostile.shown(chosen.name)[:10]])
        await pilot.press("d")  # discarded, and the search closed
        await settle(pilot)
        assert app.screen is details

        await pilot.press("down", "enter")  # a line: its title is the hostile SKU and name
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        line = details.order.shipments[0].line_items[0]
        assert_shown_safely(app, [hostile.shown(line.sku)[:10]])
        await pilot.press("f1")  # the help names the dialog by its title
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert_shown_safely(app, [hostile.shown(line.sku)[:10]])
        await back(pilot)
        await back(pilot)

        details.form.table.move_cursor(
            row=next(i for i, r in enumerate(details.form.rows) if r.kind == "discount")
        )
        await pilot.press("delete")  # a discount: its removal names it
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        discount = details.order.discounts[0]
        assert_shown_safely(app, [hostile.shown(discount.description)[:10]])
        await back(pilot)

        for key, dialog in (("c", ConfirmScreen), ("d", FormScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, dialog)
            assert_shown_safely(
                app,
                hostile.keys(f"SELECT customer_name {on_order}", n=number)
                if dialog is ConfirmScreen
                else (),
            )
            await back(pilot)
        assert hostile.services.get_order(number).version == details.order.version


async def test_carts_cart_details_and_every_step_of_the_create_order_wizard(hostile_app, hostile):
    app = hostile_app
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, CartsScreen)
        assert_shown_safely(
            app,
            hostile.keys("SELECT name FROM carts")
            + hostile.keys("SELECT customer_name FROM carts"),
        )
        cart = app.screen.current
        assert cart is not None
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert_shown_safely(app, [hostile.shown(cart.name)[:10]])
        await back(pilot)

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        cart_sql = "FROM carts WHERE id = :id"
        lines_sql = (
            "SELECT line_items.name FROM line_items JOIN shipments "
            "ON shipments.id = line_items.shipment_id WHERE shipments.cart_id = :id"
        )
        ship_to_sql = "SELECT address_line1 FROM shipments WHERE cart_id = :id"
        contact = hostile.keys(f"SELECT customer_name {cart_sql}", id=cart.id) + hostile.keys(
            f"SELECT customer_email {cart_sql}", id=cart.id
        )
        assert_shown_safely(app, contact + hostile.keys(lines_sql, id=cart.id))
        assert hostile.shown(cart.name)[:10] in screen_text(app), "the header names the cart"

        await pilot.press("ctrl+s")  # Convert to Purchase Order: the wizard, filled in
        await settle(pilot)
        wizard = app.screen
        assert isinstance(wizard, CreateOrderScreen) and wizard.step == "shipment"
        methods = hostile.keys("SELECT name FROM shipping_methods WHERE market_code = 'US'")
        assert_shown_safely(app, hostile.keys(ship_to_sql, id=cart.id) + methods)
        assert hostile.shown(cart.name)[:10] in screen_text(app), "the header names the cart"
        await pilot.press("f5")  # the address book
        await settle(pilot)
        assert isinstance(app.screen, ShipmentEditScreen)
        assert_shown_safely(
            app,
            hostile.keys(
                "SELECT line1 FROM customer_addresses WHERE customer_id = "
                f"(SELECT customer_id {cart_sql})",
                id=cart.id,
            ),
        )
        await back(pilot)

        await pilot.press("shift+tab")  # 2 Customer: the customer, and matches as typed
        await settle(pilot)
        assert wizard.step == "customer"
        assert_shown_safely(app, contact)
        await type_text(pilot, "Lee [")
        assert_shown_safely(app, ["Lee [/]", "Lee [old account]"])
        await pilot.press("ctrl+a", "ctrl+k", *"[/]zz")
        await settle(pilot)
        assert_shown_safely(app, ["No customer matches '[/]zz'"])
        await pilot.press("escape")  # clears what was typed
        for key in ("f3", "f4"):  # Create Contact; no customer account
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, FormScreen)
            assert_shown_safely(app)
            await back(pilot)
        await pilot.press("shift+tab")  # 1 Market: fixed, by its (hostile) name
        await settle(pilot)
        assert wizard.step == "market"
        assert_shown_safely(app, hostile.keys("SELECT name FROM markets WHERE code = 'US'"))

        await pilot.press("enter", "enter")  # on to the shipment
        await settle(pilot)
        await pilot.press("enter")  # its method: on to the items, the cart's lines
        await settle(pilot)
        assert wizard.step == "items"
        assert_shown_safely(app, hostile.keys(lines_sql, id=cart.id))
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, LineItemSearchScreen)
        await type_text(pilot, "Lee")
        assert_shown_safely(app, ["Lee [/]", "Lee [old account]"])
        await back(pilot)

        await pilot.press("enter")  # 5 Review: everything, and a coupon refused
        await settle(pilot)
        assert wizard.step == "review"
        assert_shown_safely(app, contact + hostile.keys(lines_sql, id=cart.id) + methods[:1])
        await pilot.press(*"[/]x", "enter")
        await settle(pilot)
        assert_shown_safely(app, ["There is no coupon [/]X."])

        await back(pilot)  # a cart converted, not created here: back, saved, said so
        assert isinstance(app.screen, CartScreen)
        assert_shown_safely(app, [f"Cart '{hostile.shown(cart.name)[:10]}"])
        await back(pilot)

        await pilot.press("ctrl+n")  # 1 Market of a new order: every market, by name
        await settle(pilot)
        assert isinstance(app.screen, CreateOrderScreen)
        assert_shown_safely(app, hostile.keys("SELECT name FROM markets"))


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_click_on_hostile_text_runs_no_action(hostile_app, hostile):
    app = hostile_app
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#orders")
        for payload in (PAYLOADS[1], PAYLOADS[2]):  # [@click=app.quit], [@click=app.screenshot]
            x, y = find_on_screen(app, payload.key)
            await pilot.click(offset=(x + 1, y))
            await settle(pilot)
            assert app.is_running and app.return_code is None
            assert not PWNED_SCREENSHOT.exists()
            row = table.rows_shown[table.cursor_row]
            assert payload.stored in (row.customer_name, row.customer_email), "it chose the row"
            await pilot.press("escape")  # a second click on a row opens the order
            await settle(pilot)


def find_on_screen(app: CsrApp, needle: str) -> tuple[int, int]:
    for y, strip in enumerate(screen_strips(app)):
        index = strip.text.find(needle)
        if index >= 0:
            return cell_len(strip.text[:index]), y
    raise AssertionError(f"{needle!r} is not on the screen")
