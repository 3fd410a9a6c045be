"""Statuses carry the commerce platform's own names, which agents already know."""

from __future__ import annotations

from enum import StrEnum

from csr_tui.domain.errors import ValidationError


class OrderStatus(StrEnum):
    IN_PROGRESS = "In Progress"
    ON_HOLD = "On Hold"
    PARTIALLY_SHIPPED = "Partially Shipped"
    COMPLETED = "Completed"
    CANCELED = "Canceled"


class ShipmentStatus(StrEnum):
    AWAITING_INVENTORY = "Awaiting Inventory"
    INVENTORY_ASSIGNED = "Inventory Assigned"
    RELEASED = "Released"
    PACKING = "Packing"
    SHIPPED = "Shipped"
    CANCELED = "Canceled"
    ON_HOLD = "On Hold"


class PaymentStatus(StrEnum):
    PENDING = "Pending"
    PROCESSED = "Processed"
    FAILED = "Failed"


class DiscountKind(StrEnum):
    PERCENTAGE = "Percentage"
    AMOUNT = "Amount"


# Shipments in these statuses hold stock taken out of the variant's in-stock quantity.
RESERVING_STATUSES = frozenset(
    {ShipmentStatus.INVENTORY_ASSIGNED, ShipmentStatus.RELEASED, ShipmentStatus.PACKING}
)
FINAL_SHIPMENT_STATUSES = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.CANCELED})


def parse_status(text: str) -> OrderStatus:
    """Accept an order status as typed on a command line: any case, spaces or dashes."""
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    for status in OrderStatus:
        if status.value.lower() == wanted or status.name.lower().replace("_", " ") == wanted:
            return status
    names = ", ".join(s.value for s in OrderStatus)
    raise ValidationError(f"Unknown status '{text}': choose from {names}.", "status")
