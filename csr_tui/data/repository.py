"""Repositories: load and save whole aggregates (orders, carts, customers) as domain objects.

Saves are optimistic: the order row is updated only if its version is still the one that was
loaded, so two agents can never silently overwrite each other. Child rows (shipments, lines,
payments, discounts) are rewritten with the order: an order has a handful of them. Notes are
the exception: each is its own row, added alone, never rewritten, and adding one does not
change the order's version (another agent's open copy stays current).

In a unit of work (`lock=True`) an order or a cart is loaded with its row locked (FOR UPDATE
on PostgreSQL): every save bumps that row first, so what the load reads (row and children)
is one consistent state that nobody changes before this transaction ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from csr_tui.data import tables as t
from csr_tui.domain.catalog import Coupon, Market, PaymentMethod, ProductVariant, ShippingMethod
from csr_tui.domain.customers import Address, Customer
from csr_tui.domain.errors import ConcurrentEditError, NotFound, StockChanged
from csr_tui.domain.money import Currency, currency
from csr_tui.domain.orders import (
    Cart,
    Discount,
    LineItem,
    Note,
    OrderGroup,
    Payment,
    PurchaseOrder,
    Shipment,
    Stock,
    format_order_number,
)
from csr_tui.domain.search import phone_key, search_key
from csr_tui.domain.statuses import DiscountKind, OrderStatus, PaymentStatus, ShipmentStatus

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


def address_from(row: Mapping[str, Any], prefix: str = "") -> Address | None:
    if row[f"{prefix}line1"] is None:
        return None
    return Address(**{f: row[f"{prefix}{f}"] or "" for f in ADDRESS_FIELDS})


def address_values(address: Address | None, prefix: str = "") -> dict[str, Any]:
    return {f"{prefix}{f}": getattr(address, f) if address else None for f in ADDRESS_FIELDS}


def insert_rows(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert the rows, if there are any (an empty executemany is refused)."""
    if rows:
        conn.execute(insert(table), rows)


def _shipping_method(row: Mapping[str, Any], cur: Currency) -> ShippingMethod | None:
    if not row["method_code"]:
        return None
    return ShippingMethod(row["method_code"], row["method_name"], cur.round(row["shipping_cost"]))


def variant_search_key(sku: str, name: str, description: str) -> str:
    return search_key(f"{sku} {name} {description}")


class CatalogRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._markets: dict[str, Market] | None = None

    def markets(self) -> dict[str, Market]:
        if self._markets is None:
            rows = self.conn.execute(select(t.markets).order_by(t.markets.c.code)).all()
            currencies = {row.code: currency(row.currency) for row in rows}
            pay: dict[str, list[PaymentMethod]] = defaultdict(list)
            for m in self.conn.execute(
                select(t.payment_methods).order_by(t.payment_methods.c.position)
            ):
                pay[m.market_code].append(PaymentMethod(m.code, m.name))
            ship: dict[str, list[ShippingMethod]] = defaultdict(list)
            for m in self.conn.execute(
                select(t.shipping_methods).order_by(t.shipping_methods.c.position)
            ):
                cost = currencies[m.market_code].round(m.cost)
                ship[m.market_code].append(ShippingMethod(m.code, m.name, cost))
            self._markets = {
                row.code: Market(
                    code=row.code,
                    name=row.name,
                    currency=currencies[row.code],
                    tax_rate=row.tax_rate,
                    payment_methods=tuple(pay[row.code]),
                    shipping_methods=tuple(ship[row.code]),
                )
                for row in rows
            }
        return self._markets

    def market(self, code: str) -> Market:
        try:
            return self.markets()[code]
        except KeyError:
            raise NotFound(f"There is no market '{code}'.") from None

    def add_market(self, market: Market) -> None:
        self.conn.execute(
            insert(t.markets).values(
                code=market.code,
                name=market.name,
                currency=market.currency.code,
                tax_rate=market.tax_rate,
            )
        )
        insert_rows(
            self.conn,
            t.payment_methods,
            [
                {"market_code": market.code, "code": m.code, "name": m.name, "position": i}
                for i, m in enumerate(market.payment_methods)
            ],
        )
        insert_rows(
            self.conn,
            t.shipping_methods,
            [
                {
                    "market_code": market.code,
                    "code": m.code,
                    "name": m.name,
                    "cost": m.cost,
                    "position": i,
                }
                for i, m in enumerate(market.shipping_methods)
            ],
        )
        self._markets = None

    def add_variant(self, variant: ProductVariant) -> int:
        variant_id = self.conn.execute(
            insert(t.variants)
            .values(
                sku=variant.sku,
                name=variant.name,
                description=variant.description,
                in_stock=variant.in_stock,
                is_sold=variant.is_sold,
                product_url=variant.product_url,
                search_key=variant_search_key(variant.sku, variant.name, variant.description),
            )
            .returning(t.variants.c.id)
        ).scalar_one()
        insert_rows(
            self.conn,
            t.variant_prices,
            [
                {"variant_id": variant_id, "market_code": code, "price": price}
                for code, price in variant.prices.items()
            ],
        )
        variant.id = variant_id
        return variant_id

    def variants(self, skus: Iterable[str]) -> dict[str, ProductVariant]:
        skus = sorted(set(skus))
        if not skus:
            return {}
        found = {
            row.sku: ProductVariant(
                id=row.id,
                sku=row.sku,
                name=row.name,
                description=row.description,
                in_stock=row.in_stock,
                is_sold=row.is_sold,
                product_url=row.product_url,
            )
            for row in self.conn.execute(select(t.variants).where(t.variants.c.sku.in_(skus)))
        }
        by_id = {v.id: v for v in found.values()}
        markets = self.markets()
        for row in self.conn.execute(
            select(t.variant_prices).where(t.variant_prices.c.variant_id.in_(by_id))
        ):
            variant = by_id[row.variant_id]
            variant.prices[row.market_code] = markets[row.market_code].currency.round(row.price)
        return found

    def variant(self, sku: str) -> ProductVariant:
        found = self.variants([sku])
        if sku not in found:
            raise NotFound(f"There is no product variant {sku}.")
        return found[sku]

    def stock(self, skus: Iterable[str]) -> Stock:
        skus = sorted(set(skus))
        rows = self.conn.execute(
            select(t.variants.c.sku, t.variants.c.in_stock).where(t.variants.c.sku.in_(skus))
        )
        return Stock({row.sku: row.in_stock for row in rows})

    def apply_stock_moves(self, stock: Stock) -> None:
        """Apply what the domain decided; a reservation that stock no longer covers fails."""
        for sku, delta in sorted(stock.moves.items()):
            if delta == 0:
                continue
            result = self.conn.execute(
                update(t.variants)
                .where(t.variants.c.sku == sku, t.variants.c.in_stock + delta >= 0)
                .values(in_stock=t.variants.c.in_stock + delta)
            )
            if result.rowcount == 0 and delta < 0:
                raise StockChanged(
                    f"Stock of {sku} changed while you were working: nothing was saved, try again."
                )

    def add_coupon(self, coupon: Coupon) -> None:
        self.conn.execute(
            insert(t.coupons).values(
                code=coupon.code,
                kind=coupon.kind.value,
                value=coupon.value,
                valid_from=coupon.valid_from,
                valid_until=coupon.valid_until,
            )
        )
        insert_rows(
            self.conn,
            t.coupon_markets,
            [{"coupon_code": coupon.code, "market_code": m} for m in sorted(coupon.markets)],
        )

    def coupons(self, codes: Iterable[str] | None = None) -> dict[str, Coupon]:
        query = select(t.coupons)
        market_query = select(t.coupon_markets)
        if codes is not None:
            codes = sorted(set(codes))
            query = query.where(t.coupons.c.code.in_(codes))
            market_query = market_query.where(t.coupon_markets.c.coupon_code.in_(codes))
        markets: dict[str, set[str]] = defaultdict(set)
        for row in self.conn.execute(market_query):
            markets[row.coupon_code].add(row.market_code)
        return {
            row.code: Coupon(
                code=row.code,
                kind=DiscountKind(row.kind),
                value=row.value,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
                markets=frozenset(markets[row.code]),
            )
            for row in self.conn.execute(query.order_by(t.coupons.c.code))
        }


