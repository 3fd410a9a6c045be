"""The services layer: what screens and the command line call, one method per action.

The read models of the lists (rows, filters, counts, cursors) are part of its vocabulary,
so screens need nothing from the data layer.
"""

from csr_tui.data.cancel import Cancellation, SearchCancelled
from csr_tui.data.lists import CartRow, ChangeStamp, CustomerRow, VariantRow
from csr_tui.data.queries import (
    PAGE_SIZE,
    Count,
    Cursor,
    OrderFilter,
    OrderRow,
)
from csr_tui.services.services import (
    AuditEntry,
    CartRef,
    NewCart,
    OrderPage,
    OrderRef,
    Ref,
    Services,
    open_services,
)

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


def __getattr__(name: str) -> int:
    """The demo data's defaults, read from its module only when asked for: the command line
    lists orders without importing it."""
    from csr_tui.data import demo

    defaults = {"DEFAULT_DEMO_ORDERS": demo.DEFAULT_ORDERS, "DEFAULT_DEMO_SEED": demo.DEFAULT_SEED}
    if name in defaults:
        return defaults[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
