"""Form Details: where an In Progress order is changed. One table, read top to bottom like
the seed's form: each shipment (its status, method and ship-to; the options menu opens on
it) with its line items, then the order's discounts and coupons, then its payments, with
"Add Payment" at the bottom. The rows an agent can act on from here ("+ Add line items")
appear only while the order allows them. Below the table, the highlighted row in full (a
narrow terminal cuts the table's cells) and the totals.

When the order can no longer change, one line above the table says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widgets import DataTable, Static

from csr_tui.domain.money import Currency
from csr_tui.domain.offers import OrderAction, ShipmentAction, order_actions, shipment_actions
from csr_tui.domain.orders import Discount, PurchaseOrder
from csr_tui.domain.statuses import DiscountKind, OrderStatus, PaymentStatus
from csr_tui.screens.widgets.formatting import (
    amount,
    balance,
    local_time,
    money,
    shipment_line,
    status_text,
)
from csr_tui.screens.widgets.safe_text import plain, text

RowKind = Literal["shipment", "line", "discount", "payment", "action"]


@dataclass(frozen=True)
class FormRow:
    kind: RowKind
    detail: Text  # the whole row, for the line under the table
    shipment: int | None = None  # the shipment a row belongs to (the options menu's)
    sku: str | None = None
    index: int | None = None  # a discount's or a payment's position
    action: str | None = None  # what Enter does on an action row


class FormTable(DataTable[Text]):
    """Enter is the screen's: it means something different on each kind of row."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor":
            return False
        return super().check_action(action, parameters)


PAYMENT_STYLES = {PaymentStatus.FAILED: "bold red", PaymentStatus.PENDING: "yellow"}
# (label, width); the item column takes what the terminal leaves.
COLUMNS = (("", 12), ("Item", 0), ("Qty", 4), ("Price", 9), ("Disc.", 8), ("Total", 10))
FIXED = sum(width for _, width in COLUMNS) + 2 * len(COLUMNS) + 1 + 2  # padding, bar, edges


def why_read_only(order: PurchaseOrder) -> str | None:
    if order.status is OrderStatus.IN_PROGRESS:
        return None
    if order.status is OrderStatus.ON_HOLD:
        return f"Read-only: {order.number} is on hold. Release the hold (U) to change it."
    return f"Read-only: {order.number} is {order.status}; only an In Progress order changes."


def form_rows(order: PurchaseOrder) -> list[FormRow]:
    cur = order.currency
    offers = order_actions(order)
    rows: list[FormRow] = []
    for shipment in order.shipments:
        n = shipment.number
        rows.append(FormRow("shipment", shipment_line(shipment, order), shipment=n))
        for line in shipment.line_items:
            rows.append(
                FormRow(
                    "line",
                    text(
                        (f"{line.sku} ", "bold"),
                        line.name,
                        f" · {line.quantity} × {money(line.placed_price, cur)}",
                        f" − line discount {money(line.discount, cur)}" if line.discount else "",
                        f" = {money(line.total(cur), cur)}",
                    ),
                    shipment=n,
                    sku=line.sku,
                )
            )
        if ShipmentAction.ADD_ITEMS in shipment_actions(order, n):
            rows.append(_action(f"+ Add line items to {shipment.label.lower()}", "add_items", n))
    if OrderAction.ADD_SHIPMENT in offers:
        rows.append(_action("+ Add a shipment", "add_shipment"))
    for index, (discount, off) in enumerate(order.discount_amounts()):
        coupon = f" (coupon {discount.coupon_code})" if discount.coupon_code else ""
        rows.append(
            FormRow(
                "discount",
                text(
                    ("Coupon" if discount.coupon_code else "Discount", "bold"),
                    f": {discount.description}{coupon} · ",
                    _discount_value(discount, cur),
                    f" · −{money(off, cur)}",
                ),
                index=index,
            )
        )
    if OrderAction.APPLY_COUPON in offers:
        rows.append(_action("+ Apply a coupon", "coupon"))
    if OrderAction.ADD_DISCOUNT in offers:
        rows.append(_action("+ Add a discount", "discount"))
    for index, payment in enumerate(order.payments):
        rows.append(
            FormRow(
                "payment",
                text(
                    ("Payment", "bold"),
                    f": {local_time(payment.created_at)} · {payment.method.name} · "
                    f"{money(payment.amount, cur)} · {payment.status} · by {payment.created_by}",
                ),
                index=index,
            )
        )
    if OrderAction.ADD_PAYMENT in offers:
        due = money(order.totals().balance_due, cur)
        rows.append(_action(f"+ Add Payment ({due} due)", "add_payment"))
    return rows


def line_discounts(order: PurchaseOrder) -> Decimal:
    """What the lines' own discounts took off: the subtotal is after them."""
    return sum((line.discount for s in order.shipments for line in s.line_items), Decimal(0))


def _action(label: str, action: str, shipment: int | None = None) -> FormRow:
    return FormRow("action", plain(label), shipment=shipment, action=action)


