from dataclasses import replace

import pytest

from csr_tui.domain import Address, Customer, Stock, ValidationError
from csr_tui.domain.catalog import order_by_use
from csr_tui.domain.customers import contact_errors
from tests.factories import HOME, JP, US, cart, customer, order


def test_address_requires_name_street_city_postcode_and_country():
    with pytest.raises(ValidationError) as error:
        Address(name="", line1=" ", city="X", postal_code="", country="US").validated()
    assert str(error.value) == "The address needs name, address line 1, postal code."
    assert error.value.field == "name"


def test_address_country_must_be_an_iso_code():
    with pytest.raises(ValidationError, match="'ZZ' is not an ISO country code"):
        Address(name="A", line1="B", city="C", postal_code="1", country="zz").validated()
    assert (
        Address(name="A", line1="B", city="C", postal_code="1", country="se").validated().country
        == "SE"
    )


def test_new_contact_needs_a_name_and_a_real_email():
    with pytest.raises(ValidationError, match="first or last name"):
        Customer.new(" ", "")
    with pytest.raises(ValidationError, match="is not an email address"):
        Customer.new("Ann", "Lee", "ann@nowhere")
    ann = Customer.new(" Ann ", "Lee", " ann@example.com ")
    assert (ann.full_name, ann.email) == ("Ann Lee", "ann@example.com")


def test_customer_default_address_fills_new_shipments():
    c = cart()
    assert c.shipment(1).shipping_address == HOME


def test_a_changed_address_book_does_not_change_an_orders_shipping_address():
    mercy = customer()
    o = order()
    mercy.addresses[0] = Address(
        name="Mercy Taylor", line1="9 Elm Rd", city="Shelbyville", postal_code="99999", country="US"
    )
    assert o.shipment(1).shipping_address == HOME


def test_new_shipping_address_for_an_order_leaves_the_address_book_alone():
    mercy, stock = customer(), Stock({})
    o = order(stock=stock)
    office = Address(
        name="Mercy Taylor",
        line1="5 Office Park",
        city="Capital City",
        postal_code="55555",
        country="US",
    )
    o.set_shipping_address(1, office, stock)
    assert o.shipment(1).shipping_address == office
    assert mercy.addresses == [HOME]


def test_new_shipping_address_can_be_added_to_the_address_book_when_asked():
    mercy, stock = customer(), Stock({})
    o = order(stock=stock)
    office = Address(
        name="Mercy", line1="5 Office Park", city="Capital City", postal_code="55555", country="us"
    )
    o.set_shipping_address(1, office, stock, add_to_address_book_of=mercy)
    assert mercy.addresses[-1].line1 == "5 Office Park"
    assert mercy.addresses[-1].country == "US"


def test_anonymous_orders_need_a_name_or_email():
    c = cart()
    with pytest.raises(ValidationError, match="needs a name or an email"):
        c.set_anonymous_contact("  ", "")
    c.set_anonymous_contact("Walk-in caller", None)
    assert c.is_anonymous and c.customer_name == "Walk-in caller"


def test_an_invalid_address_changes_nothing():
    stock = Stock({})
    o = order(stock=stock)
    with pytest.raises(ValidationError):
        o.set_shipping_address(
            1, Address(name="", line1="", city="", postal_code="", country=""), stock
        )
    assert o.shipment(1).shipping_address == HOME


def test_the_market_last_used_comes_first_then_the_most_used():
    se, de = replace(US, code="SE", name="Sweden"), replace(US, code="DE", name="Germany")
    markets = [de, JP, se, US]
    assert order_by_use(markets, []) == markets
    used = ["SE", "US", "US", "JP", "US", "SE", "SE", "SE"]
    assert [m.code for m in order_by_use(markets, used)] == ["SE", "US", "JP", "DE"]
    assert [m.code for m in order_by_use(markets, ["JP", *used])] == ["JP", "SE", "US", "DE"]


def test_a_customer_chosen_instead_of_another_brings_their_own_address():
    mercy = customer()
    ann = customer(id=8, first_name="Ann", last_name="Lee", phone="+46 70 123")
    ann.addresses[0] = Address(
        name="Ann Lee", line1="Storgatan 1", city="Umeå", postal_code="90325", country="SE"
    )
    order_with_gift = cart()
    gift = order_with_gift.add_shipment()
    order_with_gift.set_shipping_address(gift.number, ann.addresses[0])
    order_with_gift.set_customer(ann, previous=mercy)
    first, second = (s.shipping_address for s in order_with_gift.shipments)
    assert first == ann.ship_to() and first.phone == "+46 70 123", "the phone fills in"
    assert second == ann.addresses[0]
    nobody = customer(id=9, first_name="No", last_name="Address")
    nobody.addresses.clear()
    order_with_gift.set_customer(nobody, previous=ann)
    assert order_with_gift.shipment(1).shipping_address is None, "never another's address"


def test_create_contact_names_every_problem_at_its_field():
    address = Address(name="Jonas", line1="Hauptstr. 1", city="", postal_code="", country="XX")
    assert contact_errors("Jonas", "", "jonas@example", "+49\x07", address) == {
        "email": "'jonas@example' is not an email address.",
        "phone": "The phone cannot contain control characters: remove ␇ (U+0007).",
        "city": "The address needs city, postal code.",
        "postal_code": "The address needs postal code.",
        "country": "'XX' is not an ISO country code (for example US, GB, SE, JP).",
    }
    assert contact_errors("", " ", "", "", None) == {
        "first_name": "Enter the customer's first or last name."
    }
    assert contact_errors("Ann", "", "ann@example.com", "", None) == {}


@pytest.mark.parametrize("typed", ["abc", "US", "call after 5", "12-3", "+1 555 CALL NOW"])
def test_a_phone_is_digits_or_nothing(typed):
    """Text that is no phone number is refused at the phone field, for a customer, an
    address and an order without an account: none of it could be found by phone."""
    with pytest.raises(ValidationError, match="is not a phone number") as error:
        Customer.new("Ann", "Lee", phone=typed)
    assert error.value.field == "phone"
    with pytest.raises(ValidationError, match="is not a phone number") as error:
        replace(HOME, phone=typed).validated()
    assert error.value.field == "phone"
    with pytest.raises(ValidationError, match="is not a phone number"):
        order().set_anonymous_contact("Ann Lee", None, typed)


def test_phones_as_people_write_them_are_kept():
    for typed in ("+1 (555) 015-4286", "020 7946 0104", "070-123 45 67", "+81 3.1234.5678", ""):
        assert Customer.new("Ann", "Lee", phone=typed).phone == typed
        assert replace(HOME, phone=typed).validated().phone == typed