class CustomerRepository:
    """With `lock`, a customer is loaded with its row locked, so that two agents adding to
    one address book at once add both addresses."""

    def __init__(self, conn: Connection, lock: bool = False) -> None:
        self.conn = conn
        self.lock = lock

    def get(self, customer_id: int) -> Customer:
        query = select(t.customers).where(t.customers.c.id == customer_id)
        row = self.conn.execute(query.with_for_update() if self.lock else query).one_or_none()
        if row is None:
            raise NotFound(f"Customer {customer_id} no longer exists.")
        addresses = self.conn.execute(
            select(t.customer_addresses)
            .where(t.customer_addresses.c.customer_id == customer_id)
            .order_by(t.customer_addresses.c.position)
        ).mappings()
        return Customer(
            id=row.id,
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            phone=row.phone,
            addresses=[a for a in (address_from(r) for r in addresses) if a],
        )

    def add(self, customer: Customer, now: datetime) -> Customer:
        customer.id = self.conn.execute(
            insert(t.customers)
            .values(
                first_name=customer.first_name,
                last_name=customer.last_name,
                email=customer.email,
                phone=customer.phone,
                name_key=search_key(customer.full_name),
                email_key=customer.email.lower() if customer.email else None,
                phone_key=phone_key(customer.phone),
                created_at=now,
            )
            .returning(t.customers.c.id)
        ).scalar_one()
        self.save_addresses(customer)
        return customer

    def save_addresses(self, customer: Customer) -> list[Address]:
        """Append the addresses not yet stored (the address book only grows); returns them."""
        stored = self.conn.execute(
            select(func.count())
            .select_from(t.customer_addresses)
            .where(t.customer_addresses.c.customer_id == customer.id)
        ).scalar_one()
        new = customer.addresses[stored:]
        insert_rows(
            self.conn,
            t.customer_addresses,
            [
                {"customer_id": customer.id, "position": stored + i, **address_values(a)}
                for i, a in enumerate(new)
            ],
        )
        return new


def _group_columns(group: OrderGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "market_code": group.market.code,
        "customer_id": group.customer_id,
        "customer_name": group.customer_name,
        "customer_email": group.customer_email,
        "customer_phone": group.customer_phone,
        "updated_at": group.updated_at or group.created_at,
        "updated_by": group.updated_by or group.created_by,
    }


