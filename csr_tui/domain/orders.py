"""Carts and purchase orders, and every rule of the seed about them.

A cart is a draft: the create-order wizard and Reorder both build one, and Create Order
converts it to a purchase order. Both share `OrderGroup` (the platform's own name for what
carts and orders have in common): a market, a customer, shipments with line items, discounts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from csr_tui.domain import limits
from csr_tui.domain.catalog import Coupon, Market, PaymentMethod, ProductVariant, ShippingMethod
from csr_tui.domain.customers import Address, Customer, validate_email, validate_phone
from csr_tui.domain.errors import (
    CouponError,
    IncompleteOrder,
    InvalidTransition,
    NotEditable,
    NotFound,
    NotPaidInFull,
    OrderOnHold,
    ValidationError,
)
from csr_tui.domain.limits import checked_length
from csr_tui.domain.money import MAX_AMOUNT, ZERO, Currency
from csr_tui.domain.search import ORDER_NUMBER_PREFIX
from csr_tui.domain.statuses import (
    FINAL_SHIPMENT_STATUSES,
    RESERVING_STATUSES,
    DiscountKind,
    OrderStatus,
    PaymentStatus,
    ShipmentStatus,
)
from csr_tui.domain.text import refuse_control_characters

MAX_QUANTITY = 100_000


def format_order_number(sequence_value: int) -> str:
    return f"{ORDER_NUMBER_PREFIX}{sequence_value}"


@dataclass(kw_only=True)
class LineItem:
    sku: str
    name: str
    quantity: int
    placed_price: Decimal
    discount: Decimal = ZERO

    def total(self, currency: Currency) -> Decimal:
        return currency.round(self.quantity * self.placed_price - self.discount)


def parse_quantity(text: str) -> int:
    """A quantity as typed: ASCII digits only ('²' and '٣' are digits to Python, not to us)."""
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 9:
        raise ValidationError(
            f"Quantity must be a whole number from 1 to {MAX_QUANTITY:,}.", "quantity"
        )
    return int(cleaned)


def _checked_line_values(
    quantity: int, placed_price: Decimal, discount: Decimal, currency: Currency
) -> tuple[int, Decimal, Decimal]:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError("Quantity must be a whole number of 1 or more.", "quantity")
    if quantity > MAX_QUANTITY:
        raise ValidationError(f"Quantity cannot exceed {MAX_QUANTITY:,}.", "quantity")
    placed_price = currency.checked(placed_price, "placed_price", "placed price")
    discount = currency.checked(discount, "discount", "line discount")
    if quantity * placed_price > MAX_AMOUNT:
        raise ValidationError(
            f"The line total (quantity × placed price) cannot exceed "
            f"{currency.format(MAX_AMOUNT)}.",
            "quantity",
        )
    if discount > quantity * placed_price:
        raise ValidationError(
            "The line discount must be between zero and the line's price.", "discount"
        )
    return quantity, placed_price, discount


@dataclass(kw_only=True)
class Shipment:
    number: int
    shipping_address: Address | None = None
    shipping_method: ShippingMethod | None = None
    line_items: list[LineItem] = field(default_factory=list)
    status: ShipmentStatus = ShipmentStatus.AWAITING_INVENTORY
    status_before_hold: ShipmentStatus | None = None

    @property
    def label(self) -> str:
        return f"Shipment {self.number}"

    def quantities(self) -> Counter[str]:
        wanted: Counter[str] = Counter()
        for line in self.line_items:
            wanted[line.sku] += line.quantity
        return wanted

    @property
    def reserves_stock(self) -> bool:
        status = self.status_before_hold if self.status is ShipmentStatus.ON_HOLD else self.status
        return status in RESERVING_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_SHIPMENT_STATUSES

    def line(self, sku: str) -> LineItem:
        for line in self.line_items:
            if line.sku == sku:
                return line
        raise NotFound(f"{sku} is not on {self.label.lower()}.")


@dataclass(frozen=True, kw_only=True)
class Discount:
    description: str
    kind: DiscountKind
    value: Decimal
    coupon_code: str | None = None

    def amount(self, base: Decimal, currency: Currency) -> Decimal:
        if self.kind is DiscountKind.PERCENTAGE:
            return currency.round(base * self.value / 100)
        return currency.round(self.value)


def parse_discount(text: str, currency: Currency) -> tuple[DiscountKind, Decimal]:
    """A discount as typed: "10%" of the subtotal, or an amount ("5.00")."""
    text = text.strip()
    if not text.endswith("%"):
        return DiscountKind.AMOUNT, currency.parse(text, "value", "discount")
    number = text[:-1].strip()
    try:
        if not number.isascii() or "_" in number:  # as amounts: ASCII digits only
            raise InvalidOperation
        value = Decimal(number)
    except InvalidOperation:
        raise ValidationError(f"'{text}' is not a percentage.", "value") from None
    return DiscountKind.PERCENTAGE, value


def _checked_discount(
    description: str, kind: DiscountKind, value: Decimal, currency: Currency, subtotal: Decimal
) -> Discount:
    description = " ".join(description.split())
    if not description:
        raise ValidationError("Describe the discount (for example 'Goodwill').", "description")
    refuse_control_characters(description, "description")
    checked_length(description, "description", "description", limits.DESCRIPTION)
    if kind is DiscountKind.PERCENTAGE:
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise ValidationError("A percentage discount must be a number.", "value")
        if not Decimal(value).is_finite() or not ZERO < value <= 100:
            raise ValidationError("A percentage discount must be above 0 and at most 100.", "value")
    else:
        value = currency.checked(value, "value", "discount amount")
        if value <= 0:
            raise ValidationError("A discount amount must be above zero.", "value")
        if value > subtotal:
            raise ValidationError(
                f"The discount of {currency.format(value)} is larger than the subtotal of "
                f"{currency.format(subtotal)}.",
                "value",
            )
    return Discount(description=description, kind=kind, value=Decimal(value))


@dataclass(kw_only=True)
class Payment:
    method: PaymentMethod
    amount: Decimal
    status: PaymentStatus
    created_at: datetime
    created_by: str


@dataclass(kw_only=True)
class Note:
    description: str
    text: str = ""
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class Totals:
    currency: Currency
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    paid: Decimal
    balance_due: Decimal

    @property
    def paid_in_full(self) -> bool:
        return self.balance_due <= 0


def compute_totals(
    market: Market,
    shipments: Iterable[Shipment],
    discounts: Iterable[Discount],
    payments: Iterable[Payment] = (),
) -> Totals:
    """Subtotal less discounts, plus shipping, plus tax on the discounted goods."""
    cur = market.currency
    shipments = list(shipments)
    subtotal = sum((line.total(cur) for s in shipments for line in s.line_items), ZERO)
    discount = min(subtotal, sum((d.amount(subtotal, cur) for d in discounts), ZERO))
    shipping = sum(
        (
            cur.round(s.shipping_method.cost)
            for s in shipments
            if s.shipping_method and s.line_items
        ),
        ZERO,
    )
    tax = cur.round((subtotal - discount) * market.tax_rate)
    total = subtotal - discount + shipping + tax
    paid = sum((p.amount for p in payments if p.status is PaymentStatus.PROCESSED), ZERO)
    return Totals(cur, subtotal, discount, shipping, tax, total, paid, total - paid)


class Stock:
    """In-stock quantities of the variants an action touches, and the moves it made.

    The domain decides; the data layer applies `moves` with guarded updates, so two agents
    reserving the last unit cannot both succeed.
    """

    def __init__(self, in_stock: Mapping[str, int]) -> None:
        self._in_stock = dict(in_stock)
        self.moves: Counter[str] = Counter()

    def available(self, sku: str) -> int:
        return self._in_stock.get(sku, 0)

    def covers(self, quantities: Mapping[str, int]) -> bool:
        return all(self.available(sku) >= qty for sku, qty in quantities.items())

    def reserve(self, quantities: Mapping[str, int]) -> None:
        for sku, qty in quantities.items():
            self._in_stock[sku] = self.available(sku) - qty
            self.moves[sku] -= qty

    def restore(self, quantities: Mapping[str, int]) -> None:
        for sku, qty in quantities.items():
            self._in_stock[sku] = self.available(sku) + qty
            self.moves[sku] += qty


@dataclass(kw_only=True)
class OrderGroup:
    market: Market
    created_at: datetime
    created_by: str
    name: str = ""
    customer_id: int | None = None
    customer_name: str = ""
    customer_email: str | None = None
    customer_phone: str = ""
    shipments: list[Shipment] = field(default_factory=lambda: [Shipment(number=1)])
    discounts: list[Discount] = field(default_factory=list)
    updated_at: datetime | None = None
    updated_by: str | None = None
    id: int | None = None
    version: int = 0

    @property
    def label(self) -> str:
        return f"'{self.name}'" if self.name else "The draft"

    @property
    def currency(self) -> Currency:
        return self.market.currency

    @property
    def is_anonymous(self) -> bool:
        return self.customer_id is None

    def _payments(self) -> list[Payment]:
        return []

    def totals(self) -> Totals:
        return compute_totals(self.market, self.shipments, self.discounts, self._payments())

    def line_count(self) -> int:
        return sum(len(s.line_items) for s in self.shipments)

    def discount_amounts(self) -> list[tuple[Discount, Decimal]]:
        """Each discount with what it takes off, in order: together they make the totals'
        discount (never more than the subtotal)."""
        cur = self.currency
        subtotal = sum((line.total(cur) for s in self.shipments for line in s.line_items), ZERO)
        left, amounts = subtotal, []
        for discount in self.discounts:
            amount = min(discount.amount(subtotal, cur), left)
            left -= amount
            amounts.append((discount, amount))
        return amounts

    def shipment(self, number: int) -> Shipment:
        for shipment in self.shipments:
            if shipment.number == number:
                return shipment
        raise NotFound(f"{self.label} has no shipment {number}.")

    def coupon_codes(self) -> list[str]:
        return [d.coupon_code for d in self.discounts if d.coupon_code]

    # -- editing -------------------------------------------------------------------------

    def _require_editable(self) -> None:
        """Carts are always editable; purchase orders only while In Progress."""

    def _require_shipment_editable(self, shipment: Shipment) -> None:
        """Carts' shipments are always editable."""

    def _may_readdress(self, shipment: Shipment) -> bool:
        try:
            self._require_shipment_editable(shipment)
        except NotEditable:
            return False
        return True

    @contextmanager
    def _edit(self, stock: Stock | None, shipments: Iterable[Shipment] = ()) -> Iterator[None]:
        yield

    def set_customer(self, customer: Customer, previous: Customer | None = None) -> None:
        """The customer's default address (named, with a phone) ships every shipment that
        has no address yet, or still ships to the book of `previous`, the customer chosen
        before (by mistake, most likely): a changed customer never keeps another's address."""
        self._require_editable()
        replaced: set[Address] = set()
        if previous is not None and previous.id != customer.id:
            replaced = {
                *previous.addresses,
                *(a for a in map(previous.ship_to, previous.addresses) if a),
            }
        self.customer_id = customer.id
        self.customer_name = customer.full_name
        self.customer_email = customer.email
        self.customer_phone = customer.phone
        ship_to = customer.ship_to()
        for shipment in self.shipments:
            address = shipment.shipping_address
            if address is None or (address in replaced and self._may_readdress(shipment)):
                shipment.shipping_address = ship_to

    def set_anonymous_contact(self, name: str, email: str | None, phone: str = "") -> None:
        """An order with no customer account: the name or email typed makes it findable."""
        self._require_editable()
        name, phone = " ".join(name.split()), phone.strip()
        refuse_control_characters(name, "name")
        refuse_control_characters(phone, "phone")
        name = checked_length(name, "name", "name", limits.FULL_NAME)
        email = validate_email(email)
        phone = validate_phone(phone)
        if not name and not email:
            raise ValidationError(
                "An anonymous order needs a name or an email to be found again.", "name"
            )
        self.customer_id = None
        self.customer_name = name
        self.customer_email = email
        self.customer_phone = phone

    def set_shipping_address(
        self,
        number: int,
        address: Address,
        stock: Stock | None = None,
        *,
        add_to_address_book_of: Customer | None = None,
    ) -> Address:
        """Give one shipment its own address; the address book changes only when asked."""
        address = address.validated()
        shipment = self.shipment(number)
        self._require_editable()
        self._require_shipment_editable(shipment)
        if add_to_address_book_of is not None:
            if add_to_address_book_of.id != self.customer_id:
                raise ValidationError(
                    f"{add_to_address_book_of.full_name} is not the customer of {self.label}.",
                    "add_to_address_book",
                )
            add_to_address_book_of.add_address(address)
        with self._edit(stock, [shipment]):
            shipment.shipping_address = address
        return address

    def set_shipping_method(self, number: int, code: str, stock: Stock | None = None) -> None:
        method = self.market.shipping_method(code)
        shipment = self.shipment(number)
        self._require_editable()
        self._require_shipment_editable(shipment)
        with self._edit(stock, [shipment]):
            shipment.shipping_method = method

    def add_line_item(
        self,
        number: int,
        variant: ProductVariant,
        quantity: int,
        placed_price: Decimal | None = None,
        stock: Stock | None = None,
    ) -> LineItem:
        default_price = variant.price_in(self.market)
        price = default_price if placed_price is None else placed_price
        quantity, price, discount = _checked_line_values(quantity, price, ZERO, self.currency)
        shipment = self.shipment(number)
        self._require_editable()
        self._require_shipment_editable(shipment)
        if any(line.sku == variant.sku for line in shipment.line_items):
            raise ValidationError(
                f"{variant.sku} is already on {shipment.label.lower()}: change its quantity.",
                "variant",
            )
        line = LineItem(
            sku=variant.sku,
            name=variant.name,
            quantity=quantity,
            placed_price=price,
            discount=discount,  # as stored: 0.00, so an unchanged line compares equal
        )
        self._check_subtotal(line.total(self.currency))
        with self._edit(stock, [shipment]):
            shipment.line_items.append(line)
        return line

    def update_line_item(
        self,
        number: int,
        sku: str,
        quantity: int,
        placed_price: Decimal,
        discount: Decimal = ZERO,
        stock: Stock | None = None,
    ) -> None:
        quantity, placed_price, discount = _checked_line_values(
            quantity, placed_price, discount, self.currency
        )
        shipment = self.shipment(number)
        line = shipment.line(sku)
        self._require_editable()
        self._require_shipment_editable(shipment)
        changed = LineItem(
            sku=sku, name=line.name, quantity=quantity, placed_price=placed_price, discount=discount
        )
        self._check_subtotal(changed.total(self.currency) - line.total(self.currency))
        with self._edit(stock, [shipment]):
            line.quantity, line.placed_price, line.discount = quantity, placed_price, discount

    def _check_subtotal(self, increase: Decimal) -> None:
        """An order's subtotal stays within MAX_AMOUNT (and so within what a column holds)."""
        if self.totals().subtotal + increase > MAX_AMOUNT:
            raise ValidationError(
                f"{self.label}'s subtotal cannot exceed {self.currency.format(MAX_AMOUNT)}.",
                "quantity",
            )

    def remove_line_item(self, number: int, sku: str, stock: Stock | None = None) -> None:
        shipment = self.shipment(number)
        line = shipment.line(sku)
        self._require_editable()
        self._require_shipment_editable(shipment)
        with self._edit(stock, [shipment]):
            shipment.line_items.remove(line)

    def add_shipment(self) -> Shipment:
        self._require_editable()
        shipment = Shipment(number=max((s.number for s in self.shipments), default=0) + 1)
        if self.shipments and self.shipments[0].shipping_method is not None:
            shipment.shipping_method = self.shipments[0].shipping_method
        self.shipments.append(shipment)
        return shipment

    def remove_shipment(self, number: int, stock: Stock | None = None) -> None:
        shipment = self.shipment(number)
        self._require_editable()
        self._require_shipment_editable(shipment)
        if len(self.shipments) == 1:
            raise ValidationError(f"{self.label} needs at least one shipment.", "shipment")
        with self._edit(stock, [shipment]):
            self.shipments.remove(shipment)

    def add_discount(
        self, description: str, kind: DiscountKind, value: Decimal, stock: Stock | None = None
    ) -> Discount:
        self._require_editable()
        discount = _checked_discount(
            description, kind, value, self.currency, self.totals().subtotal
        )
        with self._edit(stock):
            self.discounts.append(discount)
        return discount

    def remove_discount(self, index: int, stock: Stock | None = None) -> None:
        if not 0 <= index < len(self.discounts):
            raise NotFound(f"{self.label} has no discount {index + 1}.")
        self._require_editable()
        with self._edit(stock):
            del self.discounts[index]

    def apply_coupon(self, coupon: Coupon, now: datetime, stock: Stock | None = None) -> None:
        coupon.check(self.market, now)
        self._require_editable()
        if coupon.code in self.coupon_codes():
            raise CouponError(f"Coupon {coupon.code} is already applied.")
        discount = Discount(
            description=coupon.description,
            kind=coupon.kind,
            value=coupon.value,
            coupon_code=coupon.code,
        )
        with self._edit(stock):
            self.discounts.append(discount)

    def remove_coupon(self, code: str, stock: Stock | None = None) -> None:
        self._require_editable()
        kept = [d for d in self.discounts if d.coupon_code != code]
        if len(kept) == len(self.discounts):
            raise NotFound(f"Coupon {code} is not applied to {self.label}.")
        with self._edit(stock):
            self.discounts = kept


