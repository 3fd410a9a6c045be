"""Soak: K agent processes work one database at once for T seconds; then every invariant is
checked over the whole database, and what a reader process saw is checked for torn reads.

    python benchmarks/soak.py                                  # 8 agents, 60 s, temp SQLite
    python benchmarks/soak.py --agents 16 --seconds 300
    python benchmarks/soak.py --agents 16 --seconds 300 --database postgresql+psycopg://...

The database must be empty: it is migrated and filled with demo data (--demo-orders), and the
stock of the variants the agents use is lowered so that they race for the last units.

Each agent does what agents do on the phone, through the services layer, in a random mix:
create orders (cart, customer, shipping, lines, convert) and carts, finish and delete carts,
edit lines and shipments, pay, hold and release, release / picklist / complete, check
inventory, cancel, add notes and discounts, delete, reorder, search. Each change is made with
the version the agent last read, as the screens do. A conflict (someone saved that order
first, or deleted it) is what an agent is shown; any other failure is an error.

Printed: operations per second, conflicts shown to agents, refusals by the rules, errors
(must be 0), invariant violations (must be 0), torn reads (must be 0), p50/p95 per service
call. Exit status 1 if any of those three is not 0.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.demo import load_demo
from csr_tui.domain.customers import Address
from csr_tui.domain.errors import ConcurrentEditError, DomainError, NotFound, StockChanged
from csr_tui.domain.orders import PurchaseOrder
from csr_tui.domain.statuses import DiscountKind, OrderStatus, ShipmentStatus
from csr_tui.services import CartRef, OrderFilter, OrderRef, Services

HOT_VARIANTS = 40  # the variants agents order: few, so that they race for stock
HOT_ORDERS = 8  # half of the changes go to the newest few orders: real contention
# Audit actions that do not bump an order's version.
UNVERSIONED = {"create order", "add note", "delete"}


@dataclass
class Catalog:
    """What every agent needs to know to act: passed to each process."""

    markets: dict[str, dict[str, Any]]  # code -> {"ship": [...], "pay": [...]}
    skus: list[str]
    customers: list[int]


@dataclass
class AgentResult:
    name: str
    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter[str] = field(default_factory=Counter)
    audited: Counter[str] = field(default_factory=Counter)  # audit records expected
    versions: dict[str, str] = field(default_factory=dict)  # "PO1001:3" -> fingerprint
    errors: list[str] = field(default_factory=list)


def fingerprint(order: PurchaseOrder) -> str:
    """Everything a save writes, as one short digest: two reads of one order version must
    have the same one."""
    cur = order.currency
    parts = [
        order.status.value,
        str(order.status_before_hold),
        order.name,
        order.customer_name,
        str(order.customer_email),
        [
            (
                s.number,
                s.status.value,
                str(s.status_before_hold),
                s.shipping_address.one_line() if s.shipping_address else "",
                s.shipping_method.code if s.shipping_method else "",
                [
                    (
                        li.sku,
                        li.quantity,
                        str(cur.round(li.placed_price)),
                        str(cur.round(li.discount)),
                    )
                    for li in s.line_items
                ],
            )
            for s in order.shipments
        ],
        [(p.method.code, str(cur.round(p.amount)), p.status.value) for p in order.payments],
        [(d.kind.value, format(d.value.normalize(), "f"), d.coupon_code) for d in order.discounts],
        str(order.totals().total),
    ]
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


# -- one agent ---------------------------------------------------------------------------


class Agent:
    def __init__(self, url: str, name: str, catalog: Catalog, seed: int) -> None:
        self.services = Services(Database(url), name)
        self.catalog = catalog
        self.rng = random.Random(seed)
        self.result = AgentResult(name)
        self.known: list[str] = []
        self.refreshed = 0.0
        self.addresses = 0
        self.shipping: list[str] = []  # orders this agent paid or moved along: ship them on

    def call(self, name: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One service call, timed; a change's result is remembered for the torn-read check."""
        started = time.perf_counter()
        try:
            return_value = function(*args, **kwargs)
        finally:
            self.result.calls[name].append(time.perf_counter() - started)
        if isinstance(return_value, PurchaseOrder) and name not in ("get_order", "add_note"):
            key = f"{return_value.number}:{return_value.version}"
            self.result.versions[key] = fingerprint(return_value)
        return return_value

    def expect(self, *actions: str) -> None:
        self.result.audited.update(actions)

    def expect_if_changed(self, saved: Any, version: int, action: str) -> None:
        """Saving what is already there (the same method, the same quantity) writes no
        audit record and keeps the version."""
        if saved.version != version:
            self.expect(action)

    # -- choosing what to work on ----------------------------------------------------------

    def refresh(self) -> None:
        page = self.call("search_orders", self.services.search_orders, OrderFilter(), size=50)
        self.known = [row.number for row in page.rows]
        self.refreshed = time.monotonic()

    def pick_order(self) -> PurchaseOrder | None:
        if not self.known or time.monotonic() - self.refreshed > 2:
            self.refresh()
        if not self.known:
            return None
        pool = self.known[:HOT_ORDERS] if self.rng.random() < 0.5 else self.known
        return self.call("get_order", self.services.get_order, self.rng.choice(pool))

    # -- the mix -----------------------------------------------------------------------------

    def run(self, until: float) -> AgentResult:
        actions: list[tuple[Callable[[], None], int]] = [
            (self.new_order, 10),
            (self.new_cart, 2),
            (self.finish_cart, 3),
            (self.delete_cart, 1),
            (self.pay, 12),
            (self.edit_line, 8),
            (self.add_line, 4),
            (self.remove_line, 2),
            (self.edit_shipment, 4),
            (self.add_shipment, 1),
            (self.discount, 2),
            (self.hold_or_release, 5),
            (self.ship_step, 10),
            (self.check_inventory, 2),
            (self.cancel, 3),
            (self.note, 10),
            (self.delete_order, 1),
            (self.reorder, 2),
            (self.search, 10),
        ]
        functions, weights = zip(*actions, strict=True)
        # Every agent opens with a phone order, a payment, a note and a search, whatever the
        # time left (a loaded machine may start an agent late): each run exercises them all.
        opening: list[Callable[[], None]] = [self.new_order, self.pay, self.note, self.search]
        while opening or time.time() < until:
            action = opening.pop(0) if opening else self.rng.choices(functions, weights)[0]
            try:
                action()
                self.result.outcomes["done"] += 1
            except ConcurrentEditError:
                self.result.outcomes["conflict"] += 1
            except NotFound:
                self.result.outcomes["gone"] += 1  # deleted by another agent meanwhile
            except StockChanged as error:
                self.result.errors.append(f"StockChanged reached the agent: {error}")
            except DomainError as error:
                if type(error).__module__.startswith("csr_tui.data"):
                    self.result.errors.append(f"{type(error).__name__}: {error}")
                else:
                    self.result.outcomes["refused"] += 1
            except Exception:
                self.result.errors.append(traceback.format_exc(limit=6))
        self.services.db.close()
        return self.result

    def _fill_cart(self, cart_id: int, version: int, market: str) -> int:
        s = self.services
        ref = CartRef(cart_id)
        group = self.call(
            "set_customer", s.set_customer, ref, version, self.rng.choice(self.catalog.customers)
        )
        self.expect_if_changed(group, version, "set customer")
        ship = self.rng.choice(self.catalog.markets[market]["ship"])
        before = group.version
        group = self.call("set_shipping_method", s.set_shipping_method, ref, before, 1, ship)
        self.expect_if_changed(group, before, "set shipping method")
        for sku in self.rng.sample(self.catalog.skus, self.rng.randint(1, 3)):
            group = self.call(
                "add_line_item", s.add_line_item, ref, group.version, 1, sku, self.rng.randint(1, 3)
            )
            self.expect("add line item")
        return group.version

    def new_order(self) -> None:
        market = self.rng.choice(sorted(self.catalog.markets))
        cart = self.call("create_cart", self.services.create_cart, market)
        self.expect("create cart")
        version = self._fill_cart(cart.id, cart.version, market)
        order = self.call("convert_cart", self.services.convert_cart, cart.id, version)
        self.expect("create order", "convert cart")
        self.known.insert(0, order.number)

    def new_cart(self) -> None:
        self.call(
            "create_cart", self.services.create_cart, self.rng.choice(sorted(self.catalog.markets))
        )
        self.expect("create cart")

    def finish_cart(self) -> None:
        carts = self.call("list_carts", self.services.list_carts)
        if not carts:
            return
        row = self.rng.choice(carts[:20])
        version = row.version
        if row.line_count == 0:
            version = self._fill_cart(row.id, row.version, row.market_code)
        self.call("convert_cart", self.services.convert_cart, row.id, version)
        self.expect("create order", "convert cart")

    def delete_cart(self) -> None:
        carts = self.call("list_carts", self.services.list_carts)
        if carts:
            row = self.rng.choice(carts[:20])
            self.call("delete_cart", self.services.delete_cart, row.id, row.version)
            self.expect("delete cart")

    def _open(self, *statuses: OrderStatus) -> PurchaseOrder | None:
        order = self.pick_order()
        if order is None or (statuses and order.status not in statuses):
            return None
        return order

    def pay(self) -> None:
        order = self._open(OrderStatus.IN_PROGRESS)
        due = order.totals().balance_due if order else 0
        if order is None or due <= 0:
            return
        amount = due if self.rng.random() < 0.8 else order.currency.round(due / 2) or due
        method = self.rng.choice(self.catalog.markets[order.market.code]["pay"])
        self.call(
            "add_payment", self.services.add_payment, order.number, order.version, method, amount
        )
        self.expect("add payment")
        self.shipping.append(order.number)

    def _editable_line(self) -> tuple[PurchaseOrder, int, str] | None:
        order = self._open(OrderStatus.IN_PROGRESS)
        if order is None:
            return None
        lines = [
            (s.number, li.sku)
            for s in order.shipments
            if s.status in (ShipmentStatus.AWAITING_INVENTORY, ShipmentStatus.INVENTORY_ASSIGNED)
            for li in s.line_items
        ]
        return (order, *self.rng.choice(lines)) if lines else None

    def edit_line(self) -> None:
        found = self._editable_line()
        if found is None:
            return
        order, number, sku = found
        line = order.shipment(number).line(sku)
        saved = self.call(
            "update_line_item",
            self.services.update_line_item,
            OrderRef(order.number),
            order.version,
            number,
            sku,
            self.rng.randint(1, 4),
            line.placed_price,
        )
        self.expect_if_changed(saved, order.version, "update line item")

    def add_line(self) -> None:
        order = self._open(OrderStatus.IN_PROGRESS)
        if order is None:
            return
        shipment = order.shipments[-1]
        if shipment.status not in (
            ShipmentStatus.AWAITING_INVENTORY,
            ShipmentStatus.INVENTORY_ASSIGNED,
        ):
            return
        taken = {li.sku for li in shipment.line_items}
        sku = self.rng.choice(self.catalog.skus)
        if sku in taken:
            return
        self.call(
            "add_line_item",
            self.services.add_line_item,
            OrderRef(order.number),
            order.version,
            shipment.number,
            sku,
            self.rng.randint(1, 2),
        )
        self.expect("add line item")

    def remove_line(self) -> None:
        found = self._editable_line()
        if found is None or found[0].line_count() < 2:
            return
        order, number, sku = found
        self.call(
            "remove_line_item",
            self.services.remove_line_item,
            OrderRef(order.number),
            order.version,
            number,
            sku,
        )
        self.expect("remove line item")

    def edit_shipment(self) -> None:
        found = self._editable_line()
        if found is None:
            return
        order, number, _ = found
        ref = OrderRef(order.number)
        if self.rng.random() < 0.5:
            code = self.rng.choice(self.catalog.markets[order.market.code]["ship"])
            saved = self.call(
                "set_shipping_method",
                self.services.set_shipping_method,
                ref,
                order.version,
                number,
                code,
            )
            self.expect_if_changed(saved, order.version, "set shipping method")
            return
        self.addresses += 1  # each one new, so that each is added to the book
        address = Address(
            name=order.customer_name or "Soak Test",
            line1=f"{self.rng.randint(1, 999)} Soak Street",
            line2=f"{self.result.name}/{self.addresses}",
            city="Springfield",
            postal_code=f"{self.rng.randint(10000, 99999)}",
            country="US",
        )
        book = order.customer_id is not None and self.rng.random() < 0.3
        self.call(
            "set_shipping_address",
            self.services.set_shipping_address,
            ref,
            order.version,
            number,
            address,
            add_to_address_book=book,
        )
        self.expect("set shipping address", *(["add address"] if book else []))

    def add_shipment(self) -> None:
        order = self._open(OrderStatus.IN_PROGRESS)
        if order is not None and len(order.shipments) < 3:
            self.call(
                "add_shipment", self.services.add_shipment, OrderRef(order.number), order.version
            )
            self.expect("add shipment")

    def discount(self) -> None:
        order = self._open(OrderStatus.IN_PROGRESS)
        if order is None or order.discounts or order.totals().subtotal <= 0:
            return
        self.call(
            "add_discount",
            self.services.add_discount,
            OrderRef(order.number),
            order.version,
            "Goodwill",
            DiscountKind.PERCENTAGE,
            Decimal(self.rng.choice((5, 10, 15))),
        )
        self.expect("add discount")

    def hold_or_release(self) -> None:
        order = self._open()
        if order is None:
            return
        if order.status is OrderStatus.ON_HOLD:
            self.call("release_hold", self.services.release_hold, order.number, order.version)
            self.expect("release hold")
        elif order.status in (OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED):
            self.call("place_on_hold", self.services.place_on_hold, order.number, order.version)
            self.expect("hold")

    def ship_step(self) -> None:
        """Move a shipment one step on; mostly of an order this agent has paid or moved."""
        if self.shipping and self.rng.random() < 0.7:
            number = self.shipping.pop(self.rng.randrange(len(self.shipping)))
            order = self.call("get_order", self.services.get_order, number)
        else:
            order = self.pick_order()
        if order is None or order.status not in (
            OrderStatus.IN_PROGRESS,
            OrderStatus.PARTIALLY_SHIPPED,
        ):
            return
        steps = {
            ShipmentStatus.INVENTORY_ASSIGNED: ("release_shipment", "release shipment"),
            ShipmentStatus.RELEASED: ("add_to_picklist", "add to picklist"),
            ShipmentStatus.PACKING: ("complete_shipment", "complete shipment"),
        }
        for shipment in order.shipments:
            if shipment.status in steps and shipment.line_items:
                method, action = steps[shipment.status]
                if method == "release_shipment" and order.totals().balance_due > 0:
                    continue
                self.call(
                    method,
                    getattr(self.services, method),
                    order.number,
                    order.version,
                    shipment.number,
                )
                self.expect(action)
                self.shipping.append(order.number)
                return

    def check_inventory(self) -> None:
        order = self._open(OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED)
        if order and any(s.status is ShipmentStatus.AWAITING_INVENTORY for s in order.shipments):
            saved = self.call(
                "check_inventory", self.services.check_inventory, order.number, order.version
            )
            self.expect_if_changed(saved, order.version, "check inventory")

    def cancel(self) -> None:
        order = self._open(OrderStatus.IN_PROGRESS)
        if order is not None and self.rng.random() < 0.5:
            self.call("cancel_order", self.services.cancel_order, order.number, order.version)
            self.expect("cancel")

    def note(self) -> None:
        order = self._open()
        if order is not None:
            self.call("add_note", self.services.add_note, order.number, "Called", "Customer asked")
            self.expect("add note")

    def delete_order(self) -> None:
        order = self._open()
        if order is None:
            return
        deleted, _ = self.call(
            "delete_orders", self.services.delete_orders, {order.number: order.version}
        )
        self.expect(*["delete"] * len(deleted))

    def reorder(self) -> None:
        order = self._open()
        if order is not None:
            self.call("reorder", self.services.reorder, order.number)
            self.expect("reorder")

    def search(self) -> None:
        term = self.rng.choice(("Mer", "%tay", "ja", "%son", "PO10", "a", "%ll%"))
        self.call("search_orders", self.services.search_orders, OrderFilter(text=term))


