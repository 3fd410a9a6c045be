"""Each rule of the seed, one test (or a few) each."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from csr_tui.domain import (
    Cart,
    CouponError,
    DiscountKind,
    IncompleteOrder,
    InvalidTransition,
    NotEditable,
    NotPaidInFull,
    OrderOnHold,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
    Stock,
    ValidationError,
    convert_cart,
    reorder,
)
from tests.factories import HOME, NOW, US, cart, coupon, order, paid_order, variant

S = ShipmentStatus


def two_shipment_order(stock: Stock):
    c = cart(lines=((variant("SKU-1"), 1),))
    second = c.add_shipment()
    c.set_shipping_address(second.number, HOME)
    c.add_line_item(second.number, variant("SKU-2"), 1)
    o = convert_cart(c, "PO2002", now=NOW, agent="alice", coupons={}, stock=stock)
    o.add_payment("card", o.totals().balance_due, "alice", NOW, stock)
    return o


# -- creating an order ---------------------------------------------------------------------


def test_a_new_order_is_in_progress_and_awaits_payment():
    o = order(stock=Stock({"SKU-1": 10}))
    assert o.status is OrderStatus.IN_PROGRESS
    assert o.shipment(1).status is S.AWAITING_INVENTORY
    assert o.totals().balance_due > 0


def test_a_new_order_needs_a_customer():
    c = Cart(market=US, created_at=NOW, created_by="alice")
    with pytest.raises(IncompleteOrder, match="Choose a customer"):
        convert_cart(c, "PO1", now=NOW, agent="alice", coupons={}, stock=Stock({}))


def test_a_new_order_needs_a_line_item():
    with pytest.raises(IncompleteOrder, match="at least one line item"):
        convert_cart(cart(lines=()), "PO1", now=NOW, agent="a", coupons={}, stock=Stock({}))


def test_each_shipment_needs_an_address_and_a_method():
    c = cart()
    c.shipment(1).shipping_address = None
    with pytest.raises(IncompleteOrder, match="Shipment 1 needs a shipping address"):
        convert_cart(c, "PO1", now=NOW, agent="a", coupons={}, stock=Stock({}))
    c = cart()
    c.shipment(1).shipping_method = None
    with pytest.raises(IncompleteOrder, match="Shipment 1 needs a shipping method"):
        convert_cart(c, "PO1", now=NOW, agent="a", coupons={}, stock=Stock({}))
    c = cart()
    c.add_shipment()
    with pytest.raises(IncompleteOrder, match="Shipment 2 has no items"):
        convert_cart(c, "PO1", now=NOW, agent="a", coupons={}, stock=Stock({}))


def test_converting_a_cart_carries_everything_over():
    c = cart(lines=((variant("SKU-1", "10.00"), 2), (variant("SKU-2", "3.00"), 1)))
    c.apply_coupon(coupon(), NOW)
    o = convert_cart(c, "PO1042", now=NOW, agent="bob", coupons={"TEN": coupon()}, stock=Stock({}))
    assert o.number == "PO1042" and o.created_by == "bob"
    assert (o.customer_name, o.customer_email, o.customer_id) == (
        "Mercy Taylor",
        "mercy@example.com",
        7,
    )
    assert [(li.sku, li.quantity) for li in o.shipment(1).line_items] == [
        ("SKU-1", 2),
        ("SKU-2", 1),
    ]
    assert o.shipment(1).shipping_address == HOME
    assert o.shipment(1).shipping_method.code == "ground"
    assert o.coupon_codes() == ["TEN"]
    assert o.totals() == c.totals()


def test_an_expired_coupon_blocks_conversion_with_a_reason():
    c = cart()
    c.apply_coupon(coupon(), NOW)
    later = datetime(2027, 2, 1, tzinfo=UTC)
    with pytest.raises(CouponError, match="expired on 2027-01-01"):
        convert_cart(c, "PO1", now=later, agent="a", coupons={"TEN": coupon()}, stock=Stock({}))


def test_coupon_rules():
    c = cart()
    with pytest.raises(CouponError, match="not valid in United States"):
        c.apply_coupon(coupon(markets=frozenset({"JP"})), NOW)
    c.apply_coupon(coupon(), NOW)
    with pytest.raises(CouponError, match="already applied"):
        c.apply_coupon(coupon(), NOW)


def test_line_items_need_a_positive_quantity_and_a_price():
    c = cart(lines=())
    with pytest.raises(ValidationError, match="whole number of 1 or more"):
        c.add_line_item(1, variant(), 0)
    with pytest.raises(ValidationError, match="cannot be negative"):
        c.add_line_item(1, variant(), 1, Decimal("-1"))
    with pytest.raises(ValidationError, match="no longer sold"):
        c.add_line_item(1, variant(is_sold=False), 1)
    with pytest.raises(ValidationError, match="has no price in United States"):
        c.add_line_item(1, variant(prices={"JP": Decimal(5)}), 1)
    line = c.add_line_item(1, variant(price="12.00"), 2)
    assert line.placed_price == Decimal("12.00"), "the default placed price is the market price"
    assert c.add_line_item(1, variant("SKU-9"), 1, Decimal("7.50")).placed_price == Decimal("7.50")


# -- editing -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [s for s in OrderStatus if s is not OrderStatus.IN_PROGRESS])
def test_only_an_in_progress_order_can_be_edited(status):
    stock = Stock({"SKU-1": 10})
    o = order(stock=stock)
    o.status = status
    for edit in (
        lambda: o.set_shipping_address(1, HOME, stock),
        lambda: o.set_shipping_method(1, "express", stock),
        lambda: o.add_line_item(1, variant("SKU-2"), 1, stock=stock),
        lambda: o.update_line_item(1, "SKU-1", 5, Decimal("1.00"), stock=stock),
        lambda: o.add_discount("Goodwill", DiscountKind.AMOUNT, Decimal("1"), stock),
        lambda: o.apply_coupon(coupon(), NOW, stock),
    ):
        with pytest.raises(OrderOnHold if status is OrderStatus.ON_HOLD else NotEditable):
            edit()
    assert o.shipment(1).line_items[0].quantity == 2


def test_an_in_progress_order_can_be_edited():
    stock = Stock({"SKU-1": 10, "SKU-2": 10})
    o = order(stock=stock)
    o.set_shipping_method(1, "express", stock)
    o.add_line_item(1, variant("SKU-2", "4.00"), 3, stock=stock)
    o.update_line_item(1, "SKU-1", 1, Decimal("9.00"), stock=stock)
    o.add_discount("Goodwill", DiscountKind.AMOUNT, Decimal("2"), stock)
    assert o.totals().subtotal == Decimal("21.00")
    assert o.totals().shipping == Decimal("15.00")


def test_an_order_keeps_at_least_one_line_item():
    stock = Stock({})
    o = order(stock=stock)
    with pytest.raises(ValidationError, match="cancel the order instead"):
        o.remove_line_item(1, "SKU-1", stock)


# -- payments and inventory ----------------------------------------------------------------


def test_payment_method_must_be_offered_in_the_market():
    stock = Stock({})
    o = order(stock=stock)
    with pytest.raises(ValidationError, match="'bitcoin' is not offered in United States"):
        o.add_payment("bitcoin", Decimal("1"), "alice", NOW, stock)


def test_payment_amount_must_be_positive_and_within_the_balance():
    stock = Stock({})
    o = order(stock=stock)
    with pytest.raises(ValidationError, match="above zero"):
        o.add_payment("card", Decimal("0"), "alice", NOW, stock)
    with pytest.raises(ValidationError, match="exceeds the balance due"):
        o.add_payment("card", o.totals().balance_due + 1, "alice", NOW, stock)
    assert o.payments == []


def test_an_agent_recorded_payment_is_processed():
    stock = Stock({})
    o = order(stock=stock)
    p = o.add_payment("phone", Decimal("5.00"), "alice", NOW, stock)
    assert p.status is PaymentStatus.PROCESSED and p.created_by == "alice"


def test_paid_in_full_with_stock_assigns_inventory_and_reserves_it():
    stock = Stock({"SKU-1": 5})
    o = paid_order(stock, lines=((variant("SKU-1"), 2),))
    assert o.shipment(1).status is S.INVENTORY_ASSIGNED
    assert stock.available("SKU-1") == 3
    assert stock.moves == {"SKU-1": -2}


def test_paid_in_full_without_enough_stock_awaits_inventory():
    stock = Stock({"SKU-1": 1})
    o = paid_order(stock, lines=((variant("SKU-1"), 2),))
    assert o.shipment(1).status is S.AWAITING_INVENTORY
    assert stock.available("SKU-1") == 1


def test_partly_paid_assigns_nothing():
    stock = Stock({"SKU-1": 5})
    o = order(stock=stock)
    o.add_payment("card", Decimal("1.00"), "alice", NOW, stock)
    assert o.shipment(1).status is S.AWAITING_INVENTORY


def test_inventory_check_assigns_once_stock_arrives():
    stock = Stock({"SKU-1": 0})
    o = paid_order(stock)
    restocked = Stock({"SKU-1": 10})
    o.check_inventory(restocked)
    assert o.shipment(1).status is S.INVENTORY_ASSIGNED
    assert restocked.available("SKU-1") == 8


def test_editing_a_paid_order_gives_back_its_reservation_until_paid_again():
    stock = Stock({"SKU-1": 10})
    o = paid_order(stock)
    o.update_line_item(1, "SKU-1", 3, Decimal("10.00"), stock=stock)
    assert o.totals().balance_due > 0
    assert o.shipment(1).status is S.AWAITING_INVENTORY
    assert stock.available("SKU-1") == 10


# -- shipment flow -------------------------------------------------------------------------


def test_release_needs_payment_in_full():
    stock = Stock({"SKU-1": 10})
    o = order(stock=stock)
    with pytest.raises(NotPaidInFull, match="must be paid in full before release"):
        o.release_shipment(1)


def test_release_needs_inventory_assigned():
    stock = Stock({})
    o = paid_order(stock)
    with pytest.raises(InvalidTransition, match="Awaiting Inventory"):
        o.release_shipment(1)


def test_release_pick_complete_ships_and_completes_the_order():
    stock = Stock({"SKU-1": 10})
    o = paid_order(stock)
    o.release_shipment(1)
    assert o.shipment(1).status is S.RELEASED
    o.add_to_picklist(1)
    assert o.shipment(1).status is S.PACKING
    o.complete_shipment(1)
    assert o.shipment(1).status is S.SHIPPED
    assert o.status is OrderStatus.COMPLETED
    assert stock.available("SKU-1") == 8


def test_steps_cannot_be_skipped():
    stock = Stock({"SKU-1": 10})
    o = paid_order(stock)
    with pytest.raises(InvalidTransition, match="only a Released shipment"):
        o.add_to_picklist(1)
    with pytest.raises(InvalidTransition, match="only a Packing shipment"):
        o.complete_shipment(1)


def test_some_shipments_shipped_makes_the_order_partially_shipped():
    stock = Stock({"SKU-1": 10, "SKU-2": 10})
    o = two_shipment_order(stock)
    for step in (o.release_shipment, o.add_to_picklist, o.complete_shipment):
        step(1)
    assert o.status is OrderStatus.PARTIALLY_SHIPPED
    for step in (o.release_shipment, o.add_to_picklist, o.complete_shipment):
        step(2)
    assert o.status is OrderStatus.COMPLETED


def test_a_completed_order_cannot_be_edited_or_paid():
    stock = Stock({"SKU-1": 10})
    o = paid_order(stock)
    for step in (o.release_shipment, o.add_to_picklist, o.complete_shipment):
        step(1)
    with pytest.raises(NotEditable):
        o.add_line_item(1, variant("SKU-2"), 1, stock=stock)
    with pytest.raises(NotEditable):
        o.add_payment("card", Decimal(1), "a", NOW, stock)


# -- hold ----------------------------------------------------------------------------------


def test_hold_puts_order_and_shipments_on_hold_and_release_restores_them():
    stock = Stock({"SKU-1": 10, "SKU-2": 10})
    o = two_shipment_order(stock)
    o.release_shipment(1)
    o.place_on_hold()
    assert o.status is OrderStatus.ON_HOLD
    assert [s.status for s in o.shipments] == [S.ON_HOLD, S.ON_HOLD]
    o.release_hold()
    assert o.status is OrderStatus.IN_PROGRESS
    assert [s.status for s in o.shipments] == [S.RELEASED, S.INVENTORY_ASSIGNED]


def test_an_order_on_hold_cannot_be_released_or_canceled():
    stock = Stock({"SKU-1": 10})
    o = paid_order(stock)
    o.place_on_hold()
    with pytest.raises(OrderOnHold, match="release the hold before you release"):
        o.release_shipment(1)
    with pytest.raises(
        OrderOnHold, match="Order PO1001 is on hold: release the hold before canceling it"
    ):
        o.cancel(stock)
    assert o.status is OrderStatus.ON_HOLD


def test_hold_keeps_shipped_shipments_shipped():
    stock = Stock({"SKU-1": 10, "SKU-2": 10})
    o = two_shipment_order(stock)
    for step in (o.release_shipment, o.add_to_picklist, o.complete_shipment):
        step(1)
    o.place_on_hold()
    assert [s.status for s in o.shipments] == [S.SHIPPED, S.ON_HOLD]
    o.release_hold()
    assert o.status is OrderStatus.PARTIALLY_SHIPPED


def test_hold_twice_or_release_without_hold_is_refused():
    o = order()
    with pytest.raises(InvalidTransition, match="not on hold"):
        o.release_hold()
    o.place_on_hold()
    with pytest.raises(InvalidTransition, match="already on hold"):
        o.place_on_hold()


# -- cancel --------------------------------------------------------------------------------


def test_cancel_cancels_order_and_shipments_and_returns_stock():
    stock = Stock({"SKU-1": 10})
    o = paid_order(stock)
    o.release_shipment(1)
    assert stock.available("SKU-1") == 8
    o.cancel(stock)
    assert o.status is OrderStatus.CANCELED
    assert o.shipment(1).status is S.CANCELED
    assert stock.available("SKU-1") == 10


def test_only_in_progress_orders_can_be_canceled():
    stock = Stock({"SKU-1": 10, "SKU-2": 10})
    o = two_shipment_order(stock)
    for step in (o.release_shipment, o.add_to_picklist, o.complete_shipment):
        step(1)
    with pytest.raises(InvalidTransition, match="only an In Progress order can be canceled"):
        o.cancel(stock)


# -- reorder -------------------------------------------------------------------------------


def test_reorder_copies_customer_addresses_methods_and_lines_at_current_prices():
    o = order(lines=((variant("SKU-1", "10.00"), 2),))
    now_priced = {"SKU-1": variant("SKU-1", "12.00")}
    draft, notices = reorder(o, variants=now_priced, coupons={}, now=NOW, agent="bob")
    assert notices == []
    assert draft.customer_id == o.customer_id and draft.created_by == "bob"
    line = draft.shipment(1).line_items[0]
    assert (line.sku, line.quantity, line.placed_price) == ("SKU-1", 2, Decimal("12.00"))
    assert draft.shipment(1).shipping_address == HOME
    assert draft.shipment(1).shipping_method.code == "ground"


def test_reorder_leaves_out_items_no_longer_sold_and_says_so():
    o = order(lines=((variant("SKU-1"), 1), (variant("SKU-2"), 1)))
    variants = {"SKU-1": variant("SKU-1"), "SKU-2": variant("SKU-2", is_sold=False)}
    draft, notices = reorder(o, variants=variants, coupons={}, now=NOW, agent="a")
    assert [li.sku for li in draft.shipment(1).line_items] == ["SKU-1"]
    assert notices == ["SKU-2 (Item SKU-2) is no longer available: left out."]


def test_reorder_of_only_unavailable_items_still_copies_the_address_and_method():
    """The seed's Reorder copies the address and shipping method; when none of the items
    is sold any more the draft's shipment came without them."""
    o = order(lines=((variant("SKU-1"), 1),))
    variants = {"SKU-1": variant("SKU-1", is_sold=False)}
    draft, notices = reorder(o, variants=variants, coupons={}, now=NOW, agent="a")
    assert draft.line_count() == 0 and "no longer available" in notices[0]
    assert draft.shipment(1).shipping_address == HOME
    assert draft.shipment(1).shipping_method.code == "ground"