@dataclass(kw_only=True)
class Cart(OrderGroup):
    @property
    def label(self) -> str:
        return f"Cart '{self.name}'" if self.name else "The cart"


@dataclass(kw_only=True)
class PurchaseOrder(OrderGroup):
    number: str
    status: OrderStatus = OrderStatus.IN_PROGRESS
    status_before_hold: OrderStatus | None = None
    payments: list[Payment] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"Order {self.number}"

    def _payments(self) -> list[Payment]:
        return self.payments

    # -- editing guards --------------------------------------------------------------

    def _require_editable(self) -> None:
        if self.status is OrderStatus.ON_HOLD:
            raise OrderOnHold(f"{self.label} is on hold: release the hold before changing it.")
        if self.status is not OrderStatus.IN_PROGRESS:
            raise NotEditable(
                f"{self.label} is {self.status}: only an In Progress order can be changed."
            )

    def _require_shipment_editable(self, shipment: Shipment) -> None:
        if shipment.status not in (
            ShipmentStatus.AWAITING_INVENTORY,
            ShipmentStatus.INVENTORY_ASSIGNED,
        ):
            raise NotEditable(
                f"{shipment.label} of {self.number} is {shipment.status}: it can no longer change."
            )

    @contextmanager
    def _edit(self, stock: Stock | None, shipments: Iterable[Shipment] = ()) -> Iterator[None]:
        """Give back what the edited shipments reserved, edit, then assign inventory anew."""
        if stock is None:
            raise TypeError("editing a purchase order needs the stock of its variants")
        for shipment in shipments:
            if shipment.status is ShipmentStatus.INVENTORY_ASSIGNED:
                stock.restore(shipment.quantities())
                shipment.status = ShipmentStatus.AWAITING_INVENTORY
        yield
        self.assign_inventory(stock)

    def add_shipment(self) -> Shipment:
        if self.status is not OrderStatus.IN_PROGRESS:
            self._require_editable()
        return super().add_shipment()

    def remove_line_item(self, number: int, sku: str, stock: Stock | None = None) -> None:
        if self.line_count() == 1:
            raise ValidationError(
                f"{self.label} needs at least one line item: cancel the order instead.", "variant"
            )
        super().remove_line_item(number, sku, stock)

    def remove_shipment(self, number: int, stock: Stock | None = None) -> None:
        if self.line_count() == len(self.shipment(number).line_items):
            raise ValidationError(
                f"{self.label} needs at least one line item: cancel the order instead.",
                "shipment",
            )
        super().remove_shipment(number, stock)

    # -- inventory -------------------------------------------------------------------

    def assign_inventory(self, stock: Stock) -> None:
        """Paid in full: a shipment whose quantities stock covers is Inventory Assigned,
        the others Awaiting Inventory. Not paid in full: nothing is assigned."""
        paid = self.totals().paid_in_full
        for shipment in self.shipments:
            wanted = shipment.quantities()
            if shipment.status is ShipmentStatus.AWAITING_INVENTORY:
                if paid and wanted and stock.covers(wanted):
                    stock.reserve(wanted)
                    shipment.status = ShipmentStatus.INVENTORY_ASSIGNED
            elif shipment.status is ShipmentStatus.INVENTORY_ASSIGNED and not paid:
                stock.restore(wanted)
                shipment.status = ShipmentStatus.AWAITING_INVENTORY

    def check_inventory(self, stock: Stock) -> None:
        """Look again for stock for shipments still Awaiting Inventory."""
        self._require_active("check inventory for")
        self.assign_inventory(stock)

    # -- payments ----------------------------------------------------------------------

    def add_payment(
        self, method_code: str, amount: Decimal, agent: str, now: datetime, stock: Stock
    ) -> Payment:
        """Record a payment taken by the agent (for example by telephone): it is Processed."""
        method = self.market.payment_method(method_code)
        if self.status is OrderStatus.ON_HOLD:
            raise OrderOnHold(f"{self.label} is on hold: release the hold before adding a payment.")
        if self.status is not OrderStatus.IN_PROGRESS:
            raise NotEditable(f"{self.label} is {self.status}: it takes no more payments.")
        amount = self.currency.checked(amount, "amount", "payment amount")
        if amount <= 0:
            raise ValidationError("A payment amount must be above zero.", "amount")
        due = self.totals().balance_due
        if due <= 0:
            raise ValidationError(f"{self.label} is already paid in full.", "amount")
        if amount > due:
            raise ValidationError(
                f"{self.currency.format(amount)} exceeds the balance due of "
                f"{self.currency.format(due)}.",
                "amount",
            )
        payment = Payment(
            method=method,
            amount=amount,
            status=PaymentStatus.PROCESSED,
            created_at=now,
            created_by=agent,
        )
        self.payments.append(payment)
        self.assign_inventory(stock)
        return payment

    # -- hold ----------------------------------------------------------------------------

    def place_on_hold(self) -> None:
        if self.status is OrderStatus.ON_HOLD:
            raise InvalidTransition(f"{self.label} is already on hold.")
        if self.status not in (OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED):
            raise InvalidTransition(f"{self.label} is {self.status}: it cannot be put on hold.")
        self.status_before_hold, self.status = self.status, OrderStatus.ON_HOLD
        for shipment in self.shipments:
            if not shipment.is_final:
                shipment.status_before_hold = shipment.status
                shipment.status = ShipmentStatus.ON_HOLD

    def release_hold(self) -> None:
        if self.status is not OrderStatus.ON_HOLD or self.status_before_hold is None:
            raise InvalidTransition(f"{self.label} is not on hold.")
        self.status, self.status_before_hold = self.status_before_hold, None
        for shipment in self.shipments:
            if shipment.status is ShipmentStatus.ON_HOLD and shipment.status_before_hold:
                shipment.status, shipment.status_before_hold = shipment.status_before_hold, None

    # -- shipment flow -----------------------------------------------------------------

    def _require_active(self, action: str) -> None:
        if self.status is OrderStatus.ON_HOLD:
            raise OrderOnHold(f"{self.label} is on hold: release the hold before you {action} it.")
        if self.status not in (OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED):
            raise InvalidTransition(f"{self.label} is {self.status}: you cannot {action} it.")

    def _move(self, number: int, start: ShipmentStatus, end: ShipmentStatus, action: str) -> None:
        shipment = self.shipment(number)
        if shipment.status is not start:
            raise InvalidTransition(
                f"{shipment.label} is {shipment.status}: only a {start} shipment can be {action}."
            )
        shipment.status = end

    def release_shipment(self, number: int) -> None:
        """Release for shipping: paid in full, not on hold, inventory assigned."""
        self._require_active("release a shipment of")
        shipment = self.shipment(number)
        if not shipment.line_items:
            raise InvalidTransition(f"{shipment.label} has no items to release.")
        due = self.totals().balance_due
        if due > 0:
            raise NotPaidInFull(
                f"{self.label} must be paid in full before release: "
                f"{self.currency.format(due)} is due."
            )
        if shipment.status is ShipmentStatus.AWAITING_INVENTORY:
            raise InvalidTransition(
                f"{shipment.label} is Awaiting Inventory: stock does not cover it yet."
            )
        self._move(number, ShipmentStatus.INVENTORY_ASSIGNED, ShipmentStatus.RELEASED, "released")

    def add_to_picklist(self, number: int) -> None:
        self._require_active("pick")
        self._move(number, ShipmentStatus.RELEASED, ShipmentStatus.PACKING, "added to a picklist")

    def complete_shipment(self, number: int) -> None:
        self._require_active("ship")
        self._move(number, ShipmentStatus.PACKING, ShipmentStatus.SHIPPED, "completed")
        self._derive_status()

    def _derive_status(self) -> None:
        with_items = [s for s in self.shipments if s.line_items]
        if with_items and all(s.is_final for s in with_items):
            for shipment in self.shipments:
                if not shipment.line_items:
                    shipment.status = ShipmentStatus.CANCELED
            self.status = OrderStatus.COMPLETED
        elif any(s.status is ShipmentStatus.SHIPPED for s in with_items):
            self.status = OrderStatus.PARTIALLY_SHIPPED

    # -- cancel ------------------------------------------------------------------------

    def cancel(self, stock: Stock) -> None:
        if self.status is OrderStatus.ON_HOLD:
            raise OrderOnHold(f"{self.label} is on hold: release the hold before canceling it.")
        if self.status is not OrderStatus.IN_PROGRESS:
            raise InvalidTransition(
                f"{self.label} is {self.status}: only an In Progress order can be canceled."
            )
        for shipment in self.shipments:
            if shipment.reserves_stock:
                stock.restore(shipment.quantities())
            shipment.status = ShipmentStatus.CANCELED
        self.status = OrderStatus.CANCELED

    def release_reservations(self, stock: Stock) -> None:
        """Before deleting an order, give back the stock its shipments still hold."""
        for shipment in self.shipments:
            if shipment.reserves_stock:
                stock.restore(shipment.quantities())

    # -- notes ---------------------------------------------------------------------------

    def add_note(self, description: str, text: str, agent: str, now: datetime) -> Note:
        note = new_note(description, text, agent, now)
        self.notes.append(note)
        return note


