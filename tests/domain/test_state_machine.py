"""Random sequences of agent actions never leave an order in a state the rules forbid; and
in every state reached, what is offered to the agent is exactly what the rules accept."""

import copy
from collections import Counter
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from csr_tui.domain import (
    DiscountKind,
    DomainError,
    OrderStatus,
    PurchaseOrder,
    ShipmentStatus,
    Stock,
    convert_cart,
)
from csr_tui.domain.offers import (
    LineAction,
    OrderAction,
    ShipmentAction,
    line_actions,
    order_actions,
    shipment_actions,
)
from csr_tui.domain.snapshot import snapshot
from csr_tui.domain.statuses import FINAL_SHIPMENT_STATUSES, RESERVING_STATUSES
from tests.factories import HOME, NOW, cart, coupon, variant

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


class OfferedIsAccepted(OrderLife):
    """In every state an order reaches, what the screens offer (domain/offers.py) is what
    the rules accept: nothing offered is refused, nothing refused is offered."""

    def attempt_on_copy(self, run) -> tuple[bool, PurchaseOrder]:
        """Whether the rules accept `run(order, stock)`, on copies; and the copy after."""
        memo = {id(self.order.market): self.order.market}
        order, stock = copy.deepcopy((self.order, self.stock), memo)
        try:
            run(order, stock)
        except DomainError:
            return False, order
        return True, order

    def order_attempts(self):
        due = self.order.totals().balance_due
        return {
            OrderAction.ADD_PAYMENT: lambda o, s: o.add_payment(
                "card", due if due > 0 else Decimal(1), "a", NOW, s
            ),
            OrderAction.HOLD: lambda o, s: o.place_on_hold(),
            OrderAction.RELEASE_HOLD: lambda o, s: o.release_hold(),
            OrderAction.CANCEL: lambda o, s: o.cancel(s),
            OrderAction.ADD_SHIPMENT: lambda o, s: o.add_shipment(),
            OrderAction.ADD_DISCOUNT: lambda o, s: o.add_discount(
                "Goodwill", DiscountKind.PERCENTAGE, Decimal(5), s
            ),
            OrderAction.APPLY_COUPON: lambda o, s: o.apply_coupon(coupon("NEW"), NOW, s),
            OrderAction.REMOVE_DISCOUNT: lambda o, s: o.remove_discount(0, s),
        }

    def shipment_attempts(self, n):
        return {
            ShipmentAction.EDIT: lambda o, s: o.set_shipping_method(n, "express", s),
            ShipmentAction.ADD_ITEMS: lambda o, s: o.add_line_item(
                n, variant("SKU-NEW", "1.00"), 1, None, s
            ),
            ShipmentAction.RELEASE: lambda o, s: o.release_shipment(n),
            ShipmentAction.ADD_TO_PICKLIST: lambda o, s: o.add_to_picklist(n),
            ShipmentAction.COMPLETE: lambda o, s: o.complete_shipment(n),
            ShipmentAction.REMOVE: lambda o, s: o.remove_shipment(n, s),
        }

    @invariant()
    def offered_is_exactly_what_the_rules_accept(self):
        o = self.order
        offered = order_actions(o)
        for action, run in self.order_attempts().items():
            accepted, _ = self.attempt_on_copy(run)
            assert (action in offered) == accepted, (action, o.status)
        # Checking inventory is never refused while the order is active; it is offered
        # when it could find something (a paid order, a shipment waiting for stock).
        accepted, after = self.attempt_on_copy(lambda o, s: o.check_inventory(s))
        if OrderAction.CHECK_INVENTORY in offered:
            assert accepted
        if snapshot(after) != snapshot(o):
            assert OrderAction.CHECK_INVENTORY in offered
        for shipment in o.shipments:
            n = shipment.number
            menu = shipment_actions(o, n)
            for action, run in self.shipment_attempts(n).items():
                accepted, _ = self.attempt_on_copy(run)
                assert (action in menu) == accepted, (action, n, shipment.status, o.status)
            if ShipmentAction.CHECK_INVENTORY in menu:
                assert OrderAction.CHECK_INVENTORY in offered
            for line in shipment.line_items:
                can = line_actions(o, n)
                same = (line.sku, line.quantity, line.placed_price, line.discount)
                accepted, _ = self.attempt_on_copy(
                    lambda o, s, n=n, same=same: o.update_line_item(n, *same, stock=s)
                )
                assert (LineAction.EDIT in can) == accepted
                accepted, _ = self.attempt_on_copy(
                    lambda o, s, n=n, sku=line.sku: o.remove_line_item(n, sku, s)
                )
                assert (LineAction.REMOVE in can) == accepted


OfferedIsAccepted.TestCase.settings = settings(
    max_examples=30, stateful_step_count=20, deadline=None
)
TestOfferedIsAccepted = OfferedIsAccepted.TestCase