class _GroupChildren:
    """Shipments, line items and discounts: shared by carts and purchase orders."""

    owner: str  # "order_id" or "cart_id"

    def __init__(self, conn: Connection, catalog: CatalogRepository, lock: bool = False) -> None:
        self.conn = conn
        self.catalog = catalog
        self.lock = lock

    def _root(self, table: Any, where: Any) -> Row[Any] | None:
        query = select(table).where(where)
        return self.conn.execute(query.with_for_update() if self.lock else query).one_or_none()

    def _load_shipments(self, owner_id: int, cur: Currency, market: Market) -> list[Shipment]:
        rows = (
            self.conn.execute(
                select(t.shipments)
                .where(t.shipments.c[self.owner] == owner_id)
                .order_by(t.shipments.c.number)
            )
            .mappings()
            .all()
        )
        lines: dict[int, list[LineItem]] = defaultdict(list)
        if rows:
            for line in self.conn.execute(
                select(t.line_items)
                .where(t.line_items.c.shipment_id.in_([r["id"] for r in rows]))
                .order_by(t.line_items.c.shipment_id, t.line_items.c.position)
            ):
                lines[line.shipment_id].append(
                    LineItem(
                        sku=line.sku,
                        name=line.name,
                        quantity=line.quantity,
                        placed_price=cur.round(line.placed_price),
                        discount=cur.round(line.discount),
                    )
                )
        return [
            Shipment(
                number=r["number"],
                shipping_address=address_from(r, "address_"),
                shipping_method=_shipping_method(r, cur),
                line_items=lines[r["id"]],
                status=ShipmentStatus(r["status"]),
                status_before_hold=(
                    ShipmentStatus(r["status_before_hold"]) if r["status_before_hold"] else None
                ),
            )
            for r in rows
        ]

    def _load_discounts(self, owner_id: int, cur: Currency) -> list[Discount]:
        return [
            Discount(
                description=row.description,
                kind=DiscountKind(row.kind),
                value=row.value if row.kind == DiscountKind.PERCENTAGE else cur.round(row.value),
                coupon_code=row.coupon_code,
            )
            for row in self.conn.execute(
                select(t.discounts)
                .where(t.discounts.c[self.owner] == owner_id)
                .order_by(t.discounts.c.position)
            )
        ]

    def _write_children(self, owner_id: int, group: OrderGroup) -> None:
        self.conn.execute(delete(t.shipments).where(t.shipments.c[self.owner] == owner_id))
        self.conn.execute(delete(t.discounts).where(t.discounts.c[self.owner] == owner_id))
        if group.shipments:
            ids = self.conn.execute(
                insert(t.shipments).returning(t.shipments.c.id, sort_by_parameter_order=True),
                [
                    {
                        self.owner: owner_id,
                        "number": s.number,
                        "status": s.status.value,
                        "status_before_hold": s.status_before_hold,
                        "method_code": s.shipping_method.code if s.shipping_method else None,
                        "method_name": s.shipping_method.name if s.shipping_method else None,
                        "shipping_cost": s.shipping_method.cost if s.shipping_method else None,
                        **address_values(s.shipping_address, "address_"),
                    }
                    for s in group.shipments
                ],
            ).scalars()
            line_rows = [
                {
                    "shipment_id": shipment_id,
                    "position": position,
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "placed_price": line.placed_price,
                    "discount": line.discount,
                }
                for shipment_id, s in zip(ids, group.shipments, strict=True)
                for position, line in enumerate(s.line_items)
            ]
            if line_rows:
                self.conn.execute(insert(t.line_items), line_rows)
        insert_rows(
            self.conn,
            t.discounts,
            [
                {
                    self.owner: owner_id,
                    "position": i,
                    "description": d.description,
                    "kind": d.kind.value,
                    "value": d.value,
                    "coupon_code": d.coupon_code,
                }
                for i, d in enumerate(group.discounts)
            ],
        )

    def _insert(self, table: Any, group: OrderGroup, values: dict[str, Any]) -> int:
        group.version = 1
        group.id = self.conn.execute(
            insert(table)
            .values(
                created_at=group.created_at,
                created_by=group.created_by,
                version=group.version,
                **values,
            )
            .returning(table.c.id)
        ).scalar_one()
        self._write_children(group.id, group)
        return group.id

    def _delete(self, table: Any, group: OrderGroup) -> None:
        result = self.conn.execute(
            delete(table).where(table.c.id == group.id, table.c.version == group.version)
        )
        if result.rowcount != 1:
            self._bump_version(table, group, {})  # raises the right error

    def _bump_version(self, table: Any, group: OrderGroup, values: dict[str, Any]) -> None:
        result = self.conn.execute(
            update(table)
            .where(table.c.id == group.id, table.c.version == group.version)
            .values(version=table.c.version + 1, **values)
        )
        if result.rowcount != 1:
            current = self.conn.execute(
                select(table.c.updated_by, table.c.updated_at).where(table.c.id == group.id)
            ).one_or_none()
            if current is None:
                raise NotFound(f"{group.label} was deleted by someone else.")
            raise stale_error(group.label, current.updated_by, current.updated_at)
        group.version += 1


def stale_error(
    label: str, changed_by: str, changed_at: datetime, outcome: str = "your change was not saved"
) -> ConcurrentEditError:
    local = changed_at.astimezone()
    return ConcurrentEditError(
        f"{label} was changed by {changed_by} at {local:%H:%M:%S} on {local:%Y-%m-%d}: "
        f"reload it; {outcome}.",
        changed_by,
    )


