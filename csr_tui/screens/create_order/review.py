"""Step 5, Review: the whole order on one screen (customer, shipments, lines, totals with
each discount's amount), coupons (type a code, Enter applies it; F8 goes to the field), a
discount (F9), and the reminder that the order must be paid before it can be released.
Ctrl+S (or Enter with no coupon typed) creates the order."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static

from csr_tui.domain.orders import Cart
from csr_tui.screens.create_order.customer import contact_line
from csr_tui.screens.create_order.shipment import complete, shipment_line
from csr_tui.screens.widgets.formatting import money, totals_table
from csr_tui.screens.widgets.safe_text import PlainInput, option, plain, text

REMINDER = "Although the order is created, it must be paid before it can be released."


class ReviewStep(VerticalScroll):
    BINDINGS = [
        Binding("f8", "coupon", "Coupon", id="wizard.coupon"),
        Binding("f9", "screen.discount", "Discount", id="wizard.discount"),
        Binding("delete", "screen.remove_discount", "Remove", id="wizard.remove_discount"),
    ]

    class CouponEntered(Message):
        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    class Confirmed(Message):
        """Enter with no coupon typed: create the order."""

    def compose(self) -> ComposeResult:
        yield Static(id="review-order")
        yield Static(id="review-lines")
        yield Static(id="review-totals")
        yield OptionList(id="discounts")
        with Horizontal(classes="search-row"):
            yield Label(plain("Coupon"))
            yield PlainInput(placeholder="a coupon code; Enter applies it", id="coupon")
        yield Static(plain(REMINDER, "yellow"), id="reminder")
        yield Static(
            plain(
                "Ctrl+S or Enter: create the order · F8: coupon · F9: discount · "
                "Del: remove the highlighted discount · Shift+Tab: back a step"
            ),
            classes="hint",
        )

    def focus_step(self) -> None:
        self.query_one("#coupon", Input).focus()

    def show_cart(self, cart: Cart) -> None:
        cur = cart.currency
        shipments = [
            plain(shipment_line(s, cart.market), "" if complete(s) else "yellow")
            for s in cart.shipments
        ]
        self.query_one("#review-order", Static).update(
            Group(
                text(*contact_line(cart)),
                plain(f"Market: {cart.market.name} ({cur.code})"),
                *shipments,
            )
        )
        lines = Table(box=None, padding=(0, 1), show_edge=False)
        for label, justify in (
            ("Shp", "left"),
            ("SKU", "left"),
            ("Item", "left"),
            ("Qty", "right"),
            ("Price", "right"),
            ("Total", "right"),
        ):
            lines.add_column(label, justify=justify, no_wrap=label != "Item")  # type: ignore[arg-type]
        for shipment in cart.shipments:
            for line in shipment.line_items:
                lines.add_row(
                    plain(shipment.number),
                    plain(line.sku),
                    plain(line.name),
                    plain(line.quantity),
                    plain(money(line.placed_price, cur)),
                    plain(money(line.total(cur), cur)),
                )
        self.query_one("#review-lines", Static).update(
            lines if cart.line_count() else plain("No items yet.", "yellow")
        )
        totals = cart.totals()
        self.query_one("#review-totals", Static).update(totals_table(totals, payments=False))
        discounts = self.query_one("#discounts", OptionList)
        discounts.clear_options()
        discounts.add_options(
            [
                option(f"{d.description}  −{money(d.amount(totals.subtotal, cur), cur)}")
                for d in cart.discounts
            ]
        )
        discounts.display = bool(cart.discounts)
        if cart.discounts:
            discounts.highlighted = 0

    def highlighted_discount(self) -> int | None:
        discounts = self.query_one("#discounts", OptionList)
        return discounts.highlighted if discounts.display and discounts.has_focus else None

    def action_coupon(self) -> None:
        self.query_one("#coupon", Input).focus()

    @on(Input.Submitted, "#coupon")
    def coupon_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.post_message(self.CouponEntered(event.value))
        else:
            self.post_message(self.Confirmed())

    def coupon_applied(self) -> None:
        self.query_one("#coupon", Input).value = ""