def _discount_value(discount: Discount, cur: Currency) -> str:
    if discount.kind is DiscountKind.PERCENTAGE:
        return f"{discount.value}%"
    return money(discount.value, cur)


class FormPane(Vertical):
    DEFAULT_CSS = """
    FormPane { height: 1fr; }
    FormPane #form-why { height: auto; color: $warning; padding: 0 1; }
    FormPane #lines { height: 1fr; min-height: 4; }
    FormPane #form-detail { height: auto; max-height: 3; background: $boost; padding: 0 1; }
    FormPane #form-totals { height: auto; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[FormRow] = []
        self.order: PurchaseOrder | None = None
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="form-why")
        yield FormTable(cursor_type="row", id="lines")
        yield Static(id="form-detail")
        yield Static(id="form-totals")

    @property
    def table(self) -> FormTable:
        return self.query_one(FormTable)

    def on_mount(self) -> None:
        self._columns()

    def on_resize(self, _event: Resize) -> None:
        self._columns()

    def _columns(self) -> None:
        """The item column takes what the terminal leaves: 80 columns still show totals."""
        width = self.app.size.width
        if width == self._width:
            return
        self._width = width
        table = self.table
        table.clear(columns=True)
        item = max(16, width - FIXED)
        for label, w in COLUMNS:
            justify = "right" if label in ("Qty", "Price", "Disc.", "Total") else None
            table.add_column(plain(label, justify=justify), width=w or item)
        if self.order is not None:
            self.show(self.order)

    def show(self, order: PurchaseOrder) -> None:
        self.order = order
        cur = order.currency
        why = why_read_only(order)
        self.query_one("#form-why", Static).update(plain(why or ""))
        self.query_one("#form-why").display = why is not None
        table = self.table
        cursor = table.cursor_row
        table.clear()
        self.rows = form_rows(order)
        for row in self.rows:
            table.add_row(*self._cells(row, order))
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1), animate=False)
        t = order.totals()
        label, owed = balance(t)
        lines_off = line_discounts(order)
        self.query_one("#form-totals", Static).update(
            text(
                f"Subtotal {amount(t.subtotal, cur)}",
                f" (line discounts −{amount(lines_off, cur)})" if lines_off else "",
                f" · Discounts {'−' if t.discount else ''}{amount(t.discount, cur)} · "
                f"Shipping {amount(t.shipping, cur)} · Tax {amount(t.tax, cur)} · ",
                (f"Total {money(t.total, cur)}", "bold"),
                f" · Paid {amount(t.paid, cur)} · ",
                (f"{label} {money(owed, cur)}", "bold"),
            )
        )
        self.show_detail()

    def _cells(self, row: FormRow, order: PurchaseOrder) -> list[Text]:
        cur = order.currency
        blank = plain("")
        if row.kind == "shipment" and row.shipment is not None:
            s = order.shipment(row.shipment)
            method = s.shipping_method.name if s.shipping_method else "no method"
            address = s.shipping_address.one_line() if s.shipping_address else "no address"
            return [
                plain(f"{s.label} …", "bold"),
                text(status_text(s.status), f" · {method} · {address}"),
                blank,
                blank,
                blank,
                blank,
            ]
        if row.kind == "line" and row.shipment is not None and row.sku is not None:
            line = order.shipment(row.shipment).line(row.sku)
            return [
                plain(line.sku),
                plain(line.name),
                plain(line.quantity, justify="right"),
                plain(amount(line.placed_price, cur), justify="right"),
                plain(amount(line.discount, cur), justify="right"),
                plain(amount(line.total(cur), cur), justify="right"),
            ]
        if row.kind == "discount" and row.index is not None:
            discount, off = order.discount_amounts()[row.index]
            return [
                plain("Coupon" if discount.coupon_code else "Discount"),
                plain(discount.description),
                blank,
                plain(_discount_value(discount, cur), justify="right"),
                blank,
                plain(f"−{amount(off, cur)}", justify="right"),
            ]
        if row.kind == "payment" and row.index is not None:
            payment = order.payments[row.index]
            counted = payment.status is PaymentStatus.PROCESSED
            # The status in a column of its own: at 80 columns the item column is cut, and
            # a failed payment must not read as a second payment of the same amount.
            return [
                plain("Payment"),
                plain(
                    f"{local_time(payment.created_at, short=True)} · {payment.method.name} · "
                    f"by {payment.created_by}"
                ),
                blank,
                plain(payment.status, PAYMENT_STYLES.get(payment.status, ""), justify="right"),
                blank,
                plain(amount(payment.amount, cur), "" if counted else "dim", justify="right"),
            ]
        return [blank, plain(row.detail, "italic"), blank, blank, blank, blank]

    def current(self) -> FormRow | None:
        row = self.table.cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def show_detail(self) -> None:
        row = self.current()
        self.query_one("#form-detail", Static).update(row.detail if row else plain(""))

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_detail()