class OrderRepository(_GroupChildren):
    owner = "order_id"

    def next_number(self) -> str:
        value = self.conn.execute(
            update(t.counters)
            .where(t.counters.c.name == "order_number")
            .values(value=t.counters.c.value + 1)
            .returning(t.counters.c.value)
        ).scalar_one()
        return format_order_number(value)

    def get(self, number: str) -> PurchaseOrder:
        row = self._root(t.orders, t.orders.c.number == number)
        if row is None:
            raise NotFound(f"There is no order {number}.")
        return self._load(row)

    def id_of(self, number: str) -> int:
        """The order's id, kept from being deleted until this transaction ends (a row
        that only refers to the order, such as a note, needs no more)."""
        query = select(t.orders.c.id).where(t.orders.c.number == number)
        if self.lock:
            query = query.with_for_update(read=True, key_share=True)
        order_id = self.conn.execute(query).scalar()
        if order_id is None:
            raise NotFound(f"There is no order {number}.")
        return order_id

    def _load(self, row: Row[Any]) -> PurchaseOrder:
        market = self.catalog.market(row.market_code)
        cur = market.currency
        payments = [
            Payment(
                method=PaymentMethod(p.method_code, p.method_name),
                amount=cur.round(p.amount),
                status=PaymentStatus(p.status),
                created_at=p.created_at,
                created_by=p.created_by,
            )
            for p in self.conn.execute(
                select(t.payments)
                .where(t.payments.c.order_id == row.id)
                .order_by(t.payments.c.position)
            )
        ]
        notes = [
            Note(
                description=n.description,
                text=n.text,
                created_by=n.created_by,
                created_at=n.created_at,
            )
            for n in self.conn.execute(
                select(t.notes).where(t.notes.c.order_id == row.id).order_by(t.notes.c.id)
            )
        ]
        return PurchaseOrder(
            id=row.id,
            number=row.number,
            version=row.version,
            market=market,
            name=row.name,
            customer_id=row.customer_id,
            customer_name=row.customer_name,
            customer_email=row.customer_email,
            customer_phone=row.customer_phone,
            status=OrderStatus(row.status),
            status_before_hold=(
                OrderStatus(row.status_before_hold) if row.status_before_hold else None
            ),
            shipments=self._load_shipments(row.id, cur, market),
            discounts=self._load_discounts(row.id, cur),
            payments=payments,
            notes=notes,
            created_at=row.created_at,
            created_by=row.created_by,
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )

    def _columns(self, order: PurchaseOrder) -> dict[str, Any]:
        return {
            **_group_columns(order),
            "currency": order.currency.code,
            "name_key": search_key(order.customer_name),
            "email_key": order.customer_email.lower() if order.customer_email else None,
            "phone_key": phone_key(order.customer_phone),
            "status": order.status.value,
            "status_before_hold": order.status_before_hold,
            "total": order.totals().total,
        }

    def add(self, order: PurchaseOrder) -> None:
        self._insert(t.orders, order, {"number": order.number, **self._columns(order)})
        self._write_order_children(order)
        for note in order.notes:
            self.add_note(order.id, note)

    def save(self, order: PurchaseOrder) -> None:
        """Write the order back, failing if anyone saved it since it was loaded."""
        self._bump_version(t.orders, order, self._columns(order))
        self._write_children(order.id, order)
        self._write_order_children(order)

    def _write_order_children(self, order: PurchaseOrder) -> None:
        self.conn.execute(delete(t.payments).where(t.payments.c.order_id == order.id))
        insert_rows(
            self.conn,
            t.payments,
            [
                {
                    "order_id": order.id,
                    "position": i,
                    "method_code": p.method.code,
                    "method_name": p.method.name,
                    "amount": p.amount,
                    "status": p.status.value,
                    "created_at": p.created_at,
                    "created_by": p.created_by,
                }
                for i, p in enumerate(order.payments)
            ],
        )

    def add_note(self, order_id: int, note: Note) -> int:
        """Returns the note's id."""
        return self.conn.execute(
            insert(t.notes)
            .values(
                order_id=order_id,
                description=note.description,
                text=note.text,
                created_by=note.created_by,
                created_at=note.created_at,
            )
            .returning(t.notes.c.id)
        ).scalar_one()

    def delete(self, order: PurchaseOrder) -> None:
        self._delete(t.orders, order)


class CartRepository(_GroupChildren):
    owner = "cart_id"

    def get(self, cart_id: int) -> Cart:
        row = self._root(t.carts, t.carts.c.id == cart_id)
        if row is None:
            raise NotFound(
                "This cart no longer exists: another agent made it an order or deleted it."
            )
        market = self.catalog.market(row.market_code)
        cur = market.currency
        return Cart(
            id=row.id,
            version=row.version,
            market=market,
            name=row.name,
            customer_id=row.customer_id,
            customer_name=row.customer_name,
            customer_email=row.customer_email,
            customer_phone=row.customer_phone,
            shipments=self._load_shipments(row.id, cur, market),
            discounts=self._load_discounts(row.id, cur),
            created_at=row.created_at,
            created_by=row.created_by,
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )

    def add(self, cart: Cart) -> None:
        self._insert(t.carts, cart, _group_columns(cart))

    def save(self, cart: Cart) -> None:
        self._bump_version(t.carts, cart, _group_columns(cart))
        self._write_children(cart.id, cart)

    def delete(self, cart: Cart) -> None:
        self._delete(t.carts, cart)