def agent_main(url: str, name: str, catalog: Catalog, seed: int, until: float, out: str) -> None:
    result = Agent(url, name, catalog, seed).run(until)
    Path(out).write_text(
        json.dumps(
            {
                "name": result.name,
                "calls": result.calls,
                "outcomes": result.outcomes,
                "audited": result.audited,
                "versions": result.versions,
                "errors": result.errors,
            }
        )
    )


def reader_main(url: str, until: float, out: str, agents_done: Any) -> None:
    """Reads orders as Order Details does, as fast as it can, remembering what it saw: until
    the deadline and the agents are done (a loaded machine may start them late), then each
    of the newest orders once more, as the agents left them."""
    services = Services(Database(url), "reader")
    rng = random.Random(0)
    seen: list[tuple[str, str]] = []
    errors: list[str] = []
    known: list[str] = []
    refreshed = 0.0
    while time.time() < until or not agents_done.is_set():
        try:
            if not known or time.monotonic() - refreshed > 1:
                known = [r.number for r in services.search_orders(OrderFilter(), size=50).rows]
                refreshed = time.monotonic()
            if not known:
                time.sleep(0.05)
                continue
            pool = known[:HOT_ORDERS] if rng.random() < 0.7 else known
            order = services.get_order(rng.choice(pool))
            seen.append((f"{order.number}:{order.version}", fingerprint(order)))
        except NotFound:
            continue
        except Exception:
            errors.append(traceback.format_exc(limit=6))
    try:
        for row in services.search_orders(OrderFilter(), size=50).rows:
            with contextlib.suppress(NotFound):
                order = services.get_order(row.number)
                seen.append((f"{order.number}:{order.version}", fingerprint(order)))
    except Exception:
        errors.append(traceback.format_exc(limit=6))
    services.db.close()
    Path(out).write_text(json.dumps({"seen": seen, "errors": errors}))


