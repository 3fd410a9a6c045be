"""One method per agent action. Each opens a unit of work, loads, calls the domain, saves,
writes the audit record and commits; or raises a DomainError and leaves nothing behind.
Aggregates are read in one snapshot; see data/database.py for what is retried.

Screens and the command line call only this. What goes back is plain data: domain
dataclasses and summary rows, never a connection or a session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from csr_tui.data import lists, queries
from csr_tui.data.audit import AuditCheck
from csr_tui.data.cancel import Cancellation
from csr_tui.data.database import Database, UnitOfWork
from csr_tui.data.lists import CartRow, ChangeStamp, CustomerRow, VariantRow
from csr_tui.data.queries import Count, Cursor, OrderFilter, OrderList
from csr_tui.data.repository import stale_error
from csr_tui.domain.agent import Agent
from csr_tui.domain.catalog import Coupon, Market, coupon_code, order_by_use
from csr_tui.domain.customers import Address, Customer
from csr_tui.domain.errors import NotFound, ValidationError
from csr_tui.domain.orders import (
    Cart,
    OrderGroup,
    PurchaseOrder,
    Stock,
    cart_name,
    convert_cart,
    new_note,
    reorder,
)
from csr_tui.domain.search import SearchKind, order_number
from csr_tui.domain.snapshot import changes, snapshot
from csr_tui.domain.statuses import DiscountKind
from csr_tui.services.listing import OrderPage, read_page

if TYPE_CHECKING:
    from csr_tui.data.demo import Progress

Clock = Callable[[], datetime]

GONE = 0  # in `Services._mine`, in place of a version: deleted (versions start at 1)
# Bookkeeping fields that change on every save; the audit record says who and when anyway.
_NOT_AUDITED = ("version", "updated_at", "updated_by", "id")


def utc_now() -> datetime:
    return datetime.now(UTC)


def open_services(url: str, agent: Agent | str, clock: Clock = utc_now) -> Services:
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


@dataclass(frozen=True)
class NewCart:
    """A draft order not saved yet (the create-order wizard's, until it has content): its
    first change creates the cart with that change, in one transaction, so a refused change
    leaves nothing behind and an untouched draft never becomes an empty cart."""

    market_code: str
    name: str = "Phone order"


Ref = OrderRef | CartRef | NewCart


@dataclass(frozen=True)
class AuditEntry:
    action: str
    agent: str
    at: datetime
    changes: dict[str, Any]


def _plan_once(order_filter: OrderFilter) -> bool:
    """The list without a search term: statements PostgreSQL may prepare and plan once."""
    return order_filter.search.kind is SearchKind.ALL


def _key(ref: Ref) -> tuple[str, object]:
    return ("order", ref.number.strip().upper()) if isinstance(ref, OrderRef) else ("cart", ref.id)


def _audited(group: OrderGroup) -> dict[str, Any]:
    view = snapshot(group)
    for key in _NOT_AUDITED:
        view.pop(key, None)
    return view


class Services:
    """The actions of one agent. `agent` is who acts: an Agent (the OS account, see
    config.current_agent), or a plain name, taken as the account (tests, benchmarks)."""

    def __init__(self, db: Database, agent: Agent | str, clock: Clock = utc_now) -> None:
        self.db = db
        self.identity = agent if isinstance(agent, Agent) else Agent(agent)
        self.agent = self.identity.name
        self.clock = clock
        self._market_codes: list[str] | None = None
        # What this session saved itself (versions of orders and carts, note ids), so an
        # open screen tells the agent of other agents' changes only (see `saved_by_me`).
        self._mine: set[tuple[str, object, int]] = set()

    # -- reading -----------------------------------------------------------------------

    def markets(self) -> list[Market]:
        return self.db.read(lambda r: list(r.catalog.markets().values()))

    def markets_by_use(self) -> list[Market]:
        """The markets in the order this agent reaches for them: the one of their last order
        or cart first, then by how often they used each lately (everyone's use, for an
        agent with none yet)."""
        markets = self.markets()
        used = self.db.query(lambda conn: lists.recent_market_use(conn, self.agent))
        return order_by_use(markets, used)

    def market_codes(self) -> list[str]:
        if self._market_codes is None:
            self._market_codes = [m.code for m in self.markets()]
        return self._market_codes

    def forget_cached_markets(self) -> None:
        self._market_codes = None

    def has_orders(self) -> bool:
        return self.db.query(lists.any_orders)

    def search_orders(
        self,
        order_filter: OrderFilter,
        *,
        after: Cursor | None = None,
        before: Cursor | None = None,
        last: bool = False,
        with_count: bool = True,
        size: int = queries.PAGE_SIZE,
        cancel: Cancellation | None = None,
        on_page: Callable[[OrderPage], None] | None = None,
    ) -> OrderPage:
        """A page of the orders matching the filter, and their count (with_count).

        `on_page` receives the page (without its count) as soon as it is read, when the
        count takes another query. `cancel` stops the search from another thread: it
        raises SearchCancelled.
        """
        codes = self.market_codes()

        def page(conn: Any) -> OrderPage:
            with cancel.attached(conn) if cancel else nullcontext():
                return read_page(
                    OrderList(conn, order_filter, codes, cancel=cancel),
                    after=after,
                    before=before,
                    last=last,
                    with_count=with_count,
                    size=size,
                    on_page=on_page,
                )

        return self.db.query(page, plan_once=_plan_once(order_filter))

    def count_orders(self, order_filter: OrderFilter) -> Count:
        """How many orders match (above the count cap: "10,000+"), without a page."""
        codes = self.market_codes()
        return self.db.query(
            lambda conn: OrderList(conn, order_filter, codes).count(),
            plan_once=_plan_once(order_filter),
        )

    def get_order(self, number: str) -> PurchaseOrder:
        return self.db.read(lambda r: r.orders.get(order_number(number)))

    def order_history(self, number: str) -> list[AuditEntry]:
        return [
            AuditEntry(r.action, r.agent, r.at, r.changes)
            for r in self.db.read(lambda unit: unit.audit.for_order(number))
        ]

    def order_stamp(self, number: str) -> ChangeStamp | None:
        """The order's version, who saved it last and when, and its newest note: cheap
        enough to read every second or two. None once the order is deleted."""
        return self.db.query(lambda conn: lists.order_stamp(conn, number.strip().upper()))

    def cart_stamp(self, cart_id: int) -> ChangeStamp | None:
        return self.db.query(lambda conn: lists.cart_stamp(conn, cart_id))

    def stamp(self, ref: Ref) -> ChangeStamp | None:
        if isinstance(ref, OrderRef):
            return self.order_stamp(ref.number)
        return self.cart_stamp(ref.id)

    def saved_by_me(self, ref: Ref, stamp: ChangeStamp) -> tuple[bool, bool]:
        """Whether this session saved the stamp's version, and its newest note."""
        key = _key(ref)
        return (
            (key[0], key[1], stamp.version) in self._mine,
            stamp.last_note_id is None or ("note", key[1], stamp.last_note_id) in self._mine,
        )

    def removed_by_me(self, ref: Ref) -> bool:
        """Whether this session deleted the order or cart (or made the cart an order)."""
        return (*_key(ref), GONE) in self._mine

    def verify_audit(self) -> AuditCheck:
        """Walk the audit log's hash chain; the first broken link, if any."""
        return self.db.read(lambda r: r.audit.verify())

    def search_customers(self, text: str) -> list[CustomerRow]:
        return self.db.query(lambda conn: lists.search_customers(conn, text))

    def get_customer(self, customer_id: int) -> Customer:
        return self.db.read(lambda r: r.customers.get(customer_id))

    def search_variants(self, text: str, market_code: str) -> list[VariantRow]:
        return self.db.query(lambda conn: lists.search_variants(conn, text, market_code))

    def list_carts(self) -> list[CartRow]:
        return self.db.query(lists.list_carts)

    def get_cart(self, cart_id: int) -> Cart:
        return self.db.read(lambda r: r.carts.get(cart_id))

    def load_demo(
        self, orders: int, progress: Progress | None = None, seed: int | None = None
    ) -> None:
        """Fill an empty database with demo data (refused if it has orders)."""
        # Imported here: the demo data's module is big, and listing orders needs none of it.
        from csr_tui.data.demo import DEFAULT_SEED, load_demo

        seed = DEFAULT_SEED if seed is None else seed
        with self.db.faults_explained():
            load_demo(self.db.engine, orders=orders, seed=seed, progress=progress)
        self.forget_cached_markets()

    def coupons(self) -> dict[str, Coupon]:
        return self.db.read(lambda r: r.catalog.coupons())

    # -- the shared shape of every change ------------------------------------------------

    def _change(
        self,
        ref: Ref,
        version: int,
        action: str,
        change: Callable[[OrderGroup, Stock | None, UnitOfWork], Any],
        extra_skus: Iterable[str] = (),
    ) -> OrderGroup:
        """Load, check the copy the agent saw is current, change, save, audit, commit.
        A conflict on that copy reaches the agent; anything else transient is retried."""
        return self.db.write(
            lambda uow: self._change_in(uow, ref, version, action, change, extra_skus)
        )

    def _change_in(
        self,
        uow: UnitOfWork,
        ref: Ref,
        version: int,
        action: str,
        change: Callable[[OrderGroup, Stock | None, UnitOfWork], Any],
        extra_skus: Iterable[str],
    ) -> OrderGroup:
        now = self.clock()
        group: OrderGroup
        if isinstance(ref, NewCart):
            group = self._new_cart(uow, ref.market_code, ref.name, now)
        else:
            group = (
                uow.orders.get(ref.number) if isinstance(ref, OrderRef) else uow.carts.get(ref.id)
            )
            if group.version != version:
                raise stale_error(group.label, group.updated_by or "?", group.updated_at or now)
        before = None if group.id is None else _audited(group)
        stock = None
        if isinstance(group, PurchaseOrder):
            skus = {line.sku for s in group.shipments for line in s.line_items}
            stock = uow.catalog.stock(skus | set(extra_skus))
        change(group, stock, uow)
        changed = changes(before, _audited(group))
        if not changed:
            # Saving what is already there writes nothing: no version, no audit record.
            # (Stock moves cancel out: what an edit gives back, it takes again.)
            return group
        group.updated_at, group.updated_by = now, self.agent
        if isinstance(group, PurchaseOrder):
            uow.orders.save(group)
            assert stock is not None
            uow.catalog.apply_stock_moves(stock)
            uow.audit.record(
                action=action,
                agent=self.identity,
                at=now,
                order_number=group.number,
                changes=changed,
            )
        else:
            if group.id is None:
                uow.carts.add(group)
                action = "create cart"
            else:
                uow.carts.save(group)
            uow.audit.record(
                action=action, agent=self.identity, at=now, cart_id=group.id, changes=changed
            )
        # A new cart is known by its id from here on (its NewCart ref has none).
        mine = CartRef(group.id) if isinstance(ref, NewCart) else ref
        self._mine.add((*_key(mine), group.version))
        return group

    def _order_action(
        self, number: str, version: int, action: str, change: Callable[..., Any]
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
        """Notes never conflict: a note is its own row, added to the order as it is now,
        and the order's version does not change. Returns the order with the note."""
        number = number.strip().upper()

        def add(uow: UnitOfWork) -> None:
            now = self.clock()
            note = new_note(description, text, self.agent, now)
            self._mine.add(("note", number, uow.orders.add_note(uow.orders.id_of(number), note)))
            uow.audit.record(
                action="add note",
                agent=self.identity,
                at=now,
                order_number=number,
                changes={"notes": {"before": None, "after": snapshot(note)}},
            )

        self.db.write(add)
        return self.get_order(number)

    def delete_orders(self, orders: Mapping[str, int]) -> tuple[list[str], list[str]]:
        """Delete the orders (number: the version the agent saw), each with its full
        snapshot in the audit log; all or none. An order changed since it was seen refuses
        the whole delete, naming who changed it and when. Returns (deleted, already gone)."""

        def delete(uow: UnitOfWork) -> tuple[list[str], list[str]]:
            now = self.clock()
            deleted: list[str] = []
            missing: list[str] = []
            loaded: list[PurchaseOrder] = []
            for number in sorted(orders):  # one lock order for every agent: no deadlock
                try:
                    order = uow.orders.get(number)
                except NotFound:
                    missing.append(number)
                    continue
                if order.version != orders[number]:
                    raise stale_error(
                        order.label,
                        order.updated_by or "?",
                        order.updated_at or now,
                        "nothing was deleted",
                    )
                loaded.append(order)
            for order in loaded:
                stock = uow.catalog.stock(
                    line.sku for s in order.shipments for line in s.line_items
                )
                order.release_reservations(stock)
                uow.catalog.apply_stock_moves(stock)
                uow.audit.record(
                    action="delete",
                    agent=self.identity,
                    at=now,
                    order_number=order.number,
                    changes=changes(snapshot(order), None),
                )
                uow.orders.delete(order)
                deleted.append(order.number)
                self._mine.add(("order", order.number, GONE))
            return deleted, missing

        return self.db.write(delete)

    def reorder(self, number: str) -> tuple[Cart, list[str]]:
        """Reorder: a new draft (a cart) from a past order, and what the agent must know.
        The order is read in one snapshot; the cart is written after."""
        order = self.get_order(number)

        def create(uow: UnitOfWork) -> tuple[Cart, list[str]]:
            now = self.clock()
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
                agent=self.identity,
                at=now,
                cart_id=cart.id,
                changes={
                    "reorder of": {"before": None, "after": order.number},
                    **changes(None, _audited(cart)),
                },
            )
            return cart, notices

        return self.db.write(create)

    # -- edits shared by carts and purchase orders -------------------------------------

    def set_customer(self, ref: Ref, version: int, customer_id: int) -> OrderGroup:
        def change(group: OrderGroup, _stock: Stock | None, uow: UnitOfWork) -> None:
            previous = None
            if group.customer_id not in (None, customer_id):
                with contextlib.suppress(NotFound):
                    previous = uow.customers.get(group.customer_id)
            group.set_customer(uow.customers.get(customer_id), previous)

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
            self._set_address(group, stock, uow, shipment, address, add_to_address_book)

        return self._change(ref, version, "set shipping address", change)

    def _set_address(
        self,
        group: OrderGroup,
        stock: Stock | None,
        uow: UnitOfWork,
        shipment: int,
        address: Address,
        add_to_address_book: bool,
    ) -> None:
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
            self._audit_new_addresses(uow, book, uow.customers.save_addresses(book))

    def set_shipping_method(self, ref: Ref, version: int, shipment: int, code: str):
        return self._change(
            ref,
            version,
            "set shipping method",
            lambda g, stock, _: g.set_shipping_method(shipment, code, stock),
        )

    def edit_shipment(
        self,
        ref: Ref,
        version: int,
        shipment: int,
        address: Address,
        method_code: str | None,
        *,
        add_to_address_book: bool = False,
    ) -> OrderGroup:
        """Edit (the shipment's options menu): its address and its method, saved together
        in one transaction, or neither."""

        def change(group: OrderGroup, stock: Stock | None, uow: UnitOfWork) -> None:
            self._set_address(group, stock, uow, shipment, address, add_to_address_book)
            if method_code:
                group.set_shipping_method(shipment, method_code, stock)

        return self._change(ref, version, "edit shipment", change)

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

    def _new_cart(self, uow: UnitOfWork, market_code: str, name: str, now: datetime) -> Cart:
        return Cart(
            market=uow.catalog.market(market_code),
            name=cart_name(name),
            created_at=now,
            created_by=self.agent,
            updated_at=now,
            updated_by=self.agent,
        )

    def create_cart(self, market_code: str, name: str = "Phone order") -> Cart:
        def create(uow: UnitOfWork) -> Cart:
            now = self.clock()
            cart = self._new_cart(uow, market_code, name, now)
            uow.carts.add(cart)
            uow.audit.record(
                action="create cart",
                agent=self.identity,
                at=now,
                cart_id=cart.id,
                changes=changes(None, _audited(cart)),
            )
            return cart

        cart = self.db.write(create)
        # SQLite may give a deleted cart's id to a new one: this one is not gone.
        self._mine.discard(("cart", cart.id, GONE))
        return cart

    def delete_cart(self, cart_id: int, version: int) -> None:
        def delete(uow: UnitOfWork) -> None:
            now = self.clock()
            cart = uow.carts.get(cart_id)
            if cart.version != version:
                raise stale_error(
                    cart.label,
                    cart.updated_by or "?",
                    cart.updated_at or now,
                    "nothing was deleted",
                )
            uow.carts.delete(cart)
            self._mine.add(("cart", cart_id, GONE))
            uow.audit.record(
                action="delete cart",
                agent=self.identity,
                at=now,
                cart_id=cart_id,
                changes=changes(_audited(cart), None),
            )

        self.db.write(delete)

    def convert_cart(self, cart_id: int, version: int) -> PurchaseOrder:
        """Convert to Purchase Order / Create Order: the cart becomes an In Progress order."""

        def convert(uow: UnitOfWork) -> PurchaseOrder:
            now = self.clock()
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
            self._mine.add(("cart", cart_id, GONE))
            uow.audit.record(
                action="create order",
                agent=self.identity,
                at=now,
                order_number=order.number,
                changes=changes(None, _audited(order)),
            )
            uow.audit.record(
                action="convert cart",
                agent=self.identity,
                at=now,
                cart_id=cart_id,
                changes={"converted to": {"before": None, "after": order.number}},
            )
            return order

        return self.db.write(convert)

    # -- customers -------------------------------------------------------------------------

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

        def create(uow: UnitOfWork) -> Customer:
            now = self.clock()
            uow.customers.add(customer, now)
            uow.audit.record(
                action="create customer",
                agent=self.identity,
                at=now,
                customer_id=customer.id,
                changes=changes(None, snapshot(customer)),
            )
            return customer

        return self.db.write(create)

    def _audit_new_addresses(
        self, uow: UnitOfWork, customer: Customer, added: Sequence[Address]
    ) -> None:
        if added:
            uow.audit.record(
                action="add address",
                agent=self.identity,
                at=self.clock(),
                customer_id=customer.id,
                changes={"addresses": {"before": None, "after": snapshot(list(added))}},
            )