def new_note(description: str, text: str, agent: str, now: datetime) -> Note:
    """A note as an agent writes it. Notes are the order's own rows: adding one changes
    nothing else, so it never conflicts with another agent's change."""
    description = " ".join(description.split())
    if not description:
        raise ValidationError("A note needs a description.", "description")
    refuse_control_characters(description, "description")
    text = text.strip()
    refuse_control_characters(text, "text", label="details", lines=True)
    checked_length(description, "description", "description", limits.DESCRIPTION)
    text = checked_length(text, "text", "details", limits.NOTE_TEXT)
    return Note(description=description, text=text, created_by=agent, created_at=now)


def cart_name(name: str) -> str:
    name = " ".join(name.split()) or "Phone order"
    return checked_length(name, "name", "cart name", limits.NAME)


def convert_cart(
    cart: Cart,
    number: str,
    *,
    now: datetime,
    agent: str,
    coupons: Mapping[str, Coupon],
    stock: Stock,
) -> PurchaseOrder:
    """Create Order / Convert to Purchase Order: check the draft is complete, then carry
    over its lines, addresses, shipping and coupons into a new In Progress order."""
    if not cart.customer_name and not cart.customer_email:
        raise IncompleteOrder("Choose a customer, or enter a name or email for the order.")
    if cart.line_count() == 0:
        raise IncompleteOrder("Add at least one line item before creating the order.")
    for shipment in cart.shipments:
        if not shipment.line_items:
            raise IncompleteOrder(f"{shipment.label} has no items: add items or remove it.")
        if shipment.shipping_address is None:
            raise IncompleteOrder(f"{shipment.label} needs a shipping address.")
        if shipment.shipping_method is None:
            raise IncompleteOrder(f"{shipment.label} needs a shipping method.")
    for code in cart.coupon_codes():
        coupon = coupons.get(code)
        if coupon is None:
            raise CouponError(f"Coupon {code} no longer exists: remove it from the cart.")
        try:
            coupon.check(cart.market, now)
        except CouponError as error:
            raise CouponError(f"{error} Remove it from the cart first.") from None
    order = PurchaseOrder(
        number=number,
        market=cart.market,
        name=cart.name,
        customer_id=cart.customer_id,
        customer_name=cart.customer_name,
        customer_email=cart.customer_email,
        customer_phone=cart.customer_phone,
        shipments=[
            Shipment(
                number=position,
                shipping_address=s.shipping_address,
                shipping_method=s.shipping_method,
                line_items=[replace(line) for line in s.line_items],
            )
            for position, s in enumerate(cart.shipments, start=1)
        ],
        discounts=list(cart.discounts),
        created_at=now,
        created_by=agent,
        updated_at=now,
        updated_by=agent,
    )
    order.assign_inventory(stock)
    return order


