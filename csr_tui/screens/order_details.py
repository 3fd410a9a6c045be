"""Order Details: the order, its shipments and line items, totals, payments, notes and
history, and every action the seed gives an agent on a purchase order.

Add Payment, Hold and Release OnHold, Cancel Order, the shipment flow (Release, Add to
Picklist, Complete), a note, Reorder; and while the order is In Progress, its shipments
(address, method) and line items. Keys act on the shipment of the highlighted line. Only
what the order's state allows is offered; the rules still explain a refusal.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from csr_tui.domain.errors import DomainError, ValidationError
from csr_tui.domain.orders import OrderGroup, PurchaseOrder, Shipment
from csr_tui.domain.statuses import OrderStatus, ShipmentStatus
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.form import Field, FormScreen
from csr_tui.screens.group_editor import GroupEditorScreen
from csr_tui.screens.pick_one import PickOneScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import KeyFooter
from csr_tui.screens.widgets.formatting import local_time, money, status_text, totals_table
from csr_tui.screens.widgets.safe_text import lines, plain, text
from csr_tui.services import AuditEntry, OrderRef

OPEN = (OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED)
EDITS = ("edit_shipment", "add_items", "add_shipment", "remove_line", "coupon", "discount")


def effective(shipment: Shipment) -> ShipmentStatus:
    """A shipment's status, looking through On Hold to where it will resume."""
    if shipment.status is ShipmentStatus.ON_HOLD and shipment.status_before_hold:
        return shipment.status_before_hold
    return shipment.status


