"""The create-order wizard from the keyboard: the phone order in its steps, new customers,
guests, address books, items, Reorder and Convert to Purchase Order, and leaving with
nothing half-made."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from textual.events import Paste
from textual.widgets import Checkbox, Input
from textual.worker import WorkerCancelled

from csr_tui import app as app_module
from csr_tui.app import CsrApp
from csr_tui.data import tables as t
from csr_tui.domain import OrderStatus
from csr_tui.screens.cart import CartScreen
from csr_tui.screens.carts import CartsScreen
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.create_order import CreateOrderScreen
from csr_tui.screens.form import FormScreen
from csr_tui.screens.keep_or_discard import KeepOrDiscardScreen
from csr_tui.screens.line_item_search import LineItemSearchScreen
from csr_tui.screens.order_details import OrderDetailsScreen
from csr_tui.screens.order_list import OrderListScreen
from csr_tui.screens.shipment_edit import ShipmentEditScreen
from tests.conftest import FixedClock
from tests.tui.conftest import settle, text_of, type_text
from tests.tui.rendered import assert_shown_safely, screen_text

SKU = "SKU-92020353"  # Classic Burgundy Dress, XS: in stock in the demo data


def wizard(app) -> CreateOrderScreen:
    screen = app.screen
    assert isinstance(screen, CreateOrderScreen), type(screen).__name__
    return screen


def step_text(app) -> str:
    return text_of(app.screen.query_one("#steps"))


async def press(pilot, *keys: str) -> None:
    """Press, then wait until the app is quiet: no worker running over two short pauses."""
    await pilot.press(*keys)
    quiet = 0
    while quiet < 2:
        await pilot.pause(0.03)
        running = [w for w in pilot.app.workers if w.is_running]
        quiet = 0 if running else quiet + 1
        for worker in running:
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()


async def to_customer_step(pilot, market: str | None = None) -> CreateOrderScreen:
    await press(pilot, "ctrl+n")
    if market is not None:
        await type_text(pilot, market)
    await press(pilot, "enter")
    screen = wizard(pilot.app)
    assert screen.step == "customer"
    return screen


async def test_the_standard_phone_order_takes_eight_keys_beyond_the_typing(app, demo_services):
    """Existing customer by 4 typed characters, the default address, one SKU, quantity 2."""
    carts_before = len(demo_services.list_carts())
    keys = 0
    previous: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key_presses, typed in (
            (["ctrl+n"], False),  # the market step, the last used market highlighted
            (["enter"], False),  # take it
            (list("merc"), True),
            (["enter"], False),  # the first match, Mercy Reed; on to the shipment
            (["enter"], False),  # her address, the first method; on to the items
            (list(SKU), True),  # the line-item search is open already
            (["enter"], False),  # the match; on to the quantity
            (["2"], True),
            (["enter"], False),  # add the line
            (["escape"], False),  # close the search
            (["ctrl+s"], False),  # create the order
        ):
            await press(pilot, *key_presses)
            keys += 0 if typed else len(key_presses)
            if previous == ["2"]:
                # The popup says what went in on its own line, under nothing, and is ready
                # for the next item.
                said = text_of(app.screen.query_one("#chosen"))
                assert said.startswith(f"Added: 2 × {SKU}  Classic Burgundy Dress"), said
                assert app.screen.query_one("#f-variant").has_focus
                assert not app._notifications, "no toast over the popup"
            previous = key_presses
        assert isinstance(app.screen, OrderDetailsScreen)
        order = demo_services.get_order(app.screen.number)
        status = text_of(app.screen.query_one("#status"))
        assert status.startswith(f"Order {order.number} created. ") and "P adds a payment" in status
    assert keys == 8
    assert (order.customer_name, order.market.code, order.status) == (
        "Mercy Reed",
        "US",
        OrderStatus.IN_PROGRESS,
    )
    shipment = order.shipments[0]
    assert shipment.shipping_address == demo_services.get_customer(order.customer_id).ship_to()
    assert shipment.shipping_method == order.market.shipping_methods[0]
    assert [(li.sku, li.quantity) for li in shipment.line_items] == [(SKU, 2)]
    assert len(demo_services.list_carts()) == carts_before, "the cart became the order"


async def test_a_new_customer_is_checked_field_by_field_and_fills_the_shipment(app, demo_services):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await to_customer_step(pilot, "ger")
        await press(pilot, "f3")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-country", Input).value == "DE", "the market's country"
        await type_text(pilot, "Jonas")
        await press(pilot, "enter", "enter")
        await type_text(pilot, "jonas@example")
        await press(pilot, "tab")  # leaving the field checks it (by Tab as by Enter)
        assert "is not an email" in text_of(app.screen.query_one("#e-email"))
        assert app.focused.id == "f-phone"
        await press(pilot, "escape")  # closed unsaved: what was typed is kept
        await press(pilot, "f3")
        assert app.screen.query_one("#f-email", Input).value == "jonas@example"
        app.screen.query_one("#f-line1", Input).value = "Hauptstr. 1"
        app.screen.query_one("#f-country", Input).value = "XX"
        await press(pilot, "ctrl+s")
        errors = {
            name: text_of(app.screen.query_one(f"#e-{name}"))
            for name in ("email", "city", "postal_code", "country")
        }
        assert "is not an email" in errors["email"] and "needs city" in errors["city"]
        assert "needs postal code" in errors["postal_code"] and "'XX'" in errors["country"]
        assert app.focused.id == "f-email", "the first problem has the focus"
        assert demo_services.search_customers("jonas@") == [], "nothing saved"
        form = app.screen
        form.query_one("#f-email", Input).value = "jonas@example.de"
        form.query_one("#f-city", Input).value = "Berlin"
        form.query_one("#f-postal_code", Input).value = "10115"
        form.query_one("#f-country", Input).value = "de"
        await press(pilot, "ctrl+s")
        screen = wizard(app)
        assert screen.step == "shipment"
        shipment = screen.cart.shipments[0]
        assert (shipment.shipping_address.name, shipment.shipping_address.country) == (
            "Jonas",
            "DE",
        )
        assert "Jonas" in text_of(screen.query_one("#summary"))
        await press(pilot, "shift+tab")  # back to the customer: still chosen
        assert screen.step == "customer"
        assert "Jonas · jonas@example.de" in text_of(screen.query_one("#customer-current"))
        await press(pilot, "enter")  # nothing typed: keep the customer, on
        assert screen.step == "shipment"
    assert [c.name for c in demo_services.search_customers("jonas@example.de")] == ["Jonas"]


async def test_a_guest_order_with_a_new_address_and_refused_item_values(app, demo_services):
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = await to_customer_step(pilot)
        await type_text(pilot, "Walk-in caller")
        await press(pilot, "f4")  # one key: the name typed is there
        assert app.screen.query_one("#f-name", Input).value == "Walk-in caller"
        await press(pilot, "enter")
        await type_text(pilot, "walkin@example.net")
        await press(pilot, "ctrl+s")
        assert screen.step == "shipment" and screen.cart.is_anonymous
        await press(pilot, "down", "enter")  # the second method: no address yet, so the editor
        assert isinstance(app.screen, ShipmentEditScreen)
        assert app.screen.query_one("#add-to-book", Checkbox).disabled, "no account, no book"
        assert app.screen.query_one("#f-name", Input).value == "Walk-in caller", "filled in"
        assert app.screen.query_one("#f-country", Input).value == "US"
        for name, value in (("line1", "1 Pier Rd"), ("city", "Portland"), ("postal_code", "97201")):
            app.screen.query_one(f"#f-{name}", Input).value = value
        await press(pilot, "ctrl+s")
        assert screen.step == "items" and isinstance(app.screen, LineItemSearchScreen)
        shipment = screen.cart.shipments[0]
        assert shipment.shipping_address.city == "Portland"
        assert shipment.shipping_method == screen.cart.market.shipping_methods[1]

        await type_text(pilot, SKU)
        await press(pilot, "enter")
        await press(pilot, "0", "enter")
        assert "of 1 or more" in text_of(app.screen.query_one("#e-quantity"))
        await press(pilot, "ctrl+a", "ctrl+k", "1", "tab", *"abc", "enter")
        assert "abc" in text_of(app.screen.query_one("#e-price"))
        assert screen.cart.line_count() == 0, "nothing was added"
        await press(pilot, "escape")  # a chosen item is not lost without a word
        assert isinstance(app.screen, KeepOrDiscardScreen)
        assert f"1 × {SKU}" in app.screen.question
        await press(pilot, "escape")  # continue: back in the search, the item still chosen
        assert isinstance(app.screen, LineItemSearchScreen) and app.screen.chosen is not None
        app.screen.query_one("#f-price", Input).value = "80.00"
        await press(pilot, "escape", "enter")  # "Add it", and close
        assert isinstance(app.screen, CreateOrderScreen)
        line = screen.cart.shipments[0].line_items[0]
        assert (line.sku, line.quantity, str(line.placed_price)) == (SKU, 1, "80.00")
        await press(pilot, "e")  # change the line: quantity 3
        await press(pilot, "3", "ctrl+s")
        assert screen.cart.shipments[0].line_items[0].quantity == 3
        await press(pilot, "enter")  # on to the review
        assert screen.step == "review"
        review = screen_text(app)
        assert "Walk-in caller" in review and "no customer account" in review
        assert "must be paid before it can be released" in review
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, OrderDetailsScreen)
        order = demo_services.get_order(app.screen.number)
    assert order.is_anonymous and order.customer_email == "walkin@example.net"
    assert order.shipments[0].line_items[0].quantity == 3


async def test_the_address_book_a_new_address_and_a_second_shipment(app, demo_services):
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = await to_customer_step(pilot)
        await type_text(pilot, "mercy tay")
        await press(pilot, "enter")
        customer_id = screen.cart.customer_id
        await press(pilot, "f5")
        editor = app.screen
        assert isinstance(editor, ShipmentEditScreen)
        assert "5306 Maple Rd" in editor.query_one("#book").get_option_at_index(0).prompt.plain
        for name, value in (("line1", "9 Elm St"), ("city", "Dover"), ("postal_code", "19901")):
            editor.query_one(f"#f-{name}", Input).value = value
        editor.query_one("#add-to-book", Checkbox).value = True
        await press(pilot, "ctrl+s")
        assert screen.cart.shipments[0].shipping_address.line1 == "9 Elm St"
        book = demo_services.get_customer(customer_id).addresses
        assert [a.line1 for a in book] == ["5306 Maple Rd", "9 Elm St"]
        await press(pilot, "f7")  # a second shipment: it needs an address, it is highlighted
        assert len(screen.cart.shipments) == 2
        assert "shipment 2" in text_of(screen.query_one("#method-title"))
        await press(pilot, "enter")  # the method chosen; the address is asked for
        editor = app.screen
        assert isinstance(editor, ShipmentEditScreen)
        await press(pilot, "enter")  # the first address of the book, copied in
        assert editor.query_one("#f-line1", Input).value == "5306 Maple Rd"
        await press(pilot, "ctrl+s")
        assert screen.step == "items"
        assert screen.cart.shipments[1].shipping_address.line1 == "5306 Maple Rd"
        await press(pilot, "escape")  # no items yet: close the search
        await press(pilot, "shift+tab")
        await press(pilot, "tab")  # to the shipments, the second one still highlighted
        await press(pilot, "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "enter")
        assert [s.number for s in screen.cart.shipments] == [1]


async def test_leaving_keeps_discards_or_continues_and_leaves_nothing_half_made(app, demo_services):
    """And the market: the agent's last used comes first; typing filters; once the order
    has content it is fixed."""
    carts = len(demo_services.list_carts())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await to_customer_step(pilot)
        await press(pilot, "escape")  # nothing entered: nothing asked, nothing left
        assert isinstance(app.screen, OrderListScreen)
        assert len(demo_services.list_carts()) == carts

        for answer in ("d", "enter"):  # discard (after a "continue"), then keep as cart
            screen = await to_customer_step(pilot, "jap")
            assert screen.cart.market.code == "JP"
            await type_text(pilot, "mercy tay")
            await press(pilot, "enter")
            assert len(demo_services.list_carts()) == carts + 1, "saved once it has a customer"
            await press(pilot, "shift+tab", "shift+tab")
            assert screen.step == "market" and "fixed" in screen_text(app)
            await press(pilot, "escape")
            assert isinstance(app.screen, KeepOrDiscardScreen)
            await press(pilot, "escape")  # continue
            assert app.screen is screen
            await press(pilot, "escape", answer)
            assert isinstance(app.screen, OrderListScreen)
            assert len(demo_services.list_carts()) == carts + (answer == "enter")
        kept = demo_services.list_carts()[0]
        assert (kept.customer_name, kept.market_code) == ("Mercy Taylor", "JP")

        await press(pilot, "ctrl+n")  # the kept cart was alice's last use: Japan first
        options = app.screen.query_one("#markets")
        assert options.get_option_at_index(options.highlighted).id == "JP"
        await type_text(pilot, "king")
        assert [options.get_option_at_index(0).id, options.option_count] == ["GB", 1]
        await press(pilot, "enter")
        await type_text(pilot, "mercy tay")
        await press(pilot, "enter", "enter")  # the customer, the shipment: the item search
        await type_text(pilot, SKU)
        await press(pilot, "enter")
        await press(pilot, "ctrl+q")  # quitting asks, and names the item not added
        assert isinstance(app.screen, KeepOrDiscardScreen)
        assert f"1 × {SKU} Classic Burgundy Dress, XS, chosen but not added" in app.screen.question
        await press(pilot, "escape")
        assert isinstance(app.screen, LineItemSearchScreen) and app.is_running
        await press(pilot, "ctrl+q", "d")
        assert not app.is_running
    assert len(demo_services.list_carts()) == carts + 1, "discarded on quitting"


async def test_reorder_and_convert_to_purchase_order_enter_the_wizard_filled_in(app, demo_services):
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Taylor Hayes")
        source = app.screen.query_one("#orders").rows_shown[0].number
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, OrderDetailsScreen)
        retired = demo_services.get_order(source).shipments[0].line_items[0]
        with demo_services.db.unit_of_work() as uow:
            uow.conn.execute(
                t.variants.update().where(t.variants.c.sku == retired.sku).values(is_sold=False)
            )
            uow.commit()
        await press(pilot, "ctrl+r")
        screen = wizard(app)
        assert screen.step == "review" and screen.cart.customer_name == "Taylor Hayes"
        assert f"{retired.sku} ({retired.name}) is no longer available" in screen_text(app)
        assert retired.sku not in {li.sku for s in screen.cart.shipments for li in s.line_items}
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, OrderDetailsScreen) and app.screen.number != source
        await press(pilot, "escape", "escape", "escape")
        assert isinstance(app.screen, OrderListScreen)

        await press(pilot, "f7")
        assert isinstance(app.screen, CartsScreen)
        cart = app.screen.current
        await press(pilot, "enter")
        assert isinstance(app.screen, CartScreen)
        assert cart.customer_name in screen_text(app)
        await press(pilot, "ctrl+s")  # Convert to Purchase Order: the steps, filled in
        screen = wizard(app)
        assert screen.cart.id == cart.id and screen.cart.line_count() == cart.line_count
        assert screen.step == "shipment", "the web shop's cart has no address: its step first"
        await press(pilot, "enter")  # the method, then the address: from the book
        assert isinstance(app.screen, ShipmentEditScreen)
        await press(pilot, "enter", "ctrl+s")
        assert screen.step == "items" and screen.missing() is None
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, OrderDetailsScreen)
        order = demo_services.get_order(app.screen.number)
        assert order.customer_name == cart.customer_name
        await press(pilot, "escape")
        assert isinstance(app.screen, CartsScreen), "Cart Details of the converted cart closed"
        assert cart.id not in [c.id for c in app.screen.carts]


async def test_carts_open_and_delete(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f7")
        carts = demo_services.list_carts()
        await press(pilot, "enter")
        assert isinstance(app.screen, CartScreen) and app.screen.cart.id == carts[0].id
        await press(pilot, "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "enter")
        assert isinstance(app.screen, CartsScreen)
        assert [c.id for c in demo_services.list_carts()] == [c.id for c in carts[1:]]


async def test_a_pasted_escape_sequence_is_shown_as_placeholders_and_refused(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await to_customer_step(pilot)
        await press(pilot, "f4")
        assert app.focused.id == "f-name"
        app.focused.post_message(Paste("Ann\x1b]0;pwned\x07 Lee"))
        await settle(pilot)
        assert app.focused.value == "Ann\x1b]0;pwned\x07 Lee", "kept as pasted"
        assert "Ann␛]0;pwned␇ Lee" in screen_text(app), "shown, not obeyed"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, FormScreen), "nothing was saved"
        error = app.screen.query_one("#e-name")
        assert error.display and "The name cannot contain control characters" in text_of(error)
        assert_shown_safely(app, ["remove ␛", "(U+001B) ␇ (U+0007)."])


async def test_the_next_order_is_built_in_a_pause_and_starts_empty(demo_services, monkeypatch):
    """In a pause the app builds the next new order's screen ahead; Ctrl+N shows that one,
    from the market on, with nothing of the order taken before it; nothing is saved by a
    wizard built and never used."""
    monkeypatch.setattr(app_module, "IDLE_WORK_FROM", 0.05)
    monkeypatch.setattr(app_module, "IDLE_SECONDS", 0.1)
    monkeypatch.setattr(app_module, "IDLE_TICK", 0.1)
    app = CsrApp(
        services=demo_services,
        clock=FixedClock(),
        keymap_file=Path("/nonexistent"),
        prepare_ahead=True,
    )
    carts_before = len(demo_services.list_carts())

    async def built_ahead() -> tuple[CreateOrderScreen, LineItemSearchScreen, OrderDetailsScreen]:
        for _ in range(400):
            await pilot.pause(0.05)
            spare, popup = app._spare_wizard, app._spare_item_search
            details = app._spare_order_details
            if spare is not None and spare.is_mounted and spare.markets and popup and details:
                return spare, popup, details
        raise AssertionError("no wizard was built in the pause")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first, popup, details = await built_ahead()
        assert len(demo_services.list_carts()) == carts_before, "building saves nothing"
        await press(pilot, "ctrl+n")
        assert wizard(app) is first and first.step == "market"
        await press(pilot, "enter")
        await type_text(pilot, "merc")
        await press(pilot, "enter", "enter")  # Mercy Reed; her address, the first method
        # The item search built ahead, now this order's: its title, its market's currency.
        assert app.screen is popup
        assert "Add line items to shipment 1" in screen_text(app)
        assert popup.query_one("#f-price", Input).placeholder == "in USD"
        await type_text(pilot, SKU)
        await press(pilot, "enter", "2", "enter", "escape", "ctrl+s")
        assert app.screen is details  # built ahead, now the new order's
        order = demo_services.get_order(details.number)
        assert order.customer_name == "Mercy Reed" and order.market.code == "US"
        assert [(li.sku, li.quantity) for li in order.shipments[0].line_items] == [(SKU, 2)]
        shown = screen_text(app)
        assert f"Order Details — {order.number}" in shown and "Mercy Reed" in shown
        assert f"Order {order.number} created." in shown
        await press(pilot, "escape")
        assert isinstance(app.screen, OrderListScreen)

        second, second_popup, second_details = await built_ahead()
        assert second is not first and second_popup is not popup and second_details is not details
        await press(pilot, "ctrl+n")
        assert wizard(app) is second and second.step == "market"
        assert second.draft is None and second.cart is None
        assert "No customer yet" not in screen_text(app)  # the market step, not a later one
        await press(pilot, "enter")
        assert second.step == "customer"
        assert second.query_one("#customer-search", Input).value == ""
        assert "No customer yet." in text_of(second.query_one("#customer-current"))
        assert second.query_one("#lines").row_count == 0
        await press(pilot, "escape", "escape")  # the customer step, the market step: out
        assert isinstance(app.screen, OrderListScreen)
        await type_text(pilot, order.number)
        await press(pilot, "enter")  # one match: Order Details, the one built ahead, shows it
        assert app.screen is second_details
        assert f"Order Details — {order.number}" in screen_text(app)
        assert "created" not in text_of(second_details.query_one("#status"))
    assert len(demo_services.list_carts()) == carts_before


async def test_a_market_a_customer_and_an_item_chosen_in_bursts(app, demo_services):
    """`Down Enter Mercy Down Enter` arriving together (over SSH): the second market and
    the second customer found for "Mercy", as the same keys typed one by one choose; then
    `Enter dress Down Enter`: the second variant found for "dress"; `2 Enter Esc Ctrl+S`:
    two of it, the popup closed, the order created."""
    from tests.tui.test_order_list import send_burst

    found = demo_services.search_customers("Mercy")
    assert len(found) >= 2
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+n")
        screen = wizard(app)
        send_burst(app, "down", "enter", *"Mercy", "down", "enter")
        await settle(pilot)
        assert screen.step == "shipment"
        assert screen.cart.market.code == screen.markets[1].code
        assert screen.cart.customer_name == found[1].name
        send_burst(app, "enter", *"dress", "down", "enter")  # her address; an item
        await settle(pilot)
        assert isinstance(app.screen, LineItemSearchScreen)
        dresses = demo_services.search_variants("dress", screen.cart.market.code)
        assert len(dresses) >= 2
        assert app.screen.chosen == dresses[1]
        send_burst(app, "2", "enter", "escape", "ctrl+s")  # add 2, close, create the order
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailsScreen)
        order = demo_services.get_order(app.screen.number)
        assert [(line.sku, line.quantity) for line in order.shipments[0].line_items] == [
            (dresses[1].sku, 2)
        ]


async def test_delete_typed_behind_the_enter_that_opens_a_cart_acts_on_it(
    app, demo_services, monkeypatch
):
    """F7, Enter, Delete in one burst, the carts and the cart read slowly: Delete asks about
    the first cart, as typed slowly (Enter came before the carts were read, and Delete
    before the cart was: each was ignored)."""
    from tests.tui.test_order_list import send_burst

    def slowly(read):
        def slow_read(*args, **kwargs):
            time.sleep(1.5)  # longer than KEY_TRIP_SECONDS: a database far away
            return read(*args, **kwargs)

        return slow_read

    first = demo_services.list_carts()[0]
    monkeypatch.setattr(demo_services, "list_carts", slowly(demo_services.list_carts))
    monkeypatch.setattr(demo_services, "get_cart", slowly(demo_services.get_cart))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        send_burst(app, "f7", "enter", "delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen_stack[-2].cart.id == first.id
