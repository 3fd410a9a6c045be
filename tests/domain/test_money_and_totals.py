from decimal import Decimal

import pytest

from csr_tui.domain import CURRENCIES, DiscountKind, Stock, ValidationError
from tests.factories import JP, NOW, US, cart, order, variant

USD, JPY = CURRENCIES["USD"], CURRENCIES["JPY"]


def test_amounts_round_half_up_to_the_minor_unit():
    assert USD.round(Decimal("2.345")) == Decimal("2.35")
    assert USD.round(Decimal("2.344")) == Decimal("2.34")
    assert JPY.round(Decimal("100.5")) == Decimal("101")
    assert JPY.format(Decimal("1234")) == "1,234 JPY"
    assert USD.format(Decimal("1234.5")) == "1,234.50 USD"


@pytest.mark.parametrize(
    ("currency", "text", "expected"),
    [
        (USD, "12.5", Decimal("12.50")),
        (USD, " 1,234.56 ", Decimal("1234.56")),
        (JPY, "1500", Decimal("1500")),
        (USD, "10 USD", Decimal("10.00")),
    ],
)
def test_agents_type_amounts_as_they_read_them(currency, text, expected):
    assert currency.parse(text) == expected


def test_a_typed_minus_zero_is_zero_not_minus_zero():
    """A placed price typed as "-0" was kept as -0.00: the line then read "-0.00 USD"."""
    assert USD.format(USD.parse("-0") * 3) == "0.00 USD"
    assert JPY.format(JPY.parse("-0.0")) == "0 JPY"


@pytest.mark.parametrize(
    ("currency", "text", "message"),
    [
        (USD, "", "Enter an amount"),
        (USD, "ten", "is not an amount"),
        (USD, "1.234", "at most 2 decimals"),
        (JPY, "10.5", "JPY has no minor unit"),
        (USD, "NaN", "is not an amount"),
        # Python's Decimal reads these; an agent's amount is ASCII digits, as quantities are.
        (USD, "1_000", "is not an amount"),
        (USD, "٣", "is not an amount"),
        (USD, "１０", "is not an amount"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(currency, text, message):
    with pytest.raises(ValidationError, match=message):
        currency.parse(text)


def test_totals_add_lines_discounts_shipping_and_tax():
    c = cart(lines=((variant("SKU-1", "19.99"), 3), (variant("SKU-2", "5.00"), 1)))
    c.add_discount("Goodwill", DiscountKind.PERCENTAGE, Decimal("10"))
    t = c.totals()
    assert t.subtotal == Decimal("64.97")  # 3 x 19.99 + 5.00
    assert t.discount == Decimal("6.50")  # 10% of 64.97, rounded half up
    assert t.shipping == Decimal("5.00")  # Ground
    assert t.tax == Decimal("4.68")  # 8% of 58.47 = 4.6776
    assert t.total == Decimal("68.15")
    assert t.paid == 0 and t.balance_due == t.total


def test_line_discount_reduces_its_line_only():
    c = cart(lines=((variant("SKU-1", "10.00"), 2),))
    c.update_line_item(1, "SKU-1", 2, Decimal("10.00"), Decimal("3.00"))
    assert c.totals().subtotal == Decimal("17.00")


def test_a_discount_larger_than_the_subtotal_is_refused_and_totals_never_go_negative():
    c = cart(lines=((variant("SKU-1", "10.00"), 1),))
    with pytest.raises(ValidationError, match=r"larger than the subtotal of 10\.00 USD") as error:
        c.add_discount("Sorry", DiscountKind.AMOUNT, Decimal("25"))
    assert error.value.field == "value" and c.discounts == []
    c.add_discount("Sorry", DiscountKind.AMOUNT, Decimal("10"))
    c.update_line_item(1, "SKU-1", 1, Decimal("4.00"))  # the line gets cheaper afterwards
    t = c.totals()
    assert t.discount == Decimal("4.00")
    assert t.tax == 0
    assert t.total == Decimal("5.00")  # shipping is still charged


def test_yen_totals_have_no_minor_unit():
    c = cart(JP, lines=((variant("SKU-1"), 3),))
    c.add_discount("Promo", DiscountKind.PERCENTAGE, Decimal("7"))
    t = c.totals()
    assert t.subtotal == Decimal("3000")
    assert t.discount == Decimal("210")
    assert t.tax == Decimal("279")  # 10% of 2790
    assert t.total == Decimal("3769")  # + 700 shipping
    assert all(v == v.to_integral_value() for v in (t.discount, t.tax, t.total))


def test_balance_due_falls_with_processed_payments():
    stock = Stock({"SKU-1": 10})
    o = order(stock=stock)
    total = o.totals().total
    o.add_payment("card", Decimal("10.00"), "alice", NOW, stock)
    assert o.totals().paid == Decimal("10.00")
    assert o.totals().balance_due == total - Decimal("10.00")


def test_an_empty_shipment_is_not_charged_for_shipping():
    c = cart()
    c.add_shipment()
    assert c.totals().shipping == US.shipping_methods[0].cost


def test_each_discount_shows_what_it_takes_off_and_together_they_make_the_total():
    o = cart(lines=((variant(price="30.00"), 2),))  # subtotal 60.00
    o.add_discount("Goodwill", DiscountKind.PERCENTAGE, Decimal(10))
    o.add_discount("Late delivery", DiscountKind.AMOUNT, Decimal("50.00"))
    o.add_discount("Again", DiscountKind.AMOUNT, Decimal("20.00"))
    amounts = [(d.description, off) for d, off in o.discount_amounts()]
    assert amounts == [
        ("Goodwill", Decimal("6.00")),
        ("Late delivery", Decimal("50.00")),
        ("Again", Decimal("4.00")),  # only what is left of the subtotal
    ]
    assert sum(off for _, off in amounts) == o.totals().discount == Decimal("60.00")
