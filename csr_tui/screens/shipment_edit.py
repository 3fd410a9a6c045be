"""Edit a shipment: its shipping address and shipping method, saved together or not at all.

The address can be taken from the customer's address book or typed anew (Add Address
empties the fields); a new address stays on this order unless "Add to customer's address
book" is ticked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, OptionList, Static
from textual.worker import Worker, WorkerState

from csr_tui.domain.catalog import Market
from csr_tui.domain.customers import Address
from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import Shipment
from csr_tui.screens.form import FORM_CSS, NOT_SAVED, Field, field_rows, show_field_error
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.choices import ChoiceList, StopAtEnds, TickBox
from csr_tui.screens.widgets.footer import DialogFooter
from csr_tui.screens.widgets.formatting import money
from csr_tui.screens.widgets.safe_text import option, plain

ADDRESS_FIELDS = [
    ("name", "Name"),
    ("line1", "Address line 1"),
    ("line2", "Address line 2"),
    ("city", "City"),
    ("region", "Region/state"),
    ("postal_code", "Postal code"),
    ("country", "Country (ISO)"),
    ("phone", "Phone"),
]


@dataclass(frozen=True)
class ShipmentEdit:
    address: Address
    method_code: str | None
    add_to_address_book: bool


class ShipmentEditScreen(DialogFooter, ModalScreen[Any]):
    DEFAULT_CSS = (
        "ShipmentEditScreen { align: center middle; }\n"
        + FORM_CSS
        + """
    ShipmentEditScreen OptionList { height: auto; max-height: 5; border: none; }
    ShipmentEditScreen .section { margin-top: 1; text-style: bold; }
    ShipmentEditScreen TickBox { margin-top: 1; }
    """
    )
    BINDINGS = [
        Binding("escape", "cancel", "Back", id="shipment.cancel"),
        Binding("ctrl+s", "save", "Save", id="shipment.save", priority=True),
        Binding("f3", "add_address", "Add address", id="shipment.add_address"),
    ]

    def __init__(
        self,
        shipment: Shipment,
        market: Market,
        address_book: list[Address],
        save: Callable[[ShipmentEdit], Any],
        *,
        can_add_to_book: bool,
    ) -> None:
        super().__init__()
        self.shipment = shipment
        self.market = market
        self.address_book = address_book
        self.save_fn = save
        self.can_add_to_book = can_add_to_book
        self.busy = False

    def compose(self) -> ComposeResult:
        current = self.shipment.shipping_address
        with VerticalScroll(classes="form-box") as box:
            box.border_title = plain(f"Edit {self.shipment.label.lower()}")
            if self.address_book:
                yield Static(
                    plain("Address book (Enter copies an address below)"), classes="section"
                )
                yield StopAtEnds(
                    *(option(a.one_line(), id=str(i)) for i, a in enumerate(self.address_book)),
                    id="book",
                )
            yield Static(plain("Shipping address"), classes="section")
            yield from field_rows(
                [
                    Field(name, label, getattr(current, name) if current else "")
                    for name, label in ADDRESS_FIELDS
                ]
            )
            yield TickBox(
                plain("Add to customer's address book"),
                id="add-to-book",
                disabled=not self.can_add_to_book,
            )
            yield Static(plain("Shipping method"), classes="section")
            method = self.shipment.shipping_method
            yield ChoiceList(
                [
                    (m.code, f"{m.name}  {money(m.cost, self.market.currency)}")
                    for m in self.market.shipping_methods
                ],
                method.code if method else None,
                id="method",
            )
            yield Static(classes="form-error", id="form-error")
            yield Static(
                plain("Tab: next · F3: add address · Ctrl+S: save · Esc: back"), classes="form-hint"
            )
            with Horizontal(classes="form-buttons"):
                yield Button(plain("Back (Esc)"), id="cancel")
                yield Button(plain("Save (Ctrl+S)"), id="save", variant="primary")

    def on_mount(self) -> None:
        methods = self.query_one("#method", OptionList)
        current = self.shipment.shipping_method
        codes = [m.code for m in self.market.shipping_methods]
        methods.highlighted = codes.index(current.code) if current and current.code in codes else 0
        if self.address_book and self.shipment.shipping_address is None:
            self.query_one("#book", OptionList).focus()
        else:
            self.query_one("#f-name", Input).focus()

    def action_add_address(self) -> None:
        """Add Address: empty fields for an address that is not in the book."""
        for name, _ in ADDRESS_FIELDS:
            self.query_one(f"#f-{name}", Input).value = ""
        self.query_one("#f-name", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "book":
            address = self.address_book[int(event.option.id or 0)]
            for name, _ in ADDRESS_FIELDS:
                self.query_one(f"#f-{name}", Input).value = getattr(address, name)
            self.query_one("#f-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        names = [f"f-{name}" for name, _ in ADDRESS_FIELDS]
        index = names.index(event.input.id or "")
        if index + 1 < len(names):
            self.query_one(f"#{names[index + 1]}", Input).focus()
        else:
            self.query_one("#method", OptionList).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_save(self) -> None:
        if self.busy:
            return
        values = {name: self.query_one(f"#f-{name}", Input).value for name, _ in ADDRESS_FIELDS}
        edit = ShipmentEdit(
            Address(**values),
            self.query_one("#method", ChoiceList).value,
            self.query_one("#add-to-book", Checkbox).value,
        )
        self.busy = True
        for error in self.query(".field-error"):
            error.display = False
        self.query_one("#form-error", Static).update("")
        self.run_save(edit)

    @background("shipment-save")
    def run_save(self, edit: ShipmentEdit) -> None:
        try:
            result = self.save_fn(edit)
        except DomainError as error:
            self.app.call_from_thread(self.show_error, error)
            return
        self.app.call_from_thread(self.dismiss, result)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.busy = False
            self.query_one("#form-error", Static).update(NOT_SAVED)

    def show_error(self, error: DomainError) -> None:
        self.busy = False
        show_field_error(self, error, [name for name, _ in ADDRESS_FIELDS])
