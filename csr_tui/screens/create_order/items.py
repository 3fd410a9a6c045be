"""Step 4, Items: the line-item search opens at once on an order without lines (SKU or 3+
characters; Enter adds and keeps it open for the next item; Esc comes back here). Here the
lines can be changed (E) and removed (Del); F6 adds more; Enter goes on to the review."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from csr_tui.domain.orders import Cart
from csr_tui.screens.widgets.formatting import money
from csr_tui.screens.widgets.safe_text import plain


class ItemsStep(Vertical):
    BINDINGS = [
        Binding("f6", "screen.add_items", "Add items", id="wizard.add_items"),
        Binding("e", "screen.edit_line", "Edit", id="wizard.edit_line"),
        Binding("delete", "screen.remove_line", "Remove", id="wizard.remove_line"),
    ]

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", id="lines")
        yield Static(id="items-total")
        yield Static(
            plain(
                "Enter: review the order · F6: add items · E: quantity, price, discount of "
                "the line · Del: remove it"
            ),
            classes="hint",
        )

    def focus_step(self) -> None:
        self.query_one("#lines", DataTable).focus()

    def show_cart(self, cart: Cart) -> None:
        count = cart.line_count()
        subtotal = money(cart.totals().subtotal, cart.currency)
        self.query_one("#items-total", Static).update(
            plain(
                f"{count} line{'' if count == 1 else 's'} · subtotal {subtotal}"
                if count
                else "No items yet: F6 adds some.",
                "bold" if count else "yellow",
            )
        )
