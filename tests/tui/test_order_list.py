"""The Order Management list, driven with keys only."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from textual import events

from csr_tui.data import tables as t
from csr_tui.data.queries import OrderFilter
from csr_tui.domain import NotFound, OrderStatus
from csr_tui.screens import order_list
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.order_details import OrderDetailsScreen
from csr_tui.screens.order_list import OrderListScreen
from csr_tui.screens.widgets.formatting import money
from csr_tui.screens.widgets.order_table import OrderTable
from csr_tui.services import Count
from tests.factories import NOW
from tests.tui.conftest import DEMO_ORDERS, settle, text_of, type_text
from tests.tui.rendered import screen_text


def rows(app):
    return app.screen.query_one(OrderTable).rows_shown


def status_line(app) -> str:
    return str(app.screen.query_one("#status").render())


def filter_line(app) -> str:
    return str(app.screen.query_one("#filters").render())


async def test_start_shows_newest_orders_and_the_total(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = rows(app)
        assert len(shown) == 50
        assert [r.created_at for r in shown] == sorted((r.created_at for r in shown), reverse=True)
        assert status_line(app).startswith(f"1–50 of {DEMO_ORDERS:,} orders")
        assert app.focused.id == "search"


async def test_percent_tay_shows_exactly_the_matching_customers(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, "%tay")
        names = {r.customer_name for r in rows(app)}
        assert {"Mercy Taylor", "Taylor Hayes"} <= names
        assert all("tay" in n.lower() for n in names)
        expected = demo_services.search_orders(OrderFilter(text="%tay")).count
        assert f"of {expected} orders" in status_line(app)


async def test_name_prefix_and_email_rules(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Mercy Tay")
        assert {r.customer_name for r in rows(app)} == {"Mercy Taylor"}
        await pilot.press("escape")  # clears the search field
        await type_text(pilot, "MERCY.TAYLOR@EXAMPLE.COM")
        assert rows(app) and {r.customer_email for r in rows(app)} == {"mercy.taylor@example.com"}
        await pilot.press("escape")
        await type_text(pilot, "@example.com")
        assert rows(app) == []
        empty = str(app.screen.query_one("#empty").render())
        assert "No orders match “@example.com”" in empty
        assert status_line(app).startswith("0 orders")


async def test_a_newer_keystroke_supersedes_an_older_query(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"zzz")
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "Taylor H")
        assert {r.customer_name for r in rows(app)} == {"Taylor Hayes"}


async def test_typed_faster_than_answers_come_an_answer_waits_for_the_pause(app, monkeypatch):
    """The answer to a letter the agent has already typed over is read but not painted
    (painting it held up the next key); the answer to what the field holds when the typing
    pauses is, without a query started only then."""
    monkeypatch.setattr(order_list, "TYPING_DEBOUNCE_MAX", 30.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(OrderTable)
        painted: list[str] = []
        real_show = table.show

        def show(*args, **kwargs):
            painted.append(screen.page_request.filter.text)
            return real_show(*args, **kwargs)

        monkeypatch.setattr(table, "show", show)
        before = rows(app)
        # The keys so far came 20 s apart and each answer took 30 s to show: faster than
        # answers come, so the next answer waits for the gap between keys to pass.
        screen._answer_seconds = 30.0
        screen._last_key = time.monotonic() - 20
        await pilot.press("m")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert rows(app) == before and painted == []  # read, not shown
        assert "searching…" in status_line(app)
        await pilot.press("e")  # typed over: the answer to "m" is never shown
        await pilot.pause(0.5)  # the pause after "e" (its gap and 25 ms) has passed
        await settle(pilot)
        assert painted == ["me"]
        assert rows(app) and all(r.customer_name.lower().startswith("me") for r in rows(app))
        assert "searching…" not in status_line(app)


async def choose_statuses(pilot, *wanted: OrderStatus):
    await pilot.press("f2")
    await settle(pilot)
    for status in OrderStatus:
        if status in wanted:
            await pilot.press("space")
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


async def test_status_filter(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await choose_statuses(pilot, OrderStatus.ON_HOLD, OrderStatus.CANCELED)
        shown = rows(app)
        assert shown and {r.status for r in shown} <= {OrderStatus.ON_HOLD, OrderStatus.CANCELED}
        assert "Status: On Hold, Canceled" in filter_line(app)


async def test_keys_typed_ahead_in_a_filter_count_in_order(app):
    """Space then Enter faster than the dialog handles them: the tick is applied, and the
    Space does not fall through to the list beneath (where it selected an order)."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        for key, character in (("space", " "), ("enter", "\r")):
            event = events.Key(key, character)
            event.set_sender(app)
            app._driver.send_message(event)  # as the terminal sends them: no wait between
        await settle(pilot)
        assert "Status: In Progress" in filter_line(app)
        assert "selected" not in status_line(app)


