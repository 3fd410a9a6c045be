"""What Cart Details and Order Details share: a cart or order shown with its line items,
and edits that each run one service call in a worker, with the version the agent is
looking at, then show the saved result. A stale copy gets the service's message (who
changed it, when) and is reloaded.

While the screen is shown, the version is read every POLL_SECONDS (a cheap read of who
saved last): another agent's change is announced on the status line and in a toast, with
the key that reloads, before the agent's own change runs into it. Nothing the agent is
typing is touched."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from csr_tui.domain.customers import Address
from csr_tui.domain.errors import ConcurrentEditError, DomainError, NotFound, ValidationError
from csr_tui.domain.orders import OrderGroup, PurchaseOrder, parse_discount, parse_quantity
from csr_tui.screens.confirm import ConfirmScreen
from csr_tui.screens.form import Field, FormScreen, StaleCopy
from csr_tui.screens.shipment_edit import ShipmentEdit, ShipmentEditScreen
from csr_tui.screens.widgets.background import background
from csr_tui.screens.widgets.formatting import clock_time, money
from csr_tui.screens.widgets.safe_text import plain
from csr_tui.screens.widgets.styled_once import StyledOnce

if TYPE_CHECKING:
    from csr_tui.app import CsrApp
    from csr_tui.services import ChangeStamp, Ref, Services

POLL_SECONDS = 1.5
LINE_COLUMNS = (("Shp", 3), ("SKU", 12), ("Item", 0), ("Qty", 4), ("Price", 12), ("Total", 12))


class GroupEditorScreen(StyledOnce, Screen[None]):
    """Subclasses set `ref`, show a group in `show`, and fetch it again in `load`."""

    ref: Ref
    show: Callable[[OrderGroup], None]
    load: Callable[[], object]

    def __init__(self) -> None:
        super().__init__()
        self.group: OrderGroup | None = None
        self._line_keys: list[tuple[int, str]] = []
        self._refusal: str | None = None  # shown until the next change succeeds
        self._notice: str | None = None  # another agent's change, shown until reloaded
        self._noticed: ChangeStamp | None = None
        # Another agent deleted it (or made the cart an order): nothing more is offered.
        self.removed = False

    def on_mount(self) -> None:
        self.set_interval(POLL_SECONDS, self.watch_for_changes)

    @property
    def csr(self) -> CsrApp:
        return self.app  # type: ignore[return-value]

    @property
    def services(self) -> Services:
        assert self.csr.services is not None
        return self.csr.services

    # -- the line items table ------------------------------------------------------------

    def add_line_columns(self) -> None:
        """The item name takes what the terminal leaves: 80 columns still show every total."""
        lines = self.query_one("#lines", DataTable)
        item = max(16, min(40, self.app.size.width - 64))
        for label, width in LINE_COLUMNS:
            lines.add_column(label, width=width or item)

    def fill_lines(self, group: OrderGroup) -> None:
        table = self.query_one("#lines", DataTable)
        row = table.cursor_row
        table.clear()
        self._line_keys = []
        cur = group.currency
        for shipment in group.shipments:
            for line in shipment.line_items:
                self._line_keys.append((shipment.number, line.sku))
                table.add_row(
                    plain(shipment.number),
                    plain(line.sku),
                    plain(line.name),
                    plain(line.quantity, justify="right"),
                    plain(money(line.placed_price, cur), justify="right"),
                    plain(money(line.total(cur), cur), justify="right"),
                )
        if self._line_keys:
            table.move_cursor(row=min(row, len(self._line_keys) - 1))

    def current_line(self) -> tuple[int, str] | None:
        table = self.query_one("#lines", DataTable)
        if not self._line_keys or not 0 <= table.cursor_row < len(self._line_keys):
            return None
        return self._line_keys[table.cursor_row]

    def current_shipment(self) -> int:
        """The shipment of the highlighted line; else the last shipment."""
        line = self.current_line()
        if line is not None:
            return line[0]
        return self.group.shipments[-1].number if self.group and self.group.shipments else 1

    # -- one change = one service call -------------------------------------------------

    def problem(self, message: str) -> None:
        self._refusal = message
        self.query_one("#status", Static).update(plain(message, "bold red"))
        self.notify(message, severity="error", timeout=8)

    def read_and_show(self, read: Callable[[], OrderGroup], holder: object) -> None:
        """From a load worker: the group read and shown, or the reason why not; then the
        keys held for it (`holder`, held when the screen opened) go on."""
        try:
            try:
                group = read()
            except DomainError as error:
                self.app.call_from_thread(self.load_failed, error)
                return
            self.app.call_from_thread(self.show, group)
        finally:
            self.app.call_from_thread(self.csr.release_keys, holder)

    def load_failed(self, error: DomainError) -> None:
        """Reading the group again failed: if it no longer exists, stop offering changes."""
        if isinstance(error, NotFound):
            self.mark_removed()
        self.problem(str(error))

    def mark_removed(self) -> None:
        self.removed = True
        self.refresh_bindings()

    def set_status(self, status: Text | str) -> None:
        """The status line, unless a refusal or another agent's change is to be read there."""
        if self._notice is not None and not self._stale():
            self._notice = self._noticed = None
        shown = self._notice or self._refusal
        if shown is None:
            self.query_one("#status", Static).update(plain(status))
        else:
            self.query_one("#status", Static).update(plain(shown, "bold red"))

    # -- another agent's change ---------------------------------------------------------

    def watch_for_changes(self) -> None:
        from csr_tui.services import NewCart

        if self.group is None or self.removed or self.csr.services is None or not self._shown():
            return
        if not isinstance(self.ref, NewCart):  # a draft not saved yet: no one else sees it
            self.read_stamp(self.ref)

    def _shown(self) -> bool:
        """This screen is on top, or under dialogs only."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return all(isinstance(above, ModalScreen) for above in stack[stack.index(self) + 1 :])

    @background("change-watch")
    def read_stamp(self, ref: Ref) -> None:
        try:
            stamp = self.services.stamp(ref)
        except DomainError:
            return  # the next read tries again; the agent's next action says what is wrong
        self.app.call_from_thread(self.stamp_read, stamp)

    def stamp_read(self, stamp: ChangeStamp | None) -> None:
        group = self.group
        if group is None:
            return
        notice = self.change_notice(group, stamp)
        if notice is None or notice == self._notice:
            return
        if stamp is None:
            self.mark_removed()
        self._notice, self._noticed = notice, stamp
        self.query_one("#status", Static).update(plain(notice, "bold red"))
        self.notify(notice, title="Changed by another agent", severity="warning", timeout=10)

    def change_notice(self, group: OrderGroup, stamp: ChangeStamp | None) -> str | None:
        """What another agent did since the agent's copy was read; None if nothing."""
        key = self.reload_key()
        if stamp is None:
            if self.services.removed_by_me(self.ref):
                return None
            done = "deleted" if isinstance(group, PurchaseOrder) else "deleted or made an order"
            return f"{group.label} was {done} by another agent."
        mine, my_note = self.services.saved_by_me(self.ref, stamp)
        if stamp.version > group.version and not mine:
            at = clock_time(stamp.changed_at)
            return f"Changed by {stamp.changed_by} at {at} — {key} to reload"
        if isinstance(group, PurchaseOrder) and stamp.notes > len(group.notes) and not my_note:
            at = clock_time(stamp.last_note_at) if stamp.last_note_at else "?"
            return f"Note added by {stamp.last_note_by} at {at} — {key} to reload"
        return None

    def _stale(self) -> bool:
        """The notice still applies to the copy shown."""
        group, stamp = self.group, self._noticed
        if group is None or stamp is None:
            return False
        notes = len(group.notes) if isinstance(group, PurchaseOrder) else 0
        return stamp.version > group.version or stamp.notes > notes

    def reload_key(self) -> str:
        for _key, binding in self._bindings:
            if binding.action == "refresh":
                return self.app.get_key_display(binding)
        return "F5"

    @background("group-change")
    def change(self, action: str, *args: Any, **kwargs: Any) -> None:
        group = self.group
        if group is None:
            return
        try:
            updated = getattr(self.services, action)(self.ref, group.version, *args, **kwargs)
        except DomainError as error:
            self.refused(error)
            return
        self.app.call_from_thread(self.saved, updated)

    def saved(self, group: OrderGroup) -> None:
        """A change was saved: show the group as it now is."""
        self._refusal = None
        self.show(group)

    def refused(self, error: DomainError) -> None:
        """From a worker: tell the agent why; a stale copy is replaced by the saved one."""
        self.app.call_from_thread(self.problem, str(error))
        if isinstance(error, ConcurrentEditError | NotFound):
            self.load()  # a NotFound may mean the whole group is gone: the load says

    def on_stale_copy(self, _message: StaleCopy) -> None:
        """A dialog's save was refused as stale: show the group as it now is (the dialog
        keeps what was typed)."""
        self.load()

    def changed_elsewhere(self, result: OrderGroup | None) -> None:
        """A dialog saved a change (or was closed with None)."""
        if result is not None:
            self.saved(result)

    # -- shipments and items ------------------------------------------------------------

    def action_edit_shipment(self) -> None:
        if self.group is not None:
            self.open_shipment(self.group, self.current_shipment())

    @background("address-book")
    def open_shipment(self, group: OrderGroup, number: int) -> None:
        try:
            book = (
                self.services.get_customer(group.customer_id).addresses
                if group.customer_id is not None
                else []
            )
        except DomainError:
            book = []
        self.app.call_from_thread(self.push_shipment_editor, group, number, book)

    def push_shipment_editor(self, group: OrderGroup, number: int, book: list[Address]) -> None:
        def save(edit: ShipmentEdit) -> OrderGroup:
            return self.services.edit_shipment(
                self.ref,
                group.version,
                number,
                edit.address,
                edit.method_code,
                add_to_address_book=edit.add_to_address_book,
            )

        self.app.push_screen(
            ShipmentEditScreen(
                group.shipment(number),
                group.market,
                book,
                save,
                can_add_to_book=group.customer_id is not None,
            ),
            self.changed_elsewhere,
        )

    def action_add_items(self) -> None:
        group = self.group
        if group is None:
            return
        number = self.current_shipment()

        def add(sku: str, quantity: int, price: Decimal) -> OrderGroup:
            assert self.group is not None
            return self.services.add_line_item(
                self.ref, self.group.version, number, sku, quantity, price
            )

        self.app.push_screen(
            self.csr.item_search(
                f"Add line items to shipment {number}",
                group.market,
                lambda text: self.services.search_variants(text, group.market.code),
                add,
                self.changed_elsewhere,
            )
        )

    def action_add_shipment(self) -> None:
        self.change("add_shipment")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a line: its quantity, placed price and line discount."""
        if event.data_table.id == "lines" and self.check_action("edit_line", ()):
            self.action_edit_line()

    def action_edit_line(self) -> None:
        line_key = self.current_line()
        group = self.group
        if line_key is None or group is None:
            return
        number, sku = line_key
        line = group.shipment(number).line(sku)

        def save(values: dict[str, str]) -> OrderGroup:
            quantity = parse_quantity(values["quantity"])
            price = group.currency.parse(values["placed_price"], "placed_price", "placed price")
            discount = group.currency.parse(values["discount"] or "0", "discount", "discount")
            return self.services.update_line_item(
                self.ref, group.version, number, sku, quantity, price, discount
            )

        self.app.push_screen(
            FormScreen(
                f"{sku} {line.name}",
                [
                    Field("quantity", "Quantity", str(line.quantity)),
                    Field("placed_price", "Placed price", str(line.placed_price)),
                    Field("discount", "Line discount", str(line.discount)),
                ],
                save,
            ),
            self.changed_elsewhere,
        )

    def action_remove_line(self) -> None:
        """Remove the highlighted line, once the agent confirms."""
        line_key = self.current_line()
        group = self.group
        if line_key is None or group is None or not self.query_one("#lines").has_focus:
            return
        number, sku = line_key
        shipment = group.shipment(number)
        line = shipment.line(sku)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change("remove_line_item", number, sku)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {line.quantity} × {sku} {line.name} from {shipment.label.lower()}?",
                "Remove",
                title="Remove line item",
            ),
            confirmed,
        )

    def action_discount(self) -> None:
        """A discount on the whole order: "10%" off the subtotal, or an amount ("5.00")."""
        group = self.group
        if group is None:
            return

        def add(values: dict[str, str]) -> OrderGroup:
            assert group is not None
            kind, value = parse_discount(values["value"], group.currency)
            return self.services.add_discount(
                self.ref, group.version, values["description"], kind, value
            )

        self.app.push_screen(
            FormScreen(
                "Add a discount",
                [
                    Field("description", "Description", "Goodwill"),
                    Field(
                        "value",
                        "Discount",
                        placeholder=f"10% or an amount in {group.currency.code}",
                    ),
                ],
                add,
                submit_label="Add discount",
            ),
            self.changed_elsewhere,
        )

    def action_coupon(self) -> None:
        group = self.group

        def apply(values: dict[str, str]) -> OrderGroup:
            assert group is not None
            try:
                return self.services.apply_coupon(self.ref, group.version, values["code"])
            except DomainError as error:
                raise ValidationError(str(error), "code") from None

        self.app.push_screen(
            FormScreen(
                "Apply a coupon", [Field("code", "Coupon code")], apply, submit_label="Apply"
            ),
            self.changed_elsewhere,
        )
