"""What a market offers: currency, tax, payment and shipping methods, variants, coupons."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from csr_tui.domain.errors import CouponError, ValidationError
from csr_tui.domain.money import Currency
from csr_tui.domain.statuses import DiscountKind
from csr_tui.domain.text import refuse_control_characters


@dataclass(frozen=True)
class PaymentMethod:
    code: str
    name: str


@dataclass(frozen=True)
class ShippingMethod:
    code: str
    name: str
    cost: Decimal


@dataclass(frozen=True)
class Market:
    code: str
    name: str
    currency: Currency
    tax_rate: Decimal
    payment_methods: tuple[PaymentMethod, ...] = ()
    shipping_methods: tuple[ShippingMethod, ...] = ()

    def payment_method(self, code: str) -> PaymentMethod:
        for method in self.payment_methods:
            if method.code == code:
                return method
        offered = ", ".join(m.name for m in self.payment_methods) or "none"
        raise ValidationError(
            f"Payment method '{code}' is not offered in {self.name} (offered: {offered}).",
            "payment_method",
        )

    def shipping_method(self, code: str) -> ShippingMethod:
        for method in self.shipping_methods:
            if method.code == code:
                return method
        offered = ", ".join(m.name for m in self.shipping_methods) or "none"
        raise ValidationError(
            f"Shipping method '{code}' is not offered in {self.name} (offered: {offered}).",
            "shipping_method",
        )


def order_by_use(markets: Sequence[Market], used: Sequence[str]) -> list[Market]:
    """The markets as an agent reaches for them. `used` is the market code of each recent
    order or cart, newest first: the last used comes first, then the others by how often
    they were used, then those not used lately, in their own order."""
    counts = Counter(used)
    last = used[0] if used else None
    position = {m.code: i for i, m in enumerate(markets)}
    return sorted(markets, key=lambda m: (m.code != last, -counts[m.code], position[m.code]))


@dataclass(kw_only=True)
class ProductVariant:
    sku: str
    name: str
    description: str = ""
    prices: dict[str, Decimal] = field(default_factory=dict)
    in_stock: int = 0
    is_sold: bool = True
    product_url: str = ""
    id: int | None = None

    def price_in(self, market: Market) -> Decimal:
        """The default placed price in a market; refuses variants the market does not sell."""
        if not self.is_sold:
            raise ValidationError(f"{self.sku} ({self.name}) is no longer sold.", "variant")
        try:
            return self.prices[market.code]
        except KeyError:
            raise ValidationError(
                f"{self.sku} ({self.name}) has no price in {market.name}.", "variant"
            ) from None


def coupon_code(typed: str) -> str:
    """A coupon code as typed by an agent, in the form coupons are stored in."""
    code = typed.strip().upper()
    refuse_control_characters(code, "code", label="coupon code")
    return code


@dataclass(frozen=True, kw_only=True)
class Coupon:
    code: str
    kind: DiscountKind
    value: Decimal
    valid_from: datetime
    valid_until: datetime
    markets: frozenset[str] = frozenset()

    @property
    def description(self) -> str:
        if self.kind is DiscountKind.PERCENTAGE:
            return f"Coupon {self.code} ({self.value.normalize():f}% off)"
        return f"Coupon {self.code} ({self.value:f} off)"

    def check(self, market: Market, at: datetime) -> None:
        """Raise unless the coupon may be used in this market at this moment."""
        if at < self.valid_from:
            raise CouponError(f"Coupon {self.code} is not valid before {self.valid_from:%Y-%m-%d}.")
        if at > self.valid_until:
            raise CouponError(f"Coupon {self.code} expired on {self.valid_until:%Y-%m-%d}.")
        if self.markets and market.code not in self.markets:
            raise CouponError(f"Coupon {self.code} is not valid in {market.name}.")
