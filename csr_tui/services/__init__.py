"""The services layer: what screens and the command line call, one method per action.

The read models of the lists (rows, filters, counts, cursors) are part of its vocabulary,
so screens need nothing from the data layer.

Each name is imported from its module when first asked for: the command line lists the
orders of a SQLite file through `listing` without importing SQLAlchemy, which the rest
needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from csr_tui.data.cancel import Cancellation, SearchCancelled
    from csr_tui.data.lists import CartRow, ChangeStamp, CustomerRow, VariantRow
    from csr_tui.data.queries import PAGE_SIZE, Count, Cursor, OrderFilter, OrderRow
    from csr_tui.services.listing import OrderPage
    from csr_tui.services.services import (
        AuditEntry,
        CartRef,
        NewCart,
        OrderRef,
        Ref,
        Services,
        open_services,
    )

_HOMES = {
    "csr_tui.data.cancel": ("Cancellation", "SearchCancelled"),
    "csr_tui.data.lists": ("CartRow", "ChangeStamp", "CustomerRow", "VariantRow"),
    "csr_tui.data.queries": ("PAGE_SIZE", "Count", "Cursor", "OrderFilter", "OrderRow"),
    "csr_tui.services.listing": ("OrderPage",),
    "csr_tui.services.services": (
        "AuditEntry",
        "CartRef",
        "NewCart",
        "OrderRef",
        "Ref",
        "Services",
        "open_services",
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "DEFAULT_DEMO_ORDERS",
    "DEFAULT_DEMO_SEED",
    "PAGE_SIZE",
    "AuditEntry",
    "Cancellation",
    "CartRef",
    "CartRow",
    "ChangeStamp",
    "Count",
    "Cursor",
    "CustomerRow",
    "NewCart",
    "OrderFilter",
    "OrderPage",
    "OrderRef",
    "OrderRow",
    "Ref",
    "SearchCancelled",
    "Services",
    "VariantRow",
    "open_services",
]


def __getattr__(name: str) -> Any:
    """A name of the layer, from its module; the demo data's defaults from its module only
    when asked for (the command line lists orders without importing it)."""
    if name in ("DEFAULT_DEMO_ORDERS", "DEFAULT_DEMO_SEED"):
        from csr_tui.data import demo

        return demo.DEFAULT_ORDERS if name == "DEFAULT_DEMO_ORDERS" else demo.DEFAULT_SEED
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
