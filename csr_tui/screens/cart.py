"""Cart Details: a shopping cart or a draft order, as it is. Convert to Purchase Order
(Ctrl+S, or Enter) takes it through the create-order wizard's steps, prefilled, where it
is completed and created; Delete deletes it (after confirmation)."""

from __future__ import annotations

from rich.console import Group
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import Cart, OrderGroup
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.create_order.customer import contact_line
from csr_tui.screens.create_order.shipment import complete, shipment_line
from csr_tui.screens.group_editor import GroupEditorScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import KeyFooter
from csr_tui.screens.widgets.formatting import items, totals_table
from csr_tui.screens.widgets.safe_text import plain, text
from csr_tui.services import CartRef


class CartScreen(GroupEditorScreen):
    TITLE = "Cart Details"
    CSS_PATH = "cart.tcss"
    BINDINGS = [
        Binding("ctrl+s", "convert", "Convert to Purchase Order", id="cart.convert"),
        Binding("delete", "delete", "Delete cart", id="cart.delete"),
        Binding("f5", "refresh", "Refresh", id="cart.refresh", show=False),
        Binding("escape", "app.pop_screen", "Back", id="cart.back"),
    ]

    def __init__(self, cart_id: int) -> None:
        super().__init__()
        self.cart_id = cart_id
        self.ref = CartRef(cart_id)

    @property
    def cart(self) -> Cart | None:
        assert self.group is None or isinstance(self.group, Cart)
        return self.group

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static(plain("Loading the cart…"), id="contact")
            yield Static(id="shipments")
            yield DataTable(cursor_type="row", id="lines")
            yield Static(id="totals")
        yield Static(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.add_line_columns()
        self.query_one("#lines", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self.group is None:  # shown first: the keys typed behind Enter wait for the cart
            self.csr.hold_keys(self)
        self.load()  # shown first, and again back from the wizard: the cart as it now is

    def action_refresh(self) -> None:
        self.load()

    @background("cart-load")
    def load(self) -> None:
        self.read_and_show(lambda: self.services.get_cart(self.cart_id), self)

    def show(self, group: OrderGroup) -> None:
        assert isinstance(group, Cart)
        self.group = group
        self.sub_title = f"{group.name} · {group.market.name} ({group.currency.code})"
        self.query_one("#contact", Static).update(
            Group(
                text(*contact_line(group)),
                plain(f"Created by {group.created_by} · last changed by {group.updated_by}"),
            )
        )
        self.query_one("#shipments", Static).update(
            Group(
                *(
                    plain(shipment_line(s, group.market), "" if complete(s) else "yellow")
                    for s in group.shipments
                )
            )
        )
        self.fill_lines(group)
        coupons = ", ".join(group.coupon_codes())
        self.query_one("#totals", Static).update(
            Group(
                totals_table(group.totals(), payments=False),
                plain(f"Coupons: {coupons}" if coupons else "", "dim"),
            )
        )
        self.set_status("Ctrl+S or Enter: Convert to Purchase Order (the order's steps, filled in)")
        self.refresh_bindings()  # Convert and Delete are offered once the cart is read

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("convert", "delete"):
            return self.cart is not None and not self.removed
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.prevent_default()  # not GroupEditorScreen's: lines change in the wizard
        self.action_convert()

    def action_convert(self) -> None:
        """Convert to Purchase Order: the wizard, with this cart; Create Order there."""
        if self.check_action("convert", ()):
            self.csr.open_cart(self.cart_id, created_here=False)

    def action_delete(self) -> None:
        cart = self.cart
        if cart is None or not self.check_action("delete", ()):
            return
        who = f" of {cart.customer_name}" if cart.customer_name else ""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.delete(cart.version)

        self.app.push_screen(
            ConfirmScreen(
                f"Delete cart '{cart.name}'{who} ({items(cart.line_count())})?",
                "Delete cart",
                title="Delete cart",
            ),
            confirmed,
        )

    @background("cart-delete")
    def delete(self, version: int) -> None:
        try:
            self.services.delete_cart(self.cart_id, version)
        except DomainError as error:
            self.refused(error)
            return
        self.app.call_from_thread(self.deleted)

    def deleted(self) -> None:
        self.notify("Cart deleted.", timeout=4)
        self.app.pop_screen()
