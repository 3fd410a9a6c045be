"""F1 (and ? outside a text field): every key of the screen, as Textual will resolve it,
on every screen and dialog; Escape closes it. The footer shows whole keys only."""

from __future__ import annotations

from pathlib import Path

from textual.keys import key_to_character
from textual.screen import Screen
from textual.widgets import DataTable, Input
from textual.widgets._footer import FooterKey

from csr_tui.app import CsrApp
from csr_tui.screens.cart import CartScreen
from csr_tui.screens.carts import CartsScreen
from csr_tui.screens.choice_filter import ChoiceFilterScreen
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.create_order import CreateOrderScreen
from csr_tui.screens.date_filter import DateFilterScreen
from csr_tui.screens.demo_offer import DemoOfferScreen
from csr_tui.screens.form import FormScreen
from csr_tui.screens.help import HelpScreen
from csr_tui.screens.line_item_search import LineItemSearchScreen
from csr_tui.screens.order_details.shipment_menu import ShipmentMenuScreen
from csr_tui.screens.shipment_edit import ShipmentEditScreen
from csr_tui.screens.widgets.keys import key_name
from tests.conftest import FixedClock
from tests.tui.conftest import settle
from tests.tui.test_order_details import open_details, unpaid  # noqa: F401

# Textual's scrolling keys step aside where there is nothing to scroll, and the key goes on
# to the next binding (Down in the search field goes to the results).
SCROLLING = {
    f"{verb}_{way}"
    for verb, ways in (("scroll", "up down left right home end"), ("page", "up down left right"))
    for way in ways.split()
}


def bound_keys(screen: Screen) -> dict[str, object]:
    """Textual's own account of the keys `screen` answers to: its active bindings and, on
    a dialog, the application's priority keys (which reach past it)."""
    app = screen.app
    keys = {
        key: active.binding
        for key, active in screen.active_bindings.items()
        if active.binding.description and not active.binding.system
    }
    if screen.is_modal:
        typed_in = screen.focused
        for key, binding in app._bindings:
            if typed_in is not None and typed_in.check_consume_key(key, key_to_character(key)):
                continue  # a text field takes ? as text
            if binding.priority and binding.description and app.check_action(binding.action, ()):
                keys.setdefault(key, binding)
    return keys


def help_rows(app) -> dict[str, str]:
    """Key (as README writes it) -> what the help screen says it does."""
    table = app.screen.query_one(DataTable)
    shown: dict[str, str] = {}
    for index in range(table.row_count):
        keys, what = table.get_row_at(index)
        if what.plain:
            for key in keys.plain.split(", "):
                assert key not in shown, f"{key} is listed twice"
                shown[key] = what.plain
    return shown


def help_groups(app) -> list[str]:
    table = app.screen.query_one(DataTable)
    rows = [table.get_row_at(i) for i in range(table.row_count)]
    return [keys.plain for keys, what in rows if keys.plain and not what.plain]


async def check_help(pilot, key: str = "f1") -> dict[str, str]:
    """Open the help on the current screen, check it lists exactly the keys in effect with
    what each does, close it with Escape; what it listed."""
    app = pilot.app
    under = app.screen
    expected = bound_keys(under)
    await pilot.press(key)
    await settle(pilot, 1)
    assert isinstance(app.screen, HelpScreen), f"{key} opens the help on {type(under).__name__}"
    shown = help_rows(app)
    names = {key_name(k): binding for k, binding in expected.items()}
    assert set(shown) <= set(names), type(under).__name__
    for name, binding in names.items():
        if binding.action in SCROLLING:
            continue  # nothing to scroll: the key does what the next binding says, if any
        assert shown[name].startswith(binding.description), (name, shown)
    assert help_groups(app)[-1] == "Everywhere"
    await pilot.press("escape")
    await settle(pilot, 1)
    assert app.screen is under, "Escape closes the help, and only the help"
    return shown