# -- before and after ------------------------------------------------------------------


def catalog_of(db: Database) -> Catalog:
    with db.reading() as conn:
        markets: dict[str, dict[str, Any]] = {}
        for code in conn.execute(select(t.markets.c.code)).scalars():
            markets[code] = {
                "ship": list(
                    conn.execute(
                        select(t.shipping_methods.c.code).where(
                            t.shipping_methods.c.market_code == code
                        )
                    ).scalars()
                ),
                "pay": list(
                    conn.execute(
                        select(t.payment_methods.c.code).where(
                            t.payment_methods.c.market_code == code
                        )
                    ).scalars()
                ),
            }
        priced = (
            select(t.variant_prices.c.variant_id)
            .group_by(t.variant_prices.c.variant_id)
            .having(func.count() == len(markets))
        )
        skus = list(
            conn.execute(
                select(t.variants.c.sku)
                .where(t.variants.c.is_sold, t.variants.c.id.in_(priced))
                .order_by(t.variants.c.id)
                .limit(HOT_VARIANTS)
            ).scalars()
        )
        customers = list(
            conn.execute(select(t.customers.c.id).order_by(t.customers.c.id).limit(500)).scalars()
        )
    return Catalog(markets, skus, customers)


@dataclass
class Ledger:
    """What the whole database says about stock and the audit log, at one moment."""

    stock_basis: dict[str, int]  # in stock + reserved + shipped (+ shipped by deleted orders)
    audit_actions: Counter[str]
    negative_stock: list[str]


