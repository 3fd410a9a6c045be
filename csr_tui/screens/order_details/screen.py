"""Order Details: one purchase order in four tabs (Summary, Form Details, Notes, History),
with every action the seed gives an agent on it.

Only what the order's state allows is offered (domain/offers.py): a key for anything else
does nothing, and the footer and the command palette do not show it. Actions on the whole
order (Add Payment, Hold, Release OnHold, Cancel Order, check inventory, a note, Reorder)
work from any tab; the form's own (a shipment's options menu, its edits and its flow, line
items, discounts, coupons) act on the highlighted row of Form Details. Release, Complete,
Cancel Order, Hold and every removal ask to confirm first.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Header, Static, TabbedContent, TabPane

from csr_tui.domain.errors import DomainError, ValidationError
from csr_tui.domain.offers import (
    LineAction,
    OrderAction,
    ShipmentAction,
    line_actions,
    order_actions,
    shipment_actions,
)
from csr_tui.domain.orders import OrderGroup, PurchaseOrder
from csr_tui.domain.statuses import OrderStatus, ShipmentStatus
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.form import Field, FormScreen
from csr_tui.screens.group_editor import GroupEditorScreen
from csr_tui.screens.order_details.form import FormPane, FormRow
from csr_tui.screens.order_details.history import HistoryPane
from csr_tui.screens.order_details.notes import NotesPane
from csr_tui.screens.order_details.shipment_menu import ShipmentMenuScreen
from csr_tui.screens.order_details.summary import SummaryPane
from csr_tui.screens.pick_one import PickOneScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.footer import KeyFooter
from csr_tui.screens.widgets.formatting import money
from csr_tui.screens.widgets.safe_text import plain
from csr_tui.services import AuditEntry, OrderRef

TABS = ("summary", "form", "notes", "history")
TAB_TITLES = ("1 Summary", "2 Form Details", "3 Notes", "4 History")
PANES: dict[str, type[Widget]] = {
    "summary": SummaryPane,
    "form": FormPane,
    "notes": NotesPane,
    "history": HistoryPane,
}
# Changes to the form: offered on the Form Details tab, where the highlighted row says where.
FORM_ONLY = {
    OrderAction.ADD_SHIPMENT,
    OrderAction.ADD_DISCOUNT,
    OrderAction.APPLY_COUPON,
    OrderAction.REMOVE_DISCOUNT,
}
ALWAYS = {"add_note", "reorder", "refresh", "back", "next_tab", "previous_tab", "show_tab"}
ORDER_ACTIONS = {a.value for a in OrderAction}
SHIPMENT_ACTIONS = {a.value for a in ShipmentAction} - ORDER_ACTIONS
LINE_ACTIONS = {a.value for a in LineAction}


class OrderDetailsScreen(GroupEditorScreen):
    TITLE = "Order Details"
    DEFAULT_CSS = """
    OrderDetailsScreen #tabs { height: 1fr; }
    OrderDetailsScreen #tabs > ContentSwitcher { height: 1fr; }
    OrderDetailsScreen TabPane { height: 1fr; padding: 0; }
    OrderDetailsScreen #status { height: auto; max-height: 2; padding: 0 1; background: $panel; }
    """
    # The footer shows what fits, in this order: what the highlighted row offers first,
    # then the order's next step, then the rest.
    BINDINGS = [
        Binding("enter", "edit_line", "Edit item", id="details.edit_line"),
        Binding("enter", "shipment_menu", "Options…", id="details.menu_enter", show=False),
        Binding("enter", "row_action", "Choose", id="details.row_action", show=False),
        Binding("delete", "remove_line", "Remove item", id="details.remove_line"),
        Binding("delete", "remove_discount", "Remove discount", id="details.remove_discount"),
        Binding("delete", "remove_shipment", "Remove shipment", id="details.remove_shipment"),
        Binding("m", "shipment_menu", "Options…", id="details.shipment_menu"),
        Binding("p", "add_payment", "Payment", id="details.add_payment"),
        Binding("r", "release_shipment", "Release", id="details.release_shipment"),
        Binding("l", "add_to_picklist", "Picklist", id="details.add_to_picklist"),
        Binding("s", "complete_shipment", "Complete", id="details.complete_shipment"),
        Binding("i", "check_inventory", "Inventory", id="details.check_inventory"),
        Binding("u", "release_hold", "Release hold", id="details.release_hold"),
        Binding("h", "hold", "Hold", id="details.hold"),
        Binding("c", "cancel_order", "Cancel order", id="details.cancel_order"),
        # Priority: the panes' scrolling would take these keys (to scroll sideways).
        Binding("ctrl+pagedown", "next_tab", "Next tab", id="details.next_tab", priority=True),
        Binding(
            "ctrl+pageup",
            "previous_tab",
            "Previous tab",
            id="details.previous_tab",
            show=False,
            priority=True,
        ),
        Binding("1", "show_tab('summary')", "Summary tab", id="details.summary", show=False),
        Binding("2", "show_tab('form')", "Form Details tab", id="details.form", show=False),
        Binding("3", "show_tab('notes')", "Notes tab", id="details.notes", show=False),
        Binding("4", "show_tab('history')", "History tab", id="details.history", show=False),
        Binding("n", "add_note", "Note", id="details.add_note"),
        Binding("e", "edit_shipment", "Edit shipment", id="details.edit_shipment"),
        Binding("a", "add_items", "Items", id="details.add_items"),
        Binding("plus", "add_shipment", "Shipment", id="details.add_shipment"),
        Binding("d", "discount", "Discount", id="details.discount"),
        Binding("k", "coupon", "Coupon", id="details.coupon"),
        Binding("o,ctrl+r", "reorder", "Reorder", id="details.reorder"),
        Binding("f5", "refresh", "Refresh", id="details.refresh"),
        Binding("escape", "back", "Back", id="details.back"),
    ]

    def __init__(self, number: str = "", *, created: bool = False) -> None:
        """The order `number`; without one, a screen built ahead for the next order opened
        (see `serve`)."""
        super().__init__()
        self.number = number
        self._created = created  # just created: the first status line says so
        self.ref = OrderRef(number)
        self._offered: frozenset[str] = frozenset()
        # Keys typed behind the one that opened the order wait for it to be read (its
        # actions are offered only then): `PO1042 Enter h` typed at once holds it.
        self._first_read = object()

    @property
    def order(self) -> PurchaseOrder | None:
        assert self.group is None or isinstance(self.group, PurchaseOrder)
        return self.group

    def compose(self) -> ComposeResult:
        yield Header()
        # Only the tab shown is built; the others are built when first shown (see pane).
        with TabbedContent(id="tabs"):
            with TabPane(TAB_TITLES[0], id="summary"):
                yield SummaryPane(id="summary-pane")
            for tab, title in zip(TABS[1:], TAB_TITLES[1:], strict=True):
                yield TabPane(title, id=tab)
        yield Static(plain(f"Loading {self.number}…" if self.number else ""), id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(SummaryPane))  # now: the footer is built once for it
        if self.number:
            self.sub_title = self.number
            self.csr.hold_keys(self._first_read)
            self.load()

    def serve(self, number: str, *, created: bool = False) -> OrderDetailsScreen:
        """A screen built ahead, before anyone knew which order it would show: this order's
        now. Once only."""
        assert not self.number and self.group is None, "a screen already showing an order"
        self.number = number
        self.ref = OrderRef(number)
        self._created = created
        self.sub_title = number
        self.query_one("#status", Static).update(plain(f"Loading {number}…"))
        self.csr.hold_keys(self._first_read)
        self.load()
        return self

    @property
    def form(self) -> FormPane:
        return self.query_one(FormPane)

    def built(self, tab: str) -> Widget | None:
        """The tab's pane, if it was shown before."""
        found = self.query(f"#{tab}-pane")
        return found.first() if found else None

    async def pane(self, tab: str) -> Widget:
        """The tab's pane, built and filled the first time the tab is shown."""
        found = self.built(tab)
        if found is not None:
            return found
        pane: Widget = PANES[tab](id=f"{tab}-pane")
        await self.query_one(f"TabPane#{tab}", TabPane).mount(pane)
        if self.order is not None and isinstance(pane, FormPane | NotesPane):
            pane.show(self.order)
        return pane

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active

    # -- loading and showing ------------------------------------------------------------

    def action_refresh(self) -> None:
        self.load()

    @background("order-load")
    def load(self) -> None:
        self.read_and_show(lambda: self.services.get_order(self.number), self._first_read)

    def show(self, group: OrderGroup) -> None:
        assert isinstance(group, PurchaseOrder)
        self.group = group
        self.query_one(SummaryPane).show(group)
        for tab in ("form", "notes"):
            pane = self.built(tab)
            if isinstance(pane, FormPane | NotesPane):
                pane.show(group)
        if self.tab == "history" and self.built("history") is not None:
            self.load_history()
        self.refresh_offers()
        status = self.describe(group)
        if self._created:
            self._created = False
            due = group.totals().balance_due
            if due > 0:  # as short as 80 columns need
                status = f"{money(due, group.currency)} due before release: P adds a payment."
            status = f"Order {group.number} created. {status}"
        self.set_status(status)

    def describe(self, order: PurchaseOrder) -> str:
        """The order as it is now, and what comes next for it."""
        due = order.totals().balance_due
        if order.status is OrderStatus.ON_HOLD:
            return "On hold: nothing is released, paid, changed or canceled until the hold ends."
        if order.status is OrderStatus.CANCELED:
            return "Canceled: the order and its shipments are canceled; reserved stock went back."
        if order.status is OrderStatus.COMPLETED:
            return "Completed: every shipment has shipped."
        if due > 0:
            return f"{money(due, order.currency)} due: it must be paid in full before release."
        steps = {
            ShipmentStatus.AWAITING_INVENTORY: "awaits inventory",
            ShipmentStatus.INVENTORY_ASSIGNED: "is ready to release",
            ShipmentStatus.RELEASED: "is released: add it to a picklist",
            ShipmentStatus.PACKING: "is packing: complete it once shipped",
            ShipmentStatus.SHIPPED: "has shipped",
        }
        told = "; ".join(
            f"{s.label} {steps[s.status]}"
            for s in order.shipments
            if s.line_items and s.status in steps
        )
        head = "Partially shipped" if order.status is OrderStatus.PARTIALLY_SHIPPED else "Paid"
        if due < 0:  # made cheaper after payment: csr-tui takes payments, it does not refund
            over = f"by {money(-due, order.currency)}: a refund is due"
            head = f"Overpaid {over}" if head == "Paid" else f"{head}; overpaid {over}"
        return f"{head}. {told}." if told else f"{head}."

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """The tab's pane takes the keys (arrows scroll it, or move in the form's table)."""
        tab = event.pane.id
        assert tab is not None
        pane = await self.pane(tab)
        if isinstance(pane, FormPane):
            pane.table.focus()
        else:
            pane.focus()
        if tab == "history" and self.order is not None:
            self.load_history()
        self.refresh_offers()

    @background("order-history")
    def load_history(self) -> None:
        try:
            history = self.services.order_history(self.number)
        except DomainError as error:
            self.app.call_from_thread(self.problem, str(error))
            return
        self.app.call_from_thread(self.show_history, history)

    def show_history(self, history: list[AuditEntry]) -> None:
        pane = self.built("history")
        if isinstance(pane, HistoryPane):
            pane.show(history)

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_offers()  # what the footer offers follows the highlighted row

    def refresh_offers(self) -> None:
        """Refresh the footer and the palette when what they offer changed (the footer is
        rebuilt on every refresh: moving along the form must stay quick)."""
        offered = frozenset(b.action for _, b in self._bindings if self.check_action(b.action, ()))
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    # -- tabs ------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_next_tab(self) -> None:
        self.action_show_tab(TABS[(TABS.index(self.tab) + 1) % len(TABS)])

    def action_previous_tab(self) -> None:
        self.action_show_tab(TABS[(TABS.index(self.tab) - 1) % len(TABS)])

    def action_back(self) -> None:
        self.app.pop_screen()
        self.csr.order_changed()  # the list shows the order as it is now

    # -- what the order's state offers ------------------------------------------------------

    def row(self) -> FormRow | None:
        form = self.built("form") if self.tab == "form" else None
        return form.current() if isinstance(form, FormPane) else None

    def current_line(self) -> tuple[int, str] | None:
        row = self.row()
        if row is None or row.kind != "line" or row.shipment is None or row.sku is None:
            return None
        return row.shipment, row.sku

    def current_shipment(self) -> int:
        row = self.row()
        if row is not None and row.shipment is not None:
            return row.shipment
        return super().current_shipment()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        order = self.order
        if self.removed:  # deleted by another agent: it can be read, not acted on
            return action in ("refresh", "back", "next_tab", "previous_tab", "show_tab")
        if action in ALWAYS:
            return order is not None or action in ("refresh", "back")
        if order is None:
            return False
        row = self.row()
        if action in ORDER_ACTIONS:
            offered = OrderAction(action) in order_actions(order)
            if action == OrderAction.REMOVE_DISCOUNT:
                return offered and row is not None and row.kind == "discount"
            return offered and (action not in FORM_ONLY or row is not None)
        if action == "row_action":
            return row is not None and row.kind == "action"
        if row is None or row.shipment is None:
            return action not in SHIPMENT_ACTIONS | LINE_ACTIONS | {"shipment_menu"}
        if action in SHIPMENT_ACTIONS:
            if action == ShipmentAction.REMOVE and row.kind != "shipment":
                return False
            return ShipmentAction(action) in shipment_actions(order, row.shipment)
        if action in LINE_ACTIONS:
            return row.kind == "line" and LineAction(action) in line_actions(order, row.shipment)
        if action == "shipment_menu":
            return bool(self.menu_entries(order, row.shipment))
        return True

    def menu_entries(self, order: PurchaseOrder, number: int) -> list[tuple[ShipmentAction, str]]:
        offered = shipment_actions(order, number)
        keys = {
            b.action: self.app.get_key_display(b) for _, b in self._bindings if b.action in offered
        }
        return [(a, keys.get(a.value, "")) for a in ShipmentAction if a in offered]

    # -- the form's rows -------------------------------------------------------------------

    def action_shipment_menu(self) -> None:
        order, number = self.order, self.current_shipment()
        if order is None:
            return

        def chosen(action: str | None) -> None:
            if action is not None:
                self.call_later(self.run_action, action)

        self.app.push_screen(
            ShipmentMenuScreen(
                f"{order.shipment(number).label} of {order.number}",
                self.menu_entries(order, number),
            ),
            chosen,
        )

    def action_row_action(self) -> None:
        row = self.row()
        if row is not None and row.action:
            self.call_later(self.run_action, row.action)

    def confirm(
        self, question: str, label: str, then: Callable[[], object], title: str = ""
    ) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmScreen(question, label, title=title or label), answered)

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
        done = self.inventory_checked if action == "check_inventory" else self.saved
        self.app.call_from_thread(done, updated)

    def saved(self, group: OrderGroup) -> None:
        """Shown here, and the order list behind shows the new status and total. A save
        that changed nothing says so (and wrote nothing)."""
        unchanged = self.group is not None and group.version == self.group.version
        super().saved(group)
        if unchanged:
            self.notify("Nothing changed: it was already so.", timeout=4)
        else:
            self.csr.order_changed()

    def inventory_checked(self, order: PurchaseOrder) -> None:
        waiting = [s for s in order.shipments if s.status is ShipmentStatus.AWAITING_INVENTORY]
        names = ", ".join(s.label.lower() for s in waiting)
        unchanged = self.group is not None and order.version == self.group.version
        GroupEditorScreen.saved(self, order)
        if unchanged:
            self.notify(f"Stock does not cover {names} yet: nothing changed.", timeout=6)
            return
        self.csr.order_changed()
        self.notify(
            f"Inventory assigned; {names} still waits." if waiting else "Inventory assigned."
        )

    def action_hold(self) -> None:
        if self.order is not None:
            self.confirm(
                f"Put order {self.order.number} on hold?\n\nWhile it is on hold nothing on it "
                "can be released, paid, changed or canceled.",
                "Hold",
                lambda: self.order_action("place_on_hold"),
            )

    def action_release_hold(self) -> None:
        self.order_action("release_hold")

    def action_cancel_order(self) -> None:
        order = self.order
        if order is not None:
            self.confirm(
                f"Cancel order {order.number} of {order.customer_name or 'this customer'}?\n\n"
                "The order and its shipments become Canceled; reserved stock is returned.",
                "Cancel order",
                lambda: self.order_action("cancel_order"),
            )

    def action_release_shipment(self) -> None:
        order, number = self.order, self.current_shipment()
        if order is not None:
            self.confirm(
                f"Release shipment {number} of {order.number} for shipping?\n\n"
                "The warehouse can pick it; it can no longer be changed.",
                "Release",
                lambda: self.order_action("release_shipment", number),
            )

    def action_add_to_picklist(self) -> None:
        self.order_action("add_to_picklist", self.current_shipment())

    def action_complete_shipment(self) -> None:
        order, number = self.order, self.current_shipment()
        if order is not None:
            self.confirm(
                f"Complete shipment {number} of {order.number}?\n\nIt is marked Shipped.",
                "Complete",
                lambda: self.order_action("complete_shipment", number),
            )

    def action_check_inventory(self) -> None:
        self.order_action("check_inventory")

    def action_remove_discount(self) -> None:
        order, row = self.order, self.row()
        if order is None or row is None or row.index is None:
            return
        discount = order.discounts[row.index]
        index = row.index
        self.confirm(
            f"Remove the {'coupon' if discount.coupon_code else 'discount'} "
            f"“{discount.description}” from order {order.number}?",
            "Remove",
            lambda: self.change("remove_discount", index),
            "Remove discount",
        )

    def action_remove_shipment(self) -> None:
        order, number = self.order, self.current_shipment()
        if order is not None:
            self.confirm(
                f"Remove shipment {number} from order {order.number}?",
                "Remove",
                lambda: self.change("remove_shipment", number),
                "Remove shipment",
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

        def added(order: OrderGroup | None) -> None:
            if order is not None:
                GroupEditorScreen.saved(self, order)  # the order's version stays: see add_note
                self.action_show_tab("notes")

        self.app.push_screen(
            FormScreen(
                f"Note on {self.number}",
                [Field("description", "Description"), Field("text", "Details")],
                add,
                submit_label="Add note",
            ),
            added,
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
