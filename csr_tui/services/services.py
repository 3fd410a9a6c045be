"""One method per agent action. Each opens a unit of work, loads, calls the domain, saves,
writes the audit record and commits; or raises a DomainError and leaves nothing behind.

Screens and the command line call only this. What goes back is plain data: domain
dataclasses and summary rows, never a connection or a session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from csr_tui.data import queries
from csr_tui.data.database import Database, UnitOfWork
from csr_tui.data.demo import DEFAULT_SEED, Progress, load_demo
from csr_tui.data.queries import (
    CartRow,
    Count,
    Cursor,
    CustomerRow,
    OrderFilter,
    OrderList,
    OrderRow,
    VariantRow,
)
from csr_tui.data.repository import stale_error
from csr_tui.domain.catalog import Coupon, Market, coupon_code
from csr_tui.domain.customers import Address, Customer
from csr_tui.domain.errors import ConcurrentEditError, NotFound, ValidationError
from csr_tui.domain.orders import Cart, OrderGroup, PurchaseOrder, Stock, convert_cart, reorder
from csr_tui.domain.snapshot import changes, snapshot
from csr_tui.domain.statuses import DiscountKind

Clock = Callable[[], datetime]

# Bookkeeping fields that change on every save; the audit record says who and when anyway.
_NOT_AUDITED = ("version", "updated_at", "updated_by", "id")


def utc_now() -> datetime:
    return datetime.now(UTC)


def open_services(url: str, agent: str, clock: Clock = utc_now) -> Services:
    """Open the database at `url`, bring its schema up to date, and serve `agent`."""
    db = Database(url)
    db.upgrade()
    return Services(db, agent, clock=clock)


@dataclass(frozen=True)
class OrderRef:
    number: str


@dataclass(frozen=True)
class CartRef:
    id: int


Ref = OrderRef | CartRef


@dataclass(frozen=True)
class OrderPage:
    rows: list[OrderRow]
    more: bool  # more rows beyond this page, in the direction it was read
    count: Count | None


@dataclass(frozen=True)
class AuditEntry:
    action: str
    agent: str
    at: datetime
    changes: dict[str, Any]


def _audited(group: OrderGroup) -> dict[str, Any]:
    view = snapshot(group)
    for key in _NOT_AUDITED:
        view.pop(key, None)
    return view


class Services:
    def __init__(self, db: Database, agent: str, clock: Clock = utc_now) -> None:
        self.db = db
        self.agent = agent
        self.clock = clock
        self._market_codes: list[str] | None = None

    # -- reading -----------------------------------------------------------------------

    def markets(self) -> list[Market]:
        with self.db.unit_of_work() as uow:
            return list(uow.catalog.markets().values())

    def market_codes(self) -> list[str]:
        if self._market_codes is None:
            self._market_codes = [m.code for m in self.markets()]
        return self._market_codes

    def forget_cached_markets(self) -> None:
        self._market_codes = None

    def has_orders(self) -> bool:
        with self.db.reading() as conn:
            return queries.any_orders(conn)

    def search_orders(
        self,
        order_filter: OrderFilter,
        *,
        after: Cursor | None = None,
        before: Cursor | None = None,
        last: bool = False,
        with_count: bool = True,
        size: int = queries.PAGE_SIZE,
    ) -> OrderPage:
        codes = self.market_codes()
        with self.db.reading() as conn:
            order_list = OrderList(conn, order_filter, codes)
            rows, more = order_list.page(after=after, before=before, last=last, size=size)
            count = order_list.count() if with_count else None
        return OrderPage(rows, more, count)

    def get_order(self, number: str) -> PurchaseOrder:
        with self.db.unit_of_work() as uow:
            return uow.orders.get(number.strip().upper())

    def order_history(self, number: str) -> list[AuditEntry]:
        with self.db.unit_of_work() as uow:
            return [
                AuditEntry(r.action, r.agent, r.at, r.changes) for r in uow.audit.for_order(number)
            ]

    def search_customers(self, text: str) -> list[CustomerRow]:
        with self.db.reading() as conn:
            return queries.search_customers(conn, text)

    def get_customer(self, customer_id: int) -> Customer:
        with self.db.unit_of_work() as uow:
            return uow.customers.get(customer_id)

    def search_variants(self, text: str, market_code: str) -> list[VariantRow]:
        with self.db.reading() as conn:
            return queries.search_variants(conn, text, market_code)

    def list_carts(self) -> list[CartRow]:
        with self.db.reading() as conn:
            return queries.list_carts(conn)

    def get_cart(self, cart_id: int) -> Cart:
        with self.db.unit_of_work() as uow:
            return uow.carts.get(cart_id)

    def load_demo(
        self, orders: int, progress: Progress | None = None, seed: int = DEFAULT_SEED
    ) -> None:
        """Fill an empty database with demo data (refused if it has orders)."""
        load_demo(self.db.engine, orders=orders, seed=seed, progress=progress)
        self.forget_cached_markets()

    def coupons(self) -> dict[str, Coupon]:
        with self.db.unit_of_work() as uow:
            return uow.catalog.coupons()

    # -- the shared shape of every change ------------------------------------------------

    def _change(
        self,
        ref: Ref,
        version: int | None,
        action: str,
        change: Callable[[OrderGroup, Stock | None, UnitOfWork], Any],
        extra_skus: Iterable[str] = (),
    ) -> OrderGroup:
        """Load, check the copy the agent saw is current, change, save, audit, commit.

        With no version the change applies to whatever the order is now (a note): losing a
        race to another save just means loading again.
        """
        attempt = 1
        while True:
            try:
                return self._change_once(ref, version, action, change, extra_skus)
            except ConcurrentEditError:
                if version is not None or attempt == 5:
                    raise
                attempt += 1

    def _change_once(
        self,
        ref: Ref,
        version: int | None,
        action: str,
        change: Callable[[OrderGroup, Stock | None, UnitOfWork], Any],
        extra_skus: Iterable[str],
    ) -> OrderGroup:
        now = self.clock()
        with self.db.unit_of_work() as uow:
            group: OrderGroup = (
                uow.orders.get(ref.number) if isinstance(ref, OrderRef) else uow.carts.get(ref.id)
            )
            if version is not None and group.version != version:
                raise stale_error(group.label, group.updated_by or "?", group.updated_at or now)
            before = _audited(group)
            stock = None
            if isinstance(group, PurchaseOrder):
                skus = {line.sku for s in group.shipments for line in s.line_items}
                stock = uow.catalog.stock(skus | set(extra_skus))
            change(group, stock, uow)
            group.updated_at, group.updated_by = now, self.agent
            if isinstance(group, PurchaseOrder):
                uow.orders.save(group)
                assert stock is not None
                uow.catalog.apply_stock_moves(stock)
                uow.audit.record(
                    action=action,
                    agent=self.agent,
                    at=now,
                    order_number=group.number,
                    changes=changes(before, _audited(group)),
                )
            else:
                uow.carts.save(group)
                uow.audit.record(
                    action=action,
                    agent=self.agent,
                    at=now,
                    cart_id=group.id,
                    changes=changes(before, _audited(group)),
                )
            uow.commit()
        return group

    def _order_action(
        self, number: str, version: int | None, action: str, change: Callable[..., Any]
    ) -> PurchaseOrder:
        group = self._change(OrderRef(number), version, action, change)
        assert isinstance(group, PurchaseOrder)
        return group

    # -- purchase order actions ----------------------------------------------------------

    def add_payment(self, number: str, version: int, method_code: str, amount: Decimal):
        return self._order_action(
            number,
            version,
            "add payment",
            lambda o, stock, _: o.add_payment(method_code, amount, self.agent, self.clock(), stock),
        )

    def place_on_hold(self, number: str, version: int) -> PurchaseOrder:
        return self._order_action(number, version, "hold", lambda o, _s, _u: o.place_on_hold())

    def release_hold(self, number: str, version: int) -> PurchaseOrder:
        return self._order_action(
            number, version, "release hold", lambda o, _s, _u: o.release_hold()
        )

    def cancel_order(self, number: str, version: int) -> PurchaseOrder:
        return self._order_action(number, version, "cancel", lambda o, stock, _: o.cancel(stock))

    def release_shipment(self, number: str, version: int, shipment: int) -> PurchaseOrder:
        return self._order_action(
            number, version, "release shipment", lambda o, _s, _u: o.release_shipment(shipment)
        )

    def add_to_picklist(self, number: str, version: int, shipment: int) -> PurchaseOrder:
        return self._order_action(
            number, version, "add to picklist", lambda o, _s, _u: o.add_to_picklist(shipment)
        )

    def complete_shipment(self, number: str, version: int, shipment: int) -> PurchaseOrder:
        return self._order_action(
            number, version, "complete shipment", lambda o, _s, _u: o.complete_shipment(shipment)
        )

    def check_inventory(self, number: str, version: int) -> PurchaseOrder:
        return self._order_action(
            number, version, "check inventory", lambda o, stock, _: o.check_inventory(stock)
        )

    def add_note(self, number: str, description: str, text: str) -> PurchaseOrder:
        """Notes never conflict: they are added to whatever the order is now."""
        return self._order_action(
            number,
            None,
            "add note",
            lambda o, _s, _u: o.add_note(description, text, self.agent, self.clock()),
        )

    def delete_orders(self, numbers: Sequence[str]) -> tuple[list[str], list[str]]:
        """Delete the orders, each with its full snapshot in the audit log.
        Returns (deleted, already gone)."""
        deleted: list[str] = []
        missing: list[str] = []
        now = self.clock()
        with self.db.unit_of_work() as uow:
            for number in dict.fromkeys(numbers):
                try:
                    order = uow.orders.get(number)
                except NotFound:
                    missing.append(number)
                    continue
                stock = uow.catalog.stock(
                    line.sku for s in order.shipments for line in s.line_items
                )
                order.release_reservations(stock)
                uow.catalog.apply_stock_moves(stock)
                uow.audit.record(
                    action="delete",
                    agent=self.agent,
                    at=now,
                    order_number=order.number,
                    changes=changes(snapshot(order), None),
                )
                uow.orders.delete(order)
                deleted.append(number)
            uow.commit()
        return deleted, missing

    def reorder(self, number: str) -> tuple[Cart, list[str]]:
        """Reorder: a new draft (a cart) from a past order, and what the agent must know."""
        now = self.clock()
        with self.db.unit_of_work() as uow:
            order = uow.orders.get(number)
            skus = {line.sku for s in order.shipments for line in s.line_items}
            cart, notices = reorder(
                order,
                variants=uow.catalog.variants(skus),
                coupons=uow.catalog.coupons(order.coupon_codes()),
                now=now,
                agent=self.agent,
            )
            cart.updated_at, cart.updated_by = now, self.agent
            uow.carts.add(cart)
            uow.audit.record(
                action="reorder",
                agent=self.agent,
                at=now,
                cart_id=cart.id,
                changes={"reorder of": {"before": None, "after": number}},
            )
            uow.commit()
        return cart, notices

    # -- edits shared by carts and purchase orders -------------------------------------

    def set_customer(self, ref: Ref, version: int, customer_id: int) -> OrderGroup:
        def change(group: OrderGroup, _stock: Stock | None, uow: UnitOfWork) -> None:
            group.set_customer(uow.customers.get(customer_id))

        return self._change(ref, version, "set customer", change)

    def set_anonymous_contact(
        self, ref: Ref, version: int, name: str, email: str | None, phone: str = ""
    ) -> OrderGroup:
        return self._change(
            ref,
            version,
            "set contact",
            lambda g, _s, _u: g.set_anonymous_contact(name, email, phone),
        )

    def set_shipping_address(
        self,
        ref: Ref,
        version: int,
        shipment: int,
        address: Address,
        *,
        add_to_address_book: bool = False,
    ) -> OrderGroup:
        def change(group: OrderGroup, stock: Stock | None, uow: UnitOfWork) -> None:
            book = None
            if add_to_address_book:
                if group.customer_id is None:
                    raise ValidationError(
                        "This order has no customer account: there is no address book to add to.",
                        "add_to_address_book",
                    )
                book = uow.customers.get(group.customer_id)
            group.set_shipping_address(shipment, address, stock, add_to_address_book_of=book)
            if book is not None:
                uow.customers.save_addresses(book)

        return self._change(ref, version, "set shipping address", change)

    def set_shipping_method(self, ref: Ref, version: int, shipment: int, code: str):
        return self._change(
            ref,
            version,
            "set shipping method",
            lambda g, stock, _: g.set_shipping_method(shipment, code, stock),
        )

    def add_line_item(
        self,
        ref: Ref,
        version: int,
        shipment: int,
        sku: str,
        quantity: int,
        placed_price: Decimal | None = None,
    ) -> OrderGroup:
        def change(group: OrderGroup, stock: Stock | None, uow: UnitOfWork) -> None:
            group.add_line_item(shipment, uow.catalog.variant(sku), quantity, placed_price, stock)

        return self._change(ref, version, "add line item", change, extra_skus=[sku])

    def update_line_item(
        self,
        ref: Ref,
        version: int,
        shipment: int,
        sku: str,
        quantity: int,
        placed_price: Decimal,
        discount: Decimal = Decimal(0),
    ) -> OrderGroup:
        return self._change(
            ref,
            version,
            "update line item",
            lambda g, stock, _: g.update_line_item(
                shipment, sku, quantity, placed_price, discount, stock
            ),
        )

    def remove_line_item(self, ref: Ref, version: int, shipment: int, sku: str) -> OrderGroup:
        return self._change(
            ref,
            version,
            "remove line item",
            lambda g, stock, _: g.remove_line_item(shipment, sku, stock),
        )

    def add_shipment(self, ref: Ref, version: int) -> OrderGroup:
        return self._change(ref, version, "add shipment", lambda g, _s, _u: g.add_shipment())

    def remove_shipment(self, ref: Ref, version: int, shipment: int) -> OrderGroup:
        return self._change(
            ref,
            version,
            "remove shipment",
            lambda g, stock, _: g.remove_shipment(shipment, stock),
        )

    def add_discount(
        self, ref: Ref, version: int, description: str, kind: DiscountKind, value: Decimal
    ) -> OrderGroup:
        return self._change(
            ref,
            version,
            "add discount",
            lambda g, stock, _: g.add_discount(description, kind, value, stock),
        )

    def remove_discount(self, ref: Ref, version: int, index: int) -> OrderGroup:
        return self._change(
            ref, version, "remove discount", lambda g, stock, _: g.remove_discount(index, stock)
        )

    def apply_coupon(self, ref: Ref, version: int, code: str) -> OrderGroup:
        code = coupon_code(code)

        def change(group: OrderGroup, stock: Stock | None, uow: UnitOfWork) -> None:
            coupon = uow.catalog.coupons([code]).get(code)
            if coupon is None:
                raise ValidationError(f"There is no coupon {code}.", "coupon")
            group.apply_coupon(coupon, self.clock(), stock)

        return self._change(ref, version, "apply coupon", change)

    def remove_coupon(self, ref: Ref, version: int, code: str) -> OrderGroup:
        return self._change(
            ref, version, "remove coupon", lambda g, stock, _: g.remove_coupon(code, stock)
        )

    # -- carts and the create-order wizard ---------------------------------------------

    def create_cart(self, market_code: str, name: str = "Phone order") -> Cart:
        now = self.clock()
        with self.db.unit_of_work() as uow:
            cart = Cart(
                market=uow.catalog.market(market_code),
                name=" ".join(name.split()) or "Phone order",
                created_at=now,
                created_by=self.agent,
                updated_at=now,
                updated_by=self.agent,
            )
            uow.carts.add(cart)
            uow.audit.record(
                action="create cart",
                agent=self.agent,
                at=now,
                cart_id=cart.id,
                changes=changes(None, _audited(cart)),
            )
            uow.commit()
        return cart

    def delete_cart(self, cart_id: int, version: int) -> None:
        now = self.clock()
        with self.db.unit_of_work() as uow:
            cart = uow.carts.get(cart_id)
            cart.version = version
            uow.carts.delete(cart)
            uow.audit.record(
                action="delete cart",
                agent=self.agent,
                at=now,
                cart_id=cart_id,
                changes=changes(_audited(cart), None),
            )
            uow.commit()

    def convert_cart(self, cart_id: int, version: int) -> PurchaseOrder:
        """Convert to Purchase Order / Create Order: the cart becomes an In Progress order."""
        now = self.clock()
        with self.db.unit_of_work() as uow:
            cart = uow.carts.get(cart_id)
            if cart.version != version:
                raise stale_error(cart.label, cart.updated_by or "?", cart.updated_at or now)
            skus = {line.sku for s in cart.shipments for line in s.line_items}
            stock = uow.catalog.stock(skus)
            order = convert_cart(
                cart,
                uow.orders.next_number(),
                now=now,
                agent=self.agent,
                coupons=uow.catalog.coupons(cart.coupon_codes()),
                stock=stock,
            )
            uow.orders.add(order)
            uow.catalog.apply_stock_moves(stock)
            uow.carts.delete(cart)
            uow.audit.record(
                action="create order",
                agent=self.agent,
                at=now,
                order_number=order.number,
                changes=changes(None, _audited(order)),
            )
            uow.audit.record(
                action="convert cart",
                agent=self.agent,
                at=now,
                cart_id=cart_id,
                changes={"converted to": {"before": None, "after": order.number}},
            )
            uow.commit()
        return order

    def create_customer(
        self,
        first_name: str,
        last_name: str,
        email: str | None = None,
        phone: str = "",
        address: Address | None = None,
    ) -> Customer:
        """Create Contact: a new customer, with a first address when one is given."""
        customer = Customer.new(first_name, last_name, email, phone)
        if address is not None:
            customer.add_address(address)
        with self.db.unit_of_work() as uow:
            uow.customers.add(customer, self.clock())
            uow.commit()
        return customer