async def test_downs_typed_in_a_burst_from_the_search_field_each_move(app):
    """Keys that arrive together (a pause on an SSH link): the first Down goes to the list,
    the others move in it, as typed one by one."""
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):
            event = events.Key("down", None)
            event.set_sender(app)
            app._driver.send_message(event)
        await settle(pilot)
        assert app.focused is app.screen.query_one(OrderTable)
        assert app.focused.cursor_row == 2


async def test_market_filter(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        labels = [str(o.prompt) for o in app.screen.query_one("SelectionList")._options]
        jp = next(i for i, label in enumerate(labels) if label.startswith("JP"))
        for _ in range(jp):
            await pilot.press("down")
        await pilot.press("space", "enter")
        await settle(pilot)
        assert rows(app) and {r.market_code for r in rows(app)} == {"JP"}
        assert "Market: JP" in filter_line(app)


async def test_escape_in_a_filter_changes_nothing(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("space", "escape")
        await settle(pilot)
        assert "No filters" in filter_line(app)
        assert status_line(app).startswith(f"1–50 of {DEMO_ORDERS:,}")


async def pick_date_preset(pilot, label: str):
    await pilot.press("f4")
    await settle(pilot)
    options = pilot.app.screen.query_one("OptionList")
    index = next(
        i
        for i in range(options.option_count)
        if str(options.get_option_at_index(i).prompt).startswith(label)
    )
    options.highlighted = index
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("Today", NOW.date(), NOW.date()),
        ("Yesterday", NOW.date() - timedelta(days=1), NOW.date() - timedelta(days=1)),
        ("Last 7 days", NOW.date() - timedelta(days=6), NOW.date()),
        ("Last 30 days", NOW.date() - timedelta(days=29), NOW.date()),
        ("This month", NOW.date().replace(day=1), NOW.date()),
        ("Last month", NOW.date().replace(month=10, day=1), NOW.date().replace(month=10, day=31)),
    ],
)
async def test_created_date_presets_use_the_clock(app, preset, first, last):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick_date_preset(pilot, preset)
        shown = rows(app)
        assert f"Created: {preset}" in filter_line(app)
        assert all(first <= r.created_at.date() <= last for r in shown)
        if preset == "Last 30 days":
            assert shown, "the demo data has orders in the last 30 days"


async def test_custom_date_range_with_apply_and_a_clear_error(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pick_date_preset(pilot, "Custom")
        await type_text(pilot, "2026-11-20")
        (fields,) = (line for line in screen_text(app).splitlines() if "Start" in line)
        assert "2026-11-20" in fields, "the whole date shows as it is typed"
        await pilot.press("enter")  # to the end date
        await type_text(pilot, "2026-11-1")
        await pilot.press("enter")
        await settle(pilot)
        assert "not a date" in str(app.screen.query_one("#error").render())
        await pilot.press("backspace")
        await type_text(pilot, "10")
        await pilot.press("enter")
        await settle(pilot)
        assert "start date 2026-11-20 is after the end date 2026-11-10" in str(
            app.screen.query_one("#error").render()
        )
        await pilot.press("ctrl+a", "ctrl+k")  # start of field, delete to the end
        await type_text(pilot, "2026-11-25")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)
        shown = rows(app)
        assert shown and all(
            "2026-11-20" <= f"{r.created_at:%Y-%m-%d}" <= "2026-11-25" for r in shown
        )
        assert "Created: 2026-11-20 – 2026-11-25" in filter_line(app)


