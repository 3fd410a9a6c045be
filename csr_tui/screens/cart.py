"""Cart Details, which is also the create-order wizard and the Reorder draft.

Every change is saved to the cart at once, so a dropped call or a closed terminal loses
nothing: the cart waits under Carts (F7 on the order list). Create Order converts it to a
purchase order.
"""

from __future__ import annotations

from rich.console import Group
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Label, OptionList, Static

from csr_tui.domain.customers import Address
from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import Cart, OrderGroup
from csr_tui.screens.form import Field, FormScreen
from csr_tui.screens.group_editor import GroupEditorScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import KeyFooter
from csr_tui.screens.widgets.formatting import money, totals_table
from csr_tui.screens.widgets.safe_text import PlainInput, lines, option, plain, text
from csr_tui.services import CartRef, CustomerRow


class CartScreen(GroupEditorScreen):
    TITLE = "Cart Details"
    CSS_PATH = "cart.tcss"
    # Most important first: on a narrow terminal the footer shows what fits, in this order.
    BINDINGS = [
        Binding("ctrl+s", "create_order", "Create order", id="cart.create_order"),
        Binding("f6", "add_items", "Items", id="cart.add_items"),
        Binding("f5", "edit_shipment", "Shipment", id="cart.edit_shipment"),
        Binding("f2", "find_customer", "Customer", id="cart.find_customer"),
        Binding("f3", "new_customer", "New customer", id="cart.new_customer"),
        Binding("f4", "anonymous", "Guest", id="cart.anonymous"),
        Binding("f8", "coupon", "Coupon", id="cart.coupon"),
        Binding("f9", "discount", "Discount", id="cart.discount"),
        Binding("f7", "add_shipment", "+Shipment", id="cart.add_shipment"),
        Binding("escape", "back", "Back", id="cart.back"),
        Binding("delete", "remove_line", "Remove item", id="cart.remove_line", show=False),
        Binding("down", "customer_results", "Matches", id="cart.matches", show=False),
    ]

    def __init__(self, cart_id: int, notices: list[str] | None = None, *, new: bool = False):
        super().__init__()
        self.cart_id = cart_id
        self.ref = CartRef(cart_id)
        self.notices = notices or []
        self.new = new
        self.customers: list[CustomerRow] = []
        self._debounce: Timer | None = None
        self._searched = ""
        self._choose_first = False

    @property
    def cart(self) -> Cart | None:
        assert self.group is None or isinstance(self.group, Cart)
        return self.group

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static(id="contact")
            with Horizontal(id="customer-row"):
                yield Label("Customer")
                yield PlainInput(placeholder="any part of the name or email", id="customer")
            yield OptionList(id="customers")
            yield Static(id="notices")
            yield Static(id="shipments")
            yield DataTable(cursor_type="row", id="lines")
            yield Static(id="totals")
        yield Static(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "New order" if self.new else "Cart Details"
        self.query_one("#customers").display = False
        self.add_line_columns()
        self.query_one("#notices", Static).update(
            lines("\n").join(plain(notice, "yellow") for notice in self.notices)
        )
        self.query_one("#notices").display = bool(self.notices)
        self.load()

    # -- loading and showing ------------------------------------------------------------

    @background("cart-load")
    def load(self) -> None:
        try:
            cart = self.services.get_cart(self.cart_id)
        except DomainError as error:
            self.app.call_from_thread(self.problem, str(error))
            return
        self.app.call_from_thread(self.show, cart)

    def show(self, group: OrderGroup) -> None:
        assert isinstance(group, Cart)
        first_show = self.group is None
        self.group = group
        if first_show:
            if group.customer_name or group.customer_email:
                self.query_one("#lines", DataTable).focus()
            else:
                self.query_one("#customer", Input).focus()
        self.sub_title = f"{group.name} · {group.market.name} ({group.currency.code})"
        who = group.customer_name or group.customer_email
        if who:
            contact = text(
                ("Customer: ", "bold"),
                " · ".join(
                    p
                    for p in (group.customer_name, group.customer_email or "", group.customer_phone)
                    if p
                ),
                (" (no account)", "dim") if group.is_anonymous else "",
            )
        else:
            contact = plain(
                "No customer yet: type a name or email (F3 new customer, "
                "F4 guest: no customer account).",
                "yellow",
            )
        self.query_one("#contact", Static).update(contact)
        cur = group.currency
        shipments = []
        for s in group.shipments:
            address = s.shipping_address.one_line() if s.shipping_address else "no address"
            method = (
                f"{s.shipping_method.name} {money(s.shipping_method.cost, cur)}"
                if s.shipping_method
                else "no shipping method"
            )
            style = "" if s.shipping_address and s.shipping_method else "yellow"
            shipments.append(plain(f"{s.label}: {address} · {method}", style))
        self.query_one("#shipments", Static).update(Group(*shipments))
        self.fill_lines(group)
        totals = totals_table(group.totals(), payments=False)
        coupons = ", ".join(group.coupon_codes())
        self.query_one("#totals", Static).update(
            Group(totals, plain(f"Coupons: {coupons}" if coupons else "", "dim"))
        )
        count = group.line_count()
        empty = "" if self._line_keys else " · F6 adds line items"
        self.set_status(
            f"{count} item{'' if count == 1 else 's'} · saved as cart '{group.name}'{empty}"
            " · Ctrl+S creates the order"
        )

    # -- customer ------------------------------------------------------------------------

    def action_find_customer(self) -> None:
        self.query_one("#customer", Input).focus()

    @on(Input.Changed, "#customer")
    def customer_typed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.15, self.start_customer_search)

    def start_customer_search(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.find_customers(self.query_one("#customer", Input).value)

    @background("customer-search")
    def find_customers(self, typed: str) -> None:
        try:
            found = self.services.search_customers(typed) if typed.strip() else []
        except DomainError as error:
            self.app.call_from_thread(self.problem, str(error))
            return
        self.app.call_from_thread(self.show_customers, found, typed)

    def show_customers(self, found: list[CustomerRow], typed: str) -> None:
        if typed != self.query_one("#customer", Input).value:
            return  # the agent typed on since
        self.customers = found
        self._searched = typed
        if self._choose_first and found:
            self._choose_first = False
            self.choose_customer(found[0].id)
            return
        self._choose_first = False
        options = self.query_one("#customers", OptionList)
        options.clear_options()
        for c in found:
            options.add_option(option(f"{c.name}  {c.email or ''}  {c.phone}", id=str(c.id)))
        if typed.strip() and not found:
            options.add_option(
                option(f"No customer matches '{typed}' · F3 creates one", disabled=True)
            )
        options.display = bool(typed.strip())

    @on(Input.Submitted, "#customer")
    def customer_submitted(self) -> None:
        """Enter takes the highlighted match (the first unless Down moved it); typed ahead
        of the results, it takes the first match when they arrive."""
        options = self.query_one("#customers", OptionList)
        text = self.query_one("#customer", Input).value
        if self.customers and text == self._searched:
            index = options.highlighted or 0
            self.choose_customer(self.customers[min(index, len(self.customers) - 1)].id)
        elif text.strip():
            self._choose_first = True
            self.start_customer_search()

    def action_customer_results(self) -> None:
        options = self.query_one("#customers", OptionList)
        if self.customers and options.display:
            options.focus()
            options.highlighted = options.highlighted or 0

    @on(OptionList.OptionSelected, "#customers")
    def customer_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.choose_customer(int(event.option.id))

    def choose_customer(self, customer_id: int) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.customers = []
        self.query_one("#customers").display = False
        self.query_one("#customer", Input).value = ""
        self.change("set_customer", customer_id)
        self.query_one("#lines", DataTable).focus()

    def action_new_customer(self) -> None:
        def create(values: dict[str, str]) -> OrderGroup:
            address = None
            if any(values[k].strip() for k in ("line1", "city", "postal_code")):
                name = f"{values['first_name']} {values['last_name']}".strip()
                address = Address(
                    name=name,
                    line1=values["line1"],
                    city=values["city"],
                    postal_code=values["postal_code"],
                    country=values["country"],
                    phone=values["phone"],
                )
            customer = self.services.create_customer(
                values["first_name"],
                values["last_name"],
                values["email"],
                values["phone"],
                address,
            )
            assert customer.id is not None and self.cart is not None
            return self.services.set_customer(self.ref, self.cart.version, customer.id)

        fields = [
            Field("first_name", "First name"),
            Field("last_name", "Last name"),
            Field("email", "Email"),
            Field("phone", "Phone"),
            Field("line1", "Address line 1"),
            Field("city", "City"),
            Field("postal_code", "Postal code"),
            Field("country", "Country (ISO)", self.cart.market.code if self.cart else ""),
        ]
        self.app.push_screen(
            FormScreen(
                "Create Contact",
                fields,
                create,
                submit_label="Create contact",
                intro="The address is optional; it becomes the first in the book.",
            ),
            self.changed_elsewhere,
        )

    def action_anonymous(self) -> None:
        cart = self.cart

        def save(values: dict[str, str]) -> OrderGroup:
            assert cart is not None
            return self.services.set_anonymous_contact(
                self.ref, cart.version, values["name"], values["email"], values["phone"]
            )

        self.app.push_screen(
            FormScreen(
                "Order without a customer account",
                [
                    Field("name", "Name", cart.customer_name if cart else ""),
                    Field("email", "Email", (cart.customer_email or "") if cart else ""),
                    Field("phone", "Phone", cart.customer_phone if cart else ""),
                ],
                save,
                intro="A name or an email lets agents find the order again.",
            ),
            self.changed_elsewhere,
        )

    def changed_elsewhere(self, result: OrderGroup | None) -> None:
        if result is not None:
            self.show(result)

    # -- create the order -------------------------------------------------------------------

    def action_create_order(self) -> None:
        if self.cart is not None:
            self.create_order(self.cart.version)

    @background("cart-convert")
    def create_order(self, version: int) -> None:
        try:
            order = self.services.convert_cart(self.cart_id, version)
        except DomainError as error:
            self.app.call_from_thread(self.problem, str(error))
            return
        self.app.call_from_thread(self.created, order.number)

    def created(self, number: str) -> None:
        self.notify(
            f"Order {number} created. It must be paid before it can be released.",
            title="Order created",
            timeout=6,
        )
        self.csr.order_changed()
        self.app.pop_screen()
        self.csr.open_order(number)

    def action_back(self) -> None:
        options = self.query_one("#customers", OptionList)
        if options.display:
            options.display = False
            self.query_one("#customer", Input).value = ""
            return
        if self.cart is not None and self.cart.line_count():
            self.notify(f"Cart '{self.cart.name}' is saved under Carts (F7).", timeout=4)
        self.app.pop_screen()
