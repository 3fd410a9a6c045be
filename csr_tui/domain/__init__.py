"""The order domain of the CSR Portal: pure Python, no database and no terminal.

Each name is imported from its module when first asked for: a command that needs a few
of them (the command line's listing) loads only those modules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from csr_tui.domain.catalog import Coupon, Market, PaymentMethod, ProductVariant, ShippingMethod
    from csr_tui.domain.customers import Address, Customer
    from csr_tui.domain.errors import (
        ConcurrentEditError,
        CouponError,
        DomainError,
        IncompleteOrder,
        InvalidTransition,
        NotEditable,
        NotFound,
        NotPaidInFull,
        OrderOnHold,
        StockChanged,
        ValidationError,
    )
    from csr_tui.domain.money import CURRENCIES, Currency
    from csr_tui.domain.orders import (
        Cart,
        Discount,
        LineItem,
        Note,
        OrderGroup,
        Payment,
        PurchaseOrder,
        Shipment,
        Stock,
        Totals,
        compute_totals,
        convert_cart,
        reorder,
    )
    from csr_tui.domain.statuses import DiscountKind, OrderStatus, PaymentStatus, ShipmentStatus

_HOMES = {
    "csr_tui.domain.catalog": (
        "Coupon",
        "Market",
        "PaymentMethod",
        "ProductVariant",
        "ShippingMethod",
    ),
    "csr_tui.domain.customers": (
        "Address",
        "Customer",
    ),
    "csr_tui.domain.errors": (
        "ConcurrentEditError",
        "CouponError",
        "DomainError",
        "IncompleteOrder",
        "InvalidTransition",
        "NotEditable",
        "NotFound",
        "NotPaidInFull",
        "OrderOnHold",
        "StockChanged",
        "ValidationError",
    ),
    "csr_tui.domain.money": (
        "CURRENCIES",
        "Currency",
    ),
    "csr_tui.domain.orders": (
        "Cart",
        "Discount",
        "LineItem",
        "Note",
        "OrderGroup",
        "Payment",
        "PurchaseOrder",
        "Shipment",
        "Stock",
        "Totals",
        "compute_totals",
        "convert_cart",
        "reorder",
    ),
    "csr_tui.domain.statuses": (
        "DiscountKind",
        "OrderStatus",
        "PaymentStatus",
        "ShipmentStatus",
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "CURRENCIES",
    "Address",
    "Cart",
    "ConcurrentEditError",
    "Coupon",
    "CouponError",
    "Currency",
    "Customer",
    "Discount",
    "DiscountKind",
    "DomainError",
    "IncompleteOrder",
    "InvalidTransition",
    "LineItem",
    "Market",
    "NotEditable",
    "NotFound",
    "NotPaidInFull",
    "Note",
    "OrderGroup",
    "OrderOnHold",
    "OrderStatus",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "ProductVariant",
    "PurchaseOrder",
    "Shipment",
    "ShipmentStatus",
    "ShippingMethod",
    "Stock",
    "StockChanged",
    "Totals",
    "ValidationError",
    "compute_totals",
    "convert_cart",
    "reorder",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