def ledger(db: Database, services: Services) -> tuple[Ledger, list[str]]:
    """The ledger, and the violations of the invariants over every order."""
    violations: list[str] = []
    held: Counter[str] = Counter()
    with db.reading() as conn:
        numbers = list(conn.execute(select(t.orders.c.number)).scalars())
        stored = dict(conn.execute(select(t.orders.c.number, t.orders.c.total)).all())
        in_stock = dict(conn.execute(select(t.variants.c.sku, t.variants.c.in_stock)).all())
        distinct = conn.execute(select(func.count(func.distinct(t.orders.c.number)))).scalar_one()
        audit = conn.execute(
            select(t.audit_log.c.order_number, t.audit_log.c.action, t.audit_log.c.changes)
        ).all()
    if distinct != len(numbers):
        violations.append(
            f"order numbers are not unique: {len(numbers)} orders, {distinct} numbers"
        )
    versioned: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    for number, action, changes in audit:
        actions[action] += 1
        if number and action not in UNVERSIONED:
            versioned[number] += 1
        if action == "delete":  # a deleted order's shipped units left the stock for good
            for shipment in changes["shipments"]["before"]:
                if shipment["status"] == ShipmentStatus.SHIPPED.value:
                    for line in shipment["line_items"]:
                        held[line["sku"]] += line["quantity"]
    for number in numbers:
        try:
            order = services.get_order(number)
        except NotFound:
            continue
        if order.totals().total != order.currency.round(stored[number]):
            violations.append(f"{number}: stored total {stored[number]} != {order.totals().total}")
        statuses = {s.status for s in order.shipments}
        if order.status is OrderStatus.CANCELED and ShipmentStatus.SHIPPED in statuses:
            violations.append(f"{number} is Canceled with a shipment Shipped")
        if versioned[number] and order.version != 1 + versioned[number]:
            violations.append(
                f"{number}: version {order.version} after {versioned[number]} audited changes"
            )
        for shipment in order.shipments:
            if shipment.reserves_stock or shipment.status is ShipmentStatus.SHIPPED:
                held.update(shipment.quantities())
    basis = {sku: in_stock[sku] + held[sku] for sku in in_stock}
    negative = [sku for sku, qty in in_stock.items() if qty < 0]
    return Ledger(basis, actions, negative), violations


