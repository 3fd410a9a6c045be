"""Deterministic, realistic demo data, fast enough to load a million orders.

The same seed on the same day gives the same data. Orders are spread over three years up to
today, in every status, with payments, shipments and notes consistent with that status.
Rows go through the driver's bulk paths (sqlite3 executemany, PostgreSQL COPY): the ORM and
even Core executemany are 4-10x slower (search-performance-notes.md, "Bulk load").
"""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
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
from csr_tui.domain.search import phone_key, search_key
from csr_tui.domain.statuses import OrderStatus, PaymentStatus, ShipmentStatus

LOAD_CACHE_KIB = 32_768
DEFAULT_ORDERS = 5_000
DEFAULT_SEED = 42
CHUNK = 5_000
OWN_PROCESS_FROM = 50_000  # orders: below, the rows are made in the loading process
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

# (family name, given name, the email's romaji): shown family name first, as in Japan.
JAPANESE_NAMES = (
    ("山田", "太郎", "yamada.taro"),
    ("佐藤", "花子", "sato.hanako"),
    ("鈴木", "一郎", "suzuki.ichiro"),
    ("高橋", "さくら", "takahashi.sakura"),
    ("田中", "ハルト", "tanaka.haruto"),
    ("渡辺", "ゆき", "watanabe.yuki"),
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


# Fictional phone numbers in each market's format, a digit for each #. US: the 555 area
# code with an exchange starting 01 (no real number has either); GB: Ofcom's ranges for
# drama; DE, SE, JP: made-up numbers in the national format.
PHONE_FORMATS: dict[str, tuple[str, ...]] = {
    "US": ("+1 555-01#-####",),
    "GB": tuple(
        f"+44 {prefix}###"
        for prefix in (
            "20 7946 0",
            "113 496 0",
            "114 496 0",
            "115 496 0",
            "116 496 0",
            "117 496 0",
            "118 496 0",
            "121 496 0",
            "131 496 0",
            "141 496 0",
            "151 496 0",
            "161 496 0",
            "191 498 0",
            "1632 960",
            "7700 900",
        )
    ),
    "DE": ("+49 30 #### ####", "+49 40 #### ####", "+49 89 #### ####", "+49 151 ########"),
    "SE": ("+46 70 ### ## ##", "+46 73 ### ## ##", "+46 8 ### ### ##", "+46 31 ### ## ##"),
    "JP": ("+81 3-####-####", "+81 6-####-####", "+81 90-####-####", "+81 80-####-####"),
}


def demo_phone(market: str, draw: tuple[int, int, int], taken: set[str]) -> str:
    """A fictional number of `market` from three random draws, not in `taken` (added)."""
    a, b, c = draw
    formats = PHONE_FORMATS[market]
    n = ((a - 1) * 900 + (b - 100)) * 9_000 + (c - 1_000)
    while True:
        pattern = formats[n % len(formats)]
        places = pattern.count("#")
        digits = iter(f"{(n // len(formats)) % 10**places:0{places}}")
        number = "".join(next(digits) if ch == "#" else ch for ch in pattern)
        if number not in taken:
            taken.add(number)
            return number
        n += 1


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


class _Rows:
    """Rows as a database stores them, going nowhere (the order maker's writer)."""

    def __init__(self, pg: bool) -> None:
        self.pg = pg

    def ts(self, value: datetime) -> str:
        """A UTC time as the database stores it: text on SQLite, a literal on PostgreSQL."""
        text = value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return text + "+00" if self.pg else text

    def rows(self, table: t.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        return None


class _Writer(_Rows):
    """Bulk inserts through the driver: executemany on SQLite; on PostgreSQL COPY, fed text
    built here in one string per chunk (psycopg's row-by-row write_row costs more than the
    server's COPY)."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn.dialect.name == "postgresql")
        self.conn = conn
        self.raw = conn.connection.driver_connection

    def rows(self, table: t.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.pg:
            self.copy(table.name, columns, _copy_lines(rows))
        else:
            marks = ", ".join("?" for _ in columns)
            self.raw.executemany(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows
            )

    def copy(self, table: str, columns: Sequence[str], text: str) -> None:
        with (
            self.raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            copy.write(text)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_lines(rows: Sequence[Sequence[Any]]) -> str:
    """Rows in COPY's text format. The fast way writes each value as str() does; if a value
    held a tab, a line break or a backslash, it is done again escaping each value."""
    text = "".join(
        ["\t".join(["\\N" if v is None else str(v) for v in row]) + "\n" for row in rows]
    )
    tabs = len(rows) * (len(rows[0]) - 1)
    nulls = sum([row.count(None) for row in rows])  # one backslash each: \N
    if (
        text.count("\t") != tabs
        or text.count("\n") != len(rows)
        or text.count("\\") != nulls
        or "\r" in text
    ):
        text = "".join(["\t".join(map(_copy_text, row)) + "\n" for row in rows])
    return text


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


@dataclass(slots=True)  # 50,000 of each at a million orders
class _Customer:
    id: int
    first: str
    last: str
    email: str
    phone: str
    market: int
    address: tuple[str, ...]
    full_name: str = ""
    phone_key: str = ""

    def __post_init__(self) -> None:
        self.full_name = f"{self.first} {self.last}"
        self.phone_key = phone_key(self.phone)


@dataclass(slots=True)
class _Variant:
    id: int
    sku: str
    name: str
    usd_minor: int
    in_stock: int
    is_sold: bool
    prices: tuple[int, ...] = ()  # in each market's minor units, in MARKETS order
    price_texts: tuple[str, ...] = ()


ORDER_COLUMNS = (
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
    "phone_key",
    "status",
    "status_before_hold",
    "total",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
)
SHIPMENT_COLUMNS = (
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
)
LINE_COLUMNS = (
    "id",
    "shipment_id",
    "position",
    "sku",
    "name",
    "quantity",
    "placed_price",
    "discount",
)
PAYMENT_COLUMNS = (
    "id",
    "order_id",
    "position",
    "method_code",
    "method_name",
    "amount",
    "status",
    "created_at",
    "created_by",
)
DISCOUNT_COLUMNS = (
    "id",
    "order_id",
    "cart_id",
    "position",
    "description",
    "kind",
    "value",
    "coupon_code",
)
NOTE_COLUMNS = ("id", "order_id", "description", "text", "created_by", "created_at")


# (bound, status): an order's status is the first whose bound its random draw is under.
_OLDER_STATUSES = (
    (0.86, OrderStatus.COMPLETED),
    (0.94, OrderStatus.CANCELED),
    (0.955, OrderStatus.PARTIALLY_SHIPPED),
    (0.97, OrderStatus.ON_HOLD),
)
_RECENT_STATUSES = (  # the last 45 days
    (0.40, OrderStatus.COMPLETED),
    (0.47, OrderStatus.CANCELED),
    (0.53, OrderStatus.PARTIALLY_SHIPPED),
    (0.60, OrderStatus.ON_HOLD),
)


def _status_for(age_days: float, r: float) -> OrderStatus:
    for bound, status in _OLDER_STATUSES if age_days > 45 else _RECENT_STATUSES:
        if r < bound:
            return status
    return OrderStatus.IN_PROGRESS


STATUS_TEXT = {s: s.value for s in OrderStatus}
_SHIPPED = (ShipmentStatus.SHIPPED.value, None)  # (status, status before hold)
_CANCELED = (ShipmentStatus.CANCELED.value, None)
_PACKING = (ShipmentStatus.PACKING.value, None)
_ON_HOLD = ShipmentStatus.ON_HOLD.value

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
SQLITE_FTS_TABLES = ("customers_fts", "variants_fts")


@contextmanager
def _without_secondary_indexes(conn: Connection) -> Iterator[None]:
    """Drop the secondary indexes, the triggers and (PostgreSQL) the foreign keys of the
    order tables for a bulk load, then put them back from their own definitions: sorting
    once beats a million index insertions, FTS5 rebuilds faster than it inserts row by row,
    and a foreign key checks all rows in one join. The names the triggers would have added
    to order_names are added in one statement."""
    names = ", ".join(f"'{name}'" for name in BULK_TABLES)
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND tbl_name IN ({names}) AND sql IS NOT NULL"
        ).all()
        steps = [(f"DROP {kind.upper()} {name}", sql) for kind, name, sql in rows]
    else:
        indexes = conn.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = "
            f"current_schema() AND tablename IN ({names}) AND NOT EXISTS (SELECT 1 FROM "
            "pg_constraint c WHERE c.conname = i.indexname)"
        ).all()
        triggers = conn.exec_driver_sql(
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal "
            f"AND tgrelid::regclass::text IN ({names})"
        ).all()
        # A foreign key checks every row COPY adds, one index probe each (most of the load's
        # time); added back afterwards, it checks them all in one join.
        foreign_keys = conn.exec_driver_sql(
            "SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid) FROM "
            f"pg_constraint WHERE contype = 'f' AND conrelid::regclass::text IN ({names})"
        ).all()
        steps = [
            *((f"DROP INDEX {name}", sql) for name, sql in indexes),
            *(
                (
                    f"ALTER TABLE {on} DISABLE TRIGGER {name}",
                    f"ALTER TABLE {on} ENABLE TRIGGER {name}",
                )
                for name, on in triggers
            ),
            *(
                (
                    f"ALTER TABLE {on} DROP CONSTRAINT {name}",
                    f"ALTER TABLE {on} ADD CONSTRAINT {name} {definition}",
                )
                for name, on, definition in foreign_keys
            ),
        ]
    for drop, _ in steps:
        conn.exec_driver_sql(drop)
    yield
    for _, create in steps:
        conn.exec_driver_sql(create)
    conn.exec_driver_sql(
        "INSERT INTO order_names (name_key) SELECT DISTINCT name_key FROM orders WHERE true "
        "ORDER BY name_key ON CONFLICT DO NOTHING"
    )
    if conn.dialect.name == "sqlite":
        for fts in SQLITE_FTS_TABLES:
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


# A chunk of order rows: (table, columns, rows), rows as tuples, or as COPY text.
_Chunk = list[tuple[str, Sequence[str], Any]]


def make_orders_to_stdout() -> None:
    """The order maker (a process of its own, see DemoLoader._in_a_process): the order rows
    of a load, pickled to stdout chunk by chunk (COPY text for PostgreSQL), then None; or
    the error that stopped it. Arguments: orders, seed, now (ISO), "pg" or "sqlite"."""
    out = sys.stdout.buffer
    try:
        orders, seed, now, backend = sys.argv[1:5]
        pg = backend == "pg"
        loader = DemoLoader(
            None,  # type: ignore[arg-type]
            orders=int(orders),
            seed=int(seed),
            now=datetime.fromisoformat(now),
        )
        rows = _Rows(pg)
        # The same random draws as the loading process, in the same order.
        customers, variants = loader._customers(rows), loader._variants(rows)
        for chunk in loader._order_chunks(rows, customers, variants):
            made = [
                (table.name, columns, _copy_lines(rows) if pg and rows else rows)
                for table, columns, rows in chunk
            ]
            pickle.dump(made, out, pickle.HIGHEST_PROTOCOL)
            out.flush()
        pickle.dump(None, out)
    except Exception as error:
        pickle.dump(error, out)
    out.flush()


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
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # For the load only (the connection is closed afterwards): a 32 MB page
                # cache (it was 256 MB, and the load peaked at 800 MB), and no foreign key
                # checks on rows made consistent (25% of the time to store them). A pragma
                # outside the transaction, which foreign_keys needs.
                raw = conn.connection.driver_connection
                raw.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
                raw.execute("PRAGMA foreign_keys = OFF")
            conn.begin()
            if conn.execute(select(func.count()).select_from(t.orders)).scalar_one():
                raise DemoRefused(
                    "This database already has orders: demo data goes only into an empty one."
                )
            if not sqlite:
                # The server's memory for building the indexes and checking the foreign
                # keys afterwards, in this transaction only: sorts in memory, not on disk.
                conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
                conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
            w = _Writer(conn)
            with ExitStack() as stack:
                # A big load has its order rows made by another process, which starts now.
                made = (
                    stack.enter_context(self._in_a_process(w.pg))
                    if self.n_orders >= OWN_PROCESS_FROM
                    else None
                )
                self._markets(w)
                self._coupons(w)
                with _without_secondary_indexes(conn):
                    customers = self._customers(w)
                    variants = self._variants(w)
                    self._orders(w, made or self._here(w, customers, variants))
                    self.progress.phase("Indexes", 1)
            self.progress.advance(1)
            self._reset_sequences(conn)
            self._carts(conn, customers, variants)
            conn.commit()
            if sqlite:
                conn.invalidate()
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

    def _customers(self, w: _Rows) -> list[_Customer]:
        rng = self.rng
        self.progress.phase("Customers", self.n_customers)
        firsts, first_w = _weighted(FIRST_NAMES)
        lasts, last_w = _weighted(LAST_NAMES)
        fixed = [("Mercy", "Taylor", 0), ("Taylor", "Hayes", 0)]
        customers: list[_Customer] = []
        seen_emails: set[str] = set()
        phones: set[str] = set()
        for i in range(self.n_customers):
            if i < len(fixed):
                first, last, market = fixed[i]
            else:
                first = rng.choices(firsts, first_w)[0]
                last = rng.choices(lasts, last_w)[0]
                market = rng.choices(range(len(MARKETS)), (50, 15, 15, 10, 10))[0]
            base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            if MARKETS[market].code == "JP" and i % 4 == 0:
                # A quarter of the Japanese customers written in kanji and kana (family
                # name first), chosen without a random draw: the rest of the data stays.
                first, last, base = JAPANESE_NAMES[(i // 4) % len(JAPANESE_NAMES)]
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
            draw = (rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 9999))
            phone = demo_phone(spec.code, draw, phones)
            customers.append(_Customer(i + 1, first, last, email, phone, market, address))
        created = w.ts(self.now - timedelta(days=1200))
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
                "phone_key",
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
                    c.phone_key,
                    created,
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

    def _variants(self, w: _Rows) -> list[_Variant]:
        rng = self.rng
        self.progress.phase("Product variants", self.n_variants)
        variants: list[_Variant] = []
        skus: set[int] = {SEED_SKU}
        texts: dict[tuple[int, int], str] = {}  # one string per price (memory)
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
            variant = _Variant(i + 1, f"SKU-{sku}", name, usd, in_stock, roll > 0.04)
            variant.prices = tuple(self._price(variant, m) for m in MARKETS)
            variant.price_texts = tuple(
                texts.setdefault((p, m.minor_units), _money_text(p, m.minor_units))
                for p, m in zip(variant.prices, MARKETS, strict=True)
            )
            variants.append(variant)
        for start in range(0, len(variants), CHUNK):  # a slice at a time: less memory
            part = variants[start : start + CHUNK]
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
                        description,
                        v.in_stock,
                        v.is_sold,
                        f"https://shop.example.com/p/{v.sku.lower()}",
                        variant_search_key(v.sku, v.name, description),
                    )
                    for v in part
                    for description in (self._description(v),)
                ],
            )
            w.rows(
                t.variant_prices,
                ("variant_id", "market_code", "price"),
                [
                    (v.id, m.code, text)
                    for v in part
                    for m, text in zip(MARKETS, v.price_texts, strict=True)
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

    def _orders(self, w: _Writer, chunks: Iterator[_Chunk]) -> None:
        self.progress.phase("Orders", self.n_orders)
        for start, chunk in zip(range(0, self.n_orders, CHUNK), chunks, strict=False):
            for table, columns, rows in chunk:
                if isinstance(rows, str):
                    w.copy(table, columns, rows)
                else:
                    w.rows(t.metadata.tables[table], columns, rows)
            self.progress.advance(min(CHUNK, self.n_orders - start))
        if self.n_orders:
            w.conn.execute(
                update(t.counters)
                .where(t.counters.c.name == "order_number")
                .values(value=1000 + self.n_orders)
            )

    def _here(
        self, rows: _Rows, customers: list[_Customer], variants: list[_Variant]
    ) -> Iterator[_Chunk]:
        for chunk in self._order_chunks(rows, customers, variants):
            yield [(table.name, columns, rows) for table, columns, rows in chunk]

    @contextmanager
    def _in_a_process(self, pg: bool) -> Iterator[Iterator[_Chunk]]:
        """The order rows made by a process of its own, which makes them while this one
        stores the ones before (making them takes about as long as storing them; threads
        would take turns on one core)."""
        maker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from csr_tui.data.demo import make_orders_to_stdout; make_orders_to_stdout()",
                str(self.n_orders),
                str(self.seed),
                self.now.isoformat(),
                "pg" if pg else "sqlite",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a terminal application may own the terminal
        )
        assert maker.stdout is not None

        def chunks() -> Iterator[_Chunk]:
            while True:
                try:
                    chunk = pickle.load(maker.stdout)
                except EOFError:
                    raise DemoRefused("The demo data maker stopped unexpectedly.") from None
                if chunk is None:
                    return
                if isinstance(chunk, BaseException):
                    raise chunk
                yield chunk

        try:
            yield chunks()
        finally:
            maker.kill()
            maker.wait()
            maker.stdout.close()

    def _order_chunks(
        self, w: _Rows, customers: list[_Customer], variants: list[_Variant]
    ) -> Iterator[list[tuple[t.Table, Sequence[str], list[tuple[Any, ...]]]]]:
        """The order rows and their children, CHUNK orders at a time. The random draws come
        in a fixed order (the same seed gives the same data); everything that does not
        depend on them (money as text, name keys, costs) is computed once, not per row."""
        now = self.now.replace(tzinfo=None)
        start = now - timedelta(days=3 * 365)
        span = (now - start).total_seconds()
        n_orders, zone = self.n_orders, "+00" if w.pg else ""
        taxes = [m.tax_basis_points for m in MARKETS]
        shipping_texts = [
            [
                (code, name, cost, _money_text(cost, m.minor_units))
                for code, name, cost in m.shipping
            ]
            for m in MARKETS
        ]
        name_keys: dict[str, str] = {}
        ship_id = line_id = pay_id = disc_id = note_id = 0
        rng = self.rng
        # rng.randrange(n) is rng._randbelow(n) after checks that cost a third of the
        # call: the same draws, faster.
        random, randrange = rng.random, rng._randbelow
        n_variants, n_customers = len(variants), len(customers)
        welcome = next(c for c in COUPONS if c[0] == "WELCOME10")[0]
        coupon_description = f"Coupon {welcome} (10% off)"
        pinned = {0: 0, 1: 1, 2: 0, 3: 1}  # Mercy Taylor and Taylor Hayes have recent orders
        partially_shipped, canceled = OrderStatus.PARTIALLY_SHIPPED, OrderStatus.CANCELED
        failed = PaymentStatus.FAILED.value
        processed, pending = PaymentStatus.PROCESSED.value, PaymentStatus.PENDING.value
        for chunk_start in range(0, n_orders, CHUNK):
            order_rows: list[tuple[Any, ...]] = []
            ship_rows: list[tuple[Any, ...]] = []
            line_rows: list[tuple[Any, ...]] = []
            pay_rows: list[tuple[Any, ...]] = []
            disc_rows: list[tuple[Any, ...]] = []
            note_rows: list[tuple[Any, ...]] = []
            for i in range(chunk_start, min(n_orders, chunk_start + CHUNK)):
                created = start + timedelta(seconds=span * (i + random()) / n_orders)
                age = (now - created).total_seconds() / 86400  # naive UTC: no zone math
                from_end = n_orders - 1 - i
                if from_end in pinned:
                    cust = customers[pinned[from_end]]
                else:
                    cust = customers[int(n_customers * random() ** 1.5)]
                anonymous = random() < 0.05 and from_end not in pinned
                m_idx = cust.market
                spec = MARKETS[m_idx]
                status = _status_for(age, random())
                agent = AGENTS[randrange(len(AGENTS))]
                order_id = i + 1
                n_ship = 2 if status is partially_shipped or random() < 0.1 else 1
                subtotal = shipping = 0
                skus_out_of_stock = False
                shipments = []
                for s in range(n_ship):
                    ship_id += 1
                    methods = shipping_texts[m_idx]
                    code, sname, cost, cost_text = methods[randrange(len(methods))]
                    n_lines = 1 + int(random() ** 2 * 4)
                    for pos in range(n_lines):
                        v = variants[randrange(n_variants)]
                        qty = 1 if random() < 0.7 else 2 + randrange(3)  # randint(2, 4)
                        price = v.prices[m_idx]
                        line_id += 1
                        subtotal += qty * price
                        skus_out_of_stock |= v.in_stock < qty
                        line_rows.append(
                            (line_id, ship_id, pos, v.sku, v.name, qty, v.price_texts[m_idx], "0")
                        )
                    shipping += cost
                    shipments.append((ship_id, s + 1, code, sname, cost_text))
                discount = 0
                if random() < 0.1:
                    discount = _round_half_up_div(subtotal * 10, 100)
                    disc_id += 1
                    disc_rows.append(
                        (
                            disc_id,
                            order_id,
                            None,
                            0,
                            coupon_description,
                            "Percentage",
                            "10",
                            welcome,
                        )
                    )
                tax = _round_half_up_div((subtotal - discount) * taxes[m_idx], 10000)
                total = _money_text(subtotal - discount + shipping + tax, spec.minor_units)
                # status-consistent shipments and payments
                ship_statuses, paid, before_hold = self._shipment_statuses(
                    status, n_ship, skus_out_of_stock
                )
                a = cust.address
                address = (a[0], a[1], "", a[2], "", a[3], a[4], cust.phone)
                for (sid, snum, code, sname, cost_text), (s_status, s_before) in zip(
                    shipments, ship_statuses, strict=True
                ):
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
                            cost_text,
                            *address,
                        )
                    )
                ts = created.isoformat(" ", "microseconds") + zone
                if paid:
                    if random() < 0.05:
                        pay_id += 1
                        method = spec.payments[0]
                        pay_rows.append(
                            (pay_id, order_id, 0, *method, total, failed, ts, "website")
                        )
                    method = spec.payments[randrange(len(spec.payments))]
                    pay_id += 1
                    pay_rows.append((pay_id, order_id, 1, *method, total, processed, ts, agent))
                elif status is not canceled and random() < 0.3:
                    pay_id += 1
                    method = spec.payments[0]
                    pay_rows.append((pay_id, order_id, 0, *method, total, pending, ts, "website"))
                if random() < 0.1:
                    description, body = NOTE_TEXTS[randrange(len(NOTE_TEXTS))]
                    note_id += 1
                    note_rows.append((note_id, order_id, description, body, agent, ts))
                if anonymous:
                    name = f"{cust.first} {cust.last}" if random() < 0.7 else ""
                    email = None if name and random() < 0.5 else f"guest{order_id}@example.net"
                    cust_id, phone, key = None, "", ""
                else:
                    name, email, cust_id = cust.full_name, cust.email, cust.id
                    phone, key = cust.phone, cust.phone_key
                name_key = name_keys.get(name)
                if name_key is None:
                    name_key = name_keys[name] = search_key(name)
                order_rows.append(
                    (
                        order_id,
                        format_order_number(1001 + i),
                        "Phone order" if agent != "website" else "Web order",
                        spec.code,
                        spec.currency,
                        cust_id,
                        name,
                        email,
                        phone,
                        name_key,
                        email.lower() if email else None,
                        key,
                        STATUS_TEXT[status],
                        before_hold,
                        total,
                        ts,
                        agent,
                        ts,
                        agent,
                        1,
                    )
                )
            yield [
                (t.orders, ORDER_COLUMNS, order_rows),
                (t.shipments, SHIPMENT_COLUMNS, ship_rows),
                (t.line_items, LINE_COLUMNS, line_rows),
                (t.payments, PAYMENT_COLUMNS, pay_rows),
                (t.discounts, DISCOUNT_COLUMNS, disc_rows),
                (t.notes, NOTE_COLUMNS, note_rows),
            ]

    def _shipment_statuses(
        self, status: OrderStatus, n: int, out_of_stock: bool
    ) -> tuple[list[tuple[str, str | None]], bool, str | None]:
        """Statuses of n shipments consistent with the order status: (status, before hold)
        per shipment, whether the order is paid in full, and the order's status before hold."""
        rng = self.rng
        if status is OrderStatus.COMPLETED:
            return [_SHIPPED] * n, True, None
        if status is OrderStatus.CANCELED:
            return [_CANCELED] * n, False, None
        if status is OrderStatus.PARTIALLY_SHIPPED:  # always two shipments
            return [_SHIPPED, _PACKING], True, None
        paid = rng.random() < 0.6
        if not paid or out_of_stock:
            active = ShipmentStatus.AWAITING_INVENTORY.value
        else:
            active = ACTIVE_IN_PROGRESS[1 + rng._randbelow(3)].value  # randrange(3)
        if status is OrderStatus.ON_HOLD:
            return [(_ON_HOLD, active)] * n, paid, OrderStatus.IN_PROGRESS.value
        return [(active, None)] * n, paid, None

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
