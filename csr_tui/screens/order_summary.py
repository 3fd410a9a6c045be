"""A purchase order, read-only: customer, shipments with their lines, totals, payments,
notes and history. Loaded in a worker; Escape goes back to the list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import PurchaseOrder
from csr_tui.screens.widgets.formatting import local_time, money, status_text, totals_table

if TYPE_CHECKING:
    from csr_tui.app import CsrApp
    from csr_tui.services import AuditEntry


def order_renderable(order: PurchaseOrder, history: list[AuditEntry]) -> RenderableType:
    cur = order.currency
    head = Text.assemble(
        (order.number, "bold"),
        "  ",
        status_text(order.status),
        f"  {order.market.name} ({cur.code})",
    )
    who = order.customer_name or "(no name)"
    contact = " · ".join(p for p in (who, order.customer_email or "", order.customer_phone) if p)
    parts: list[RenderableType] = [
        head,
        Text(f"Created {local_time(order.created_at)} by {order.created_by} · {order.name}"),
        Text(f"Customer: {contact}" + ("  (anonymous)" if order.is_anonymous else "")),
        Text(""),
    ]
    for shipment in order.shipments:
        method = (
            f"{shipment.shipping_method.name} ({money(shipment.shipping_method.cost, cur)})"
            if shipment.shipping_method
            else "no shipping method"
        )
        parts.append(
            Text.assemble(
                (f"{shipment.label}  ", "bold"), status_text(shipment.status), f"  {method}"
            )
        )
        address = shipment.shipping_address.one_line() if shipment.shipping_address else "none"
        parts.append(Text(f"Ship to: {address}", style="dim"))
        lines = Table(expand=True, box=None, padding=(0, 1))
        for name, justify in (
            ("SKU", "left"),
            ("Item", "left"),
            ("Qty", "right"),
            ("Price", "right"),
            ("Total", "right"),
        ):
            lines.add_column(name, justify=justify)  # type: ignore[arg-type]
        for line in shipment.line_items:
            lines.add_row(
                line.sku,
                line.name,
                str(line.quantity),
                money(line.placed_price, cur),
                money(line.total(cur), cur),
            )
        parts += [lines, Text("")]
    totals = totals_table(order.totals(), payments=True)
    parts.append(totals)
    for discount in order.discounts:
        parts.append(Text(f"Discount: {discount.description}", style="dim"))
    if order.payments:
        parts.append(Text("\nPayments", style="bold"))
        for p in order.payments:
            parts.append(
                Text(
                    f"{local_time(p.created_at)}  {p.method.name}  "
                    f"{money(p.amount, cur)}  {p.status.value}  by {p.created_by}"
                )
            )
    parts.append(Text("\nNotes", style="bold"))
    if not order.notes:
        parts.append(Text("No notes.", style="dim"))
    for note in order.notes:
        parts.append(
            Text.assemble(
                (f"{local_time(note.created_at)} {note.created_by}: ", "dim"),
                (note.description, "bold"),
                f" {note.text}",
            )
        )
    if history:
        parts.append(Text("\nHistory", style="bold"))
        for entry in history:
            created = all(c.get("before") is None for c in entry.changes.values())
            fields = "" if created else f" ({', '.join(entry.changes)})"[:80]
            parts.append(
                Text(f"{local_time(entry.at)} {entry.agent}: {entry.action}{fields}", style="dim")
            )
    return Group(*parts)


class OrderSummaryScreen(Screen[None]):
    TITLE = "Order details"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="summary.back"),
        Binding("f5", "refresh", "Refresh", id="summary.refresh"),
        Binding("ctrl+r", "reorder", "Reorder", id="summary.reorder"),
    ]
    DEFAULT_CSS = """
    OrderSummaryScreen #body { padding: 0 1; }
    """

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number

    @property
    def csr(self) -> CsrApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(f"Loading {self.number}…", id="body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="order-summary", exit_on_error=False)
    def load(self) -> None:
        services = self.csr.services
        assert services is not None
        try:
            order = services.get_order(self.number)
            history = services.order_history(self.number)
        except DomainError as error:
            self.app.call_from_thread(self.show_error, str(error))
            return
        self.app.call_from_thread(self.show, order, history)

    def action_reorder(self) -> None:
        self.reorder()

    @work(thread=True, exclusive=True, group="reorder", exit_on_error=False)
    def reorder(self) -> None:
        """Reorder: a new draft with this order's customer, addresses, shipping and items."""
        services = self.csr.services
        assert services is not None
        try:
            cart, notices = services.reorder(self.number)
        except DomainError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        assert cart.id is not None
        self.app.call_from_thread(self.csr.open_cart, cart.id, notices)

    def show(self, order: PurchaseOrder, history: list[AuditEntry]) -> None:
        self.sub_title = order.number
        self.query_one("#body", Static).update(order_renderable(order, history))

    def show_error(self, error: str) -> None:
        self.query_one("#body", Static).update(Text(error, style="bold red"))
        self.notify(error, severity="error")
