"""Small builders for domain objects, shared by the tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from csr_tui.domain import (
    CURRENCIES,
    Address,
    Cart,
    Coupon,
    Customer,
    DiscountKind,
    Market,
    PaymentMethod,
    ProductVariant,
    PurchaseOrder,
    ShippingMethod,
    Stock,
    convert_cart,
)

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

US = Market(
    code="US",
    name="United States",
    currency=CURRENCIES["USD"],
    tax_rate=Decimal("0.08"),
    payment_methods=(PaymentMethod("card", "Credit card"), PaymentMethod("phone", "Phone payment")),
    shipping_methods=(
        ShippingMethod("ground", "Ground", Decimal("5.00")),
        ShippingMethod("express", "Express", Decimal("15.00")),
    ),
)
JP = Market(
    code="JP",
    name="Japan",
    currency=CURRENCIES["JPY"],
    tax_rate=Decimal("0.10"),
    payment_methods=(PaymentMethod("card", "Credit card"),),
    shipping_methods=(ShippingMethod("yamato", "Yamato", Decimal("700")),),
)

HOME = Address(
    name="Mercy Taylor", line1="1 Main St", city="Springfield", postal_code="12345", country="US"
)


def variant(sku: str = "SKU-1", price: str = "10.00", in_stock: int = 100, **kw) -> ProductVariant:
    prices = kw.pop("prices", {"US": Decimal(price), "JP": Decimal(1000)})
    return ProductVariant(
        sku=sku, name=kw.pop("name", f"Item {sku}"), prices=prices, in_stock=in_stock, **kw
    )


def customer(**kw) -> Customer:
    c = Customer(
        first_name=kw.pop("first_name", "Mercy"),
        last_name=kw.pop("last_name", "Taylor"),
        email=kw.pop("email", "mercy@example.com"),
        id=kw.pop("id", 7),
        **kw,
    )
    c.add_address(HOME)
    return c


def cart(market: Market = US, lines: tuple[tuple[ProductVariant, int], ...] | None = None) -> Cart:
    c = Cart(market=market, name="Phone order", created_at=NOW, created_by="alice")
    c.set_customer(customer())
    c.set_shipping_method(1, market.shipping_methods[0].code)
    for v, qty in lines if lines is not None else ((variant(), 2),):
        c.add_line_item(1, v, qty)
    return c


def coupon(
    code: str = "TEN",
    kind: DiscountKind = DiscountKind.PERCENTAGE,
    value: str = "10",
    until: datetime = datetime(2027, 1, 1, tzinfo=UTC),
    markets=frozenset(),
) -> Coupon:
    return Coupon(
        code=code,
        kind=kind,
        value=Decimal(value),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_until=until,
        markets=markets,
    )


def order(
    market: Market = US, lines=None, stock: Stock | None = None, number: str = "PO1001"
) -> PurchaseOrder:
    return convert_cart(
        cart(market, lines), number, now=NOW, agent="alice", coupons={}, stock=stock or Stock({})
    )


def paid_order(stock: Stock, lines=None) -> PurchaseOrder:
    o = order(lines=lines, stock=stock)
    o.add_payment("phone", o.totals().balance_due, "alice", NOW, stock)
    return o