async def test_one_key_clears_every_filter(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await choose_statuses(pilot, *OrderStatus)
        await pick_date_preset(pilot, "Last 30 days")
        # At 80 columns too, every filter in force is in sight, and how to clear them.
        shown = " ".join(screen_text(app).split())
        assert "Status: In Progress, On Hold, Partially Shipped, Completed, Canceled" in shown
        assert "Created: Last 30 days" in shown and "(F6 clears)" in shown
        await pilot.press("f6")
        await settle(pilot)
        assert "No filters" in filter_line(app)
        assert status_line(app).startswith(f"1–50 of {DEMO_ORDERS:,} orders")


async def test_paging_to_a_later_page_and_back(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first_rows = rows(app)
        first_page = [r.number for r in first_rows]
        await pilot.press("down")  # from the search field into the table
        presses = 0
        while status_line(app).startswith("1–50") and presses < 6:
            await pilot.press("pagedown")  # a screenful at a time, then past the last row
            await settle(pilot, 1)
            presses += 1
        assert presses > 1, "PageDown first moves within the page"
        assert status_line(app).startswith(f"51–100 of {DEMO_ORDERS:,}")
        assert app.screen.query_one(OrderTable).cursor_row == 0
        second_page = [r.number for r in rows(app)]
        assert not set(first_page) & set(second_page)
        assert rows(app)[0].created_at <= first_rows[-1].created_at, "older orders follow"
        await pilot.press("down")
        await pilot.press("up", "up")
        await settle(pilot)
        assert [r.number for r in rows(app)] == first_page
        assert app.screen.query_one(OrderTable).cursor_row == 49
        await pilot.press("end")
        await settle(pilot)
        assert status_line(app).startswith(f"351–400 of {DEMO_ORDERS:,}")
        await pilot.press("home")
        await settle(pilot)
        assert [r.number for r in rows(app)] == first_page


async def test_paging_back_from_the_end_of_a_list_counted_as_n_plus(
    app, demo_services, monkeypatch
):
    """Above the count cap ("10,000+") a page's place is known only from the end."""
    search_orders = demo_services.search_orders

    def capped(*args, **kwargs):
        page = search_orders(*args, **kwargs)
        return page if page.count is None else replace(page, count=Count(300, at_least=True))

    monkeypatch.setattr(demo_services, "search_orders", capped)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert status_line(app).startswith("1–50 of 300+ orders")
        await pilot.press("down", "end")
        await settle(pilot)
        assert status_line(app).startswith("last 50 of 300+ orders")
        app.screen.query_one(OrderTable).move_cursor(row=0)
        await pilot.press("up")  # past the first row: the page before
        await settle(pilot)
        assert status_line(app).startswith("51–100 from the end of 300+ orders")
        await pilot.press("up")
        app.screen.query_one(OrderTable).move_cursor(row=49)
        await pilot.press("down")  # past the last row: the last page again
        await settle(pilot)
        assert status_line(app).startswith("last 50 of 300+ orders")


async def test_select_across_pages_then_confirmed_delete(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "space")
        chosen = [rows(app)[0].number]
        for _ in range(50):
            await pilot.press("down")
        await settle(pilot)
        assert status_line(app).startswith("51–100")
        await pilot.press("space")
        chosen.append(rows(app)[0].number)
        assert "2 selected" in status_line(app)
        await pilot.press("escape")  # to the search field: a search keeps the selection
        await type_text(pilot, "zzzz")
        assert rows(app) == [] and "2 selected" in status_line(app)
        await pilot.press("down", "backspace")  # no list to go down to: the field keeps the keys
        assert app.focused.id == "search" and app.focused.value == "zzz"
        await pilot.press("escape")  # clears the search
        await settle(pilot)
        await pilot.press("down")  # back to the results: Delete in the field edits text
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete 2 orders?" in str(app.screen.query_one("#question").render())
        await pilot.press("enter")
        await settle(pilot)
        for number in chosen:
            with pytest.raises(NotFound):
                demo_services.get_order(number)
        assert "selected" not in status_line(app)
        assert f"of {DEMO_ORDERS - 2:,} orders" in status_line(app)


async def test_the_list_emptied_by_a_delete_hands_the_keys_back_to_the_search_field(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, rows(app)[0].number)
        await pilot.press("down", "delete")
        await settle(pilot)
        await pilot.press("enter")  # confirmed
        await settle(pilot)
        assert rows(app) == [] and app.focused.id == "search"


async def test_cancelled_delete_deletes_nothing(app, demo_services):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "ctrl+a")
        assert "50 selected" in status_line(app)
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)
        assert demo_services.get_order(rows(app)[0].number)
        assert f"of {DEMO_ORDERS:,} orders" in status_line(app)
        assert "50 selected" in status_line(app)


