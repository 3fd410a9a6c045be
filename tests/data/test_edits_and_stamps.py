"""A shipment edit is one transaction; a save that changes nothing writes nothing; and the
stamp an open screen reads says who changed an order or a cart last. SQLite and PostgreSQL."""

import pytest

from csr_tui.domain import Address, DomainError
from csr_tui.services import CartRef, OrderRef, Services
from tests.conftest import place_order

OFFICE = Address(
    name="Mercy Taylor",
    line1="5 Office Park",
    city="Capital City",
    postal_code="55555",
    country="US",
)


def test_a_shipment_edit_saves_address_and_method_together_or_not_at_all(services):
    order = place_order(services)
    ref = OrderRef(order.number)
    with pytest.raises(DomainError):
        services.edit_shipment(ref, order.version, 1, OFFICE, "teleport", add_to_address_book=True)
    kept = services.get_order(order.number)
    assert kept.version == order.version and kept.shipments[0].shipping_address.line1 == "1 Main St"
    assert len(services.get_customer(1).addresses) == 1, "the address book is unchanged too"

    edited = services.edit_shipment(ref, order.version, 1, OFFICE, "express")
    shipment = services.get_order(order.number).shipments[0]
    assert (shipment.shipping_address, shipment.shipping_method.code) == (OFFICE, "express")
    assert edited.version == order.version + 1
    last = services.order_history(order.number)[-1]
    assert last.action == "edit shipment" and list(last.changes) == ["shipments"]


def test_saving_what_is_already_there_writes_nothing(services):
    order = place_order(services)
    shipment = order.shipments[0]
    again = services.edit_shipment(
        OrderRef(order.number),
        order.version,
        1,
        shipment.shipping_address,
        shipment.shipping_method.code,
    )
    assert again.version == order.version
    assert [h.action for h in services.order_history(order.number)] == ["create order"]
    assert services.order_stamp(order.number).version == order.version

    cart = services.create_cart("US")
    ref = CartRef(cart.id)
    cart = services.set_shipping_method(ref, cart.version, 1, "ground")
    assert services.set_shipping_method(ref, cart.version, 1, "ground").version == cart.version


def test_the_stamp_says_who_changed_last_and_what_this_session_saved(services, db, clock):
    bob = Services(db, "bob", clock=clock)
    order = place_order(services)
    stamp = services.order_stamp(order.number.lower())
    assert (stamp.version, stamp.changed_by, stamp.notes) == (order.version, "alice", 0)
    assert services.saved_by_me(OrderRef(order.number), stamp) == (False, True), (
        "converting a cart is not a change of an open order"
    )

    held = bob.place_on_hold(order.number, order.version)
    stamp = services.order_stamp(order.number)
    assert (stamp.version, stamp.changed_by, stamp.changed_at) == (held.version, "bob", clock())
    assert services.saved_by_me(OrderRef(order.number), stamp)[0] is False
    assert bob.saved_by_me(OrderRef(order.number), stamp)[0] is True

    bob.add_note(order.number, "Called back", "")
    stamp = services.order_stamp(order.number)
    assert stamp.version == held.version, "a note leaves the version alone"
    assert (stamp.notes, stamp.last_note_by) == (1, "bob")
    assert services.saved_by_me(OrderRef(order.number), stamp) == (False, False)
    services.add_note(order.number, "Emailed", "")
    stamp = services.order_stamp(order.number)
    assert stamp.notes == 2 and services.saved_by_me(OrderRef(order.number), stamp)[1] is True

    released = services.release_hold(order.number, held.version)
    assert services.saved_by_me(OrderRef(order.number), services.order_stamp(order.number))[0]
    assert not services.removed_by_me(OrderRef(order.number))
    services.delete_orders({order.number: released.version})
    assert services.order_stamp(order.number) is None
    assert services.removed_by_me(OrderRef(order.number))
    assert not bob.removed_by_me(OrderRef(order.number))

    cart = services.create_cart("US")
    changed = bob.set_anonymous_contact(CartRef(cart.id), cart.version, "Walk-in", None)
    stamp = services.cart_stamp(cart.id)
    assert (stamp.version, stamp.changed_by) == (changed.version, "bob")
    bob.delete_cart(cart.id, changed.version)
    assert services.cart_stamp(cart.id) is None
    assert bob.removed_by_me(CartRef(cart.id)) and not services.removed_by_me(CartRef(cart.id))