@dataclass
class SoakReport:
    agents: int
    seconds: float
    calls: dict[str, list[float]]
    outcomes: Counter[str]
    errors: list[str]
    violations: list[str]
    reads_checked: int
    torn_reads: list[str]

    @property
    def operations(self) -> int:
        return sum(self.outcomes.values())

    @property
    def clean(self) -> bool:
        return not (self.errors or self.violations or self.torn_reads)


def run_soak(url: str, *, agents: int = 8, seconds: float = 60, seed: int = 1) -> SoakReport:
    """Run the agents and the reader against a migrated database for `seconds` of wall
    time from the call, then check every invariant. The catalog must be there already."""
    deadline = time.time() + seconds
    db = Database(url)
    checker = Services(db, "soak-checker")
    catalog = catalog_of(db)
    before, violations_before = ledger(db, checker)
    folder = Path(tempfile.mkdtemp(prefix="csr-soak-"))
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=agent_main,
            args=(
                url,
                f"agent{i + 1}",
                catalog,
                seed * 1000 + i,
                deadline,
                str(folder / f"a{i}.json"),
            ),
        )
        for i in range(agents)
    ]
    agents_done = context.Event()
    processes.append(
        context.Process(
            target=reader_main, args=(url, deadline, str(folder / "reader.json"), agents_done)
        )
    )
    started = time.time()
    for process in processes:
        process.start()
    for process in processes[:-1]:
        process.join()
    agents_done.set()
    processes[-1].join()
    elapsed = time.time() - started
    calls: dict[str, list[float]] = defaultdict(list)
    outcomes: Counter[str] = Counter()
    audited: Counter[str] = Counter()
    versions: dict[str, str] = {}
    errors: list[str] = []
    for i in range(agents):
        path = folder / f"a{i}.json"
        if not path.exists():
            errors.append(f"agent{i + 1} died (exit status {processes[i].exitcode})")
            continue
        result = json.loads(path.read_text())
        for name, durations in result["calls"].items():
            calls[name] += durations
        outcomes.update(result["outcomes"])
        audited.update(result["audited"])
        versions.update(result["versions"])
        errors += result["errors"]
    reader_file = folder / "reader.json"
    seen: list[tuple[str, str]] = []
    if reader_file.exists():
        reader = json.loads(reader_file.read_text())
        seen, errors = reader["seen"], errors + reader["errors"]
    else:
        errors.append("the reader died")
    shutil.rmtree(folder, ignore_errors=True)

    after, violations = ledger(db, checker)
    violations = violations_before + violations
    if after.negative_stock:
        violations.append(f"negative stock: {', '.join(after.negative_stock)}")
    for sku, basis in after.stock_basis.items():
        if basis != before.stock_basis.get(sku, basis):
            violations.append(
                f"stock of {sku}: in stock + reserved + shipped was {before.stock_basis[sku]}, "
                f"is {basis}"
            )
    written = after.audit_actions - before.audit_actions
    if written != audited:
        violations.append(
            f"audit records written {dict(written - audited)} beyond, {dict(audited - written)} "
            "short of the changes agents saved"
        )
    check = checker.verify_audit()
    if not check.intact:
        violations.append(f"audit chain: {check.problem}")
    torn = [
        f"{key}: read {digest}, saved {versions[key]}"
        for key, digest in seen
        if key in versions and versions[key] != digest
    ]
    db.close()
    return SoakReport(
        agents=agents,
        seconds=elapsed,
        calls=dict(calls),
        outcomes=outcomes,
        errors=errors,
        violations=violations,
        reads_checked=sum(1 for key, _ in seen if key in versions),
        torn_reads=torn,
    )


