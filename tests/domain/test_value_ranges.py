"""Every amount, quantity, text and date an agent gives has a range; outside it, a
ValidationError names the field, and nothing raises decimal.InvalidOperation or overflows."""

from datetime import date
from decimal import Decimal

import pytest

from csr_tui.domain import CURRENCIES, Address, Customer, DiscountKind, Stock, ValidationError
from csr_tui.domain.dates import DayRange
from csr_tui.domain.money import MAX_AMOUNT
from csr_tui.domain.orders import new_note, parse_discount, parse_quantity
from tests.factories import NOW, cart, order, variant

USD, JPY = CURRENCIES["USD"], CURRENCIES["JPY"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e30", "cannot exceed 1,000,000,000.00 USD"),
        ("1e999", "cannot exceed 1,000,000,000.00 USD"),
        ("1000000000.01", "cannot exceed"),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("-inf", "is not an amount"),
        ("-5", "cannot be negative"),
        ("²", "is not an amount"),
    ],
)
def test_typed_amounts_out_of_range_name_the_field(text, message):
    with pytest.raises(ValidationError, match=message) as error:
        USD.parse(text, "amount")
    assert error.value.field == "amount"


@pytest.mark.parametrize(
    "amount", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("1e30"), 1.5]
)
def test_a_payment_given_directly_is_checked_before_any_arithmetic(amount):
    o = order()
    with pytest.raises(ValidationError) as error:
        o.add_payment("card", amount, "alice", NOW, Stock({}))
    assert error.value.field == "amount" and o.payments == []


@pytest.mark.parametrize(
    ("price", "field"),
    [
        (Decimal("999999999999"), "placed_price"),
        (Decimal("Infinity"), "placed_price"),
        (Decimal("NaN"), "placed_price"),
        (Decimal("600000000"), "quantity"),  # 2 x 600,000,000: the line total is too large
    ],
)
def test_placed_prices_have_a_limit(price, field):
    c = cart()
    with pytest.raises(ValidationError) as error:
        c.update_line_item(1, "SKU-1", 2, price)
    assert error.value.field == field
    assert c.shipments[0].line_items[0].placed_price == Decimal("10.00")


def test_an_order_subtotal_stays_within_the_limit():
    c = cart(lines=((variant("SKU-1", "900000000.00"), 1),))
    with pytest.raises(ValidationError, match="subtotal cannot exceed") as error:
        c.add_line_item(1, variant("SKU-2", "200000000.00"), 1)
    assert error.value.field == "quantity" and c.line_count() == 1
    assert c.totals().subtotal <= MAX_AMOUNT


@pytest.mark.parametrize("text", ["²", "٣", "1e3", "1.5", "-2", "", "9999999999", "+4"])
def test_quantities_are_plain_whole_numbers(text):
    with pytest.raises(ValidationError) as error:
        parse_quantity(text)
    assert error.value.field == "quantity"
    assert parse_quantity(" 12 ") == 12


@pytest.mark.parametrize("text", ["NaN%", "inf%", "1e30%", "x%", "150%"])
def test_discounts_typed_as_percentages_are_checked(text):
    c = cart()
    with pytest.raises(ValidationError) as error:
        kind, value = parse_discount(text, USD)
        c.add_discount("Goodwill", kind, value)
    assert error.value.field == "value" and c.discounts == []
    assert parse_discount(" 10% ", USD) == (DiscountKind.PERCENTAGE, Decimal(10))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Customer.new("A" * 101, "Lee"), "first_name"),
        (lambda: Customer.new("Ann", "L" * 101), "last_name"),
        (lambda: Customer.new("Ann", "Lee", "a" * 250 + "@x.io"), "email"),
        (lambda: Customer.new("Ann", "Lee", phone="1" * 41), "phone"),
        (lambda: Address("Ann", "x" * 201, "Leeds", "LS1", "GB").validated(), "line1"),
        (lambda: Address("Ann", "1 St", "Leeds", "1" * 21, "GB").validated(), "postal_code"),
        (lambda: new_note("d" * 201, "", "alice", NOW), "description"),
        (lambda: new_note("Call", "t" * 10_001, "alice", NOW), "text"),
        (lambda: cart().set_anonymous_contact("N" * 201, None), "name"),
        (
            lambda: cart().add_discount("d" * 201, DiscountKind.PERCENTAGE, Decimal(5)),
            "description",
        ),
    ],
)
def test_text_longer_than_its_column_is_refused_by_name(build, field):
    with pytest.raises(ValidationError, match=r"characters long: at most [\d,]+ fit") as error:
        build()
    assert error.value.field == field


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(1, 1, 1), None),
        (None, date(9999, 12, 31)),
        (date(1, 1, 1), date(9999, 12, 31)),
        (date(9999, 12, 31), date(9999, 12, 31)),
    ],
)
def test_any_day_range_has_utc_bounds(first, last):
    start, end = DayRange(first, last).utc_bounds()
    assert start is None or start.year >= 1970
    assert end is None or end.year <= 9999
    if last == date.max:
        assert end is None, "the last day has no next midnight: the range is open"
