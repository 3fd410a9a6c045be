"""Hostile text: a database whose every free-text column holds text meant to break a screen.

Another system (a web shop, an import) writes straight into the tables, so nothing here
goes through the domain's input checks: markup that closes nothing, click actions, links,
styles, realistic brackets, terminal escape sequences (OSC, CSI, DCS, C1), BEL, NUL,
bidirectional overrides, zero-width characters, spreadsheet formulas, a 10,000-character
string. Each payload carries how it must be shown (written out by hand: the test does not
trust the code under test to say what is right).

The data is made through the services (so it is a real order, carts, notes, history), then
every free-text column of every table is overwritten, row by row, with the payloads in
turn; derived search keys are recomputed so the hostile names can be searched for. Left
alone: keys and codes the application looks things up by (order numbers, market, currency,
status, kind, method codes, variant SKUs, coupon codes in the catalogue). The audit log is
append-only, so its hostile text (the agent names) is written by services run under
hostile agent labels (`--agent`, shown beside the account).

PostgreSQL cannot store NUL and enforces column lengths: there each payload is fitted
(NUL dropped, cut to the column's length), and so is the text it must show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from tempfile import gettempdir

from sqlalchemy import String, select, text, update

from csr_tui.data import tables as t
from csr_tui.data.database import Database
from csr_tui.data.repository import variant_search_key
from csr_tui.domain import Address, DiscountKind, ProductVariant
from csr_tui.domain.agent import LABEL, Agent
from csr_tui.domain.search import search_key
from csr_tui.services import CartRef, Services

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
# Where a screenshot action smuggled in through data would write: it must never appear.
PWNED_SCREENSHOT = Path(gettempdir()) / "csr-tui-hostile-screenshot.svg"


@dataclass(frozen=True)
class Payload:
    stored: str
    shown: str  # how a screen, a toast and the command line's table show it

    @property
    def key(self) -> str:
        """The start of what is shown: fits any column, and differs for every payload."""
        return self.shown[:10]


def _same(text: str) -> Payload:
    return Payload(text, text)


LONG = ("Long [/] " * 1112)[:10_000]

PAYLOADS: tuple[Payload, ...] = (
    _same("Lee [/]"),
    _same("[@click=app.quit]x[/]"),
    _same(f"[@click=app.screenshot('{PWNED_SCREENSHOT.name}','{PWNED_SCREENSHOT.parent}')]Lee[/]"),
    _same("[link=http://evil.example/]y[/link]"),
    _same("[bold reverse blink]z"),
    _same("[[nested]] [a[b]c] \\[esc] [/b]"),
    _same("Lee [old account]"),
    Payload("t\x1b]0;pwned-title\x07x", "t␛]0;pwned-title␇x"),
    Payload("\x1b[2Jcleared", "␛[2Jcleared"),
    Payload("d\x1bPq#0;2;0;0;0\x1b\\s", "d␛Pq#0;2;0;0;0␛\\s"),
    Payload("c1\x9b31mred\x9d0;t\x9c", "c1�31mred�0;t�"),
    Payload("bell\x07\x07ding", "bell␇␇ding"),
    Payload("nul\x00byte", "nul␀byte"),
    Payload("abc\u202edcba", "abc�dcba"),
    _same("Z\u200bW\u200dJ\u2060x\ufeffy"),
    Payload("two\nlines\tand\rCR", "two␊lines␉and␍CR"),
    _same('=HYPERLINK("http://evil.example","click")'),
    _same("+1-2@SUM(A1)"),
    _same("-cmd|' /C calc'!A0"),
    _same("@SUM(1+1)*cmd"),
    Payload("\tTabbed", "␉Tabbed"),
    _same(LONG),
    _same("名前 [太郎] Zoë"),
)
# Payloads whose shown text is worth looking for on a screen; the zero-width one reads the
# same as "ZWJxy" (its characters take no cells) and is checked where cells are compared.
LOOKED_FOR = tuple(p for p in PAYLOADS if "\u200b" not in p.stored)

# Every free-text column, table by table.
HOSTILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "markets": ("name",),
    "payment_methods": ("name",),
    "shipping_methods": ("name",),
    "customers": ("first_name", "last_name", "email", "phone"),
    "customer_addresses": (
        "name", "line1", "line2", "city", "region", "postal_code", "country", "phone",
    ),
    "variants": ("name", "description", "product_url"),
    "carts": (
        "name", "customer_name", "customer_email", "customer_phone", "created_by", "updated_by",
    ),
    "orders": (
        "name", "customer_name", "customer_email", "customer_phone", "created_by", "updated_by",
    ),
    "shipments": (
        "method_name", "address_name", "address_line1", "address_line2", "address_city",
        "address_region", "address_postal_code", "address_country", "address_phone",
    ),
    "line_items": ("sku", "name"),
    "payments": ("method_name", "created_by"),
    "discounts": ("description", "coupon_code"),
    "notes": ("description", "text", "created_by"),
}  # fmt: skip


def fit(payload: Payload, backend: str, length: int | None) -> Payload:
    """The payload as this database can hold it in a column this long."""
    if backend != "postgresql":
        return payload
    kept = [i for i, c in enumerate(payload.stored) if c != "\x00"][:length]
    return Payload(
        "".join(payload.stored[i] for i in kept), "".join(payload.shown[i] for i in kept)
    )


def payload_for(row: int, column: int) -> Payload:
    """Which payload row `row` (in id order) of a table gets in its `column`-th column."""
    return PAYLOADS[(row + column) % len(PAYLOADS)]


def build_hostile_database(url: str, backend: str) -> None:
    """Fill a migrated, seeded database (tests.conftest) with hostile data: one order with
    every payload among its lines and notes (the newest), one order and one open cart per
    payload."""
    db = Database(url)
    try:
        _make_orders_and_carts(db, backend)
        _overwrite_text(db, backend)
    finally:
        db.close()


def _make_orders_and_carts(db: Database, backend: str) -> None:
    services = Services(db, "agent", clock=lambda: NOW)
    n = len(PAYLOADS)
    with db.unit_of_work() as uow:
        for i in range(n):
            uow.catalog.add_variant(
                ProductVariant(
                    sku=f"SKU-H{i:03}",
                    name=f"Hostile item {i}",
                    description="plain for now",
                    prices={"US": Decimal("1.00"), "JP": Decimal(100)},
                    in_stock=10_000,
                    product_url=f"https://shop.example.com/p/h{i}",
                )
            )
        uow.commit()
    customers = []
    for i in range(n):
        address = Address(
            name=f"Customer {i}", line1=f"{i} Main St", city="Springfield", postal_code="12345",
            country="US",
        )  # fmt: skip
        customer = services.create_customer(
            f"First{i}", f"Last{i}", f"c{i}@example.com", "", address
        )
        customers.append(customer.id)
    for i, customer_id in enumerate(customers):
        _order(services, customer_id, [f"SKU-H{i:03}"])
    for i, customer_id in enumerate(customers):
        cart = services.create_cart("US")
        group = services.set_customer(CartRef(cart.id), cart.version, customer_id)
        services.add_line_item(CartRef(cart.id), group.version, 1, f"SKU-H{i:03}", 1)
    showcase = _order(services, customers[0], [f"SKU-H{i:03}" for i in range(n)], showcase=True)
    order = services.get_order(showcase)
    order = services.add_payment(showcase, order.version, "card", Decimal("1.00"))
    for payload in PAYLOADS:
        # Each note by another agent label: the history shows the label of who wrote it.
        label = fit(payload, backend, None).stored[:LABEL]
        agent = Agent("agent", label=label if label.split() else None)
        Services(db, agent, clock=lambda: NOW).add_note(showcase, "Note", "details")


def _order(services: Services, customer_id: int, skus: list[str], showcase: bool = False) -> str:
    cart = services.create_cart("US")
    ref = CartRef(cart.id)
    group = services.set_customer(ref, cart.version, customer_id)
    group = services.set_shipping_method(ref, group.version, 1, "ground")
    for sku in skus:
        group = services.add_line_item(ref, group.version, 1, sku, 1)
    if showcase:
        group = services.add_shipment(ref, group.version)
        address = group.shipments[0].shipping_address
        assert address is not None
        group = services.set_shipping_address(ref, group.version, 2, address)
        group = services.set_shipping_method(ref, group.version, 2, "express")
        group = services.add_line_item(ref, group.version, 2, skus[0], 2)
        group = services.add_discount(
            ref, group.version, "Goodwill", DiscountKind.AMOUNT, Decimal(1)
        )
        group = services.apply_coupon(ref, group.version, "WELCOME10")
    return services.convert_cart(cart.id, group.version).number


def _overwrite_text(db: Database, backend: str) -> None:
    with db.engine.begin() as conn:
        for name, columns in HOSTILE_COLUMNS.items():
            table = t.metadata.tables[name]
            key = list(table.primary_key.columns)
            for row, ids in enumerate(conn.execute(select(*key).order_by(*key))):
                values = {}
                for column, column_name in enumerate(columns):
                    kind = table.c[column_name].type
                    length = kind.length if isinstance(kind, String) else None
                    values[column_name] = fit(payload_for(row, column), backend, length).stored
                where = [k == v for k, v in zip(key, ids, strict=True)]
                conn.execute(update(table).where(*where).values(**values))
        _recompute_search_keys(conn)


def _recompute_search_keys(conn) -> None:  # type: ignore[no-untyped-def]
    """What the application derives from the text (and searches by), derived again."""
    for table, name_of in (
        (t.customers, lambda r: f"{r.first_name} {r.last_name}"),
        (t.orders, lambda r: r.customer_name),
    ):
        for r in conn.execute(select(table)).all():
            email = r.email if table is t.customers else r.customer_email
            conn.execute(
                update(table)
                .where(table.c.id == r.id)
                .values(name_key=search_key(name_of(r)), email_key=email.lower() if email else None)
            )
    for r in conn.execute(select(t.variants)).all():
        conn.execute(
            update(t.variants)
            .where(t.variants.c.id == r.id)
            .values(search_key=variant_search_key(r.sku, r.name, r.description))
        )


class HostileData:
    """A hostile database as a test sees it: services on it, and how what it stores must
    read on screen (`keys` of an SQL query: the start of each value's shown text)."""

    def __init__(self, url: str, backend: str) -> None:
        self.db = Database(url)
        self.services = Services(self.db, "alice", clock=lambda: NOW)
        self.backend = backend
        self._shown = {f.stored: f.shown for f in (fit(p, backend, None) for p in PAYLOADS)}

    def shown(self, stored: str) -> str:
        """How a stored value (a payload, or the start of one a column cut short) reads."""
        for full, shown in self._shown.items():
            if full.startswith(stored):
                return shown[: len(stored)]
        raise AssertionError(f"{stored!r} is not hostile text")

    def keys(self, sql: str, **params: object) -> list[str]:
        """How each value the query reads starts on screen (the zero-width one aside)."""
        with self.db.engine.connect() as conn:
            values = conn.execute(text(sql), params).scalars().all()
        return [self.shown(v)[:10] for v in values if v and "\u200b" not in v]

    @property
    def all_keys(self) -> list[str]:
        """How every payload starts on screen."""
        return [fit(p, self.backend, None).key for p in LOOKED_FOR]

    def close(self) -> None:
        self.db.close()
