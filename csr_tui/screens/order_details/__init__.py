"""Order Details, a screen of four tabs: one pane per module (summary, form, notes,
history), the shipment options menu, and the screen that holds them (screen)."""

from csr_tui.screens.order_details.screen import OrderDetailsScreen

__all__ = ["OrderDetailsScreen"]
