"""Random sequences of agent actions never leave an order in a state the rules forbid."""

from collections import Counter
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from csr_tui.domain import (
    DiscountKind,
    DomainError,
    OrderStatus,
    ShipmentStatus,
    Stock,
    convert_cart,
)
from csr_tui.domain.statuses import FINAL_SHIPMENT_STATUSES, RESERVING_STATUSES
from tests.factories import HOME, NOW, cart, variant

S = ShipmentStatus
SKUS = ("SKU-1", "SKU-2", "SKU-3")


class OrderLife(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.initial = {"SKU-1": 3, "SKU-2": 8, "SKU-3": 0}
        self.stock = Stock(self.initial)
        c = cart(lines=((variant("SKU-1", "10.00"), 1),))
        second = c.add_shipment()
        c.set_shipping_address(second.number, HOME)
        c.add_line_item(second.number, variant("SKU-2", "3.50"), 2)
        self.order = convert_cart(c, "PO1", now=NOW, agent="a", coupons={}, stock=self.stock)
        self.released_unpaid = False

    def attempt(self, action, *args):
        before = (self.order.status, [s.status for s in self.order.shipments])
        try:
            action(*args)
        except DomainError:
            after = (self.order.status, [s.status for s in self.order.shipments])
            assert before == after, "a refused action must change no status"

    @rule(fraction=st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal(1)]))
    def pay(self, fraction):
        due = self.order.totals().balance_due
        amount = self.order.currency.round(due * fraction) if due > 0 else Decimal(1)
        self.attempt(self.order.add_payment, "card", amount, "a", NOW, self.stock)

    @rule()
    def hold(self):
        self.attempt(self.order.place_on_hold)

    @rule()
    def release_hold(self):
        self.attempt(self.order.release_hold)

    @rule(n=st.sampled_from([1, 2]))
    def release(self, n):
        was_paid = self.order.totals().paid_in_full
        status = self.order.shipment(n).status
        self.attempt(self.order.release_shipment, n)
        if self.order.shipment(n).status is S.RELEASED and status is not S.RELEASED:
            assert was_paid, "released without payment in full"

    @rule(n=st.sampled_from([1, 2]))
    def pick(self, n):
        self.attempt(self.order.add_to_picklist, n)

    @rule(n=st.sampled_from([1, 2]))
    def complete(self, n):
        self.attempt(self.order.complete_shipment, n)

    @rule()
    def cancel(self):
        was_on_hold = self.order.status is OrderStatus.ON_HOLD
        self.attempt(self.order.cancel, self.stock)
        if was_on_hold:
            assert self.order.status is OrderStatus.ON_HOLD

    @rule(n=st.sampled_from([1, 2]), sku=st.sampled_from(SKUS), qty=st.integers(1, 4))
    def edit_quantity(self, n, sku, qty):
        try:
            self.order.shipment(n).line(sku)
        except DomainError:
            self.attempt(self.order.add_line_item, n, variant(sku, "2.00"), qty, None, self.stock)
        else:
            self.attempt(
                self.order.update_line_item, n, sku, qty, Decimal("2.00"), Decimal(0), self.stock
            )

    @rule(pct=st.sampled_from([Decimal(5), Decimal(50)]))
    def discount(self, pct):
        self.attempt(self.order.add_discount, "Goodwill", DiscountKind.PERCENTAGE, pct, self.stock)

    @precondition(lambda self: self.order.status is OrderStatus.IN_PROGRESS)
    @rule()
    def check_inventory(self):
        self.attempt(self.order.check_inventory, self.stock)

    @invariant()
    def stock_is_conserved_and_never_negative(self):
        held: Counter[str] = Counter()
        for s in self.order.shipments:
            if s.reserves_stock or s.status is S.SHIPPED:
                held.update(s.quantities())
        for sku, initial in self.initial.items():
            assert self.stock.available(sku) >= 0
            assert self.stock.available(sku) + held[sku] == initial

    @invariant()
    def order_status_agrees_with_shipments(self):
        o, statuses = self.order, [s.status for s in self.order.shipments]
        if o.status is OrderStatus.ON_HOLD:
            assert all(s in FINAL_SHIPMENT_STATUSES | {S.ON_HOLD} for s in statuses)
            assert o.status_before_hold in (OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED)
        else:
            assert S.ON_HOLD not in statuses
        if o.status is OrderStatus.CANCELED:
            assert set(statuses) == {S.CANCELED}
        if o.status is OrderStatus.COMPLETED:
            assert set(statuses) <= FINAL_SHIPMENT_STATUSES and S.SHIPPED in statuses
        if o.status is OrderStatus.IN_PROGRESS:
            assert S.SHIPPED not in statuses
        if o.status is OrderStatus.PARTIALLY_SHIPPED:
            assert S.SHIPPED in statuses and not set(statuses) <= FINAL_SHIPMENT_STATUSES

    @invariant()
    def assigned_only_when_paid(self):
        if not self.order.totals().paid_in_full:
            assert S.INVENTORY_ASSIGNED not in [s.status for s in self.order.shipments]

    @invariant()
    def totals_are_consistent(self):
        t = self.order.totals()
        cur = self.order.currency
        assert t.total == t.subtotal - t.discount + t.shipping + t.tax
        assert t.balance_due == t.total - t.paid
        assert 0 <= t.discount <= t.subtotal
        for value in (t.subtotal, t.discount, t.shipping, t.tax, t.total, t.paid):
            assert cur.round(value) == value

    @invariant()
    def held_stock_matches_reserving_statuses(self):
        for s in self.order.shipments:
            effective = s.status_before_hold if s.status is S.ON_HOLD else s.status
            assert s.reserves_stock == (effective in RESERVING_STATUSES)


OrderLife.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
TestOrderLife = OrderLife.TestCase