async def test_enter_opens_the_order(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Taylor Hayes")
        number = rows(app)[0].number
        await pilot.press("enter")  # runs the search and moves to the results
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        body = text_of(app.screen.query_one("#summary-facts"))
        assert number in body and "Taylor Hayes" in body
        await pilot.press("escape")
        assert isinstance(app.screen, OrderListScreen)


async def test_a_database_error_is_a_message_not_a_traceback(app, demo_services, monkeypatch):
    from csr_tui.data.engine import DatabaseUnavailable

    def broken(*args, **kwargs):
        raise DatabaseUnavailable("Cannot reach the database sqlite:///x: disk I/O error")

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(demo_services, "search_orders", broken)
        await type_text(pilot, "mer")
        assert "disk I/O error" in status_line(app)
        monkeypatch.undo()
        await type_text(pilot, "cy")
        assert {r.customer_name for r in rows(app)} >= {"Mercy Taylor"}
        assert "disk I/O error" not in status_line(app)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_columns_fit_the_terminal(app, size):
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one(OrderTable)
        keys = [c.key.value for c in table.columns.values()]
        if size[0] == 80:
            assert keys == ["number", "created", "market", "customer", "status", "total"]
        else:
            assert "email" in keys and "name" in keys
        width = sum(c.get_render_width(table) for c in table.columns.values())
        assert width <= size[0]


async def test_the_next_order_number_typed_after_an_order_replaces_the_last(app):
    """Back from Order Details with the keys in the search field, the next caller's number
    replaces the last one; back from a dialog (a filter), typing goes on where it was."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "PO1042")
        await pilot.press("enter")
        await settle(pilot)
        assert details_number(app) == "PO1042"
        await pilot.press("escape")
        await settle(pilot)
        await type_text(pilot, "1043")
        assert app.screen.query_one("#search").value == "1043"
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await type_text(pilot, "5")
        assert app.screen.query_one("#search").value == "10435"


def details_number(app) -> str | None:
    return app.screen.number if isinstance(app.screen, OrderDetailsScreen) else None


async def test_enter_opens_the_only_match_and_never_an_older_one(app, demo_services):
    first, second, third = "PO1141", "PO1142", "PO1143"
    for number in (first, second, third):
        assert demo_services.search_orders(OrderFilter(text=number)).count.value == 1
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, first)
        await pilot.press("enter")
        await settle(pilot)
        assert details_number(app) == first, "one match: Enter opens it"
        await pilot.press("escape", "escape")  # back to the list; clear the field
        await pilot.press(*second, "enter")  # before the search has even started
        await settle(pilot)
        assert details_number(app) == second, "Enter waits for the answer, then opens"
        await pilot.press("escape", "escape")
        await type_text(pilot, first)
        assert [r.number for r in rows(app)] == [first]
        assert status_line(app).startswith("1 order ") or status_line(app) == "1 order"
        await pilot.press("backspace", third[-1], "enter")  # the answer shown is stale
        await settle(pilot)
        assert details_number(app) == third
        await pilot.press("escape", "escape")
        await type_text(pilot, "Taylor Hayes")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen), "several matches: Enter goes to them"
        assert isinstance(app.focused, OrderTable)


async def test_keys_typed_in_the_list_go_to_the_search_field(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Taylor")
        await pilot.press("down")  # to the list
        assert isinstance(app.focused, OrderTable)
        for character in "Mercy T":  # all at once, as a fast typist or a paste sends them
            app.post_message(events.Key("space" if character == " " else character, character))
        await settle(pilot)  # a new search, as after Escape, with every key in its place
        assert app.focused.id == "search"
        assert app.screen.query_one("#search").value == "Mercy T"
        assert {r.customer_name for r in rows(app)} == {"Mercy Taylor"}
        await pilot.press("down", "space")  # the list's own keys stay its own
        assert "1 selected" in status_line(app)
        assert app.screen.query_one("#search").value == "Mercy T"


async def test_a_name_from_its_first_letter_offers_any_part_one_key_away(
    app, demo_services, monkeypatch
):
    counted_on: list[bool] = []
    count_orders = demo_services.count_orders

    def recording(order_filter):
        counted_on.append(threading.current_thread() is threading.main_thread())
        return count_orders(order_filter)

    monkeypatch.setattr(demo_services, "count_orders", recording)
    anywhere = demo_services.search_orders(OrderFilter(text="%Hayes")).count
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_text(pilot, "Hayes")
        assert rows(app) == []
        empty = text_of(app.screen.query_one("#empty")).strip()
        assert empty == f"No name starts with “Hayes” — Tab to search “%Hayes”: {anywhere} orders"
        assert counted_on and not any(counted_on), "counted in a worker, off the UI thread"
        await pilot.press("tab")
        await settle(pilot)
        assert app.screen.query_one("#search").value == "%Hayes"
        assert rows(app) and all("hayes" in r.customer_name.lower() for r in rows(app))
        assert f"of {anywhere} orders" in status_line(app)

        await pilot.press("escape")
        await type_text(pilot, "Tay")  # Taylor Hayes; %Tay also finds Mercy Taylor
        prefix = demo_services.search_orders(OrderFilter(text="Tay")).count
        more = demo_services.search_orders(OrderFilter(text="%Tay")).count
        assert f"of {prefix} orders · Tab to search “%Tay”: {more} orders" in status_line(app)

        await pilot.press("escape")
        await type_text(pilot, "Hayes")
        await pilot.press("x", "tab")  # the hint was for "Hayes": Tab moves on instead
        await settle(pilot)
        assert app.screen.query_one("#search").value == "Hayesx"
        await pilot.press("escape")
        await type_text(pilot, "Mercy Taylor")  # %Mercy Taylor finds no more: no hint
        assert "Tab" not in status_line(app)


async def test_a_caller_is_found_by_phone_in_any_common_form(app, demo_services):
    phone = demo_services.search_customers("Mercy Taylor")[0].phone  # +1 555-01x-xxxx
    digits = "".join(ch for ch in phone if ch.isdigit())
    theirs = {r.number for r in demo_services.search_orders(OrderFilter(text="Mercy Taylor")).rows}
    with demo_services.db.reading() as conn:
        phones = conn.execute(select(t.orders.c.number, t.orders.c.customer_phone)).all()
    # An order number whose digits end another customer's phone number: the number first.
    number, other = next((n, q) for n, _ in phones for _, q in phones if q.endswith(n[2:]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for typed in (
            phone,
            f"+1 ({digits[1:4]}) {digits[4:7]}-{digits[7:]}",
            digits[1:],  # without the country code, as caller ID shows it
            digits[-4:],  # the last four digits: no order number starts with them here
        ):
            await pilot.press("escape")
            await type_text(pilot, typed)
            assert {r.number for r in rows(app)} >= theirs, typed
            if typed != digits[-4:]:
                assert {r.customer_name for r in rows(app)} == {"Mercy Taylor"}, typed
            # Digits no order number starts with were searched as a phone number's end
            # already: Tab offers no "%digits" that would find the same orders again.
            assert "Tab" not in status_line(app), typed

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "space")  # an order selected, then a search
        await pilot.press("escape")
        await type_text(pilot, number[2:])
        assert [r.number for r in rows(app)] == [number], "order numbers keep priority"
        ending = demo_services.search_orders(OrderFilter(text="%" + number[2:])).count
        orders = "1 order" if str(ending) == "1" else f"{ending} orders"
        assert (
            f"Tab to search “%{number[2:]}” (phone numbers ending {number[2:]}): {orders}"
            in status_line(app)
        )
        # The long hint does not push the selection out of sight at 80 columns.
        assert "1 selected" in screen_text(app).splitlines()[-2]
        await pilot.press("tab")
        await settle(pilot)
        assert {r.number for r in rows(app)} >= {n for n, p in phones if p == other}

        await pilot.press("escape")
        await type_text(pilot, "+1 555 000 0000")
        assert rows(app) == []
        empty = text_of(app.screen.query_one("#empty")).strip()
        assert empty == "No phone number ends with “15550000000”."


async def test_a_narrow_list_shows_the_highlighted_order_whole_below_it(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        row = rows(app)[1]
        for size in ((80, 24), (100, 30)):
            await pilot.resize_terminal(*size)
            await settle(pilot, 1)
            detail = text_of(app.screen.query_one("#detail"))
            for value in (
                row.number,
                f"{row.created_at:%Y-%m-%d %H:%M}",
                row.name,
                row.market_code,
                row.customer_name,
                row.customer_email,
                row.status.value,
                money(row.total, row.currency),
            ):
                assert value in detail, size
            assert len(detail.strip().splitlines()) <= 2
        await pilot.press("down")
        assert rows(app)[2].number in text_of(app.screen.query_one("#detail"))
        await pilot.resize_terminal(200, 60)  # every column shown: no line needed
        await settle(pilot, 1)
        assert not app.screen.query_one("#detail").display


async def test_market_lists_put_the_most_used_first(app, demo_services):
    by_use = [m.code for m in demo_services.markets_by_use()]
    assert by_use[0] == "US" and by_use != sorted(by_use)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        choices = app.screen.query_one("SelectionList")
        assert [str(o.prompt)[:2] for o in choices._options] == by_use
        hint = text_of(app.screen.query_one(".hint"))  # the filter dialogs take a and A
        assert "a/A all/none" in hint and "Space toggle" in hint and "Enter apply" in hint
        await pilot.press("A")
        assert len(choices.selected) == len(by_use)
        await pilot.press("a")
        assert choices.selected == []
        await pilot.press("escape", "ctrl+n")
        await settle(pilot)
        options = app.screen.query_one("OptionList")
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == by_use


def send_burst(app, *keys: str) -> None:
    """Keys that arrive together, as a pause on an SSH link delivers them: each is in the
    app's queue before the first is handled."""
    for key in keys:
        character = key if len(key) == 1 else {"enter": "\r", "space": " "}.get(key)
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_a_search_and_the_keys_that_choose_its_order_typed_in_one_burst(app, demo_services):
    """`Taylor Down Down Enter` in one burst opens the order those keys choose (the second
    match, as typed slowly), not one of the list shown before the search's answer came."""
    matches = demo_services.search_orders(OrderFilter(text="Taylor")).rows
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        send_burst(app, *"Taylor", "down", "down", "enter")
        await settle(pilot)
        assert details_number(app) == matches[1].number
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)
        assert app.screen.query_one(OrderTable).current.number == matches[1].number


