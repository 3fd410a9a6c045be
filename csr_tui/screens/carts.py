"""Carts: open shopping carts and draft orders. Enter opens one (Cart Details, from where
Convert to Purchase Order takes it through the create-order steps); Delete removes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from csr_tui.domain.errors import DomainError
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import KeyFooter
from csr_tui.screens.widgets.formatting import items, local_time
from csr_tui.screens.widgets.safe_text import plain
from csr_tui.services import CartRow

if TYPE_CHECKING:
    from csr_tui.app import CsrApp


class CartsScreen(Screen[None]):
    TITLE = "Carts"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="carts.back"),
        Binding("enter", "open", "Open cart", id="carts.open", priority=True),
        Binding("delete", "delete", "Delete cart", id="carts.delete"),
        Binding("ctrl+n", "new_order", "New order", id="carts.new_order"),
        Binding("f5", "refresh", "Refresh", id="carts.refresh"),
    ]
    DEFAULT_CSS = """
    CartsScreen DataTable { height: 1fr; }
    CartsScreen #status { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.carts: list[CartRow] = []

    @property
    def csr(self) -> CsrApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Static(plain("Loading carts…"), id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (
            ("Cart", 17),
            ("Customer", 19),
            ("Mkt", 3),
            ("Items", 5),
            ("Updated", 16),
            ("By", 8),
        ):
            table.add_column(label, width=width)
        table.focus()
        self.csr.hold_keys(self)  # the keys typed behind F7 (Enter) wait for the carts
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load()

    @background("carts")
    def load(self) -> None:
        services = self.csr.services
        assert services is not None
        try:
            try:
                carts = services.list_carts()
            except DomainError as error:
                self.app.call_from_thread(self.notify, str(error), severity="error")
                return
            self.app.call_from_thread(self.show, carts)
        finally:
            self.app.call_from_thread(self.csr.release_keys, self)

    def show(self, carts: list[CartRow]) -> None:
        self.carts = carts
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for cart in carts:
            table.add_row(
                plain(cart.name),
                plain(cart.customer_name) if cart.customer_name else plain("(no customer)", "dim"),
                plain(cart.market_code),
                plain(cart.line_count, justify="right"),
                plain(local_time(cart.updated_at)),
                plain(cart.updated_by),
                key=str(cart.id),
            )
        if carts:
            table.move_cursor(row=min(row, len(carts) - 1))
        status = f"{len(carts):,} carts" if carts else "No open carts. Ctrl+N starts a new order."
        self.query_one("#status", Static).update(plain(status))

    @property
    def current(self) -> CartRow | None:
        table = self.query_one(DataTable)
        if not self.carts or not 0 <= table.cursor_row < len(self.carts):
            return None
        return self.carts[table.cursor_row]

    def action_open(self) -> None:
        cart = self.current
        if cart is not None:
            self.csr.open_cart_details(cart.id)

    def action_new_order(self) -> None:
        self.csr.new_order()

    def action_delete(self) -> None:
        cart = self.current
        if cart is None:
            return
        who = f" of {cart.customer_name}" if cart.customer_name else ""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(cart)

        self.app.push_screen(
            ConfirmScreen(
                f"Delete cart '{cart.name}'{who} ({items(cart.line_count)})?",
                "Delete cart",
                title="Delete cart",
            ),
            confirmed,
        )

    @background("carts-delete")
    def delete(self, cart: CartRow) -> None:
        services = self.csr.services
        assert services is not None
        try:
            services.delete_cart(cart.id, cart.version)
        except DomainError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
        else:
            self.app.call_from_thread(self.notify, f"Cart '{cart.name}' deleted.")
        self.app.call_from_thread(self.action_refresh)
