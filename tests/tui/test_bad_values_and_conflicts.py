"""Bad values get a message where they were typed and never freeze a form; a delete of an
order another agent changed is refused; dates at the end of the calendar; unsafe files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csr_tui.app import CsrApp
from csr_tui.data.database import Database
from csr_tui.domain import NotFound, OrderStatus
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.form import FormScreen
from csr_tui.screens.line_item_search import LineItemSearchScreen
from csr_tui.screens.order_details import OrderDetailsScreen
from csr_tui.screens.order_list import OrderListScreen
from csr_tui.services import Services
from tests.conftest import FixedClock
from tests.tui.conftest import settle, text_of, type_text
from tests.tui.test_order_details import open_details, unpaid  # noqa: F401 (a fixture)
from tests.tui.test_order_list import filter_line, pick_date_preset, rows


def notices(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_a_huge_amount_is_refused_at_the_field_and_escape_still_works(app, unpaid):  # noqa: F811
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        for amount in ("1e30", "1e999", "NaN"):
            await pilot.press("ctrl+a", "ctrl+k", *amount, "ctrl+s")
            await settle(pilot)
            error = app.screen.query_one("#e-amount")
            assert error.display
            assert "cannot exceed" in text_of(error) or "is not an amount" in text_of(error)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailsScreen)


async def test_whatever_a_save_raises_the_form_answers(app, demo_services, unpaid, monkeypatch):  # noqa: F811
    def broken(*_args, **_kwargs):
        raise RuntimeError("the unexpected")

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        monkeypatch.setattr(demo_services, "add_note", broken)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "Called")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert "Nothing was saved: an unexpected error occurred" in text_of(
            app.screen.query_one("#form-error")
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailsScreen)


async def test_a_superscript_quantity_is_refused_at_the_field(app, demo_services, unpaid):  # noqa: F811
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_details(pilot, unpaid)
        await pilot.press("2", "down", "enter")  # Form Details, a line: quantity, price, discount
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", "²", "ctrl+s")
        await settle(pilot)
        assert "Quantity must be a whole number" in text_of(app.screen.query_one("#e-quantity"))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")  # add items: the same quantity in the variant search
        await settle(pilot)
        assert isinstance(app.screen, LineItemSearchScreen)
        await type_text(pilot, "dress")
        await pilot.press("enter")  # the first result, chosen: on to its quantity
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", "²", "ctrl+s")
        await settle(pilot)
        assert "Quantity must be a whole number" in text_of(app.screen.query_one("#e-quantity"))
        await pilot.press("escape", "d")  # the chosen item, not added: discarded
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailsScreen)
        assert demo_services.get_order(unpaid).version == 1


async def test_deleting_an_order_another_agent_changed_is_refused(
    app,
    demo_services,
    demo_url,
    unpaid,  # noqa: F811
):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, unpaid)
        await pilot.press("down")
        assert rows(app)[0].number == unpaid
        bob = Services(Database(demo_url), "bob", clock=FixedClock())
        bob.place_on_hold(unpaid, bob.get_order(unpaid).version)
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert f"Order {unpaid} was changed by bob at 10:00:00" in notices(app)
        assert "nothing was deleted" in notices(app)
        assert demo_services.get_order(unpaid).status is OrderStatus.ON_HOLD
        await pilot.press("delete")  # the list now shows the order as it is: delete again
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        with pytest.raises(NotFound):
            demo_services.get_order(unpaid)
        bob.db.close()


async def test_a_custom_range_ending_on_the_last_day_of_the_calendar(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick_date_preset(pilot, "Custom")
        await type_text(pilot, "2026-11-20")
        await pilot.press("enter")
        await type_text(pilot, "9999-12-31")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)
        assert "Created: 2026-11-20 – 9999-12-31" in filter_line(app)
        shown = rows(app)
        assert shown and all(f"{r.created_at:%Y-%m-%d}" >= "2026-11-20" for r in shown)


async def test_a_database_every_login_may_change_is_warned_about(demo_services, demo_url):
    path = Path(demo_url.removeprefix("sqlite:///"))
    os.chmod(path, 0o666)
    app = CsrApp(services=demo_services, clock=FixedClock(), keymap_file=Path("/nonexistent"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert f"{path} (mode 0666)" in notices(app)
        assert "writable by every login on this host" in notices(app)
