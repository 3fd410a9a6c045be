"""The order table draws its cells itself (a page is drawn at every keystroke, and Textual's
general way cost most of the time from a page's arrival to the screen): what it draws must
be what DataTable would have drawn, cell for cell, style for style (the mouse's row and
column included), for every kind of text a row may hold and at every width."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import cycle

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from csr_tui.domain import OrderStatus
from csr_tui.screens.widgets.order_table import OrderTable, _cell_key, prepare_page, row_detail
from csr_tui.services import OrderRow
from tests.hostile import PAYLOADS

NAMES = [
    "Mercy Taylor",
    "Émile Zoë Lindström-O’Neil",
    "山田 太郎",  # two cells a character
    "x" * 80,  # wider than any column
    "",
    *(p.stored for p in PAYLOADS[:12]),
]
EMAILS = [None, "mercy.taylor@example.com", "a-very-long.address.that-is-cut@example.co.uk"]


def order_rows() -> list[OrderRow]:
    start = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    statuses, emails = cycle(OrderStatus), cycle(EMAILS)
    currencies = cycle(["USD", "JPY", "EUR"])
    return [
        OrderRow(
            id=i,
            number=f"PO{1000 + i}",
            created_at=start - timedelta(minutes=7 * i),
            name=name,
            market_code="US",
            customer_name=name,
            customer_email=next(emails),
            status=next(statuses),
            total=Decimal("1234567.89") / (i + 1),
            currency=next(currencies),
            version=1,
        )
        for i, name in enumerate(NAMES)
    ]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OrderTable(id="orders")


def lines(drawn: list[list]) -> list[list[tuple]]:
    return [[(s.text, s.style, s.control) for s in line] for line in drawn]


def prepared_in_a_thread(rows: list[OrderRow], width: int, app: App[None]):
    """What the search's worker does: the page's cells and drawings, off the UI thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(prepare_page, rows, width, app.console).result()


@pytest.mark.parametrize(
    "size, prepared_for",
    [
        ((160, 40), None),
        ((120, 40), None),
        ((80, 24), None),
        ((160, 40), 160),  # the page's cells made in the worker, for this width
        ((120, 40), 120),
        ((80, 24), 80),
        ((160, 40), 80),  # made for a terminal that has since been widened: not used
    ],
)
async def test_cells_are_drawn_as_datatable_draws_them(size, prepared_for):
    app = TableApp()
    async with app.run_test(size=size) as pilot:
        table = app.query_one(OrderTable)
        rows = order_rows()
        selected = {rows[0].number, rows[3].number}
        prepared = prepared_in_a_thread(rows, prepared_for, app) if prepared_for else None
        table.show(rows, selected, 2, prepared)
        await pilot.pause()
        if prepared is not None:
            shown = [
                [table.get_cell_at((r, c)) for c in range(len(table.columns))]
                for r in range(len(rows))
            ]
            used = prepared_for == size[0]
            for r, row in enumerate(rows):
                made_here = row.number in selected or not used
                pairs = zip(shown[r], prepared.cells[r], strict=used)
                assert all((a is b) is not made_here for a, b in pairs)
                if not made_here:  # and drawn ahead, at the widths the columns have
                    for cell, spec in zip(shown[r], table.ordered_columns, strict=True):
                        inner = spec.get_render_width(table) - 2 * table.cell_padding
                        assert _cell_key(cell, inner) in prepared.drawings
        zebra = table.get_component_styles("datatable--odd-row").rich_style
        compared = 0
        for row in range(len(rows)):
            for column, spec in enumerate(table.ordered_columns):
                width = spec.get_render_width(table)
                for base in (table.rich_style, zebra):
                    for cursor, hover in ((False, False), (True, False), (False, True)):
                        table._cell_render_cache.clear()
                        ours = table._render_cell(row, column, base, width, cursor, hover)
                        table._cell_render_cache.clear()
                        theirs = DataTable._render_cell(
                            table, row, column, base, width, cursor, hover
                        )
                        assert lines(ours) == lines(theirs), (NAMES[row], spec.label)
                        compared += 1
        assert compared == len(rows) * len(table.ordered_columns) * 6


def test_the_line_below_the_list_names_an_order_without_a_customer_name():
    anonymous = order_rows()[NAMES.index("")]._replace(name="Phone order")
    assert "Phone order · US · (no name) · " in row_detail(anonymous, 200).plain


async def test_an_order_without_a_customer_name_says_so_dimly_in_its_cell():
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(OrderTable)
        rows = order_rows()
        table.show(rows, set(), 0, None)
        await pilot.pause()
        customers = list(table.columns).index("customer")
        anonymous = table.get_cell_at((NAMES.index(""), customers))
        assert anonymous.plain == "(no name)" and anonymous.style == "dim"
        named = table.get_cell_at((NAMES.index("Mercy Taylor"), customers))
        assert named.plain == "Mercy Taylor" and not named.style
        for payload in PAYLOADS[:12]:  # a name is data, even one that looks like markup
            cell = table.get_cell_at((NAMES.index(payload.stored), customers))
            assert cell.plain != "(no name)" and not cell.spans
