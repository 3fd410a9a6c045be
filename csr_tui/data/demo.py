"""Deterministic, realistic demo data, fast enough to load a million orders.

The same seed on the same day gives the same data. Orders are spread over three years up to
today, in every status, with payments, shipments and notes consistent with that status.
Rows go through the driver's bulk paths (sqlite3 executemany, PostgreSQL COPY): the ORM and
even Core executemany are 4-10x slower (search-performance-notes.md, "Bulk load").
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, select, update

from csr_tui.data import tables as t
from csr_tui.data.engine import WRITE
from csr_tui.data.repository import CartRepository, CatalogRepository, variant_search_key
from csr_tui.domain.customers import Address
from csr_tui.domain.errors import DomainError
from csr_tui.domain.orders import Cart, format_order_number
from csr_tui.domain.search import search_key
from csr_tui.domain.statuses import OrderStatus, PaymentStatus, ShipmentStatus

DEFAULT_ORDERS = 5_000
DEFAULT_SEED = 42
CHUNK = 20_000
AGENTS = ("alice", "bob", "chen", "dana", "emeka", "farah", "website")
SEED_SKU = 40_707_827  # the seed's example of a SKU search ("SKU-40707827"): the first variant


class DemoRefused(DomainError):
    """Demo data goes only into an empty database."""


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


class _Silent:
    def phase(self, name: str, total: int) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None


@dataclass(frozen=True)
class MarketSpec:
    code: str
    name: str
    currency: str
    minor_units: int
    tax_basis_points: int  # 725 = 7.25 %
    price_factor: float  # relative to USD list prices
    country: str
    cities: tuple[str, ...]
    payments: tuple[tuple[str, str], ...]
    shipping: tuple[tuple[str, str, int], ...]  # code, name, cost in minor units


MARKETS = (
    MarketSpec(
        "US",
        "United States",
        "USD",
        2,
        725,
        1.0,
        "US",
        ("Springfield", "Portland", "Austin", "Columbus", "Denver", "Raleigh"),
        (
            ("card", "Credit card"),
            ("phone", "Phone payment"),
            ("invoice", "Invoice"),
            ("giftcard", "Gift card"),
        ),
        (
            ("ground", "Standard Ground", 599),
            ("express", "Express 2-Day", 1499),
            ("overnight", "Overnight", 2999),
        ),
    ),
    MarketSpec(
        "DE",
        "Germany",
        "EUR",
        2,
        1900,
        0.95,
        "DE",
        ("Berlin", "Hamburg", "München", "Köln", "Leipzig"),
        (("card", "Kreditkarte"), ("paypal", "PayPal"), ("transfer", "Überweisung")),
        (("dhl", "DHL Paket", 490), ("dhl-express", "DHL Express", 1290)),
    ),
    MarketSpec(
        "GB",
        "United Kingdom",
        "GBP",
        2,
        2000,
        0.8,
        "GB",
        ("London", "Leeds", "Bristol", "Glasgow", "Cardiff"),
        (("card", "Credit card"), ("paypal", "PayPal"), ("phone", "Phone payment")),
        (("royal-mail", "Royal Mail 2nd Class", 395), ("next-day", "Next Day", 895)),
    ),
    MarketSpec(
        "SE",
        "Sweden",
        "SEK",
        2,
        2500,
        10.5,
        "SE",
        ("Stockholm", "Göteborg", "Malmö", "Uppsala", "Umeå"),
        (("card", "Kort"), ("klarna", "Klarna faktura"), ("swish", "Swish")),
        (("postnord", "PostNord", 4900), ("budbee", "Budbee hemleverans", 7900)),
    ),
    MarketSpec(
        "JP",
        "Japan",
        "JPY",
        0,
        1000,
        150.0,
        "JP",
        ("Tokyo", "Osaka", "Nagoya", "Sapporo", "Fukuoka"),
        (("card", "Credit card"), ("konbini", "Konbini payment"), ("transfer", "Bank transfer")),
        (("yamato", "Yamato Transport", 700), ("sagawa", "Sagawa Express", 650)),
    ),
)

# Rough census weights: a few names are common, most are rare.
FIRST_NAMES = """James 33 Mary 32 Robert 31 Patricia 22 John 31 Jennifer 21 Michael 30 Linda 20
David 27 Elizabeth 18 William 26 Barbara 17 Richard 22 Susan 15 Joseph 18 Jessica 14
Thomas 17 Sarah 14 Charles 16 Karen 13 Christopher 15 Lisa 12 Daniel 15 Nancy 11 Matthew 13
Betty 10 Anthony 12 Margaret 10 Mark 12 Sandra 10 Donald 11 Ashley 10 Steven 11 Kimberly 9
Paul 10 Emily 9 Andrew 10 Donna 8 Joshua 10 Michelle 8 Kenneth 9 Carol 8 Kevin 9 Amanda 8
Brian 9 Dorothy 7 George 8 Melissa 7 Timothy 7 Deborah 7 Ronald 7 Stephanie 7 Edward 6
Rebecca 6 Jason 6 Sharon 6 Jeffrey 6 Laura 6 Ryan 6 Cynthia 5 Jacob 6 Kathleen 5 Gary 5
Amy 5 Nicholas 5 Angela 5 Eric 5 Shirley 5 Jonathan 5 Anna 5 Stephen 5 Brenda 4 Larry 4
Pamela 4 Justin 4 Emma 4 Scott 4 Nicole 4 Brandon 4 Helen 4 Benjamin 4 Samantha 4 Samuel 4
Katherine 4 Gregory 3 Christine 3 Alexander 3 Debra 3 Frank 3 Rachel 3 Patrick 3 Carolyn 3
Raymond 3 Janet 3 Jack 3 Catherine 3 Dennis 3 Maria 3 Jerry 3 Heather 3 Tyler 3 Diane 3
Aaron 2 Ruth 2 Jose 2 Julie 2 Adam 2 Olivia 2 Nathan 2 Joyce 2 Henry 2 Virginia 2 Taylor 2
Mercy 1 Zoë 1 Émile 1 Søren 1 Åsa 1 Jürgen 1 Björn 1 Chloé 1 Renée 1 José 1 Siobhán 1
Hiroshi 1 Yuki 1 Haruto 1 Sakura 1 Aiko 1 Kenji 1 Lars 1 Ingrid 1 Astrid 1 Magnus 1 Freya 1
Oliver 2 Amelia 2 Harry 1 Isla 1 Noah 2 Ava 2 Liam 2 Mia 1 Lucas 1 Ella 1 Jo_Ann 1""".split()
LAST_NAMES = """Smith 100 Johnson 80 Williams 69 Brown 60 Jones 59 Garcia 47 Miller 46 Davis 45
Rodriguez 44 Martinez 43 Hernandez 42 Lopez 35 Gonzalez 34 Wilson 32 Anderson 32 Thomas 31
Taylor 31 Moore 30 Jackson 30 Martin 30 Lee 27 Perez 27 Thompson 26 White 26 Harris 25
Sanchez 25 Clark 23 Ramirez 23 Lewis 22 Robinson 22 Walker 21 Young 20 Allen 20 King 20
Wright 19 Scott 19 Torres 19 Nguyen 19 Hill 18 Flores 18 Green 18 Adams 18 Nelson 17
Baker 17 Hall 17 Rivera 16 Campbell 16 Mitchell 16 Carter 16 Roberts 16 Gomez 15 Phillips 15
Evans 15 Turner 15 Diaz 15 Parker 14 Cruz 14 Edwards 14 Collins 14 Reyes 14 Stewart 14
Morris 13 Morales 13 Murphy 13 Cook 13 Rogers 13 Gutierrez 12 Ortiz 12 Morgan 12 Cooper 12
Peterson 12 Bailey 12 Reed 12 Kelly 11 Howard 11 Ramos 11 Kim 11 Cox 11 Ward 11 Richardson 11
Watson 11 Brooks 10 Chavez 10 Wood 10 James 10 Bennett 10 Gray 10 Mendoza 10 Ruiz 10
Hughes 10 Price 10 Alvarez 10 Castillo 9 Sanders 9 Patel 9 Myers 9 Long 9 Ross 9 Foster 9
Jimenez 9 Powell 8 Jenkins 8 Perry 8 Russell 8 Sullivan 8 Bell 8 Coleman 8 Butler 8
Henderson 8 Barnes 8 Gonzales 8 Fisher 8 Vasquez 8 Simmons 7 Romero 7 Jordan 7 Patterson 7
Alexander 7 Hamilton 7 Graham 7 Reynolds 7 Griffin 7 Wallace 7 Moreno 7 West 7 Cole 7
Hayes 7 Bryant 7 Herrera 7 Gibson 7 Ellis 7 Tran 7 Medina 6 Aguilar 6 Stevens 6 Murray 6
Ford 6 Castro 6 Marshall 6 Owens 6 Harrison 6 Fernandez 6 McDonald 6 Woods 6 Washington 6
Kennedy 6 Wells 6 Vargas 6 Henry 6 Chen 6 Freeman 6 Webb 6 Tucker 6 Guzman 6 Burns 6
Crawford 6 Olson 6 Simpson 6 Porter 6 Hunter 6 Gordon 6 Mendez 6 Silva 6 Shaw 6 Snyder 6
O'Neil 3 O'Brien 3 Müller 2 Schmidt 2 Andersson 2 Johansson 2 Karlsson 2 Nilsson 2
Sato 2 Suzuki 2 Takahashi 2 Tanaka 2 Watanabe 2 Øster 1 Lindström 1 Åberg 1 Zola 1
Dubois 1 Lefèvre 1 Núñez 1 Ó_Briain 1 Smith-Jones 1 van_der_Berg 1""".split()

STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Rd",
    "Cedar Ln",
    "Park Blvd",
    "Elm St",
    "Lake Dr",
    "Hill Rd",
    "River Way",
    "Station Rd",
    "Church St",
    "Mill Ln",
)
ADJECTIVES = (
    "Classic",
    "Modern",
    "Vintage",
    "Essential",
    "Premium",
    "Everyday",
    "Organic",
    "Relaxed",
    "Slim",
    "Cozy",
    "Lightweight",
    "Waterproof",
    "Summer",
    "Winter",
)
COLORS = (
    "Black",
    "White",
    "Navy",
    "Red",
    "Olive",
    "Sand",
    "Grey",
    "Blue",
    "Pink",
    "Green",
    "Burgundy",
    "Mustard",
    "Teal",
    "Ivory",
)
PRODUCTS = (
    ("Dress", 5900),
    ("T-Shirt", 1900),
    ("Jeans", 6900),
    ("Sweater", 4900),
    ("Jacket", 12900),
    ("Sneakers", 8900),
    ("Boots", 13900),
    ("Scarf", 2400),
    ("Hoodie", 5400),
    ("Shorts", 2900),
    ("Skirt", 3900),
    ("Blouse", 4400),
    ("Backpack", 7900),
    ("Cap", 1900),
    ("Socks 3-pack", 1200),
    ("Raincoat", 9900),
)
SIZES = ("XS", "S", "M", "L", "XL")
NOTE_TEXTS = (
    ("Customer called about delivery date", "Promised an update by email."),
    ("Address confirmed by phone", ""),
    ("Verify order", "Large order from a new customer: checked with the fraud team."),
    ("Gift wrapping requested", "Message: Happy birthday!"),
    ("Customer asked for invoice copy", "Sent to the email on file."),
    ("Item out of stock", "Customer agreed to wait for restock."),
)
COUPONS = (  # code, kind, value, valid from (days ago), valid until (days from now), markets
    ("WELCOME10", "Percentage", "10", 1200, 3650, ()),
    ("SPRING15", "Percentage", "15", 600, -200, ()),
    ("VIP25", "Percentage", "25", 900, 365, ("US",)),
    ("SORRY5", "Amount", "5", 1200, 3650, ("US", "DE", "GB")),
    ("SUMMER20", "Percentage", "20", 500, -100, ()),
)


def _weighted(pairs: Sequence[str]) -> tuple[list[str], list[int]]:
    names = [n.replace("_", " ") if n.count("_") == 1 and n[0] != "J" else n for n in pairs[::2]]
    # "Jo_Ann" keeps its underscore: it proves `_` is searched literally.
    return names, [int(w) for w in pairs[1::2]]


def _money_text(minor: int, minor_units: int) -> str:
    if minor_units == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def _round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


class _Writer:
    """Bulk inserts through the driver: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.raw = conn.connection.driver_connection

    def ts(self, value: datetime) -> Any:
        return value if self.pg else value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def rows(self, table: t.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        if self.pg:
            cursor = self.raw.cursor()
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.close()
        else:
            marks = ", ".join("?" for _ in columns)
            self.raw.executemany(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows
            )


@dataclass
class _Customer:
    id: int
    first: str
    last: str
    email: str
    phone: str
    market: int
    address: tuple[str, ...]


@dataclass
class _Variant:
    id: int
    sku: str
    name: str
    usd_minor: int
    in_stock: int
    is_sold: bool


def _status_for(age_days: float, r: float) -> OrderStatus:
    if age_days > 45:
        table = (
            (0.86, OrderStatus.COMPLETED),
            (0.94, OrderStatus.CANCELED),
            (0.955, OrderStatus.PARTIALLY_SHIPPED),
            (0.97, OrderStatus.ON_HOLD),
        )
    else:
        table = (
            (0.40, OrderStatus.COMPLETED),
            (0.47, OrderStatus.CANCELED),
            (0.53, OrderStatus.PARTIALLY_SHIPPED),
            (0.60, OrderStatus.ON_HOLD),
        )
    for bound, status in table:
        if r < bound:
            return status
    return OrderStatus.IN_PROGRESS


ACTIVE_IN_PROGRESS = (
    ShipmentStatus.AWAITING_INVENTORY,
    ShipmentStatus.INVENTORY_ASSIGNED,
    ShipmentStatus.RELEASED,
    ShipmentStatus.PACKING,
)


BULK_TABLES = (
    "customers",
    "customer_addresses",
    "variants",
    "variant_prices",
    "orders",
    "shipments",
    "line_items",
    "payments",
    "discounts",
    "notes",
)
SQLITE_FTS_TABLES = ("orders_fts", "customers_fts", "variants_fts")


@contextmanager
def _without_secondary_indexes(conn: Connection) -> Iterator[None]:
    """Drop the secondary indexes and search triggers of the order tables for a bulk load,
    then build them again from their own definitions: sorting once beats a million
    index insertions (and FTS5 rebuilds faster than it inserts row by row)."""
    names = ", ".join(f"'{name}'" for name in BULK_TABLES)
    if conn.dialect.name == "sqlite":
        definitions = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND tbl_name IN ({names}) AND sql IS NOT NULL"
        ).all()
    else:
        definitions = conn.exec_driver_sql(
            "SELECT 'index', indexname, indexdef FROM pg_indexes i WHERE schemaname = "
            f"current_schema() AND tablename IN ({names}) AND NOT EXISTS (SELECT 1 FROM "
            "pg_constraint c WHERE c.conname = i.indexname)"
        ).all()
    for kind, name, _ in definitions:
        conn.exec_driver_sql(f"DROP {kind.upper()} {name}")
    yield
    for _, _, sql in definitions:
        conn.exec_driver_sql(sql)
    if conn.dialect.name == "sqlite":
        for fts in SQLITE_FTS_TABLES:
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