def reorder(
    order: PurchaseOrder,
    *,
    variants: Mapping[str, ProductVariant],
    coupons: Mapping[str, Coupon],
    now: datetime,
    agent: str,
) -> tuple[Cart, list[str]]:
    """A new draft with the same customer, addresses, shipping and lines at today's prices.
    Returns the draft and what the agent must be told about it."""
    notices: list[str] = []
    market = order.market
    cart = Cart(
        market=market,
        name=f"Reorder of {order.number}",
        customer_id=order.customer_id,
        customer_name=order.customer_name,
        customer_email=order.customer_email,
        customer_phone=order.customer_phone,
        shipments=[],
        created_at=now,
        created_by=agent,
    )
    offered = {m.code for m in market.shipping_methods}
    first: Shipment | None = None
    for old in order.shipments:
        shipment = Shipment(
            number=len(cart.shipments) + 1,
            shipping_address=old.shipping_address,
            shipping_method=(
                market.shipping_method(old.shipping_method.code)
                if old.shipping_method and old.shipping_method.code in offered
                else None
            ),
        )
        if old.shipping_method and shipment.shipping_method is None:
            notices.append(
                f"Shipping method {old.shipping_method.name} is no longer offered: choose another."
            )
        for line in old.line_items:
            variant = variants.get(line.sku)
            if variant is None or not variant.is_sold or market.code not in variant.prices:
                notices.append(f"{line.sku} ({line.name}) is no longer available: left out.")
                continue
            if variant.in_stock < line.quantity:
                notices.append(
                    f"{line.sku} ({line.name}) is out of stock ({variant.in_stock} in stock): "
                    "kept, it will wait for inventory."
                )
            shipment.line_items.append(
                LineItem(
                    sku=variant.sku,
                    name=variant.name,
                    quantity=line.quantity,
                    placed_price=variant.prices[market.code],
                )
            )
        first = first or shipment
        if shipment.line_items:
            cart.shipments.append(shipment)
    if not cart.shipments:  # no item is sold any more: still the address and method
        cart.shipments.append(first or Shipment(number=1))
    for code in order.coupon_codes():
        coupon = coupons.get(code)
        if coupon is None:
            notices.append(f"Coupon {code} no longer exists: not applied.")
            continue
        try:
            cart.apply_coupon(coupon, now)
        except CouponError as error:
            notices.append(f"{error} Not applied.")
    return cart, notices