def percentile(ordered: list[float], q: float) -> float:
    return ordered[round(q * (len(ordered) - 1))]


def print_report(report: SoakReport, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    o = report.outcomes
    console.print(f"[bold]{title}[/]")
    console.print(
        f"{report.agents} agents, {report.seconds:.0f} s: {report.operations:,} operations "
        f"({report.operations / report.seconds:.1f}/s), "
        f"{sum(len(d) for d in report.calls.values()):,} service calls "
        f"({sum(len(d) for d in report.calls.values()) / report.seconds:.1f}/s)"
    )
    console.print(
        f"conflicts shown to agents: {o['conflict']:,} changed by another agent, "
        f"{o['gone']:,} deleted meanwhile; refused by the rules: {o['refused']:,}"
    )
    console.print(
        f"errors: {len(report.errors)} · invariant violations: {len(report.violations)} · "
        f"torn reads: {len(report.torn_reads)} of {report.reads_checked:,} reads checked"
    )
    table = Table("service call", "calls", "p50 ms", "p95 ms", "max ms")
    for name, durations in sorted(report.calls.items(), key=lambda kv: -len(kv[1])):
        ordered = sorted(durations)
        table.add_row(
            name,
            f"{len(durations):,}",
            f"{percentile(ordered, 0.50) * 1000:.1f}",
            f"{percentile(ordered, 0.95) * 1000:.1f}",
            f"{max(durations) * 1000:.0f}",
        )
    console.print(table)
    for line in (report.errors + report.violations + report.torn_reads)[:20]:
        console.print(line, markup=False, highlight=False)


def prepare(url: str, demo_orders: int, seed: int) -> None:
    """An empty database: migrated, demo data, and little stock of the agents' variants."""
    db = Database(url)
    db.upgrade()
    load_demo(db.engine, orders=demo_orders, seed=seed)
    skus = catalog_of(db).skus
    rng = random.Random(seed)
    with db.engine.begin() as conn:
        for sku in skus:
            conn.execute(
                update(t.variants)
                .where(t.variants.c.sku == sku)
                .values(in_stock=rng.randint(5, 60))
            )
    db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", metavar="URL", help="an empty database (default: temp SQLite)"
    )
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--demo-orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = None
    url = args.database
    if url is None:
        folder = tempfile.mkdtemp(prefix="csr-soak-db-")
        url = f"sqlite:///{folder}/soak.db"
    try:
        prepare(url, args.demo_orders, args.seed)
        report = run_soak(url, agents=args.agents, seconds=args.seconds, seed=args.seed)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    print_report(report, f"Soak on {dialect}")
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
