"""An audit record's changes as an agent reads them: the fields that differ, by name."""

from decimal import Decimal

from csr_tui.domain import Address, DiscountKind, Stock
from csr_tui.domain.history import FieldChange, field_changes
from csr_tui.domain.snapshot import changes, snapshot
from tests.factories import NOW, order, variant


def test_a_changed_quantity_and_address_name_their_shipment_and_line():
    stock = Stock({"SKU-1": 0, "SKU-2": 0})
    o = order(lines=((variant("SKU-1"), 2), (variant("SKU-2"), 1)), stock=stock)
    before = snapshot(o)
    o.update_line_item(1, "SKU-1", 3, Decimal("9.50"), Decimal(0), stock)
    o.set_shipping_address(
        1,
        Address(name="Ann Lee", line1="2 Elm St", city="Oslo", postal_code="0150", country="NO"),
        stock,
    )
    assert field_changes(changes(before, snapshot(o))) == [
        FieldChange("Shipment 1 › shipping address",
                    "Mercy Taylor, 1 Main St, Springfield, 12345, US",
                    "Ann Lee, 2 Elm St, Oslo, 0150, NO"),
        FieldChange("Shipment 1 › SKU-1 › quantity", "2", "3"),
        FieldChange("Shipment 1 › SKU-1 › placed price", "10.00", "9.50"),
    ]  # fmt: skip


def test_added_and_removed_items_are_named_not_the_whole_list():
    stock = Stock({"SKU-1": 10})
    o = order(lines=((variant("SKU-1"), 1),), stock=stock)
    before = snapshot(o)
    o.add_payment("card", Decimal("5.00"), "alice", NOW, stock)
    o.add_discount("Goodwill", DiscountKind.PERCENTAGE, Decimal(10), stock)
    second = o.add_shipment()
    assert field_changes(changes(before, snapshot(o))) == [
        FieldChange("discounts", "—", "Goodwill 10%"),
        FieldChange("payments", "—", "Credit card 5.00 Processed"),
        FieldChange(f"Shipment {second.number}", "—", f"Shipment {second.number}"),
    ]
    after = snapshot(o)
    o.remove_discount(0, stock)
    assert field_changes(changes(after, snapshot(o))) == [
        FieldChange("discounts", "Goodwill 10%", "—")
    ]


def test_a_status_change_reads_before_and_after():
    stock = Stock({"SKU-1": 10})
    o = order(lines=((variant("SKU-1"), 1),), stock=stock)
    o.add_payment("card", o.totals().balance_due, "alice", NOW, stock)
    before = snapshot(o)
    o.release_shipment(1)
    assert field_changes(changes(before, snapshot(o))) == [
        FieldChange("Shipment 1 › status", "Inventory Assigned", "Released")
    ]
