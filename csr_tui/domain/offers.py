"""What an agent may do to a purchase order as it is now: exactly what the rules in
orders.py accept. Screens offer these and nothing else (footer, command palette, a
shipment's options menu), so no key leads to a refusal; tests/domain/test_state_machine.py
checks that the two agree in every state an order can reach.

The values are the names the screens give these actions.
"""

from __future__ import annotations

from enum import StrEnum

from csr_tui.domain.orders import PurchaseOrder, Shipment
from csr_tui.domain.statuses import OrderStatus, ShipmentStatus

ACTIVE = (OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED)
EDITABLE_SHIPMENT = (ShipmentStatus.AWAITING_INVENTORY, ShipmentStatus.INVENTORY_ASSIGNED)


class OrderAction(StrEnum):
    ADD_PAYMENT = "add_payment"
    HOLD = "hold"
    RELEASE_HOLD = "release_hold"
    CANCEL = "cancel_order"
    CHECK_INVENTORY = "check_inventory"
    ADD_SHIPMENT = "add_shipment"
    ADD_DISCOUNT = "discount"
    APPLY_COUPON = "coupon"
    REMOVE_DISCOUNT = "remove_discount"


class ShipmentAction(StrEnum):
    """The entries of a shipment's options menu (the seed's "…")."""

    EDIT = "edit_shipment"
    ADD_ITEMS = "add_items"
    RELEASE = "release_shipment"
    ADD_TO_PICKLIST = "add_to_picklist"
    COMPLETE = "complete_shipment"
    CHECK_INVENTORY = "check_inventory"
    REMOVE = "remove_shipment"


class LineAction(StrEnum):
    EDIT = "edit_line"
    REMOVE = "remove_line"


def awaits_inventory(shipment: Shipment) -> bool:
    return shipment.status is ShipmentStatus.AWAITING_INVENTORY and bool(shipment.line_items)


def order_actions(order: PurchaseOrder) -> frozenset[OrderAction]:
    status, paid = order.status, order.totals().paid_in_full
    offered: set[OrderAction] = set()
    if status is OrderStatus.IN_PROGRESS:
        offered |= {
            OrderAction.CANCEL,
            OrderAction.ADD_SHIPMENT,
            OrderAction.ADD_DISCOUNT,
            OrderAction.APPLY_COUPON,
        }
        if order.discounts:
            offered.add(OrderAction.REMOVE_DISCOUNT)
        if not paid:
            offered.add(OrderAction.ADD_PAYMENT)
    if status in ACTIVE:
        offered.add(OrderAction.HOLD)
        # Stock is only assigned to a paid order: before that, looking again finds nothing.
        if paid and any(awaits_inventory(s) for s in order.shipments):
            offered.add(OrderAction.CHECK_INVENTORY)
    if status is OrderStatus.ON_HOLD:
        offered.add(OrderAction.RELEASE_HOLD)
    return frozenset(offered)


def shipment_actions(order: PurchaseOrder, number: int) -> frozenset[ShipmentAction]:
    shipment = order.shipment(number)
    status, paid = order.status, order.totals().paid_in_full
    offered: set[ShipmentAction] = set()
    if status is OrderStatus.IN_PROGRESS and shipment.status in EDITABLE_SHIPMENT:
        offered |= {ShipmentAction.EDIT, ShipmentAction.ADD_ITEMS}
        if len(order.shipments) > 1 and order.line_count() > len(shipment.line_items):
            offered.add(ShipmentAction.REMOVE)
    if status in ACTIVE:
        if paid and shipment.line_items and shipment.status is ShipmentStatus.INVENTORY_ASSIGNED:
            offered.add(ShipmentAction.RELEASE)
        if shipment.status is ShipmentStatus.RELEASED:
            offered.add(ShipmentAction.ADD_TO_PICKLIST)
        if shipment.status is ShipmentStatus.PACKING:
            offered.add(ShipmentAction.COMPLETE)
        if paid and awaits_inventory(shipment):
            offered.add(ShipmentAction.CHECK_INVENTORY)
    return frozenset(offered)


def line_actions(order: PurchaseOrder, number: int) -> frozenset[LineAction]:
    shipment = order.shipment(number)
    if order.status is not OrderStatus.IN_PROGRESS or shipment.status not in EDITABLE_SHIPMENT:
        return frozenset()
    # The last line cannot go: an order with nothing on it is canceled instead.
    if order.line_count() > 1:
        return frozenset({LineAction.EDIT, LineAction.REMOVE})
    return frozenset({LineAction.EDIT})
