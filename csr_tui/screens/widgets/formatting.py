"""How values read on screen: local times, money in its currency, coloured statuses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rich.table import Table
from rich.text import Text

from csr_tui.domain.money import CURRENCIES, Currency
from csr_tui.domain.orders import OrderGroup, Shipment, Totals
from csr_tui.domain.statuses import OrderStatus, ShipmentStatus
from csr_tui.screens.widgets.safe_text import plain, text

STATUS_STYLES = {
    OrderStatus.IN_PROGRESS: "bold yellow",
    OrderStatus.ON_HOLD: "bold red",
    OrderStatus.PARTIALLY_SHIPPED: "cyan",
    OrderStatus.COMPLETED: "green",
    OrderStatus.CANCELED: "dim",
    ShipmentStatus.AWAITING_INVENTORY: "yellow",
    ShipmentStatus.INVENTORY_ASSIGNED: "bold yellow",
    ShipmentStatus.RELEASED: "cyan",
    ShipmentStatus.PACKING: "bold cyan",
    ShipmentStatus.SHIPPED: "green",
    ShipmentStatus.CANCELED: "dim",
    ShipmentStatus.ON_HOLD: "bold red",
}
SHORT_STATUS = {OrderStatus.PARTIALLY_SHIPPED: "Part. Shipped"}


def local_time(value: datetime, *, short: bool = False) -> str:
    """Stored in UTC, shown in the agent's local time."""
    local = value.astimezone()
    return f"{local:%y-%m-%d %H:%M}" if short else f"{local:%Y-%m-%d %H:%M}"


def clock_time(value: datetime) -> str:
    """The local time of day of something that just happened."""
    return f"{value.astimezone():%H:%M}"


def money(amount: Decimal, currency: str | Currency) -> str:
    cur = currency if isinstance(currency, Currency) else CURRENCIES.get(currency)
    if cur is None:
        return f"{amount} {currency}"
    return cur.format(amount)


def amount(value: Decimal, currency: Currency) -> str:
    """An amount without its currency code, for a column whose currency is said once."""
    return f"{currency.round(value):,.{currency.minor_units}f}"


def status_text(status: OrderStatus | ShipmentStatus, *, short: bool = False) -> Text:
    label = SHORT_STATUS.get(status, status.value) if short else status.value  # type: ignore[call-overload]
    return plain(label, STATUS_STYLES.get(status, ""))


def items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def balance(totals: Totals) -> tuple[str, Decimal]:
    """What is still due, or, once more was paid than the total (the order was made
    cheaper after payment), by how much it is overpaid: never a negative balance due."""
    if totals.balance_due < 0:
        return "Overpaid", -totals.balance_due
    return "Balance due", totals.balance_due


def totals_table(totals: Totals, *, payments: bool) -> Table:
    """Subtotal to total, right-aligned; with what was paid and is due when asked."""
    rows = [
        ("Subtotal", totals.subtotal),
        ("Discounts", -totals.discount),
        ("Shipping", totals.shipping),
        ("Tax", totals.tax),
        ("Total", totals.total),
    ]
    if payments:
        rows += [("Paid", totals.paid), balance(totals)]
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(justify="right")
    table.add_column(justify="right")
    for label, value in rows:
        style = "bold" if label in ("Total", "Balance due", "Overpaid") else ""
        table.add_row(plain(label, style), plain(money(value, totals.currency), style))
    return table


def shipment_line(shipment: Shipment, group: OrderGroup) -> Text:
    """A shipment in one line: status, method with its cost, where it goes."""
    method = shipment.shipping_method
    address = shipment.shipping_address
    return text(
        (f"{shipment.label} · ", "bold"),
        status_text(shipment.status),
        " · ",
        f"{method.name} {money(method.cost, group.currency)}"
        if method
        else ("no shipping method", "yellow"),
        " · Ship to: ",
        address.one_line() if address else ("no address", "yellow"),
    )