class DemoLoader:
    def __init__(
        self,
        engine: Engine,
        *,
        orders: int = DEFAULT_ORDERS,
        seed: int = DEFAULT_SEED,
        now: datetime | None = None,
        progress: Progress | None = None,
    ) -> None:
        if orders < 0:
            raise DemoRefused("The number of orders cannot be negative.")
        self.engine = engine
        self.n_orders = orders
        self.seed = seed
        self.now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.progress = progress or _Silent()
        self.rng = random.Random(seed)
        self.n_customers = max(3_000, orders // 20)
        self.n_variants = max(2_000, min(50_000, orders * 4))

    def run(self) -> None:
        with self.engine.connect().execution_options(**{WRITE: True}) as conn:
            conn.begin()
            if conn.execute(select(func.count()).select_from(t.orders)).scalar_one():
                raise DemoRefused(
                    "This database already has orders: demo data goes only into an empty one."
                )
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size = -262144")
            w = _Writer(conn)
            self._markets(w)
            self._coupons(w)
            with _without_secondary_indexes(conn):
                customers = self._customers(w)
                variants = self._variants(w)
                self._orders(w, customers, variants)
                self.progress.phase("Indexes", 1)
            self.progress.advance(1)
            self._reset_sequences(conn)
            self._carts(conn, customers, variants)
            conn.commit()
        self._statistics()

    # -- reference data -----------------------------------------------------------------

    def _markets(self, w: _Writer) -> None:
        w.rows(
            t.markets,
            ("code", "name", "currency", "tax_rate"),
            [
                (m.code, m.name, m.currency, str(Decimal(m.tax_basis_points) / 10000))
                for m in MARKETS
            ],
        )
        w.rows(
            t.payment_methods,
            ("market_code", "code", "name", "position"),
            [(m.code, code, name, i) for m in MARKETS for i, (code, name) in enumerate(m.payments)],
        )
        w.rows(
            t.shipping_methods,
            ("market_code", "code", "name", "cost", "position"),
            [
                (m.code, code, name, _money_text(cost, m.minor_units), i)
                for m in MARKETS
                for i, (code, name, cost) in enumerate(m.shipping)
            ],
        )

    def _coupons(self, w: _Writer) -> None:
        w.rows(
            t.coupons,
            ("code", "kind", "value", "valid_from", "valid_until"),
            [
                (
                    code,
                    kind,
                    value,
                    w.ts(self.now - timedelta(days=since)),
                    w.ts(self.now + timedelta(days=until)),
                )
                for code, kind, value, since, until, _ in COUPONS
            ],
        )
        w.rows(
            t.coupon_markets,
            ("coupon_code", "market_code"),
            [(code, m) for code, *_, markets in COUPONS for m in markets],
        )

    def _customers(self, w: _Writer) -> list[_Customer]:
        rng = self.rng
        self.progress.phase("Customers", self.n_customers)
        firsts, first_w = _weighted(FIRST_NAMES)
        lasts, last_w = _weighted(LAST_NAMES)
        fixed = [("Mercy", "Taylor", 0), ("Taylor", "Hayes", 0)]
        customers: list[_Customer] = []
        seen_emails: set[str] = set()
        for i in range(self.n_customers):
            if i < len(fixed):
                first, last, market = fixed[i]
            else:
                first = rng.choices(firsts, first_w)[0]
                last = rng.choices(lasts, last_w)[0]
                market = rng.choices(range(len(MARKETS)), (50, 15, 15, 10, 10))[0]
            base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            email = f"{base}@example.com"
            n = 1
            while email in seen_emails:
                n += 1
                email = f"{base}{n}@example.{('com', 'org', 'net')[n % 3]}"
            seen_emails.add(email)
            spec = MARKETS[market]
            address = (
                f"{first} {last}",
                f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
                rng.choice(spec.cities),
                f"{rng.randint(10000, 99999)}",
                spec.country,
            )
            phone = f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            customers.append(_Customer(i + 1, first, last, email, phone, market, address))
        w.rows(
            t.customers,
            (
                "id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "name_key",
                "email_key",
                "created_at",
            ),
            [
                (
                    c.id,
                    c.first,
                    c.last,
                    c.email,
                    c.phone,
                    search_key(f"{c.first} {c.last}"),
                    c.email.lower(),
                    w.ts(self.now - timedelta(days=1200)),
                )
                for c in customers
            ],
        )
        w.rows(
            t.customer_addresses,
            (
                "customer_id",
                "position",
                "name",
                "line1",
                "line2",
                "city",
                "region",
                "postal_code",
                "country",
                "phone",
            ),
            [
                (
                    c.id,
                    0,
                    c.address[0],
                    c.address[1],
                    "",
                    c.address[2],
                    "",
                    c.address[3],
                    c.address[4],
                    c.phone,
                )
                for c in customers
            ],
        )
        self.progress.advance(self.n_customers)
        return customers

    def _variants(self, w: _Writer) -> list[_Variant]:
        rng = self.rng
        self.progress.phase("Product variants", self.n_variants)
        variants: list[_Variant] = []
        skus: set[int] = {SEED_SKU}
        for i in range(self.n_variants):
            product, base_price = rng.choice(PRODUCTS)
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(COLORS)} {product}, {rng.choice(SIZES)}"
            sku = rng.randint(10_000_000, 99_999_999)
            while sku in skus:
                sku = rng.randint(10_000_000, 99_999_999)
            skus.add(sku)
            if i == 0:
                sku = SEED_SKU  # drawn all the same, so that the rest of the data stays as it was
            roll = rng.random()
            in_stock = 0 if roll < 0.08 else rng.randint(1, 400)
            usd = max(500, int(base_price * rng.uniform(0.6, 1.6)) // 100 * 100 + 99)
            variants.append(_Variant(i + 1, f"SKU-{sku}", name, usd, in_stock, roll > 0.04))
        w.rows(
            t.variants,
            (
                "id",
                "sku",
                "name",
                "description",
                "in_stock",
                "is_sold",
                "product_url",
                "search_key",
            ),
            [
                (
                    v.id,
                    v.sku,
                    v.name,
                    self._description(v),
                    v.in_stock,
                    v.is_sold,
                    f"https://shop.example.com/p/{v.sku.lower()}",
                    variant_search_key(v.sku, v.name, self._description(v)),
                )
                for v in variants
            ],
        )
        w.rows(
            t.variant_prices,
            ("variant_id", "market_code", "price"),
            [
                (v.id, m.code, _money_text(self._price(v, m), m.minor_units))
                for v in variants
                for m in MARKETS
            ],
        )
        self.progress.advance(self.n_variants)
        return variants

    @staticmethod
    def _description(v: _Variant) -> str:
        return f"{v.name.split(',')[0]} in soft, durable fabric. Machine washable."

    @staticmethod
    def _price(v: _Variant, m: MarketSpec) -> int:
        if m.minor_units == 0:
            return int(round(v.usd_minor / 100 * m.price_factor, -1))
        return int(v.usd_minor * m.price_factor) // 100 * 100 + 99

    # -- orders ---------------------------------------------------------------------------

    def _orders(self, w: _Writer, customers: list[_Customer], variants: list[_Variant]) -> None:
        self.progress.phase("Orders", self.n_orders)
        start = self.now - timedelta(days=3 * 365)
        span = (self.now - start).total_seconds()
        prices = [[self._price(v, m) for m in MARKETS] for v in variants]
        taxes = [m.tax_basis_points for m in MARKETS]
        ship_id = line_id = pay_id = disc_id = note_id = 0
        rng = self.rng
        welcome = next(c for c in COUPONS if c[0] == "WELCOME10")
        pinned = {0: 0, 1: 1, 2: 0, 3: 1}  # Mercy Taylor and Taylor Hayes have recent orders
        for chunk_start in range(0, self.n_orders, CHUNK):
            chunk_end = min(self.n_orders, chunk_start + CHUNK)
            order_rows, ship_rows, line_rows, pay_rows, disc_rows, note_rows = (
                [],
                [],
                [],
                [],
                [],
                [],
            )
            for i in range(chunk_start, chunk_end):
                created = start + timedelta(seconds=span * (i + rng.random()) / self.n_orders)
                age = (self.now - created).total_seconds() / 86400
                from_end = self.n_orders - 1 - i
                if from_end in pinned:
                    cust = customers[pinned[from_end]]
                else:
                    cust = customers[int(len(customers) * rng.random() ** 1.5)]
                anonymous = rng.random() < 0.05 and from_end not in pinned
                m_idx = cust.market
                spec = MARKETS[m_idx]
                status = _status_for(age, rng.random())
                agent = AGENTS[rng.randrange(len(AGENTS))]
                order_id = i + 1
                number = format_order_number(1001 + i)
                n_ship = 2 if status is OrderStatus.PARTIALLY_SHIPPED or rng.random() < 0.1 else 1
                subtotal = shipping = 0
                skus_out_of_stock = False
                shipments = []
                for s in range(n_ship):
                    ship_id += 1
                    code, sname, cost = spec.shipping[rng.randrange(len(spec.shipping))]
                    n_lines = 1 + int(rng.random() ** 2 * 4)
                    for pos in range(n_lines):
                        v = variants[rng.randrange(len(variants))]
                        qty = 1 if rng.random() < 0.7 else rng.randint(2, 4)
                        price = prices[v.id - 1][m_idx]
                        line_id += 1
                        subtotal += qty * price
                        skus_out_of_stock |= v.in_stock < qty
                        line_rows.append(
                            (
                                line_id,
                                ship_id,
                                pos,
                                v.sku,
                                v.name,
                                qty,
                                _money_text(price, spec.minor_units),
                                "0",
                            )
                        )
                    shipping += cost
                    shipments.append((ship_id, s + 1, code, sname, cost))
                discount = 0
                if rng.random() < 0.1:
                    discount = _round_half_up_div(subtotal * 10, 100)
                    disc_id += 1
                    disc_rows.append(
                        (
                            disc_id,
                            order_id,
                            None,
                            0,
                            f"Coupon {welcome[0]} (10% off)",
                            "Percentage",
                            "10",
                            welcome[0],
                        )
                    )
                tax = _round_half_up_div((subtotal - discount) * taxes[m_idx], 10000)
                total = subtotal - discount + shipping + tax
                # status-consistent shipments and payments
                ship_statuses, paid, before_hold = self._shipment_statuses(
                    status, n_ship, skus_out_of_stock
                )
                for (sid, snum, code, sname, cost), sstatus in zip(
                    shipments, ship_statuses, strict=True
                ):
                    s_status, s_before = sstatus
                    a = cust.address
                    ship_rows.append(
                        (
                            sid,
                            order_id,
                            None,
                            snum,
                            s_status,
                            s_before,
                            code,
                            sname,
                            _money_text(cost, spec.minor_units),
                            a[0],
                            a[1],
                            "",
                            a[2],
                            "",
                            a[3],
                            a[4],
                            cust.phone,
                        )
                    )
                ts = w.ts(created)
                if paid:
                    if rng.random() < 0.05:
                        pay_id += 1
                        pay_rows.append(
                            (
                                pay_id,
                                order_id,
                                0,
                                spec.payments[0][0],
                                spec.payments[0][1],
                                _money_text(total, spec.minor_units),
                                PaymentStatus.FAILED.value,
                                ts,
                                "website",
                            )
                        )
                    method = spec.payments[rng.randrange(len(spec.payments))]
                    pay_id += 1
                    pay_rows.append(
                        (
                            pay_id,
                            order_id,
                            1,
                            method[0],
                            method[1],
                            _money_text(total, spec.minor_units),
                            PaymentStatus.PROCESSED.value,
                            ts,
                            agent,
                        )
                    )
                elif status is not OrderStatus.CANCELED and rng.random() < 0.3:
                    pay_id += 1
                    pay_rows.append(
                        (
                            pay_id,
                            order_id,
                            0,
                            spec.payments[0][0],
                            spec.payments[0][1],
                            _money_text(total, spec.minor_units),
                            PaymentStatus.PENDING.value,
                            ts,
                            "website",
                        )
                    )
                if rng.random() < 0.1:
                    description, body = NOTE_TEXTS[rng.randrange(len(NOTE_TEXTS))]
                    note_id += 1
                    note_rows.append((note_id, order_id, description, body, agent, ts))
                if anonymous:
                    name = f"{cust.first} {cust.last}" if rng.random() < 0.7 else ""
                    email = None if name and rng.random() < 0.5 else f"guest{order_id}@example.net"
                    cust_id, phone = None, ""
                else:
                    name, email, cust_id, phone = (
                        f"{cust.first} {cust.last}",
                        cust.email,
                        cust.id,
                        cust.phone,
                    )
                order_rows.append(
                    (
                        order_id,
                        number,
                        "Phone order" if agent != "website" else "Web order",
                        spec.code,
                        spec.currency,
                        cust_id,
                        name,
                        email,
                        phone,
                        search_key(name),
                        email.lower() if email else None,
                        status.value,
                        before_hold,
                        _money_text(total, spec.minor_units),
                        ts,
                        agent,
                        ts,
                        agent,
                        1,
                    )
                )
            w.rows(
                t.orders,
                (
                    "id",
                    "number",
                    "name",
                    "market_code",
                    "currency",
                    "customer_id",
                    "customer_name",
                    "customer_email",
                    "customer_phone",
                    "name_key",
                    "email_key",
                    "status",
                    "status_before_hold",
                    "total",
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                    "version",
                ),
                order_rows,
            )
            w.rows(
                t.shipments,
                (
                    "id",
                    "order_id",
                    "cart_id",
                    "number",
                    "status",
                    "status_before_hold",
                    "method_code",
                    "method_name",
                    "shipping_cost",
                    "address_name",
                    "address_line1",
                    "address_line2",
                    "address_city",
                    "address_region",
                    "address_postal_code",
                    "address_country",
                    "address_phone",
                ),
                ship_rows,
            )
            w.rows(
                t.line_items,
                (
                    "id",
                    "shipment_id",
                    "position",
                    "sku",
                    "name",
                    "quantity",
                    "placed_price",
                    "discount",
                ),
                line_rows,
            )
            w.rows(
                t.payments,
                (
                    "id",
                    "order_id",
                    "position",
                    "method_code",
                    "method_name",
                    "amount",
                    "status",
                    "created_at",
                    "created_by",
                ),
                pay_rows,
            )
            w.rows(
                t.discounts,
                (
                    "id",
                    "order_id",
                    "cart_id",
                    "position",
                    "description",
                    "kind",
                    "value",
                    "coupon_code",
                ),
                disc_rows,
            )
            w.rows(
                t.notes,
                ("id", "order_id", "description", "text", "created_by", "created_at"),
                note_rows,
            )
            self.progress.advance(chunk_end - chunk_start)
        if self.n_orders:
            w.conn.execute(
                update(t.counters)
                .where(t.counters.c.name == "order_number")
                .values(value=1000 + self.n_orders)
            )

    def _shipment_statuses(
        self, status: OrderStatus, n: int, out_of_stock: bool
    ) -> tuple[list[tuple[str, str | None]], bool, str | None]:
        """Statuses of n shipments consistent with the order status: (status, before hold)
        per shipment, whether the order is paid in full, and the order's status before hold."""
        S = ShipmentStatus
        rng = self.rng
        if status is OrderStatus.COMPLETED:
            return [(S.SHIPPED.value, None)] * n, True, None
        if status is OrderStatus.CANCELED:
            return [(S.CANCELED.value, None)] * n, False, None
        if status is OrderStatus.PARTIALLY_SHIPPED:  # always two shipments
            return [(S.SHIPPED.value, None), (S.PACKING.value, None)], True, None
        paid = rng.random() < 0.6
        if not paid or out_of_stock:
            active = S.AWAITING_INVENTORY
        else:
            active = ACTIVE_IN_PROGRESS[1 + rng.randrange(3)]
        if status is OrderStatus.ON_HOLD:
            return [(S.ON_HOLD.value, active.value)] * n, paid, OrderStatus.IN_PROGRESS.value
        return [(active.value, None)] * n, paid, None

    def _carts(
        self, conn: Connection, customers: list[_Customer], variants: list[_Variant]
    ) -> None:
        """A few open carts, so that Convert to Purchase Order has something to convert."""
        catalog = CatalogRepository(conn)
        repo = CartRepository(conn, catalog)
        markets = catalog.markets()
        sold = [v for v in variants if v.is_sold]
        for i in range(min(12, len(customers))):
            cust = customers[i * 7 % len(customers)]
            spec = MARKETS[cust.market]
            cart = Cart(
                market=markets[spec.code],
                name="Default" if i % 3 else "Wishlist checkout",
                created_at=self.now - timedelta(hours=3 * i + 1),
                created_by="website",
            )
            cart.customer_id = cust.id
            cart.customer_name = f"{cust.first} {cust.last}"
            cart.customer_email = cust.email
            shipment = cart.shipments[0]
            for v in (sold[(i * 31 + k) % len(sold)] for k in range(1 + i % 3)):
                cart.add_line_item(1, catalog.variant(v.sku), 1 + i % 2)
            if i % 4:
                a = cust.address
                shipment.shipping_address = Address(
                    name=a[0], line1=a[1], city=a[2], postal_code=a[3], country=a[4]
                )
                cart.set_shipping_method(1, spec.shipping[0][0])
            repo.add(cart)

    @staticmethod
    def _reset_sequences(conn: Connection) -> None:
        """The bulk load chose the ids itself: move PostgreSQL's sequences past them."""
        if conn.dialect.name != "postgresql":
            return
        for table in (name for name in BULK_TABLES if "id" in t.metadata.tables[name].c):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 1))"
            )

    def _statistics(self) -> None:
        """Planner statistics, and on PostgreSQL the visibility map index-only scans need."""
        self.progress.phase("Statistics", 1)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(
                "VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"
            )
        self.progress.advance(1)


def load_demo(
    engine: Engine,
    *,
    orders: int = DEFAULT_ORDERS,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> None:
    DemoLoader(engine, orders=orders, seed=seed, now=now, progress=progress).run()