async def test_a_custom_date_range_typed_in_one_burst(app):
    """F4, Custom range, `date Tab date Enter` arriving together: each date whole in its
    own field, then applied;
    an error goes away as soon as the agent edits the field it names."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        send_burst(app, "f4", "end", "enter", *"2026-11-25", "tab", *"2026-11-20", "enter")
        await settle(pilot)
        assert app.screen.query_one("#start").value == "2026-11-25"
        assert app.screen.query_one("#end").value == "2026-11-20"
        error = app.screen.query_one("#error")
        assert "is after the end date" in str(error.render())
        send_burst(app, "backspace", "5")
        await settle(pilot)
        assert str(error.render()).strip() == ""
        send_burst(app, "shift+tab", "ctrl+a", "ctrl+k", *"2026-11-20", "enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderListScreen)
        assert "Created: 2026-11-20 – 2026-11-25" in filter_line(app)


async def test_keys_held_for_a_database_that_does_not_answer_are_dropped_not_stuck(
    app, monkeypatch
):
    """Keys wait for the answer they act on; one that never comes (a database that hangs)
    must not leave the keyboard dead: after HELD_KEYS_SECONDS the keys typed meanwhile are
    dropped (replayed, they would act on a list they were not typed for), and said so."""
    from csr_tui import app as app_module

    monkeypatch.setattr(app_module, "HELD_KEYS_SECONDS", 0.3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.hold_keys(object())  # a search whose answer never comes
        await pilot.press("x", "y")
        assert app.screen.query_one("#search").value == ""
        await pilot.pause(0.6)
        assert "2 keys typed meanwhile were not used" in "\n".join(
            str(n.message) for n in app._notifications
        )
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.query_one("#search").value == "z"


async def test_keys_typed_behind_the_enter_that_opens_an_order_act_on_that_order(
    app, demo_services, monkeypatch
):
    """`PO… Enter h Enter` in one burst: the order opens, then Hold is asked and confirmed,
    as typed slowly (the keys came before the order was read, and were ignored)."""
    number = demo_services.search_orders(OrderFilter(statuses={OrderStatus.IN_PROGRESS})).rows[0]
    read = demo_services.get_order

    def slow_read(*args, **kwargs):
        time.sleep(1.5)  # a database far away: the keys come before the order (and after
        # KEY_TRIP_SECONDS, which a screen's first read is not bound by)
        return read(*args, **kwargs)

    monkeypatch.setattr(demo_services, "get_order", slow_read)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        send_burst(app, *number.number, "enter", "h", "enter", "3")
        await settle(pilot)
        assert details_number(app) == number.number
        assert demo_services.get_order(number.number).status is OrderStatus.ON_HOLD
        assert app.screen.tab == "notes"