def test_reorder_keeps_out_of_stock_items_and_says_so():
    o = order(lines=((variant("SKU-1"), 3),))
    draft, notices = reorder(
        o, variants={"SKU-1": variant("SKU-1", in_stock=0)}, coupons={}, now=NOW, agent="a"
    )
    assert [li.sku for li in draft.shipment(1).line_items] == ["SKU-1"]
    assert "out of stock" in notices[0] and "kept" in notices[0]


def test_reorder_reapplies_a_valid_coupon_and_reports_an_expired_one():
    c = cart()
    c.apply_coupon(coupon("TEN"), NOW)
    c.apply_coupon(coupon("OLD", until=datetime(2026, 12, 1, tzinfo=UTC)), NOW)
    coupons = {"TEN": coupon("TEN"), "OLD": coupon("OLD", until=datetime(2026, 12, 1, tzinfo=UTC))}
    o = convert_cart(c, "PO1", now=NOW, agent="a", coupons=coupons, stock=Stock({}))
    later = datetime(2026, 12, 15, tzinfo=UTC)
    draft, notices = reorder(
        o, variants={"SKU-1": variant()}, coupons=coupons, now=later, agent="a"
    )
    assert draft.coupon_codes() == ["TEN"]
    assert notices == ["Coupon OLD expired on 2026-12-01. Not applied."]


# -- notes ---------------------------------------------------------------------------------


def test_notes_carry_their_creator_and_time_and_need_a_description():
    o = order()
    with pytest.raises(ValidationError, match="needs a description"):
        o.add_note("  ", "text", "alice", NOW)
    note = o.add_note("Called back", "Customer wants express", "alice", NOW)
    assert (note.created_by, note.created_at) == ("alice", NOW)
    assert o.notes == [note]