class OrderDetailsScreen(GroupEditorScreen):
    TITLE = "Order Details"
    DEFAULT_CSS = """
    OrderDetailsScreen #body { padding: 0 1; }
    OrderDetailsScreen #head, OrderDetailsScreen #shipments { height: auto; margin-top: 1; }
    OrderDetailsScreen #lines { height: auto; max-height: 12; margin-top: 1; }
    OrderDetailsScreen #totals, OrderDetailsScreen #more { height: auto; margin-top: 1; }
    OrderDetailsScreen #status { height: 1; padding: 0 1; background: $panel; }
    """
    # Most used first: a narrow footer shows what fits, in this order.
    BINDINGS = [
        Binding("p", "add_payment", "Payment", id="details.add_payment"),
        Binding("r", "release_shipment", "Release", id="details.release_shipment"),
        Binding("l", "add_to_picklist", "Picklist", id="details.add_to_picklist"),
        Binding("s", "complete_shipment", "Complete", id="details.complete_shipment"),
        Binding("h", "hold", "Hold", id="details.hold"),
        Binding("u", "release_hold", "Release hold", id="details.release_hold"),
        Binding("c", "cancel_order", "Cancel order", id="details.cancel_order"),
        Binding("n", "add_note", "Note", id="details.add_note"),
        Binding("e", "edit_shipment", "Shipment", id="details.edit_shipment"),
        Binding("a", "add_items", "Items", id="details.add_items"),
        Binding("d", "discount", "Discount", id="details.discount"),
        Binding("i", "check_inventory", "Inventory", id="details.check_inventory"),
        Binding("o,ctrl+r", "reorder", "Reorder", id="details.reorder"),
        Binding("f5", "refresh", "Refresh", id="details.refresh"),
        Binding("escape", "app.pop_screen", "Back", id="details.back"),
        Binding("delete", "remove_line", "Remove item", id="details.remove_line", show=False),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.ref = OrderRef(number)

    @property
    def order(self) -> PurchaseOrder | None:
        assert self.group is None or isinstance(self.group, PurchaseOrder)
        return self.group

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static(plain(f"Loading {self.number}…"), id="head")
            yield Static(id="shipments")
            yield DataTable(cursor_type="row", id="lines")
            yield Static(id="totals")
            yield Static(id="more")
        yield Static(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = self.number
        self.add_line_columns()
        self.query_one("#lines", DataTable).focus()
        self.load()

    # -- loading and showing ------------------------------------------------------------

    def action_refresh(self) -> None:
        self.load()

    @background("order-load")
    def load(self) -> None:
        try:
            order = self.services.get_order(self.number)
        except DomainError as error:
            self.app.call_from_thread(self.problem, str(error))
            return
        self.app.call_from_thread(self.show, order)

    def show(self, group: OrderGroup) -> None:
        assert isinstance(group, PurchaseOrder)
        self.group = group
        cur = group.currency
        contact = " · ".join(
            p
            for p in (
                group.customer_name or "(no name)",
                group.customer_email or "",
                group.customer_phone,
            )
            if p
        )
        self.query_one("#head", Static).update(
            Group(
                text(
                    (group.number, "bold"),
                    "  ",
                    status_text(group.status),
                    f"  {group.market.name} ({cur.code})",
                ),
                plain(
                    f"Created {local_time(group.created_at)} by {group.created_by} · {group.name}"
                ),
                plain(f"Customer: {contact}" + ("  (no account)" if group.is_anonymous else "")),
            )
        )
        shipments = []
        for s in group.shipments:
            method = (
                f"{s.shipping_method.name} {money(s.shipping_method.cost, cur)}"
                if s.shipping_method
                else "no shipping method"
            )
            address = s.shipping_address.one_line() if s.shipping_address else "no address"
            shipments.append(text((f"{s.label}  ", "bold"), status_text(s.status), f"  {method}"))
            shipments.append(plain(f"  Ship to: {address}", "dim"))
        self.query_one("#shipments", Static).update(Group(*shipments))
        self.fill_lines(group)
        discounts = [plain(f"Discount: {d.description}", "dim") for d in group.discounts]
        self.query_one("#totals", Static).update(
            Group(totals_table(group.totals(), payments=True), *discounts)
        )
        self.show_more(group, [])
        self.load_history()
        self.refresh_bindings()
        self.set_status(self.hint(group))

    def hint(self, order: PurchaseOrder) -> Text:
        due = order.totals().balance_due
        if order.status is OrderStatus.ON_HOLD:
            return plain("On hold: U releases the hold.", "bold red")
        if order.status is OrderStatus.IN_PROGRESS and due > 0:
            return plain(f"{money(due, order.currency)} due: it must be paid (P) before release.")
        return plain(f"{order.status.value}. Keys act on the highlighted line's shipment.")

    def show_more(self, order: PurchaseOrder, history: list[AuditEntry]) -> None:
        cur = order.currency
        parts: list[Text] = [plain("Payments", "bold")]
        parts += [
            plain(
                f"{local_time(p.created_at)}  {p.method.name}  {money(p.amount, cur)}  "
                f"{p.status.value}  by {p.created_by}"
            )
            for p in order.payments
        ] or [plain("No payments.", "dim")]
        parts.append(lines("\nNotes", "bold"))
        parts += [
            text(
                (f"{local_time(n.created_at)} {n.created_by}: ", "dim"),
                (n.description, "bold"),
                " ",
                lines(n.text),
            )
            for n in order.notes
        ] or [plain("No notes.", "dim")]
        if history:
            parts.append(lines("\nHistory", "bold"))
            for entry in history:
                created = all(c.get("before") is None for c in entry.changes.values())
                fields = "" if created else f" ({', '.join(entry.changes)})"[:80]
                parts.append(
                    plain(f"{local_time(entry.at)} {entry.agent}: {entry.action}{fields}", "dim")
                )
        self.query_one("#more", Static).update(Group(*parts))

    @background("order-history")
    def load_history(self) -> None:
        try:
            history = self.services.order_history(self.number)
        except DomainError:
            return
        order = self.order
        if order is not None:
            self.app.call_from_thread(self.show_more, order, history)

    # -- what the order's state offers ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        order = self.order
        if order is None:
            return action in ("refresh", "app.pop_screen")
        shipment = order.shipment(self.current_shipment())
        status, ship = order.status, effective(shipment)
        held = status is OrderStatus.ON_HOLD
        offered = {
            "add_payment": (status is OrderStatus.IN_PROGRESS or held)
            and order.totals().balance_due > 0,
            "hold": status in OPEN,
            "release_hold": held,
            "cancel_order": status is OrderStatus.IN_PROGRESS or held,
            "release_shipment": (status in OPEN or held)
            and ship in (ShipmentStatus.AWAITING_INVENTORY, ShipmentStatus.INVENTORY_ASSIGNED),
            "add_to_picklist": ship is ShipmentStatus.RELEASED,
            "complete_shipment": ship is ShipmentStatus.PACKING,
            "check_inventory": status in OPEN
            and any(s.status is ShipmentStatus.AWAITING_INVENTORY for s in order.shipments),
        }
        if action in offered:
            return offered[action]
        if action in EDITS:
            return status is OrderStatus.IN_PROGRESS or held
        return True

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()  # the shipment-flow keys follow the highlighted shipment

    # -- actions on the order ------------------------------------------------------------------

    @background("order-action")
    def order_action(self, action: str, *args: object) -> None:
        order = self.order
        if order is None:
            return
        try:
            updated = getattr(self.services, action)(order.number, order.version, *args)
        except DomainError as error:
            self.refused(error)
            return
        self.app.call_from_thread(self.saved, updated)

    def saved(self, group: OrderGroup) -> None:
        """Shown here, and the order list behind shows the new status and total."""
        self.show(group)
        self.csr.order_changed()

    def action_hold(self) -> None:
        self.order_action("place_on_hold")

    def action_release_hold(self) -> None:
        self.order_action("release_hold")

    def action_release_shipment(self) -> None:
        self.order_action("release_shipment", self.current_shipment())

    def action_add_to_picklist(self) -> None:
        self.order_action("add_to_picklist", self.current_shipment())

    def action_complete_shipment(self) -> None:
        self.order_action("complete_shipment", self.current_shipment())

    def action_check_inventory(self) -> None:
        self.order_action("check_inventory")

    def action_cancel_order(self) -> None:
        order = self.order
        if order is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.order_action("cancel_order")

        self.app.push_screen(
            ConfirmScreen(
                f"Cancel order {order.number} of {order.customer_name or 'this customer'}?\n\n"
                "The order and its shipments become Canceled; reserved stock is returned.",
                "Cancel order",
                title="Cancel order",
            ),
            confirmed,
        )

    def action_add_payment(self) -> None:
        """Add Payment: the method (offered in this market), then the amount."""
        order = self.order
        if order is None:
            return
        options = [(m.code, m.name) for m in order.market.payment_methods]

        def method_chosen(code: str | None) -> None:
            if code is not None:
                self.ask_amount(order, code)

        self.app.push_screen(PickOneScreen("Add payment: method", options), method_chosen)

    def ask_amount(self, order: PurchaseOrder, method_code: str) -> None:
        cur = order.currency
        due = order.totals().balance_due
        method = order.market.payment_method(method_code)

        def pay(values: dict[str, str]) -> PurchaseOrder:
            try:
                amount = cur.parse(values["amount"], "amount")
            except ValidationError as error:
                raise ValidationError(str(error), "amount") from None
            return self.services.add_payment(order.number, order.version, method_code, amount)

        self.app.push_screen(
            FormScreen(
                f"Payment by {method.name}",
                [Field("amount", f"Amount ({cur.code})", str(cur.round(due)))],
                pay,
                submit_label="Save payment",
                intro=f"Balance due {money(due, cur)}.",
            ),
            self.changed_elsewhere,
        )

    def action_add_note(self) -> None:
        def add(values: dict[str, str]) -> PurchaseOrder:
            return self.services.add_note(self.number, values["description"], values["text"])

        self.app.push_screen(
            FormScreen(
                f"Note on {self.number}",
                [Field("description", "Description"), Field("text", "Details")],
                add,
                submit_label="Add note",
            ),
            self.changed_elsewhere,
        )

    def action_reorder(self) -> None:
        self.reorder()

    @background("reorder")
    def reorder(self) -> None:
        """Reorder: a new draft with this order's customer, addresses, shipping and items."""
        try:
            cart, notices = self.services.reorder(self.number)
        except DomainError as error:
            self.app.call_from_thread(self.problem, str(error))
            return
        assert cart.id is not None
        self.app.call_from_thread(self.csr.open_cart, cart.id, notices)
