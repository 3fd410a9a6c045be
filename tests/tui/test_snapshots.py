"""Snapshots of the main screens on fixed demo data (pytest --snapshot-update rewrites them;
look at each SVG before committing it)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csr_tui.domain import DiscountKind, OrderStatus
from csr_tui.services import OrderFilter, OrderRef
from tests.tui.conftest import settle, stop_blinking

IN_PROGRESS = frozenset({OrderStatus.IN_PROGRESS})
PERCENT = DiscountKind.PERCENTAGE


async def ready(pilot) -> None:
    await settle(pilot)
    stop_blinking(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_order_list(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=ready)


def test_order_list_searching_and_filtered(snap_compare, app):
    async def search_and_filter(pilot):
        await settle(pilot)
        await pilot.press(*"%tay")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("space", "enter")  # In Progress
        await ready(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=search_and_filter)


def test_status_filter_modal(snap_compare, app):
    async def open_filter(pilot):
        await settle(pilot)
        await pilot.press("f2")
        await pilot.press("down", "space")
        await ready(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_filter)


def test_created_date_filter_modal(snap_compare, app):
    async def open_filter(pilot):
        await settle(pilot)
        await pilot.press("f4")
        await ready(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_filter)


def test_delete_confirmation(snap_compare, app):
    async def select_and_delete(pilot):
        await settle(pilot)
        await pilot.press("down", "space", "down", "space", "delete")
        await ready(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=select_and_delete)


def test_cart_details_at_80_columns(snap_compare, app):
    async def open_first_cart(pilot):
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("enter")
        await ready(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_first_cart)


# The standard phone order, step by step: the keys that reach each step from the order list.
WIZARD_KEYS = {
    "market": ["ctrl+n"],
    "customer": ["enter", *"merc"],  # the matches of what was typed
    "shipment": ["enter"],  # Mercy Reed chosen: her address, the methods
    "items": ["enter", *"SKU-92020353", "enter", "2"],  # the search, an item chosen
    "review": ["enter", "escape", "enter", *"sorry5", "enter"],  # added; a coupon
}


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
@pytest.mark.parametrize("step", list(WIZARD_KEYS))
def test_create_order_wizard_step(snap_compare, app, step, size):
    async def reach_step(pilot):
        await settle(pilot)
        for name, keys in WIZARD_KEYS.items():
            for key in keys:
                await pilot.press(key)
                await settle(pilot, rounds=1)
            await settle(pilot)
            if name == step:
                break
        await ready(pilot)

    assert snap_compare(app, terminal_size=size, run_before=reach_step)


@pytest.fixture
def worked_order(demo_services) -> str:
    """An In Progress order with a payment, a discount and notes: every tab shows something."""
    s = demo_services
    number = s.search_orders(OrderFilter(text="Taylor Hayes", statuses=IN_PROGRESS)).rows[0].number
    order = s.get_order(number)
    order = s.add_discount(OrderRef(number), order.version, "Goodwill", PERCENT, Decimal(10))
    s.add_payment(number, order.version, "card", Decimal("20.00"))
    s.add_note(number, "Called back", "Wants it before Friday.\nWill call again.")
    s.add_note(number, "Address checked", "")
    return number


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
@pytest.mark.parametrize("tab", ["summary", "form", "notes", "history"])
def test_order_details_tabs(snap_compare, app, worked_order, tab, size):
    async def open_tab(pilot):
        await settle(pilot)
        pilot.app.open_order(worked_order)
        await settle(pilot)
        await pilot.press(str(["summary", "form", "notes", "history"].index(tab) + 1))
        await ready(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_tab)


def test_shipment_options_menu(snap_compare, app, worked_order):
    async def open_menu(pilot):
        await settle(pilot)
        pilot.app.open_order(worked_order)
        await settle(pilot)
        await pilot.press("2", "m")
        await ready(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_menu)
