"""The create-order wizard: one step per module (market, customer, shipment, items,
review), the step bar, the draft it keeps, and the screen that runs them (wizard)."""

from csr_tui.screens.create_order.wizard import CreateOrderScreen

__all__ = ["CreateOrderScreen"]