async def test_the_order_list_help_follows_the_focus(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shown = await check_help(pilot)
        assert shown["F2"].startswith("Status — filter by status")
        assert shown["Down"].startswith("Results"), "Down in the field goes to the list"
        assert shown["F1"].startswith("Help") and "?" not in shown, "? is typed in a field"
        await pilot.press("question_mark")
        assert app.screen.query_one("#search", Input).value == "?"
        await pilot.press("escape", "down")  # clear the field; to the list
        await settle(pilot)
        assert isinstance(app.focused, DataTable)
        shown = await check_help(pilot, "question_mark")
        assert shown["Space"].startswith("Select") and shown["Delete"].startswith("Delete")
        assert shown["Enter"] == "Open — the highlighted order (Order Details)"
        assert shown["F1"] == shown["?"]
        await pilot.press("f1")
        await settle(pilot, 1)
        assert help_groups(app) == ["Order Management", "In the list of orders", "Everywhere"]


async def test_the_help_of_the_order_lists_dialogs(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key, dialog in (("f2", ChoiceFilterScreen), ("f3", ChoiceFilterScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, dialog)
            shown = await check_help(pilot, "question_mark")
            assert shown["a"] == shown["A"] and shown["a"].startswith("All/none")
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, DateFilterScreen)
        await check_help(pilot)
        await pilot.press("escape", "ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, CreateOrderScreen)
        shown = await check_help(pilot)
        assert shown["Ctrl+S"].startswith("Create order"), shown
        await pilot.press("escape")  # an empty new order leaves nothing to ask about
        await settle(pilot)
        await pilot.press("down", "delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        shown = await check_help(pilot)
        assert shown["Enter"].startswith("Confirm")


async def test_the_help_of_order_details_and_its_dialogs(app, unpaid):  # noqa: F811
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        shown = await check_help(pilot)
        assert shown["p"].startswith("Payment"), "an unpaid order takes a payment"
        assert "u" not in shown, "Release hold is offered only on hold"
        await pilot.press("2")  # Form Details, where the order is changed
        await settle(pilot)
        shown = await check_help(pilot)
        assert shown["e"].startswith("Edit"), shown
        await pilot.press("m")  # the highlighted shipment's options
        await settle(pilot)
        assert isinstance(app.screen, ShipmentMenuScreen)
        await check_help(pilot)
        await pilot.press("escape")
        await settle(pilot)
        for key, dialog in (("n", FormScreen), ("e", ShipmentEditScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, dialog)
            await check_help(pilot)
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, LineItemSearchScreen)
        await check_help(pilot)


async def test_the_help_of_carts_and_cart_details(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, CartsScreen)
        shown = await check_help(pilot)
        assert shown["Enter"].startswith("Open cart")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        shown = await check_help(pilot)
        assert shown["Ctrl+S"].startswith("Convert to Purchase Order")
        await pilot.press("ctrl+s")  # the new-order steps, with this cart
        await settle(pilot)
        assert isinstance(app.screen, CreateOrderScreen)
        await check_help(pilot)


async def test_a_rebound_key_is_the_one_the_help_and_footer_name(demo_services, tmp_path: Path):
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keymap]\n"orders.filter_status" = "f9"\n')
    app = CsrApp(services=demo_services, clock=FixedClock(), keymap_file=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        footer = [k.key_display for k in app.screen.query(FooterKey)]
        assert "F9" in footer and "F2" not in footer
        shown = await check_help(pilot)
        assert shown["F9"].startswith("Status") and "F2" not in shown


async def test_the_footer_shows_whole_keys_and_f1_help_at_any_width(app, unpaid):  # noqa: F811
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        for width in (80, 98, 120, 150):  # 98 and 120 cut "F5 Refr" before
            await pilot.resize_terminal(width, 30)
            await settle(pilot, 1)
            keys = list(app.screen.query(FooterKey))
            palette = next(k for k in keys if k.has_class("-command-palette"))
            others = [k for k in keys if k is not palette]
            assert others[-1].key_display == "F1" and others[-1].description == "Help"
            for key in others:  # each drawn whole, left of the command-palette key
                assert key.region.width == len(f"{key.key_display} {key.description}")
                assert key.region.right < palette.region.x
            last_line = app.screen._compositor.render_strips()[-1].text
            assert len(last_line) == width
            assert last_line.rstrip().endswith("^p Commands"), "nothing after it"
            assert last_line.split("▏")[0].rstrip().endswith("F1 Help")
        assert "Esc Back" in last_line, "a wide terminal shows every key"


async def test_the_help_of_the_first_start_offer(tmp_path: Path):
    app = CsrApp(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        agent="alice",
        clock=FixedClock(),
        keymap_file=Path("/nonexistent"),
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DemoOfferScreen)
        shown = await check_help(pilot)
        assert shown["Enter"].startswith("Load demo data") and shown["Esc"] == "Start empty"
