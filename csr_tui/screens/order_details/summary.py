"""Summary: the order at a glance, read-only. Who and what on the left, the money on the
right (each discount with its amount), then each shipment with its status, method, ship-to
and line items. Long text wraps instead of being cut; the pane scrolls (arrows, PageUp and
PageDown) when the order is longer than the terminal."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from csr_tui.domain.orders import PurchaseOrder
from csr_tui.screens.order_details.form import line_discounts
from csr_tui.screens.widgets.formatting import (
    amount,
    balance,
    local_time,
    money,
    shipment_line,
    status_text,
)
from csr_tui.screens.widgets.safe_text import plain, text


def order_facts(order: PurchaseOrder) -> Group:
    cur = order.currency
    account = "" if order.customer_id is not None else " (no customer account)"
    return Group(
        text((order.number, "bold"), "  ", status_text(order.status)),
        plain(f"Market: {order.market.name} · {cur.code}"),
        plain(f"Created {local_time(order.created_at)} by {order.created_by} · {order.name}"),
        text(("Customer: ", "bold"), order.customer_name or "(no name)", (account, "dim")),
        plain(f"Email: {order.customer_email or '—'}"),
        plain(f"Phone: {order.customer_phone or '—'}"),
    )


def money_table(order: PurchaseOrder) -> Table:
    """Subtotal to balance due, right-aligned, each discount on its own line."""
    cur = order.currency
    t = order.totals()
    table = Table(box=None, show_header=False, padding=(0, 0, 0, 1))
    table.add_column(justify="left")
    table.add_column(justify="right")

    def row(label: Text, value: str, style: str = "") -> None:
        table.add_row(label, plain(value, style))

    row(plain("Subtotal"), money(t.subtotal, cur))
    if lines_off := line_discounts(order):
        row(plain("  incl. line discounts", "dim"), f"−{money(lines_off, cur)}", "dim")
    for discount, off in order.discount_amounts():
        row(text("  ", discount.description), f"−{money(off, cur)}")
    if not order.discounts:  # none: 0.00, not minus zero
        row(plain("Discounts"), money(t.discount, cur))
    row(plain("Shipping"), money(t.shipping, cur))
    row(plain("Tax"), money(t.tax, cur))
    row(plain("Total", "bold"), money(t.total, cur), "bold")
    row(plain("Paid"), money(t.paid, cur))
    label, owed = balance(t)
    row(plain(label, "bold"), money(owed, cur), "bold")
    return table


def shipments(order: PurchaseOrder) -> Group:
    cur = order.currency
    parts: list[RenderableType] = []
    for shipment in order.shipments:
        parts.append(plain(""))
        parts.append(shipment_line(shipment, order))
        items = Table(box=None, padding=(0, 1), header_style="dim", expand=True)
        items.add_column(plain("SKU"), no_wrap=True)
        items.add_column(plain("Item"), ratio=1, overflow="fold")
        for label in ("Qty", "Price", "Disc.", f"Total {cur.code}"):
            items.add_column(plain(label), justify="right", no_wrap=True)
        for line in shipment.line_items:
            items.add_row(
                plain(line.sku),
                plain(line.name),
                plain(line.quantity),
                plain(amount(line.placed_price, cur)),
                plain(amount(line.discount, cur)),
                plain(amount(line.total(cur), cur)),
            )
        parts.append(items if shipment.line_items else plain("  No items.", "dim"))
    return Group(*parts)


class SummaryPane(VerticalScroll):
    DEFAULT_CSS = """
    SummaryPane { height: 1fr; padding: 0 1; }
    SummaryPane > Horizontal { height: auto; }
    SummaryPane #summary-facts { width: 1fr; height: auto; }
    SummaryPane #summary-money { width: auto; max-width: 50%; height: auto; min-width: 30; }
    SummaryPane #summary-shipments { height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static(id="summary-facts")
            yield Static(id="summary-money")
        yield Static(id="summary-shipments")

    def show(self, order: PurchaseOrder) -> None:
        self.query_one("#summary-facts", Static).update(order_facts(order))
        self.query_one("#summary-money", Static).update(money_table(order))
        self.query_one("#summary-shipments", Static).update(shipments(order))
