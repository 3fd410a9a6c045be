"""The order table draws its cells itself (a page is drawn at every keystroke, and Textual's
general way cost most of the time from a page's arrival to the screen): what it draws must
be what DataTable would have drawn, cell for cell, style for style (the mouse's row and
column included), for every kind of text a row may hold and at every width."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import cycle

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from csr_tui.domain import OrderStatus
from csr_tui.screens.widgets.order_table import OrderTable
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


@pytest.mark.parametrize("size", [(160, 40), (120, 40), (80, 24)])
async def test_cells_are_drawn_as_datatable_draws_them(size):
    app = TableApp()
    async with app.run_test(size=size) as pilot:
        table = app.query_one(OrderTable)
        rows = order_rows()
        table.show(rows, {rows[0].number, rows[3].number}, 2)
        await pilot.pause()
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
