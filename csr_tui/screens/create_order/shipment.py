"""Step 3, Shipment: where each shipment goes and how. The ship-to comes from the customer
(their default address, named, with their phone); F5 takes another from the address book
or a new one (Add Address, optionally added to the book). The shipping method is a list,
one method a line with its price: Enter uses the highlighted one and goes on. F7 adds a
second shipment."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static

from csr_tui.domain.catalog import Market
from csr_tui.domain.orders import Cart, Shipment
from csr_tui.screens.widgets.formatting import money
from csr_tui.screens.widgets.safe_text import option, plain


def shipment_line(shipment: Shipment, market: Market) -> str:
    address = shipment.shipping_address.one_line() if shipment.shipping_address else "no address"
    method = (
        f"{shipment.shipping_method.name} {money(shipment.shipping_method.cost, market.currency)}"
        if shipment.shipping_method
        else "no shipping method"
    )
    return f"{shipment.label}: {address} · {method}"


def complete(shipment: Shipment) -> bool:
    return shipment.shipping_address is not None and shipment.shipping_method is not None


class ShipmentStep(Vertical):
    BINDINGS = [
        Binding("f5", "screen.edit_shipment", "Address", id="wizard.edit_shipment"),
        Binding("f7", "screen.add_shipment", "+Shipment", id="wizard.add_shipment"),
        Binding("delete", "screen.remove_shipment", "Remove", id="wizard.remove_shipment"),
    ]

    class MethodChosen(Message):
        def __init__(self, number: int, code: str) -> None:
            super().__init__()
            self.number = number
            self.code = code

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.cart: Cart | None = None

    def compose(self) -> ComposeResult:
        yield Static(plain("Ship to", "bold"))
        yield OptionList(id="shipments")
        yield Static(id="method-title")
        yield OptionList(id="methods")
        yield Static(
            plain(
                "Enter: use the highlighted method and go on · F5: another address (book or "
                "new) · Tab: shipments · F7: add a shipment"
            ),
            classes="hint",
        )

    def focus_step(self) -> None:
        self.query_one("#methods", OptionList).focus()

    @property
    def number(self) -> int:
        """The shipment the step is about: the highlighted one."""
        assert self.cart is not None
        index = self.query_one("#shipments", OptionList).highlighted or 0
        return self.cart.shipments[min(index, len(self.cart.shipments) - 1)].number

    def show_cart(self, cart: Cart) -> None:
        first_time = self.cart is None or self.cart.market != cart.market
        number = self.number if self.cart is not None else None
        self.cart = cart
        shipments = self.query_one("#shipments", OptionList)
        shipments.clear_options()
        shipments.add_options(
            [
                option(plain(shipment_line(s, cart.market), "" if complete(s) else "yellow"))
                for s in cart.shipments
            ]
        )
        numbers = [s.number for s in cart.shipments]
        shipments.highlighted = numbers.index(number) if number in numbers else 0
        if first_time:
            self.show_methods(cart.market)
        self.follow_shipment()

    def show_methods(self, market: Market) -> None:
        width = max((len(m.name) for m in market.shipping_methods), default=0)
        methods = self.query_one("#methods", OptionList)
        methods.clear_options()
        for m in market.shipping_methods:
            line = plain(f"{m.name:<{width}}  {money(m.cost, market.currency):>14}")
            line.no_wrap, line.overflow = True, "ellipsis"
            methods.add_option(option(line, id=m.code))

    @on(OptionList.OptionHighlighted, "#shipments")
    def follow_shipment(self) -> None:
        """The method list shows the highlighted shipment's method (the first by default)."""
        if self.cart is None:
            return
        shipment = self.cart.shipment(self.number)
        self.query_one("#method-title", Static).update(
            plain(f"Shipping method of {shipment.label.lower()}", "bold")
        )
        codes = [m.code for m in self.cart.market.shipping_methods]
        current = shipment.shipping_method.code if shipment.shipping_method else None
        methods = self.query_one("#methods", OptionList)
        methods.highlighted = codes.index(current) if current in codes else 0

    @on(OptionList.OptionSelected, "#shipments")
    def to_methods(self) -> None:
        self.query_one("#methods", OptionList).focus()

    @on(OptionList.OptionSelected, "#methods")
    def method_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.post_message(self.MethodChosen(self.number, event.option.id))

    def next_incomplete(self) -> bool:
        """Highlight the next shipment that lacks an address or a method, if any."""
        assert self.cart is not None
        for index, shipment in enumerate(self.cart.shipments):
            if not complete(shipment):
                self.query_one("#shipments", OptionList).highlighted = index
                return True
        return False
